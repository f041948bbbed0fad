"""Input containers (ReachSeries, SitAndReachRules), the moving median and the hip/spine split."""

from __future__ import annotations

import contextlib
import dataclasses
import math

import numpy as np
import pytest
from tests.unit.protocols.sit_and_reach.synthetic import REST

from tiltscreen.errors import ValidationError
from tiltscreen.protocols.sit_and_reach import (
    ReachSeries,
    SitAndReachRules,
    detect_trials,
    spine_vs_hip_contribution,
)
from tiltscreen.protocols.sit_and_reach.series import moving_median

N = 5
OK = contextlib.nullcontext()


def bad(match: str) -> pytest.RaisesExc:
    """Expect a ValidationError whose message matches ``match``."""
    return pytest.raises(ValidationError, match=match)


def fields(n: int = N, **changes: object) -> dict[str, object]:
    """Valid ReachSeries keyword arguments for ``n`` frames at 10 Hz, with ``changes`` applied."""
    base: dict[str, object] = {
        "t_s": np.arange(n) / 10,
        "reach_cm": np.linspace(-10, 0, n),
        "unit": "cm",
        "knee_flexion_deg": np.zeros(n),
        "hip_flexion_deg": np.full(n, 90.0),
        "trunk_inclination_deg": np.zeros(n),
        "hands_gap": np.ones(n),
        "visible_fraction": np.full(n, 0.9),
        "in_frame": np.ones(n, dtype=bool),
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("changes", "expectation"),
    [
        pytest.param({}, OK, id="valid"),
        pytest.param({"reach_cm": [1, 2, np.nan, 4, 5]}, OK, id="list-with-nan"),
        pytest.param({"reach_cm": np.zeros(4)}, bad("reach_cm has 4 frames but t_s has 5"), id="length"),
        pytest.param(
            {"t_s": [0, 0.1, 0.1, 0.3, 0.4]},
            bad(r"strictly increasing, but t_s\[2\] <= t_s\[1\]"),
            id="repeated-time",
        ),
        pytest.param({"t_s": [0, 0.2, 0.1, 0.3, 0.4]}, bad("strictly increasing"), id="decreasing-time"),
        pytest.param({"t_s": [0, 0.1, np.nan, 0.3, 0.4]}, bad("t_s must be finite"), id="nan-time"),
        pytest.param({"unit": "mm"}, bad(r"unit must be one of \['cm', 'px'\], got 'mm'"), id="unit"),
        pytest.param(
            {"visible_fraction": np.full(N, 1.5)}, bad(r"visible_fraction must lie in \[0, 1\]"), id="visible"
        ),
        pytest.param({"hands_gap": -np.ones(N)}, bad("hands_gap must be >= 0"), id="gap"),
        pytest.param({"in_frame": np.ones(N)}, bad("in_frame must be a boolean array"), id="in-frame-float"),
        pytest.param(
            {"knee_flexion_deg": np.zeros((N, 2))},
            bad(r"knee_flexion_deg must be 1-D, got shape \(5, 2\)"),
            id="2d",
        ),
        pytest.param(
            {"hip_flexion_deg": np.array(["a"] * N)}, bad("hip_flexion_deg must be numeric"), id="strings"
        ),
        pytest.param({"reach_cm": np.ones(N, dtype=bool)}, bad("reach_cm must be numeric"), id="bool-reach"),
        pytest.param(fields(1), bad("at least 2 frames are needed, got 1"), id="one-frame"),
        pytest.param(
            {"unit": "in", "hands_gap": np.zeros(3)},
            bad("hands_gap has 3 frames.*; unit must be"),
            id="all-problems-listed",
        ),
    ],
)
def test_reach_series_checks(changes, expectation):
    with expectation:
        series = ReachSeries(**fields(**changes))  # type: ignore[arg-type]
        assert series.n_frames == N and series.reach_cm.dtype == np.float64


def test_reach_series_arrays_are_read_only_copies():
    reach = np.linspace(-10, 0, N)
    series = ReachSeries(**fields(reach_cm=reach))  # type: ignore[arg-type]
    reach[0] = 99.0
    assert series.reach_cm[0] == -10.0
    with pytest.raises(ValueError, match="read-only"):
        series.reach_cm[0] = 1.0


@pytest.mark.parametrize(
    ("changes", "expectation"),
    [
        pytest.param({}, OK, id="defaults"),
        pytest.param({"hold_band": 0.5, "knee_tolerance_deg": 5, "unit": "px"}, OK, id="custom"),
        pytest.param({"hold_band": 0.0}, bad(r"hold_band must be a number > 0, got 0\.0"), id="zero-band"),
        pytest.param({"min_hold_s": -1}, bad("min_hold_s must be a number >= 0"), id="negative-hold"),
        pytest.param({"min_visible": 1.2}, bad("min_visible must be a number >= 0 and <= 1"), id="visible"),
        pytest.param({"return_fraction": 1.5}, bad("return_fraction"), id="return"),
        pytest.param({"onset_fraction": 0.0}, bad("onset_fraction"), id="onset"),
        pytest.param({"bounce_min_peaks": 1}, bad("bounce_min_peaks must be an integer >= 2"), id="peaks"),
        pytest.param({"bounce_min_peaks": 2.5}, bad("bounce_min_peaks"), id="peaks-float"),
        pytest.param({"smooth_s": math.nan}, bad("smooth_s"), id="nan"),
        pytest.param({"max_gap_s": True}, bad("max_gap_s.*got True"), id="bool"),
        pytest.param({"best_rule": "mean"}, bad(r"best_rule must be one of \['max_reach'\]"), id="best-rule"),
        pytest.param(
            {"unit": "mm", "hold_band": "1"}, bad("hold_band.*; unit must be"), id="all-problems-listed"
        ),
    ],
)
def test_rules_checks(changes, expectation):
    with expectation:
        SitAndReachRules(**changes)  # type: ignore[arg-type]


def test_rules_to_px_scales_lengths_only():
    rules = SitAndReachRules(
        hold_band=1.0, max_still_speed=3.0, max_hands_gap=5.0, max_hands_gap_error=2.5, bounce_min_dip=2.0,
        min_excursion=5.0,
    )  # fmt: skip
    px = rules.to_px(px_per_cm=8)
    lengths = (px.hold_band, px.max_still_speed, px.max_hands_gap, px.max_hands_gap_error, px.bounce_min_dip,
               px.min_excursion)  # fmt: skip
    assert px.unit == "px" and lengths == (8, 24, 40, 20, 16, 40)
    back = {"unit": "cm", "hold_band": 1.0, "max_still_speed": 3.0, "max_hands_gap": 5.0,
            "max_hands_gap_error": 2.5, "bounce_min_dip": 2.0, "min_excursion": 5.0}  # fmt: skip
    assert dataclasses.replace(px, **back) == rules


@pytest.mark.parametrize(
    ("rules", "px_per_cm", "match"),
    [
        pytest.param(SitAndReachRules(unit="px"), 8.0, "already in 'px'", id="twice"),
        pytest.param(SitAndReachRules(), 0.0, "px_per_cm must be a finite number > 0, got 0.0", id="zero"),
        pytest.param(SitAndReachRules(), math.inf, "px_per_cm", id="inf"),
        pytest.param(SitAndReachRules(), "8", "px_per_cm", id="string"),
    ],
)
def test_rules_to_px_errors(rules, px_per_cm, match):
    with bad(match):
        rules.to_px(px_per_cm=px_per_cm)


def test_moving_median_keeps_gaps_and_removes_spikes():
    """Window 0.25 s at 10 Hz = the sample and one on each side (0.1 s <= 0.125 s)."""
    t = np.arange(7) / 10
    values = np.array([0.0, 0.0, 9.0, 0.0, np.nan, 1.0, 1.0])
    out = moving_median(values, t, width_s=0.25)
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.0, 4.5, np.nan, 1.0, 1.0])
    np.testing.assert_array_equal(moving_median(values, t, width_s=0.0), values)


def test_moving_median_uses_time_not_frames():
    """Irregular times: the window around t = 0.5 holds 0.45 and 0.55 but not 0.3 or 0.9."""
    t = np.array([0.0, 0.3, 0.45, 0.5, 0.55, 0.9])
    values = np.array([5.0, 5.0, 1.0, 2.0, 3.0, 5.0])
    assert moving_median(values, t, width_s=0.2)[3] == 2.0


@pytest.fixture
def split_series(make_series):
    """One trial (rest at -10 cm, reach to +12 cm) with trunk 0 -> 40 deg and hip flexion 90 -> 114 deg.

    The conftest posture follows the reach linearly (lean = (reach + 10) / 22); here hip flexion is
    90 + 24 lean, so from rest to the hold the trunk rotates 40 deg, the hip 24 deg: hip fraction
    24 / 40 = 0.6, spine 0.4.
    """
    phases = [("flat", 1.0), ("move", 1.5, 12.0), ("flat", 3.0), ("move", 1.0, REST), ("flat", 1.0)]
    series = make_series(phases, noise=0.0)
    hip = 90 + 24 * (series.trunk_inclination_deg / 40)
    return dataclasses.replace(series, hip_flexion_deg=hip)


def test_spine_vs_hip_contribution(split_series):
    (trial,) = detect_trials(split_series, SitAndReachRules())
    split = spine_vs_hip_contribution(trial, split_series)
    # the hold includes the band edges (reach >= 11 cm, lean >= 0.955), so its median lean is ~1
    assert split.trunk_rotation_deg == pytest.approx(40.0, abs=0.2)
    assert split.hip_change_deg == pytest.approx(24.0, abs=0.2)
    assert split.hip_fraction == pytest.approx(0.6, abs=1e-6)
    assert split.spine_fraction == pytest.approx(0.4, abs=1e-6)


def test_spine_vs_hip_contribution_small_rotation_is_nan(split_series):
    (trial,) = detect_trials(split_series, SitAndReachRules())
    flat = dataclasses.replace(split_series, trunk_inclination_deg=np.full(split_series.n_frames, 10.0))
    split = spine_vs_hip_contribution(trial, flat)
    assert (
        split.trunk_rotation_deg == 0.0
        and math.isnan(split.hip_fraction)
        and math.isnan(split.spine_fraction)
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"trial": "x"}, "trial must be a Trial, got str", id="trial"),
        pytest.param({"series": None}, "series must be a ReachSeries", id="series"),
        pytest.param({"rest_window_s": -1.0}, "rest_window_s must be a finite number >= 0", id="window"),
        pytest.param({"min_rotation_deg": math.nan}, "min_rotation_deg", id="rotation"),
        pytest.param({"short": True}, "do not fit a series of 10 frames", id="frames"),
    ],
)
def test_spine_vs_hip_contribution_errors(split_series, kwargs, match):
    (trial,) = detect_trials(split_series, SitAndReachRules())
    args = {"trial": trial, "series": split_series}
    if kwargs.pop("short", False):
        args["series"] = ReachSeries(**fields(10))  # type: ignore[arg-type]
    args.update(kwargs)
    with bad(match):
        spine_vs_hip_contribution(args.pop("trial"), args.pop("series"), **args)
