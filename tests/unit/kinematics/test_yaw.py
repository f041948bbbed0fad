"""Tests for the yaw estimate from the apparent spacing of left/right pairs (projected stick figures).

The figure (tests/unit/kinematics/figures.py) has hips 0.191 H apart, heels and toes 0.18 m apart and a
trunk of 0.288 H, H = 1.75 m, seen orthographically with the mid-hip at the image centre (x = 640 of 1280).
So at yaw ``psi`` the hips appear ``0.191 / 0.288 sin(psi) = 0.6632 sin(psi)`` trunk lengths apart and the
feet ``0.18 / 0.504 sin(psi) = 0.3571 sin(psi)``. The hips sit on the optical axis, so a hips-only model
with that gain recovers ``psi`` exactly; pairs off the centre are read along their own line of sight.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from tests.unit.kinematics.figures import H, MakeFigure

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.view import expected_near_side
from tiltscreen.kinematics.yaw import YawModel, estimate_view_yaw, pair_separations

HIP_GAIN = 0.191 / 0.288
FOOT_GAIN = 0.18 / (0.288 * H)
MODEL = YawModel(
    gains={"hip": HIP_GAIN, "heel": FOOT_GAIN, "foot_index": FOOT_GAIN},
    spreads={"hip": 0.02, "heel": 0.04, "foot_index": 0.04},
    sd_deg=2.0,
)


HIPS = YawModel({"hip": HIP_GAIN}, {"hip": 0.02}, 2.0)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("yaw", [-25.0, -8.0, 0.0, 6.0, 20.0])
def test_exact_gains_recover_the_yaw_and_its_sign(make_figure: MakeFigure, facing: int, yaw: float) -> None:
    lm = make_figure(facing=facing, yaw=yaw)
    side = expected_near_side(facing)
    est = estimate_view_yaw(lm, side, facing=facing, model=HIPS)
    assert est.yaw_deg == pytest.approx(yaw, abs=1e-6)
    assert est.half95_deg == pytest.approx(1.96 * 2.0)
    sep, n, xs = pair_separations(lm, side, facing=facing, pairs=("hip",))
    assert sep["hip"] == pytest.approx(HIP_GAIN * math.sin(math.radians(yaw)), abs=1e-9) and n == lm.n_frames
    assert xs["hip"] == pytest.approx(640.0)


@pytest.mark.parametrize("facing", [1, -1])
def test_a_pair_off_the_centre_is_read_along_its_line_of_sight(make_figure: MakeFigure, facing: int) -> None:
    """The same body shifted so that its hips sit at x = 640 + f tan(10 deg) (f of the assumed 65-degree view,
    1004.6 px at 1280 px): their spacing shows the yaw of that line of sight, psi, while the optical axis is
    turned psi + facing x 10 degrees (axis = sight + facing atan(x / f))."""
    from tiltscreen.kinematics.side_view import assumed_focal_px

    shift = assumed_focal_px(1280) * math.tan(math.radians(10.0))
    lm = make_figure(facing=facing, yaw=5.0, n_frames=3, offset_px=np.tile([shift, 0.0], (3, 1)))
    est = estimate_view_yaw(lm, expected_near_side(facing), facing=facing, model=HIPS)
    assert est.yaw_deg == pytest.approx(5.0 + facing * 10.0, abs=1e-6)


def test_compressed_readings_need_the_fitted_gain(make_figure: MakeFigure) -> None:
    """A pose model that places far points at 60 % of their true spacing reads 20 deg as asin(0.6 sin 20) =
    11.8 deg with the anatomical gains; the model fitted to that compression (gains x 0.6) reads 20."""
    lm = make_figure(facing=1, yaw=20.0)
    xyz = lm.xyz.copy()
    # hips only: the figure's feet are off the centre (read along their own lines of sight)
    for name in ("hip", "heel", "foot_index"):
        near, far = lm.skeleton.index(f"right_{name}"), lm.skeleton.index(f"left_{name}")
        mid, half = (xyz[:, far, 0] + xyz[:, near, 0]) / 2, (xyz[:, far, 0] - xyz[:, near, 0]) / 2
        xyz[:, far, 0], xyz[:, near, 0] = mid + 0.6 * half, mid - 0.6 * half  # midpoints (and the trunk) kept
    squeezed = dataclasses.replace(lm, xyz=xyz)
    anatomical = estimate_view_yaw(squeezed, "right", facing=1, model=HIPS).yaw_deg
    assert anatomical == pytest.approx(math.degrees(math.asin(0.6 * math.sin(math.radians(20)))), abs=1e-6)
    fitted = YawModel({k: 0.6 * v for k, v in HIPS.gains.items()}, HIPS.spreads, HIPS.sd_deg)
    assert estimate_view_yaw(squeezed, "right", facing=1, model=fitted).yaw_deg == pytest.approx(
        20.0, abs=1e-6
    )


def test_missing_pairs_widen_the_interval_and_none_gives_nan(make_figure: MakeFigure) -> None:
    """Without the feet only the hips' weight (0.6632/0.02)^2 = 1099.6 of the total 1099.6 + 2 x
    (0.3571/0.04)^2 = 1259.0 remains: the half-width grows by sqrt(1259.0 / 1099.6) = 1.070, and the
    estimate is the hips' alone (exact, on the axis)."""
    lm = make_figure(facing=1, yaw=10.0)
    xyz = lm.xyz.copy()
    for name in ("left_heel", "right_heel", "left_foot_index", "right_foot_index"):
        xyz[:, lm.skeleton.index(name)] = np.nan
    est = estimate_view_yaw(dataclasses.replace(lm, xyz=xyz), "right", facing=1, model=MODEL)
    assert est.yaw_deg == pytest.approx(10.0, abs=1e-6)
    w_hip, w_foot = (HIP_GAIN / 0.02) ** 2, (FOOT_GAIN / 0.04) ** 2
    assert est.half95_deg == pytest.approx(1.96 * 2.0 * math.sqrt((w_hip + 2 * w_foot) / w_hip))
    for name in ("left_hip", "right_hip"):
        xyz[:, lm.skeleton.index(name)] = np.nan
    none = estimate_view_yaw(dataclasses.replace(lm, xyz=xyz), "right", facing=1, model=MODEL)
    assert math.isnan(none.yaw_deg) and math.isnan(none.half95_deg)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"gains": {"hip": 0.5}, "spreads": {"heel": 0.1}}, "same", id="names"),
        pytest.param({"gains": {"hip": -0.5}, "spreads": {"hip": 0.1}}, "positive", id="gain"),
        pytest.param({"gains": {"hip": 0.5}, "spreads": {"hip": 0.1}, "sd_deg": 0.0}, "sd_deg", id="sd"),
    ],
)
def test_model_validation(kwargs: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        YawModel(**kwargs)
