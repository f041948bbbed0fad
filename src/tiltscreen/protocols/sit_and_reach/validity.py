"""Validity rules of one sit-and-reach trial, each giving a plain-sentence reason with its numbers.

Sources for the rules (as text; see docs/clinical.md, section 3):
ACSM 2006 / CSEP 2003 classic sit-and-reach (knees fully extended, hands parallel,
reach slowly, hold ~2 s, best of 2 trials), YMCA (best of 3), KIT Testothek (hold
>= 2 s). The knee tolerance (5-10 deg) and every detection threshold are tool-design
choices, not published cut-offs; they are parameters of
:class:`~tiltscreen.protocols.sit_and_reach.series.SitAndReachRules`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.protocols.sit_and_reach.series import (
    ReachSeries,
    SitAndReachRules,
    finite_max,
    finite_median,
    frame_durations,
    moving_median,
)

#: stable machine-readable codes of the invalid reasons, in the order they are checked
REASON_CODES = (
    "starts_inside_trial",
    "no_return",
    "out_of_frame",
    "bouncing",
    "hold_short",
    "knees_unknown",
    "knees_bent",
    "hands_uneven",
    "low_visibility",
)


@dataclass(frozen=True)
class TrialWindow:
    """Frame indices that delimit one detected trial (all inclusive) and how it was cut.

    ``onset`` <= ``hold_first`` <= ``peak`` <= ``hold_last`` <= ``end``.
    ``hold_gap_s`` is the span of unknown reach that stopped the hold (0 if none).
    """

    onset: int
    peak: int
    hold_first: int
    hold_last: int
    end: int
    starts_inside: bool
    returned: bool
    hold_gap_s: float = 0.0


@dataclass(frozen=True)
class Judgement:
    """What the rules measured on a trial and the reasons it is invalid (empty = valid).

    ``notes`` are plain sentences about rules that could not be assessed (they do not make
    the trial invalid), e.g. the hands rule in a side view.
    """

    codes: tuple[str, ...]
    reasons: tuple[str, ...]
    bouncing: bool
    knee_flexion_max_deg: float
    hands_gap_at_max: float
    notes: tuple[str, ...] = ()


def swing_peaks(values: np.ndarray, *, min_swing: float) -> list[int]:
    """Return the indices of the reversal peaks of ``values`` with hysteresis ``min_swing``.

    A peak is confirmed when the values then fall at least ``min_swing`` below
    it; a new rise counts once the values climb ``min_swing`` above the last
    trough. The running maximum of a final rise is included as the last peak.
    NaN samples are skipped. The series is assumed to start low (at a trial's
    onset), so the first peak needs a rise of ``min_swing`` first.
    """
    idx = np.flatnonzero(np.isfinite(values))
    peaks: list[int] = []
    if idx.size == 0:
        return peaks
    trough = cand = int(idx[0])
    rising = False
    for i in idx[1:].tolist():
        v = values[i]
        if rising:
            if v > values[cand]:
                cand = i
            elif values[cand] - v >= min_swing:
                peaks.append(cand)
                trough, rising = i, False
        elif v < values[trough]:
            trough = i
        elif v - values[trough] >= min_swing:
            cand, rising = i, True
    if rising:
        peaks.append(cand)
    return peaks


def _peak_chain(
    values: np.ndarray, t_s: np.ndarray, first: int, last: int, *, min_swing: float, max_period_s: float
) -> int:
    """Length of the longest chain of reversal peaks of ``values[first:last + 1]``.

    Peaks as in :func:`swing_peaks` (hysteresis ``min_swing``); a chain is a run
    of successive peaks less than ``max_period_s`` apart (0 or 1 without a pair).
    """
    peaks = np.asarray(swing_peaks(values[first : last + 1], min_swing=min_swing), dtype=int) + first
    if peaks.size < 2:
        return int(peaks.size)
    close = np.diff(t_s[peaks]) < max_period_s
    longest = run = 0
    for c in close.tolist():
        run = run + 1 if c else 0
        longest = max(longest, run)
    return longest + 1


def bouncing_chain(
    smooth_reach: np.ndarray, t_s: np.ndarray, window: TrialWindow, rules: SitAndReachRules
) -> int:
    """Length of the longest chain of rapid reach peaks from the onset to the end of the hold.

    Rule (ballistic reaching): take the reversal peaks of the smoothed reach
    between the onset and the last hold frame, each separated by dips of at
    least ``bounce_min_dip`` (:func:`swing_peaks`); successive peaks less than
    ``bounce_max_period_s`` apart form a chain. The trial bounces when a chain
    has at least ``bounce_min_peaks`` peaks. Small fluctuations inside the
    hold band never count because ``bounce_min_dip`` should exceed ``hold_band``.
    On its own this misses real bounces: the ``smooth_s`` median flattens a 2-4 Hz
    bounce and a fingertip hidden in the box barely moves, hence also
    :func:`trunk_bouncing_chain`.
    """
    return _peak_chain(
        smooth_reach,
        t_s,
        window.onset,
        window.hold_last,
        min_swing=rules.bounce_min_dip,
        max_period_s=rules.bounce_max_period_s,
    )


def trunk_bouncing_chain(
    trunk_deg: np.ndarray, t_s: np.ndarray, window: TrialWindow, rules: SitAndReachRules
) -> int:
    """Length of the longest chain of rapid trunk-inclination peaks from the onset to the end of the hold.

    Rule (ballistic reaching bobs the whole trunk): the trunk inclination,
    smoothed only by a centred moving median of ``bounce_trunk_smooth_s``
    (against one-frame glitches), has reversal peaks between the onset and the
    last hold frame separated by dips of at least ``bounce_min_trunk_swing_deg``
    (:func:`swing_peaks`); successive peaks less than ``bounce_max_period_s``
    apart form a chain, and a chain of at least ``bounce_min_peaks`` peaks is
    bouncing. A steady reach leans forward monotonically and then holds, so
    its trunk has no such reversal; a slow readjustment has peaks more than
    ``bounce_max_period_s`` apart. The trunk line (hip to shoulder) is less
    noisy than the outline fingertip and stays visible when the hand is in the box.
    Measured on renders (benchmarks/results/accuracy_sit_and_reach.md): ballistic
    trials (1.9 and 4.4 Hz) swing 5.75-6.75 deg, steady ones at most 0.5 deg.
    """
    trunk = moving_median(trunk_deg, t_s, width_s=rules.bounce_trunk_smooth_s)
    return _peak_chain(
        trunk,
        t_s,
        window.onset,
        window.hold_last,
        min_swing=rules.bounce_min_trunk_swing_deg,
        max_period_s=rules.bounce_max_period_s,
    )


def judge(
    series: ReachSeries,
    smooth_reach: np.ndarray,
    smooth_knee: np.ndarray,
    window: TrialWindow,
    rules: SitAndReachRules,
) -> Judgement:
    """Apply every validity rule to one trial; return the measurements and the failed rules.

    Rules, in order (code: condition):

    - ``starts_inside_trial``: the first trial has less than ``min_rest_s`` of
      rest before its onset, or the recording starts after the maximum;
    - ``no_return``: the recording ends before the reach falls back;
    - ``out_of_frame``: the subject is out of frame longer than
      ``max_out_of_frame_s`` between onset and end;
    - ``bouncing``: a chain of rapid reach peaks (:func:`bouncing_chain`) or of
      rapid trunk-inclination peaks (:func:`trunk_bouncing_chain`);
    - ``hold_short``: ``hold_s < min_hold_s``;
    - ``knees_unknown`` / ``knees_bent``: the maximum of the smoothed knee
      flexion over the hold is unknown / above ``knee_tolerance_deg``, or its
      maximum over the whole trial (onset to end) is above
      ``knee_trial_tolerance_deg`` (MediaPipe under-reads a bent knee in deep
      forward flexion, and reads it better while the trunk is more upright);
    - ``hands_uneven``: the median hands gap within ``smooth_s / 2`` of the
      maximum exceeds ``max_hands_gap``, judged only when the gap is known there
      and measured with a 95% error (``series.hands_gap_error``) of at most
      ``max_hands_gap_error``; otherwise the rule is "not assessed" (a note, not a
      reason: a side view hides the far hand);
    - ``low_visibility``: the median visible fraction over the hold is below
      ``min_visible`` (or unknown).
    """
    t = series.t_s
    hold = slice(window.hold_first, window.hold_last + 1)
    found: list[tuple[str, str]] = []
    if window.starts_inside:
        found.append(("starts_inside_trial", "the recording starts after the reach began"))
    if not window.returned:
        found.append(("no_return", "the recording ends before the return"))
    found += _frame_reasons(series, window, rules)
    chain = bouncing_chain(smooth_reach, t, window, rules)
    trunk_chain = trunk_bouncing_chain(series.trunk_inclination_deg, t, window, rules)
    bouncing = chain >= rules.bounce_min_peaks or trunk_chain >= rules.bounce_min_peaks
    if chain >= rules.bounce_min_peaks:
        found.append(
            (
                "bouncing",
                f"bouncing: {chain} reach peaks less than {rules.bounce_max_period_s:g} s apart "
                f"with dips of at least {rules.bounce_min_dip:g} {series.unit} before the maximum",
            )
        )
    elif bouncing:
        found.append(
            (
                "bouncing",
                f"bouncing: {trunk_chain} trunk-inclination peaks less than {rules.bounce_max_period_s:g} s "
                f"apart with dips of at least {rules.bounce_min_trunk_swing_deg:g}° before the maximum",
            )
        )
    found += _hold_reasons(t, window, rules)
    knee = finite_max(smooth_knee[hold])
    found += _knee_reasons(knee, finite_max(smooth_knee[window.onset : window.end + 1]), rules)
    gap = finite_median(series.hands_gap[np.abs(t - t[window.peak]) <= rules.smooth_s / 2])
    hands, notes = _hands_reasons(gap, series.hands_gap_error, series.unit, rules)
    found += hands
    found += _visibility_reasons(finite_median(series.visible_fraction[hold]), rules)
    return Judgement(
        codes=tuple(c for c, _ in found),
        reasons=tuple(r for _, r in found),
        bouncing=bouncing,
        knee_flexion_max_deg=knee,
        hands_gap_at_max=gap if not notes else math.nan,
        notes=notes,
    )


def _hands_reasons(
    gap: float, error: float, unit: str, rules: SitAndReachRules
) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """Return the ``hands_uneven`` reason, or a note that the rule was not assessed."""
    if not (math.isfinite(gap) and math.isfinite(error) and error <= rules.max_hands_gap_error):
        why = (
            "hands together: not assessed (the far hand is hidden in a side view, so the gap between the "
            f"hands cannot be measured to better than {rules.max_hands_gap_error:g} {unit}); check it by eye"
        )
        return [], (why,)
    if gap > rules.max_hands_gap:
        why = (
            f"hands uneven: fingertips {gap:.1f} {unit} apart at the maximum "
            f"(tolerance {rules.max_hands_gap:g} {unit})"
        )
        return [("hands_uneven", why)], ()
    return [], ()


def _frame_reasons(
    series: ReachSeries, window: TrialWindow, rules: SitAndReachRules
) -> list[tuple[str, str]]:
    """Return the ``out_of_frame`` reason if the subject leaves the image for too long."""
    frames = slice(window.onset, window.end + 1)
    out_s = float(frame_durations(series.t_s)[frames][~series.in_frame[frames]].sum())
    if out_s <= rules.max_out_of_frame_s + 1e-9:
        return []
    why = (
        f"part of the body left the picture for {out_s:.1f} s during the trial "
        f"(the subject must stay fully in view; tolerance {rules.max_out_of_frame_s:g} s)"
    )
    return [("out_of_frame", why)]


def _visibility_reasons(vis: float, rules: SitAndReachRules) -> list[tuple[str, str]]:
    """Return the ``low_visibility`` reason if the median visible fraction is low or unknown."""
    if vis >= rules.min_visible:
        return []
    shown = "unknown" if math.isnan(vis) else f"{vis:.0%}"
    why = (
        f"landmarks poorly visible during the hold (median {shown} visible, minimum {rules.min_visible:.0%})"
    )
    return [("low_visibility", why)]


def _hold_reasons(t: np.ndarray, window: TrialWindow, rules: SitAndReachRules) -> list[tuple[str, str]]:
    """Return the ``hold_short`` reason, naming a gap of unknown reach that cut the hold."""
    hold_s = float(t[window.hold_last] - t[window.hold_first])
    if hold_s >= rules.min_hold_s:
        return []
    why = f"hold {hold_s:.1f} s, shorter than the required {rules.min_hold_s:g} s"
    if window.hold_gap_s > 0:
        why += f" (the reach is unknown for {window.hold_gap_s:.1f} s next to it)"
    return [("hold_short", why)]


def _knee_reasons(knee: float, knee_trial: float, rules: SitAndReachRules) -> list[tuple[str, str]]:
    """Return the ``knees_unknown`` or ``knees_bent`` reason (the hold, else the trial's wider tolerance)."""
    if math.isnan(knee):
        return [("knees_unknown", "knee angle unknown during the hold")]
    if knee > rules.knee_tolerance_deg:
        why = f"knees bent {knee:.0f}° during the hold (tolerance {rules.knee_tolerance_deg:g}°)"
        return [("knees_bent", why)]
    if knee_trial > rules.knee_trial_tolerance_deg:
        why = (
            f"knees bent {knee_trial:.0f}° during the reach or return (tolerance "
            f"{rules.knee_trial_tolerance_deg:g}° there, where the camera reads the knee less precisely)"
        )
        return [("knees_bent", why)]
    return []
