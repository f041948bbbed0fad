"""Round coloured skin stickers on the near-side ASIS and PSIS: detection and pelvic tilt.

Two stickers of one saturated colour (default green, ~2 cm) sit on the anterior and posterior
superior iliac spines of the side facing the camera. :func:`find_sticker_pair` finds them in
one frame near the near-side hip; :class:`StickerRecorder` runs it as a frame hook;
:func:`sticker_tilt_deg` turns a standing window of pairs into one tilt, or refuses.

Conventions: points are full-resolution pixels ``(x, y)``, y down, as ``Landmarks.xy_px`` (the
image's top-left corner is (0, 0); pixel ``[i, j]``'s centre is ``(j + 0.5, i + 0.5)``).
``facing`` is +1 when the subject faces image-right, -1 image-left; the ASIS is the sticker
further that way. Tilt is the angle of the PSIS->ASIS line against the true horizontal, degrees,
**positive anterior** (ASIS lower), camera roll removed (y-up, counter-clockwise positive, as
:mod:`tiltscreen.kinematics.camera`). It is a skin-marker tilt; from a true side view the PSIS
sticker is often behind the back's contour, and the method then says it is indeterminate.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from tiltscreen.checks import facing_problems, number_problems, raise_if_problems, side_problems
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.sticker_types import (  # noqa: F401 - re-exported: the sticker API lives here
    NAMED_COLOURS,
    Blob,
    StickerPair,
    StickerSearch,
    StickerSpec,
    parse_colour,
)
from tiltscreen.skeleton import BLAZEPOSE
from tiltscreen.sources import Frame

#: body proportions used to turn landmarks into an expected size (fractions of stature)
_TRUNK_FRACTION, _LEG_FRACTION, _TYPICAL_STATURE_CM = 0.29, 0.49, 170.0
#: expected ASIS-PSIS sticker separation in the image, fractions of stature (min, max)
_SEPARATION = (0.04, 0.15)
MISSING_PSIS = "PSIS sticker not found: hidden behind the back's contour?"
MISSING_ASIS = "ASIS sticker not found: hidden by an arm or the belly?"
CLOTHING = "Clothing near the pelvis has the stickers' colour: use another colour or stick them on skin."
SMALL = "Stickers are under 4 px across: film closer or at a higher resolution for a tilt within ~1°."
NO_STICKER = "No sticker near the pelvis: check the colour, the light and that the near side faces the camera"


class BodyFrame(NamedTuple):
    """Where the pelvis is and how big the body is in one frame, full-resolution px."""

    hip_px: np.ndarray
    stature_px: float


def body_frame(xyz: np.ndarray, image_size: tuple[int, int], *, side: str) -> BodyFrame | None:
    """Near-side hip and an estimate of the subject's stature in pixels from normalised landmarks.

    Stature is the mean of trunk length / 0.29 (mid-shoulder to mid-hip) and leg length / 0.49
    (near hip to near ankle), whichever are finite; None if the hip or both lengths are missing.
    """
    w, h = image_size
    px = np.asarray(xyz, float)[:, :2] * np.array([w, h], float)
    ix = BLAZEPOSE.index
    hip = px[ix(f"{side}_hip")]
    shoulders = (px[ix("left_shoulder")] + px[ix("right_shoulder")]) / 2.0
    hips = (px[ix("left_hip")] + px[ix("right_hip")]) / 2.0
    sizes = [
        np.linalg.norm(shoulders - hips) / _TRUNK_FRACTION,
        np.linalg.norm(hip - px[ix(f"{side}_ankle")]) / _LEG_FRACTION,
    ]
    sizes = [s for s in sizes if np.isfinite(s) and s > 0]
    if not np.all(np.isfinite(hip)) or not sizes:
        return None
    return BodyFrame(hip, float(np.mean(sizes)))


def _colour_score(rgb: np.ndarray, spec: StickerSpec) -> np.ndarray:
    """Per-pixel score 0-1: saturation times a hue weight (1 at the sticker's hue, 0 beyond the tolerance)."""
    f = rgb.astype(np.float32) / 255.0
    mx, mn = f.max(axis=2), f.min(axis=2)
    chroma = mx - mn
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        hue = np.where(
            mx == r, (g - b) / chroma % 6.0, np.where(mx == g, (b - r) / chroma + 2.0, (r - g) / chroma + 4.0)
        )
        sat = np.where(mx > 0, chroma / mx, 0.0)
    dh = np.abs((60.0 * np.nan_to_num(hue) - spec.hue_deg + 180.0) % 360.0 - 180.0)
    weight = np.clip(1.0 - (dh / spec.hue_tolerance_deg) ** 2, 0.0, 1.0)
    return np.where((mx >= spec.min_value) & (chroma > 0), sat * weight, 0.0).astype(np.float32)


def _chroma_along(rgb: np.ndarray, spec: StickerSpec) -> np.ndarray:
    """Per-pixel chroma (colour minus its grey level) along the sticker's chroma direction, 0-255 scale.

    Linear in the mix of sticker and background inside an edge pixel, so that the centroid of
    its excess over the background is not pulled towards one side of a sticker that straddles
    two backgrounds (shirt and skin), as a saturation-based weight would be.
    """
    c = np.asarray(spec.colour_rgb, np.float32)
    direction = (c - c.mean()) / np.linalg.norm(c - c.mean())
    f = rgb.astype(np.float32)
    return (f - f.mean(axis=2, keepdims=True)) @ direction


class ColourMaps(NamedTuple):
    """Per-pixel sticker evidence in a crop (see :func:`colour_maps`)."""

    excess: np.ndarray
    along: np.ndarray
    high: np.ndarray
    low: np.ndarray


def colour_maps(rgb: np.ndarray, spec: StickerSpec, d_px: float) -> ColourMaps:
    """Return the sticker colour's evidence in ``rgb`` against its local background.

    ``excess`` is the colour score above its mean over a window of about six sticker diameters;
    ``along`` the chroma along the sticker's hue above its local mean (the centroid weights);
    ``high`` the pixels clearly the sticker's colour (contrast and saturation both reached), ``low``
    those at half the contrast (hysteresis: a component of ``low`` counts when it holds ``high``).
    """
    import cv2

    win = int(max(7, round(6 * d_px))) | 1
    score = _colour_score(rgb, spec)
    excess = score - cv2.blur(score, (win, win), borderType=cv2.BORDER_REFLECT)
    along = _chroma_along(rgb, spec)
    along = np.clip(along - cv2.blur(along, (win, win), borderType=cv2.BORDER_REFLECT), 0.0, None)
    high = (excess >= spec.min_contrast) & (score >= spec.min_saturation)
    low = excess >= spec.min_contrast / 2
    return ColourMaps(excess, along, high, low)


def _blobs(rgb: np.ndarray, origin: np.ndarray, scale: float, spec: StickerSpec, d_px: float) -> list[Blob]:
    """Sticker-like components in the crop ``rgb`` whose top-left pixel is ``origin`` in the frame."""
    import cv2

    excess, along, high, low = colour_maps(rgb, spec, d_px)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(low.astype(np.uint8), connectivity=8)
    area_exp = math.pi * (d_px / 2.0) ** 2
    grow = cv2.dilate((labels > 0).astype(np.uint8), np.ones((3, 3), np.uint8))  # the anti-aliased rim
    near = cv2.dilate(labels.astype(np.float32), np.ones((3, 3), np.uint8)).astype(int)
    out = []
    for k in range(1, n):
        area = float(stats[k, cv2.CC_STAT_AREA])
        if not high[labels == k].any() or not (max(2.0, 0.12 * area_exp) <= area <= 4.0 * area_exp + 9.0):
            continue
        ys, xs = np.nonzero((near == k) & (grow > 0))
        wts = along[ys, xs] + 1e-6
        cov = np.cov(np.stack([xs, ys]), aweights=wts) if len(xs) > 2 else np.eye(2)
        ev = np.linalg.eigvalsh(cov)
        elong = float(np.sqrt(ev[1] / max(ev[0], 1e-3)))
        if elong > 3.0:
            continue
        centre = np.array([np.average(xs, weights=wts), np.average(ys, weights=wts)]) + origin + 0.5
        out.append(Blob(centre / scale, area / scale**2, float(excess[labels == k].max()), elong))
    return out


def _pair_cost(a: Blob, b: Blob, body: BodyFrame) -> float | None:
    """Geometric implausibility of ``a`` and ``b`` as the ASIS/PSIS pair (None: impossible)."""
    s = body.stature_px
    v = b.centre_px - a.centre_px
    sep = float(np.hypot(*v)) / s
    if not (_SEPARATION[0] <= sep <= _SEPARATION[1]) or abs(v[1]) > abs(v[0]):  # >45 degrees from horizontal
        return None
    mid = (a.centre_px + b.centre_px) / 2.0 - body.hip_px - np.array([0.0, -0.05 * s])
    size = abs(math.log(a.area_px / b.area_px))
    return abs(sep - 0.085) / 0.03 + float(np.hypot(*mid)) / (0.08 * s) + size - min(a.contrast, b.contrast)


def _one_missing(blobs: Sequence[Blob], body: BodyFrame, facing: int) -> str:
    """Reason for a frame where no pair fits: which sticker seems to be missing."""
    if not blobs:
        return NO_STICKER
    if len(blobs) == 1:
        ahead = (blobs[0].centre_px[0] - body.hip_px[0]) * facing > 0
        return MISSING_PSIS if ahead else MISSING_ASIS
    return f"{len(blobs)} sticker-coloured spots near the pelvis but no pair with the ASIS-PSIS geometry."


def on_body(p: np.ndarray, mask: np.ndarray, frame_shape: tuple[int, int], scale: float) -> bool:
    """Return True when the subject mask reaches 0.3 within 2 px of the full-resolution point ``p``."""
    mh, mw = mask.shape
    x, y = p[0] * scale * mw / frame_shape[1], p[1] * scale * mh / frame_shape[0]
    x0, y0 = int(max(x - 2, 0)), int(max(y - 2, 0))
    win = mask[y0 : int(y + 3), x0 : int(x + 3)]
    return bool(win.size and win.max() >= 0.3)


def find_sticker_pair(
    rgb: np.ndarray,
    xyz: np.ndarray,
    *,
    spec: StickerSpec,
    side: str,
    facing: int,
    scale: float = 1.0,
    mask: np.ndarray | None = None,
) -> StickerSearch:
    """Find the ASIS and PSIS stickers near the near-side hip in one frame.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The frame, RGB, possibly downscaled by ``scale``.
    xyz : ndarray, shape (33, 3)
        The subject's BlazePose landmarks, normalised to the image (x right, y down).
    spec : StickerSpec
        Colour and size of the stickers.
    side : {"left", "right"}
        The side nearest the camera (whose hip anchors the search).
    facing : {+1, -1}
        +1 if the subject faces image-right; the ASIS is the sticker further that way.
    scale : float, default 1
        Size of ``rgb`` over the full-resolution size; results are in full-resolution px.
    mask : ndarray, shape (h, w), optional
        Subject segmentation probability (any resolution); stickers must lie on it.

    Returns
    -------
    StickerSearch
        ``pair`` (or None and a plain-sentence ``reason``) and the candidate blobs.

    Notes
    -----
    Window: x within 0.15 stature of the hip, y from 0.16 stature above to 0.06 below.
    Colour score = saturation x hue weight; a pixel is a sticker pixel when its score exceeds
    the mean over a window of six sticker diameters by ``min_contrast`` (hysteresis down to half
    of it), which follows uneven light and ignores large coloured areas (clothes, floor). Blobs
    of 0.12-4 x the expected area (expected diameter: ``diameter_cm`` / 170 cm x stature px) and at
    most 3:1 elongated are kept; centres are centroids weighted by the chroma along the sticker's
    colour above the local background (linear in an edge pixel's mix). The pair minimises a cost
    on separation (0.04-0.15 stature, within 45 degrees of horizontal), position relative to the
    hip, size ratio and contrast. Refusal reasons: no sticker; one sticker (ahead of the hip:
    the PSIS is missing, else the ASIS); clothing of the stickers' colour (over 15 % of the window);
    no plausible pair. Warnings on a found pair: a partly hidden sticker, extra spots, stickers
    under 4 px.

    """
    problems = (
        side_problems(side)
        + facing_problems(facing)
        + number_problems("scale", scale, low=0, strict_low=True)
    )
    if not (isinstance(rgb, np.ndarray) and rgb.ndim == 3 and rgb.shape[2] == 3):
        problems.append(f"rgb must be an (H, W, 3) array, got {getattr(rgb, 'shape', type(rgb).__name__)}")
    if np.shape(xyz) != (33, 3):
        problems.append(f"xyz must have shape (33, 3), got {np.shape(xyz)}")
    raise_if_problems("find_sticker_pair", problems)
    h, w = rgb.shape[:2]
    body = body_frame(xyz, (round(w / scale), round(h / scale)), side=side)
    if body is None:
        return StickerSearch(None, "The near-side hip or the body size is not known in this frame.")
    s = body.stature_px * scale
    d_px = spec.diameter_cm / _TYPICAL_STATURE_CM * s
    hx, hy = body.hip_px * scale
    x0, x1 = int(max(hx - 0.15 * s, 0)), int(min(hx + 0.15 * s + 1, w))
    y0, y1 = int(max(hy - 0.16 * s, 0)), int(min(hy + 0.06 * s + 1, h))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return StickerSearch(None, "The pelvis is outside the image.")
    crop = rgb[y0:y1, x0:x1]
    blobs = _blobs(crop, np.array([x0, y0], float), scale, spec, d_px)
    if mask is not None:
        blobs = [b for b in blobs if on_body(b.centre_px, mask, (h, w), scale)]
    found = _choose(blobs, body, facing)
    if found.pair is None and np.mean(_colour_score(crop, spec) >= 0.3) > 0.15:
        return StickerSearch(None, CLOTHING, found.blobs)
    if found.pair is not None and d_px / scale < 4.0:
        pair = dataclasses.replace(found.pair, reasons=(*found.pair.reasons, SMALL))
        return StickerSearch(pair, None, found.blobs)
    return found


def _choose(blobs: list[Blob], body: BodyFrame, facing: int) -> StickerSearch:
    """Pick the cheapest plausible pair and label it ASIS/PSIS by the facing direction."""
    best, best_cost = None, math.inf
    for i, a in enumerate(blobs):
        for b in blobs[i + 1 :]:
            cost = _pair_cost(a, b, body)
            if cost is not None and cost < best_cost:
                best, best_cost = (a, b), cost
    if best is None:
        return StickerSearch(None, _one_missing(blobs, body, facing), tuple(blobs))
    a, b = sorted(best, key=lambda blob: blob.centre_px[0] * facing, reverse=True)
    ratio = min(a.area_px, b.area_px) / max(a.area_px, b.area_px)
    reasons = []
    if ratio < 0.4:
        which = "ASIS" if a.area_px < b.area_px else "PSIS"
        reasons.append(f"The {which} sticker looks partly hidden ({ratio:.0%} of the other's area).")
    if len(blobs) > 2:
        reasons.append(
            f"{len(blobs)} sticker-coloured spots near the pelvis; the most plausible pair was used."
        )
    quality = float(min(a.contrast, b.contrast) * min(1.0, ratio / 0.6))
    pair = StickerPair(a.centre_px, b.centre_px, quality, tuple(reasons), body.stature_px)
    return StickerSearch(pair, None, tuple(blobs))


def near_side_and_facing(xyz: np.ndarray) -> tuple[str, int] | None:
    """Guess the side nearer the camera (smaller hip + shoulder depth) and the facing (nose vs ears)."""
    ix = BLAZEPOSE.index
    z = {s: xyz[ix(f"{s}_hip"), 2] + xyz[ix(f"{s}_shoulder"), 2] for s in ("left", "right")}
    ahead = xyz[ix("nose"), 0] - (xyz[ix("left_ear"), 0] + xyz[ix("right_ear"), 0]) / 2.0
    if not (np.isfinite(z["left"]) and np.isfinite(z["right"]) and np.isfinite(ahead)) or ahead == 0:
        return None
    return ("left" if z["left"] < z["right"] else "right"), (1 if ahead > 0 else -1)


@dataclass
class StickerRecorder:
    """Frame hook: look for the ASIS/PSIS stickers in every frame (the image is not kept).

    Parameters
    ----------
    spec : StickerSpec
        Colour and size of the stickers.
    side : {"left", "right"} or None
        Side nearest the camera; None guesses it per frame from the landmarks' depth.
    facing : {+1, -1} or None
        None guesses it per frame (nose ahead of the ears); :func:`sticker_tilt_deg` relabels
        the stickers with the recording's facing anyway.

    """

    spec: StickerSpec = field(default_factory=StickerSpec)
    side: str | None = None
    facing: int | None = None
    searches: list[StickerSearch] = field(default_factory=list)
    frame_index: list[int] = field(default_factory=list)

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Record this frame's search (a miss with a reason when there is no subject)."""
        self.frame_index.append(frame.index)
        guess = near_side_and_facing(subject.xyz) if subject is not None else None
        side = self.side or (guess[0] if guess else None)
        facing = self.facing or (guess[1] if guess else None)
        if subject is None or side is None or facing is None:
            self.searches.append(
                StickerSearch(None, "No subject, or its side and facing are unknown, in this frame.")
            )
            return
        self.searches.append(
            find_sticker_pair(
                frame.rgb,
                subject.xyz,
                spec=self.spec,
                side=side,
                facing=facing,
                scale=frame.scale,
                mask=subject.mask,
            )
        )

    @property
    def pairs(self) -> list[StickerPair | None]:
        """One pair or None per recorded frame."""
        return [s.pair for s in self.searches]

    def arrays(self) -> dict[str, np.ndarray]:
        """Return ``asis_px``, ``psis_px`` ``(frame, 2)`` px and ``quality`` ``(frame,)``, NaN if missing."""
        nan2 = np.full(2, np.nan)
        pairs = self.pairs
        return {
            "asis_px": np.array([p.asis_px if p else nan2 for p in pairs]).reshape(-1, 2),
            "psis_px": np.array([p.psis_px if p else nan2 for p in pairs]).reshape(-1, 2),
            "quality": np.array([p.quality if p else np.nan for p in pairs]),
        }
