"""Input checks and small array helpers shared by the signal functions (private).

Every public function in :mod:`tiltscreen.signal` collects its problems with the
``*_problems`` helpers and then calls :func:`raise_if_problems` as its first
computation, so one :class:`~tiltscreen.errors.ValidationError` lists them all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.landmarks import Landmarks

#: the coordinate arrays of :class:`Landmarks` that every signal function processes alike
SPACES = ("xyz", "world")


def number_problems(
    name: str,
    value: object,
    *,
    low: float,
    high: float = math.inf,
    low_inclusive: bool = True,
    integer: bool = False,
    optional: bool = False,
) -> list[str]:
    """Return ``[message]`` if ``value`` is not a finite number in the range, else ``[]``."""
    if optional and value is None:
        return []
    kind = "an integer" if integer else "a number"
    left = "[" if low_inclusive else "("
    right = "]" if math.isfinite(high) else ")"
    want = f"{kind} in {left}{low:g}, {high:g}{right}" + (" or None" if optional else "")
    numeric = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, numeric):
        return [f"{name} must be {want}, got {value!r}"]
    v = float(value)
    above_low = v >= low if low_inclusive else v > low
    if not (math.isfinite(v) and above_low and v <= high):
        return [f"{name} must be {want}, got {value!r}"]
    return []


def choice_problems(name: str, value: object, choices: Sequence[str]) -> list[str]:
    """Return ``[message]`` if ``value`` is not one of ``choices``, else ``[]``."""
    if isinstance(value, str) and value in choices:
        return []
    return [f"{name} must be one of {list(choices)}, got {value!r}"]


def raise_if_problems(func: str, lm: object, problems: list[str], *, min_frames: int = 0) -> None:
    """Raise one :class:`ValidationError` naming ``func`` and every problem (``lm``'s type included)."""
    problems = list(problems)
    if not isinstance(lm, Landmarks):
        problems.insert(0, f"lm must be a Landmarks, got {type(lm).__name__}")
    elif lm.n_frames < min_frames:
        problems.insert(0, f"lm must have at least {min_frames} frames, got {lm.n_frames}")
    if problems:
        raise ValidationError(f"{func}: " + "; ".join(problems) + ".")


def point_missing(arr: np.ndarray) -> np.ndarray:
    """Boolean ``(frame, landmark)``: the point has at least one non-finite coordinate."""
    return ~np.isfinite(arr).all(axis=-1)


def whole_points(arr: np.ndarray) -> np.ndarray:
    """Copy of ``arr`` (frame, landmark, coord) with every partly missing point made all-NaN."""
    return np.where(point_missing(arr)[..., None], np.nan, arr)


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` (stop exclusive) of every run of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate(([0], np.asarray(mask, dtype=np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))
