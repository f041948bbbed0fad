"""The reader thread: no drops for files, newest-frame-only for live sources, clean stops."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from tests.fixtures.videos import draw_frame, read_frame_number, write_video
from tests.unit.sources.conftest import N_FRAMES

from tiltscreen.errors import CameraUnavailableError, SourceInterruptedError
from tiltscreen.sources import FrameSource, SourceInfo, open_source
from tiltscreen.sources.live import open_live_source
from tiltscreen.sources.reader import scale_for


def _reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tiltscreen-reader") and t.is_alive()]


@pytest.fixture(autouse=True)
def _no_leaked_reader_threads():
    yield
    deadline = time.monotonic() + 2
    while _reader_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _reader_threads(), "a reader thread outlived its test"


def test_file_slow_consumer_gets_every_frame_in_order(mp4_clip: Path) -> None:
    with open_source(mp4_clip, queue_size=2) as source:
        numbers = []
        for frame in source:
            time.sleep(0.005)
            numbers.append(read_frame_number(frame.rgb))
            assert source._queue.qsize() <= 2
    assert numbers == list(range(N_FRAMES))


@pytest.mark.parametrize("stop_after", [0, 1, 5])
def test_break_and_close_stops_the_thread(mp4_clip: Path, stop_after: int) -> None:
    source = open_source(mp4_clip, queue_size=1)
    for frame in source:
        if frame.index >= stop_after:
            break
    source.close()
    assert source._thread is not None and not source._thread.is_alive()
    source.close()  # idempotent
    assert list(source) == []


def test_close_before_iterating_releases_without_a_thread(mp4_clip: Path) -> None:
    source = open_source(mp4_clip)
    source.close()
    assert source._thread is None


def test_context_exit_after_partial_iteration(tmp_path: Path) -> None:
    path = write_video(tmp_path / "long.mp4", 200, fps=25.0)
    with open_source(path, queue_size=2) as source:
        next(iter(source))
    assert not source._thread.is_alive()


class _ScriptedBackend:
    """A backend returning frames from a script; a list item that is an exception is raised."""

    def __init__(self, script: list[object]) -> None:
        self.script = list(script)
        self.released = 0

    def read(self) -> tuple[float, np.ndarray] | None:
        if not self.script:
            return None
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return float(item), draw_frame(int(item))

    def release(self) -> None:
        self.released += 1


def _info(*, live: bool) -> SourceInfo:
    return SourceInfo("camera" if live else "file", "fake", 96, 64, 10.0, None, 0, live)


def test_error_in_thread_is_reraised_after_earlier_frames() -> None:
    backend = _ScriptedBackend([0, 1, ValueError("decoder exploded"), 3])
    got = []
    with FrameSource(_info(live=False), backend) as source, pytest.raises(ValueError, match="exploded"):
        for frame in source:
            got.append(frame.index)
    assert got == [0, 1]
    assert backend.released == 1
    assert list(source) == []


def test_backend_released_once_after_clean_end() -> None:
    backend = _ScriptedBackend([0, 1, 2])
    with FrameSource(_info(live=False), backend) as source:
        assert [f.index for f in source] == [0, 1, 2]
    assert backend.released == 1


# -- live sources with a fake capture ------------------------------------------------------


class _FakeCamera:
    """Looks like cv2.VideoCapture: a numbered frame every ``period_s``; fails after ``fail_after``."""

    def __init__(self, target: object, *, period_s: float = 0.002, fail_after: int | None = None,
                 opened: bool = True, block_after: int | None = None) -> None:  # fmt: skip
        self.count = 0
        self.period_s = period_s
        self.fail_after = fail_after
        self.block_after = block_after
        self.opened = opened
        self.released = threading.Event()

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.block_after is not None and self.count >= self.block_after:
            self.released.wait(0.5)  # a read that hangs (until released or a while)
            return False, None
        if self.fail_after is not None and self.count >= self.fail_after:
            return False, None
        time.sleep(self.period_s)
        self.count += 1
        return True, draw_frame((self.count - 1) % 256)

    def get(self, prop: int) -> float:
        return 30.0

    def release(self) -> None:
        self.released.set()


def _live(**camera_options: object) -> tuple[FrameSource, _FakeCamera]:
    cameras: list[_FakeCamera] = []

    def factory(target: object) -> _FakeCamera:
        cameras.append(_FakeCamera(target, **camera_options))
        return cameras[0]

    source = open_live_source(
        0, kind="camera", stall_timeout_s=0.3, max_failed_reads=5, capture_factory=factory
    )
    return source, cameras[0]


def test_live_drops_stale_frames_for_a_slow_consumer() -> None:
    source, camera = _live()
    assert source.info.live and source.info.kind == "camera" and source.info.frame_count is None
    with source:
        indices, lags = [], []
        for frame in source:
            time.sleep(0.03)  # slow consumer: ~15 camera frames arrive meanwhile
            indices.append(frame.index)
            lags.append(camera.count - 1 - frame.index)
            if len(indices) == 8:
                break
    gaps = np.diff(indices)
    assert np.all(gaps >= 1) and gaps.max() > 3, f"stale frames must be dropped, got indices {indices}"
    assert max(lags[1:]) < 20, f"the consumer must get a fresh frame, lags {lags}"
    assert source._queue.maxsize == 1


def test_live_timestamps_are_wall_clock_and_increasing() -> None:
    source, _ = _live(period_s=0.02)
    with source:
        frames = [f for _, f in zip(range(4), source, strict=False)]
    stamps = [f.timestamp_s for f in frames]
    assert all(b > a for a, b in zip(stamps, stamps[1:], strict=False))
    assert 0.04 < stamps[-1] - stamps[0] < 1.0
    assert [read_frame_number(f.rgb) for f in frames] == [f.index for f in frames]


def test_live_failed_reads_raise_interrupted_after_frames() -> None:
    source, _ = _live(fail_after=3)
    got = []
    with source, pytest.raises(SourceInterruptedError, match="stopped delivering") as caught:
        for frame in source:
            got.append(frame.index)
            time.sleep(0.01)
    assert caught.value.frames_read == 3
    assert got and got[-1] == 2


def test_live_hanging_read_raises_on_timeout() -> None:
    source, _ = _live(block_after=2)
    start = time.monotonic()
    with source, pytest.raises(SourceInterruptedError) as caught:
        list(source)
    assert time.monotonic() - start < 3
    assert caught.value.frames_read == 2


def test_unopenable_camera() -> None:
    with pytest.raises(CameraUnavailableError, match="camera 7 cannot be opened"):
        open_live_source(7, kind="camera", capture_factory=lambda t: _FakeCamera(t, opened=False))


def test_camera_without_a_first_frame() -> None:
    with pytest.raises(CameraUnavailableError, match="no frame"):
        open_live_source(0, kind="camera", capture_factory=lambda t: _FakeCamera(t, fail_after=0))


@pytest.mark.parametrize("spec", [98, "98"])
def test_real_missing_camera_index(spec: int | str) -> None:
    with pytest.raises(CameraUnavailableError):
        open_source(spec)


def test_unreachable_stream_url() -> None:
    with pytest.raises(CameraUnavailableError, match="stream"):
        open_source("rtsp://127.0.0.1:9/none")


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [((1920, 1080), 960, 0.5), ((1080, 1920), 960, 0.5), ((640, 480), 960, 1.0), ((640, 480), None, 1.0)],
)
def test_scale_for(size: tuple[int, int], max_side: int | None, expected: float) -> None:
    assert scale_for(*size, max_side=max_side) == expected
