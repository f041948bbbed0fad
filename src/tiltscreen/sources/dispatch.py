""":func:`open_source`: turn a path, camera index or URL into a :class:`FrameSource`."""

from __future__ import annotations

import os
from pathlib import Path

from tiltscreen.errors import InputNotFoundError, UnsupportedInputError
from tiltscreen.sources.images import IMAGE_EXTENSIONS, open_image_folder
from tiltscreen.sources.live import STREAM_SCHEMES, open_live_source
from tiltscreen.sources.reader import FrameSource
from tiltscreen.sources.video import VIDEO_EXTENSIONS, open_video_file

#: the first bytes of still-image files, which FFmpeg would otherwise open as a one-frame "video"
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"GIF8": "GIF",
}


def image_kind(path: Path) -> str | None:
    """Return ``"PNG"``, ``"JPEG"``, … when the file starts like a still image, else None."""
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError:
        return None
    return next((kind for sig, kind in IMAGE_SIGNATURES.items() if head.startswith(sig)), None)


def open_source(
    spec: str | int | os.PathLike[str],
    *,
    max_side: int | None = None,
    queue_size: int = 4,
    images_fps: float = 30.0,
    stall_timeout_s: float = 5.0,
    max_failed_reads: int = 30,
) -> FrameSource:
    """Open a video file, image folder, camera or stream as a source of RGB frames.

    Parameters
    ----------
    spec : str, int or os.PathLike
        A video file (``.mp4 .mov .avi .mkv .webm``), a folder of images
        (``.png .jpg .jpeg .bmp .tif``), a camera index (int or a string of digits) or a
        stream URL (``rtsp://``, ``rtsps://``, ``http://``, ``https://``).
    max_side : int, optional
        Downscale frames (``cv2.INTER_LINEAR``) so that the longer side is at most this.
    queue_size : int
        Frames decoded ahead for files and folders; live sources keep only the newest.
    images_fps : float
        Frame rate assigned to an image folder (timestamps are ``index / images_fps``).
    stall_timeout_s : float
        Live sources: seconds without a frame before the source counts as interrupted.
    max_failed_reads : int
        Live sources: consecutive failed reads before the source counts as interrupted.

    Returns
    -------
    FrameSource
        Use as a context manager and iterate it once.

    Raises
    ------
    InputNotFoundError
        The path does not exist.
    UnsupportedInputError
        Not a supported kind of input (wrong extension, folder without images, a still image
        named like a video).
    CorruptVideoError, EmptyVideoError
        A video file that cannot be decoded or holds no frame.
    CameraUnavailableError
        A camera index or stream URL that cannot be opened.

    Notes
    -----
    Opening decodes the first frame, so a bad input fails here rather than in the loop.
    Iteration may raise :class:`~tiltscreen.errors.SourceInterruptedError` after the last
    good frame: a truncated file (fewer than 90 % of the announced frames *and* of the
    announced duration decoded, see :data:`tiltscreen.sources.video.TRUNCATION_RATIO`), or
    a camera or stream that stops delivering.

    """
    options = {"max_side": max_side, "queue_size": queue_size, "stall_timeout_s": stall_timeout_s}
    if isinstance(spec, bool):
        raise UnsupportedInputError(f"A camera index must be a whole number, got {spec!r}.")
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return open_live_source(int(spec), kind="camera", max_failed_reads=max_failed_reads, **options)
    if isinstance(spec, str) and spec.lower().startswith(STREAM_SCHEMES):
        return open_live_source(spec, kind="stream", max_failed_reads=max_failed_reads, **options)
    if not isinstance(spec, str | os.PathLike):
        raise UnsupportedInputError(
            f"The input must be a path, a camera index or a stream URL, got {type(spec).__name__}."
        )
    path = Path(os.fspath(spec)).expanduser()
    if not path.exists():
        raise InputNotFoundError(f"No file or folder at {path}.")
    if path.is_dir():
        info, backend = open_image_folder(path, fps=images_fps)
        return FrameSource(info, backend, **options)
    suffix = path.suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        raise UnsupportedInputError(
            f"The file {path} is a single image; put the images in a folder and give the folder."
        )
    if suffix not in VIDEO_EXTENSIONS:
        raise UnsupportedInputError(
            f"The file {path} is not a supported video ({', '.join(VIDEO_EXTENSIONS)})."
        )
    kind = image_kind(path)
    if kind is not None:
        raise UnsupportedInputError(
            f"The file {path} is a {kind} image, not a video, although its name ends in {path.suffix}."
        )
    info, backend = open_video_file(path)
    return FrameSource(info, backend, **options)
