"""Zero-phase Butterworth low-pass filter for recorded video, stretch by stretch."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.signal import butter, sosfiltfilt

from tiltscreen.errors import ValidationError
from tiltscreen.landmarks import Landmarks
from tiltscreen.signal._common import (
    SPACES,
    number_problems,
    point_missing,
    raise_if_problems,
    true_runs,
    whole_points,
)

#: a cut-off at or above this fraction of the Nyquist frequency is lowered ...
NYQUIST_LIMIT = 0.9
#: ... to this fraction of the Nyquist frequency
NYQUIST_ADAPTED = 0.8
#: a stretch is resampled if any frame interval deviates more than this from the median interval
VFR_TOLERANCE = 0.25
MAX_ORDER = 10


@dataclass
class _Tally:
    """Counts of what happened to the unbroken stretches (for the provenance)."""

    n_stretches_filtered: int = 0
    n_stretches_resampled: int = 0
    n_stretches_too_short: int = 0
    n_frames_too_short: int = 0


def _padlen(sos: np.ndarray) -> int:
    """Return the padding :func:`scipy.signal.sosfiltfilt` uses by default (a stretch must be longer)."""
    trailing_zeros = min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * (2 * len(sos) + 1 - trailing_zeros)


def butterworth_lowpass(lm: Landmarks, *, cutoff_hz: float = 6.0, order: int = 4) -> Landmarks:
    """Low-pass filter every landmark trajectory forwards and backwards (zero phase).

    Parameters
    ----------
    lm : Landmarks
        Input landmarks with at least 2 frames; not modified.
    cutoff_hz : float, default 6.0
        Cut-off frequency (Hz) of one pass (-3 dB point of the designed filter).
    order : int, default 4
        Order of the designed filter (1 to 10); the forward-backward result
        has twice this order.

    Returns
    -------
    Landmarks
        A new object with ``xyz`` and ``world`` filtered; visibility and presence
        are carried unchanged. The step ``"butterworth_lowpass"`` is appended to
        the provenance with the parameters, ``fs_hz``, ``cutoff_hz_used``,
        ``cutoff_adapted``, ``min_stretch_frames`` and the counts
        ``n_stretches_filtered``, ``n_stretches_resampled``,
        ``n_stretches_too_short`` and ``n_frames_too_short`` (summed over
        ``xyz`` and ``world``; one stretch = one landmark's unbroken run).

    Raises
    ------
    ValidationError
        If ``lm`` is not a :class:`Landmarks` with at least 2 frames or a
        parameter is invalid.

    Notes
    -----
    Units: ``cutoff_hz`` in Hz; coordinates keep their units. The sampling rate
    ``fs_hz`` is ``1 / median(diff(timestamps_s))``. If ``cutoff_hz`` is at least
    0.9 x Nyquist (``fs_hz / 2``) it is lowered to 0.8 x Nyquist and
    ``cutoff_adapted`` is recorded.

    Response: :func:`scipy.signal.sosfiltfilt` applies the filter twice, so the
    amplitude gain is ``|H(f)|**2`` (-6 dB at the cut-off) with no phase lag.
    With the bilinear design, ``|H(f)|**2 = 1 / (1 + (tan(pi f / fs) /
    tan(pi fc / fs))**(2 order))``.

    NaN and gap behaviour: a point is missing if any of its coordinates is NaN.
    Each unbroken run of valid samples of a landmark ("stretch") is filtered on
    its own, so missing frames stay NaN and never leak into their neighbours.
    Fill short gaps first (:func:`~tiltscreen.signal.fill_gaps`) to get longer
    stretches.

    Edges: each stretch is padded by odd reflection (``sosfiltfilt``'s default,
    ``min_stretch_frames - 1`` samples); a stretch not longer than that padding
    is returned unfiltered and counted in ``n_stretches_too_short``.

    Variable frame rate: if any interval within a stretch deviates more than
    25 % from the recording's median interval (jitter, dropped frames), the
    stretch is linearly resampled to a uniform grid at least as fine as the
    median interval, filtered there with a filter designed for that grid, and
    linearly sampled back at the original timestamps.

    """
    problems = [
        *number_problems("cutoff_hz", cutoff_hz, low=0.0, low_inclusive=False),
        *number_problems("order", order, low=1, high=MAX_ORDER, integer=True),
    ]
    raise_if_problems("butterworth_lowpass", lm, problems, min_frames=2)

    fs = lm.effective_fps
    nyquist = fs / 2
    used = float(cutoff_hz) if cutoff_hz < NYQUIST_LIMIT * nyquist else NYQUIST_ADAPTED * nyquist
    sos = butter(order, used, fs=fs, output="sos")
    tally = _Tally()
    changes = {space: _filter_space(getattr(lm, space), lm.timestamps_s, sos, used, order, tally)
               for space in SPACES}  # fmt: skip
    params = {
        "cutoff_hz": cutoff_hz,
        "order": order,
        "fs_hz": fs,
        "cutoff_hz_used": used,
        "cutoff_adapted": used != cutoff_hz,
        "min_stretch_frames": _padlen(sos) + 1,
        **asdict(tally),
    }
    return lm.with_step("butterworth_lowpass", params, **changes)


def _filter_space(
    arr: np.ndarray, t: np.ndarray, sos: np.ndarray, cutoff: float, order: int, tally: _Tally
) -> np.ndarray:
    """Filter each unbroken stretch of each landmark of one (frame, landmark, 3) array."""
    out = whole_points(arr)
    valid = ~point_missing(out)
    median_dt = float(np.median(np.diff(t)))
    for k in range(arr.shape[1]):
        for start, stop in true_runs(valid[:, k]):
            x, ts = out[start:stop, k], t[start:stop]
            if np.any(np.abs(np.diff(ts) - median_dt) > VFR_TOLERANCE * median_dt):
                out[start:stop, k] = _filter_resampled(x, ts, median_dt, cutoff, order, tally)
            else:
                out[start:stop, k] = _filter_uniform(x, sos, tally)
    return out


def _filter_uniform(x: np.ndarray, sos: np.ndarray, tally: _Tally) -> np.ndarray:
    """Zero-phase filter one stretch ``(n, coord)``, or return it as is if too short."""
    if len(x) <= _padlen(sos):
        tally.n_stretches_too_short += 1
        tally.n_frames_too_short += len(x)
        return x
    tally.n_stretches_filtered += 1
    return np.asarray(sosfiltfilt(sos, x, axis=0))


def _filter_resampled(
    x: np.ndarray, t: np.ndarray, median_dt: float, cutoff: float, order: int, tally: _Tally
) -> np.ndarray:
    """Resample one irregular stretch to a uniform grid, filter it there and sample it back."""
    span = float(t[-1] - t[0])
    n = int(np.ceil(span / median_dt - 1e-9)) + 1
    grid = np.linspace(t[0], t[-1], n)
    sos = butter(order, cutoff, fs=(n - 1) / span, output="sos")
    if n <= _padlen(sos):
        tally.n_stretches_too_short += 1
        tally.n_frames_too_short += len(x)
        return x
    on_grid = np.column_stack([np.interp(grid, t, x[:, c]) for c in range(x.shape[1])])
    smooth = sosfiltfilt(sos, on_grid, axis=0)
    tally.n_stretches_filtered += 1
    tally.n_stretches_resampled += 1
    return np.column_stack([np.interp(t, grid, smooth[:, c]) for c in range(x.shape[1])])


def lowpass_points(
    points: np.ndarray, t_s: np.ndarray, *, cutoff_hz: float = 6.0, order: int = 4
) -> np.ndarray:
    """Zero-phase low-pass of point trajectories that are not landmarks (e.g. fingertips from the outline).

    Parameters
    ----------
    points : ndarray, shape (frame, dim) or (frame, k, dim)
        Trajectories; a point with any NaN coordinate is missing.
    t_s : ndarray, shape (frame,)
        Strictly increasing timestamps (s).
    cutoff_hz, order : float, int
        As in :func:`butterworth_lowpass`, with the same Nyquist adaptation.

    Returns
    -------
    ndarray
        A filtered copy, same shape; same stretch, gap, edge and variable-frame-rate
        behaviour as :func:`butterworth_lowpass`.

    """
    arr = np.asarray(points, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    if arr.ndim not in (2, 3) or arr.shape[0] != t.shape[0] or t.shape[0] < 2:
        raise ValidationError(
            f"lowpass_points: points must be (frame, dim) or (frame, k, dim) with one row per timestamp "
            f"(>= 2), got {arr.shape} and {t.shape}."
        )
    fs = float(1.0 / np.median(np.diff(t)))
    used = float(cutoff_hz) if cutoff_hz < NYQUIST_LIMIT * fs / 2 else NYQUIST_ADAPTED * fs / 2
    sos = butter(order, used, fs=fs, output="sos")
    three = arr[:, None, :] if arr.ndim == 2 else arr
    out = _filter_space(three, t, sos, used, order, _Tally())
    return out[:, 0, :] if arr.ndim == 2 else out
