"""ASIS-PSIS pelvic tilt through a sit-and-reach from whichever pelvis stickers are in view (pure functions).

Three skin stickers sit on the near-side pelvis: ASIS (A), PSIS (P) and posterior iliac crest (C)
(:mod:`tiltscreen.pose.pelvis_stickers`). The pelvis is rigid, so the angle of any line between two of them
differs from the ASIS-PSIS tilt by a constant of the subject and the sticker placement:

    tilt = k_CA - angle(C->A)        ("anterior line", seen upright)
    tilt = k_PC - angle(P->C)        ("posterior line", seen bent forward)

where ``angle(X->Y)`` is the line's angle above the subject's forward horizontal (y-up, counter-clockwise
positive, camera roll removed) and tilt is the ASIS-PSIS tilt (angle of the PSIS->ASIS line below the
horizontal, positive anterior, :func:`tiltscreen.kinematics.sticker_tilt.pair_tilt_deg`). An anterior
rotation of x degrees lowers every pelvis-fixed line's angle by exactly x degrees.

The constants are calibrated on the subject where the ASIS and PSIS are both seen whole (the calibration
frames): ``k = tilt + angle``. ``k_CA`` falls back on a population value (:data:`K_CA_DEFAULT`, measured on
development renders; it depends on where the crest sticker is put); ``k_PC`` has no usable population
value (on renders it varied by 13 deg between bodies: the crest-PSIS line is short and follows the shape
of the back), so the posterior line is used only when calibrated on the subject.

Units: pixels in, degrees out; ``facing`` +1 when the subject faces image-right; ``roll_deg`` the camera
roll (y-up, counter-clockwise positive, as :mod:`tiltscreen.kinematics.camera`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.kinematics._checks import facing_problems, number_problems, raise_if_problems
from tiltscreen.kinematics.sagittal import subject_vector

#: population value of ``k_CA`` (deg): median over the upright starts of the development renders of
#: (true ASIS-PSIS tilt of the bone + angle of the detected crest->ASIS line); see benchmarks/results/
#: sit_and_reach_pelvis_*.md. With the crest sticker 4.5 cm above the PSIS the two lines differ by about
#: atan(4.5 / ASIS-PSIS distance); a sticker put 1 cm higher or lower turns the line by about 4 deg
K_CA_DEFAULT = -18.3
#: stickers seen whole: blob area 0.7-2.6 times a sticker's expected area (smaller: partly hidden, centre
#: biased towards the visible part; larger: merged with a neighbour)
WHOLE_AREA = (0.7, 2.6)
#: fewest calibration frames for a subject's own constant
MIN_CALIBRATION_FRAMES = 3
#: line codes of :attr:`PelvisTilt.source`
SOURCES = ("none", "asis-psis", "anterior line", "posterior line")


@dataclass(frozen=True)
class PelvisTracks:
    """Per-frame sticker centres (px, y down; NaN where not seen) and blob areas (sticker areas; NaN)."""

    asis: np.ndarray
    psis: np.ndarray
    crest: np.ndarray
    asis_area: np.ndarray
    psis_area: np.ndarray
    crest_area: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> PelvisTracks:
        """Build from :meth:`~tiltscreen.pose.pelvis_stickers.PelvisStickerRecorder.arrays` (after
        :func:`name_posterior`, or with lone posterior stickers left out)."""
        return cls(
            *(np.asarray(arrays[f"{n}_px"], float) for n in ("asis", "psis", "iliac_crest")),
            *(np.asarray(arrays[f"{n}_area"], float) for n in ("asis", "psis", "iliac_crest")),
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


def line_angles_deg(tracks: PelvisTracks, *, facing: int, roll_deg: float = 0.0) -> dict[str, np.ndarray]:
    """Per-frame ASIS-PSIS tilt and the angles of the anterior and posterior lines, degrees.

    Parameters
    ----------
    tracks : PelvisTracks
        Sticker centres per frame (px, y down).
    facing : {+1, -1}
        +1 if the subject faces image-right.
    roll_deg : float, default 0
        Camera roll removed first (y-up, counter-clockwise positive), degrees within 45.

    Returns
    -------
    dict of str to ndarray, shape (frame,)
        ``"tilt"``: ASIS-PSIS tilt, positive anterior (ASIS lower), NaN unless both are seen;
        ``"anterior"``: angle of crest->ASIS, ``"posterior"``: angle of PSIS->crest, each above the forward
        horizontal, counter-clockwise positive, in (-180, 180]; NaN where a sticker is missing.

    Examples
    --------
    ASIS 10 px ahead of and 1 px below the PSIS (facing right, y down): 5.7 deg anterior.

    >>> t = PelvisTracks(*(np.array([p]) for p in ([110.0, 101.0], [100.0, 100.0], [98.0, 90.0])),
    ...                  *(np.ones(1),) * 3)
    >>> {k: round(float(v[0]), 1) for k, v in line_angles_deg(t, facing=1).items()}
    {'tilt': 5.7, 'anterior': -42.5, 'posterior': 101.3}
    """
    problems = facing_problems(facing) + number_problems("roll_deg", roll_deg, low=-45.0, high=45.0)
    raise_if_problems("line_angles_deg", problems)

    def angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        v = subject_vector(a, b, facing=facing, roll_deg=roll_deg)
        return np.degrees(np.arctan2(v[..., 1], v[..., 0]))

    return {
        "tilt": -angle(tracks.psis, tracks.asis),
        "anterior": angle(tracks.crest, tracks.asis),
        "posterior": angle(tracks.psis, tracks.crest),
    }


@dataclass(frozen=True)
class LineCalibration:
    """The two line constants (deg) and where they came from.

    ``k_anterior`` (``k_CA``) is the subject's own when ``anterior_frames`` >= :data:`MIN_CALIBRATION_FRAMES`,
    else :data:`K_CA_DEFAULT`; ``k_posterior`` (``k_PC``) is None unless calibrated on the subject
    (``posterior_frames`` calibration frames).
    """

    k_anterior: float
    anterior_frames: int
    k_posterior: float | None
    posterior_frames: int

    @property
    def anterior_own(self) -> bool:
        """True when ``k_anterior`` was calibrated on this subject."""
        return self.anterior_frames >= MIN_CALIBRATION_FRAMES


def calibrate_lines(
    angles: dict[str, np.ndarray], tracks: PelvisTracks, *, k_anterior_default: float = K_CA_DEFAULT
) -> LineCalibration:
    """Calibrate the anterior and posterior lines on the frames where the ASIS and PSIS are both seen whole.

    Parameters
    ----------
    angles : dict
        :func:`line_angles_deg` of the recording.
    tracks : PelvisTracks
        The same recording's stickers (for which are whole).
    k_anterior_default : float
        ``k_CA`` when the subject gives fewer than :data:`MIN_CALIBRATION_FRAMES` frames.

    Returns
    -------
    LineCalibration
        Each constant the median of ``tilt + angle`` over the frames where all its stickers are whole.

    Examples
    --------
    A pelvis tilted 10 deg, its crest->ASIS line at -28 deg and PSIS->crest line at 80 deg, in four frames:

    >>> n = 4
    >>> tr = PelvisTracks(*(np.zeros((n, 2)),) * 3, *(np.ones(n),) * 3)
    >>> cal = calibrate_lines({"tilt": np.full(n, 10.0), "anterior": np.full(n, -28.0),
    ...                        "posterior": np.full(n, 80.0)}, tr)
    >>> (cal.k_anterior, cal.k_posterior, cal.posterior_frames)
    (-18.0, 90.0, 4)
    """
    a, p, c = tracks.whole("asis"), tracks.whole("psis"), tracks.whole("crest")
    base = a & p & np.isfinite(angles["tilt"])
    ant = base & c & np.isfinite(angles["anterior"])
    post = base & c & np.isfinite(angles["posterior"])
    k_ant = float(np.median((angles["tilt"] + angles["anterior"])[ant])) if ant.sum() else None
    k_post = float(np.median((angles["tilt"] + angles["posterior"])[post])) if post.sum() else None
    own = ant.sum() >= MIN_CALIBRATION_FRAMES
    return LineCalibration(
        k_ant if own and k_ant is not None else float(k_anterior_default),
        int(ant.sum()),
        k_post if post.sum() >= MIN_CALIBRATION_FRAMES else None,
        int(post.sum()),
    )


@dataclass(frozen=True)
class PelvisTilt:
    """Per-frame ASIS-PSIS tilt from the stickers (deg, positive anterior) and which line gave it.

    ``source`` indexes :data:`SOURCES` (0: not measured); ``tilt`` is NaN where not measured.
    """

    tilt: np.ndarray
    source: np.ndarray
    calibration: LineCalibration

    def sources_in(self, rows: np.ndarray) -> list[str]:
        """The line names used in the selected frames, most used first."""
        codes, counts = np.unique(self.source[rows][self.source[rows] > 0], return_counts=True)
        return [SOURCES[c] for c in codes[np.argsort(-counts)]]


def pelvis_tilt(
    angles: dict[str, np.ndarray], tracks: PelvisTracks, calibration: LineCalibration
) -> PelvisTilt:
    """Tilt in every frame from the best line seen whole: ASIS-PSIS, else anterior, else posterior line.

    The posterior line is used only when calibrated on the subject; lines through a partly hidden or merged
    sticker are not used (:data:`WHOLE_AREA`).

    Examples
    --------
    Frame 0 shows the ASIS and crest (anterior line at -28 deg), frame 1 the PSIS and crest (posterior line
    at 60 deg); with ``k_CA = -18`` and ``k_PC = 90`` the tilts are 10 and 30 deg anterior.

    >>> nan = np.nan
    >>> tr = PelvisTracks(np.array([[0.0, 0], [nan, nan]]), np.array([[nan, nan], [0.0, 0]]), np.zeros((2, 2)),
    ...                   np.array([1.0, nan]), np.array([nan, 1.0]), np.ones(2))
    >>> ang = {"tilt": np.full(2, nan), "anterior": np.array([-28.0, nan]), "posterior": np.array([nan, 60.0])}
    >>> out = pelvis_tilt(ang, tr, LineCalibration(-18.0, 0, 90.0, 5))
    >>> out.tilt.tolist(), [SOURCES[s] for s in out.source]
    ([10.0, 30.0], ['anterior line', 'posterior line'])
    """
    a, p, c = tracks.whole("asis"), tracks.whole("psis"), tracks.whole("crest")
    n = len(a)
    tilt, source = np.full(n, np.nan), np.zeros(n, int)
    candidates = [
        (3, p & c, (calibration.k_posterior or 0.0) - angles["posterior"], calibration.k_posterior is not None),
        (2, a & c, calibration.k_anterior - angles["anterior"], True),
        (1, a & p, angles["tilt"], True),
    ]
    for code, seen, values, usable in candidates:  # later lines overwrite: the best comes last
        use = seen & np.isfinite(values) & usable
        tilt[use], source[use] = values[use], code
    return PelvisTilt(tilt, source, calibration)
