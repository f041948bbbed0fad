"""Fixtures for the signal tests: a Landmarks factory and synthetic trajectories."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from tiltscreen.landmarks import Landmarks

N_LANDMARKS = 33

MakeLandmarks = Callable[..., Landmarks]


def _broadcast(values: np.ndarray | float, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast a per-frame series ``(n,)`` (or any compatible array) to ``(n, *shape)``."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1 and arr.shape[0] == n:
        arr = arr.reshape((n,) + (1,) * len(shape))
    return np.array(np.broadcast_to(arr, (n, *shape)))


@pytest.fixture
def make_landmarks() -> MakeLandmarks:
    """Return ``make(xyz, timestamps_s, *, world=None, visibility=1.0, presence=1.0)``.

    ``xyz`` and ``world`` may be ``(frame,)`` series (copied to every landmark and
    coordinate), ``(frame, 33, 3)`` arrays or anything that broadcasts; ``world``
    None leaves it all NaN (as when world landmarks are not requested).
    """

    def make(
        xyz: np.ndarray | float,
        timestamps_s: np.ndarray,
        *,
        world: np.ndarray | float | None = None,
        visibility: np.ndarray | float = 1.0,
        presence: np.ndarray | float = 1.0,
    ) -> Landmarks:
        t = np.asarray(timestamps_s, dtype=np.float64)
        n = len(t)
        fps = float(1 / np.median(np.diff(t))) if n > 1 else 30.0
        lm = Landmarks.empty(n, timestamps_s=t, image_size=(640, 480), fps=fps)
        changes = {
            "xyz": _broadcast(xyz, n, (N_LANDMARKS, 3)),
            "visibility": _broadcast(visibility, n, (N_LANDMARKS,)),
            "presence": _broadcast(presence, n, (N_LANDMARKS,)),
        }
        if world is not None:
            changes["world"] = _broadcast(world, n, (N_LANDMARKS, 3))
        return dataclasses.replace(lm, **changes)

    return make


@pytest.fixture
def rng() -> np.random.Generator:
    """Seeded generator so every run sees the same noise."""
    return np.random.default_rng(0)


@pytest.fixture
def uniform_60hz() -> np.ndarray:
    """10 s of timestamps at exactly 60 Hz (600 frames, interval 1/60 s)."""
    return np.arange(600) / 60.0


@pytest.fixture
def jittered_30hz(rng: np.random.Generator) -> np.ndarray:
    """10 s of strongly variable-rate timestamps around 30 Hz.

    Intervals are (1/30 s) x U(0.5, 1.5): up to 50 % from the nominal interval, so
    more than the 25 % that triggers resampling in ``butterworth_lowpass``, and
    index-based interpolation would be visibly wrong.
    """
    dt = (1 / 30) * rng.uniform(0.5, 1.5, size=299)
    return np.concatenate(([0.0], np.cumsum(dt)))
