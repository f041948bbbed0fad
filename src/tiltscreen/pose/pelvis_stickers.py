"""Sit-and-reach pelvis stickers: the near-side ASIS, PSIS and posterior iliac crest, found and told apart.

Layout (see the README): round stickers of one saturated colour on the ASIS and the PSIS of the side
facing the camera (as for standing), and a third on the posterior iliac crest of the same side, about
4.5 cm above the PSIS and 3-4 cm further from the midline, in the same colour or a second one. Bent
forward, the ASIS is hidden and the PSIS and crest stay in view; sitting upright, the ASIS and crest are
seen and the PSIS is often behind the flank.

:func:`find_pelvis_stickers` finds the sticker-like blobs of one frame near the near-side hip and names them
from where they lie in the trunk's frame (:class:`~tiltscreen.pose.sticker_types.PelvisBody`): in front
of the hip-shoulder line is the ASIS; behind it, the PSIS and the crest, the crest the one further up the
trunk (or the one of the crest's colour). A single sticker behind the line is left as ``"posterior"`` for
the sequence to name (:func:`tiltscreen.kinematics.pelvis_markers.name_posterior`). Two touching stickers
that form one blob are cut apart along the blob's long axis. :class:`PelvisStickerRecorder` runs the
search as a frame hook.

Conventions: full-resolution pixels ``(x, y)``, y down, as ``Landmarks.xy_px``; pixel ``[i, j]``'s centre is
``(j + 0.5, i + 0.5)``; ``facing`` +1 when the subject faces image-right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.checks import facing_problems, number_problems, raise_if_problems, side_problems
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.sticker_types import (
    PELVIS_STICKERS,
    Blob,
    PelvisBody,
    PelvisSearch,
    PelvisSticker,
    PelvisStickerSpecs,
    StickerSpec,
)
from tiltscreen.pose.stickers import body_frame, colour_maps, near_side_and_facing, on_body
from tiltscreen.skeleton import BLAZEPOSE
from tiltscreen.sources import Frame

#: search window around the near-side hip, statures: x either way, y above (negative) and below
_WINDOW_X, _WINDOW_Y = 0.2, (-0.2, 0.08)
#: where the stickers may lie in the trunk frame, statures: (along min, along max, ahead min, ahead max);
#: "asis" for a lone sticker taken as the ASIS
_BOUNDS = {"any": (-0.04, 0.15, -0.16, 0.10), "asis": (-0.03, 0.13, 0.0, 0.10)}
#: least lead (statures, along ``forward``) of the ASIS over every other pelvis sticker; measured on
#: development renders: 0.03-0.09 (the ASIS hidden or not); between the PSIS and the crest <= 0.02
_ASIS_GAP = 0.035
#: least peak contrast of a pelvis sticker's blob (colour score over the local background, 0-1); on
#: development renders the stickers gave 0.4-0.97 (partly hidden ones 0.4-0.55), spots on green or blue
#: clothing 0.2-0.31
_MIN_BLOB_CONTRAST = 0.35
#: a blob this much larger than one sticker and this elongated holds two touching stickers (development
#: renders: single stickers up to 2.1 times the expected area and 1.7:1, merged pairs 2.8 times and 2.7:1)
_SPLIT_AREA, _SPLIT_ELONGATION = 2.2, 1.8
_TYPICAL_STATURE_CM = 170.0
POSTERIOR = "posterior"
NOTHING = (
    "No pelvis sticker near the hip: check the colours, the light and that the near side faces the camera."
)


def pelvis_body(xyz: np.ndarray, image_size: tuple[int, int], *, side: str, facing: int) -> PelvisBody | None:
    """Trunk frame at the near-side hip from normalised landmarks (None when the hip or trunk is missing).

    ``up`` points from mid-hip to mid-shoulder, ``forward`` is its normal towards ``facing``; the stature is
    :func:`tiltscreen.pose.stickers.body_frame`'s.
    """
    frame = body_frame(xyz, image_size, side=side)
    if frame is None:
        return None
    w, h = image_size
    px = np.asarray(xyz, float)[:, :2] * np.array([w, h], float)
    ix = BLAZEPOSE.index
    axis = (px[ix("left_shoulder")] + px[ix("right_shoulder")] - px[ix("left_hip")] - px[ix("right_hip")]) / 2
    norm = float(np.hypot(*axis))
    if not np.isfinite(norm) or norm == 0:
        return None
    up = axis / norm
    forward = np.array([-up[1], up[0]])
    if forward[0] * facing < 0 or (forward[0] == 0 and up[0] * facing > 0):
        forward = -forward
    return PelvisBody(frame.hip_px, up, forward, frame.stature_px)


def _split(xs: np.ndarray, ys: np.ndarray, w: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Cut one blob's pixels in two along its long axis (weighted 2-means); return (centre, weight share)."""
    pts = np.stack([xs, ys], 1).astype(float)
    mean = np.average(pts, axis=0, weights=w)
    cov = np.cov((pts - mean).T, aweights=w)
    axis = np.linalg.eigh(cov)[1][:, -1]
    t = (pts - mean) @ axis
    cut = 0.0
    for _ in range(10):  # Lloyd iterations in one dimension
        lo, hi = t < cut, t >= cut
        if not lo.any() or not hi.any():
            return [(mean, 1.0)]
        cut = (np.average(t[lo], weights=w[lo]) + np.average(t[hi], weights=w[hi])) / 2
    parts = (t < cut, t >= cut)
    return [(np.average(pts[p], axis=0, weights=w[p]), float(w[p].sum() / w.sum())) for p in parts]


def _blobs(
    rgb: np.ndarray, origin: np.ndarray, scale: float, spec: StickerSpec, d_px: float
) -> list[tuple[Blob, bool]]:
    """Sticker-like blobs of one colour in a crop, merged pairs cut in two; each with True when cut.

    As :func:`tiltscreen.pose.stickers._blobs` (colour score above the local background, hysteresis down to
    half the contrast, 0.12-4 times a sticker's area, centroid weighted by chroma), except that a component
    too large for a sticker (a sticker touching clothing of a similar colour) is searched again with the
    high threshold alone, and a blob of two touching stickers is cut in two.
    """
    excess, along, high, low = colour_maps(rgb, spec, d_px)
    area_exp = math.pi * (d_px / 2.0) ** 2
    out: list[tuple[Blob, bool]] = []
    for (ys, xs), area in _components(low, high, area_exp):
        wts = along[ys, xs] + 1e-6
        cov = np.cov(np.stack([xs, ys]), aweights=wts) if len(xs) > 2 else np.eye(2)
        ev = np.linalg.eigvalsh(cov)
        elong = float(np.sqrt(ev[1] / max(ev[0], 1e-3)))
        contrast = float(excess[ys, xs].max())
        if area >= _SPLIT_AREA * area_exp and elong >= _SPLIT_ELONGATION and len(xs) > 4:
            for centre, share in _split(xs, ys, wts):
                out.append(
                    (
                        Blob((centre + origin + 0.5) / scale, share * area / scale**2, contrast, elong / 2),
                        True,
                    )
                )
        elif elong <= 3.0:
            centre = np.array([np.average(xs, weights=wts), np.average(ys, weights=wts)]) + origin + 0.5
            out.append((Blob(centre / scale, area / scale**2, contrast, elong), False))
    return out


def _components(
    low: np.ndarray, high: np.ndarray, area_exp: float, *, retry: bool = True
) -> list[tuple[tuple[np.ndarray, np.ndarray], float]]:
    """Return each sticker-sized component of ``low`` that holds a ``high`` pixel.

    Each as its pixel coordinates (rows, columns) grown by one pixel (the anti-aliased rim) and its area;
    a component too large is replaced by its ``high`` sub-components (once).
    """
    import cv2

    lo_area, hi_area = max(2.0, 0.12 * area_exp), 4.0 * area_exp + 9.0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(low.astype(np.uint8), connectivity=8)
    near = cv2.dilate(labels.astype(np.float32), np.ones((3, 3), np.uint8)).astype(int)
    out = []
    for k in range(1, n):
        area = float(stats[k, cv2.CC_STAT_AREA])
        mine = labels == k
        if not high[mine].any() or area < lo_area:
            continue
        if area <= hi_area:
            out.append((np.nonzero(near == k), area))
        elif retry:
            core = high & mine
            out += _components(core, core, area_exp, retry=False)
    return out


def _inside(kind: str, along: float, ahead: float) -> bool:
    lo_a, hi_a, lo_f, hi_f = _BOUNDS[kind]
    return lo_a <= along <= hi_a and lo_f <= ahead <= hi_f


def name_stickers(
    found: list[tuple[Blob, bool, bool]], body: PelvisBody, *, expected_area_px: float
) -> dict[str, PelvisSticker]:
    """Name the blobs of one frame: ASIS in front of the trunk line, PSIS and crest behind it.

    Parameters
    ----------
    found : list of (Blob, split, crest_colour)
        Each blob, whether it was cut from a merged pair, and whether it has the crest's own colour
        (always False when the crest shares the ASIS/PSIS colour).
    body : PelvisBody
        The frame's trunk frame at the hip.
    expected_area_px : float
        A whole sticker's area, px² (for ``area_ratio``).

    Returns
    -------
    dict of str to PelvisSticker
        Keys among ``"asis"``, ``"psis"``, ``"iliac_crest"`` and ``"posterior"`` (one sticker behind the
        line whose name the frame alone cannot tell).

    Notes
    -----
    Positions are ``(along, ahead)`` in the trunk frame, statures. The posterior stickers lie within about
    0.03 stature of each other, the ASIS 0.06-0.1 stature in front of them. So the front-most plain blob is
    the ASIS when it lies at least :data:`_ASIS_GAP` ahead of every other blob (or, alone, ahead of the
    trunk line); the rest are posterior. Behind, the crest is the blob of the crest's colour, else the one
    further along the trunk of the two with the most contrast; with two colours a plain posterior blob is
    the PSIS, with one colour a lone posterior blob stays ``"posterior"``.

    """
    kept = []
    for blob, split, crest_colour in found:
        along, ahead = body.coords(blob.centre_px)
        if _inside("any", along, ahead) and blob.contrast >= _MIN_BLOB_CONTRAST:
            kept.append((blob, split, crest_colour, along, ahead))

    def make(name: str, s: tuple) -> PelvisSticker:
        return PelvisSticker(name, s[0].centre_px, s[0].area_px / expected_area_px, s[0].contrast, s[1])

    out: dict[str, PelvisSticker] = {}
    plain = sorted((s for s in kept if not s[2]), key=lambda s: -s[4])  # front-most first
    if plain:
        others = [s[4] for s in kept if s is not plain[0]]
        lead = plain[0][4] - max(others) if others else math.inf
        if (others and lead >= _ASIS_GAP and plain[0][4] >= -_ASIS_GAP) or (
            not others and _inside("asis", plain[0][3], plain[0][4])
        ):
            out["asis"] = make("asis", plain[0])
            plain = plain[1:]
    back = [s for s in kept if s[2]]
    plain = sorted(plain, key=lambda s: -s[0].contrast)[:2]
    if back:
        out["iliac_crest"] = make("iliac_crest", max(back, key=lambda s: s[0].contrast))
        if plain:
            out["psis"] = make("psis", plain[0])
    elif len(plain) == 2:
        low, high = sorted(plain, key=lambda s: s[3])
        out["psis"], out["iliac_crest"] = make("psis", low), make("iliac_crest", high)
    elif plain:
        out[POSTERIOR] = make(POSTERIOR, plain[0])
    return out


def find_pelvis_stickers(
    rgb: np.ndarray,
    xyz: np.ndarray,
    *,
    specs: PelvisStickerSpecs,
    side: str,
    facing: int,
    scale: float = 1.0,
    mask: np.ndarray | None = None,
) -> PelvisSearch:
    """Find and name the ASIS, PSIS and posterior iliac crest stickers near the near-side hip in one frame.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The frame, RGB, possibly downscaled by ``scale``.
    xyz : ndarray, shape (33, 3)
        The subject's BlazePose landmarks, normalised to the image (x right, y down).
    specs : PelvisStickerSpecs
        Colours and size of the stickers.
    side : {"left", "right"}
        The side nearest the camera.
    facing : {+1, -1}
        +1 if the subject faces image-right.
    scale : float, default 1
        Size of ``rgb`` over the full-resolution size; results are in full-resolution px.
    mask : ndarray, shape (h, w), optional
        Subject segmentation probability (any resolution); stickers must lie on it.

    Returns
    -------
    PelvisSearch
        The named stickers (see :func:`name_stickers`), every blob kept, the body frame, and a reason
        when no sticker was found.

    Notes
    -----
    Window: x within 0.2 stature of the hip, y from 0.2 stature above to 0.08 below. Blobs as for the
    standing pair (:func:`tiltscreen.pose.stickers.find_sticker_pair`: colour score above the local
    background, 0.12-4 times a sticker's area, centroid weighted by chroma); a blob of at least 2.2 times a
    sticker's area and elongated at least 1.8:1 is cut in two.

    """
    problems = side_problems(side) + facing_problems(facing)
    problems += number_problems("scale", scale, low=0, strict_low=True)
    if not (isinstance(rgb, np.ndarray) and rgb.ndim == 3 and rgb.shape[2] == 3):
        problems.append(f"rgb must be an (H, W, 3) array, got {getattr(rgb, 'shape', type(rgb).__name__)}")
    if np.shape(xyz) != (33, 3):
        problems.append(f"xyz must have shape (33, 3), got {np.shape(xyz)}")
    raise_if_problems("find_pelvis_stickers", problems)
    h, w = rgb.shape[:2]
    body = pelvis_body(xyz, (round(w / scale), round(h / scale)), side=side, facing=facing)
    if body is None:
        return PelvisSearch({}, reason="The near-side hip or the trunk is not known in this frame.")
    s = body.stature_px * scale
    d_px = specs.anterior.diameter_cm / _TYPICAL_STATURE_CM * s
    hx, hy = body.hip_px * scale
    x0, x1 = int(max(hx - _WINDOW_X * s, 0)), int(min(hx + _WINDOW_X * s + 1, w))
    y0, y1 = int(max(hy + _WINDOW_Y[0] * s, 0)), int(min(hy + _WINDOW_Y[1] * s + 1, h))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return PelvisSearch({}, body=body, reason="The pelvis is outside the image.")
    crop, origin = rgb[y0:y1, x0:x1], np.array([x0, y0], float)
    colours = [(specs.anterior, False)] + ([(specs.crest, True)] if specs.two_colours else [])
    found = [
        (blob, split, is_crest)
        for spec, is_crest in colours
        for blob, split in _blobs(crop, origin, scale, spec, d_px)
        if mask is None or on_body(blob.centre_px, mask, (h, w), scale)
    ]
    area = math.pi * (d_px / scale / 2.0) ** 2
    named = name_stickers(found, body, expected_area_px=area)
    blobs = tuple(b for b, _, _ in found)
    return PelvisSearch(named, blobs, body, None if named else NOTHING)


@dataclass
class PelvisStickerRecorder:
    """Frame hook: search every frame for the pelvis stickers (the image is not kept).

    ``side`` and ``facing`` (None: guessed per frame from the landmarks, as
    :class:`~tiltscreen.pose.stickers.StickerRecorder` does).
    """

    specs: PelvisStickerSpecs = field(default_factory=PelvisStickerSpecs)
    side: str | None = None
    facing: int | None = None
    searches: list[PelvisSearch] = field(default_factory=list)
    frame_index: list[int] = field(default_factory=list)

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Record this frame's search (empty, with a reason, when there is no subject)."""
        self.frame_index.append(frame.index)
        guess = near_side_and_facing(subject.xyz) if subject is not None else None
        side = self.side or (guess[0] if guess else None)
        facing = self.facing or (guess[1] if guess else None)
        if subject is None or side is None or facing is None:
            self.searches.append(
                PelvisSearch({}, reason="No subject, or its side and facing, in this frame.")
            )
            return
        self.searches.append(
            find_pelvis_stickers(
                frame.rgb, subject.xyz, specs=self.specs, side=side, facing=facing, scale=frame.scale,
                mask=subject.mask,
            )
        )  # fmt: skip

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the per-frame arrays of the recording.

        ``<name>_px`` ``(frame, 2)`` and ``<name>_area`` ``(frame,)`` for each sticker name and
        ``"posterior"``, NaN where not found; ``hip_px``, ``up``, ``forward`` ``(frame, 2)`` and
        ``stature_px`` ``(frame,)`` of the body frame.
        """
        n = len(self.searches)
        out: dict[str, np.ndarray] = {}
        for name in (*PELVIS_STICKERS, POSTERIOR):
            out[f"{name}_px"] = np.full((n, 2), np.nan)
            out[f"{name}_area"] = np.full(n, np.nan)
        for key in ("hip_px", "up", "forward"):
            out[key] = np.full((n, 2), np.nan)
        out["stature_px"] = np.full(n, np.nan)
        for i, search in enumerate(self.searches):
            for name, st in search.stickers.items():
                out[f"{name}_px"][i], out[f"{name}_area"][i] = st.centre_px, st.area_ratio
            if search.body is not None:
                b = search.body
                out["hip_px"][i], out["up"][i], out["forward"][i] = b.hip_px, b.up, b.forward
                out["stature_px"][i] = b.stature_px
        return out
