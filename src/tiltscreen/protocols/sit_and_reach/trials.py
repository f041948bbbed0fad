"""Find the trials of a sit-and-reach recording, judge them and pick the best one (pure, no I/O).

A trial is rest (sitting upright, reach low and stable) -> reach (reach rising) ->
hold (reach within ``hold_band`` of its maximum) -> return (reach falls back).
Protocol background, as text: classic/ACSM/CSEP and KIT ask for a slow reach held
>= 2 s, best of 2 trials; YMCA best of 3; all require extended knees
(docs/clinical.md, section 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.protocols.sit_and_reach.hold import find_hold
from tiltscreen.protocols.sit_and_reach.series import (
    ReachSeries,
    SitAndReachRules,
    check_series_and_rules,
    finite_median,
    moving_median,
)
from tiltscreen.protocols.sit_and_reach.validity import TrialWindow, judge


@dataclass(frozen=True)
class Trial:
    """One detected sit-and-reach trial.

    Attributes
    ----------
    index : int
        0-based position among the trials of the recording.
    start_s, max_reach_s, end_s : float
        Times (s) of the reach onset, of the maximum of the smoothed reach
        within the hold and of the end of the return.
    hold_s : float
        Time (s) the reach stays within ``hold_band`` of the held maximum,
        contiguous around it (first to last hold frame; see :func:`detect_trials`).
        It includes the last part of the reach and the first part of the
        return that lie within the band.
    reach : float
        The score: median raw reach over the hold frames, in ``unit``.
    valid : bool
        True when ``invalid_reasons`` is empty.
    invalid_reasons : tuple of str
        Plain sentences with the numbers, e.g. "knees bent 17° during the hold
        (tolerance 10°)".
    bouncing : bool
        Ballistic reaching detected (see
        :func:`~tiltscreen.protocols.sit_and_reach.validity.bouncing_chain` and
        :func:`~tiltscreen.protocols.sit_and_reach.validity.trunk_bouncing_chain`).
    knee_flexion_max_deg : float
        Largest smoothed knee flexion (deg, 0 = straight) over the hold; NaN if unknown.
    hip_flexion_at_max_deg, trunk_inclination_at_max_deg : float
        Median hip flexion and trunk inclination (deg) over the hold (the
        position at the maximum); NaN if unknown.
    frames : slice
        Frames of the trial, onset to end of the return.
    hold_frames : slice
        Frames of the hold.
    hands_gap_at_max : float
        Median gap between the fingertips (``unit``) near the maximum; NaN if unknown.
    invalid_codes : tuple of str
        Machine-readable codes matching ``invalid_reasons`` one to one (see
        :data:`~tiltscreen.protocols.sit_and_reach.validity.REASON_CODES`).
    unit : str
        Unit of ``reach`` and ``hands_gap_at_max`` ("cm" or "px").
    notes : tuple of str
        Rules that could not be assessed, as plain sentences (not reasons to reject).
    reach_sd : float
        Median over the hold of the series' per-frame geometric SD of the reach
        (``unit``); NaN if not known.
    tip_source : str
        The fingertip source used for most hold frames (one of the series'
        ``tip_labels``), or "none".

    """

    index: int
    start_s: float
    max_reach_s: float
    end_s: float
    hold_s: float
    reach: float
    valid: bool
    invalid_reasons: tuple[str, ...]
    bouncing: bool
    knee_flexion_max_deg: float
    hip_flexion_at_max_deg: float
    trunk_inclination_at_max_deg: float
    frames: slice
    hold_frames: slice
    hands_gap_at_max: float
    invalid_codes: tuple[str, ...]
    unit: str
    notes: tuple[str, ...] = ()
    reach_sd: float = math.nan
    tip_source: str = "outline"


@dataclass
class _Swing:
    """One rise and fall of the smoothed reach: frames of the rest minimum, the maximum and the rest after."""

    valley: int | None  # None: the recording starts inside the trial
    peak: int
    returned: bool = False
    after: int | None = None


def detect_trials(series: ReachSeries, rules: SitAndReachRules) -> list[Trial]:
    """Find and judge every sit-and-reach trial of a recording.

    Parameters
    ----------
    series : ReachSeries
        The per-frame series of one recording.
    rules : SitAndReachRules
        Tolerances; their ``unit`` must equal ``series.unit``.

    Returns
    -------
    list of Trial
        In time order; empty if the reach never rises ``min_excursion`` above rest.

    Raises
    ------
    ValidationError
        If the arguments have the wrong types or the units differ.

    Notes
    -----
    Reach and knee flexion are smoothed with a centred moving median of width
    ``smooth_s`` (time-based, so variable frame rates are fine; NaN stays NaN),
    used for segmentation, onset, end, the time of the maximum, the reach check of
    bouncing and the knee check (the trunk check of bouncing uses the trunk
    inclination with its own short median, ``bounce_trunk_smooth_s``).

    The hold (:func:`~tiltscreen.protocols.sit_and_reach.hold.find_hold`) is the highest
    stretch of the trial in which the smoothed reach, after removing excursions shorter than
    ``max_overshoot_s``, is still (speed at most ``max_still_speed``) and stays within
    ``hold_band`` (plus ``hold_noise_k`` times its measured noise) for ``min_hold_s``; if there
    is none, the stretch at the highest level (the trial is then invalid). A peak followed by
    a return is timed at its own level; a brief overshoot before a real hold does not cut it.
    Unknown spans up to ``max_gap_s`` are bridged. The score ``reach`` is the median of the raw
    reach over the hold.

    Segmentation (hysteresis on the smoothed reach, NaN frames skipped): a trial
    starts when the reach rises ``min_excursion`` above the lowest value since the
    previous trial (the rest) and has returned once it falls by
    ``return_fraction`` of its excursion (maximum - rest); dips smaller than that,
    such as bouncing, stay inside the trial. If the recording starts with the
    reach falling by ``min_excursion`` from its first maximum, it started inside
    a trial. The onset is the last frame before the maximum within
    ``onset_fraction`` of the excursion above the rest; the end is the first
    frame after the maximum within that fraction above the following rest (rest
    values are taken from the wide median, so one noise dip does not move them).
    Trials cut by the start or end of the recording are kept with a reason.

    """
    check_series_and_rules("detect_trials", series, rules)
    t = series.t_s
    smooth = moving_median(series.reach_cm, t, width_s=rules.smooth_s)
    held = moving_median(series.reach_cm, t, width_s=rules.hold_level_s)
    knee = moving_median(series.knee_flexion_deg, t, width_s=rules.smooth_s)
    hand = moving_median(series.hand, t, width_s=rules.smooth_s)
    swings = _find_swings(smooth, min_excursion=rules.min_excursion, return_fraction=rules.return_fraction)
    trials = []
    for k, swing in enumerate(swings):
        window = _window(swing, smooth, held, t, rules, first=k == 0, reach=series.reach_cm, hand=hand)
        trials.append(_make_trial(k, window, series, smooth, knee, rules))
    return trials


def best_trial(trials: list[Trial], rules: SitAndReachRules) -> int | None:
    """Position in ``trials`` of the best valid trial, or None if none is valid.

    With ``best_rule="max_reach"`` the best is the valid trial with the largest
    ``reach`` (ties: the earliest), as protocols record the best of 2-3 trials.
    For the list returned by :func:`detect_trials` the position equals ``Trial.index``.

    Raises
    ------
    ValidationError
        If ``trials`` is not a list of :class:`Trial` or ``rules`` is not a
        :class:`SitAndReachRules`.

    """
    if not isinstance(rules, SitAndReachRules):
        raise ValidationError(f"best_trial: rules must be a SitAndReachRules, got {type(rules).__name__}.")
    if not isinstance(trials, list | tuple) or not all(isinstance(tr, Trial) for tr in trials):
        raise ValidationError("best_trial: trials must be a list of Trial.")
    valid = [(pos, tr) for pos, tr in enumerate(trials) if tr.valid and math.isfinite(tr.reach)]
    if not valid:
        return None
    best_pos, _ = max(valid, key=lambda pair: (pair[1].reach, -pair[0]))
    return best_pos


def _find_swings(smooth: np.ndarray, *, min_excursion: float, return_fraction: float) -> list[_Swing]:
    """Hysteresis state machine over the known frames of the smoothed reach (see :func:`detect_trials`)."""
    idx = np.flatnonzero(np.isfinite(smooth)).tolist()
    swings: list[_Swing] = []
    if not idx:
        return swings
    lo = hi = idx[0]
    state, cur = "start", None
    for i in idx[1:]:
        r = smooth[i]
        if state == "up":
            assert cur is not None and cur.valley is not None
            if r > smooth[cur.peak]:
                cur.peak = i
            drop = return_fraction * (smooth[cur.peak] - smooth[cur.valley])
            if r <= smooth[cur.peak] - drop:
                cur.returned, state, lo = True, "down", i
                swings.append(cur)
            continue
        lo = i if r < smooth[lo] else lo
        hi = i if r > smooth[hi] else hi
        if r - smooth[lo] >= min_excursion:
            if swings:
                swings[-1].after = lo
            cur, state = _Swing(valley=lo, peak=i), "up"
        elif state == "start" and smooth[hi] - r >= min_excursion:
            swings.append(_Swing(valley=None, peak=hi, returned=True))
            state, lo = "down", i
    if state == "up":
        assert cur is not None
        swings.append(cur)
    elif swings:
        swings[-1].after = lo
    return swings


def _rest_level(valley: int, smooth: np.ndarray, held: np.ndarray) -> float:
    """Rest value at a valley: the long moving median there (robust to a noise dip), else the smoothed one."""
    return float(held[valley]) if np.isfinite(held[valley]) else float(smooth[valley])


def _window(
    swing: _Swing,
    smooth: np.ndarray,
    held: np.ndarray,
    t: np.ndarray,
    rules: SitAndReachRules,
    *,
    first: bool,
    reach: np.ndarray,
    hand: np.ndarray,
) -> TrialWindow:
    """Onset, hold and end frames of one swing (``reach``: the raw reach, for its noise)."""
    known = np.isfinite(smooth)
    first_known = int(np.flatnonzero(known)[0])
    peak_v = smooth[swing.peak]
    onset = first_known
    if swing.valley is not None:
        base = _rest_level(swing.valley, smooth, held)
        level = base + rules.onset_fraction * (peak_v - base)
        below = np.flatnonzero(
            known[swing.valley : swing.peak + 1] & (smooth[swing.valley : swing.peak + 1] <= level)
        )
        onset = swing.valley + int(below[-1]) if below.size else swing.valley
    starts_inside = swing.valley is None or (first and t[onset] - t[first_known] < rules.min_rest_s)
    last_known = int(np.flatnonzero(known)[-1])
    end = last_known
    if swing.returned and swing.after is not None:
        base = _rest_level(swing.after, smooth, held)
        level = base + rules.onset_fraction * (peak_v - base)
        below = np.flatnonzero(
            known[swing.peak : swing.after + 1] & (smooth[swing.peak : swing.after + 1] <= level)
        )
        end = swing.peak + int(below[0]) if below.size else swing.after
    hold = find_hold(
        reach, smooth, t, onset, end, band=rules.hold_band, min_hold_s=rules.min_hold_s,
        max_overshoot_s=rules.max_overshoot_s, max_gap_s=rules.max_gap_s, noise_k=rules.hold_noise_k,
        max_speed=rules.max_still_speed, hand=hand,
    )  # fmt: skip
    hold_first, hold_last = (hold.first, hold.last) if hold is not None else (swing.peak, swing.peak)
    in_hold = np.arange(hold_first, hold_last + 1)
    in_hold = in_hold[known[in_hold]]
    return TrialWindow(
        onset=onset,
        peak=int(in_hold[np.argmax(smooth[in_hold])]),
        hold_first=hold_first,
        hold_last=hold_last,
        end=end,
        starts_inside=bool(starts_inside),
        returned=swing.returned,
        hold_gap_s=hold.gap_s if hold is not None else 0.0,
    )


def _make_trial(
    index: int,
    window: TrialWindow,
    series: ReachSeries,
    smooth: np.ndarray,
    knee: np.ndarray,
    rules: SitAndReachRules,
) -> Trial:
    """Measure and judge one trial."""
    t = series.t_s
    hold = slice(window.hold_first, window.hold_last + 1)
    verdict = judge(series, smooth, knee, window, rules)
    return Trial(
        index=index,
        start_s=float(t[window.onset]),
        max_reach_s=float(t[window.peak]),
        end_s=float(t[window.end]),
        hold_s=float(t[window.hold_last] - t[window.hold_first]),
        reach=finite_median(series.reach_cm[hold]),
        valid=not verdict.reasons,
        invalid_reasons=verdict.reasons,
        bouncing=verdict.bouncing,
        knee_flexion_max_deg=verdict.knee_flexion_max_deg,
        hip_flexion_at_max_deg=finite_median(series.hip_flexion_deg[hold]),
        trunk_inclination_at_max_deg=finite_median(series.trunk_inclination_deg[hold]),
        frames=slice(window.onset, window.end + 1),
        hold_frames=hold,
        hands_gap_at_max=verdict.hands_gap_at_max,
        invalid_codes=verdict.codes,
        unit=series.unit,
        notes=verdict.notes,
        reach_sd=finite_median(series.reach_sd[hold]),
        tip_source=_main_source(series, hold),
    )


def _main_source(series: ReachSeries, hold: slice) -> str:
    """Label of the fingertip source used in most hold frames with a known reach ("none" if none)."""
    src = series.tip_source[hold][np.isfinite(series.reach_cm[hold])]
    src = src[src >= 0].astype(int)
    if src.size == 0:
        return "none"
    return series.tip_labels[int(np.bincount(src).argmax())]
