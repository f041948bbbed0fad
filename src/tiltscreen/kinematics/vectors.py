"""The one signed-angle primitive and the few vector helpers every angle is built on.

Frame convention
----------------
All angles are computed in a **y-up** plane: x to the right, y upwards, positive
angles counter-clockwise (the usual mathematical convention). Image coordinates
(x right, y **down**) are converted by exactly one helper, :func:`image_to_up`,
before any angle is taken; nothing else in tiltscreen flips the y axis.

Every clinical angle in :mod:`tiltscreen.kinematics.sagittal` is derived from
:func:`signed_angle_2d`; :func:`included_angle` is its absolute value.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from tiltscreen.checks import as_points, raise_if_problems


def image_to_up(vec: ArrayLike) -> np.ndarray:
    """Convert image vectors or points (y down) to the y-up frame by negating y.

    Parameters
    ----------
    vec : array_like, shape (..., 2)
        Image-frame ``(x, y)`` with y growing downwards (pixels or any unit).

    Returns
    -------
    ndarray, shape (..., 2)
        ``(x, -y)``: same units, y growing upwards. NaN stays NaN.

    Raises
    ------
    ValidationError
        If the last axis does not have length 2.

    Notes
    -----
    The conversion is its own inverse, so it also turns y-up vectors back into
    image vectors. Because it is a reflection, it reverses the sense of
    rotation: a clockwise turn on the screen is counter-clockwise in y-up terms.

    Examples
    --------
    >>> image_to_up([3.0, 4.0]).tolist()
    [3.0, -4.0]

    """
    problems: list[str] = []
    arr = as_points("vec", vec, problems)
    raise_if_problems("image_to_up", problems)
    out = arr.copy()
    out[..., 1] = -out[..., 1]
    return out


def rotate_2d(vec: ArrayLike, angle_deg: ArrayLike) -> np.ndarray:
    """Rotate y-up vectors counter-clockwise by ``angle_deg`` degrees.

    Parameters
    ----------
    vec : array_like, shape (..., 2)
        Vectors in the y-up frame.
    angle_deg : float or array_like broadcastable to ``vec.shape[:-1]``
        Rotation in degrees, counter-clockwise positive.

    Returns
    -------
    ndarray, shape (..., 2)
        Rotated vectors; NaN in gives NaN out.

    Examples
    --------
    >>> np.round(rotate_2d([1.0, 0.0], 90.0), 12).tolist()
    [0.0, 1.0]

    """
    problems: list[str] = []
    arr = as_points("vec", vec, problems)
    raise_if_problems("rotate_2d", problems)
    a = np.deg2rad(np.asarray(angle_deg, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    x, y = arr[..., 0], arr[..., 1]
    return np.stack((c * x - s * y, s * x + c * y), axis=-1)


def signed_angle_2d(u: ArrayLike, v: ArrayLike) -> np.ndarray:
    """Signed angle in degrees that turns ``u`` onto ``v`` in the y-up frame.

    Parameters
    ----------
    u, v : array_like, shape (..., 2)
        Vectors in the **y-up** frame (convert image vectors with
        :func:`image_to_up` first); broadcast against each other.

    Returns
    -------
    ndarray, shape (...)
        Angle in degrees in the half-open range (-180, 180]; positive when the
        shortest turn from ``u`` to ``v`` is counter-clockwise. A 0-d array for
        single vectors.

    Raises
    ------
    ValidationError
        If either input does not have a last axis of length 2.

    Notes
    -----
    Computed as ``atan2(u x v, u . v)``, which is accurate for small and for
    nearly opposite angles (unlike ``arccos`` of the normalised dot product).
    Exactly opposite vectors give +180, never -180.

    Properties (tested): antisymmetry ``angle(u, v) == -angle(v, u)`` except at
    exactly 180; invariance to rotating both vectors by the same angle and to
    scaling either by a positive factor.

    NaN behaviour: a vector with a NaN component, or of zero length (the
    direction is undefined), gives NaN.

    Examples
    --------
    >>> float(signed_angle_2d([1, 0], [0, 1]))
    90.0
    >>> float(signed_angle_2d([0, 1], [1, 0]))
    -90.0
    >>> float(signed_angle_2d([1, 0], [-1, 0]))
    180.0

    """
    problems: list[str] = []
    a = as_points("u", u, problems)
    b = as_points("v", v, problems)
    raise_if_problems("signed_angle_2d", problems)
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    dot = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1]
    with np.errstate(invalid="ignore"):
        angle = np.rad2deg(np.arctan2(cross, dot))
        degenerate = (np.hypot(a[..., 0], a[..., 1]) == 0) | (np.hypot(b[..., 0], b[..., 1]) == 0)
    angle = np.where(angle == -180.0, 180.0, angle)
    return np.where(degenerate, np.nan, angle)


def included_angle(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Angle at vertex ``b`` between the segments b->a and b->c, in degrees.

    Parameters
    ----------
    a, b, c : array_like, shape (..., 2)
        Points in any consistent 2-D frame (image or y-up: the result does not
        depend on the direction of the y axis); broadcast against each other.

    Returns
    -------
    ndarray, shape (...)
        Unsigned angle in [0, 180]: 180 when the three points lie on a straight
        line with ``b`` between them, 0 when ``a`` and ``c`` lie in the same
        direction from ``b``.

    Notes
    -----
    Equal to ``abs(signed_angle_2d(a - b, c - b))``. It is unaffected by camera
    roll (a rotation of the whole image). NaN or coincident points give NaN.

    Examples
    --------
    >>> float(included_angle([0, 1], [0, 0], [1, 0]))
    90.0

    """
    problems: list[str] = []
    pa = as_points("a", a, problems)
    pb = as_points("b", b, problems)
    pc = as_points("c", c, problems)
    raise_if_problems("included_angle", problems)
    return np.abs(signed_angle_2d(pa - pb, pc - pb))
