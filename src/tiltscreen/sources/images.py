"""Image folders: sorted image files played at a given frame rate."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from tiltscreen.errors import CorruptVideoError, UnsupportedInputError
from tiltscreen.sources.frame import SourceInfo

#: extensions read from an image folder (lower case, with the dot)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


def _natural_key(path: Path) -> list[int | str]:
    """Sort key that orders ``frame2.png`` before ``frame10.png``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def list_images(folder: Path) -> list[Path]:
    """Return the image files directly in ``folder``, in natural name order.

    Hidden files (name starting with a dot) are skipped; sub-folders are not searched.
    """
    return sorted(
        (
            path
            for path in folder.iterdir()
            if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in IMAGE_EXTENSIONS
        ),
        key=_natural_key,
    )


def _read_image(path: Path) -> np.ndarray:
    """Read one image as BGR uint8, EXIF orientation applied (OpenCV's default)."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise CorruptVideoError(f"The image {path} cannot be decoded; it may be damaged.")
    return bgr


class ImageFolderBackend:
    """Decode the images of a folder one after the other; see :func:`open_image_folder`."""

    def __init__(self, paths: list[Path], first: np.ndarray, *, fps: float) -> None:
        self._paths = paths
        self._first: np.ndarray | None = first
        self._size = first.shape[:2]
        self._fps = fps
        self._index = 0

    def read(self) -> tuple[float, np.ndarray] | None:
        """Return ``(index / fps, BGR image)`` for the next image, None after the last.

        Raises
        ------
        CorruptVideoError
            An image cannot be decoded.
        UnsupportedInputError
            An image's size differs from the first image's.

        """
        if self._index >= len(self._paths):
            return None
        path = self._paths[self._index]
        if self._first is not None:
            bgr, self._first = self._first, None
        else:
            bgr = _read_image(path)
        if bgr.shape[:2] != self._size:
            raise UnsupportedInputError(
                f"The image {path} is {bgr.shape[1]}x{bgr.shape[0]} pixels but the first image of the "
                f"folder is {self._size[1]}x{self._size[0]}; all images must have one size."
            )
        timestamp = self._index / self._fps
        self._index += 1
        return timestamp, bgr

    def release(self) -> None:
        """Nothing to free."""


def open_image_folder(folder: Path, *, fps: float) -> tuple[SourceInfo, ImageFolderBackend]:
    """Open a folder of images as a source, decoding the first image to learn the size.

    Parameters
    ----------
    folder : pathlib.Path
        An existing directory.
    fps : float
        Frame rate that turns image indices into timestamps (``index / fps``).

    Raises
    ------
    UnsupportedInputError
        The folder holds no image with one of :data:`IMAGE_EXTENSIONS`.
    CorruptVideoError
        The first image cannot be decoded.

    """
    if not (isinstance(fps, int | float) and fps > 0 and np.isfinite(fps)):
        raise ValueError(f"images_fps must be a positive number, got {fps!r}")
    paths = list_images(folder)
    if not paths:
        raise UnsupportedInputError(
            f"The folder {folder} holds no video-readable images ({', '.join(IMAGE_EXTENSIONS)}); "
            "give a video file, an image folder, a camera index or a stream URL."
        )
    first = _read_image(paths[0])
    info = SourceInfo(
        kind="images",
        uri=str(folder),
        width=int(first.shape[1]),
        height=int(first.shape[0]),
        fps=float(fps),
        frame_count=len(paths),
        rotation_deg=0,
        live=False,
    )
    return info, ImageFolderBackend(paths, first, fps=float(fps))
