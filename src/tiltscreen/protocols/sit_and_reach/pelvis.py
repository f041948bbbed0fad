"""Sit-and-reach: the pelvis and low back during a trial (pure functions).

Two sources, never mixed silently; each metric's ``method`` says which one it used:

* **markers**: ASIS and PSIS skin stickers (``tiltscreen.kinematics.sticker_tilt``), when both are seen
  during the hold (bending forward often hides the ASIS);
* **markerless estimate**: the back contour of the outline at the lumbosacral level
  (``tiltscreen.kinematics.back_contour``), a proxy for a sacral inclinometer (L-Hfx), reported as
  ``lumbo_horizontal_deg`` with an interval from held-out renders. An ASIS-PSIS tilt derived from it missed
  the 5 deg budget on held-out bodies, so ``pelvic_tilt_deg`` stays null without markers.

The hip-vs-spine split uses the *change* of the pelvic angle from rest to the hold, with its interval; the
spinal-flexion flag is raised only when the whole interval lies above the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.config.thresholds import Thresholds
from tiltscreen.kinematics.back_contour import LUMBO_RMS_DEG, ROTATION_RMS_DEG, TILT_RMS_DEG
from tiltscreen.protocols.common import Flag, Metric
from tiltscreen.protocols.sit_and_reach.trials import Trial

#: fewest hold frames with both stickers for a marker value (half a second at 30 fps)
MIN_MARKER_FRAMES = 15
#: least fraction of the hold frames with a back line for a markerless value
MIN_OUTLINE_FRACTION = 0.5
#: rest window before a trial for the hip-vs-spine split, seconds
REST_S = 0.5

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


def pelvic_tilt_metric(trial: Trial, pelvis: PelvisSeries) -> Metric:
    """ASIS-PSIS tilt over the hold (anterior positive) from skin markers; null with the reason otherwise."""
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


def _pelvic_change(trial: Trial, t_s: np.ndarray, pelvis: PelvisSeries) -> tuple[float, str, float] | None:
    """Anterior rotation of the pelvis from rest to the hold, the method that measured it and its 1 SD."""
    rest, hold = _rest_and_hold(trial, t_s)
    for series, sign, method, sd in (
        (pelvis.marker_tilt, 1.0, "skin markers on ASIS and PSIS", np.sqrt(2.0) * pelvis.marker_sd),
        (pelvis.lumbo, -1.0, "back contour at the lumbosacral level, markerless", ROTATION_RMS_DEG),
    ):
        if series is None or not (np.isfinite(series[rest]).any() and np.isfinite(series[hold]).any()):
            continue
        return sign * float(np.nanmedian(series[hold]) - np.nanmedian(series[rest])), method, float(sd)
    return None


def hip_spine_split(
    trial: Trial, t_s: np.ndarray, trunk_inclination_deg: np.ndarray, pelvis: PelvisSeries
) -> dict | None:
    """How much of the trunk's forward rotation came from the pelvis and how much from the spine.

    Rest = the ``REST_S`` before the trial's start; hold = the trial's hold frames. The pelvis's rotation
    is the change of its angle (markers, else the back contour), the trunk's the change of its
    inclination; the spine's part is the remainder. None when either is missing at rest or at the hold,
    or the trunk turned less than 5 degrees.
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
