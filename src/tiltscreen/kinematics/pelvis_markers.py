"""ASIS-PSIS pelvic tilt through a sit-and-reach from whichever pelvis stickers are in view (pure functions).

Three skin stickers sit on the near-side pelvis: ASIS (A), PSIS (P) and posterior iliac crest (C)
(:mod:`tiltscreen.pose.pelvis_stickers`). The pelvis is rigid, so the sagittal angle of any line between
two of them differs from the ASIS-PSIS tilt by a constant of the subject and the sticker placement:

    tilt = k_anterior + angle(C->A)        ("anterior line", seen sitting upright)
    tilt = k_posterior + angle(P->C)       ("posterior line", seen bent forward)

where ``angle(X->Y)`` is the line's angle below the subject's forward horizontal in the sagittal plane
and tilt the ASIS-PSIS tilt (angle of the PSIS->ASIS line below the horizontal, positive anterior). Each
angle is read through the pinhole model of the side view (:mod:`tiltscreen.kinematics.side_view`: roll,
yaw, pitch, focal length), because the stickers sit at different distances from the midline: the crest
sticker about 0.024 stature nearer the camera than the PSIS, over a line only about 5 cm long, so a
camera looking a little off the lateral axis turns the raw image line by 10 degrees or more.

The constants are calibrated on the subject in the frames where the ASIS, PSIS and crest are all seen
whole (going down into the reach and coming back up, the ASIS and the PSIS are both in view for a few
frames): ``k = tilt - angle``. ``k_anterior`` falls back on a population value
(:data:`K_ANTERIOR_POPULATION`); ``k_posterior`` has none: over the development renders' bodies it spread
54-100 deg (the PSIS-crest line is short and its direction follows the shape of each pelvis), so without a
calibration on the subject the posterior line gives no tilt.

Units: pixels in, degrees out; ``facing`` +1 when the subject faces image-right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.kinematics.side_view import SideView, sagittal_angle_deg
from tiltscreen.kinematics.sticker_tilt import LATERAL_GAP

#: how much nearer the camera the front sticker of each line is than the back one, fraction of stature:
#: ASIS vs PSIS as for standing (:data:`tiltscreen.kinematics.sticker_tilt.LATERAL_GAP`); crest vs PSIS
#: 0.024 (the rendered bodies' skin points: 0.015-0.030; the layout puts the crest sticker 3-4 cm further
#: from the midline than the PSIS sticker); ASIS vs crest the difference
LATERAL_GAPS = {"tilt": LATERAL_GAP, "posterior": 0.024, "anterior": LATERAL_GAP - 0.024}
#: population value of ``k_anterior`` (deg): median over the seated starts of the development renders of
#: (true bone ASIS-PSIS tilt - crest->ASIS angle of the detected stickers), see
#: benchmarks/results/pelvis_dev.md; it depends on where the crest sticker is put (1 cm higher
#: or lower turns the line by about 4 deg)
K_ANTERIOR_POPULATION = -15.0
#: stickers seen whole: blob area 0.7-2.6 times a sticker's expected area (smaller: partly hidden, centre
#: biased towards the visible part; larger: merged with a neighbour)
WHOLE_AREA = (0.7, 2.6)
#: fewest calibration frames for a subject's own constant
MIN_CALIBRATION_FRAMES = 2
#: a calibration frame's ASIS-PSIS tilt must agree with the crest->ASIS line's (population constant) within
#: this many degrees, or one of its stickers is taken to be wrong (a partly hidden PSIS peeping past the
#: flank): about 3 SD of the population constant (2.1-2.9 deg on the development renders)
CALIBRATION_AGREEMENT_DEG = 8.0
#: tilts outside this range (deg) are taken as a wrong sticker and dropped: upright sitting to the deepest
#: reach spans -20 to 45 deg on the development renders; the margin allows for unusual pelves
PLAUSIBLE_TILT_DEG = (-45.0, 75.0)
#: line codes of :attr:`PelvisTilt.source`
SOURCES = ("none", "asis-psis", "anterior line", "posterior line")
#: 1 SD of a line's tilt against the true bone ASIS-PSIS tilt, degrees (skin sliding over the bone, sticker
#: detection, the assumed lateral gaps and field of view), from the development renders
#: (benchmarks/results/pelvis_dev.md, per-clip medians): posterior line at the hold RMS 4.25 (5 clips, worst
#: 7.6; the fifth, rendered after the method was set, calibrated on only 2 frames), anterior line at rest with
#: the population constant RMS 2.0 (12 clips). The ASIS-PSIS line at rest: 0.5 and -3.0 on two clips (a
#: third, +10.6, had a PSIS peeping past the flank)
LINE_SD_DEG = {
    "asis-psis": 3.0,
    "anterior line": 2.5,
    "anterior line, population": 2.5,
    "posterior line": 4.5,
}


@dataclass(frozen=True)
class PelvisTracks:
    """Per-frame sticker centres, blob areas and the subject's stature estimate.

    Centres in full-resolution px, y down (NaN where not seen); areas in sticker areas (NaN); stature in
    px (NaN where unknown).
    """

    asis: np.ndarray
    psis: np.ndarray
    crest: np.ndarray
    asis_area: np.ndarray
    psis_area: np.ndarray
    crest_area: np.ndarray
    stature_px: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> PelvisTracks:
        """Build from :meth:`~tiltscreen.pose.pelvis_stickers.PelvisStickerRecorder.arrays`.

        Call :func:`name_posterior` first, or lone posterior stickers are left out.
        """
        return cls(
            *(np.asarray(arrays[f"{n}_px"], float) for n in ("asis", "psis", "iliac_crest")),
            *(np.asarray(arrays[f"{n}_area"], float) for n in ("asis", "psis", "iliac_crest")),
            stature_px=np.asarray(arrays["stature_px"], float),
        )

    def whole(self, name: str) -> np.ndarray:
        """Per frame, True where sticker ``name`` (``asis``, ``psis`` or ``crest``) was seen whole."""
        centre, area = getattr(self, name), getattr(self, f"{name}_area")
        return np.isfinite(centre[:, 0]) & (area >= WHOLE_AREA[0]) & (area <= WHOLE_AREA[1])


def name_posterior(arrays: dict[str, np.ndarray], *, max_gap: int = 30) -> dict[str, np.ndarray]:
    """Name the lone posterior stickers of a sequence: crest or PSIS, whichever lies nearer where it was.

    Parameters
    ----------
    arrays : dict
        :meth:`~tiltscreen.pose.pelvis_stickers.PelvisStickerRecorder.arrays` of a recording.
    max_gap : int, default 30
        Frames to look back and forward for a frame in which the two posterior stickers were told apart.

    Returns
    -------
    dict
        A copy with each lone ``posterior`` sticker moved to ``iliac_crest`` or ``psis``: the one whose
        nearest named position (relative to the hip, in the trunk frame) is closer. Without a nearby named
        frame it becomes the crest, the posterior sticker seen both upright and bent forward.

    """
    out = {k: np.array(v, float, copy=True) for k, v in arrays.items()}
    lone = np.flatnonzero(np.isfinite(out["posterior_px"][:, 0]))
    both = np.flatnonzero(np.isfinite(out["psis_px"][:, 0]) & np.isfinite(out["iliac_crest_px"][:, 0]))
    rel = {n: _relative(out, f"{n}_px") for n in ("posterior", "psis", "iliac_crest")}
    for i in lone:
        name = "iliac_crest"
        near = both[np.abs(both - i) <= max_gap]
        if near.size:
            j = near[np.argmin(np.abs(near - i))]
            d = {n: np.hypot(*(rel["posterior"][i] - rel[n][j])) for n in ("psis", "iliac_crest")}
            name = min(d, key=d.__getitem__)
        if not np.isfinite(out[f"{name}_px"][i, 0]):
            out[f"{name}_px"][i], out[f"{name}_area"][i] = out["posterior_px"][i], out["posterior_area"][i]
    out["posterior_px"][:], out["posterior_area"][:] = np.nan, np.nan
    return out


def _relative(arrays: dict[str, np.ndarray], key: str) -> np.ndarray:
    """``(along, ahead)`` of a track relative to the hip in the trunk frame, statures (NaN where missing)."""
    d = arrays[key] - arrays["hip_px"]
    s = arrays["stature_px"][:, None]
    return np.stack([np.sum(d * arrays["up"], 1), np.sum(d * arrays["forward"], 1)], 1) / s


def _angle_series(front: np.ndarray, back: np.ndarray, lateral: np.ndarray, view: SideView) -> np.ndarray:
    """Return :func:`~tiltscreen.kinematics.side_view.sagittal_angle_deg` per frame (NaN: point missing)."""
    out = np.full(len(front), np.nan)
    for i in np.flatnonzero(np.isfinite(front[:, 0]) & np.isfinite(back[:, 0]) & np.isfinite(lateral)):
        out[i] = sagittal_angle_deg(front[i], back[i], lateral_px=float(lateral[i]), view=view)
    return out


def line_angles_deg(tracks: PelvisTracks, view: SideView) -> dict[str, np.ndarray]:
    """Per-frame sagittal angles of the three sticker lines, degrees, read through the camera model.

    Parameters
    ----------
    tracks : PelvisTracks
        Sticker centres per frame (full-resolution px, y down) and the stature estimate (px).
    view : SideView
        The camera (facing, roll, yaw, pitch, focal length): each line is read in the sagittal plane with
        its far end pushed back by the stickers' lateral gap (:data:`LATERAL_GAPS`, x stature).

    Returns
    -------
    dict of str to ndarray, shape (frame,)
        Each the angle below the subject's forward horizontal of a line, degrees:
        ``"tilt"`` PSIS->ASIS (the sticker ASIS-PSIS tilt, positive anterior), ``"anterior"`` crest->ASIS,
        ``"posterior"`` PSIS->crest (about -60 to -100: the crest sits above the PSIS). NaN where a
        sticker is missing. An anterior rotation of the pelvis by x degrees adds x to each.

    Examples
    --------
    A level camera with a 1000 px focal length facing a subject facing right; the ASIS 100 px ahead of
    and 10 px below the PSIS at the image centre, no lateral gap (stature unknown): 5.7 deg anterior.

    >>> view = SideView(1000.0, (500.0, 500.0), 1)
    >>> nan2 = np.full((1, 2), np.nan)
    >>> tr = PelvisTracks(np.array([[600.0, 510.0]]), np.array([[500.0, 500.0]]), nan2, *(np.ones(1),) * 3,
    ...                   stature_px=np.zeros(1))
    >>> round(float(line_angles_deg(tr, view)["tilt"][0]), 1)
    5.7

    """
    s = np.asarray(tracks.stature_px, float)
    s = np.where(np.isfinite(s), s, 0.0)
    return {
        "tilt": _angle_series(tracks.asis, tracks.psis, LATERAL_GAPS["tilt"] * s, view),
        "anterior": _angle_series(tracks.asis, tracks.crest, LATERAL_GAPS["anterior"] * s, view),
        "posterior": _angle_series(tracks.crest, tracks.psis, LATERAL_GAPS["posterior"] * s, view),
    }


@dataclass(frozen=True)
class LineCalibration:
    """The two line constants (deg: tilt = constant + line angle) and where they came from.

    ``k_anterior`` is the subject's own when ``anterior_frames`` >= :data:`MIN_CALIBRATION_FRAMES`, else
    :data:`K_ANTERIOR_POPULATION`; ``k_posterior`` is None unless calibrated on the subject
    (``posterior_frames`` calibration frames): its population spread is too wide to use.
    """

    k_anterior: float
    anterior_frames: int
    k_posterior: float | None
    posterior_frames: int

    @property
    def anterior_own(self) -> bool:
        """True when ``k_anterior`` was calibrated on this subject."""
        return self.anterior_frames >= MIN_CALIBRATION_FRAMES


def calibrate_lines(angles: dict[str, np.ndarray], tracks: PelvisTracks) -> LineCalibration:
    """Calibrate the crest lines on the frames where the ASIS, PSIS and crest are all seen whole and agree.

    A frame counts when its ASIS-PSIS tilt agrees with the crest->ASIS line read with the population
    constant within :data:`CALIBRATION_AGREEMENT_DEG` (a PSIS peeping past the flank gives a biased centre).

    Parameters
    ----------
    angles : dict
        :func:`line_angles_deg` of the recording.
    tracks : PelvisTracks
        The same recording's stickers (for which are whole).

    Returns
    -------
    LineCalibration
        Each constant the median of ``tilt - angle`` over the calibration frames (the ASIS-PSIS tilt and
        the line seen in the same frame, so the pelvis's pose does not matter).

    Examples
    --------
    A pelvis tilted 10 deg, its crest->ASIS line at 28 deg and PSIS->crest line at -80 deg, in four frames:

    >>> n = 4
    >>> tr = PelvisTracks(*(np.zeros((n, 2)),) * 3, *(np.ones(n),) * 3, stature_px=np.full(n, 500.0))
    >>> cal = calibrate_lines({"tilt": np.full(n, 10.0), "anterior": np.full(n, 28.0),
    ...                        "posterior": np.full(n, -80.0)}, tr)
    >>> (cal.k_anterior, cal.k_posterior, cal.posterior_frames)
    (-18.0, 90.0, 4)

    """
    both = tracks.whole("asis") & tracks.whole("psis") & tracks.whole("crest") & np.isfinite(angles["tilt"])
    both &= ~_disagree(angles, K_ANTERIOR_POPULATION)
    ant = both & np.isfinite(angles["anterior"])
    post = both & np.isfinite(angles["posterior"])
    k_ant = float(np.median((angles["tilt"] - angles["anterior"])[ant])) if ant.sum() else math.nan
    k_post = float(np.median((angles["tilt"] - angles["posterior"])[post])) if post.sum() else math.nan
    own_ant = ant.sum() >= MIN_CALIBRATION_FRAMES
    own_post = post.sum() >= MIN_CALIBRATION_FRAMES
    return LineCalibration(
        k_ant if own_ant else K_ANTERIOR_POPULATION,
        int(ant.sum()),
        k_post if own_post else None,
        int(post.sum()),
    )


def _disagree(angles: dict[str, np.ndarray], k_anterior: float) -> np.ndarray:
    """Per frame, True where the ASIS-PSIS and crest->ASIS tilts differ by more than the agreement limit."""
    with np.errstate(invalid="ignore"):
        return np.abs(angles["tilt"] - k_anterior - angles["anterior"]) > CALIBRATION_AGREEMENT_DEG


@dataclass(frozen=True)
class PelvisTilt:
    """Per-frame ASIS-PSIS tilt from the stickers (deg, positive anterior), which line gave it, and its 1 SD.

    ``source`` indexes :data:`SOURCES` (0: not measured); ``tilt`` and ``sd`` are NaN where not measured.
    """

    tilt: np.ndarray
    source: np.ndarray
    sd: np.ndarray
    calibration: LineCalibration

    def sources_in(self, rows: np.ndarray) -> list[str]:
        """Return the line names used in the selected frames, most used first."""
        codes, counts = np.unique(self.source[rows][self.source[rows] > 0], return_counts=True)
        return [SOURCES[c] for c in codes[np.argsort(-counts)]]


def pelvis_tilt(
    angles: dict[str, np.ndarray], tracks: PelvisTracks, calibration: LineCalibration
) -> PelvisTilt:
    """Tilt in every frame from the best line seen whole: ASIS-PSIS, else posterior, else anterior line.

    The posterior line is used only when calibrated on the subject; lines through a partly hidden or
    merged sticker are not used (:data:`WHOLE_AREA`), nor tilts outside :data:`PLAUSIBLE_TILT_DEG`, nor
    the ASIS-PSIS line where the crest->ASIS line disagrees with it by more than
    :data:`CALIBRATION_AGREEMENT_DEG` (a PSIS peeping past the flank).
    Each frame's 1 SD is its line's
    (:data:`LINE_SD_DEG`; the anterior line's population constant has its own).

    Examples
    --------
    Frame 0 shows the ASIS and crest (anterior line at 28 deg), frame 1 the PSIS and crest (posterior line
    at -60 deg); with ``k_anterior = -18`` (calibrated) and ``k_posterior = 90`` the tilts are 10 and 30.

    >>> nan = np.nan
    >>> tr = PelvisTracks(np.array([[0.0, 0], [nan, nan]]), np.array([[nan, nan], [0.0, 0]]),
    ...                   np.zeros((2, 2)), np.array([1.0, nan]), np.array([nan, 1.0]), np.ones(2),
    ...                   stature_px=np.full(2, 500.0))
    >>> ang = {"tilt": np.full(2, nan), "anterior": np.array([28.0, nan]),
    ...        "posterior": np.array([nan, -60.0])}
    >>> out = pelvis_tilt(ang, tr, LineCalibration(-18.0, 5, 90.0, 5))
    >>> out.tilt.tolist(), [SOURCES[s] for s in out.source]
    ([10.0, 30.0], ['anterior line', 'posterior line'])

    """
    a, p, c = tracks.whole("asis"), tracks.whole("psis"), tracks.whole("crest")
    n = len(a)
    tilt, source, sd = np.full(n, np.nan), np.zeros(n, int), np.full(n, np.nan)
    k_post = calibration.k_posterior
    ant_sd = LINE_SD_DEG["anterior line" if calibration.anterior_own else "anterior line, population"]
    post = (k_post if k_post is not None else np.nan) + angles["posterior"]
    candidates = [  # later lines overwrite: the best comes last
        (SOURCES.index("anterior line"), a & c, calibration.k_anterior + angles["anterior"], ant_sd),
        (SOURCES.index("posterior line"), p & c, post, LINE_SD_DEG["posterior line"]),
        (SOURCES.index("asis-psis"), a & p & ~_disagree(angles, calibration.k_anterior), angles["tilt"],
         LINE_SD_DEG["asis-psis"]),
    ]  # fmt: skip
    lo, hi = PLAUSIBLE_TILT_DEG
    for code, seen, values, line_sd in candidates:
        with np.errstate(invalid="ignore"):
            use = seen & np.isfinite(values) & (values >= lo) & (values <= hi)
        tilt[use], source[use], sd[use] = values[use], code, line_sd
    return PelvisTilt(tilt, source, sd, calibration)
