"""Quality checks of a body outline read for the markerless tilt estimate (pure numpy, no I/O).

The tilt estimate must say *indeterminate* rather than guess when the outline it reads is not the body's
own: an arm over the low back, pelvis or abdomen, a broken or blurred outline (low contrast), an
irregular back contour (loose clothing, hair), or a camera too far from a true side view. These
functions turn one frame's sampled outline (:func:`tiltscreen.kinematics.outline.sample_profiles`) into
the numbers checked and the sentences reported. Lengths are in trunk lengths, heights ``h`` above the
mid-hip point, ``x`` positive towards where the subject faces (body frame of
:mod:`tiltscreen.kinematics.outline`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# BlazePose indices and anthropometric ratios (as kinematics.view) for the yaw check
L_SHOULDER, R_SHOULDER, L_HIP, R_HIP = 11, 12, 23, 24
SHOULDER_WIDTH_TO_TORSO = 0.259 / 0.288
HIP_WIDTH_TO_TORSO = 0.191 / 0.288
LOWER_TRUNK_H = 0.35  # arm points below this height overlap the pelvic/lower-abdominal outline
ARM_MARGIN = 0.08  # trunk lengths around the outline in which an arm point counts as overlapping
QUALITY_BAND = (-0.35, 0.9)  # heights whose contour must be whole


@dataclass(frozen=True)
class QualityLimits:
    """Thresholds of the quality checks (chosen on renders; see ``benchmarks/results/tilt_markerless.md``).

    Attributes
    ----------
    max_yaw_deg : float
        Largest accepted camera yaw *as estimated* from shoulder and hip separations (:func:`yaw_deg`),
        degrees. That estimate reads low (about 0.5-0.7 x the true yaw at 15-25 deg on renders), so
        12 is the largest value seen on the training clips (true yaw <= 15 deg).
    min_coverage : float
        Smallest fraction of heights in :data:`QUALITY_BAND` with both edges found.
    min_mask_confidence : float
        Smallest median mask probability inside the outline.
    max_edge_width : float
        Largest median 0.8 -> 0.2 probability transition width across the back edge, trunk lengths.
    max_roughness : float
        Largest RMS deviation of the back contour from its 5-sample running mean, trunk lengths.
    min_edge_contrast : float
        Smallest grey-level contrast across the back and abdominal outline (:func:`edge_contrast`);
        checked only when the image was given.

    """

    max_yaw_deg: float = 12.0
    min_coverage: float = 0.9
    min_mask_confidence: float = 0.8
    max_edge_width: float = 0.06
    max_roughness: float = 0.012
    min_edge_contrast: float = 12.0


def bilinear(mask: np.ndarray, px: np.ndarray) -> np.ndarray:
    """Values of a 2-D array (mask or grey image) at sub-pixel points ``(..., 2)`` (x, y); 0 outside it."""
    h, w = mask.shape
    x, y = px[..., 0], px[..., 1]
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    out = np.zeros(x.shape)
    for dx, dy, wt in (
        (0, 0, (1 - fx) * (1 - fy)),
        (1, 0, fx * (1 - fy)),
        (0, 1, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        xi, yi = x0 + dx, y0 + dy
        ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        out[ok] += wt[ok] * mask[yi[ok], xi[ok]]
    return out


def edge_contrast(
    image: np.ndarray,
    to_image: Callable[[np.ndarray], np.ndarray],
    heights: np.ndarray,
    back: np.ndarray,
    front: np.ndarray,
    *,
    offset: float = 0.03,
) -> float:
    """Grey-level contrast of the image across the outline where the features read it.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3)
        The frame, 0-255 (RGB is averaged to grey).
    to_image : callable
        Body-frame ``(x, h)`` (trunk lengths) -> image pixels (``BodyFrame.to_image``).
    heights, back, front : ndarray, shape (n,)
        Sampled heights and the back and front edges there.
    offset : float, default 0.03
        Distance either side of the edge at which inside and outside are sampled, trunk lengths.

    Returns
    -------
    float
        The smaller of the median ``|inside - outside|`` along the back edge (h in
        :data:`QUALITY_BAND`) and along the abdomen (h in [-0.1, 0.3]), grey levels; NaN if no edge.

    """
    grey = np.asarray(image, float)
    grey = grey.mean(axis=2) if grey.ndim == 3 else grey
    out = []
    for edge, lo, hi, sign in ((back, *QUALITY_BAND, -1.0), (front, -0.1, 0.3, 1.0)):
        sel = (heights >= lo) & (heights <= hi) & np.isfinite(edge)
        if not sel.any():
            return math.nan
        h, x = heights[sel], edge[sel]
        outside = bilinear(grey, to_image(np.stack([x + sign * offset, h], axis=1)))
        inside = bilinear(grey, to_image(np.stack([x - sign * offset, h], axis=1)))
        out.append(float(np.median(np.abs(inside - outside))))
    return min(out)


def first_crossing(p: np.ndarray, threshold: float) -> np.ndarray:
    """Fractional index where each row of ``p`` first falls below ``threshold``.

    Parameters
    ----------
    p : ndarray, shape (n, m)
        Probabilities sampled outward from an inside point (column 0).
    threshold : float
        Probability level of the crossing.

    Returns
    -------
    ndarray, shape (n,)
        Linear interpolation between the last sample at or above and the first below; NaN when
        the row starts below ``threshold`` or never falls below it.

    """
    below = p < threshold
    first = np.argmax(below, axis=1)
    found = below.any(axis=1) & (p[:, 0] >= threshold)
    i = np.clip(first - 1, 0, p.shape[1] - 2)
    rows = np.arange(len(p))
    a, b = p[rows, i], p[rows, i + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.clip((a - threshold) / (a - b), 0.0, 1.0)
    return np.where(found, i + frac, np.nan)


def yaw_deg(points_px: np.ndarray, trunk_px: float) -> float:
    """Coarse |camera yaw| from the image separation of the shoulders and of the hips, degrees.

    ``sin(yaw) ~ |dx| / (r T)`` with ``r`` the breadth / trunk-length ratio (orthographic), the
    shoulder and hip values averaged. MediaPipe guesses the far-side points, so this is coarse
    (a few degrees near a side view).
    """
    pts = np.asarray(points_px, float)
    sines = [
        abs(pts[L_SHOULDER, 0] - pts[R_SHOULDER, 0]) / (SHOULDER_WIDTH_TO_TORSO * trunk_px),
        abs(pts[L_HIP, 0] - pts[R_HIP, 0]) / (HIP_WIDTH_TO_TORSO * trunk_px),
    ]
    return math.degrees(math.asin(min(float(np.mean(sines)), 1.0)))


def arm_clearance(arm_xh: np.ndarray, heights: np.ndarray, back: np.ndarray, front: np.ndarray) -> float:
    """Smallest clearance of an elbow or wrist from the outline regions the features read.

    Parameters
    ----------
    arm_xh : ndarray, shape (k, 2)
        Body-frame ``(x, h)`` of the elbows and wrists.
    heights, back, front : ndarray, shape (n,)
        The sampled heights and the back and front edges there.

    Returns
    -------
    float
        Trunk lengths; negative when an arm point overlaps, +inf when none is at trunk height.

    Notes
    -----
    Below :data:`LOWER_TRUNK_H` (pelvis, lower abdomen: hanging arms) a point must lie more than
    :data:`ARM_MARGIN` outside the band between the back and front edges; above it (arms folded in
    front of the chest are fine) more than ``ARM_MARGIN`` in front of the back edge.

    """
    best = math.inf
    for x, hh in np.asarray(arm_xh, float):
        if not (np.isfinite(x) and heights[0] <= hh <= heights[-1]):
            continue
        lo, hi = np.interp(hh, heights, back), np.interp(hh, heights, front)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return -math.inf
        gap = max(lo - x, x - hi) if hh <= LOWER_TRUNK_H else x - lo
        best = min(best, gap - ARM_MARGIN)
    return best


def _roughness(heights: np.ndarray, back: np.ndarray) -> float:
    lumbar = (heights >= -0.2) & (heights <= 0.8) & np.isfinite(back)
    if lumbar.sum() < 10:
        return math.nan
    b = back[lumbar]
    smooth = np.convolve(b, np.ones(5) / 5, mode="valid")
    return float(np.sqrt(np.mean((b[2:-2] - smooth) ** 2)))


def quality_numbers(
    points_px: np.ndarray,
    trunk_px: float,
    arm_xh: np.ndarray,
    samples: np.ndarray,
    back: np.ndarray,
    front: np.ndarray,
    *,
    heights: np.ndarray,
    x_step: float,
) -> dict[str, float]:
    """Compute the numbers :func:`quality_reasons` checks, for one frame.

    Parameters
    ----------
    points_px : ndarray, shape (33, 2)
        Landmarks, pixels (for the yaw).
    trunk_px : float
        Trunk length, pixels.
    arm_xh : ndarray, shape (k, 2)
        Elbows and wrists in the body frame.
    samples : ndarray, shape (n, m)
        Mask probabilities along each height's line, symmetric about the trunk axis.
    back, front : ndarray, shape (n,)
        Edges (body-frame ``x``) at ``heights``.
    heights : ndarray, shape (n,)
        Heights of the rows of ``samples``, trunk lengths above the mid-hip point.
    x_step : float
        Sample spacing of ``samples``, trunk lengths.

    Returns
    -------
    dict
        ``yaw_deg``, ``contour_coverage``, ``mask_confidence``, ``edge_width``, ``roughness``,
        ``arm_clearance`` (see :class:`QualityLimits`).

    """
    band = (heights >= QUALITY_BAND[0]) & (heights <= QUALITY_BAND[1])
    ok = band & np.isfinite(back) & np.isfinite(front)
    centre = samples.shape[1] // 2
    back_side = samples[band, centre::-1]
    width = x_step * (first_crossing(back_side, 0.2) - first_crossing(back_side, 0.8))
    xs = (np.arange(samples.shape[1]) - centre) * x_step
    inside = (xs[None, :] > back[band, None]) & (xs[None, :] < front[band, None])
    return {
        "yaw_deg": yaw_deg(points_px, trunk_px),
        "contour_coverage": float(ok.sum() / band.sum()),
        "mask_confidence": float(np.median(samples[band][inside])) if inside.any() else 0.0,
        "edge_width": float(np.nanmedian(width)) if np.isfinite(width).any() else math.nan,
        "roughness": _roughness(heights, back),
        "arm_clearance": arm_clearance(arm_xh, heights, back, front),
    }


DEFAULT_LIMITS = QualityLimits()


def quality_reasons(quality: dict[str, float], limits: QualityLimits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """Plain sentences for every failed check of ``quality`` (NaN fails), in a fixed order."""
    q, out = quality, []
    if not q["yaw_deg"] <= limits.max_yaw_deg:
        out.append(f"not a true side view (camera yaw about {q['yaw_deg']:.0f} deg > {limits.max_yaw_deg:g})")
    if not q["arm_clearance"] >= 0:
        out.append(
            "an arm overlaps the low back, buttock or abdomen outline (fold the arms across the chest)"
        )
    if not q["contour_coverage"] >= limits.min_coverage:
        out.append(f"outline broken ({q['contour_coverage']:.0%} of the back/front contour found)")
    if not q["mask_confidence"] >= limits.min_mask_confidence:
        out.append(f"body mask not confident (median {q['mask_confidence']:.2f}; low contrast?)")
    if not q["edge_width"] <= limits.max_edge_width:
        out.append(f"outline edge blurred ({q['edge_width']:.3f} trunk lengths; low contrast or motion)")
    if not q["roughness"] <= limits.max_roughness:
        out.append(f"back contour irregular (roughness {q['roughness']:.3f}; loose clothing or hair?)")
    if "edge_contrast" in q and not q["edge_contrast"] >= limits.min_edge_contrast:
        out.append(f"low contrast between body and background ({q['edge_contrast']:.0f} grey levels)")
    return tuple(out)
