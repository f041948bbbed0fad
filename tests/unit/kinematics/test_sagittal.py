"""Tests for the sagittal angles on synthetic stick figures (expected values: see conftest)."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.kinematics.figures import SCALE, TRUNK, MakeFigure

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics import sagittal
from tiltscreen.kinematics.sagittal import (
    hip_extension_deg,
    hip_flexion_deg,
    knee_flexion_deg,
    knee_hyperextension_deg,
    plumb_offsets_px,
    segment_angle_to_horizontal_deg,
    thigh_inclination_deg,
    trunk_inclination_deg,
)

FACINGS = [pytest.param(1, id="faces-right"), pytest.param(-1, id="faces-left")]


def _side(facing: int) -> str:
    return "right" if facing == 1 else "left"


@pytest.mark.parametrize("facing", FACINGS)
def test_standing_lean_10_same_answer_either_way(make_figure: MakeFigure, facing: int) -> None:
    """Trunk 10 deg forward, thigh vertical, leg straight: trunk 10, hip flexion 10, thigh 0, knee 0."""
    lm = make_figure(lean=10.0, facing=facing)
    side = _side(facing)
    np.testing.assert_allclose(trunk_inclination_deg(lm, side, facing), 10.0, atol=1e-9)
    np.testing.assert_allclose(trunk_inclination_deg(lm, side, facing, midline=True), 10.0, atol=1e-9)
    np.testing.assert_allclose(hip_flexion_deg(lm, side, facing), 10.0, atol=1e-9)
    np.testing.assert_allclose(hip_extension_deg(lm, side, facing), -10.0, atol=1e-9)
    np.testing.assert_allclose(thigh_inclination_deg(lm, side, facing), 0.0, atol=1e-9)
    np.testing.assert_allclose(knee_flexion_deg(lm, side), 0.0, atol=1e-9)


def test_wrong_facing_flips_the_sign(make_figure: MakeFigure) -> None:
    lm = make_figure(lean=10.0, facing=1)
    np.testing.assert_allclose(trunk_inclination_deg(lm, "right", -1), -10.0, atol=1e-9)


@pytest.mark.parametrize("facing", FACINGS)
def test_seated_hip_90_knee_20(make_figure: MakeFigure, facing: int) -> None:
    """Trunk upright, thigh horizontal, knee bent 20: hip flexion 90, thigh 90, knee 20, hyperext -20."""
    lm = make_figure(lean=0.0, thigh=90.0, knee=20.0, facing=facing)
    side = _side(facing)
    np.testing.assert_allclose(hip_flexion_deg(lm, side, facing), 90.0, atol=1e-9)
    np.testing.assert_allclose(thigh_inclination_deg(lm, side, facing), 90.0, atol=1e-9)
    np.testing.assert_allclose(knee_flexion_deg(lm, side), 20.0, atol=1e-9)
    np.testing.assert_allclose(knee_hyperextension_deg(lm, side, facing), -20.0, atol=1e-9)
    np.testing.assert_allclose(trunk_inclination_deg(lm, side, facing), 0.0, atol=1e-9)
    np.testing.assert_allclose(
        segment_angle_to_horizontal_deg(lm, f"{side}_hip", f"{side}_knee", facing=facing), 0.0, atol=1e-9
    )


@pytest.mark.parametrize("facing", FACINGS)
def test_sit_and_reach_fold(make_figure: MakeFigure, facing: int) -> None:
    """Legs straight forward (thigh 90, knee 0), trunk folded 50 forward: hip flexion 140."""
    lm = make_figure(lean=50.0, thigh=90.0, knee=0.0, facing=facing)
    side = _side(facing)
    np.testing.assert_allclose(hip_flexion_deg(lm, side, facing), 140.0, atol=1e-9)
    np.testing.assert_allclose(trunk_inclination_deg(lm, side, facing), 50.0, atol=1e-9)
    hip_to_shoulder = segment_angle_to_horizontal_deg(lm, f"{side}_hip", f"{side}_shoulder", facing=facing)
    np.testing.assert_allclose(hip_to_shoulder, 40.0, atol=1e-9)


@pytest.mark.parametrize("facing", FACINGS)
def test_standing_hip_extension_and_knee_recurvatum(make_figure: MakeFigure, facing: int) -> None:
    """Thigh 8 deg behind vertical, knee hyperextended 5: hip extension 8, knee hyperextension +5."""
    lm = make_figure(thigh=-8.0, knee=-5.0, facing=facing)
    side = _side(facing)
    np.testing.assert_allclose(hip_extension_deg(lm, side, facing), 8.0, atol=1e-9)
    np.testing.assert_allclose(hip_flexion_deg(lm, side, facing), -8.0, atol=1e-9)
    np.testing.assert_allclose(knee_hyperextension_deg(lm, side, facing), 5.0, atol=1e-9)
    np.testing.assert_allclose(knee_flexion_deg(lm, side), 5.0, atol=1e-9)
    np.testing.assert_allclose(thigh_inclination_deg(lm, side, facing), -8.0, atol=1e-9)


@pytest.mark.parametrize("facing", FACINGS)
def test_roll_adds_one_for_one_and_is_removed(make_figure: MakeFigure, facing: int) -> None:
    """A 3 deg counter-clockwise image roll tilts a right-facing trunk 3 deg back (left-facing: forward).

    Included angles (hip, knee flexion) do not change.
    """
    side = _side(facing)
    level = make_figure(lean=10.0, thigh=20.0, knee=15.0, facing=facing)
    rolled = make_figure(lean=10.0, thigh=20.0, knee=15.0, facing=facing, roll=3.0)
    change = trunk_inclination_deg(rolled, side, facing) - trunk_inclination_deg(level, side, facing)
    np.testing.assert_allclose(change, -3.0 * facing, atol=1e-9)
    fixed = trunk_inclination_deg(rolled, side, facing, roll_deg=3.0)
    np.testing.assert_allclose(fixed, 10.0, atol=1e-9)
    np.testing.assert_allclose(thigh_inclination_deg(rolled, side, facing, roll_deg=3.0), 20.0, atol=1e-9)
    for func in (hip_flexion_deg, knee_hyperextension_deg):
        np.testing.assert_allclose(func(rolled, side, facing), func(level, side, facing), atol=1e-9)
    np.testing.assert_allclose(knee_flexion_deg(rolled, side), 15.0, atol=1e-9)


@pytest.mark.parametrize("facing", FACINGS)
def test_plumb_offsets(make_figure: MakeFigure, facing: int) -> None:
    """Legs vertical, trunk leaning 10: hip and knee over the ankle; shoulder T sin 10 ahead, ear further."""
    side = _side(facing)
    offsets = plumb_offsets_px(make_figure(lean=10.0, facing=facing, roll=2.0), side, facing, roll_deg=2.0)
    assert tuple(offsets) == sagittal.PLUMB_PARTS
    np.testing.assert_allclose(offsets["hip"], 0.0, atol=1e-9)
    np.testing.assert_allclose(offsets["knee"], 0.0, atol=1e-9)
    np.testing.assert_allclose(offsets["shoulder"], SCALE * TRUNK * np.sin(np.deg2rad(10)), atol=1e-9)
    np.testing.assert_allclose(offsets["ear"], SCALE * (TRUNK + 0.15) * np.sin(np.deg2rad(10)), atol=1e-9)


def test_missing_landmark_gives_nan_in_that_frame_only(make_figure: MakeFigure) -> None:
    lm = make_figure(lean=10.0)
    xyz = lm.xyz.copy()
    xyz[2, lm.skeleton.index("right_shoulder")] = np.nan
    xyz[3, lm.skeleton.index("right_ankle")] = np.nan
    holed = lm.with_step("test_hole", xyz=xyz)
    trunk = trunk_inclination_deg(holed, "right", 1)
    knee = knee_flexion_deg(holed, "right")
    assert np.isnan(trunk[2]) and np.isfinite(np.delete(trunk, 2)).all()
    assert np.isnan(knee[3]) and np.isfinite(np.delete(knee, 3)).all()
    assert trunk.shape == (lm.n_frames,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"side": "up"}, "side must be 'left' or 'right', got 'up'", id="side"),
        pytest.param({"facing": 0}, r"facing must be \+1", id="facing-zero"),
        pytest.param({"facing": True}, r"facing must be \+1", id="facing-bool"),
        pytest.param({"roll_deg": 90.0}, r"roll_deg must be a finite number in \[-45, 45\]", id="roll-big"),
        pytest.param({"roll_deg": float("nan")}, "roll_deg must be", id="roll-nan"),
        pytest.param({"side": "x", "facing": 2}, "side must .*; facing must", id="all-problems-at-once"),
    ],
)
def test_invalid_inputs(make_figure: MakeFigure, kwargs: dict, match: str) -> None:
    args = {"side": "right", "facing": 1, "roll_deg": 0.0} | kwargs
    lm = make_figure()
    with pytest.raises(ValidationError, match=match):
        trunk_inclination_deg(lm, args["side"], args["facing"], roll_deg=args["roll_deg"])


def test_not_landmarks_raises() -> None:
    with pytest.raises(ValidationError, match="lm must be a Landmarks, got ndarray"):
        hip_flexion_deg(np.zeros((3, 33, 3)), "left", 1)  # type: ignore[arg-type]
