"""The back contour at the lumbosacral level: a markerless proxy for a sacral inclinometer (L-Hfx style).

In the sit-and-reach the pelvis is hidden from MediaPipe's landmarks, but the outline of the back just
above the hips follows the sacrum: the lumbo-horizontal angle in flexion (L-Hfx; Ayala et al. 2013) is read
with an inclinometer resting on that skin. These pure functions read the same line from one frame's
segmentation mask and turn it into angles.

Window
------
The back edge is sampled (:func:`tiltscreen.kinematics.outline.sample_profiles`) at heights 0 to 0.15
trunk lengths above the mid-hip landmark, along the mid-hip -> mid-shoulder axis, and a straight line is
fitted to it. On 17 rendered bodies (``benchmarks/accuracy_sit_and_reach.py`` clips with yaw < 20 deg) the
true L5-S1 skin line lay between -0.11 and +0.20 trunk lengths; the window was chosen on those clips and
is checked on held-out bodies by ``benchmarks/lumbo_outline.py``.

One sampling serves both walking directions: in the frame built with ``facing=+1`` the back edge is the
posterior contour of a subject facing image-right, the front edge that of a subject facing image-left.

Angles
------
``lumbo_horizontal_deg``: from the forward horizontal, counter-clockwise when the subject faces right,
to the contour line going up (90 = vertical back line, smaller = pelvis tipped forward, larger = tipped
back), after removing the camera roll (:mod:`tiltscreen.kinematics.camera` convention).
"""

from __future__ import annotations

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.outline import body_frame, sample_profiles
from tiltscreen.kinematics.vectors import image_to_up, rotate_2d

#: heights above the mid-hip landmark sampled for the line, trunk lengths (module notes)
WINDOW = np.round(np.arange(0.0, 0.1501, 0.01), 4)
#: least fraction of the window's heights with a finite edge for a line
MIN_COVERAGE = 0.7
#: mean of (lumbo-horizontal + ASIS-PSIS tilt) over the 32 bodies of ``benchmarks/tilt_dataset.py`` (SD 5.8
#: deg): both are fixed to the pelvis, so tilt = this - lumbo-horizontal on an average body
SACRUM_TO_ASIS_PSIS_DEG = 82.2
#: RMS error of the lumbo-horizontal proxy at the hold on 15 held-out rendered bodies (bias -5.1, SD 7.3 deg;
#: benchmarks/results/lumbo_outline.md): soft tissue over the sacrum and buttocks differs between bodies
LUMBO_RMS_DEG = 8.9
#: RMS error of the ASIS-PSIS tilt derived from it on the same bodies (MAE 9.4 deg): beyond the 5 deg budget,
#: so the sit-and-reach does not report it (kept for the benchmark and the docs)
TILT_RMS_DEG = 11.4
#: RMS error of the pelvis's rotation from rest to the hold read from the contour, 11 of the same bodies
#: (bias +5.6 deg)
ROTATION_RMS_DEG = 9.2


def _line(heights: np.ndarray, edge: np.ndarray, frame) -> np.ndarray:
    """Fit a line to the edge: unit direction (going up) and middle point, pixels: (dx, dy, x, y)."""
    ok = np.isfinite(edge)
    if ok.sum() < MIN_COVERAGE * heights.size:
        return np.full(4, np.nan)
    slope, offset = np.polyfit(heights[ok], edge[ok], 1)  # edge x per unit height, both in trunk lengths
    v = frame.up + slope * frame.forward
    mid_h = float(heights.mean())
    mid = frame.to_image(np.array([slope * mid_h + offset, mid_h]))
    return np.concatenate([v / np.hypot(*v), mid])


def back_lines(mask: np.ndarray, points_px: np.ndarray, *, threshold: float = 0.5) -> np.ndarray:
    """Find the lumbosacral back line in the image (pixels, y down) for both facings.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Segmentation probability of the subject.
    points_px : ndarray, shape (33, 2)
        The frame's landmarks in pixels of ``mask``.
    threshold : float
        Probability at which the edge is placed.

    Returns
    -------
    ndarray, shape (2, 4)
        Row 0 if the subject faces image-right, row 1 if it faces image-left: the line's unit direction
        going up ``(dx, dy)`` and its middle point ``(x, y)``; NaN rows where the contour is broken in the
        window (or the trunk is not seen).

    """
    try:
        frame = body_frame(points_px, 1)
    except ValidationError:
        return np.full((2, 4), np.nan)
    back, front, _ = sample_profiles(mask, frame, heights=WINDOW, threshold=threshold)
    return np.stack([_line(WINDOW, back, frame), _line(WINDOW, front, frame)])


def lumbo_horizontal_deg(direction_px: np.ndarray, *, facing: int, roll_deg: float = 0.0) -> np.ndarray:
    """Lumbo-horizontal angle of back-line directions, degrees (module notes); NaN where unknown.

    Parameters
    ----------
    direction_px : ndarray, shape (..., 2)
        Image directions of the back line going up (pixels, y down).
    facing : {+1, -1}
        +1 if the subject faces image-right.
    roll_deg : float
        Camera roll (y-up, counter-clockwise positive), removed first.

    Examples
    --------
    >>> float(lumbo_horizontal_deg(np.array([1.0, -1.0]), facing=1).round(6))  # up and forward at 45 deg
    45.0
    >>> float(lumbo_horizontal_deg(np.array([1.0, -1.0]), facing=-1).round(6))  # the same line, facing left
    135.0

    """
    if facing not in (1, -1) or isinstance(facing, bool):
        raise ValidationError(f"lumbo_horizontal_deg: facing must be +1 or -1, got {facing!r}.")
    level = rotate_2d(image_to_up(np.asarray(direction_px, float)), -roll_deg)
    return np.degrees(np.arctan2(level[..., 1], facing * level[..., 0]))


def pelvic_tilt_from_lumbo(lumbo_deg: np.ndarray | float) -> np.ndarray:
    """ASIS-PSIS tilt (anterior positive) of an average body with this lumbo-horizontal angle.

    >>> float(pelvic_tilt_from_lumbo(72.2).round(6))
    10.0
    """
    return SACRUM_TO_ASIS_PSIS_DEG - np.asarray(lumbo_deg, float)
