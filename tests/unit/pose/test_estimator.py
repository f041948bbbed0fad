from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from tests.fixtures.videos import demo_single_person_portrait

from tiltscreen.errors import ModelError
from tiltscreen.pose.estimator import LivePoseEstimator, PoseOptions, VideoPoseEstimator, _TimestampClock
from tiltscreen.sources import open_source


def test_timestamp_clock_is_strictly_increasing() -> None:
    """0.0001 s and 0.0004 s both round to 0 ms; the second must become 1 ms. A step back stays ahead."""
    clock = _TimestampClock()
    assert [clock(t) for t in (0.0001, 0.0004, 0.010, 0.005)] == [0, 1, 10, 11]


def test_unloadable_model_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="could not be loaded"):
        VideoPoseEstimator(PoseOptions(model_path=bad))


@pytest.mark.model
@pytest.mark.realvideo
def test_live_stream_mode_returns_results_for_submitted_frames(model_path: Path) -> None:
    """LIVE_STREAM: results arrive asynchronously, keyed by the millisecond stamp of each frame."""
    with open_source(demo_single_person_portrait(), max_side=640) as source:
        frames = [f for _, f in zip(range(10), source, strict=False)]
    with LivePoseEstimator(PoseOptions(model_path=model_path)) as est:
        keys = [est.submit(f.rgb, f.timestamp_s) for f in frames]
        time.sleep(0.5)
        est.close()
        results = est.collect()
    assert results and {k for k, _ in results} <= set(keys)
    people = [c for _, cands in results for c in cands]
    assert people and np.isfinite(people[0].xyz).all()
