"""Camera roll from a level reference, and the combined roll/yaw check with advice.

Roll convention: the angle of a true horizontal line in the image, in the y-up
image frame, counter-clockwise positive (the scene appears turned
counter-clockwise, i.e. the camera body is turned clockwise as seen from behind
it). Angles measured against the image horizontal or vertical are off by exactly
this amount; :mod:`tiltscreen.kinematics.sagittal` removes it when given
``roll_deg``. Yaw convention: see :mod:`tiltscreen.kinematics.view`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from tiltscreen.checks import as_points, number_problems, raise_if_problems
from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.vectors import image_to_up, signed_angle_2d


def estimate_roll_deg(points_px: ArrayLike) -> float:
    """Camera roll from image points that lie on one true horizontal line.

    Parameters
    ----------
    points_px : array_like, shape (n, 2)
        Image points in pixels (y down), e.g. floor contact points or the
        corners along a marker's horizontal edge; n >= 2. Rows with NaN are
        dropped.

    Returns
    -------
    float
        Degrees in (-90, 90]: the angle of the fitted line in the y-up image
        frame, counter-clockwise positive (module notes).

    Raises
    ------
    ValidationError
        If fewer than two distinct finite points remain.

    Notes
    -----
    Total least squares (principal direction of the centred points), so errors
    in x and y are treated alike and a steep line is fitted as well as a flat
    one.

    """
    problems: list[str] = []
    pts = as_points("points_px", points_px, problems)
    if not problems and pts.ndim != 2:
        problems.append(f"points_px must have shape (n, 2), got {pts.shape}")
    raise_if_problems("estimate_roll_deg", problems)
    pts = image_to_up(pts[np.isfinite(pts).all(axis=1)])
    centred = pts - pts.mean(axis=0) if len(pts) else pts
    if len(pts) < 2 or not np.any(np.abs(centred) > 0):
        raise ValidationError(f"estimate_roll_deg: need at least two distinct finite points, got {len(pts)}.")
    direction = np.linalg.svd(centred, full_matrices=False)[2][0]
    angle = float(signed_angle_2d([1.0, 0.0], direction))
    if angle > 90.0:
        angle -= 180.0
    elif angle <= -90.0:
        angle += 180.0
    return angle


def roll_from_marker(corners_px: ArrayLike) -> tuple[float, float]:
    """Camera roll from the four corners of a square marker facing the camera.

    Parameters
    ----------
    corners_px : array_like, shape (4, 2)
        Pixels (y down) in ArUco order: top-left, top-right, bottom-right,
        bottom-left.

    Returns
    -------
    roll_deg : float
        Mean angle of the top and bottom edges (left->right) against the
        image horizontal, y-up frame, counter-clockwise positive.
    vertical_check_deg : float
        Mean angle of the left and right edges (bottom->top) against the image
        vertical, same sign; equal to ``roll_deg`` for a square marker seen
        face-on. A difference of more than a degree or two suggests the marker
        is tilted towards the camera (perspective) or not vertical.

    Raises
    ------
    ValidationError
        If the shape is wrong, a corner is NaN, or the roll exceeds 45 degrees
        (corners probably in the wrong order).

    """
    problems: list[str] = []
    c = as_points("corners_px", corners_px, problems)
    if not problems and c.shape != (4, 2):
        problems.append(f"corners_px must have shape (4, 2), got {c.shape}")
    elif not problems and not np.isfinite(c).all():
        problems.append("corners_px must be finite")
    raise_if_problems("roll_from_marker", problems)
    tl, tr, br, bl = image_to_up(c)
    roll = float(np.mean(signed_angle_2d([1.0, 0.0], np.stack([tr - tl, br - bl]))))
    vertical = float(np.mean(signed_angle_2d([0.0, 1.0], np.stack([tl - bl, tr - br]))))
    if abs(roll) > 45.0:
        raise ValidationError(
            f"roll_from_marker: roll {roll:.1f} degrees is beyond 45; give the corners in the order "
            "top-left, top-right, bottom-right, bottom-left."
        )
    return roll, vertical


@dataclass(frozen=True)
class ViewCheck:
    """Outcome of :func:`check_view`.

    Attributes
    ----------
    roll_deg, yaw_deg : float or None
        The values checked (None = not measured).
    within_limits : bool
        True when every measured value is finite and within its limit.
    reasons : tuple of str
        One plain sentence per problem, saying what to change.

    """

    roll_deg: float | None
    yaw_deg: float | None
    within_limits: bool
    reasons: tuple[str, ...]


def _roll_reason(roll: float, limit: float) -> str | None:
    if not math.isfinite(roll):
        return "Camera roll could not be measured: check the reference marker or level the camera by eye."
    if abs(roll) <= limit:
        return None
    turn = "counter-clockwise" if roll > 0 else "clockwise"
    return (
        f"Level the camera: the image is tilted {abs(roll):.1f}° (turn the camera {turn} as seen from "
        f"behind it), limit {limit:g}°."
    )


def _yaw_reason(yaw: float, limit: float) -> str | None:
    if not math.isfinite(yaw):
        return (
            "The camera's angle to the subject could not be estimated: make sure the hips and both feet are "
            "in the picture."
        )
    if abs(yaw) <= limit:
        return None
    seen, towards, turn = ("front", "back", "away from") if yaw > 0 else ("back", "front", "towards")
    return (
        f"Turn the camera square to the subject's side: it sees part of the subject's {seen}, about "
        f"{abs(yaw):.0f}° off square (limit {limit:g}°). Move it round towards their {towards} by about "
        f"{abs(yaw):.0f}°, or ask them to turn that much {turn} the camera."
    )


def check_view(
    roll_deg: float | None, yaw_deg: float | None, *, max_roll_deg: float, max_yaw_deg: float
) -> ViewCheck:
    """Compare camera roll and yaw with their limits and say what to change.

    Parameters
    ----------
    roll_deg : float or None
        Estimated roll (degrees, module convention); None if not measured, NaN
        if measuring failed.
    yaw_deg : float or None
        Estimated yaw (degrees, module convention); None / NaN likewise.
    max_roll_deg, max_yaw_deg : float
        Limits on the absolute values, degrees, > 0 (from the caller's
        configuration).

    Returns
    -------
    ViewCheck

    Raises
    ------
    ValidationError
        If a limit is not a positive finite number or a value is not a number
        or None.

    Notes
    -----
    A value of None is not checked and adds no reason (the caller reports what
    was not measured); NaN counts as a failed check. A value exactly at its
    limit passes.

    Examples
    --------
    >>> check_view(1.0, 22.0, max_roll_deg=2, max_yaw_deg=15).reasons[0][:48]
    "Turn the camera square to the subject's side: it"

    """
    problems = number_problems("max_roll_deg", max_roll_deg, low=0.0, high=90.0, strict_low=True)
    problems += number_problems("max_yaw_deg", max_yaw_deg, low=0.0, high=90.0, strict_low=True)
    for name, value in (("roll_deg", roll_deg), ("yaw_deg", yaw_deg)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, Real)):
            problems.append(f"{name} must be a number or None, got {value!r}")
    raise_if_problems("check_view", problems)
    reasons = []
    if roll_deg is not None:
        reasons.append(_roll_reason(float(roll_deg), float(max_roll_deg)))
    if yaw_deg is not None:
        reasons.append(_yaw_reason(float(yaw_deg), float(max_yaw_deg)))
    kept = tuple(r for r in reasons if r is not None)
    return ViewCheck(
        roll_deg=None if roll_deg is None else float(roll_deg),
        yaw_deg=None if yaw_deg is None else float(yaw_deg),
        within_limits=not kept,
        reasons=kept,
    )
