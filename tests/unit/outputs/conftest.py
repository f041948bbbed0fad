"""Synthetic :class:`~tiltscreen.landmarks.Landmarks` for the outputs tests (seeded, no video)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tiltscreen.landmarks import Landmarks, Step
from tiltscreen.skeleton import BLAZEPOSE

#: provenance with nested, JSON-shaped params (lists, not tuples, so it compares equal after a round trip)
PROVENANCE = (
    Step("read_video", {"uri": "clips/side view.mp4", "rotation_tag": 90}),
    Step(
        "extract_pose",
        {
            "model": "pose_landmarker_full",
            "thresholds": {"min_detection": 0.5, "min_tracking": 0.5},
            "nested": [1, 2.5, None, {"deep": [True, "µ"]}],
        },
    ),
    Step("fill_gaps", {"max_gap_s": 0.25, "method": "linear", "filled": []}),
)


def _as_float32(values: np.ndarray) -> np.ndarray:
    """Round to float32 and back, as MediaPipe's outputs are (long decimal expansions in CSV)."""
    return values.astype(np.float32).astype(np.float64)


@pytest.fixture
def make_landmarks() -> Callable[..., Landmarks]:
    """Return a factory of synthetic recordings.

    The factory's data: ``n_frames`` rows with variable intervals (20-50 ms) and dropped
    source frames; float32-rounded coordinates; whole undetected frames (every 7th row from
    row 3), a single-landmark gap (left wrist, rows 10-14), world landmarks NaN in the first
    two rows, and a few awkward values for a text format (-0.0, the smallest subnormal, 1e22).
    """

    def factory(n_frames: int = 40, *, seed: int = 0, **meta: Any) -> Landmarks:
        rng = np.random.default_rng(seed)
        k = len(BLAZEPOSE.names)
        xyz = _as_float32(rng.uniform(-0.1, 1.1, (n_frames, k, 3)))
        world = _as_float32(rng.normal(0.0, 0.4, (n_frames, k, 3)))
        visibility = _as_float32(rng.uniform(0.0, 1.0, (n_frames, k)))
        presence = _as_float32(rng.uniform(0.0, 1.0, (n_frames, k)))
        undetected = np.arange(3, n_frames, 7)
        for arr in (xyz, world, visibility, presence):
            arr[undetected] = np.nan
        wrist = BLAZEPOSE.index("left_wrist")
        xyz[10:15, wrist] = np.nan
        world[:2] = np.nan
        if n_frames > 1:
            xyz[1, 0, 2], world[-1, 5, 1], presence[-1, 0] = -0.0, 5e-324, 1e22
        meta.setdefault("timestamps_s", 0.5 + np.cumsum(rng.uniform(0.02, 0.05, n_frames)))
        meta.setdefault("frame_index", np.cumsum(rng.integers(1, 3, n_frames)))
        meta.setdefault("image_size", (1080, 1920))
        meta.setdefault("fps", 29.97)
        meta.setdefault("rotation_deg", 90)
        meta.setdefault("source", {"kind": "video", "uri": "clips/side view.mp4", "codec": "h264"})
        meta.setdefault("model_sha256", "0123456789abcdef" * 4)
        meta.setdefault("provenance", PROVENANCE)
        return Landmarks(xyz=xyz, visibility=visibility, presence=presence, world=world, **meta)

    return factory


def _assert_bits_equal(name: str, a: np.ndarray, b: np.ndarray) -> None:
    """Same shape and dtype, NaN at the same places, every other value bit-identical."""
    assert a.shape == b.shape and a.dtype == b.dtype, name
    if a.dtype.kind != "f":
        np.testing.assert_array_equal(a, b, err_msg=name)
        return
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    np.testing.assert_array_equal(nan_a, nan_b, err_msg=f"{name}: NaN positions")
    np.testing.assert_array_equal(a[~nan_a].view(np.uint64), b[~nan_b].view(np.uint64), err_msg=name)


@pytest.fixture
def assert_same_landmarks() -> Callable[[Landmarks, Landmarks], None]:
    """Return a checker: arrays bit-identical and every metadata field equal (provenance too)."""

    def check(expected: Landmarks, actual: Landmarks) -> None:
        for name in ("xyz", "world", "visibility", "presence", "timestamps_s", "frame_index"):
            _assert_bits_equal(name, getattr(expected, name), getattr(actual, name))
        for name in ("image_size", "fps", "rotation_deg", "source", "model_sha256", "provenance", "skeleton"):
            assert getattr(expected, name) == getattr(actual, name), name

    return check
