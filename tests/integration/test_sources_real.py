"""Frame sources on the two public demo videos (fetched once, see tests/fixtures/videos.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.fixtures.videos import demo_multi_person, demo_single_person_portrait

from tiltscreen.errors import CorruptVideoError, SourceInterruptedError
from tiltscreen.sources import open_source

pytestmark = pytest.mark.realvideo


def test_sports2d_demo_multi_person() -> None:
    with open_source(demo_multi_person(), max_side=960) as source:
        frames = list(source)
    info = source.info
    assert (info.kind, info.width, info.height, info.fps, info.frame_count) == ("file", 1768, 994, 30.0, 230)
    assert (info.rotation_deg, info.live) == (0, False)
    assert len(frames) == 230
    assert frames[0].rgb.shape == (540, 960, 3)
    assert frames[0].scale == pytest.approx(960 / 1768)
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(230) / 30.0, atol=1e-6)


def test_pose2sim_demo_is_stored_portrait_without_rotation_metadata() -> None:
    """cam01.mp4 is encoded 1080x1920 (portrait) and carries no display rotation."""
    with open_source(demo_single_person_portrait()) as source:
        frames = list(source)
    info = source.info
    assert (info.width, info.height, info.fps, info.frame_count, info.rotation_deg) == (
        1080,
        1920,
        60.0,
        100,
        0,
    )
    assert len(frames) == 100
    assert frames[-1].rgb.shape == (1920, 1080, 3)
    assert frames[-1].timestamp_s == pytest.approx(99 / 60.0)


def test_truncated_demo_with_index_first_is_interrupted(tmp_path: Path) -> None:
    """demo.mp4 has its ``moov`` index before the data: cut at 60 %, the first frames still decode."""
    data = demo_multi_person().read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    count = 0
    with open_source(cut, max_side=480) as source, pytest.raises(SourceInterruptedError) as caught:
        for _ in source:
            count += 1
    assert count == caught.value.frames_read
    assert 100 < count < 0.9 * 230


def test_truncated_demo_with_index_last_is_corrupt(tmp_path: Path) -> None:
    """cam01.mp4 has its ``moov`` index after the data: cut, nothing can be decoded."""
    data = demo_single_person_portrait().read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(CorruptVideoError, match="cannot be opened"):
        open_source(cut)
