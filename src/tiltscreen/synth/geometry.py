"""Pure geometry for the synthetic-people generator: rotations, clinical angles and camera projection.

World frame (the body model's): metres, +Z up, -Y the subject's forward, +X the subject's left. Every function
here is pure numpy; nothing is rendered or read from disk.

Sagittal sign convention: ``rot_x(theta)`` with ``theta > 0`` tips an upward-pointing segment forward (towards
-Y); a downward-pointing segment (thigh, shank) goes backward. So for the spine and pelvis a positive sagittal
angle is forward (flexion, anterior pelvic rotation) and for a thigh a negative one is hip flexion.
"""

from __future__ import annotations

import numpy as np

FORWARD = np.array([0.0, -1.0, 0.0])
UP = np.array([0.0, 0.0, 1.0])
LEFT = np.array([1.0, 0.0, 0.0])


def rot_x(theta_deg: float) -> np.ndarray:
    """Return the 3x3 rotation about +X (the subject's left axis) by ``theta_deg`` degrees.

    Parameters
    ----------
    theta_deg : float
        Angle in degrees, right-handed about +X. Positive tips +Z towards -Y (forward flexion of the trunk).

    Examples
    --------
    >>> np.round(rot_x(90.0) @ UP, 6).tolist()
    [0.0, -1.0, 0.0]

    """
    t = np.deg2rad(theta_deg)
    c, s = np.cos(t), np.sin(t)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(theta_deg: float) -> np.ndarray:
    """Return the 3x3 rotation about +Y by ``theta_deg`` degrees (right-handed)."""
    t = np.deg2rad(theta_deg)
    c, s = np.cos(t), np.sin(t)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(theta_deg: float) -> np.ndarray:
    """Return the 3x3 rotation about +Z (vertical) by ``theta_deg`` degrees (right-handed, +X towards +Y)."""
    t = np.deg2rad(theta_deg)
    c, s = np.cos(t), np.sin(t)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def axis_angle(axis: np.ndarray, theta_deg: float) -> np.ndarray:
    """Return the rotation by ``theta_deg`` degrees about unit-normalised ``axis`` (Rodrigues' formula)."""
    a = np.asarray(axis, dtype=float)
    norm = np.linalg.norm(a)
    if norm == 0.0:
        raise ValueError(f"rotation axis must be non-zero, got {axis!r}")
    a = a / norm
    k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    t = np.deg2rad(theta_deg)
    return np.eye(3) + np.sin(t) * k + (1.0 - np.cos(t)) * (k @ k)


def rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the smallest rotation taking direction ``a`` onto direction ``b``.

    Parameters
    ----------
    a, b : ndarray, shape (3,)
        Non-zero directions (need not be unit length).

    Returns
    -------
    ndarray, shape (3, 3)
        ``R`` with ``R @ a / |a| == b / |b|``.
        Antiparallel inputs turn 180 degrees about an axis normal to ``a``.

    """
    u = np.asarray(a, dtype=float) / np.linalg.norm(a)
    v = np.asarray(b, dtype=float) / np.linalg.norm(b)
    cross = np.cross(u, v)
    dot = float(np.clip(np.dot(u, v), -1.0, 1.0))
    if np.linalg.norm(cross) < 1e-9:
        if dot > 0:
            return np.eye(3)
        normal = np.cross(u, LEFT if abs(u[0]) < 0.9 else UP)
        return axis_angle(normal, 180.0)
    return axis_angle(cross, float(np.rad2deg(np.arccos(dot))))


def signed_angle_2d(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Signed angle from 2-D vector(s) ``u`` to ``v``, in degrees, counter-clockwise positive, in (-180, 180].

    Parameters
    ----------
    u, v : ndarray, shape (..., 2)
        Vectors in a right-handed plane (first axis to the right, second axis up).

    Examples
    --------
    >>> float(signed_angle_2d(np.array([1.0, 0.0]), np.array([0.0, 1.0])))
    90.0

    """
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    return np.rad2deg(np.arctan2(cross, dot))


def sagittal_2d(points: np.ndarray) -> np.ndarray:
    """Project world points onto the sagittal plane as (forward, up) coordinates in metres.

    Parameters
    ----------
    points : ndarray, shape (..., 3)
        World points (X left, -Y forward, Z up).

    Returns
    -------
    ndarray, shape (..., 2)
        ``(-y, z)``: first axis forward, second axis up (a right-handed plane seen from the subject's right).

    """
    p = np.asarray(points, dtype=float)
    return np.stack([-p[..., 1], p[..., 2]], axis=-1)


def asis_psis_tilt(asis: np.ndarray, psis: np.ndarray) -> np.ndarray:
    """ASIS-PSIS pelvic tilt in the sagittal plane, degrees; positive = anterior (ASIS lower than PSIS).

    Parameters
    ----------
    asis, psis : ndarray, shape (..., 3)
        World positions of the anterior and posterior superior iliac spines of one side.

    Notes
    -----
    The angle between the forward horizontal and the line PSIS -> ASIS, both projected on the sagittal plane,
    with the sign flipped so that an ASIS below the PSIS reads positive (the palpation-meter convention).

    Examples
    --------
    ASIS 10 cm in front of and 10*tan(11 deg) cm below the PSIS reads 11 degrees anterior:

    >>> a = np.array([0.0, -0.10, -0.10 * np.tan(np.deg2rad(11.0))]); p = np.zeros(3)
    >>> round(float(asis_psis_tilt(a, p)), 6)
    11.0

    """
    d = sagittal_2d(asis) - sagittal_2d(psis)
    return -np.rad2deg(np.arctan2(d[..., 1], d[..., 0]))


def included_angle(a: np.ndarray, vertex: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Unsigned angle a-vertex-c in degrees, in [0, 180], in 3-D.

    Parameters
    ----------
    a, vertex, c : ndarray, shape (..., 3)
        Points; the angle is between ``a - vertex`` and ``c - vertex``.

    """
    u = np.asarray(a, dtype=float) - vertex
    v = np.asarray(c, dtype=float) - vertex
    cos = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.rad2deg(np.arccos(np.clip(cos, -1.0, 1.0)))


def flexion_angle(proximal: np.ndarray, joint: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Flexion of a joint as 180 minus the included angle, degrees: 0 = segments in a straight line.

    Used for knee flexion (hip, knee, ankle) and hip flexion (shoulder, hip, knee: trunk-thigh, ~90 sitting
    upright). Sign-free: hyperextension also reads positive.

    Examples
    --------
    >>> float(flexion_angle(np.array([0, 0, 1.0]), np.zeros(3), np.array([0, -1.0, 0])))
    90.0

    """
    return 180.0 - included_angle(proximal, joint, distal)


def inclination_from_vertical(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Sagittal inclination of the segment lower -> upper from the vertical, degrees; forward positive.

    Used for trunk inclination (hip midpoint -> shoulder midpoint).

    Examples
    --------
    >>> float(inclination_from_vertical(np.zeros(3), np.array([0.0, -1.0, 1.0])))
    45.0

    """
    d = sagittal_2d(upper) - sagittal_2d(lower)
    return np.rad2deg(np.arctan2(d[..., 0], d[..., 1]))


def lumbo_horizontal(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Lumbo-horizontal (L-Hfx style) angle, degrees.

    From the forward horizontal to the back line lower -> upper.

    Parameters
    ----------
    lower, upper : ndarray, shape (..., 3)
        A lower and an upper point on the back surface at L5-S1 (the line an inclinometer would rest on).

    Notes
    -----
    Measured counter-clockwise from the forward horizontal in the sagittal plane: 90 = vertical back line
    (upright pelvis), below 90 = pelvis tipped forward, above 90 = pelvis tipped back (short hamstrings in the
    sit-and-reach give large values).

    Examples
    --------
    >>> float(lumbo_horizontal(np.zeros(3), np.array([0.0, 0.5, 1.0])).round(4))  # top leaning back
    116.5651

    """
    d = sagittal_2d(upper) - sagittal_2d(lower)
    return np.rad2deg(np.arctan2(d[..., 1], d[..., 0]))


def apply_rigid(transform: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply 4x4 rigid transform(s) to points: ``transform (..., 4, 4)`` and ``points (..., 3)``."""
    t = np.asarray(transform, dtype=float)
    p = np.asarray(points, dtype=float)
    return np.einsum("...ij,...j->...i", t[..., :3, :3], p) + t[..., :3, 3]


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = UP) -> np.ndarray:
    """World-to-camera rotation for an OpenCV camera at ``eye`` seeing ``target``.

    OpenCV camera axes: x right, y down, z forward.

    Returns
    -------
    ndarray, shape (3, 3)
        Rows are the camera x, y, z axes in world coordinates.

    """
    z = np.asarray(target, dtype=float) - eye
    z /= np.linalg.norm(z)
    x = np.cross(z, up)
    if np.linalg.norm(x) < 1e-9:
        raise ValueError("camera looks straight along the up vector; choose another target")
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return np.stack([x, y, z])


def camera_rotation(
    eye: np.ndarray,
    target: np.ndarray,
    *,
    yaw_deg: float = 0.0,
    pitch_deg: float = 0.0,
    roll_deg: float = 0.0,
) -> np.ndarray:
    """World-to-camera rotation of a camera aimed at ``target`` then turned by yaw, pitch and roll offsets.

    Parameters
    ----------
    eye, target : ndarray, shape (3,)
        Camera centre and aim point, metres.
    yaw_deg, pitch_deg, roll_deg : float
        Offsets in degrees, right-handed about the camera's own axes (OpenCV: x right, y down, z forward),
        applied after aiming: yaw about y (positive turns the view to the right), pitch about x (positive
        tilts the view down), roll about z (positive rotates the camera clockwise as seen from behind it, so
        the scene appears rotated counter-clockwise in the image).

    """
    base = look_at(eye, target)
    # Offsets are rotations of the camera frame expressed in camera coordinates.
    offset = (
        axis_angle([0, 0, 1], roll_deg) @ axis_angle([1, 0, 0], -pitch_deg) @ axis_angle([0, 1, 0], yaw_deg)
    )
    return offset.T @ base


def project(points: np.ndarray, rotation: np.ndarray, eye: np.ndarray, intrinsics: np.ndarray) -> np.ndarray:
    """Pinhole projection of world points to pixels (OpenCV convention: origin at the top-left pixel corner).

    Parameters
    ----------
    points : ndarray, shape (..., 3)
        World points, metres.
    rotation : ndarray, shape (3, 3)
        World-to-camera rotation (rows = camera axes).
    eye : ndarray, shape (3,)
        Camera centre in the world.
    intrinsics : ndarray, shape (3, 3)
        ``[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]`` in pixels.

    Returns
    -------
    ndarray, shape (..., 2)
        Pixel (u, v); NaN for points at or behind the camera.

    Examples
    --------
    >>> k = np.array([[500.0, 0, 320], [0, 500.0, 180], [0, 0, 1]])
    >>> project(np.array([0.1, 0.0, 2.0]), np.eye(3), np.zeros(3), k).tolist()
    [345.0, 180.0]

    """
    cam = (np.asarray(points, dtype=float) - eye) @ np.asarray(rotation).T
    z = cam[..., 2:3]
    with np.errstate(divide="ignore", invalid="ignore"):
        uv = cam[..., :2] / z
    uv = np.where(z > 1e-6, uv, np.nan)
    return uv @ intrinsics[:2, :2].T + intrinsics[:2, 2]


def intrinsics_matrix(fx: float, fy: float, cx: float, cy: float) -> np.ndarray:
    """Return the 3x3 pinhole intrinsics matrix from focal lengths and principal point, all in pixels."""
    return np.array([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]])


def focal_px(image_width: int, horizontal_fov_deg: float) -> float:
    """Focal length in pixels for an image ``image_width`` px wide seeing ``horizontal_fov_deg`` degrees.

    Examples
    --------
    >>> float(round(focal_px(640, 90.0), 6))
    320.0

    """
    if not 0.0 < horizontal_fov_deg < 180.0:
        raise ValueError(f"horizontal_fov_deg must be in (0, 180), got {horizontal_fov_deg!r}")
    return image_width / 2.0 / np.tan(np.deg2rad(horizontal_fov_deg) / 2.0)
