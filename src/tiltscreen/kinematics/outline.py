"""Body-outline features of a standing side view that carry pelvic tilt (inputs to a tilt *estimate*).

MediaPipe has no ASIS/PSIS landmarks and its landmarks barely move when the pelvis tilts under an
upright trunk, but the subject's outline does: with more anterior tilt the low back hollows and the
buttocks move back and up. These pure functions read that outline from one frame's segmentation
mask and landmarks; :mod:`tiltscreen.kinematics.outline_tilt` turns them into an estimate.

Body frame
----------
All features are measured in a subject-normalised frame built from the landmarks of the frame:
origin at the mid-hip point, ``h`` along the mid-hip -> mid-shoulder line ("up", so camera roll and
a leaning trunk are removed), ``x`` perpendicular to it and positive in the direction the subject
faces (a subject facing image-left is mirrored). Both are in **trunk lengths** (mid-hip to
mid-shoulder distance in the image), so the features do not depend on image size or distance.

Contours
--------
For each height ``h`` the mask is sampled (bilinear) along the line ``x = -0.8 ... 0.8``; the back
edge is where the probability first drops below ``threshold`` walking back from the trunk axis
(``x = 0``), the front edge likewise walking forward (sub-sample, by linear interpolation). A height
whose axis point is outside the mask, or whose edge runs off the sampled line, gives NaN (a break).
Angles are degrees from the trunk axis: a contour segment going *up and forward* (towards the front
of the subject) is positive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.outline_quality import (
    DEFAULT_LIMITS,
    QualityLimits,
    bilinear,
    edge_contrast,
    first_crossing,
    quality_numbers,
    quality_reasons,
)

# BlazePose indices used here
L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST = 11, 12, 13, 14, 15, 16
L_HIP, R_HIP, L_KNEE, R_KNEE = 23, 24, 25, 26

HEIGHTS = np.round(np.arange(-0.45, 1.0001, 0.01), 4)  # trunk lengths above the mid-hip point
X_HALF = 0.8  # half-length of each sampled line, trunk lengths
X_STEP = 0.004  # sample spacing along it, trunk lengths

#: Names of the features, in the order of :attr:`OutlineFeatures.vector`.
FEATURE_NAMES = (
    "lumbar_depth",
    "lumbar_height",
    "buttock_height",
    "buttock_protrusion",
    "concavity_buttock_deg",
    "sacral_deg",
    "low_back_deg",
    "thigh_back_deg",
    "abdomen_deg",
    "abdomen_protrusion",
    "pelvis_axis_deg",
    "pelvis_depth",
    "trunk_thigh_deg",
)


@dataclass(frozen=True)
class BodyFrame:
    """Subject-normalised frame of one image (see module notes).

    Attributes
    ----------
    origin_px : ndarray, shape (2,)
        Mid-hip point, pixels (x right, y down).
    up, forward : ndarray, shape (2,)
        Unit vectors in the image (pixels, y down): mid-hip -> mid-shoulder, and perpendicular to it
        towards where the subject faces.
    trunk_px : float
        Mid-hip to mid-shoulder distance, pixels (the unit of the frame).

    """

    origin_px: np.ndarray
    up: np.ndarray
    forward: np.ndarray
    trunk_px: float

    def to_image(self, xh: np.ndarray) -> np.ndarray:
        """Body-frame points ``(..., 2)`` as ``(x, h)`` in trunk lengths -> image pixels ``(..., 2)``."""
        xh = np.asarray(xh, float)
        return self.origin_px + self.trunk_px * (xh[..., :1] * self.forward + xh[..., 1:2] * self.up)

    def to_body(self, px: np.ndarray) -> np.ndarray:
        """Image pixels ``(..., 2)`` -> body-frame ``(x, h)`` in trunk lengths."""
        d = (np.asarray(px, float) - self.origin_px) / self.trunk_px
        return np.stack([d @ self.forward, d @ self.up], axis=-1)


@dataclass(frozen=True)
class OutlineFeatures:
    """Outline features of one frame (or the median of several) and why they may be unreliable.

    Attributes
    ----------
    values : dict of str to float
        Every name of :data:`FEATURE_NAMES` (NaN when it could not be measured). Lengths in trunk
        lengths, angles in degrees (conventions in the module notes and :func:`frame_features`).
    reasons : tuple of str
        Plain sentences, one per failed quality check; empty when the outline is usable.
    quality : dict of str to float
        The numbers the checks were made on (``yaw_deg``, ``contour_coverage``, ``mask_confidence``,
        ``edge_width``, ``roughness``, ``arm_clearance``).

    """

    values: dict[str, float]
    reasons: tuple[str, ...] = ()
    quality: dict[str, float] = field(default_factory=dict)

    @property
    def reliable(self) -> bool:
        """True when no quality check failed and every feature is finite."""
        return not self.reasons and all(math.isfinite(v) for v in self.values.values())

    @property
    def vector(self) -> np.ndarray:
        """The values in the order of :data:`FEATURE_NAMES`."""
        return np.array([self.values[n] for n in FEATURE_NAMES], float)


def body_frame(points_px: np.ndarray, facing: int, *, roll_deg: float | None = None) -> BodyFrame:
    """Build the body frame from one frame's landmarks.

    Parameters
    ----------
    points_px : ndarray, shape (33, 2)
        BlazePose landmarks in pixels of the mask's image (x right, y down).
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.
    roll_deg : float, optional
        Camera roll (:mod:`tiltscreen.kinematics.camera` convention). When given, "up" is the true
        vertical (the image vertical turned by the roll) instead of the mid-hip -> mid-shoulder line.

    Returns
    -------
    BodyFrame

    Raises
    ------
    ValidationError
        If ``facing`` is not +/-1, the shoulders or hips are missing, or the trunk is shorter than
        10 pixels.

    """
    pts = np.asarray(points_px, float)
    if pts.shape != (33, 2):
        raise ValidationError(f"body_frame: points_px must have shape (33, 2), got {pts.shape}.")
    if facing not in (1, -1) or isinstance(facing, bool):
        raise ValidationError(f"body_frame: facing must be +1 or -1, got {facing!r}.")
    hip = pts[[L_HIP, R_HIP]].mean(axis=0)
    shoulder = pts[[L_SHOULDER, R_SHOULDER]].mean(axis=0)
    trunk = float(np.hypot(*(shoulder - hip)))
    if not (np.isfinite(trunk) and trunk >= 10.0):
        raise ValidationError(f"body_frame: shoulders and hips missing or trunk too short ({trunk:.1f} px).")
    up = (shoulder - hip) / trunk
    if roll_deg is not None:
        r = math.radians(roll_deg)
        up = np.array([-math.sin(r), -math.cos(r)])
    forward = facing * np.array([-up[1], up[0]])
    return BodyFrame(hip, up, forward, trunk)


def sample_profiles(
    mask: np.ndarray, frame: BodyFrame, *, heights: np.ndarray = HEIGHTS, threshold: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Back and front edges of the outline at each height, and the sampled probabilities.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Segmentation probability (0-1) of the subject.
    frame : BodyFrame
        From :func:`body_frame` (pixels of the same image as ``mask``).
    heights : ndarray, shape (n,)
        Heights above the mid-hip point, trunk lengths.
    threshold : float, default 0.5
        Probability at which the edge is placed.

    Returns
    -------
    back, front : ndarray, shape (n,)
        Body-frame ``x`` of the back edge (negative: behind the axis) and of the front edge, trunk
        lengths; NaN where broken (module notes).
    samples : ndarray, shape (n, m)
        Probabilities along each line, ``x`` from ``-X_HALF`` to ``X_HALF`` in steps of ``X_STEP``.

    """
    if mask.ndim != 2:
        raise ValidationError(f"sample_profiles: mask must be 2-D (H, W), got shape {mask.shape}.")
    xs = np.arange(-X_HALF, X_HALF + X_STEP / 2, X_STEP)
    grid = np.stack(np.broadcast_arrays(xs[None, :], np.asarray(heights, float)[:, None]), axis=-1)
    p = bilinear(np.asarray(mask, float), frame.to_image(grid))
    centre = int(np.argmin(np.abs(xs)))
    back = xs[centre] - X_STEP * first_crossing(p[:, centre::-1], threshold)
    front = xs[centre] + X_STEP * first_crossing(p[:, centre:], threshold)
    return back, front, p


def _slope_deg(h: np.ndarray, x: np.ndarray, lo: float, hi: float) -> float:
    """Angle from the trunk axis of the line fitted to the contour ``x(h)`` over ``lo <= h <= hi``."""
    sel = (h >= lo) & (h <= hi) & np.isfinite(x)
    if sel.sum() < 3:
        return math.nan
    slope = np.polyfit(h[sel], x[sel], 1)[0]
    return math.degrees(math.atan(slope))


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Angle from the trunk axis of the segment a -> b (body frame), positive if going up leads forward."""
    d = b - a if b[1] >= a[1] else a - b
    return math.degrees(math.atan2(d[0], d[1]))


def _back_landmarks(h: np.ndarray, back: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Buttock apex, upper-back apex and lumbar concavity on the back contour, body frame ``(x, h)``."""
    nan = np.array([np.nan, np.nan])
    low = (h >= -0.35) & (h <= 0.25) & np.isfinite(back)
    up = (h >= 0.55) & (h <= 0.95) & np.isfinite(back)
    if not (low.any() and up.any()):
        return nan, nan, nan
    ib = np.flatnonzero(low)[np.argmin(back[low])]
    iu = np.flatnonzero(up)[np.argmin(back[up])]
    if ib in (np.flatnonzero(low)[0], np.flatnonzero(low)[-1]):
        return nan, nan, nan  # most posterior point on the window's edge: no buttock apex
    b, u = np.array([back[ib], h[ib]]), np.array([back[iu], h[iu]])
    between = np.arange(ib + 1, iu)
    between = between[np.isfinite(back[between])]
    if between.size == 0:
        return b, u, nan
    chord = (u - b) / np.hypot(*(u - b))
    rel = np.stack([back[between], h[between]], axis=1) - b
    inward = rel[:, 0] * chord[1] - rel[:, 1] * chord[0]  # >0: in front of the chord
    k = between[int(np.argmax(inward))]
    return b, u, np.array([back[k], h[k]])


def _contour_values(h: np.ndarray, back: np.ndarray, front: np.ndarray) -> dict[str, float]:
    """Contour-based features (see :func:`frame_features`)."""
    b, u, c = _back_landmarks(h, back)
    if not np.all(np.isfinite(np.concatenate([b, u, c]))):
        nan = dict.fromkeys(FEATURE_NAMES, math.nan)
        nan.pop("trunk_thigh_deg")
        return nan
    chord = (u - b) / np.hypot(*(u - b))
    rel = c - b
    front_at = np.interp(0.1, h, np.where(np.isfinite(front), front, np.nan))
    thigh = np.interp(-0.4, h, back)
    return {
        "lumbar_depth": float(rel[0] * chord[1] - rel[1] * chord[0]),
        "lumbar_height": float(c[1]),
        "buttock_height": float(b[1]),
        "buttock_protrusion": float(c[0] - b[0]),
        "concavity_buttock_deg": _angle_deg(b, c),
        "sacral_deg": _slope_deg(h, back, b[1] + 0.02, b[1] + 0.5 * (c[1] - b[1])),
        "low_back_deg": _slope_deg(h, back, b[1] + 0.5 * (c[1] - b[1]), c[1]),
        "thigh_back_deg": _slope_deg(h, back, -0.45, b[1] - 0.08),
        "abdomen_deg": _slope_deg(h, front, -0.05, 0.3),
        "abdomen_protrusion": float(front_at - thigh) if np.isfinite(front_at) else math.nan,
        "pelvis_axis_deg": _slope_deg(h, (back + front) / 2, -0.1, 0.25),
        "pelvis_depth": float(np.interp(0.1, h, front - back)),
    }


def frame_features(
    mask: np.ndarray,
    points_px: np.ndarray,
    *,
    facing: int,
    roll_deg: float | None = None,
    image: np.ndarray | None = None,
    threshold: float = 0.5,
    limits: QualityLimits = DEFAULT_LIMITS,
) -> OutlineFeatures:
    """Outline features of one frame, with its quality checks.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        MediaPipe segmentation probability of the subject (0-1).
    points_px : ndarray, shape (33, 2)
        BlazePose landmarks in pixels of the mask's image.
    facing : {+1, -1}
        +1 if the subject faces image-right (:func:`tiltscreen.kinematics.view.facing_direction`).
    roll_deg : float, optional
        Camera roll; when given the frame's "up" is the true vertical (:func:`body_frame`).
    image : ndarray, shape (H, W) or (H, W, 3), optional
        The frame itself (grey or RGB, 0-255, same size as ``mask``). When given, the contrast of the
        image across the outline is checked (``edge_contrast``); without it that check is skipped.
    threshold : float, default 0.5
        Mask probability at which the outline is placed.
    limits : QualityLimits
        Thresholds of the quality checks.

    Returns
    -------
    OutlineFeatures
        Body-frame features (module notes), trunk lengths and degrees:

        - ``lumbar_depth``: distance of the lumbar concavity (deepest back point in front of the chord)
          from the chord buttock apex -> upper-back apex; ``lumbar_height`` its height.
        - ``buttock_height``: height of the buttock apex (most posterior point, h in [-0.35, 0.25]; NaN,
          and the frame unreliable, when that point is on the edge of the window: no apex);
          ``buttock_protrusion``: how far it lies behind the concavity.
        - ``concavity_buttock_deg``: angle of the concavity -> buttock line from the trunk axis.
        - ``sacral_deg`` / ``low_back_deg``: angle of the back contour over the lower / upper half of
          the way from the buttock apex to the concavity (negative: going up leads backward).
        - ``thigh_back_deg``: angle of the back of the thigh below the buttock.
        - ``abdomen_deg``: angle of the front contour for h in [-0.05, 0.3];
          ``abdomen_protrusion``: front edge at h = 0.1 minus back edge at h = -0.4.
        - ``pelvis_axis_deg``: angle of the line midway between the back and front edges for h in
          [-0.1, 0.25] (the axis of the pelvic region of the outline); ``pelvis_depth``: front minus
          back edge at h = 0.1 (body thickness at the pelvis).
        - ``trunk_thigh_deg``: angle of the mid-hip -> mid-knee line from the downward trunk axis,
          positive when the knees are ahead (landmarks, not outline).

    """
    pts = np.asarray(points_px, float)
    frame = body_frame(pts, facing, roll_deg=roll_deg)
    back, front, samples = sample_profiles(mask, frame, threshold=threshold)
    values = _contour_values(HEIGHTS, back, front)
    knee = frame.to_body(pts[[L_KNEE, R_KNEE]].mean(axis=0))
    values["trunk_thigh_deg"] = math.degrees(math.atan2(knee[0], -knee[1]))
    arms = frame.to_body(pts[[L_ELBOW, R_ELBOW, L_WRIST, R_WRIST]])
    quality = quality_numbers(pts, frame.trunk_px, arms, samples, back, front, heights=HEIGHTS, x_step=X_STEP)
    if image is not None:
        quality["edge_contrast"] = edge_contrast(image, frame.to_image, HEIGHTS, back, front)
    reasons = quality_reasons(quality, limits)
    if not math.isfinite(values["lumbar_depth"]):
        reasons += ("no buttock apex and lumbar concavity on the back contour",)
    return OutlineFeatures(values, reasons, quality)


def median_features(frames: list[OutlineFeatures], *, min_reliable: float = 0.5) -> OutlineFeatures:
    """Median of the reliable frames' features (e.g. over a quiet-standing window).

    Parameters
    ----------
    frames : list of OutlineFeatures
        Per-frame results of :func:`frame_features`.
    min_reliable : float, default 0.5
        Smallest fraction of reliable frames; below it the result carries the most frequent
        per-frame reasons and the median of all frames.

    Returns
    -------
    OutlineFeatures
        Feature and quality medians; ``quality["reliable_fraction"]`` is added.

    Raises
    ------
    ValidationError
        If ``frames`` is empty.

    """
    if not frames:
        raise ValidationError("median_features: no frames given.")
    good = [f for f in frames if f.reliable]
    frac = len(good) / len(frames)
    use = good if frac >= min_reliable else frames
    values = {
        n: float(np.nanmedian([f.values[n] for f in use]))
        if any(math.isfinite(f.values[n]) for f in use)
        else math.nan
        for n in FEATURE_NAMES
    }
    keys = set().union(*(f.quality.keys() for f in frames))
    quality = {k: float(np.nanmedian([f.quality.get(k, np.nan) for f in use])) for k in sorted(keys)}
    quality["reliable_fraction"] = frac
    reasons: tuple[str, ...] = ()
    if frac < min_reliable:
        counts: dict[str, int] = {}
        for f in frames:
            for r in f.reasons:
                key = r.split(" (")[0]
                counts[key] = counts.get(key, 0) + 1
        top = sorted(counts, key=counts.__getitem__, reverse=True)[:3]
        reasons = (f"only {frac:.0%} of frames had a usable outline",) + tuple(top)
    return OutlineFeatures(values, reasons, quality)
