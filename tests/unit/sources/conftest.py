"""Synthetic clips shared by the frame-source tests (made once per test session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.fixtures.videos import write_rotated_copy, write_vfr_video, write_video

#: frames and rate of the plain clip
N_FRAMES, FPS = 30, 10.0
#: frame durations of the variable-rate clip (multiples of 40 ms)
VFR_DURATIONS = (0.04, 0.2, 0.08, 0.04, 0.4, 0.12, 0.04, 0.08)


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def mp4_clip(clip_dir: Path) -> Path:
    """30 numbered frames at 10 fps, MPEG-4 part 2 in MP4, index at the front (faststart)."""
    return write_video(clip_dir / "clip.mp4", N_FRAMES, fps=FPS, extra=("-movflags", "+faststart"))


@pytest.fixture(scope="session")
def vfr_clip(clip_dir: Path) -> Path:
    return write_vfr_video(clip_dir / "vfr.mkv", VFR_DURATIONS)


@pytest.fixture(scope="session", params=[90, 180, 270])
def rotated_clip(request: pytest.FixtureRequest, mp4_clip: Path, clip_dir: Path) -> tuple[Path, int]:
    """``(path, display_rotation)``: the plain clip with a display-matrix rotation, same bitstream."""
    degrees = request.param
    return write_rotated_copy(mp4_clip, clip_dir / f"rot{degrees}.mp4", display_rotation=degrees), degrees
