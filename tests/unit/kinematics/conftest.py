"""Fixtures for the kinematics tests: the stick-figure factory (see figures.py) and a seeded RNG."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.kinematics.figures import MakeFigure
from tests.unit.kinematics.figures import make_figure as _make_figure


@pytest.fixture
def make_figure() -> MakeFigure:
    """Return :func:`tests.unit.kinematics.figures.make_figure` (keywords documented there)."""
    return _make_figure


@pytest.fixture
def rng() -> np.random.Generator:
    """Seeded generator so every run sees the same numbers."""
    return np.random.default_rng(20240611)
