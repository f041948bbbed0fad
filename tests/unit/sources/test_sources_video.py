"""Video files: formats, order, container timestamps, rotation, downscale, truncation."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.fixtures.videos import (
    HEIGHT,
    WIDTH,
    draw_frame,
    read_frame_number,
    write_video,
    write_video_opencv,
)
from tests.unit.sources.conftest import FPS, N_FRAMES, VFR_DURATIONS

from tiltscreen.errors import SourceInterruptedError
from tiltscreen.sources import open_source
from tiltscreen.sources.video import TimestampClock, normalise_rotation, rotate_upright


def test_draw_and_read_frame_number_round_trip() -> None:
    for number in (0, 1, 77, 128, 255):
        rgb = cv2.cvtColor(draw_frame(number), cv2.COLOR_BGR2RGB)
        assert read_frame_number(rgb) == number
        assert read_frame_number(cv2.resize(rgb, (48, 32), interpolation=cv2.INTER_LINEAR)) == number


def test_mp4_yields_every_frame_in_order_with_container_timestamps(mp4_clip: Path) -> None:
    with open_source(mp4_clip) as source:
        frames = list(source)
    info = source.info
    assert (info.kind, info.width, info.height, info.fps, info.frame_count) == (
        "file",
        WIDTH,
        HEIGHT,
        FPS,
        N_FRAMES,
    )
    assert (info.rotation_deg, info.live, info.uri) == (0, False, str(mp4_clip))
    assert [f.index for f in frames] == list(range(N_FRAMES))
    assert [read_frame_number(f.rgb) for f in frames] == list(range(N_FRAMES))
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(N_FRAMES) / FPS, atol=1e-9)
    first = frames[0]
    assert first.rgb.dtype == np.uint8 and first.rgb.shape == (HEIGHT, WIDTH, 3) and first.scale == 1.0
    red_corner = first.rgb[4:12, 4:12].mean(axis=(0, 1))
    assert red_corner[0] > 200 and red_corner[2] < 60, "channels must be RGB, not BGR"


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        pytest.param("c.mov", ("-c:v", "mpeg4", "-q:v", "2"), id="mov"),
        pytest.param("c.avi", ("-c:v", "mjpeg", "-q:v", "2"), id="avi-mjpeg"),
        pytest.param("c.mkv", ("-c:v", "mpeg4", "-q:v", "2"), id="mkv"),
        pytest.param("c.webm", ("-c:v", "libvpx", "-b:v", "1M", "-deadline", "realtime"), id="webm-vp8"),
        pytest.param("C.MP4", ("-c:v", "libx264", "-crf", "10", "-preset", "ultrafast"), id="mp4-h264-upper"),
    ],
)
def test_every_container_decodes_all_frames(tmp_path: Path, name: str, codec: tuple[str, ...]) -> None:
    path = write_video(tmp_path / name, 12, fps=FPS, codec=codec)
    with open_source(path) as source:
        numbers = [read_frame_number(f.rgb) for f in source]
    assert numbers == list(range(12))


@pytest.mark.parametrize("fourcc", ["mp4v", "MJPG"])
def test_opencv_written_files_decode(tmp_path: Path, fourcc: str) -> None:
    path = write_video_opencv(tmp_path / ("c.mp4" if fourcc == "mp4v" else "c.avi"), 10, fourcc=fourcc)
    with open_source(path) as source:
        assert [read_frame_number(f.rgb) for f in source] == list(range(10))
        assert source.info.frame_count == 10


def test_variable_frame_rate_uses_container_timestamps(vfr_clip: Path) -> None:
    """Frame i starts at sum(VFR_DURATIONS[:i]); index/fps would give a regular grid instead."""
    with open_source(vfr_clip) as source:
        frames = list(source)
    expected = np.concatenate([[0.0], np.cumsum(VFR_DURATIONS)[:-1]])
    assert [read_frame_number(f.rgb) for f in frames] == list(range(len(VFR_DURATIONS)))
    np.testing.assert_allclose([f.timestamp_s for f in frames], expected, atol=1e-6)
    # Matroska's frame count is an estimate (duration x nominal rate): far above 8 here,
    # yet the clip is complete and must not be called truncated.
    assert source.info.frame_count is not None and source.info.frame_count > len(VFR_DURATIONS)


def test_rotation_metadata_gives_upright_frames(rotated_clip: tuple[Path, int], mp4_clip: Path) -> None:
    """ffmpeg's display rotation R (counter-clockwise) is OpenCV's clockwise (360 - R) % 360."""
    path, display_rotation = rotated_clip
    with open_source(mp4_clip) as plain, open_source(path) as rotated:
        pairs = list(zip(plain, rotated, strict=True))
    info = rotated.info
    assert info.rotation_deg == (360 - display_rotation) % 360
    swapped = display_rotation in (90, 270)
    assert (info.width, info.height) == ((HEIGHT, WIDTH) if swapped else (WIDTH, HEIGHT))
    for original, turned in pairs:
        np.testing.assert_array_equal(turned.rgb, np.rot90(original.rgb, k=display_rotation // 90))
        assert turned.timestamp_s == original.timestamp_s


def test_own_rotation_matches_opencv_auto_rotation(rotated_clip: tuple[Path, int]) -> None:
    """The fallback rotation (for backends without ORIENTATION_AUTO) equals OpenCV's own."""
    path, _ = rotated_clip
    raw = cv2.VideoCapture(str(path))
    raw.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    meta = normalise_rotation(raw.get(cv2.CAP_PROP_ORIENTATION_META))
    ok, stored = raw.read()
    raw.release()
    auto = cv2.VideoCapture(str(path))
    auto.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    ok_auto, upright = auto.read()
    auto.release()
    assert ok and ok_auto and stored.shape == (HEIGHT, WIDTH, 3)
    np.testing.assert_array_equal(rotate_upright(stored, meta), upright)


@pytest.mark.parametrize(
    ("max_side", "shape", "scale"),
    [(48, (32, 48, 3), 0.5), (96, (HEIGHT, WIDTH, 3), 1.0), (1000, (HEIGHT, WIDTH, 3), 1.0)],
)
def test_downscale(mp4_clip: Path, max_side: int, shape: tuple[int, ...], scale: float) -> None:
    with open_source(mp4_clip, max_side=max_side) as source:
        frames = list(source)
    assert source.info.width == WIDTH, "info keeps the original size"
    assert all(f.rgb.shape == shape and f.scale == scale for f in frames)
    assert [read_frame_number(f.rgb) for f in frames] == list(range(N_FRAMES))


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_truncated_file_yields_decodable_frames_then_raises(
    mp4_clip: Path, tmp_path: Path, suffix: str
) -> None:
    full = mp4_clip if suffix == ".mp4" else write_video(tmp_path / "full.mkv", N_FRAMES, fps=FPS)
    data = full.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    numbers = []
    with open_source(cut) as source, pytest.raises(SourceInterruptedError, match="truncated") as caught:
        for frame in source:
            numbers.append(read_frame_number(frame.rgb))
    assert 0 < caught.value.frames_read < N_FRAMES * 0.9
    assert len(numbers) == caught.value.frames_read
    # the last frame may be partly decoded (FFmpeg conceals the damage): compare the others
    assert numbers[:-1] == list(range(len(numbers) - 1))


@pytest.mark.parametrize(
    ("positions_ms", "expected_s"),
    [
        pytest.param([0, 100, 200], [0.0, 0.1, 0.2], id="container"),
        pytest.param([0, 250, 260], [0.0, 0.25, 0.26], id="variable"),
        pytest.param([0, 100, 100, 300], [0.0, 0.1, 0.2, 0.3], id="repeat"),
        pytest.param([0, 100, 50], [0.0, 0.1, 0.2], id="backwards"),
        pytest.param([float("nan")] * 3, [0.0, 0.1, 0.2], id="missing"),
        pytest.param([-1, 0, 0], [0.0, 0.1, 0.2], id="negative"),
    ],
)
def test_timestamp_clock(positions_ms: list[float], expected_s: list[float]) -> None:
    clock = TimestampClock(fps=10.0)
    got = [clock.next(ms) for ms in positions_ms]
    np.testing.assert_allclose(got, expected_s, atol=1e-12)
    assert all(b > a for a, b in itertools.pairwise(got))


def test_timestamp_clock_without_fps_assumes_30() -> None:
    clock = TimestampClock(fps=None)
    assert [clock.next(float("nan")) for _ in range(2)] == [0.0, 1 / 30]


@pytest.mark.parametrize(
    ("meta", "expected"), [(0, 0), (90, 90), (-90, 270), (180, 180), (270, 270), (359, 0)]
)
def test_normalise_rotation(meta: float, expected: int) -> None:
    assert normalise_rotation(meta) == expected
