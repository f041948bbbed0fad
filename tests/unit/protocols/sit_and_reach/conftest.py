"""Fixtures for the sit-and-reach tests: a ReachSeries factory on synthetic trajectories."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from tests.unit.protocols.sit_and_reach.synthetic import FPS, REST, duration, reach_at

from tiltscreen.protocols.sit_and_reach import ReachSeries

MakeSeries = Callable[..., ReachSeries]


@pytest.fixture
def rng() -> np.random.Generator:
    """Seeded random generator (the same noise in every run)."""
    return np.random.default_rng(20240531)


@pytest.fixture
def make_series(rng: np.random.Generator) -> MakeSeries:
    """Return ``make(phases, *, t=None, noise=0.2, unit="cm", scale=1.0, **series_overrides)``.

    Reach follows ``phases`` at 30 fps (or at the given ``t``) plus Gaussian noise of
    SD ``noise`` (cm), times ``scale`` (for pixels). Unless overridden (arrays, or
    callables of ``t``): knees straight (0 deg + 0.5 deg noise), trunk inclination
    ``0 -> 40`` deg and hip flexion ``90 -> 120`` deg in proportion to the reach
    (from rest -10 to +12 cm), hands 1 cm apart and measured to 1 cm (``hands_gap_error``),
    95 % landmarks visible, in frame.
    """

    def make(
        phases: list[tuple],
        *,
        t: np.ndarray | None = None,
        noise: float = 0.2,
        unit: str = "cm",
        scale: float = 1.0,
        **overrides: object,
    ) -> ReachSeries:
        if t is None:
            t = np.arange(int(round(duration(phases) * FPS))) / FPS
        n = len(t)
        clean = reach_at(t, phases)
        lean = np.clip((clean - REST) / 22.0, 0, None)
        fields: dict[str, object] = {
            "t_s": t,
            "reach_cm": (clean + rng.normal(0, noise, n)) * scale,
            "unit": unit,
            "knee_flexion_deg": rng.normal(0, 0.5, n),
            "hip_flexion_deg": 90 + 30 * lean,
            "trunk_inclination_deg": 40 * lean,
            "hands_gap": np.full(n, 1.0 * scale),
            "visible_fraction": np.full(n, 0.95),
            "in_frame": np.ones(n, dtype=bool),
            "hands_gap_error": 1.0 * scale,
        }
        for name, value in overrides.items():
            fields[name] = value(t) if callable(value) else value
        return ReachSeries(**fields)  # type: ignore[arg-type]

    return make
