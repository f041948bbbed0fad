"""Tests for camera yaw and foot separation on projected stick figures (kinematics.view_yaw)."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.kinematics.figures import MakeFigure
from tests.unit.kinematics.figures import blank_landmarks as _blank

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics import view, view_facing, view_yaw
from tiltscreen.kinematics.view_facing import expected_near_side
from tiltscreen.kinematics.view_yaw import (
    estimate_yaw_deg,
    foot_separation,
    oblique_view_reason,
)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("yaw", [-20.0, 0.0, 5.0, 10.0, 20.0, 30.0])
def test_yaw_recovered_exactly_without_noise(make_figure: MakeFigure, facing: int, yaw: float) -> None:
    """Proportions as assumed, orthographic, no noise: image and world estimates within 1e-6 deg."""
    lm = make_figure(facing=facing, yaw=yaw)
    est = estimate_yaw_deg(lm, expected_near_side(facing))
    assert est.image_yaw_deg == pytest.approx(yaw, abs=1e-6)
    assert est.world_yaw_deg == pytest.approx(yaw, abs=1e-6)
    assert est.yaw_deg == est.image_yaw_deg
    assert est.n_frames == lm.n_frames


def test_yaw_with_landmark_noise(make_figure: MakeFigure) -> None:
    """2 px noise on a ~176 px trunk, 60 frames: the median is within 1.5 deg and the uncertainty."""
    for yaw in (0.0, 12.0, 25.0):
        est = estimate_yaw_deg(
            make_figure(yaw=yaw, n_frames=60, noise_px=2.0, world=False), "right", facing=1
        )
        assert abs(est.yaw_deg - yaw) < 1.5
        assert abs(est.yaw_deg - yaw) <= est.uncertainty_deg
        assert np.isnan(est.world_yaw_deg)


def test_yaw_model_error_from_body_proportions(make_figure: MakeFigure) -> None:
    """Shoulders 15 % narrower than assumed at 20 deg yaw: biased low, yet inside the stated uncertainty.

    The world estimate (no proportions needed) still reads 20, so the uncertainty widens to cover it.
    """
    est = estimate_yaw_deg(make_figure(yaw=20.0, shoulder_scale=0.85), "right", facing=1)
    assert 16.0 < est.image_yaw_deg < 19.5
    assert est.world_yaw_deg == pytest.approx(20.0, abs=1e-6)
    assert abs(est.yaw_deg - 20.0) <= est.uncertainty_deg


def test_yaw_computes_facing_and_handles_missing(make_figure: MakeFigure) -> None:
    lm = make_figure(facing=-1, yaw=10.0)
    assert estimate_yaw_deg(lm, "left").yaw_deg == pytest.approx(10.0, abs=1e-6)
    gone = _blank(lm, ["left_shoulder", "right_shoulder", "left_hip", "right_hip"])
    est = estimate_yaw_deg(gone, "left", facing=-1)
    assert np.isnan(est.yaw_deg) and est.n_frames == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"side": "front"}, "side must be 'left' or 'right'", id="side"),
        pytest.param({"facing": 3}, "facing must be", id="facing"),
        pytest.param({"ratio_rel_uncertainty": -0.1}, "ratio_rel_uncertainty must be", id="ratio"),
    ],
)
def test_yaw_invalid_inputs(make_figure: MakeFigure, kwargs: dict, match: str) -> None:
    args = {"side": "right", "facing": 1} | kwargs
    side = args.pop("side")
    with pytest.raises(ValidationError, match=match):
        estimate_yaw_deg(make_figure(), side, **args)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("yaw", [-30.0, -10.0, 0.0, 10.0, 30.0])
def test_foot_separation_follows_yaw_either_way(make_figure: MakeFigure, facing: int, yaw: float) -> None:
    """Feet 2 x 0.09 m apart, trunk 0.288 H upright: separation = 0.18 |sin(yaw)| / (0.288 H) trunk lengths.

    With H = 1.75 m the trunk is 0.504 m, so 0.357 |sin(yaw)|: 0 at 0 degrees, 0.062 at 10 and 0.179 at
    30 degrees. The sign of the yaw (camera towards the back or the front) does not matter. The figure's
    feet are narrower than real stances (renders: 0.26-0.46 at 20-30 degrees), so only the formula is
    checked here, and that a wide apparent stance gives a reason while a square view gives none.
    """
    from tests.unit.kinematics.figures import H

    lm = make_figure(facing=facing, yaw=yaw)
    side = expected_near_side(facing)
    expected = 0.18 * abs(np.sin(np.deg2rad(yaw))) / (0.288 * H)
    assert foot_separation(lm, side, facing=facing) == pytest.approx(expected, abs=1e-9)
    reason = oblique_view_reason(lm, side, facing=facing, max_separation=0.1)  # 0.062 at 10, 0.179 at 30
    assert (reason is None) == (abs(yaw) < 20)
    assert reason is None or "obliquely" in reason
    assert oblique_view_reason(lm, side, facing=facing) is None  # 0.179 < MAX_FOOT_SEPARATION


def test_foot_separation_nan_without_feet(make_figure: MakeFigure) -> None:
    """No foot landmarks at all: NaN, and no reason (the cue cannot refuse what it cannot see)."""
    lm = make_figure(facing=1, yaw=30.0)
    feet = [f"{s}_{p}" for s in ("left", "right") for p in ("ankle", "heel", "foot_index")]
    lm = _blank(lm, feet)
    assert np.isnan(foot_separation(lm, "right", facing=1))
    assert oblique_view_reason(lm, "right", facing=1) is None


def test_view_module_re_exports_facing_and_yaw() -> None:
    """Callers of ``kinematics.view`` keep every name that moved to view_facing and view_yaw."""
    for module in (view_facing, view_yaw):
        for name in set(module.__all__) - {"finite_median", "torso_px"}:
            assert getattr(view, name) is getattr(module, name)
