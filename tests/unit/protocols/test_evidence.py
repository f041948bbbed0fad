"""The posture evidence that a recording shows its test, on stick figures with known angles.

Figures (tests/unit/kinematics/figures.py): orthographic side view, thigh and shank 0.245 H and
0.246 H, trunk 0.288 H, so the hip-ankle distance of straight legs is 0.491 / 0.288 = 1.70
trunk lengths. ``thigh`` is the thigh's angle forward of straight down: 90 puts it along the
floor (incline 0 from the horizontal), 60 inclines it 30 degrees, 50 inclines it 40 degrees.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tests.unit.kinematics.figures import make_figure

from tiltscreen.errors import ValidationError
from tiltscreen.protocols.evidence import long_sitting_frames, longest_run_s, upright_still_frames

SIT = {"max_incline_deg": 35.0, "min_leg_ratio": 1.0}
STAND = {"max_trunk_lean_deg": 30.0, "max_leg_lean_deg": 20.0, "max_motion": 0.15}


@pytest.mark.parametrize(
    ("mask", "expected"),
    [
        pytest.param([0, 1, 1, 1, 0, 1], 0.2, id="longest-of-two"),
        pytest.param([1, 1, 1, 1, 1, 1], 0.5, id="all"),
        pytest.param([0, 0, 1, 0, 0, 0], 0.0, id="one-frame-lasts-0"),
        pytest.param([0, 0, 0, 0, 0, 0], 0.0, id="none"),
    ],
)
def test_longest_run_first_to_last_frame(mask: list[int], expected: float) -> None:
    """Six frames at 10 Hz: a run of frames i..j lasts t[j] - t[i]."""
    assert longest_run_s(np.array(mask, bool), np.arange(6) / 10.0) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("pose", "sitting"),
    [
        pytest.param({"lean": 30.0, "thigh": 90.0}, True, id="legs-along-the-floor"),
        pytest.param({"lean": 60.0, "thigh": 90.0, "knee": 12.0}, True, id="reaching-knees-bent-12"),
        pytest.param({"lean": 10.0, "thigh": 60.0}, True, id="thigh-30-deg-up"),
        pytest.param({"lean": 10.0, "thigh": 50.0}, False, id="thigh-40-deg-up"),
        pytest.param({"lean": 0.0, "thigh": 0.0}, False, id="standing"),
        pytest.param({"lean": 0.0, "thigh": 90.0, "knee": 90.0}, False, id="sitting-on-a-chair"),
        pytest.param({"lean": 30.0, "thigh": 90.0, "yaw": 80.0}, False, id="seen-from-the-front"),
    ],
)
def test_long_sitting(pose: dict, sitting: bool) -> None:
    """Knees bent 12 deg tilt the shank 12 deg: still along the floor. From the front (yaw 80) the
    legs point at the camera: the hip-ankle distance is 1.70 cos 80 = 0.30 trunk lengths < 1.0."""
    lm = make_figure(n_frames=4, **pose)
    assert long_sitting_frames(lm, **SIT).tolist() == [sitting] * 4


def test_missing_points_are_not_sitting() -> None:
    lm = make_figure(n_frames=4, lean=30.0, thigh=90.0)
    xyz = lm.xyz.copy()
    xyz[1, [25, 26]] = np.nan  # both knees
    holed = dataclasses.replace(lm, xyz=xyz)
    assert long_sitting_frames(holed, **SIT).tolist() == [True, False, True, True]


@pytest.mark.parametrize(
    ("pose", "upright"),
    [
        pytest.param({}, True, id="quiet-standing"),
        pytest.param({"lean": 25.0}, True, id="stooped-25"),
        pytest.param({"lean": 35.0}, False, id="bent-forward-35"),
        pytest.param({"thigh": 30.0}, False, id="leg-forward-30"),
        pytest.param({"lean": 30.0, "thigh": 90.0}, False, id="long-sitting"),
    ],
)
def test_upright_still(pose: dict, upright: bool) -> None:
    """A still figure (no motion). The hip-ankle line of a thigh 30 deg forward with a straight knee
    leans 30 deg, beyond the 20 deg limit."""
    lm = make_figure(n_frames=30, **pose)
    assert upright_still_frames(lm, **STAND).all() == upright
    assert upright_still_frames(lm, **STAND).any() == upright


def test_walking_is_not_standing_still() -> None:
    """Moving 120 px/s with a body ~550 px tall is ~0.22 body heights per second (> 0.15)."""
    t = np.arange(60) / 30.0
    offset = np.stack([120.0 * t, np.zeros_like(t)], axis=1)
    lm = make_figure(n_frames=60, offset_px=offset)
    assert not upright_still_frames(lm, **STAND).any()
    assert upright_still_frames(lm, **{**STAND, "max_motion": 0.3}).all()


def test_single_frame_has_no_motion_so_no_stillness() -> None:
    assert upright_still_frames(make_figure(n_frames=1), **STAND).tolist() == [False]


@pytest.mark.parametrize(
    ("func", "kwargs", "match"),
    [
        pytest.param(long_sitting_frames, {**SIT, "max_incline_deg": 95.0}, "max_incline_deg", id="incline"),
        pytest.param(long_sitting_frames, {**SIT, "min_leg_ratio": -1.0}, "min_leg_ratio", id="ratio"),
        pytest.param(upright_still_frames, {**STAND, "max_motion": 0.0}, "max_motion", id="motion"),
    ],
)
def test_invalid_limits(func, kwargs: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        func(make_figure(n_frames=2), **kwargs)
