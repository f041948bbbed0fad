from __future__ import annotations

import contextlib

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from tiltscreen.errors import ValidationError
from tiltscreen.signal import butterworth_lowpass

SLOW_HZ, FAST_HZ = 1.0, 12.0
SLOW_AMP, FAST_AMP = 0.1, 0.05
#: 20 log10(626): the 12 Hz attenuation derived in ``two_tone``
FAST_ATTENUATION_DB = 20 * np.log10(626)


def tone_amplitudes(x: np.ndarray, t: np.ndarray, freqs: tuple[float, ...]) -> list[complex]:
    """Least-squares complex amplitude ``s + i c`` of ``s sin(2 pi f t) + c cos(2 pi f t)`` per frequency."""
    cols = [np.ones_like(t)]
    for f in freqs:
        cols += [np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)]
    coef = np.linalg.lstsq(np.column_stack(cols), x, rcond=None)[0]
    return [complex(coef[1 + 2 * i], coef[2 + 2 * i]) for i in range(len(freqs))]


@pytest.fixture
def two_tone(make_landmarks, uniform_60hz):
    """0.1 sin(2 pi 1 t) + 0.05 sin(2 pi 12 t) + 0.5 at 60 Hz for 10 s, in every coordinate.

    Through a 4th-order Butterworth low-pass at fc = 6 Hz (bilinear design, fs = 60 Hz) applied
    forwards and backwards, the amplitude gain is G(f) = |H(f)|^2 = 1 / (1 + (tan(pi f / fs) /
    tan(pi fc / fs))^8) and the phase is zero:

    - 1 Hz: tan(pi/60) / tan(pi/10) = 0.1613, 0.1613^8 = 4.6e-7, so G = 1 - 4.6e-7 (passes, no lag);
    - 12 Hz: tan(pi/5) / tan(pi/10) = sqrt(5) exactly, so G = 1 / (1 + 5^4) = 1/626, i.e. the 12 Hz
      part is attenuated by 20 log10(626) = 55.9 dB.
    """
    t = uniform_60hz
    x = 0.5 + SLOW_AMP * np.sin(2 * np.pi * SLOW_HZ * t) + FAST_AMP * np.sin(2 * np.pi * FAST_HZ * t)
    return make_landmarks(x, t, world=x)


def test_two_tone_gain_and_phase(two_tone):
    out = butterworth_lowpass(two_tone, cutoff_hz=6.0, order=4)
    mid = slice(120, 480)  # the central 6 s, clear of the padded edges
    t = two_tone.timestamps_s[mid]
    for arr in (out.xyz, out.world):
        slow, fast = tone_amplitudes(arr[mid, 11, 1], t, (SLOW_HZ, FAST_HZ))
        assert abs(slow) / SLOW_AMP == pytest.approx(1.0, abs=1e-4)
        lag_s = np.angle(slow) / (2 * np.pi * SLOW_HZ)  # s sin + c cos = |a| sin(2 pi f (t + angle/2 pi f))
        assert abs(lag_s) < 1e-5
        attenuation_db = -20 * np.log10(abs(fast) / FAST_AMP)
        assert attenuation_db == pytest.approx(FAST_ATTENUATION_DB, abs=0.5)
    np.testing.assert_array_equal(out.visibility, two_tone.visibility)


def test_provenance(two_tone):
    out = butterworth_lowpass(two_tone)
    step = out.provenance[-1]
    assert step.name == "butterworth_lowpass"
    assert step.params == {
        "cutoff_hz": 6.0, "order": 4, "fs_hz": pytest.approx(60.0), "cutoff_hz_used": 6.0,
        "cutoff_adapted": False, "min_stretch_frames": 16, "n_stretches_filtered": 66,
        "n_stretches_resampled": 0, "n_stretches_too_short": 0, "n_frames_too_short": 0,
    }  # fmt: skip
    assert two_tone.provenance == ()


@pytest.mark.parametrize(
    ("fps", "cutoff_hz", "used"),
    [
        pytest.param(10.0, 6.0, 4.0, id="above-nyquist"),  # Nyquist 5 Hz -> 0.8 x 5
        pytest.param(10.0, 4.6, 4.0, id="just-above-0.9-nyquist"),
        pytest.param(10.0, 4.4, 4.4, id="below-0.9-nyquist"),
    ],
)
def test_cutoff_adapted_near_nyquist(make_landmarks, rng, fps, cutoff_hz, used):
    t = np.arange(100) / fps
    out = butterworth_lowpass(make_landmarks(rng.normal(size=100), t), cutoff_hz=cutoff_hz)
    params = out.provenance[-1].params
    assert params["cutoff_hz_used"] == pytest.approx(used)
    assert params["cutoff_adapted"] is (used != cutoff_hz)
    assert np.isfinite(out.xyz).all()


def test_stretches_filtered_separately(make_landmarks, uniform_60hz, rng):
    """Noise with a 20-frame NaN run (frames 200-219) and a 10-frame island (frames 300-309) between
    NaN runs: each valid stretch must equal sosfiltfilt of that stretch alone (no smearing across
    NaN), the NaN runs stay NaN, and the 10-frame island (<= 15-sample padding) is left as it was."""
    x = rng.normal(size=600)
    x[200:220] = np.nan
    x[290:300] = np.nan
    x[310:320] = np.nan
    out = butterworth_lowpass(make_landmarks(x, uniform_60hz))
    sos = butter(4, 6.0, fs=60.0, output="sos")
    got = out.xyz[:, 5, 2]
    for start, stop in [(0, 200), (220, 290), (320, 600)]:
        np.testing.assert_allclose(got[start:stop], sosfiltfilt(sos, x[start:stop]), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(x))
    np.testing.assert_array_equal(got[300:310], x[300:310])
    params = out.provenance[-1].params
    assert (params["n_stretches_too_short"], params["n_frames_too_short"]) == (33, 330)
    assert params["n_stretches_filtered"] == 99


def test_dropped_frame_is_resampled(make_landmarks, uniform_60hz):
    """A 1 Hz sine at 60 Hz with frame 300 dropped: one interval is 2/60 s (100 % over the median), so
    the stretch is resampled; the result must match filtering the complete recording (the 1 Hz
    sine passes with gain ~1) to within linear-interpolation error, ~A (2 pi f dt)^2 / 8 = 1e-4."""
    x = 0.1 * np.sin(2 * np.pi * uniform_60hz)
    full = butterworth_lowpass(make_landmarks(x, uniform_60hz))
    keep = np.arange(600) != 300
    dropped = butterworth_lowpass(make_landmarks(x[keep], uniform_60hz[keep]))
    np.testing.assert_allclose(dropped.xyz[:, 0, 0], full.xyz[keep, 0, 0], atol=2e-4)
    assert dropped.provenance[-1].params["n_stretches_resampled"] == 33


def test_variable_frame_rate(make_landmarks, jittered_30hz):
    """0.1 sin(2 pi t) on timestamps jittered by up to +-50 %: resampled to the time grid, the 1 Hz sine
    passes the 6 Hz zero-phase low-pass unchanged (G(1 Hz) = 1 - 2e-4 at 30 Hz, no lag) up to the
    linear-interpolation error (< 0.1 (2 pi / 20)^2 / 8 ~ 1.2e-3 each way). Filtering the samples as if
    they were evenly spaced treats the timing jitter as noise and errs several times more."""
    t = jittered_30hz
    x = 0.1 * np.sin(2 * np.pi * t)
    out = butterworth_lowpass(make_landmarks(x, t))
    mid = (t > 1.0) & (t < t[-1] - 1.0)
    error = np.abs(out.xyz[mid, 7, 0] - x[mid]).max()
    assert error < 2.5e-3
    assert out.provenance[-1].params["n_stretches_resampled"] == 33
    by_index = sosfiltfilt(butter(4, 6.0, fs=out.provenance[-1].params["fs_hz"], output="sos"), x)
    assert np.abs(by_index[mid] - x[mid]).max() > 3 * error


@pytest.mark.parametrize(
    ("kwargs", "expectation"),
    [
        pytest.param({}, contextlib.nullcontext(), id="defaults"),
        pytest.param({"cutoff_hz": 2, "order": 1}, contextlib.nullcontext(), id="int-cutoff-order-1"),
        pytest.param({"cutoff_hz": 0},
                     pytest.raises(ValidationError, match=r"cutoff_hz must be .*\(0, inf\)"),
                     id="zero-cutoff"),
        pytest.param({"order": 0},
                     pytest.raises(ValidationError, match=r"order must be an integer in \[1, 10\]"),
                     id="order-zero"),
        pytest.param({"order": 4.0}, pytest.raises(ValidationError, match="got 4.0"), id="float-order"),
        pytest.param({"order": 11}, pytest.raises(ValidationError, match="got 11"), id="order-too-high"),
        pytest.param({"cutoff_hz": -1, "order": None},
                     pytest.raises(ValidationError, match="cutoff_hz.*; order"), id="all-problems-at-once"),
    ],
)  # fmt: skip
def test_parameters(two_tone, kwargs, expectation):
    with expectation:
        butterworth_lowpass(two_tone, **kwargs)


def test_needs_two_frames(make_landmarks):
    with pytest.raises(ValidationError, match="at least 2 frames, got 1"):
        butterworth_lowpass(make_landmarks(0.5, np.array([0.0])))
