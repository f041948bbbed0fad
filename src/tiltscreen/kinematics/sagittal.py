"""Per-frame sagittal-plane angles and offsets from side-view landmarks.

Conventions shared by every function here
-----------------------------------------
* Input: a :class:`~tiltscreen.landmarks.Landmarks`; positions are taken in
  **pixels** (``lm.xy_px``) so that angles are not distorted by a non-square
  image. Output: one value per frame, shape ``(frame,)``, NaN where a needed
  landmark is missing.
* ``side`` (``"left"``/``"right"``) names the landmarks used - normally the side
  nearest the camera (:func:`tiltscreen.kinematics.view.near_side`).
* ``facing`` is +1 if the subject faces image-right, -1 if image-left
  (:func:`tiltscreen.kinematics.view.facing_direction`). Vectors are turned into
  a **subject frame** (x = the subject's forward, y = up) so that a figure facing
  left gives the same numbers as its mirror image facing right.
* ``roll_deg`` (camera roll, see :func:`tiltscreen.kinematics.view.estimate_roll_deg`):
  the image is first rotated back by ``roll_deg`` before any angle against the
  image horizontal or vertical (inclinations, plumb offsets). Included joint
  angles (hip and knee flexion) are never corrected: roll does not change them.
* All angles derive from :func:`~tiltscreen.kinematics.vectors.signed_angle_2d`.

These are **proxies**, named for what they measure. BlazePose has no ASIS or PSIS
landmark, so nothing here is, or should be reported as, pelvic tilt.
"""

from __future__ import annotations

import numpy as np

from tiltscreen.checks import (
    facing_problems,
    landmarks_problems,
    number_problems,
    raise_if_problems,
    side_problems,
)
from tiltscreen.kinematics.vectors import image_to_up, rotate_2d, signed_angle_2d
from tiltscreen.landmarks import Landmarks

_UP = np.array([0.0, 1.0])
_DOWN = np.array([0.0, -1.0])
_FORWARD = np.array([1.0, 0.0])

#: landmarks whose offsets :func:`plumb_offsets_px` reports, top to bottom
PLUMB_PARTS = ("ear", "shoulder", "hip", "knee")


def _check(func: str, lm: object, side: object, facing: object, roll_deg: object = 0.0) -> None:
    problems = landmarks_problems(lm) + side_problems(side) + facing_problems(facing)
    problems += number_problems("roll_deg", roll_deg, low=-45.0, high=45.0)
    raise_if_problems(func, problems)


def _pt(lm: Landmarks, side: str, part: str, *, midline: bool = False) -> np.ndarray:
    """``(frame, 2)`` px of ``part`` on ``side``, or the mid-point of both sides if ``midline``."""
    if midline:
        left = lm.point(lm.skeleton.side("left", part))
        right = lm.point(lm.skeleton.side("right", part))
        return (left + right) / 2.0
    return lm.point(lm.skeleton.side(side, part))


def subject_vector(
    start_px: np.ndarray, end_px: np.ndarray, *, facing: int, roll_deg: float = 0.0
) -> np.ndarray:
    """Vector start->end in the subject frame (x = forward, y = up), roll removed.

    Parameters
    ----------
    start_px, end_px : ndarray, shape (..., 2)
        Image points in pixels (y down).
    facing : {+1, -1}
        +1 if the subject faces image-right.
    roll_deg : float, default 0
        Camera roll to remove (degrees, counter-clockwise positive in the y-up
        image frame, as returned by ``estimate_roll_deg``).

    Returns
    -------
    ndarray, shape (..., 2)
        Same units as the input; NaN where either point is missing.

    Notes
    -----
    Steps: :func:`~tiltscreen.kinematics.vectors.image_to_up`, rotate by
    ``-roll_deg``, then multiply x by ``facing`` (a reflection for a subject
    facing left, so that forward is always +x).

    """
    v = rotate_2d(image_to_up(np.asarray(end_px) - np.asarray(start_px)), -float(roll_deg))
    v[..., 0] *= facing
    return v


def trunk_inclination_deg(
    lm: Landmarks, side: str, facing: int, *, roll_deg: float = 0.0, midline: bool = False
) -> np.ndarray:
    """Inclination of the hip->shoulder line from the vertical, forward positive.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    side : {"left", "right"}
        Side whose hip and shoulder are used (ignored when ``midline``).
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.
    roll_deg : float, default 0
        Camera roll removed before measuring (degrees, within +-45).
    midline : bool, default False
        Use the mid-points of both hips and both shoulders instead of one side.
        The near side is the default because the far-side landmarks are
        partly occluded in a side view and the least reliable.

    Returns
    -------
    ndarray, shape (frame,)
        Degrees in (-180, 180]: 0 upright, positive when the shoulder is in
        front of the hip (trunk leaning forward, towards where the subject
        faces), negative leaning back. A subject folded forward in a
        sit-and-reach reads about 30-90.

    Notes
    -----
    Camera roll adds to this angle one-for-one unless removed with ``roll_deg``.
    NaN where the hip or shoulder is missing.

    """
    _check("trunk_inclination_deg", lm, side, facing, roll_deg)
    v = subject_vector(
        _pt(lm, side, "hip", midline=midline),
        _pt(lm, side, "shoulder", midline=midline),
        facing=facing,
        roll_deg=roll_deg,
    )
    return signed_angle_2d(v, _UP)


def thigh_inclination_deg(lm: Landmarks, side: str, facing: int, *, roll_deg: float = 0.0) -> np.ndarray:
    """Inclination of the hip->knee line from the downward vertical, forward positive.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    side : {"left", "right"}
        Side whose landmarks are used (normally the near side).
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.
    roll_deg : float, default 0
        Camera roll removed first (degrees, within +-45).

    Returns
    -------
    ndarray, shape (frame,)
        Degrees in (-180, 180]: 0 when the knee is straight below the hip,
        positive when the knee is in front of the hip (about +90 sitting with
        the thigh horizontal), negative when it is behind.

    Notes
    -----
    Roll adds one-for-one
    unless removed. NaN where the hip or knee is missing.

    """
    _check("thigh_inclination_deg", lm, side, facing, roll_deg)
    v = subject_vector(_pt(lm, side, "hip"), _pt(lm, side, "knee"), facing=facing, roll_deg=roll_deg)
    return signed_angle_2d(_DOWN, v)


def segment_angle_to_horizontal_deg(
    lm: Landmarks, a: str, b: str, *, facing: int, roll_deg: float = 0.0
) -> np.ndarray:
    """Angle of the segment from landmark ``a`` to landmark ``b`` above the forward horizontal.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    a, b : str
        Landmark names (e.g. ``"left_hip"``, ``"left_knee"``).
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.
    roll_deg : float, default 0
        Camera roll removed first (degrees, within +-45).

    Returns
    -------
    ndarray, shape (frame,)
        Degrees in (-180, 180]: 0 when ``b`` is level with and in front of
        ``a``; positive when the segment points upwards (+90 straight up), 180
        when it points straight backwards, negative when it points downwards.

    Notes
    -----
    Roll adds one-for-one unless removed. NaN where either point is missing.

    """
    problems = landmarks_problems(lm) + facing_problems(facing)
    problems += number_problems("roll_deg", roll_deg, low=-45.0, high=45.0)
    raise_if_problems("segment_angle_to_horizontal_deg", problems)
    v = subject_vector(lm.point(a), lm.point(b), facing=facing, roll_deg=roll_deg)
    return signed_angle_2d(_FORWARD, v)


def hip_flexion_deg(lm: Landmarks, side: str, facing: int) -> np.ndarray:
    """Signed hip flexion: angle between the trunk line and the thigh, flexion positive.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    side : {"left", "right"}
        Side whose shoulder, hip and knee are used.
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.

    Returns
    -------
    ndarray, shape (frame,)
        Degrees in (-180, 180]: 0 when shoulder, hip and knee are in a straight
        line; positive when the knee is in front of the shoulder->hip line
        extended downwards (flexion; about 90 sitting upright, larger when
        folding forward); negative when the knee is behind it (extension, see
        :func:`hip_extension_deg`).

    Notes
    -----
    The magnitude equals ``180 - included_angle(shoulder, hip, knee)``; the sign
    comes from ``facing``. It is the angle turning the downward trunk line
    (shoulder->hip) onto the thigh (hip->knee) in the subject frame. It is an
    included joint angle, so camera roll does not affect it and no
    ``roll_deg`` is taken. It is a trunk-thigh angle, not a pelvic angle.
    NaN where any of the three points is missing.

    """
    _check("hip_flexion_deg", lm, side, facing)
    hip = _pt(lm, side, "hip")
    trunk_down = subject_vector(_pt(lm, side, "shoulder"), hip, facing=facing)
    thigh = subject_vector(hip, _pt(lm, side, "knee"), facing=facing)
    return signed_angle_2d(trunk_down, thigh)


def hip_extension_deg(lm: Landmarks, side: str, facing: int) -> np.ndarray:
    """Signed hip extension for standing: ``-hip_flexion_deg``.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    side : {"left", "right"}
        Side whose landmarks are used (normally the near side).
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.

    Returns
    -------
    ndarray, shape (frame,)
        Degrees in [-180, 180): positive when the knee is **behind** the
        shoulder->hip line extended downwards (thigh behind the trunk line),
        negative when in front.

    Notes
    -----
    See :func:`hip_flexion_deg`; not affected by camera roll.

    """
    _check("hip_extension_deg", lm, side, facing)
    return -hip_flexion_deg(lm, side, facing)


def knee_flexion_deg(lm: Landmarks, side: str) -> np.ndarray:
    """Knee flexion: ``180 - included_angle(hip, knee, ankle)``.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    side : {"left", "right"}
        Side whose landmarks are used (normally the near side).

    Returns
    -------
    ndarray, shape (frame,)
        Degrees in [0, 180]: 0 with the leg straight, larger with more bend.
        Unsigned: a hyperextended knee also reads above 0 (see
        :func:`knee_hyperextension_deg` for the direction).

    Notes
    -----
    Not affected by camera roll; needs no ``facing``. NaN where a point is
    missing.

    """
    raise_if_problems("knee_flexion_deg", landmarks_problems(lm) + side_problems(side))
    thigh = image_to_up(_pt(lm, side, "knee") - _pt(lm, side, "hip"))
    shank = image_to_up(_pt(lm, side, "ankle") - _pt(lm, side, "knee"))
    return np.abs(signed_angle_2d(thigh, shank))


def knee_hyperextension_deg(lm: Landmarks, side: str, facing: int) -> np.ndarray:
    """Signed knee angle for a standing subject, hyperextension positive.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    side : {"left", "right"}
        Side whose landmarks are used (normally the near side).
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.

    Returns
    -------
    ndarray, shape (frame,)
        Degrees in (-180, 180]: positive when the knee is **behind** the
        hip->ankle line (recurvatum), negative when in front of it (flexion);
        its magnitude equals :func:`knee_flexion_deg`.

    Notes
    -----
    The angle turning the thigh (hip->knee) onto the shank (knee->ankle) in
    the subject frame. Not affected by camera roll. NaN where a point is
    missing.

    """
    _check("knee_hyperextension_deg", lm, side, facing)
    knee = _pt(lm, side, "knee")
    thigh = subject_vector(_pt(lm, side, "hip"), knee, facing=facing)
    shank = subject_vector(knee, _pt(lm, side, "ankle"), facing=facing)
    return signed_angle_2d(thigh, shank)


def plumb_offsets_px(
    lm: Landmarks, side: str, facing: int, *, roll_deg: float = 0.0
) -> dict[str, np.ndarray]:
    """Horizontal offsets of ear, shoulder, hip and knee from the ankle's plumb line.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject; positions are read in pixels.
    side : {"left", "right"}
        Side whose landmarks are used (normally the near side).
    facing : {+1, -1}
        +1 if the subject faces image-right, -1 if image-left.
    roll_deg : float, default 0
        Camera roll removed first, so "horizontal" is the true horizontal.

    Returns
    -------
    dict of str to ndarray, shape (frame,)
        Keys :data:`PLUMB_PARTS`; pixels, positive when the landmark is in
        front of the vertical through the ankle (towards where the subject
        faces).

    Notes
    -----
    A lateral-view postural alignment check (ear, acromion, greater trochanter
    and knee over the lateral malleolus). Pixels, not centimetres: divide by a
    scale (e.g. body height in pixels) to compare subjects. Roll shifts these
    offsets by about ``height_above_ankle * sin(roll)`` unless removed. NaN where
    the landmark or the ankle is missing.

    """
    _check("plumb_offsets_px", lm, side, facing, roll_deg)
    ankle = _pt(lm, side, "ankle")
    return {
        part: subject_vector(ankle, _pt(lm, side, part), facing=facing, roll_deg=roll_deg)[:, 0]
        for part in PLUMB_PARTS
    }
