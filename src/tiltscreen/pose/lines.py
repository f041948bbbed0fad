"""Per-frame straight near-vertical lines of the room: the evidence for a measured level.

Door frames, wall corners, a hanging plumb line and the vertical edges of a wall marker are
true verticals. :func:`find_vertical_segments` finds long, near-vertical straight segments in
one frame with OpenCV's line segment detector (LSD, von Gioi et al. 2012, IPOL 2:35-55),
leaving out everything on or near the subject's segmentation mask (the body's own outline is
not a vertical). :class:`LineRecorder` runs it as a frame hook on a few frames (the camera is
fixed, so a few looks suffice) and keeps only the segments, never the image.

Conventions: full-resolution pixels ``(x, y)``, y down, as ``Landmarks.xy_px``. Each segment is
stored bottom point first, ``(x_bottom, y_bottom, x_top, y_top)``. Whether the segments agree
on one vertical, and what roll they give, is decided by
:func:`tiltscreen.kinematics.level.level_from_verticals` (a pure function).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tiltscreen.checks import number_problems, raise_if_problems
from tiltscreen.pose.estimator import Candidate
from tiltscreen.sources import Frame

#: the kinds a segment can be: an intensity edge (door frame, wall corner, marker side) or the
#: centre line of a thin dark line on a lighter background (a plumb line)
KIND_EDGE = "edge"
KIND_DARK_LINE = "dark line"


@dataclass(frozen=True)
class FrameVerticals:
    """Near-vertical segments found in one frame.

    Attributes
    ----------
    frame_index : int
        The frame's index in the source.
    image_size : (int, int)
        Full-resolution ``(width, height)`` in pixels.
    segments_px : ndarray, shape (n, 4)
        ``(x_bottom, y_bottom, x_top, y_top)`` full-resolution pixels, y down.
    kinds : tuple of str
        :data:`KIND_EDGE` or :data:`KIND_DARK_LINE` per segment.

    """

    frame_index: int
    image_size: tuple[int, int]
    segments_px: np.ndarray
    kinds: tuple[str, ...]

    @property
    def lengths_px(self) -> np.ndarray:
        """Length of each segment, pixels."""
        s = self.segments_px
        return np.hypot(s[:, 2] - s[:, 0], s[:, 3] - s[:, 1])


def _lsd_segments(gray: np.ndarray) -> np.ndarray:
    """All LSD segments of a grey image as ``(n, 4)`` ``x1, y1, x2, y2`` (pixels of ``gray``)."""
    import cv2

    found = cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD).detect(gray)[0]
    return np.empty((0, 4)) if found is None else found.reshape(-1, 4).astype(np.float64)


def _bottom_first(seg: np.ndarray) -> np.ndarray:
    """Segments reordered so that the point lower in the image (larger y) comes first."""
    swap = seg[:, 1] < seg[:, 3]
    out = seg.copy()
    out[swap] = seg[swap][:, [2, 3, 0, 1]]
    return out


def _off_mask(seg: np.ndarray, mask: np.ndarray | None, *, samples: int = 12) -> np.ndarray:
    """Return True for segments none of whose sample points lies on ``mask`` (same pixel grid)."""
    if mask is None:
        return np.ones(len(seg), bool)
    h, w = mask.shape
    t = np.linspace(0.0, 1.0, samples)
    x = seg[:, [0]] + (seg[:, [2]] - seg[:, [0]]) * t
    y = seg[:, [1]] + (seg[:, [3]] - seg[:, [1]]) * t
    xi = np.clip(x.astype(int), 0, w - 1)
    yi = np.clip(y.astype(int), 0, h - 1)
    return ~mask[yi, xi].any(axis=1)


def _dark_line(gray: np.ndarray, seg: np.ndarray, *, half_px: int = 6, contrast: float = 12.0) -> bool:
    """Return True when ``seg`` lies on a thin dark line (darker than both sides at most samples)."""
    h, w = gray.shape
    d = seg[2:] - seg[:2]
    n = np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-9)
    hits = 0
    for t in (0.2, 0.35, 0.5, 0.65, 0.8):
        c = seg[:2] + t * d
        offs = np.arange(-half_px, half_px + 1)
        pts = np.rint(c + offs[:, None] * n).astype(int)
        if pts[:, 0].min() < 0 or pts[:, 1].min() < 0 or pts[:, 0].max() >= w or pts[:, 1].max() >= h:
            continue
        prof = gray[pts[:, 1], pts[:, 0]].astype(float)
        k = int(np.argmin(prof[2:-2])) + 2  # the darkest sample, not at the ends of the profile
        left, right = prof[: max(k - 2, 1)].max(), prof[k + 3 :].max() if k + 3 < len(prof) else -np.inf
        hits += bool(min(left, right) - prof[k] >= contrast)
    return hits >= 3


def find_vertical_segments(
    rgb: np.ndarray,
    *,
    exclude_mask: np.ndarray | None = None,
    scale: float = 1.0,
    min_length: float = 0.08,
    min_dark_length: float = 0.03,
    max_lean_deg: float = 15.0,
    margin_px: int = 6,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Long near-vertical straight segments of one frame, away from the subject.

    Parameters
    ----------
    rgb : ndarray, shape (h, w, 3), uint8
        The frame (possibly downscaled by ``scale``).
    exclude_mask : ndarray, shape (h', w'), optional
        The subject's segmentation probability (any resolution; resized to the frame). Segments
        within ``margin_px`` of a pixel above 0.3 are left out.
    scale : float, default 1
        Size of ``rgb`` over the full-resolution size; segments are returned full-size.
    min_length : float, default 0.08
        Shortest edge segment kept, as a fraction of the image height.
    min_dark_length : float, default 0.03
        Shortest segment kept when it lies on a thin dark line (a plumb line's string, often
        broken into dashes by video compression; :mod:`tiltscreen.kinematics.level` joins the
        pieces of one straight line).
    max_lean_deg : float, default 15
        Largest angle from the image vertical kept, degrees.
    margin_px : int, default 6
        Dilation of the subject mask, pixels of ``rgb``.

    Returns
    -------
    segments_px : ndarray, shape (n, 4)
        ``(x_bottom, y_bottom, x_top, y_top)``, full-resolution pixels, y down.
    kinds : tuple of str
        :data:`KIND_DARK_LINE` where the segment lies on a thin dark line (a plumb line's
        string), else :data:`KIND_EDGE`.

    Notes
    -----
    LSD finds each straight edge as one or more segments with sub-pixel ends; a thin dark line
    usually gives one segment per side. Nothing here decides whether a segment is a true
    vertical: that is the consistency test of the level (several long segments agreeing).

    """
    problems = number_problems("scale", scale, low=0.0, high=1.0, strict_low=True)
    problems += number_problems("min_length", min_length, low=0.0, high=1.0)
    problems += number_problems("min_dark_length", min_dark_length, low=0.0, high=1.0)
    problems += number_problems("max_lean_deg", max_lean_deg, low=0.0, high=45.0)
    if not (isinstance(rgb, np.ndarray) and rgb.ndim == 3 and rgb.shape[2] == 3):
        problems.append(f"rgb must be an (h, w, 3) image, got {getattr(rgb, 'shape', type(rgb))}")
    raise_if_problems("find_vertical_segments", problems)
    import cv2

    gray = cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.uint8), cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    seg = _lsd_segments(gray)
    if len(seg):
        length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
        lean = np.degrees(np.arctan2(np.abs(seg[:, 2] - seg[:, 0]), np.abs(seg[:, 3] - seg[:, 1])))
        seg = _bottom_first(seg[(length >= min(min_length, min_dark_length) * h) & (lean <= max_lean_deg)])
    mask = None
    if exclude_mask is not None and len(seg):
        m = (np.asarray(exclude_mask, np.float32) > 0.3).astype(np.uint8)
        m = cv2.resize(m, (w, h), interpolation=cv2.INTER_NEAREST)
        k = 2 * int(margin_px) + 1
        mask = cv2.dilate(m, np.ones((k, k), np.uint8)) > 0
    seg = seg[_off_mask(seg, mask)] if len(seg) else seg
    dark = np.array([_dark_line(gray, s) for s in seg], bool)
    long = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]) >= min_length * h if len(seg) else dark
    keep = dark | long
    kinds = tuple(KIND_DARK_LINE if d else KIND_EDGE for d in dark[keep])
    return seg[keep] / scale, kinds


@dataclass
class LineRecorder:
    """Frame hook: near-vertical room lines on every ``every``-th frame (the image is not kept).

    Parameters
    ----------
    every : int, default 15
        Look at one frame in this many (half a second at 30 fps); the camera is fixed.
    max_looks : int, default 12
        Stop after this many looks (a long recording gains nothing from more).

    """

    every: int = 15
    max_looks: int = 12
    frames: list[FrameVerticals] = field(default_factory=list)
    _seen: int = field(default=0, init=False, repr=False)

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Record this frame's vertical segments when it is one of the frames looked at."""
        seen, self._seen = self._seen, self._seen + 1
        if seen % self.every or len(self.frames) >= self.max_looks:
            return
        h, w = frame.rgb.shape[:2]
        size = (int(round(w / frame.scale)), int(round(h / frame.scale)))
        mask = subject.mask if subject is not None else None
        seg, kinds = find_vertical_segments(frame.rgb, exclude_mask=mask, scale=frame.scale)
        self.frames.append(FrameVerticals(frame.index, size, seg, kinds))


def lean_deg(segments_px: np.ndarray) -> np.ndarray:
    """Angle of each bottom->top segment from the image vertical, degrees, counter-clockwise positive.

    In the y-up image frame; a vertical seen through a camera rolled by ``r`` (the
    :mod:`tiltscreen.kinematics.camera` convention) leans by ``r``: its top moves to the left.
    """
    s = np.asarray(segments_px, float).reshape(-1, 4)
    dx, dy_up = s[:, 2] - s[:, 0], s[:, 1] - s[:, 3]
    return np.degrees(np.arctan2(-dx, dy_up)) if len(s) else np.empty(0)


__all__ = [
    "KIND_DARK_LINE",
    "KIND_EDGE",
    "FrameVerticals",
    "LineRecorder",
    "find_vertical_segments",
    "lean_deg",
]
