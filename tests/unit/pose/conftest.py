"""Fixtures of the pose tests: the HandLandmarker bundle (built by 'tiltscreen models fetch')."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiltscreen.errors import ModelError
from tiltscreen.pose.model_store import locate_hand_model


@pytest.fixture(scope="session")
def hand_model_path() -> Path:
    """The HandLandmarker bundle; tests that need it fail with the fetch command if it is missing."""
    try:
        return locate_hand_model()
    except ModelError as err:
        pytest.fail(f"{err} (the test command runs 'tiltscreen models fetch' first)")
