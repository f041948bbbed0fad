"""The tolerances of the sit-and-reach trial analysis, checked once (:class:`SitAndReachRules`).

Every value normally comes from ``config/thresholds.json`` (``analysis.rules_from``), where each
one states its source or how it was measured.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from numbers import Integral, Real

from tiltscreen.errors import ValidationError

#: units a reach series may be in ("px" when no metric scale exists; converted later by the caller)
UNITS = ("cm", "px")
#: how :func:`~tiltscreen.protocols.sit_and_reach.trials.best_trial` picks the best valid trial
BEST_RULES = ("max_reach",)
#: the fields of :class:`SitAndReachRules` that are lengths in the rules' ``unit``
LENGTH_FIELDS = (
    "hold_band", "max_still_speed", "max_hands_gap", "max_hands_gap_error", "bounce_min_dip", "min_excursion"
)  # fmt: skip


@dataclass(frozen=True)
class SitAndReachRules:
    """Every tolerance of the trial analysis; values normally come from a config file.

    Lengths (:data:`LENGTH_FIELDS`) are in ``unit``, which must equal the series' unit; use
    :meth:`to_px` to get the pixel equivalent when no metric scale exists.

    Parameters
    ----------
    min_hold_s : float, default 2.0
        Shortest valid hold (s): "hold the end position ~2 s" (ACSM 2006 / CSEP
        2003, KIT Testothek ">= 2 s"; docs/clinical.md §3).
    hold_band : float, default 1.0
        The hold is the contiguous time the reach (after the ``hold_level_s``
        moving median) stays within this distance (plus the noise allowance
        ``hold_noise_k``) of the trial's held level (see ``max_overshoot_s``).
    max_overshoot_s : float, default 0.5
        The held level is the highest reach sustained at least this long (s):
        a higher excursion that lasts less (the hand overshooting as it lands,
        an outline glitch) neither sets the level nor cuts the hold.
    max_still_speed : float, default 3.0
        A hold frame is still: the reach (filtered, see ``max_overshoot_s``)
        changes by at most this much per second (``unit``/s) over +-0.1 s, or
        ``hold_noise_k`` times the speed's measured noise if larger. The ends
        of the reach and of the return that pass through the band while still
        moving are not part of the hold (a stopwatch starts when the hand stops).
    hold_noise_k : float, default 2.0
        The hold tolerance is ``hold_band + hold_noise_k x`` the recording's
        fingertip noise (robust SD of the reach about its ``hold_level_s``
        median), so noise does not break a steady hold.
    knee_tolerance_deg : float, default 10.0
        Largest knee flexion (deg) allowed during the hold. All SR protocols
        require extended knees; 5-10 deg is a tool-design choice, not a
        published cut-off (docs/clinical.md §3).
    knee_trial_tolerance_deg : float, default 14.0
        Largest knee flexion (deg) allowed anywhere in the trial (reach, hold,
        return), wider than ``knee_tolerance_deg`` because the 2-D knee angle is
        less precise there (measured on renders, see thresholds.json).
    max_hands_gap : float, default 5.0
        Largest distance along the floor between the two fingertips at the
        maximum (protocols: "hands parallel", so both reach equally far).
    max_hands_gap_error : float, default 2.5
        The hands rule is applied only when the gap is measured with a 95%
        error at most this large (the series' ``hands_gap_error``); otherwise
        it is "not assessed" (a side view hides the far hand).
    min_visible : float, default 0.7
        Smallest median visible fraction of the needed landmarks over the hold.
    max_out_of_frame_s : float, default 0.1
        Longest time (s) a needed body part may be out of the image during a
        trial (the series' ``in_frame``); a single-frame mask glitch is ignored.
    bounce_min_dip : float, default 2.0
        A reversal counts for bouncing when the reach falls back at least this
        far and then rises at least this far again.
    bounce_max_period_s : float, default 1.0
        Successive reach peaks closer than this (s) form a bouncing chain.
    bounce_min_peaks : int, default 2
        A chain of at least this many peaks before or at the maximum is bouncing.
    bounce_min_trunk_swing_deg : float, default 3.0
        Trunk check of bouncing (the whole trunk bobs in ballistic reaching):
        a reversal of the trunk inclination counts when it falls back at least
        this many degrees and rises as much again. On renders the steady trials'
        largest such swing was 0.5 deg and the ballistic ones' smallest 5.75 deg
        (after the ``bounce_trunk_smooth_s`` median); see
        :func:`~tiltscreen.protocols.sit_and_reach.validity.trunk_bouncing_chain`.
    bounce_trunk_smooth_s : float, default 0.1
        Width (s) of the centred moving median applied to the trunk inclination
        for the trunk check only: it removes one-frame landmark glitches but
        keeps a bounce of up to ~5 Hz (0 = none). The reach's ``smooth_s``
        (0.25 s) would flatten a 4 Hz bounce (period 0.25 s).
    min_excursion : float, default 5.0
        A trial starts when the reach rises at least this far above the lowest
        (rest) value since the previous trial.
    return_fraction : float, default 0.5
        A trial has returned once the reach falls back by this fraction of its
        excursion (maximum - rest); smaller dips (e.g. bouncing) stay inside it.
    onset_fraction : float, default 0.05
        The reach starts (ends) at the last (first) frame within this fraction of
        the excursion above the rest value before (after) the maximum.
    min_rest_s : float, default 0.3
        The first trial needs this much rest observed before its onset;
        otherwise the recording is taken to start after the reach began.
    smooth_s : float, default 0.25
        Width (s) of the centred moving median applied to reach and knee
        flexion before detection (0 = no smoothing).
    max_gap_s : float, default 0.5
        Longest span (s) between two known reach samples that a hold bridges.
    hold_level_s : float, default 1.0
        Width (s) of the moving median the hold is walked on: robust to noise
        and to glitches shorter than half of it, and a median keeps the
        monotone ramps into and out of the hold sharp. 0 = raw reach.
    best_rule : {"max_reach"}, default "max_reach"
        How the best valid trial is chosen: largest reach (ties: earliest).
    unit : {"cm", "px"}, default "cm"
        Unit of the length fields.

    Raises
    ------
    ValidationError
        Listing every field that is not a finite number in its range, or an
        unknown ``best_rule`` or ``unit``.

    """

    min_hold_s: float = 2.0
    hold_band: float = 1.0
    knee_tolerance_deg: float = 10.0
    knee_trial_tolerance_deg: float = 14.0
    max_hands_gap: float = 5.0
    max_hands_gap_error: float = 2.5
    min_visible: float = 0.7
    max_out_of_frame_s: float = 0.1
    bounce_min_dip: float = 2.0
    bounce_max_period_s: float = 1.0
    bounce_min_peaks: int = 2
    bounce_min_trunk_swing_deg: float = 3.0
    bounce_trunk_smooth_s: float = 0.1
    min_excursion: float = 5.0
    return_fraction: float = 0.5
    onset_fraction: float = 0.05
    min_rest_s: float = 0.3
    smooth_s: float = 0.25
    max_gap_s: float = 0.5
    hold_level_s: float = 1.0
    max_overshoot_s: float = 0.5
    max_still_speed: float = 3.0
    hold_noise_k: float = 2.0
    best_rule: str = "max_reach"
    unit: str = "cm"

    def __post_init__(self) -> None:
        positive = (
            "hold_band",
            "max_still_speed",
            "bounce_min_dip",
            "min_excursion",
            "bounce_max_period_s",
            "bounce_min_trunk_swing_deg",
        )
        non_negative = (
            "min_hold_s", "knee_tolerance_deg", "knee_trial_tolerance_deg", "max_hands_gap",
            "max_hands_gap_error", "max_out_of_frame_s", "min_rest_s", "smooth_s", "max_gap_s",
            "hold_level_s",
            "max_overshoot_s", "hold_noise_k", "bounce_trunk_smooth_s",
        )  # fmt: skip
        problems = [p for name in positive for p in _number_problems(self, name, low=0.0, strict=True)]
        problems += [p for name in non_negative for p in _number_problems(self, name, low=0.0)]
        problems += _number_problems(self, "min_visible", low=0.0, high=1.0)
        problems += _number_problems(self, "return_fraction", low=0.0, high=1.0, strict=True)
        problems += _number_problems(self, "onset_fraction", low=0.0, high=0.5, strict=True)
        problems += _number_problems(self, "bounce_min_peaks", low=2.0, integer=True)
        if not (isinstance(self.best_rule, str) and self.best_rule in BEST_RULES):
            problems.append(f"best_rule must be one of {list(BEST_RULES)}, got {self.best_rule!r}")
        if not (isinstance(self.unit, str) and self.unit in UNITS):
            problems.append(f"unit must be one of {list(UNITS)}, got {self.unit!r}")
        if problems:
            raise ValidationError("SitAndReachRules: " + "; ".join(problems) + ".")

    def to_px(self, *, px_per_cm: float) -> SitAndReachRules:
        """Return a copy in pixels: every length multiplied by ``px_per_cm``, ``unit="px"``.

        Raises
        ------
        ValidationError
            If the rules are not in cm or ``px_per_cm`` is not a finite number > 0.

        """
        problems = [] if self.unit == "cm" else [f"the rules are already in {self.unit!r}"]
        if (
            isinstance(px_per_cm, bool)
            or not isinstance(px_per_cm, Real)
            or not (math.isfinite(px_per_cm) and px_per_cm > 0)
        ):
            problems.append(f"px_per_cm must be a finite number > 0, got {px_per_cm!r}")
        if problems:
            raise ValidationError("SitAndReachRules.to_px: " + "; ".join(problems) + ".")
        lengths = {name: getattr(self, name) * float(px_per_cm) for name in LENGTH_FIELDS}
        return dataclasses.replace(self, unit="px", **lengths)


def _number_problems(
    obj: object, name: str, *, low: float, high: float = math.inf, strict: bool = False, integer: bool = False
) -> list[str]:
    """Return ``[sentence]`` if ``obj.name`` is not a finite number in the range, else ``[]``."""
    value = getattr(obj, name)
    kind = "an integer" if integer else "a number"
    want = f"{kind} {'>' if strict else '>='} {low:g}" + (f" and <= {high:g}" if math.isfinite(high) else "")
    numeric = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, numeric):
        return [f"{name} must be {want}, got {value!r}"]
    v = float(value)
    if not (math.isfinite(v) and (v > low if strict else v >= low) and v <= high):
        return [f"{name} must be {want}, got {value!r}"]
    return []
