"""Video files: open, check, rotate upright, and time-stamp from the container."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from tiltscreen.errors import CorruptVideoError, EmptyVideoError, SourceInterruptedError
from tiltscreen.sources.container import count_video_samples
from tiltscreen.sources.frame import SourceInfo

#: extensions accepted as video files (lower case, with the dot)
VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm")
#: a file is called truncated only when fewer than this share of the announced frames
#: decoded *and* the decoded frames cover less than this share of the announced duration
TRUNCATION_RATIO = 0.9
#: frame rate assumed for the timestamp fallback when the container gives none
_FALLBACK_FPS = 30.0
#: clockwise rotation (degrees, as reported by CAP_PROP_ORIENTATION_META) -> cv2.rotate code
_ROTATE_CODES = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate_upright(bgr: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Rotate an image clockwise by ``rotation_deg`` (0, 90, 180 or 270).

    This is what OpenCV's FFmpeg backend does itself when ``CAP_PROP_ORIENTATION_AUTO`` is
    on; it is used only for backends that do not honour that property.
    """
    if rotation_deg == 0:
        return bgr
    return cv2.rotate(bgr, _ROTATE_CODES[rotation_deg])


def normalise_rotation(meta: float) -> int:
    """Round a rotation in degrees to the nearest of 0, 90, 180, 270 (clockwise).

    Examples
    --------
    >>> normalise_rotation(-90.0)
    270
    >>> normalise_rotation(450.0)
    90

    """
    if not math.isfinite(meta):
        return 0
    return int(round(meta / 90.0)) % 4 * 90


class TimestampClock:
    """Turn container timestamps into strictly increasing seconds.

    Parameters
    ----------
    fps : float or None
        Nominal rate, used when a timestamp is missing (NaN, negative) or does not increase:
        the frame then gets ``max(index / fps, previous + 1 / fps)``. 30 when None.

    Examples
    --------
    >>> clock = TimestampClock(fps=10.0)
    >>> [clock.next(ms) for ms in (0.0, 100.0, 100.0, float("nan"), 500.0)]
    [0.0, 0.1, 0.2, 0.30000000000000004, 0.5]

    """

    def __init__(self, *, fps: float | None) -> None:
        self._period = 1.0 / (fps if fps and fps > 0 else _FALLBACK_FPS)
        self._index = 0
        self._last: float | None = None

    def next(self, position_ms: float) -> float:
        """Return the timestamp (s) of the next frame given the container's ``position_ms``."""
        seconds = position_ms / 1000.0
        valid = math.isfinite(seconds) and seconds >= 0
        if not valid or (self._last is not None and seconds <= self._last):
            seconds = self._index * self._period
            if self._last is not None:
                seconds = max(seconds, self._last + self._period)
        self._index += 1
        self._last = seconds
        return seconds


class VideoFileBackend:
    """Decode a video file with OpenCV; see :func:`open_video_file`."""

    def __init__(
        self, capture: cv2.VideoCapture, info: SourceInfo, first: np.ndarray, *, rotate: int
    ) -> None:
        self._capture = capture
        self._info = info
        self._pending: np.ndarray | None = first
        self._rotate = rotate
        self._clock = TimestampClock(fps=info.fps)
        self._first_ts = self._clock.next(capture.get(cv2.CAP_PROP_POS_MSEC))
        self._read = 0
        self._last_ts = self._first_ts

    def read(self) -> tuple[float, np.ndarray] | None:
        """Return the next ``(timestamp_s, BGR image)``, None at the end.

        Raises
        ------
        SourceInterruptedError
            When decoding stops clearly short of what the container announced.

        """
        if self._pending is not None:
            bgr, self._pending = self._pending, None
            self._read = 1
            return self._first_ts, bgr
        ok, bgr = self._capture.read()
        if not ok or bgr is None:
            self._check_complete()
            return None
        self._read += 1
        self._last_ts = self._clock.next(self._capture.get(cv2.CAP_PROP_POS_MSEC))
        return self._last_ts, rotate_upright(bgr, self._rotate)

    def _check_complete(self) -> None:
        """Raise if the file ended clearly short of its announced frame count and duration."""
        expected, fps = self._info.frame_count, self._info.fps
        if not expected or self._read >= TRUNCATION_RATIO * expected:
            return
        if fps and (self._last_ts + 1.0 / fps) >= TRUNCATION_RATIO * expected / fps:
            return  # fewer frames than estimated but the full duration: variable frame rate
        raise SourceInterruptedError(
            f"The video {self._info.uri} stopped after {self._read} of the {expected} frames "
            "it announces; the file is probably truncated.",
            frames_read=self._read,
        )

    def release(self) -> None:
        """Release the OpenCV capture."""
        self._capture.release()


def open_video_file(path: Path) -> tuple[SourceInfo, VideoFileBackend]:
    """Open a video file, decode its first frame and describe it.

    Parameters
    ----------
    path : pathlib.Path
        An existing file with one of :data:`VIDEO_EXTENSIONS`.

    Returns
    -------
    info : SourceInfo
    backend : VideoFileBackend
        Yields the already decoded first frame, then the rest.

    Raises
    ------
    EmptyVideoError
        The container holds no frame.
    CorruptVideoError
        OpenCV cannot open the file or decode its first frame.

    Notes
    -----
    ``CAP_PROP_ORIENTATION_AUTO`` is set to 1 explicitly. OpenCV 5.1's FFmpeg backend then
    rotates frames itself (measured) and reports the clockwise rotation it applied in
    ``CAP_PROP_ORIENTATION_META``. If a backend does not accept the property, frames are
    rotated here instead.

    """
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        if count_video_samples(path) == 0:
            raise EmptyVideoError(f"The video {path} holds no frame.")
        raise CorruptVideoError(f"The file {path} cannot be opened as a video; it may be damaged.")
    backend_rotates = bool(capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)) and (
        capture.get(cv2.CAP_PROP_ORIENTATION_AUTO) == 1
    )
    rotation = normalise_rotation(capture.get(cv2.CAP_PROP_ORIENTATION_META))
    fps = capture.get(cv2.CAP_PROP_FPS)
    count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
    ok, first = capture.read()
    if not ok or first is None:
        capture.release()
        if count <= 0 or count_video_samples(path) == 0:
            raise EmptyVideoError(f"The video {path} holds no frame.")
        raise CorruptVideoError(f"The first frame of the video {path} cannot be decoded; it may be damaged.")
    own_rotation = 0 if backend_rotates else rotation
    first = rotate_upright(first, own_rotation)
    info = SourceInfo(
        kind="file",
        uri=str(path),
        width=int(first.shape[1]),
        height=int(first.shape[0]),
        fps=float(fps) if fps > 0 and math.isfinite(fps) else None,
        frame_count=int(count) if count > 0 and math.isfinite(count) else None,
        rotation_deg=rotation,
        live=False,
    )
    return info, VideoFileBackend(capture, info, first, rotate=own_rotation)
