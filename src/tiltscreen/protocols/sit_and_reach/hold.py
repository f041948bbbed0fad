"""The hold of a sit-and-reach trial: the highest position kept still for the required time (pure).

Protocols ask the subject to reach slowly and hold the end position about 2 s (ACSM 2006 /
CSEP 2003; KIT Testothek >= 2 s; docs/clinical.md §3). A hold here is a stretch of time in
which the reach stays within a tolerance band (``band``: its highest and lowest values differ
by at most that much). The trial's hold is the highest such stretch lasting at least the
required time; if there is none, the stretch at the trial's highest level, however short
(the trial is then invalid). So:

- a peak followed by a return, even a slow one, is timed at its own level: its hold is
  only as long as the reach stayed within the band there (a hold under 1 s is never valid);
- a brief overshoot as the hand lands, followed by a real hold a little lower, does not cut
  that hold: the hold is the still part, scored at its own level;
- excursions shorter than ``max_overshoot_s`` (an outline glitch, a twitch) are removed first
  by a morphological opening and closing (:func:`open_close`), so they neither end a hold nor
  make one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Hold:
    """One hold: first and last frame (inclusive), its level and how it was cut.

    ``level`` is the median of the filtered reach over the hold (series unit);
    ``band`` the tolerance used (``hold_band`` plus the noise allowance);
    ``gap_s`` the span of unknown reach that ended it (0 if none).
    """

    first: int
    last: int
    level: float
    band: float
    gap_s: float = 0.0


def _rank_filter(values: np.ndarray, t: np.ndarray, width_s: float, func) -> np.ndarray:
    """Centred moving ``func`` (np.min or np.max) over ``|t_j - t_i| <= width_s / 2`` (known samples only)."""
    out = np.array(values, dtype=float)
    known = np.flatnonzero(np.isfinite(values))
    if width_s <= 0 or known.size == 0:
        return out
    tk, vk = t[known], values[known]
    lo = np.searchsorted(tk, tk - width_s / 2 - 1e-9, side="left")
    hi = np.searchsorted(tk, tk + width_s / 2 + 1e-9, side="right")
    out[known] = [func(vk[a:b]) for a, b in zip(lo, hi, strict=True)]
    return out


def open_close(values: np.ndarray, t: np.ndarray, *, width_s: float) -> np.ndarray:
    """Morphological opening then closing over a centred time window of ``width_s`` (NaN stays NaN).

    The opening (a moving minimum, then a moving maximum) removes upward excursions narrower
    than the window; the closing (maximum, then minimum) removes downward ones. Stretches wider
    than the window keep their values, and monotone ramps are unchanged, so the edges of a hold
    are not moved. At a smooth peak narrower than the window the top is shaved to the value
    ``width_s / 2`` either side of it.
    """
    opened = _rank_filter(_rank_filter(values, t, width_s, np.min), t, width_s, np.max)
    return _rank_filter(_rank_filter(opened, t, width_s, np.max), t, width_s, np.min)


def top_noise(reach: np.ndarray, t: np.ndarray, near_top: np.ndarray) -> float:
    """Return the fingertip's noise near a trial's top: robust SD of the raw reach about its 1 s median.

    ``near_top`` selects the frames to use (those within a few band widths of the trial's highest level,
    i.e. the hold and its approach). Same unit as ``reach``; 0.0 if fewer than 5 frames are known.
    """
    from tiltscreen.protocols.sit_and_reach.series import moving_median  # noqa: PLC0415

    resid = (reach - moving_median(reach, t, width_s=1.0))[near_top]
    resid = resid[np.isfinite(resid)]
    return float(1.4826 * np.median(np.abs(resid - np.median(resid)))) if resid.size >= 5 else 0.0


def speed(values: np.ndarray, t: np.ndarray, *, half_s: float = 0.1) -> np.ndarray:
    """|d values / dt| by a central difference over ``2 half_s`` (s), values interpolated in time (unit/s)."""
    return np.abs(np.interp(t + half_s, t, values) - np.interp(t - half_s, t, values)) / (2 * half_s)


def seen_around(
    t: np.ndarray, known: np.ndarray, *, half_s: float = 0.1, slack_s: float = 0.05
) -> np.ndarray:
    """Per sample, True when known samples lie within ``half_s + slack_s`` (s) before and after it.

    A speed (:func:`speed`) over a stretch the point was not seen in is the interpolation's, not the
    point's: across a gap of a second or more it turns a jump between the gap's ends into a steady
    "motion". Only samples with ``True`` here are judged by such a speed.
    """
    tk = t[known]
    if tk.size == 0:
        return np.zeros(t.shape, bool)
    before = np.searchsorted(tk, t, side="right") - 1
    after = np.searchsorted(tk, t, side="left")
    lim = half_s + slack_s
    ok_before = (before >= 0) & (t - tk[np.clip(before, 0, tk.size - 1)] <= lim)
    ok_after = (after < tk.size) & (tk[np.clip(after, 0, tk.size - 1)] - t <= lim)
    return ok_before & ok_after


def _runs(
    v: np.ndarray, tk: np.ndarray, band: float, max_gap_s: float, still: np.ndarray
) -> list[tuple[int, int]]:
    """Maximal runs ``(a, b)`` (indices into the known samples) of still samples within ``band`` of range."""
    runs: list[tuple[int, int]] = []
    last_end = -1
    # a run never spans a longer unknown stretch nor a moving sample
    breaks = np.union1d(np.flatnonzero(np.diff(tk) > max_gap_s), np.flatnonzero(~still) - 1)
    for a in range(v.size):
        if not still[a]:
            continue
        nxt = breaks[breaks >= a]
        stop = int(nxt[0]) + 1 if nxt.size else v.size
        seg = v[a:stop]
        over = np.flatnonzero(np.maximum.accumulate(seg) - np.minimum.accumulate(seg) > band)
        b = a + (int(over[0]) - 1 if over.size else seg.size - 1)
        if b > last_end:
            runs.append((a, b))
            last_end = b
    return runs


def find_hold(
    reach: np.ndarray,
    smooth: np.ndarray,
    t: np.ndarray,
    first: int,
    last: int,
    *,
    band: float,
    min_hold_s: float,
    max_overshoot_s: float,
    max_gap_s: float,
    noise_k: float,
    max_speed: float = np.inf,
    hand: np.ndarray | None = None,
) -> Hold | None:
    """Find the hold of one trial between frames ``first`` and ``last`` (inclusive).

    Parameters
    ----------
    reach : ndarray
        The raw reach (series unit), for its noise (:func:`top_noise`).
    smooth : ndarray
        The reach after the short moving median (series unit); NaN where unknown.
    t : ndarray
        Frame times (s).
    first, last : int
        The trial's onset and end frames.
    band : float
        Tolerance: within a hold the filtered reach varies by at most ``band`` plus
        ``noise_k`` times the fingertip's noise near the top of the trial (:func:`top_noise`).
    min_hold_s : float
        Required hold (s).
    max_overshoot_s : float
        Width (s) of :func:`open_close`: excursions shorter than this are ignored.
    max_gap_s : float
        Longest unknown stretch (s) a hold bridges.
    noise_k : float
        Multiple of the noise added to ``band``.
    max_speed : float
        A hold frame is still: the filtered reach changes by at most this (unit/s) over
        +-0.1 s, raised to ``noise_k`` times the speed's own noise (the noise x sqrt(2) /
        0.2 s) when that is larger. This trims the ends of the reach and the return
        that pass through the band while still moving (a cosine ease spends 0.1-0.2 s there),
        so the hold is the time the hand is kept still, as a tester with a stopwatch times it.
    hand : ndarray or None
        The hand's forward position per frame (series unit, any zero), e.g. MediaPipe's index
        knuckle, smoothed like ``smooth``; when given, it must be still too (same speed rule
        with its own noise): an outline fingertip can stop short while the hand slides on. Only
        where the hand was seen on both sides of the frame (:func:`seen_around`): MediaPipe loses
        the knuckle for a second or more in some holds.

    Returns
    -------
    Hold or None
        The highest hold lasting ``min_hold_s`` or more; if none, the hold at the
        highest level among those lasting at least ``max_overshoot_s`` (else the longest
        one). None when no reach is known in the trial.

    """
    idx = np.arange(first, last + 1)
    idx = idx[np.isfinite(smooth[idx])]
    if idx.size == 0:
        return None
    tk = t[idx]
    filt = open_close(smooth[idx], tk, width_s=max_overshoot_s)
    near_top = filt >= np.nanmax(filt) - 3 * band
    noise = top_noise(reach[idx], tk, near_top)
    tol = band + noise_k * noise
    still = speed(filt, tk) <= max(max_speed, noise_k * noise * math.sqrt(2) / 0.2)
    if hand is not None and np.isfinite(hand[idx]).sum() >= 5:
        known = np.isfinite(hand[idx])
        h = np.interp(tk, tk[known], hand[idx][known])
        hf = open_close(h, tk, width_s=max_overshoot_s)
        h_noise = top_noise(hand[idx], tk, near_top)
        moving = speed(hf, tk) > max(max_speed, noise_k * h_noise * math.sqrt(2) / 0.2)
        still &= ~(moving & seen_around(tk, known))
    runs = _runs(filt, tk, tol, max_gap_s, still)
    if not runs:
        return None
    dur = np.array([tk[b] - tk[a] for a, b in runs])
    level = np.array([np.median(filt[a : b + 1]) for a, b in runs])
    ok = np.flatnonzero(dur >= min_hold_s - 1e-9)
    if not ok.size:
        ok = np.flatnonzero(dur >= max_overshoot_s - 1e-9)
    pick = int(ok[np.argmax(level[ok])]) if ok.size else int(np.argmax(dur))
    a, b = runs[pick]
    gaps = [tk[a] - tk[a - 1] if a > 0 else 0.0, tk[b + 1] - tk[b] if b + 1 < tk.size else 0.0]
    gap = max((g for g in gaps if g > max_gap_s), default=0.0)
    return Hold(
        int(idx[a]), int(idx[b]), float(level[pick]), float(tol), float(gap) if math.isfinite(gap) else 0.0
    )
