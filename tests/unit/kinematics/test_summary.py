"""Tests for window medians and the quiet-standing window."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from tests.unit.kinematics.figures import MakeFigure

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.summary import body_height_px, landmark_motion, quiet_window, window_median


def test_window_median_known_answer() -> None:
    """Values 1, 2, (NaN), 4 inside [0, 3]: median 2, IQR 3.0 - 1.5 = 1.5, n 3; 100 at t=4 left out."""
    assert window_median([1.0, 2.0, np.nan, 4.0, 100.0], [0.0, 1.0, 2.0, 3.0, 4.0], (0.0, 3.0)) == (
        2.0,
        1.5,
        3,
    )


def test_window_median_empty_window() -> None:
    median, iqr, n = window_median([1.0, 2.0], [0.0, 1.0], (5.0, 6.0))
    assert math.isnan(median) and math.isnan(iqr) and n == 0


@pytest.mark.parametrize(
    ("values", "times", "window", "match"),
    [
        pytest.param([1.0, 2.0], [0.0], (0, 1), "equal length", id="length"),
        pytest.param([[1.0]], [[0.0]], (0, 1), "1-D", id="2d"),
        pytest.param([1.0], [np.nan], (0, 1), "times must be finite", id="nan-time"),
        pytest.param([1.0], [0.0], (2, 1), "must not be after its end", id="reversed"),
        pytest.param([1.0], [0.0], (0, np.inf), "window end must be", id="inf"),
        pytest.param([1.0], [0.0], 3.0, "window must be", id="scalar"),
    ],
)
def test_window_median_invalid(values: list, times: list, window: object, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        window_median(values, times, window)  # type: ignore[arg-type]


def _sway_then_still(make_figure: MakeFigure, *, noise_px: float = 0.5):  # noqa: ANN202
    """4 s at 30 fps: drift forward at 120 px/s for 1 s, stand still 1-3 s, drift again 3-4 s.

    Body height (eye to heel) is about 1.6 m x 350 px/m ~ 550 px, so the drift is ~0.2 body
    heights per second - four times the 0.05 threshold - and 0.5 px jitter measured over
    0.2 s is ~0.01 body heights per second. Frames from 1.0 s are still, and so is a frame
    up to 0.05 s earlier (4 px of its 0.2 s span drifting reads 20 px/s < 0.05 body
    heights/s); frames from 2.8 s see the second drift within their span. So the still run
    is ~[0.95, 2.8] s.
    """
    t = np.arange(120) / 30.0
    x = 120.0 * (np.clip(t, 0, 1.0) + np.clip(t - 3.0, 0, None))
    offset = np.stack([x, np.zeros_like(x)], axis=1)
    return make_figure(n_frames=120, offset_px=offset, noise_px=noise_px)


def test_quiet_window_found(make_figure: MakeFigure) -> None:
    lm = _sway_then_still(make_figure)
    found = quiet_window(lm)
    assert found is not None
    assert 0.94 <= found.start_s <= 1.0
    assert 2.7 <= found.end_s <= 3.0
    assert found.window == (found.start_s, found.end_s)
    assert found.duration_s == pytest.approx(found.end_s - found.start_s)
    assert found.median_motion < 0.05
    assert found.stop_index - found.start_index == round(found.duration_s * 30) + 1


def test_quiet_window_none_when_too_short_or_moving(make_figure: MakeFigure) -> None:
    lm = _sway_then_still(make_figure)
    assert quiet_window(lm, min_duration_s=2.5) is None
    assert quiet_window(lm, max_motion=0.001) is None


def test_missing_frames_break_the_window(make_figure: MakeFigure) -> None:
    lm = _sway_then_still(make_figure)
    xyz = lm.xyz.copy()
    xyz[60] = np.nan  # t = 2.0 s: the still stretch splits into ~[1.0, 1.8] and ~[2.0, 2.8]
    holed = dataclasses.replace(lm, xyz=xyz)
    assert quiet_window(holed, min_duration_s=1.0) is None
    found = quiet_window(holed, min_duration_s=0.5)
    assert found is not None and found.end_s < 2.0


def test_motion_scale_and_nan(make_figure: MakeFigure) -> None:
    lm = _sway_then_still(make_figure, noise_px=0.0)
    height = body_height_px(lm)
    assert 500 < height < 600
    motion = landmark_motion(lm)
    np.testing.assert_allclose(motion[:20], 120.0 / height, rtol=1e-9)  # whole 0.2 s span inside the drift
    np.testing.assert_allclose(motion[30:80], 0.0, atol=1e-12)
    assert np.isnan(landmark_motion(lm.select(slice(0, 3)))).all()  # shorter than the span


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"min_duration_s": -1.0}, "min_duration_s must be", id="duration"),
        pytest.param({"max_motion": 0.0}, "max_motion must be", id="motion"),
        pytest.param({"span_s": math.inf}, "span_s must be", id="span"),
    ],
)
def test_quiet_window_invalid(make_figure: MakeFigure, kwargs: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        quiet_window(make_figure(), **kwargs)
