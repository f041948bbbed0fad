"""Find runs of missing landmarks and interpolate the short ones over time."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.interpolate import CubicSpline

from tiltscreen.landmarks import Landmarks
from tiltscreen.signal._common import (
    SPACES,
    choice_problems,
    number_problems,
    point_missing,
    raise_if_problems,
    true_runs,
    whole_points,
)

#: default longest unobserved span (s) that :func:`fill_gaps` bridges
DEFAULT_MAX_GAP_S = 0.33
METHODS = ("linear", "cubic")
# relative slack so a gap of exactly ``max_gap_s`` is not rejected by float rounding of timestamps
_REL_TOL = 1e-9


@dataclass(frozen=True)
class Gap:
    """One run of consecutive frames in which one landmark is missing.

    Attributes
    ----------
    landmark : str
        Landmark name (see :data:`tiltscreen.skeleton.BLAZEPOSE`).
    start_s, end_s : float
        Timestamps (s) of the first and the last missing frame.
    n_frames : int
        Number of missing frames.
    filled : bool
        Whether :func:`fill_gaps` with the same limits bridges this gap.
    space : str
        ``"xyz"`` or ``"world"``: the coordinate array the gap is in.
    start_frame, stop_frame : int
        Row range of the gap, ``stop_frame`` exclusive.
    span_s : float
        Time without an observation: from the last valid sample before the gap
        to the first valid sample after it; ``inf`` for a gap at either edge.

    """

    landmark: str
    start_s: float
    end_s: float
    n_frames: int
    filled: bool
    space: str = "xyz"
    start_frame: int = 0
    stop_frame: int = 0
    span_s: float = math.inf

    @property
    def at_edge(self) -> bool:
        """True if the gap touches the first or the last frame (never filled)."""
        return math.isinf(self.span_s)

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form (``span_s`` of an edge gap becomes None)."""
        d = asdict(self)
        d["span_s"] = None if self.at_edge else self.span_s
        return d


def _limit_problems(max_gap_s: object, max_gap_frames: object) -> list[str]:
    return [
        *number_problems("max_gap_s", max_gap_s, low=0.0, optional=True),
        *number_problems("max_gap_frames", max_gap_frames, low=0, integer=True, optional=True),
    ]


def find_gaps(
    lm: Landmarks,
    *,
    max_gap_s: float | None = DEFAULT_MAX_GAP_S,
    max_gap_frames: int | None = None,
    space: str = "xyz",
) -> list[Gap]:
    """List every run of frames in which a landmark is missing.

    Parameters
    ----------
    lm : Landmarks
        Input landmarks.
    max_gap_s, max_gap_frames : float or int or None
        The limits :func:`fill_gaps` would use; they only decide each gap's
        ``filled`` flag (same defaults as :func:`fill_gaps`).
    space : {"xyz", "world"}, default "xyz"
        Which coordinate array to look at.

    Returns
    -------
    list of Gap
        Ordered by landmark (schema order), then time.

    Raises
    ------
    ValidationError
        If ``lm`` is not a :class:`Landmarks` or a parameter is invalid.

    Notes
    -----
    A point is missing in a frame if any of its three coordinates is NaN.
    Units: ``start_s``, ``end_s`` and ``span_s`` in seconds of ``timestamps_s``.
    A gap is fillable if it has a valid sample on both sides, its
    ``span_s <= max_gap_s`` and ``n_frames <= max_gap_frames`` (each limit
    ignored when None). Pass ``max_gap_s=0`` to mark every gap unfilled.
    Calling it on the output of :func:`fill_gaps` with the same limits lists
    what stayed missing. An array with no finite value (``world`` when not
    requested) gives one edge gap per landmark.

    """
    problems = [*_limit_problems(max_gap_s, max_gap_frames), *choice_problems("space", space, SPACES)]
    raise_if_problems("find_gaps", lm, problems)
    return _gaps(lm, space, max_gap_s, max_gap_frames)


def _gaps(lm: Landmarks, space: str, max_gap_s: float | None, max_gap_frames: int | None) -> list[Gap]:
    t = lm.timestamps_s
    missing = point_missing(getattr(lm, space))
    gaps = []
    for k, name in enumerate(lm.skeleton.names):
        for start, stop in true_runs(missing[:, k]):
            interior = start > 0 and stop < lm.n_frames
            span = float(t[stop] - t[start - 1]) if interior else math.inf
            fillable = (
                interior
                and (max_gap_s is None or span <= max_gap_s * (1 + _REL_TOL))
                and (max_gap_frames is None or stop - start <= max_gap_frames)
            )
            gaps.append(
                Gap(name, float(t[start]), float(t[stop - 1]), stop - start, bool(fillable),
                    space=space, start_frame=start, stop_frame=stop, span_s=span)
            )  # fmt: skip
    return gaps


def fill_gaps(
    lm: Landmarks,
    *,
    max_gap_s: float | None = DEFAULT_MAX_GAP_S,
    max_gap_frames: int | None = None,
    method: str = "linear",
) -> Landmarks:
    """Interpolate short runs of missing landmarks over time.

    Parameters
    ----------
    lm : Landmarks
        Input landmarks; not modified.
    max_gap_s : float or None, default 0.33
        Longest time without an observation (s) to bridge: the interval from
        the last valid sample before the gap to the first one after it. None:
        no limit in time.
    max_gap_frames : int or None, default None
        Most missing frames to bridge. None: no limit in frames. A gap is filled
        only if it is within every limit given.
    method : {"linear", "cubic"}, default "linear"
        Linear interpolation in time, or a not-a-knot cubic spline through all
        valid samples of that landmark (smoother, may overshoot on noisy data).

    Returns
    -------
    Landmarks
        A new object with the fillable gaps of ``xyz`` and ``world`` filled. The
        step ``"fill_gaps"`` is appended to the provenance with the parameters
        and, per space, the counts ``n_gaps``, ``n_filled``, ``n_left``,
        ``n_frames_filled`` and ``n_frames_left`` (or ``"absent"`` for an array
        with no finite value, typically ``world`` when not requested).

    Raises
    ------
    ValidationError
        If ``lm`` is not a :class:`Landmarks` or a parameter is invalid.

    Notes
    -----
    Units: coordinates keep their units; limits are seconds and frames.

    Interpolation uses ``timestamps_s``, not row indices, so variable frame
    rate is handled: a trajectory linear in time is restored exactly.

    NaN and gap behaviour: a point is missing if any of its coordinates is NaN
    (the whole point is then NaN in the output unless filled). Gaps longer than
    the limits stay NaN; see :func:`find_gaps` to report them.

    Edges: never extrapolates; gaps before the first or after the last valid
    sample of a landmark stay NaN.

    Visibility and presence of every filled point are set to NaN: no detector
    score stands behind an interpolated coordinate. Hence filled points can be
    recognised (finite ``xyz``, NaN ``visibility``), and a later
    :func:`~tiltscreen.signal.gate_visibility` would drop them again.

    """
    problems = [*_limit_problems(max_gap_s, max_gap_frames), *choice_problems("method", method, METHODS)]
    raise_if_problems("fill_gaps", lm, problems)

    changes: dict[str, np.ndarray] = {}
    results: dict[str, Any] = {}
    filled_any = np.zeros(lm.visibility.shape, dtype=bool)
    for space in SPACES:
        arr = getattr(lm, space)
        if not np.isfinite(arr).any():
            results[space] = "absent"
            continue
        gaps = _gaps(lm, space, max_gap_s, max_gap_frames)
        changes[space], filled = _fill_space(arr, lm.timestamps_s, gaps, method, lm.skeleton.names)
        filled_any |= filled
        results[space] = _counts(gaps)
    params = {"max_gap_s": max_gap_s, "max_gap_frames": max_gap_frames, "method": method, **results}
    return lm.with_step(
        "fill_gaps",
        params,
        visibility=np.where(filled_any, np.nan, lm.visibility),
        presence=np.where(filled_any, np.nan, lm.presence),
        **changes,
    )


def _fill_space(
    arr: np.ndarray, t: np.ndarray, gaps: list[Gap], method: str, names: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Fill the fillable ``gaps`` of one (frame, landmark, 3) array; return it and the filled mask."""
    out = whole_points(arr)
    valid = ~point_missing(out)
    filled = np.zeros(valid.shape, dtype=bool)
    for k, name in enumerate(names):
        rows = [np.arange(g.start_frame, g.stop_frame) for g in gaps if g.landmark == name and g.filled]
        if not rows:
            continue
        idx = np.concatenate(rows)
        out[idx, k] = _interpolate(t[valid[:, k]], out[valid[:, k], k], t[idx], method)
        filled[idx, k] = True
    return out, filled


def _interpolate(t_known: np.ndarray, values: np.ndarray, t_new: np.ndarray, method: str) -> np.ndarray:
    """Interpolate ``values`` (n, coord) known at ``t_known`` at times inside their range."""
    if method == "cubic":
        return np.asarray(CubicSpline(t_known, values, axis=0, bc_type="not-a-knot")(t_new))
    return np.column_stack([np.interp(t_new, t_known, values[:, c]) for c in range(values.shape[1])])


def _counts(gaps: list[Gap]) -> dict[str, int]:
    filled = [g for g in gaps if g.filled]
    left = [g for g in gaps if not g.filled]
    return {
        "n_gaps": len(gaps),
        "n_filled": len(filled),
        "n_left": len(left),
        "n_frames_filled": sum(g.n_frames for g in filled),
        "n_frames_left": sum(g.n_frames for g in left),
    }
