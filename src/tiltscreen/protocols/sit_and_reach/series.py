"""The checked input of a sit-and-reach analysis: per-frame series and the rules that judge them.

Both containers are frozen and checked when built, so the analysis in
:mod:`~tiltscreen.protocols.sit_and_reach.trials` starts from known-good data.
Every check reports all problems in one :class:`~tiltscreen.errors.ValidationError`.
The module also holds the small NaN-aware array helpers the analysis shares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.protocols.sit_and_reach.rules import UNITS, SitAndReachRules

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


@dataclass(frozen=True, eq=False)
class ReachSeries:
    """One sit-and-reach recording as per-frame series (side view), all of the same length.

    Parameters
    ----------
    t_s : numpy.ndarray
        Frame times (s), finite and strictly increasing; the frame rate may vary.
    reach_cm : numpy.ndarray
        Fingertip position beyond the feet along the floor, positive past them
        (zero = the soles against the box, or the toe tips when the box is not
        measured: the "feet = 0" convention of docs/clinical.md §3; the caller
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
        Boolean: every body part the analysis needs is inside the image.
    hands_gap_error : float, default NaN
        95% error bound of ``hands_gap`` (``unit``), as measured for the method
        that produced it; NaN = unknown (the hands rule is then not assessed).
    reach_sd : numpy.ndarray or None, default None
        Per-frame SD (``unit``) of ``reach_cm`` from the geometry (pose of the
        box plane, depth of the hand); None = not known.
    tip_source : numpy.ndarray or None, default None
        Per-frame index into ``tip_labels`` of the fingertip source used
        (-1 = none); None = source 0 everywhere.
    tip_labels : tuple of str, default ("outline",)
        Names of the fingertip sources (e.g. a hand model, the outline).
    hand : numpy.ndarray or None, default None
        Per-frame forward position of the hand along the floor (``unit``, any zero), e.g.
        MediaPipe's index knuckle; None = not known. When given, a hold frame must have the
        hand still as well as the fingertip (an outline fingertip can stop short while the
        hand still slides on).

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
    hands_gap_error: float = math.nan
    reach_sd: np.ndarray | None = None
    tip_source: np.ndarray | None = None
    tip_labels: tuple[str, ...] = ("outline",)
    hand: np.ndarray | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        arrays: dict[str, np.ndarray] = {}
        n = np.asarray(self.t_s).shape[0] if np.ndim(self.t_s) == 1 else 0
        if self.reach_sd is None:
            object.__setattr__(self, "reach_sd", np.full(n, np.nan))
        if self.tip_source is None:
            object.__setattr__(self, "tip_source", np.zeros(n))
        if self.hand is None:
            object.__setattr__(self, "hand", np.full(n, np.nan))

        for name in (*FLOAT_FIELDS, "reach_sd", "tip_source", "hand", "in_frame"):
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
        if not (
            isinstance(self.tip_labels, tuple)
            and self.tip_labels
            and all(isinstance(x, str) for x in self.tip_labels)
        ):
            problems.append(f"tip_labels must be a non-empty tuple of str, got {self.tip_labels!r}")
        if isinstance(self.hands_gap_error, bool) or not isinstance(self.hands_gap_error, Real):
            problems.append(f"hands_gap_error must be a number (NaN = unknown), got {self.hands_gap_error!r}")
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
