"""The hold's building blocks: the open-close filter, the speed, the stable stretches."""

from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.protocols.sit_and_reach.hold import find_hold, open_close, speed

T = np.arange(90) / 30.0  # 3 s at 30 fps


def test_open_close_removes_short_excursions_and_keeps_long_ones():
    """A +2 cm spike of 0.2 s and a -2 cm dip of 0.2 s vanish under a 0.5 s window; a +2 cm step lasting
    1 s (longer than the window) keeps its value and its edges."""
    v = np.zeros(T.size)
    v[15:21] = 2.0  # 0.2 s spike
    v[40:46] = -2.0  # 0.2 s dip
    v[60:90] = 2.0  # 1 s step up at 2.0 s
    out = open_close(v, T, width_s=0.5)
    assert np.allclose(out[:55], 0.0)
    assert np.allclose(out[60:], 2.0) and np.allclose(out[52:60], 0.0)


def test_open_close_keeps_nan_and_monotone_ramps():
    """A ramp is unchanged away from the series' ends and from the unknown sample (within half a window of
    an end or of the gap the window is lopsided and shifts it slightly, as for any rank filter); the NaN
    stays NaN."""
    v = np.linspace(0.0, 10.0, T.size)
    v[30] = np.nan
    out = open_close(v, T, width_s=0.5)
    assert np.isnan(out[30])
    inner = (T > 0.25) & (T < T[-1] - 0.25) & (np.abs(T - T[30]) > 0.25)
    assert np.allclose(out[inner], v[inner])


def test_speed_of_a_ramp():
    """A ramp of 6 cm/s reads 6 cm/s away from the ends (central difference over +-0.1 s)."""
    assert speed(6.0 * T, T)[10:80] == pytest.approx(6.0)


def test_find_hold_prefers_the_highest_stretch_long_enough():
    """1 s still at +12, then 2.5 s still at +10.5 (1.5 cm lower, beyond the 1 cm band): the +12 stretch is
    under the 2 s required, so the hold is the +10.5 one, about 2.5 s."""
    t = np.arange(120) / 30.0
    v = np.where(t < 1.0, 12.0, 10.5)
    hold = find_hold(v, v, t, 0, t.size - 1, band=1.0, min_hold_s=2.0, max_overshoot_s=0.5, max_gap_s=0.5,
                     noise_k=2.0, max_speed=3.0)  # fmt: skip
    assert hold is not None and hold.level == pytest.approx(10.5)
    assert t[hold.last] - t[hold.first] == pytest.approx(2.9, abs=0.15)


def test_find_hold_without_a_long_stretch_takes_the_highest():
    """0.8 s at +12 then 0.9 s at +10: neither reaches 2 s; the hold is the highest (+12) stretch."""
    t = np.arange(51) / 30.0
    v = np.where(t < 0.8, 12.0, 10.0)
    hold = find_hold(v, v, t, 0, t.size - 1, band=1.0, min_hold_s=2.0, max_overshoot_s=0.5, max_gap_s=0.5,
                     noise_k=2.0, max_speed=3.0)  # fmt: skip
    assert hold is not None and hold.level == pytest.approx(12.0)
    assert t[hold.last] - t[hold.first] < 0.9


def test_find_hold_of_an_unknown_trial_is_none():
    v = np.full(10, np.nan)
    assert find_hold(v, v, np.arange(10) / 30.0, 0, 9, band=1.0, min_hold_s=2.0, max_overshoot_s=0.5,
                     max_gap_s=0.5, noise_k=2.0) is None  # fmt: skip
