"""Tests for the sticker tilt read in the sagittal plane with a camera model (pinhole, known angles).

The fixture builds the camera from its position and aim in a world frame (F forward = +x, U up = +z),
independently of :meth:`SideView.rotation`: centre ``D`` metres from the pelvis along the lateral
direction turned ``yaw`` towards the front, optical axis at the pelvis, then pitched down by ``pitch``
and rolled by ``roll`` (scene turned counter-clockwise). Stickers: PSIS at the pelvis point, ASIS
``ELL`` metres away in the sagittal direction ``tilt`` below forward, plus ``GAP x stature`` towards
the camera.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tiltscreen.kinematics.side_view import SideView, sagittal_angle_deg
from tiltscreen.kinematics.sticker_tilt import LATERAL_GAP, sticker_tilt_deg
from tiltscreen.pose.sticker_types import StickerPair

W, H, FOCAL = 1280, 720, 1000.0
STATURE_M, DIST_M, ELL = 1.70, 3.0, 0.15
F_, U_ = np.array([1.0, 0, 0]), np.array([0, 0, 1.0])


def _camera(facing: int, yaw: float, pitch: float, roll: float) -> tuple[np.ndarray, np.ndarray]:
    """World-to-camera rotation (rows x, y, z of the camera) and centre."""
    lat = np.array([0.0, -facing, 0.0])  # lateral towards the camera: -y for facing +1
    a = math.radians(yaw)
    centre = DIST_M * (math.cos(a) * lat + math.sin(a) * F_)
    z = -centre / np.linalg.norm(centre)
    x = np.cross(z, U_)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    p = math.radians(pitch)
    z, y = math.cos(p) * z + math.sin(p) * y, math.cos(p) * y - math.sin(p) * z  # nose down: axis towards -U
    r = math.radians(roll)
    x, y = math.cos(r) * x + math.sin(r) * y, -math.sin(r) * x + math.cos(r) * y
    return np.stack([x, y, z]), centre


def _project(pt: np.ndarray, rot: np.ndarray, centre: np.ndarray) -> np.ndarray:
    c = rot @ (pt - centre)
    return np.array([W / 2 + FOCAL * c[0] / c[2], H / 2 + FOCAL * c[1] / c[2]])


def _pair(tilt: float, facing: int, **angles: float) -> StickerPair:
    rot, centre = _camera(facing, **angles)
    lat = np.array([0.0, -facing, 0.0])
    t = math.radians(tilt)
    psis = np.array([0.0, 0.0, 0.0])
    asis = psis + ELL * (math.cos(t) * F_ - math.sin(t) * U_) + LATERAL_GAP * STATURE_M * lat
    stature_px = FOCAL * STATURE_M / DIST_M
    return StickerPair(_project(asis, rot, centre), _project(psis, rot, centre), 1.0, (), stature_px)


def test_fixture_roll_matches_the_convention() -> None:
    """A horizontal line across the view (along F, yaw 0) appears at +roll, y-up, counter-clockwise."""
    rot, centre = _camera(1, 0.0, 0.0, 3.0)
    a, b = _project(-0.5 * F_, rot, centre), _project(0.5 * F_, rot, centre)
    assert math.degrees(math.atan2(-(b - a)[1], (b - a)[0])) == pytest.approx(3.0, abs=1e-9)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize(
    "angles",
    [
        {"yaw": 0.0, "pitch": 0.0, "roll": 0.0},
        {"yaw": 10.0, "pitch": 0.0, "roll": 0.0},
        {"yaw": -15.0, "pitch": 2.5, "roll": 2.0},
        {"yaw": 5.0, "pitch": -3.0, "roll": -1.5},
    ],
)
def test_the_model_recovers_the_sagittal_tilt(facing: int, angles: dict) -> None:
    """With the camera's true angles the tilt is recovered to 0.01 deg: the model is exact pinhole geometry,
    but the lateral gap in pixels comes from the stature over the distance (f x 1.7 / 3) while the PSIS's
    depth along a pitched optical axis is 3 cos(pitch) m (0.1 % apart, 0.003 deg). Read as a plain image
    angle the tilt is off by up to a few degrees (yaw, pitch and roll all move it)."""
    pair = _pair(20.0, facing, **angles)
    view = SideView(FOCAL, (W / 2, H / 2), facing, yaw_deg=angles["yaw"], pitch_deg=angles["pitch"],
                    roll_deg=angles["roll"])  # fmt: skip
    got = sticker_tilt_deg([pair] * 20, facing, view=view).tilt_deg
    assert got == pytest.approx(20.0, abs=0.01)
    plain = sticker_tilt_deg([pair] * 20, facing, angles["roll"]).tilt_deg
    if angles["yaw"] or angles["pitch"]:
        assert abs(plain - 20.0) > 0.5


def test_pitch_moves_the_parallax_pivot_to_the_horizon() -> None:
    """Pitch 2.5 deg down, square view, camera aimed at the pelvis: the pelvis (at the camera's height) now
    appears f tan(2.5) = 43.7 px above the centre, on the horizon, which is also where the lateral
    direction vanishes. So the PSIS (0.0748 m further than the ASIS, 2.5 % of 3 m) shows no parallax and
    the plain image angle is right, while the former correction, pivoting on the image centre, pushes
    the PSIS 2.5 % of 43.7 = 1.09 px further up: over the 0.15 m x 1000 / 3 = 50 px between the stickers
    that is 1.09 / 50 rad = 1.25 deg too anterior."""
    from tiltscreen.kinematics.sticker_tilt import Parallax

    pair = _pair(20.0, 1, yaw=0.0, pitch=2.5, roll=0.0)
    plain = sticker_tilt_deg([pair] * 20, 1, 0.0).tilt_deg
    assert plain == pytest.approx(20.0, abs=0.05)
    centred = sticker_tilt_deg([pair] * 20, 1, 0.0, parallax=Parallax(FOCAL, (W / 2, H / 2), LATERAL_GAP))
    assert centred.tilt_deg - 20.0 == pytest.approx(1.25, abs=0.1)
    view = SideView(FOCAL, (W / 2, H / 2), 1, pitch_deg=2.5)
    assert sticker_tilt_deg([pair] * 20, 1, view=view).tilt_deg == pytest.approx(20.0, abs=0.05)


def test_view_validation_and_nan() -> None:
    with pytest.raises(ValueError, match="focal_px must be"):
        SideView(0.0, (1.0, 1.0), 1)
    with pytest.raises(ValueError, match="facing must be"):
        SideView(100.0, (1.0, 1.0), 0)
    v = SideView.from_hfov((W, H), 65.0, facing=1)
    assert v.focal_px == pytest.approx(640 / math.tan(math.radians(32.5)))
    assert math.isnan(sagittal_angle_deg(np.array([np.nan, 1.0]), np.zeros(2), lateral_px=1.0, view=v))
