"""Tests for camera roll and the combined view check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.unit.kinematics.figures import MakeFigure

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics import view
from tiltscreen.kinematics.camera import ViewCheck, check_view, estimate_roll_deg, roll_from_marker
from tiltscreen.kinematics.sagittal import trunk_inclination_deg


def _line_px(angle_deg: float, n: int = 9) -> np.ndarray:
    """Image points (y down) on a line through (400, 500) at ``angle_deg`` counter-clockwise in y-up terms."""
    s = np.linspace(-300, 300, n)
    a = np.deg2rad(angle_deg)
    return np.stack([400 + s * np.cos(a), 500 - s * np.sin(a)], axis=1)


@pytest.mark.parametrize("angle", [-10.0, -3.0, 0.0, 2.5, 45.0, 90.0])
def test_roll_from_points_known_answer(angle: float) -> None:
    assert estimate_roll_deg(_line_px(angle)) == pytest.approx(angle, abs=1e-9)
    assert estimate_roll_deg(_line_px(angle)[::-1]) == pytest.approx(angle, abs=1e-9)  # order does not matter


def test_roll_from_noisy_points_and_nan_rows(rng: np.random.Generator) -> None:
    pts = _line_px(3.0, n=50) + rng.normal(0, 1.0, (50, 2))
    pts[[3, 10]] = np.nan
    assert estimate_roll_deg(pts) == pytest.approx(3.0, abs=0.2)


@pytest.mark.parametrize(
    ("points", "match"),
    [
        pytest.param([[1.0, 2.0]], "at least two distinct", id="one-point"),
        pytest.param([[1.0, 2.0], [1.0, 2.0]], "at least two distinct", id="same-point"),
        pytest.param([[1.0, 2.0], [np.nan, 1.0]], "at least two distinct", id="nan"),
        pytest.param([1.0, 2.0], r"shape \(n, 2\)", id="1d"),
        pytest.param([[1.0, 2.0, 3.0]], "last axis of length 2", id="3-columns"),
    ],
)
def test_roll_invalid_points(points: list, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        estimate_roll_deg(np.array(points))


def _marker(roll_deg: float, *, side: float = 80.0) -> np.ndarray:
    """Corners TL, TR, BR, BL (image px) of a square centred at (600, 300), turned ``roll_deg`` ccw (y-up)."""
    up = np.array([[-1, 1], [1, 1], [1, -1], [-1, -1]]) * side / 2
    a = np.deg2rad(roll_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    turned = up @ rot.T
    return np.stack([600 + turned[:, 0], 300 - turned[:, 1]], axis=1)


@pytest.mark.parametrize("roll", [-4.0, 0.0, 3.0, 12.0])
def test_roll_from_marker(roll: float) -> None:
    horizontal, vertical = roll_from_marker(_marker(roll))
    assert horizontal == pytest.approx(roll, abs=1e-9)
    assert vertical == pytest.approx(roll, abs=1e-9)


def test_marker_under_perspective_disagrees() -> None:
    """Top edge shortened (marker tilted back): the vertical edges lean inwards and the check differs."""
    c = _marker(0.0)
    c[0, 0] += 8.0
    c[1, 0] -= 8.0
    horizontal, vertical = roll_from_marker(c)
    assert horizontal == pytest.approx(0.0, abs=1e-9)
    assert vertical == pytest.approx(0.0, abs=1e-9)  # symmetric keystone cancels in the mean ...
    c[1, 0] += 8.0  # ... an asymmetric one does not
    assert abs(roll_from_marker(c)[1] - roll_from_marker(c)[0]) > 1.0


@pytest.mark.parametrize(
    ("corners", "match"),
    [
        pytest.param(_marker(0.0)[[2, 3, 0, 1]], "beyond 45", id="wrong-order"),
        pytest.param(_marker(0.0)[:3], r"shape \(4, 2\)", id="three-corners"),
        pytest.param(np.where(np.eye(4, 2, dtype=bool), np.nan, _marker(0.0)), "must be finite", id="nan"),
    ],
)
def test_marker_invalid(corners: np.ndarray, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        roll_from_marker(corners)


@pytest.mark.parametrize("facing", [1, -1])
def test_roll_from_floor_points_corrects_trunk(make_figure: MakeFigure, facing: int) -> None:
    """Heels and toes of a standing figure lie on the floor; their line gives the roll to remove."""
    lm = make_figure(lean=10.0, roll=4.0, facing=facing)
    floor = np.concatenate([lm.point(n)[:1] for n in ("left_heel", "left_foot_index", "right_heel")])
    roll = estimate_roll_deg(floor)
    assert roll == pytest.approx(4.0, abs=1e-9)
    side = view.expected_near_side(facing)
    np.testing.assert_allclose(trunk_inclination_deg(lm, side, facing, roll_deg=roll), 10.0, atol=1e-9)


def test_check_view_messages() -> None:
    ok = check_view(1.0, 9.0, max_roll_deg=2, max_yaw_deg=15)
    assert ok == ViewCheck(roll_deg=1.0, yaw_deg=9.0, within_limits=True, reasons=())
    bad = check_view(-3.04, 22.0, max_roll_deg=2, max_yaw_deg=15)
    assert not bad.within_limits
    assert bad.reasons == (
        "Level the camera: the image is tilted 3.0° (turn the camera clockwise as seen from behind it), "
        "limit 2°.",
        "Turn the camera square to the subject's side: it sees part of the subject's front, about 22° off "
        "square (limit 15°). Move it round towards their back by about 22°, or ask them to turn that much "
        "away from the camera.",
    )
    assert "counter-clockwise" in check_view(3.0, None, max_roll_deg=2, max_yaw_deg=15).reasons[0]
    assert "subject's back" in check_view(None, -16.0, max_roll_deg=2, max_yaw_deg=15).reasons[0]


@pytest.mark.parametrize(
    ("roll", "yaw", "within", "n_reasons"),
    [
        pytest.param(2.0, 15.0, True, 0, id="at-limits-pass"),
        pytest.param(None, None, True, 0, id="nothing-measured"),
        pytest.param(math.nan, 0.0, False, 1, id="roll-failed"),
        pytest.param(0.0, math.nan, False, 1, id="yaw-failed"),
        pytest.param(np.float32(5.0), None, False, 1, id="numpy-scalar"),
    ],
)
def test_check_view_edges(roll: float | None, yaw: float | None, within: bool, n_reasons: int) -> None:
    out = check_view(roll, yaw, max_roll_deg=2.0, max_yaw_deg=15.0)
    assert out.within_limits is within
    assert len(out.reasons) == n_reasons


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        pytest.param(
            (0.0, 0.0), {"max_roll_deg": 0, "max_yaw_deg": 15}, "max_roll_deg must be", id="zero-limit"
        ),
        pytest.param((0.0, 0.0), {"max_roll_deg": 2, "max_yaw_deg": "15"}, "max_yaw_deg must be", id="text"),
        pytest.param(
            ("1", 0.0), {"max_roll_deg": 2, "max_yaw_deg": 15}, "roll_deg must be a number or None", id="roll"
        ),
    ],
)
def test_check_view_invalid(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        check_view(*args, **kwargs)


def test_view_module_re_exports_roll_and_check() -> None:
    assert view.estimate_roll_deg is estimate_roll_deg and view.check_view is check_view
