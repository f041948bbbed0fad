"""Summaries of per-frame values over a time window, and finding a window of quiet standing.

Averaging matters: per-frame angles jitter by about sqrt(2) * sigma / L radians
(2-4 px landmark noise on a 100-200 px segment gives 1-3 degrees), so protocols
report the median over at least 1-2 s of still frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from tiltscreen.checks import landmarks_problems, number_problems, raise_if_problems
from tiltscreen.landmarks import Landmarks

#: landmarks whose motion decides whether the subject is still (trunk and legs, both sides)
STILL_LANDMARKS = (
    "left_shoulder", "right_shoulder", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip


def window_median(
    values: ArrayLike, times: ArrayLike, window: tuple[float, float]
) -> tuple[float, float, int]:
    """Median, interquartile range and count of the finite values inside a time window.

    Parameters
    ----------
    values : array_like, shape (frame,)
        Per-frame values (any unit), NaN where missing.
    times : array_like, shape (frame,)
        Seconds, same length, finite.
    window : (float, float)
        ``(start_s, end_s)``, inclusive at both ends, ``start_s <= end_s``.

    Returns
    -------
    median : float
        Same unit as ``values``; NaN if no finite value lies in the window.
    iqr : float
        75th minus 25th percentile (linear interpolation); NaN likewise.
    n : int
        Number of finite values used (0 if none).

    Raises
    ------
    ValidationError
        If the arrays are not 1-D of equal length, times are not finite, or the
        window is not two finite numbers in order.

    Examples
    --------
    >>> window_median([1.0, 2.0, np.nan, 4.0, 100.0], [0, 1, 2, 3, 4], (0, 3))
    (2.0, 1.5, 3)

    """
    v = np.asarray(values, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    problems = []
    if v.ndim != 1 or t.ndim != 1 or v.shape != t.shape:
        problems.append(f"values and times must be 1-D of equal length, got {v.shape} and {t.shape}")
    elif not np.isfinite(t).all():
        problems.append("times must be finite")
    if not isinstance(window, tuple | list) or len(window) != 2:
        problems.append(f"window must be (start_s, end_s), got {window!r}")
    else:
        problems += number_problems("window start", window[0]) + number_problems("window end", window[1])
        if not problems and window[0] > window[1]:
            problems.append(f"window start must not be after its end, got {tuple(window)!r}")
    raise_if_problems("window_median", problems)
    inside = v[(t >= window[0]) & (t <= window[1])]
    inside = inside[np.isfinite(inside)]
    if inside.size == 0:
        return math.nan, math.nan, 0
    q25, q50, q75 = np.percentile(inside, [25, 50, 75])
    return float(q50), float(q75 - q25), int(inside.size)


@dataclass(frozen=True)
class QuietWindow:
    """The longest still stretch of a recording.

    Attributes
    ----------
    start_s, end_s : float
        First and last still frame's timestamps (seconds).
    start_index, stop_index : int
        Row range ``[start_index, stop_index)`` in the Landmarks.
    median_motion : float
        Median motion over the window, body heights per second.

    """

    start_s: float
    end_s: float
    start_index: int
    stop_index: int
    median_motion: float

    @property
    def window(self) -> tuple[float, float]:
        """``(start_s, end_s)``, for :func:`window_median`."""
        return (self.start_s, self.end_s)

    @property
    def duration_s(self) -> float:
        """``end_s - start_s``."""
        return self.end_s - self.start_s


def body_height_px(lm: Landmarks) -> float:
    """Median over frames of the vertical extent of all detected landmarks, in pixels.

    Notes
    -----
    For a standing subject this is roughly stature minus the top of the head
    (the highest landmark is an eye or ear); for a seated one it is smaller.
    It is a scale for speeds and offsets, not a measurement. NaN if no frame
    has two landmarks.

    """
    raise_if_problems("body_height_px", landmarks_problems(lm))
    y = lm.xy_px[..., 1]
    ok = np.isfinite(y).sum(axis=1) >= 2
    if not ok.any():
        return math.nan
    extent = np.nanmax(y[ok], axis=1) - np.nanmin(y[ok], axis=1)
    return float(np.median(extent))


def landmark_motion(lm: Landmarks, *, span_s: float = 0.2) -> np.ndarray:
    """Per-frame motion of the trunk and legs in body heights per second.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject over a recording.
    span_s : float, default 0.2
        Displacements are taken between each frame and the first frame at
        least ``span_s`` later (or, near the end, earlier), which divides the
        effect of per-frame jitter by about ``span_s * fps``.

    Returns
    -------
    ndarray, shape (frame,)
        Median over :data:`STILL_LANDMARKS` of displacement / elapsed time /
        :func:`body_height_px`; NaN where fewer than half of those landmarks
        are present at both frames, or if the recording is shorter than
        ``span_s``.

    """
    problems = landmarks_problems(lm) + number_problems("span_s", span_s, low=0.0, strict_low=True)
    raise_if_problems("landmark_motion", problems)
    t = lm.timestamps_s
    n = lm.n_frames
    fwd = np.searchsorted(t, t + span_s)
    back = np.searchsorted(t, t - span_s, side="right") - 1
    other = np.where(fwd < n, fwd, back)
    out = np.full(n, np.nan)
    valid = (other >= 0) & (other < n) & (other != np.arange(n))
    if not valid.any():
        return out
    idx = [lm.skeleton.index(name) for name in STILL_LANDMARKS]
    pts = lm.xy_px[:, idx]
    i = np.flatnonzero(valid)
    j = other[valid]
    disp = np.hypot(*(pts[j] - pts[i]).transpose(2, 0, 1)) / np.abs(t[j] - t[i])[:, None]
    enough = np.isfinite(disp).sum(axis=1) >= len(idx) / 2
    med = np.full(len(i), np.nan)
    if enough.any():
        med[enough] = np.nanmedian(disp[enough], axis=1)
    out[i] = med / body_height_px(lm)
    return out


def quiet_window(
    lm: Landmarks, *, min_duration_s: float = 1.0, max_motion: float = 0.05, span_s: float = 0.2
) -> QuietWindow | None:
    """Find the longest stretch in which the subject stands still.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject over a recording.
    min_duration_s : float, default 1.0
        Shortest acceptable stretch, seconds (first to last still frame).
    max_motion : float, default 0.05
        Largest :func:`landmark_motion` counted as still, body heights per
        second (0.05 is about 8-9 cm/s for a 1.7 m subject).
    span_s : float, default 0.2
        Passed to :func:`landmark_motion`.

    Returns
    -------
    QuietWindow or None
        The longest run of consecutive still frames (ties: the earliest); None
        if no run lasts ``min_duration_s``.

    Notes
    -----
    A frame whose motion is NaN (landmarks missing) breaks a run. The body
    height used as the scale is the whole recording's median, so a subject who
    walks towards the camera changes the scale slightly.

    """
    problems = landmarks_problems(lm)
    problems += number_problems("min_duration_s", min_duration_s, low=0.0)
    problems += number_problems("max_motion", max_motion, low=0.0, strict_low=True)
    problems += number_problems("span_s", span_s, low=0.0, strict_low=True)
    raise_if_problems("quiet_window", problems)
    motion = landmark_motion(lm, span_s=span_s)
    with np.errstate(invalid="ignore"):
        still = np.asarray(motion <= max_motion, dtype=np.int8)
    edges = np.diff(np.concatenate(([0], still, [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    t = lm.timestamps_s
    best = None
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        duration = t[b - 1] - t[a]
        if duration >= min_duration_s and (best is None or duration > t[best[1] - 1] - t[best[0]]):
            best = (a, b)
    if best is None:
        return None
    a, b = best
    return QuietWindow(float(t[a]), float(t[b - 1]), a, b, float(np.median(motion[a:b])))
