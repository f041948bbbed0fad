from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.kinematics.level import METHOD_MARKER, LevelSpreads
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.markers import MarkerDetection
from tiltscreen.protocols import level
from tiltscreen.protocols.sit_and_reach import measure

W, H = 1000, 500


def seated(n: int = 20, *, leg_px: float = 491.0) -> Landmarks:
    """A figure sitting on the floor facing image-left: left hip (600, 400), knee (355.5, 400),
    ankle (110, 400) px, so the near (left) leg is 245.5 + 245.5 = 491 px long."""
    lm = Landmarks.empty(n, timestamps_s=np.arange(n) / 30.0, image_size=(W, H), fps=30.0)
    xyz = lm.xyz.copy()
    pts = {"left_hip": (600, 400), "left_knee": (600 - leg_px / 2, 400), "left_ankle": (600 - leg_px, 400)}
    for name, (x, y) in pts.items():
        xyz[:, lm.skeleton.index(name), :2] = (x / W, y / H)
        xyz[:, lm.skeleton.index(name), 2] = 0.0
    return Landmarks(
        xyz=xyz,
        visibility=np.ones((n, 33)),
        presence=np.ones((n, 33)),
        world=lm.world,
        timestamps_s=lm.timestamps_s,
        frame_index=lm.frame_index,
        image_size=(W, H),
        fps=30.0,
    )


def test_height_scale_from_leg_length() -> None:
    """491 px of leg = 0.491 x 170 cm = 83.47 cm, so 5.882 px/cm."""
    s = measure.height_scale(seated(), "left", stature_cm=170.0, rows=slice(None))
    assert s.source == "height" and s.px_per_cm == pytest.approx(491 / (0.491 * 170))
    assert s.rel_uncertainty == measure.LOWER_LIMB_REL_SD


def test_marker_scale_and_none() -> None:
    """A 40 px square marker of 10 cm: 4 px/cm; uncertainty hypot(1/40, 0.05)."""
    sq = np.array([[0, 0], [40, 0], [40, 40], [0, 40]], float)
    s = measure.marker_scale([MarkerDetection(0, sq), MarkerDetection(0, sq + 1)], size_cm=10.0)
    assert s.px_per_cm == pytest.approx(4.0) and s.rel_uncertainty == pytest.approx(np.hypot(1 / 40, 0.05))
    assert measure.marker_scale([], size_cm=10.0) is None


def test_roll_sources() -> None:
    """A marker turned 2 deg counter-clockwise (y-up) gives roll +2 from its vertical edges; with no marker
    and no room verticals in view the camera is assumed level: roll 0 with the assumed allowance
    (1.96 x 1.2 deg here). Floor contacts are no longer a roll source (a floor line receding in depth
    leans with the yaw: see kinematics.level), so the former floor-point case is gone."""
    a = np.radians(2.0)
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])  # counter-clockwise on screen (y down)
    sq = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], float) @ rot.T
    r = level.roll_estimate([MarkerDetection(0, sq)], [], (W, H))
    assert r.deg == pytest.approx(2.0, abs=1e-6) and r.method == METHOD_MARKER and not r.assumed
    none = level.roll_estimate([], [], (W, H), spreads=LevelSpreads(assumed_sd_deg=1.2))
    assert none.deg == 0.0 and none.assumed and none.uncertainty_deg == pytest.approx(1.96 * 1.2)
    assert none.sd_deg == pytest.approx(1.2)


@pytest.mark.parametrize(
    ("facing", "tip_x", "expected"),
    [
        pytest.param(-1, 90.0, 20.0, id="facing-left-past-toes"),
        pytest.param(-1, 130.0, -20.0, id="short"),
        pytest.param(1, 130.0, 20.0, id="facing-right"),
    ],
)
def test_reach_sign_follows_facing(facing: int, tip_x: float, expected: float) -> None:
    """Toe at x = 110 px; a fingertip 20 px further in the facing direction reaches +20 px."""
    assert measure.reach_px(
        np.array([tip_x, 300.0]), np.array([110.0, 300.0]), facing=facing, roll_deg=0.0
    ) == (pytest.approx(expected))


def test_reach_is_measured_along_the_floor() -> None:
    """With the image rolled 10 deg (y-up, counter-clockwise), a vector of 100 px along the tilted floor
    (100 cos10, -100 sin10 in image coordinates, i.e. rising to the right) measures 100 px."""
    a = np.radians(10)
    vec = np.array([100 * np.cos(a), -100 * np.sin(a)])
    assert measure.forward_component(vec, facing=1, roll_deg=10.0) == pytest.approx(100.0)


def test_visibility_and_in_frame() -> None:
    """Unknown (NaN) landmarks are no evidence of a part leaving the image: the subject is in frame.

    (The previous rule counted every landmark not inside the image, NaN ones included, as out of frame;
    out-of-frame now needs a part really leaving the image, see tests/unit/protocols/sit_and_reach/
    test_edges.py.)"""
    lm = seated()
    assert measure.visible_fraction(lm, "left").tolist() == [1.0] * lm.n_frames
    assert measure.in_frame(lm, "left", None).all()  # shoulder, wrist, index, foot index are NaN here


def test_in_frame_uses_the_mask_at_the_border() -> None:
    """The near ankle at x = 110 px of 1000 (0.11) and the mask touching the left border at
    y = 0.75-0.85 (the ankle is at y = 0.8): within 0.08 of the border? No (0.11 > 0.08): in frame. Moving
    the ankle to x = 5 px (0.005) puts it next to the contact: out of frame."""
    lm = seated(3)
    contacts = np.full((3, 4, 2), np.nan)
    contacts[:, 0] = [0.75, 0.85]
    assert measure.in_frame(lm, "left", contacts).all()
    xyz = lm.xyz.copy()
    xyz[:, lm.skeleton.index("left_ankle"), 0] = 0.005
    moved = Landmarks(
        xyz=xyz,
        visibility=lm.visibility,
        presence=lm.presence,
        world=lm.world,
        timestamps_s=lm.timestamps_s,
        frame_index=lm.frame_index,
        image_size=(W, H),
        fps=30.0,
    )
    assert not measure.in_frame(moved, "left", contacts).any()
