"""The app's camera: a device, a stream or a video file played in real time, as a live frame source.

A video file stands in for the camera (that is how the app is tested and benchmarked): its frames are
released at the pace of their timestamps, optionally looping, and stale frames are dropped by the live
:class:`~tiltscreen.sources.FrameSource` exactly as a camera's are. Every frame read (not only those the
pose model had time for) passes a :class:`ClipRecorder` tap, so a captured step's clip has the source's
full frame rate and resolution for the analysis.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from tiltscreen.sources import FrameSource, SourceInfo
from tiltscreen.sources.live import LiveBackend, open_live
from tiltscreen.sources.video import open_video_file

#: live frames are downscaled to this longer side before the pose model (the live-view resolution)
LIVE_MAX_SIDE = 640


@dataclass(frozen=True)
class CameraSpec:
    """Where the frames come from: ``"0"`` (a device index), a URL, or a video file path."""

    target: str
    loop: bool = False

    @property
    def is_file(self) -> bool:
        """True when the target is an existing file (played in real time)."""
        return not self.target.isdigit() and "://" not in self.target and Path(self.target).is_file()

    @property
    def kind(self) -> str:
        """``camera``, ``stream`` or ``file``."""
        if self.target.isdigit():
            return "camera"
        return "stream" if "://" in self.target else "file"


class ClipRecorder:
    """Write the frames of a step to an MP4 while recording is on (thread-safe; one clip at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writer: cv2.VideoWriter | None = None
        self._path: Path | None = None
        self.frames = 0

    @property
    def recording(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._path is not None

    def start(self, path: Path, fps: float) -> None:
        """Begin a clip at ``path`` (frames are written at ``fps``)."""
        with self._lock:
            self._close()
            self._path, self._fps, self.frames = Path(path), float(fps), 0

    def write(self, bgr: np.ndarray) -> None:
        """Append one frame if recording."""
        with self._lock:
            if self._path is None:
                return
            if self._writer is None:
                h, w = bgr.shape[:2]
                fourcc = cv2.VideoWriter_fourcc(*"mp4v")
                self._writer = cv2.VideoWriter(str(self._path), fourcc, self._fps, (w, h))
            self._writer.write(bgr)
            self.frames += 1

    def stop(self) -> tuple[Path | None, int]:
        """Finish the clip; return its path (None if nothing was recording) and frame count."""
        with self._lock:
            path, frames = self._path, self.frames
            self._close()
            return path, frames

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.release()
        self._writer, self._path = None, None


class RealTimeVideoBackend:
    """A video file released at the pace of its timestamps (a stand-in camera), optionally looping.

    Timestamps are seconds of wall-clock time since the first frame, like a live camera's. ``read``
    returns None at the end of the file (without ``loop``) or once :meth:`stop` was called.
    """

    def __init__(self, path: Path, *, loop: bool, tap: ClipRecorder | None = None) -> None:
        self._path, self._loop, self._tap = Path(path), loop, tap
        self.info, self._inner = open_video_file(self._path)
        self._t0 = time.monotonic()
        self.t0_epoch = time.time()
        self._offset = 0.0
        self._last = 0.0
        self._stop = threading.Event()
        self.passes = 1

    def stop(self) -> None:
        """Make the next read return None (the end of the source)."""
        self._stop.set()

    def read(self) -> tuple[float, np.ndarray] | None:
        """Return ``(seconds since start, BGR)`` once its time has come, None at the end."""
        item = self._inner.read()
        if item is None and self._loop and not self._stop.is_set():
            self._inner.release()
            _, self._inner = open_video_file(self._path)
            self._offset = self._last + 1.0 / (self.info.fps or 30.0)
            self.passes += 1
            item = self._inner.read()
        if item is None or self._stop.is_set():
            return None
        ts, bgr = item
        due = self._offset + ts
        self._last = due
        wait = self._t0 + due - time.monotonic()
        if wait > 0 and self._stop.wait(wait):
            return None
        if self._tap is not None:
            self._tap.write(bgr)
        return due, bgr

    def release(self) -> None:
        """Release the decoder."""
        self._inner.release()


class TappedLiveBackend:
    """A camera's or stream's :class:`LiveBackend` whose frames also go to a :class:`ClipRecorder`."""

    def __init__(self, inner: LiveBackend, tap: ClipRecorder) -> None:
        self._inner, self._tap = inner, tap
        self._stop = threading.Event()
        self.t0_epoch = time.time()

    def stop(self) -> None:
        """Make the next read return None."""
        self._stop.set()

    def read(self) -> tuple[float, np.ndarray] | None:
        """Next ``(timestamp_s, BGR)`` from the device, None once stopped."""
        if self._stop.is_set():
            return None
        item = self._inner.read()
        if item is not None:
            self._tap.write(item[1])
        return item

    def release(self) -> None:
        """Release the device."""
        self._inner.release()


@dataclass(frozen=True)
class Feed:
    """An open live source, the backend to stop it with, and its nominal frame rate."""

    source: FrameSource
    backend: RealTimeVideoBackend | TappedLiveBackend
    fps: float

    def stop(self) -> None:
        """Stop the frames (the live loop then ends normally)."""
        self.backend.stop()


def open_feed(spec: CameraSpec, tap: ClipRecorder, *, max_side: int = LIVE_MAX_SIDE) -> Feed:
    """Open the camera, stream or stand-in video as a live source (newest frame only).

    Raises
    ------
    CameraUnavailableError
        A device or URL that cannot be opened or gives no frame.
    InputError
        A video file that is missing, damaged or empty.

    """
    if spec.kind == "file":
        backend: RealTimeVideoBackend | TappedLiveBackend = RealTimeVideoBackend(
            Path(spec.target), loop=spec.loop, tap=tap
        )
        info = _as_live(backend.info)
        fps = backend.info.fps or 30.0
    else:
        target: int | str = int(spec.target) if spec.kind == "camera" else spec.target
        info, capture, first = open_live(target, kind=spec.kind)
        backend = TappedLiveBackend(LiveBackend(capture, uri=info.uri, first=first), tap)
        fps = info.fps or 30.0
    source = FrameSource(info, backend, max_side=max_side, queue_size=1, stall_timeout_s=5.0)
    return Feed(source, backend, fps)


def _as_live(info: SourceInfo) -> SourceInfo:
    """Return the file's description with ``live`` set, so the reader keeps only the newest frame."""
    from dataclasses import replace

    return replace(info, live=True, kind="file")
