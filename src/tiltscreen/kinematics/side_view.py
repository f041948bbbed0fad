"""A pinhole model of the side view, to read an angle in the sagittal plane from two image points.

Frames and signs
----------------
* Subject frame: ``F`` forward, ``U`` up, ``L`` lateral towards the camera (the near side).
* Camera frame: OpenCV (x right, y down, z along the optical axis). A square, level view
  (yaw = pitch = roll = 0) sees ``F`` as ``facing`` x image-right, ``U`` as image-up and ``L``
  as pointing at the camera: ``R0 = [facing*F; -U; -L]``.
* The camera is then turned: yaw ``psi`` about the vertical (positive = moved round towards the
  subject's front, :mod:`tiltscreen.kinematics.view`), pitch ``a`` (positive = looking down),
  roll ``r`` (:mod:`tiltscreen.kinematics.camera`: the scene appears turned counter-clockwise):
  ``R = Rz(r) Rx(a) Ry(-facing * psi) R0``.

Why a model: two skin points that are not at the same depth (the ASIS sticker sits about
0.044 x stature nearer the camera than the PSIS sticker) are displaced towards the vanishing
point of the lateral direction, which is the image centre only for a square, level camera. A
pitch of 2.5 degrees moves that point f tan(2.5) = 44 px up (f = 1000 px) and tilts the
ASIS-PSIS line by ~1.1 degrees; a yaw moves it sideways (about 0.2 degree of tilt per degree of
yaw). :func:`sagittal_angle_deg` removes both, given the view's angles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.checks import facing_problems, number_problems, raise_if_problems

#: horizontal field of view assumed when the camera's is unknown, degrees: webcams and phones span about
#: 50-80 (docs/clinical.md, camera geometry), so 65 is within about 30% in focal length of any of them
ASSUMED_HFOV_DEG = 65.0


def assumed_focal_px(width_px: float, hfov_deg: float = ASSUMED_HFOV_DEG) -> float:
    """Return the focal length, pixels, of an image ``width_px`` wide with a horizontal field of view."""
    return 0.5 * width_px / math.tan(math.radians(hfov_deg) / 2.0)


def _rx(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[1.0, 0.0, 0.0], [0.0, math.cos(a), -math.sin(a)], [0.0, math.sin(a), math.cos(a)]])


def _ry(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), 0.0, -math.sin(a)], [0.0, 1.0, 0.0], [math.sin(a), 0.0, math.cos(a)]])


def _rz(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), math.sin(a), 0.0], [-math.sin(a), math.cos(a), 0.0], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class SideView:
    """The camera of a side view (see the module notes).

    Attributes
    ----------
    focal_px : float
        Focal length, full-resolution pixels.
    principal_px : (float, float)
        Principal point, full-resolution pixels (normally the image centre).
    facing : {+1, -1}
        +1 if the subject faces image-right.
    yaw_deg, pitch_deg, roll_deg : float
        The camera's turn, degrees (module conventions).

    """

    focal_px: float
    principal_px: tuple[float, float]
    facing: int
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0

    def __post_init__(self) -> None:
        problems = number_problems("focal_px", self.focal_px, low=0.0, strict_low=True)
        problems += facing_problems(self.facing)
        for name in ("yaw_deg", "pitch_deg", "roll_deg"):
            problems += number_problems(name, getattr(self, name), low=-60.0, high=60.0)
        raise_if_problems("SideView", problems)

    @classmethod
    def from_hfov(
        cls, image_size: tuple[int, int], hfov_deg: float, *, facing: int, **angles: float
    ) -> SideView:
        """Centred principal point and the focal length of a horizontal field of view (degrees)."""
        w, h = image_size
        return cls(0.5 * w / math.tan(math.radians(hfov_deg) / 2.0), (w / 2.0, h / 2.0), facing, **angles)

    def rotation(self) -> np.ndarray:
        """``(3, 3)`` matrix taking subject-frame vectors (F, U, L) to camera coordinates."""
        r0 = np.array([[self.facing, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]])
        return _rz(self.roll_deg) @ _rx(self.pitch_deg) @ _ry(-self.facing * self.yaw_deg) @ r0


def sagittal_angle_deg(
    front_px: np.ndarray, back_px: np.ndarray, *, lateral_px: float, view: SideView
) -> float:
    """Angle below the forward horizontal of the back->front line, in the sagittal plane, degrees.

    Parameters
    ----------
    front_px, back_px : ndarray, shape (2,)
        The two points (e.g. ASIS and PSIS stickers), full-resolution pixels, y down.
    lateral_px : float
        How much nearer the camera the front point is than the back point, expressed in pixels
        at the subject's distance (``lateral gap / distance * focal``; e.g. ``0.044 * stature_px``).
    view : SideView
        The camera.

    Returns
    -------
    float
        Degrees in (-180, 180]; positive when the front point is lower (anterior tilt for
        ASIS/PSIS). NaN if a point is NaN.

    Notes
    -----
    Exact pinhole geometry in units of the back point's depth ``z``: with normalised image
    coordinates ``p = (back - c) / f`` and ``q = (front - c) / f``, the front point is
    ``(p, 1) + R (fwd F + up U + l L)`` with ``l = lateral_px / f``, and its image is
    ``q = (p + d_xy) / (1 + d_z)``. That is linear in ``fwd`` and ``up``:
    ``fwd (F_xy - q F_z) + up (U_xy - q U_z) = q - p - l (L_xy - q L_z)`` (``F = R e_F`` etc.),
    solved exactly; the angle is ``atan2(-up, fwd)`` (scale-free, so ``z`` is never needed).

    """
    p = np.asarray(back_px, float)
    q = np.asarray(front_px, float)
    if not (np.isfinite(p).all() and np.isfinite(q).all()):
        return math.nan
    c = np.asarray(view.principal_px, float)
    pn, qn = (p - c) / view.focal_px, (q - c) / view.focal_px
    f_c, u_c, l_c = view.rotation().T  # the camera-frame images of F, U and L

    def column(d: np.ndarray) -> np.ndarray:
        return d[:2] - qn * d[2]

    rhs = qn - pn - lateral_px / view.focal_px * column(l_c)
    fwd, up = np.linalg.solve(np.stack([column(f_c), column(u_c)], axis=1), rhs)
    return math.degrees(math.atan2(-up, fwd))
