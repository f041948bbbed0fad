"""Sit-and-reach: the pelvis and low back during a trial (pure functions).

Two sources, never mixed silently; each metric's ``method`` says which one it used:

* **markers**: ASIS and PSIS skin stickers (``tiltscreen.kinematics.sticker_tilt``), when both are seen
  during the hold (bending forward often hides the ASIS);
* **posterior stickers**: the PSIS and posterior iliac crest stickers, which stay in view bent forward
  (``tiltscreen.kinematics.pelvis_markers``): their line is calibrated on the subject against the
  ASIS-PSIS line in the frames where all three stickers are seen, and then gives the ASIS-PSIS tilt in
  every frame where the two posterior stickers are seen; without that calibration the tilt during the
  hold is indeterminate (no population offset is close enough);
* **markerless estimate**: the back contour of the outline at the lumbosacral level
  (``tiltscreen.kinematics.back_contour``), a proxy for a sacral inclinometer (L-Hfx), reported as
  ``lumbo_horizontal_deg`` with an interval from held-out renders. An ASIS-PSIS tilt derived from it missed
  the 5 deg budget on held-out bodies, so ``pelvic_tilt_deg`` stays null without markers.

The hip-vs-spine split uses the *change* of the pelvic angle from rest to the hold, with its interval; the
spinal-flexion flag is raised only when the whole interval lies above the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tiltscreen.config.thresholds import Thresholds
from tiltscreen.kinematics import pelvis_markers as pm
from tiltscreen.kinematics.back_contour import LUMBO_RMS_DEG, ROTATION_RMS_DEG, TILT_RMS_DEG
from tiltscreen.kinematics.sagittal import subject_vector
from tiltscreen.kinematics.side_view import ASSUMED_HFOV_DEG, SideView
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.sticker_types import PELVIS_STICKERS
from tiltscreen.protocols.common import Flag, Metric
from tiltscreen.protocols.sit_and_reach.trials import Trial

#: fewest hold frames with both stickers for a marker value (half a second at 30 fps)
MIN_MARKER_FRAMES = 15
#: least fraction of the hold frames with a back line for a markerless value
MIN_OUTLINE_FRACTION = 0.5
#: rest window before a trial for the hip-vs-spine split, seconds
REST_S = 0.5
#: least fraction of the hold frames with a sticker tilt for a value from the pelvis stickers
MIN_STICKER_FRACTION = 0.5
STICKERS_METHOD = "pelvis stickers (ASIS, PSIS, posterior iliac crest)"
NO_STICKERS = "No pelvis stickers (ASIS, PSIS, posterior iliac crest) were tracked."
FEMUR_PELVIS = (
    "angle of the thigh (hip->knee) from the perpendicular to the ASIS-PSIS line: anatomical hip flexion "
    "plus the subject's ASIS-PSIS angle in the anatomical position (13 +/- 5 deg, Preece et al. 2008)"
)
#: 1 SD of the thigh's sagittal angle from the hip and knee landmarks against the joint centres, degrees,
#: measured on the development renders (benchmarks/results/pelvis_dev.md: hip flexion error minus tilt
#: error, 4 clips, within 2.8)
THIGH_SD_DEG = 2.0

MARKERLESS = "markerless-estimate"
LUMBO_METHOD = (
    f"{MARKERLESS}: back contour of the outline 0-0.15 trunk lengths above the hip landmarks vs the "
    "horizontal (roll-corrected), median over the hold; a proxy for a sacral inclinometer (L-Hfx)"
)
MARKERLESS_TILT_REFUSED = (
    f"A markerless ASIS-PSIS tilt in flexion (the back-contour proxy plus an average body's sacral "
    f"offset) was wrong by {TILT_RMS_DEG:g} deg RMS on held-out rendered bodies, beyond the 5 deg budget, "
    "so it is not given; see lumbo_horizontal_deg for the contour proxy."
)
NO_PELVIS = (
    "The pelvis cannot be seen in MediaPipe's landmarks and neither skin markers on the ASIS and PSIS nor "
    "the back contour were usable during the hold."
)


@dataclass(frozen=True)
class PelvisSeries:
    """Per-frame pelvis series of a recording (NaN where not measured)."""

    #: ASIS-PSIS tilt from skin stickers, or None without stickers
    marker_tilt: np.ndarray | None = None
    #: 1 SD of the sticker tilt (detection, parallax, roll), degrees
    marker_sd: float = 1.5
    #: lumbo-horizontal proxy from the back contour (roll-corrected), or None when not measured
    lumbo: np.ndarray | None = None
    #: why ``lumbo`` is None (e.g. the camera roll is unknown)
    lumbo_reason: str | None = None
    #: ASIS-PSIS tilt from the three pelvis stickers (ASIS, PSIS, iliac crest), or None without them
    stickers: pm.PelvisTilt | None = None
    #: the thigh's angle above the forward horizontal (hip->knee landmarks, roll removed), degrees
    thigh_deg: np.ndarray | None = None


def _held(values: np.ndarray | None, trial: Trial) -> np.ndarray:
    if values is None:
        return np.array([])
    held = values[trial.hold_frames]
    return held[np.isfinite(held)]


def lumbo_metric(trial: Trial, pelvis: PelvisSeries) -> Metric:
    """``lumbo_horizontal_deg``: the back-contour proxy, median over the hold."""
    if pelvis.lumbo is None:
        return Metric.missing("deg", LUMBO_METHOD, pelvis.lumbo_reason or NO_PELVIS)
    held = _held(pelvis.lumbo, trial)
    n_hold = pelvis.lumbo[trial.hold_frames].size
    if n_hold == 0 or held.size < MIN_OUTLINE_FRACTION * n_hold:
        return Metric.missing(
            "deg",
            LUMBO_METHOD,
            f"The back contour was traced in {held.size} of {n_hold} hold "
            "frames (at least half needed): an arm, clothing or the frame "
            "edge hides the low back.",
        )
    value = float(np.median(held))
    half = 1.96 * LUMBO_RMS_DEG
    return Metric(
        value,
        "deg",
        LUMBO_METHOD,
        (value - half, value + half),
        reason="A proxy from the body outline, not an inclinometer reading.",
    )


def with_stickers(
    series: PelvisSeries,
    arrays: dict[str, np.ndarray] | None,
    lm: Landmarks,
    *,
    side: str,
    facing: int,
    roll_deg: float | None,
    yaw_deg: float | None,
) -> PelvisSeries:
    """Add the three-sticker tilt and the thigh angle to ``series`` (no tilt when no sticker was found).

    ``arrays`` is :meth:`~tiltscreen.pose.pelvis_stickers.PelvisStickerRecorder.arrays`; the view is the
    assumed field of view (:data:`~tiltscreen.kinematics.side_view.ASSUMED_HFOV_DEG`) with the measured
    roll and yaw (0 when unknown), pitch 0.
    """  # fmt: skip
    hip = lm.point(lm.skeleton.side(side, "hip"))
    knee = lm.point(lm.skeleton.side(side, "knee"))
    v = subject_vector(hip, knee, facing=facing, roll_deg=roll_deg or 0.0)
    thigh = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    names = (*PELVIS_STICKERS, "posterior")
    if arrays is None or not any(np.isfinite(np.asarray(arrays[f"{k}_px"], float)).any() for k in names):
        return replace(series, thigh_deg=thigh)  # no pelvis sticker anywhere: the pair's rules stand
    view = SideView.from_hfov(
        lm.image_size, ASSUMED_HFOV_DEG, facing=facing, roll_deg=roll_deg or 0.0, yaw_deg=yaw_deg or 0.0
    )
    tracks = pm.PelvisTracks.from_arrays(pm.name_posterior(_frames(arrays, lm.n_frames)))
    angles = pm.line_angles_deg(tracks, view)
    tilt = pm.pelvis_tilt(angles, tracks, pm.calibrate_lines(angles, tracks))
    return replace(series, stickers=tilt, thigh_deg=thigh)


def _frames(arrays: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Return the per-frame arrays cut or padded with NaN to ``n`` frames (the landmarks' count)."""
    out = {}
    for key, value in arrays.items():
        v = np.asarray(value, float)[:n]
        pad = np.full((n - len(v), *v.shape[1:]), np.nan)
        out[key] = np.concatenate([v, pad]) if len(pad) else v
    return out


def _sticker_hold(trial: Trial, tilt: pm.PelvisTilt) -> tuple[float, float, list[str]] | str:
    """Median tilt over the hold, its 1 SD and the lines used; or the reason (a sentence) there is none."""
    rows = np.arange(tilt.tilt.size)[trial.hold_frames]
    ok = rows[np.isfinite(tilt.tilt[rows])]
    if rows.size and ok.size >= MIN_STICKER_FRACTION * rows.size:
        return float(np.median(tilt.tilt[ok])), float(np.median(tilt.sd[ok])), tilt.sources_in(ok)
    cal = tilt.calibration
    why = f"The pelvis stickers gave a tilt in {ok.size} of {rows.size} hold frames (at least half needed)"
    if cal.k_posterior is None:
        why += (
            f". The PSIS and iliac-crest stickers were seen with the ASIS sticker in {cal.posterior_frames} "
            f"frames (at least {pm.MIN_CALIBRATION_FRAMES} needed), so their line could not be calibrated "
            "on this subject; no population offset is close enough (it spread over more than 40 "
            "degrees between rendered bodies)"
        )
    return why + "."


def _sticker_method(sources: list[str], cal: pm.LineCalibration) -> str:
    """Return the method sentence of a tilt from the pelvis stickers."""
    parts = {
        "asis-psis": "the ASIS-PSIS line",
        "posterior line": f"the PSIS-iliac crest line calibrated on this subject against the ASIS-PSIS "
        f"line in {cal.posterior_frames} frames where all three stickers were seen",
        "anterior line": "the iliac crest-ASIS line "
        + (f"calibrated on this subject ({cal.anterior_frames} frames)" if cal.anterior_own
           else "with a population offset (development renders)"),
    }  # fmt: skip
    return (
        f"{STICKERS_METHOD}: " + ", else ".join(parts[s] for s in sources)
        + "; each read in the sagittal plane through a pinhole model of the camera (assumed field of view, "
        "measured roll and yaw); median over the hold"
    )  # fmt: skip


def pelvic_tilt_metric(trial: Trial, pelvis: PelvisSeries) -> Metric:
    """ASIS-PSIS tilt over the hold (anterior positive) from skin markers; null with the reason otherwise.

    The three pelvis stickers come first (:func:`with_stickers`), then the ASIS-PSIS pair alone.
    """
    if pelvis.stickers is not None:
        found = _sticker_hold(trial, pelvis.stickers)
        if not isinstance(found, str):
            value, sd, sources = found
            half = 1.96 * sd
            return Metric(value, "deg", _sticker_method(sources, pelvis.stickers.calibration),
                          (value - half, value + half))  # fmt: skip
        return Metric.missing("deg", STICKERS_METHOD, "Indeterminate. " + found)
    held = _held(pelvis.marker_tilt, trial)
    if held.size >= MIN_MARKER_FRAMES:
        value = float(np.median(held))
        half = 1.96 * pelvis.marker_sd
        return Metric(value, "deg", "markers", (value - half, value + half))
    why = (
        (
            f"Both skin markers were seen in only {held.size} frames of the hold (at least "
            f"{MIN_MARKER_FRAMES} needed; the ASIS is often hidden when bending forward). "
        )
        if pelvis.marker_tilt is not None
        else ("No skin markers on the ASIS and PSIS were found. ")
    )
    return Metric.missing("deg", "ASIS-PSIS line vs horizontal", why + MARKERLESS_TILT_REFUSED)


def _rest_and_hold(trial: Trial, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rest = (t_s >= trial.start_s - REST_S) & (t_s <= trial.start_s)
    hold = np.zeros(t_s.size, bool)
    hold[trial.hold_frames] = True
    return rest, hold


def _sticker_change(
    rest: np.ndarray, hold: np.ndarray, tilt: pm.PelvisTilt
) -> tuple[float, str, float] | None:
    """Rotation from rest to hold from the pelvis stickers (both ends measured), its method and 1 SD."""
    r, h = rest & np.isfinite(tilt.tilt), hold & np.isfinite(tilt.tilt)
    if not (r.any() and h.sum() >= MIN_STICKER_FRACTION * hold.sum()):
        return None
    change = float(np.median(tilt.tilt[h]) - np.median(tilt.tilt[r]))
    sd = float(np.hypot(np.median(tilt.sd[r]), np.median(tilt.sd[h])))
    lines = " / ".join(dict.fromkeys(tilt.sources_in(r) + tilt.sources_in(h)))
    return change, f"{STICKERS_METHOD}, {lines}", sd


def _pelvic_change(trial: Trial, t_s: np.ndarray, pelvis: PelvisSeries) -> tuple[float, str, float] | None:
    """Anterior rotation of the pelvis from rest to the hold, the method that measured it and its 1 SD."""
    rest, hold = _rest_and_hold(trial, t_s)
    if pelvis.stickers is not None and (found := _sticker_change(rest, hold, pelvis.stickers)) is not None:
        return found
    for series, sign, method, sd in (
        (pelvis.marker_tilt, 1.0, "skin markers on ASIS and PSIS", np.sqrt(2.0) * pelvis.marker_sd),
        (pelvis.lumbo, -1.0, "back contour at the lumbosacral level, markerless", ROTATION_RMS_DEG),
    ):
        if series is None or not (np.isfinite(series[rest]).any() and np.isfinite(series[hold]).any()):
            continue
        return sign * float(np.nanmedian(series[hold]) - np.nanmedian(series[rest])), method, float(sd)
    return None


def hip_flexion_vs_pelvis(trial: Trial, pelvis: PelvisSeries) -> dict:
    """Hip flexion measured against the pelvis at the hold: the femur's angle to the ASIS-PSIS normal.

    ``90 + tilt + thigh`` (degrees): the ASIS-PSIS tilt from the stickers (positive anterior) plus the
    thigh's angle above the forward horizontal (hip->knee landmarks), plus 90; 0 when the thigh is
    perpendicular to the ASIS-PSIS line. It is anatomical hip flexion plus the subject's ASIS-PSIS angle
    in the anatomical position (13 +/- 5 deg in cadaver pelves, Preece et al. 2008). ``value`` None with
    a ``reason`` when the stickers do not give the tilt over the hold.
    """
    found = _sticker_hold(trial, pelvis.stickers) if pelvis.stickers is not None else NO_STICKERS
    thigh = _held(pelvis.thigh_deg, trial)
    if isinstance(found, str) or thigh.size == 0:
        why = found if isinstance(found, str) else "The hip and knee landmarks were not seen in the hold."
        return {"value": None, "unit": "deg", "reason": "Indeterminate. " + why, "definition": FEMUR_PELVIS}
    tilt, sd, _ = found
    value = 90.0 + tilt + float(np.median(thigh))
    half = 1.96 * float(np.hypot(sd, THIGH_SD_DEG))
    return {
        "value": round(value, 1),
        "unit": "deg",
        "ci95": [round(value - half, 1), round(value + half, 1)],
        "definition": FEMUR_PELVIS,
        "method": "tilt from the pelvis stickers (see pelvic_tilt_deg) and the thigh from the hip and knee "
        "landmarks (roll removed), medians over the hold",
    }


def hip_spine_split(
    trial: Trial, t_s: np.ndarray, trunk_inclination_deg: np.ndarray, pelvis: PelvisSeries
) -> dict | None:
    """How much of the trunk's forward rotation came from the pelvis and how much from the spine.

    Rest = the ``REST_S`` before the trial's start; hold = the trial's hold frames. The pelvis's rotation
    is the change of its angle (pelvis stickers, else the ASIS/PSIS pair, else the back contour), the
    trunk's the change of its inclination; the spine's part is the remainder. None when either is missing
    at rest or at the hold, or the trunk turned less than 5 degrees.
    """
    change = _pelvic_change(trial, t_s, pelvis)
    rest, hold = _rest_and_hold(trial, t_s)
    trunk = trunk_inclination_deg
    if change is None or not (np.isfinite(trunk[rest]).any() and np.isfinite(trunk[hold]).any()):
        return None
    trunk_rot = float(np.nanmedian(trunk[hold]) - np.nanmedian(trunk[rest]))
    if abs(trunk_rot) < 5.0:
        return None
    pelvis_rot, how, sd = change
    half = 1.96 * sd
    spinal = sorted((1 - (pelvis_rot + half) / trunk_rot, 1 - (pelvis_rot - half) / trunk_rot))
    return {
        "trunk_rotation_deg": round(trunk_rot, 1),
        "pelvic_rotation_deg": round(pelvis_rot, 1),
        "pelvic_rotation_ci95": [round(pelvis_rot - half, 1), round(pelvis_rot + half, 1)],
        "pelvic_fraction": round(pelvis_rot / trunk_rot, 2),
        "spinal_fraction": round(1 - pelvis_rot / trunk_rot, 2),
        "spinal_fraction_ci95": [round(spinal[0], 2), round(spinal[1], 2)],
        "pelvic_fraction_ci95": [round(1 - spinal[1], 2), round(1 - spinal[0], 2)],
        "hip_flexion_vs_pelvis_deg": hip_flexion_vs_pelvis(trial, pelvis),
        "method": f"{how} (pelvis) and the hip-shoulder line (trunk), rest vs hold",
    }


def spinal_flag(split: dict | None, thresholds: Thresholds) -> list[Flag]:
    """Review flag when most of the reach came from spinal flexion rather than pelvic rotation."""
    limit = thresholds.spinal_fraction_review
    if split is None or split["spinal_fraction_ci95"][0] <= limit.value:
        return []  # flagged only when the whole 95% interval lies above the threshold
    return [
        Flag(
            "reach_mainly_spinal_flexion",
            "review",
            f"{split['spinal_fraction']:.0%} of the trunk's forward rotation came from the spine and "
            f"{split['pelvic_fraction']:.0%} from the pelvis (95% interval of the spine's share "
            f"{split['spinal_fraction_ci95'][0]:.0%}-{split['spinal_fraction_ci95'][1]:.0%}, above the "
            f"threshold {limit.value:.0%}, provisional; "
            f"pelvis from the {split['method'].split(' (pelvis)')[0]}): the pelvis rotated little, as with "
            "limited hamstring extensibility.",
            split,
            limit.source,
        )
    ]


def lumbo_flag(metric: Metric, thresholds: Thresholds) -> list[Flag]:
    """L-Hfx category of the proxy (provisional cut-offs), for review when beyond 'normal'."""
    cut = thresholds.lumbo_horizontal
    if metric.value is None:
        return []
    normal, moderate = cut.normal_max, cut.moderate_max
    value = metric.value
    category = (
        "normal" if value <= normal else "moderate shortness" if value <= moderate else "marked shortness"
    )
    lo, hi = metric.ci95 or (value, value)
    spans = (lo <= normal < hi) or (lo <= moderate < hi)
    evidence = {
        "lumbo_horizontal_deg": round(value, 1),
        "ci95": [round(lo, 1), round(hi, 1)],
        "normal_max": normal,
        "moderate_max": moderate,
        "category": category,
        "interval_spans_a_cut_off": spans,
        "method": metric.method,
    }
    note = (
        f"Lumbo-horizontal proxy {value:.0f} deg (95% interval {lo:.0f}-{hi:.0f}): category '{category}' by "
        f"provisional, unverified cut-offs (normal <= {normal:g}, moderate <= {moderate:g})."
    )
    if spans:
        note += " The interval spans a cut-off, so the category is uncertain."
    if category == "normal":
        return [Flag("lumbo_horizontal_category", "info", note, evidence, cut.source)]
    return [
        Flag(
            "limited_hamstring_extensibility_lhfx",
            "review",
            note
            + " The pelvis stayed tipped back at maximal reach, as when the hamstrings limit it; confirm "
            "with an angular test (e.g. passive straight-leg raise).",
            evidence,
            cut.source,
        )
    ]
