from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.signal import Gap, fill_gaps, find_gaps

FPS = 30.0
VELOCITY = np.array([0.5, -0.3, 0.05])  # per second, per coordinate
ORIGIN = np.array([0.1, 0.8, 0.0])


def linear(t: np.ndarray) -> np.ndarray:
    """``(frame, 33, 3)`` points moving at constant velocity: ORIGIN + VELOCITY t."""
    return np.broadcast_to((ORIGIN + VELOCITY * t[:, None])[:, None, :], (len(t), 33, 3)).copy()


@pytest.fixture
def gappy(make_landmarks):
    """60 frames at 30 Hz of a linear trajectory; landmark 0 (nose) is missing in four runs.

    - frames 0-2: leading edge gap, never filled (no sample before it);
    - frames 10-14: 5 frames, observed at 9/30 and 15/30 s, so span 6/30 = 0.2 s <= 0.33: filled,
      and linear interpolation of a linear trajectory restores it exactly;
    - frames 30-44: 15 frames, span 16/30 = 0.533 s > 0.33: stays NaN;
    - frames 57-59: trailing edge gap, never filled.

    Hence 4 gaps, 1 filled (5 frames), 3 left (3 + 15 + 3 = 21 frames); ``world`` is absent.
    """
    t = np.arange(60) / FPS
    xyz = linear(t)
    for rows in (slice(0, 3), slice(10, 15), slice(30, 45), slice(57, 60)):
        xyz[rows, 0] = np.nan
    return make_landmarks(xyz, t)


@pytest.mark.parametrize("method", ["linear", "cubic"])
def test_linear_trajectory_restored_exactly(gappy, method):
    out = fill_gaps(gappy, method=method)
    truth = linear(gappy.timestamps_s)
    np.testing.assert_allclose(out.xyz[10:15, 0], truth[10:15, 0], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out.xyz[:, 1:], gappy.xyz[:, 1:])


def test_long_and_edge_gaps_stay_nan_and_are_reported(gappy):
    out = fill_gaps(gappy)
    missing = np.isnan(out.xyz[:, 0]).all(axis=-1)
    np.testing.assert_array_equal(np.flatnonzero(missing), [0, 1, 2, *range(30, 45), 57, 58, 59])
    step = out.provenance[-1]
    assert step.name == "fill_gaps"
    assert step.params == {
        "max_gap_s": 0.33, "max_gap_frames": None, "method": "linear", "world": "absent",
        "xyz": {"n_gaps": 4, "n_filled": 1, "n_left": 3, "n_frames_filled": 5, "n_frames_left": 21},
    }  # fmt: skip
    left = find_gaps(out)
    assert [(g.start_frame, g.stop_frame, g.filled, g.at_edge) for g in left] == [
        (0, 3, False, True), (30, 45, False, False), (57, 60, False, True),
    ]  # fmt: skip


def test_find_gaps_fields(gappy):
    gaps = find_gaps(gappy)
    assert len(gaps) == 4
    assert gaps[1] == Gap("nose", 10 / FPS, 14 / FPS, 5, True, space="xyz", start_frame=10, stop_frame=15,
                          span_s=pytest.approx(6 / FPS))  # fmt: skip
    assert gaps[0].as_dict()["span_s"] is None and math.isinf(gaps[0].span_s)
    assert not any(g.filled for g in find_gaps(gappy, max_gap_s=0))
    assert [g.filled for g in find_gaps(gappy, max_gap_s=None)] == [False, True, True, False]


def test_filled_points_lose_their_scores(gappy):
    out = fill_gaps(gappy)
    assert np.isnan(out.visibility[10:15, 0]).all() and np.isnan(out.presence[10:15, 0]).all()
    assert np.isnan(out.visibility).sum() == 5
    np.testing.assert_array_equal(out.visibility[:10], gappy.visibility[:10])


def test_input_not_mutated(gappy):
    before = gappy.xyz.copy()
    fill_gaps(gappy)
    np.testing.assert_array_equal(gappy.xyz, before)
    assert gappy.provenance == ()


@pytest.mark.parametrize(
    ("n_missing", "limits", "filled"),
    [
        pytest.param(8, {"max_gap_s": 0.3}, True, id="span-equal-to-limit"),  # span 9/30 s
        pytest.param(9, {"max_gap_s": 0.3}, False, id="span-over-limit"),  # span 10/30 s
        pytest.param(5, {"max_gap_s": None, "max_gap_frames": 5}, True, id="frames-equal-to-limit"),
        pytest.param(5, {"max_gap_s": 1.0, "max_gap_frames": 4}, False, id="frames-limit-binds"),
        pytest.param(40, {"max_gap_s": None}, True, id="no-limit"),
    ],
)
def test_limits(make_landmarks, n_missing, limits, filled):
    t = np.arange(60) / FPS
    xyz = linear(t)
    xyz[10 : 10 + n_missing, 3] = np.nan
    out = fill_gaps(make_landmarks(xyz, t), **limits)
    assert np.isfinite(out.xyz[10 : 10 + n_missing, 3]).all() == filled
    assert [g.filled for g in find_gaps(make_landmarks(xyz, t), **limits)] == [filled]


def test_variable_frame_rate_uses_time_not_index(make_landmarks, jittered_30hz):
    """A linear-in-time trajectory on jittered timestamps is restored exactly only if interpolation
    runs over time; interpolating over row indices would be off by velocity x timing error."""
    t = jittered_30hz
    xyz = linear(t)
    xyz[100:104, 0] = np.nan
    out = fill_gaps(make_landmarks(xyz, t), max_gap_s=None)
    truth = linear(t)[100:104, 0]
    np.testing.assert_allclose(out.xyz[100:104, 0], truth, rtol=0, atol=1e-12)
    by_index = np.interp(np.arange(100, 104), [99, 104], [xyz[99, 0, 0], xyz[104, 0, 0]])
    assert np.abs(by_index - truth[:, 0]).max() > 1e-3


def test_cubic_restores_a_cubic_polynomial(make_landmarks):
    """A not-a-knot cubic spline reproduces any cubic polynomial exactly; linear interpolation of
    x = t**3 over frames 20-24 (t in 0.63..0.8 s) errs by up to ~0.03."""
    t = np.arange(60) / FPS
    xyz = np.broadcast_to((t**3)[:, None, None], (60, 33, 3)).copy()
    xyz[19:25, 0] = np.nan
    lm = make_landmarks(xyz, t)
    np.testing.assert_allclose(fill_gaps(lm, method="cubic").xyz[19:25, 0, 0], t[19:25] ** 3, atol=1e-12)
    assert np.abs(fill_gaps(lm).xyz[19:25, 0, 0] - t[19:25] ** 3).max() > 1e-2


def test_cubic_with_two_valid_samples_is_linear(make_landmarks):
    t = np.arange(5) / FPS
    xyz = linear(t)
    xyz[1:4, 0] = np.nan
    out = fill_gaps(make_landmarks(xyz, t), method="cubic")
    np.testing.assert_allclose(out.xyz[:, 0], linear(t)[:, 0], atol=1e-12)


def test_world_filled_and_partial_points_are_whole(make_landmarks):
    t = np.arange(20) / FPS
    xyz = linear(t)
    xyz[5, 2, 1] = np.nan  # only y missing: the whole point counts as missing, then filled
    world = linear(t) * 2
    world[5:8, 2] = np.nan
    out = fill_gaps(make_landmarks(xyz, t, world=world))
    np.testing.assert_allclose(out.xyz[5, 2], linear(t)[5, 2], atol=1e-12)
    np.testing.assert_allclose(out.world[5:8, 2], 2 * linear(t)[5:8, 2], atol=1e-12)
    assert out.provenance[-1].params["world"]["n_frames_filled"] == 3


@pytest.mark.parametrize(
    ("kwargs", "expectation"),
    [
        pytest.param({}, contextlib.nullcontext(), id="defaults"),
        pytest.param({"max_gap_s": None, "max_gap_frames": 3, "method": "cubic"}, contextlib.nullcontext(),
                     id="frames-only-cubic"),
        pytest.param({"max_gap_s": -1}, pytest.raises(ValidationError, match=r"max_gap_s .* got -1"),
                     id="negative-seconds"),
        pytest.param({"max_gap_frames": 2.5},
                     pytest.raises(ValidationError, match="max_gap_frames .*integer"),
                     id="fractional-frames"),
        pytest.param({"method": "spline"}, pytest.raises(ValidationError, match="method must be one of"),
                     id="unknown-method"),
        pytest.param({"max_gap_s": math.inf}, pytest.raises(ValidationError, match="got inf"), id="inf"),
        pytest.param({"max_gap_s": "1", "method": None},
                     pytest.raises(ValidationError, match="max_gap_s.*; method"), id="all-problems-at-once"),
    ],
)  # fmt: skip
def test_parameters(gappy, kwargs, expectation):
    with expectation:
        fill_gaps(gappy, **kwargs)


def test_find_gaps_rejects_unknown_space(gappy):
    with pytest.raises(ValidationError, match=r"find_gaps: space must be one of \['xyz', 'world'\]"):
        find_gaps(gappy, space="px")
