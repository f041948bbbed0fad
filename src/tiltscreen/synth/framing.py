"""Camera framing: keep the whole subject (and the sit-and-reach box) inside the image with a margin.

Pure numpy. The camera's orientation is fixed first (a level camera perpendicular to the sagittal plane,
turned by the yaw/pitch/roll offsets); its centre is then placed on the optical axis through an aim point (the
middle of the subject's extent over the whole clip), at the chosen distance. With that geometry the closest
distance at which every point stays inside a centred rectangle has a closed form (``min_distance``).
"""

from __future__ import annotations

import numpy as np


class FramingError(ValueError):
    """The subject (or the box) would leave the image, or come closer to its edges than the margin."""


def aim_point(points: np.ndarray, *, height_m: float | None) -> np.ndarray:
    """Return the middle of the extent of ``points`` (N, 3), its height replaced by ``height_m`` if given.

    Parameters
    ----------
    points : ndarray, shape (N, 3)
        World points, metres.
    height_m : float or None
        Camera height above the floor for a level camera (None = the middle of the extent).

    Returns
    -------
    ndarray, shape (3,)
        Aim point; x is 0 (the subject's sagittal plane).

    """
    lo, hi = points.min(axis=0), points.max(axis=0)
    mid = 0.5 * (lo + hi)
    return np.array([0.0, mid[1], mid[2] if height_m is None else height_m])


def min_distance(
    points: np.ndarray,
    rotation: np.ndarray,
    aim: np.ndarray,
    *,
    focal_px: float,
    half_width_px: float,
    half_height_px: float,
    min_depth_m: float = 0.1,
) -> float:
    """Closest camera distance along the optical axis that keeps every point inside a centred rectangle.

    The camera centre is ``aim - d * rotation[2]``; a point with camera coordinates ``q = R (p - aim)``
    relative to the aim point is at depth ``q_z + d`` and lands inside ``|u - cx| <= half_width_px`` (likewise
    for v) when ``q_z + d >= focal_px * |q_x| / half_width_px``.

    Parameters
    ----------
    points : ndarray, shape (N, 3)
        World points that must be in view, metres.
    rotation : ndarray, shape (3, 3)
        World-to-camera rotation (OpenCV axes: rows x right, y down, z forward).
    aim : ndarray, shape (3,)
        Point on the optical axis, metres.
    focal_px : float
        Focal length (fx = fy), pixels.
    half_width_px, half_height_px : float
        Half-size of the allowed rectangle, centred on the principal point, pixels (> 0).
    min_depth_m : float
        Every point must also be at least this far in front of the camera.

    Returns
    -------
    float
        Minimal distance d, metres.

    Examples
    --------
    A point 1 m above the aim, focal 500 px, 250 px allowed: d = 500 * 1 / 250 = 2 m.

    >>> min_distance(np.array([[0.0, 0.0, 1.0]]), np.array([[0, 1.0, 0], [0, 0, -1.0], [1.0, 0, 0]]),
    ...              np.zeros(3), focal_px=500.0, half_width_px=300.0, half_height_px=250.0)
    2.0

    """
    if half_width_px <= 0 or half_height_px <= 0:
        raise FramingError(
            f"the margin leaves no room in the image (half-size {half_width_px} x {half_height_px} px)"
        )
    q = (np.asarray(points, dtype=float).reshape(-1, 3) - aim) @ np.asarray(rotation).T
    need = np.maximum(
        focal_px * np.maximum(np.abs(q[:, 0]) / half_width_px, np.abs(q[:, 1]) / half_height_px), min_depth_m
    )
    return float(np.max(need - q[:, 2]))


def bbox_px(uv: np.ndarray) -> list[float]:
    """Pixel bounding box ``[u_min, v_min, u_max, v_max]`` of projected points (..., 2), rounded to 0.1 px."""
    flat = np.asarray(uv, dtype=float).reshape(-1, 2)
    lo, hi = np.nanmin(flat, axis=0), np.nanmax(flat, axis=0)
    return [round(float(x), 1) for x in (lo[0], lo[1], hi[0], hi[1])]


def check_inside(box: list[float], *, width: int, height: int, margin_px: float) -> None:
    """Raise FramingError unless the pixel box ``[u0, v0, u1, v1]`` keeps ``margin_px`` from every edge."""
    u0, v0, u1, v1 = box
    room = {
        "left": u0,
        "top": v0,
        "right": width - u1,
        "bottom": height - v1,
    }
    short = {edge: gap for edge, gap in room.items() if gap < margin_px - 0.05}
    if short:
        where = ", ".join(f"{edge} {gap:.1f} px" for edge, gap in short.items())
        raise FramingError(
            f"subject not framed with the {margin_px:.1f} px margin in the {width}x{height} image "
            f"(room left at the {where})"
        )
