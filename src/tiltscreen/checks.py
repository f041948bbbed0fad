"""Input checks shared by every layer (landmarks, image measurements, kinematics, thresholds).

Every public function collects its problems with the ``*_problems`` helpers and
calls :func:`raise_if_problems` before computing anything, so one
:class:`~tiltscreen.errors.ValidationError` lists every problem at once.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.landmarks import Landmarks

SIDES = ("left", "right")


def landmarks_problems(lm: object, *, min_frames: int = 1) -> list[str]:
    """Return a message if ``lm`` is not a :class:`Landmarks` with at least ``min_frames`` rows."""
    if not isinstance(lm, Landmarks):
        return [f"lm must be a Landmarks, got {type(lm).__name__}"]
    if lm.n_frames < min_frames:
        return [f"lm must have at least {min_frames} frame(s), got {lm.n_frames}"]
    return []


def side_problems(side: object, name: str = "side") -> list[str]:
    """Return a message if ``side`` is not ``"left"`` or ``"right"``."""
    if isinstance(side, str) and side in SIDES:
        return []
    return [f"{name} must be 'left' or 'right', got {side!r}"]


def facing_problems(facing: object) -> list[str]:
    """Return a message if ``facing`` is not +1 or -1."""
    if isinstance(facing, bool) or not isinstance(facing, Real) or facing not in (1, -1):
        return [f"facing must be +1 (subject faces image-right) or -1 (image-left), got {facing!r}"]
    return []


def number_problems(
    name: str, value: object, *, low: float = -math.inf, high: float = math.inf, strict_low: bool = False
) -> list[str]:
    """Return a message if ``value`` is not a finite real number in the range."""
    left = "(" if strict_low else "["
    want = f"a finite number in {left}{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, Real):
        return [f"{name} must be {want}, got {value!r}"]
    v = float(value)
    ok_low = v > low if strict_low else v >= low
    if not (math.isfinite(v) and ok_low and v <= high):
        return [f"{name} must be {want}, got {value!r}"]
    return []


def raise_if_problems(func: str, problems: list[str]) -> None:
    """Raise one :class:`ValidationError` naming ``func`` and every problem, if there are any."""
    if problems:
        raise ValidationError(f"{func}: " + "; ".join(problems) + ".")


def as_points(name: str, value: object, problems: list[str]) -> np.ndarray:
    """Return ``value`` as a float array whose last axis has length 2, or record a problem."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        problems.append(f"{name} must be numeric, got {type(value).__name__}")
        return np.full(2, np.nan)
    if arr.ndim == 0 or arr.shape[-1] != 2:
        problems.append(f"{name} must have a last axis of length 2 (x, y), got shape {arr.shape}")
        return np.full(2, np.nan)
    return arr
