"""Cameras and network streams: wall-clock timestamps, stall detection."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

import cv2
import numpy as np

from tiltscreen.errors import CameraUnavailableError, SourceInterruptedError
from tiltscreen.sources.frame import SourceInfo
from tiltscreen.sources.reader import FrameSource

#: URL schemes opened as network streams
STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")


class CaptureLike(Protocol):
    """The part of :class:`cv2.VideoCapture` a live backend uses (fakes implement it in tests)."""

    def isOpened(self) -> bool: ...  # noqa: D102, N802 -- OpenCV's name

    def read(self) -> tuple[bool, np.ndarray | None]: ...  # noqa: D102

    def get(self, prop: int) -> float: ...  # noqa: D102

    def release(self) -> None: ...  # noqa: D102


class LiveBackend:
    """Read a camera or stream, stamping frames with the monotonic clock.

    Parameters
    ----------
    capture : CaptureLike
        An opened capture.
    uri : str
        Camera index or URL, for messages.
    first : numpy.ndarray
        The frame already read while opening.
    max_failed_reads : int
        Consecutive failed reads after which the source counts as interrupted.
    stall_timeout_s : float
        Seconds without a frame after which the source counts as interrupted.
    clock : callable
        Returns seconds; :func:`time.monotonic` unless a test injects another.

    """

    def __init__(
        self,
        capture: CaptureLike,
        *,
        uri: str,
        first: np.ndarray,
        max_failed_reads: int = 30,
        stall_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capture = capture
        self._uri = uri
        self._pending: np.ndarray | None = first
        self._max_failed = max_failed_reads
        self._timeout = stall_timeout_s
        self._clock = clock
        self._origin = clock()
        self._last_ts = -math.inf
        self._read = 0

    def _stamp(self) -> float:
        """Seconds since opening, nudged forward if the clock did not advance."""
        now = self._clock() - self._origin
        self._last_ts = now if now > self._last_ts else math.nextafter(self._last_ts, math.inf)
        return self._last_ts

    def read(self) -> tuple[float, np.ndarray] | None:
        """Return the next ``(timestamp_s, BGR image)``.

        Raises
        ------
        SourceInterruptedError
            After ``max_failed_reads`` consecutive failed reads, or no frame for
            ``stall_timeout_s`` seconds. A live source never ends cleanly.

        """
        pending = self._pending
        if pending is not None:
            self._pending = None
            self._read += 1
            return self._stamp(), pending
        failed = 0
        started = self._clock()
        while True:
            ok, bgr = self._capture.read()
            if ok and bgr is not None:
                self._read += 1
                return self._stamp(), bgr
            failed += 1
            if failed >= self._max_failed or self._clock() - started > self._timeout:
                raise SourceInterruptedError(
                    f"The camera or stream {self._uri} stopped delivering frames after {self._read} frames.",
                    frames_read=self._read,
                )
            time.sleep(0.01)

    def release(self) -> None:
        """Release the capture."""
        self._capture.release()


def video_capture(target: int | str) -> CaptureLike:
    """Open ``target`` with :class:`cv2.VideoCapture`: a camera index (int) or a URL (str)."""
    if isinstance(target, int):
        return cv2.VideoCapture(target)
    return cv2.VideoCapture(target)


def describe_live(capture: CaptureLike, first: np.ndarray, *, kind: str, uri: str) -> SourceInfo:
    """Build the :class:`SourceInfo` of an opened camera or stream from its first frame."""
    fps = capture.get(cv2.CAP_PROP_FPS)
    return SourceInfo(
        kind=kind,
        uri=uri,
        width=int(first.shape[1]),
        height=int(first.shape[0]),
        fps=float(fps) if fps > 0 and math.isfinite(fps) else None,
        frame_count=None,
        rotation_deg=0,
        live=True,
    )


def open_live(
    target: int | str, *, kind: str, capture_factory: Callable[[int | str], CaptureLike] = video_capture
) -> tuple[SourceInfo, CaptureLike, np.ndarray]:
    """Open a camera index or stream URL and read its first frame.

    Raises
    ------
    CameraUnavailableError
        The device or URL cannot be opened, or gives no first frame.

    """
    uri = str(target)
    what = f"camera {uri}" if kind == "camera" else f"stream {uri}"
    capture = capture_factory(target)
    if not capture.isOpened():
        capture.release()
        raise CameraUnavailableError(f"The {what} cannot be opened; check that it exists and is not in use.")
    ok, first = capture.read()
    if not ok or first is None:
        capture.release()
        raise CameraUnavailableError(f"The {what} opened but delivered no frame.")
    return describe_live(capture, first, kind=kind, uri=uri), capture, first


def open_live_source(
    target: int | str,
    *,
    kind: str,
    max_side: int | None = None,
    queue_size: int = 4,
    stall_timeout_s: float = 5.0,
    max_failed_reads: int = 30,
    capture_factory: Callable[[int | str], CaptureLike] = video_capture,
) -> FrameSource:
    """Open a camera or stream as a live :class:`FrameSource` (newest frame only).

    Parameters are those of :func:`tiltscreen.sources.open_source`; ``kind`` is
    ``"camera"`` or ``"stream"`` and ``capture_factory`` builds the capture from ``target``
    (tests pass a fake).
    """
    info, capture, first = open_live(target, kind=kind, capture_factory=capture_factory)
    backend = LiveBackend(
        capture, uri=info.uri, first=first, max_failed_reads=max_failed_reads, stall_timeout_s=stall_timeout_s
    )
    return FrameSource(
        info, backend, max_side=max_side, queue_size=queue_size, stall_timeout_s=stall_timeout_s
    )
