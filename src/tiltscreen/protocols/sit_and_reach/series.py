"""The checked input of a sit-and-reach analysis: per-frame series and the rules that judge them.

Both containers are frozen and checked when built, so the analysis in
:mod:`~tiltscreen.protocols.sit_and_reach.trials` starts from known-good data.
Every check reports all problems in one :class:`~tiltscreen.errors.ValidationError`.
The module also holds the small NaN-aware array helpers the analysis shares.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from tiltscreen.errors import ValidationError

#: units a reach series may be in ("px" when no metric scale exists; converted later by the caller)
UNITS = ("cm", "px")
#: how :func:`~tiltscreen.protocols.sit_and_reach.trials.best_trial` picks the best valid trial
BEST_RULES = ("max_reach",)
#: the per-frame float series of :class:`ReachSeries` (``in_frame`` is boolean)
FLOAT_FIELDS = (
    "t_s",
    "reach_cm",
    "knee_flexion_deg",
    "hip_flexion_deg",
    "trunk_inclination_deg",
    "hands_gap",
    "visible_fraction",
)
#: the fields of :class:`SitAndReachRules` that are lengths in the rules' ``unit``
LENGTH_FIELDS = ("hold_band", "max_hands_gap", "bounce_min_dip", "min_excursion")


@dataclass(frozen=True, eq=False)
class ReachSeries:
    """One sit-and-reach recording as per-frame series (side view), all of the same length.

    Parameters
    ----------
    t_s : numpy.ndarray
        Frame times (s), finite and strictly increasing; the frame rate may vary.
    reach_cm : numpy.ndarray
        Fingertip position beyond the toes along the floor, positive past the
        toes (zero = toes, the "feet = 0" convention of docs/clinical.md §3; the caller
        adds a box offset such as 23 or 26 cm afterwards). In ``unit``; NaN where
        unknown. The name keeps "cm" even when ``unit`` is ``"px"``.
    unit : {"cm", "px"}
        Unit of ``reach_cm`` and ``hands_gap``.
    knee_flexion_deg : numpy.ndarray
        Knee flexion (deg), 0 = straight knee, positive = bent; NaN if unknown.
    hip_flexion_deg : numpy.ndarray
        Hip flexion (deg) = 180 - included shoulder-hip-knee angle: ~90 sitting
        upright, larger when leaning forward; NaN if unknown.
    trunk_inclination_deg : numpy.ndarray
        Inclination (deg) of the hip -> shoulder line from vertical, forward
        positive; NaN if unknown.
    hands_gap : numpy.ndarray
        ``|left fingertip - right fingertip|`` along the floor, in ``unit``, >= 0;
        NaN when one hand is not seen.
    visible_fraction : numpy.ndarray
        Fraction (0-1) of the landmarks the analysis needs that are visible in
        the frame; NaN allowed (treated as unknown).
    in_frame : numpy.ndarray
        Boolean: the subject is fully inside the image.

    Raises
    ------
    ValidationError
        Listing every problem: an array that is not 1-D or not numeric (boolean
        for ``in_frame``), lengths that differ, fewer than 2 frames, times that
        are not finite and strictly increasing, an unknown unit, a visible
        fraction outside [0, 1] or a negative hands gap.

    Notes
    -----
    The arrays are stored as read-only float64 copies (``in_frame`` as bool).
    Equality is identity (``eq=False``) because arrays have no single truth value.

    """

    t_s: np.ndarray
    reach_cm: np.ndarray
    unit: str
    knee_flexion_deg: np.ndarray
    hip_flexion_deg: np.ndarray
    trunk_inclination_deg: np.ndarray
    hands_gap: np.ndarray
    visible_fraction: np.ndarray
    in_frame: np.ndarray

    def __post_init__(self) -> None:
        problems: list[str] = []
        arrays: dict[str, np.ndarray] = {}
        for name in (*FLOAT_FIELDS, "in_frame"):
            arr, problem = _as_series(name, getattr(self, name), boolean=name == "in_frame")
            if problem:
                problems.append(problem)
            else:
                arrays[name] = arr
        problems += _length_problems(arrays)
        if not problems:
            problems += _value_problems(arrays)
        if not (isinstance(self.unit, str) and self.unit in UNITS):
            problems.append(f"unit must be one of {list(UNITS)}, got {self.unit!r}")
        if problems:
            raise ValidationError("ReachSeries: " + "; ".join(problems) + ".")
        for name, arr in arrays.items():
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.t_s.shape[0])


def _as_series(name: str, value: object, *, boolean: bool) -> tuple[np.ndarray, str | None]:
    """Copy ``value`` to a 1-D float64 (or bool) array; return it and a problem sentence or None."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        return arr, f"{name} must be 1-D, got shape {arr.shape}"
    if boolean:
        if arr.dtype != np.bool_:
            return arr, f"{name} must be a boolean array, got dtype {arr.dtype}"
        return arr.copy(), None
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.number):
        return arr, f"{name} must be numeric, got dtype {arr.dtype}"
    return arr.astype(np.float64, copy=True), None


def _length_problems(arrays: dict[str, np.ndarray]) -> list[str]:
    """Sentences for arrays whose length differs from ``t_s``, or too few frames."""
    if "t_s" not in arrays:
        return []
    n = arrays["t_s"].shape[0]
    problems = [
        f"{name} has {arr.shape[0]} frames but t_s has {n}"
        for name, arr in arrays.items()
        if arr.shape[0] != n
    ]
    if n < 2:
        problems.append(f"at least 2 frames are needed, got {n}")
    return problems


def _value_problems(arrays: dict[str, np.ndarray]) -> list[str]:
    """Sentences for bad values: times, visible fraction, hands gap."""
    problems = []
    t = arrays.get("t_s")
    if t is not None:
        if not np.isfinite(t).all():
            problems.append("t_s must be finite")
        elif not (np.diff(t) > 0).all():
            first = int(np.flatnonzero(np.diff(t) <= 0)[0])
            problems.append(f"t_s must be strictly increasing, but t_s[{first + 1}] <= t_s[{first}]")
    vis = arrays.get("visible_fraction")
    if vis is not None and ((vis < 0) | (vis > 1)).any():
        problems.append("visible_fraction must lie in [0, 1] (or be NaN)")
    gap = arrays.get("hands_gap")
    if gap is not None and (gap < 0).any():
        problems.append("hands_gap must be >= 0 (or NaN)")
    return problems


@dataclass(frozen=True)
class SitAndReachRules:
    """Every tolerance of the trial analysis; values normally come from a config file.

    Lengths (``hold_band``, ``max_hands_gap``, ``bounce_min_dip``,
    ``min_excursion``) are in ``unit``, which must equal the series' unit; use
    :meth:`to_px` to get the pixel equivalent when no metric scale exists.

    Parameters
    ----------
    min_hold_s : float, default 2.0
        Shortest valid hold (s): "hold the end position ~2 s" (ACSM 2006 / CSEP
        2003, KIT Testothek ">= 2 s"; docs/clinical.md §3).
    hold_band : float, default 1.0
        The hold is the time the reach (after the ``hold_level_s`` moving
        median) stays within this distance of its maximum in the trial.
    knee_tolerance_deg : float, default 10.0
        Largest knee flexion (deg) allowed during the hold. All SR protocols
        require extended knees; 5-10 deg is a tool-design choice, not a
        published cut-off (docs/clinical.md §3).
    max_hands_gap : float, default 5.0
        Largest distance along the floor between the two fingertips at the
        maximum (protocols: "hands parallel", so both reach equally far).
    min_visible : float, default 0.7
        Smallest median visible fraction of the needed landmarks over the hold.
    max_out_of_frame_s : float, default 0.0
        Longest time (s) the subject may be out of frame during a trial;
        0 = any out-of-frame frame invalidates the trial.
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
        Width (s) of the moving median used to judge the hold: its maximum is
        the highest level the reach held, robust to noise, and a median keeps
        the monotone ramps into and out of the hold sharp. 0 = raw reach.
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
    max_hands_gap: float = 5.0
    min_visible: float = 0.7
    max_out_of_frame_s: float = 0.0
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
    best_rule: str = "max_reach"
    unit: str = "cm"

    def __post_init__(self) -> None:
        positive = (
            "hold_band",
            "bounce_min_dip",
            "min_excursion",
            "bounce_max_period_s",
            "bounce_min_trunk_swing_deg",
        )
        non_negative = ("min_hold_s", "knee_tolerance_deg", "max_hands_gap", "max_out_of_frame_s",
                        "min_rest_s", "smooth_s", "max_gap_s", "hold_level_s",
                        "bounce_trunk_smooth_s")  # fmt: skip
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


def check_series_and_rules(func: str, series: object, rules: object) -> None:
    """Raise one ValidationError naming ``func`` and every problem with a series and its rules."""
    problems = []
    if not isinstance(series, ReachSeries):
        problems.append(f"series must be a ReachSeries, got {type(series).__name__}")
    if not isinstance(rules, SitAndReachRules):
        problems.append(f"rules must be a SitAndReachRules, got {type(rules).__name__}")
    elif isinstance(series, ReachSeries) and series.unit != rules.unit:
        problems.append(
            f"the series is in {series.unit!r} but the rules are in {rules.unit!r}"
            " (convert the rules with SitAndReachRules.to_px(px_per_cm=...))"
        )
    if problems:
        raise ValidationError(f"{func}: " + "; ".join(problems) + ".")


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


def finite_median(values: np.ndarray) -> float:
    """Median of the finite values, NaN (without a warning) if there are none."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else math.nan


def finite_max(values: np.ndarray) -> float:
    """Maximum of the finite values, NaN (without a warning) if there are none."""
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else math.nan


def frame_durations(t_s: np.ndarray) -> np.ndarray:
    """Duration (s) each frame stands for: time to the next frame (the last one repeats the previous)."""
    dt = np.diff(t_s)
    return np.append(dt, dt[-1])


def moving_median(values: np.ndarray, t_s: np.ndarray, *, width_s: float) -> np.ndarray:
    """Centred moving median over a time window, NaN-aware, for any (variable) frame rate.

    Each known sample is replaced by the median of the known samples whose
    time lies within ``width_s / 2`` of it; unknown (NaN) samples stay NaN, so
    no value is invented in a gap. At the ends the window is simply shorter.
    A median (not a mean) removes isolated landmark glitches shorter than half
    the window while keeping the ramps of a reach sharp.
    """
    out = np.array(values, dtype=np.float64)
    if width_s <= 0:
        return out
    half = width_s / 2
    lo = np.searchsorted(t_s, t_s - half, side="left")
    hi = np.searchsorted(t_s, t_s + half, side="right")
    known = np.isfinite(values)
    for i in np.flatnonzero(known):
        window = values[lo[i] : hi[i]]
        out[i] = np.median(window[known[lo[i] : hi[i]]])
    return out


def walk_above(
    smooth: np.ndarray, t: np.ndarray, peak: int, limit: int, *, threshold: float, max_gap_s: float
) -> tuple[int, float]:
    """Walk from frame ``peak`` towards frame ``limit`` while the known values stay >= ``threshold``.

    Used to find the edges of a hold on the smoothed reach. Unknown (NaN)
    frames are skipped when the two known samples around them are at most
    ``max_gap_s`` apart. Returns the last frame reached and the span (s) of the
    unknown stretch that stopped the walk (0.0 if none did).
    """
    step = 1 if limit >= peak else -1
    last = peak
    for j in range(peak + step, limit + step, step):
        if not np.isfinite(smooth[j]):
            continue
        if abs(t[j] - t[last]) > max_gap_s:
            return last, float(abs(t[j] - t[last]))
        if smooth[j] < threshold:
            break
        last = j
    return last, 0.0
