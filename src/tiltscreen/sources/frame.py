"""The two records a frame source hands out: :class:`SourceInfo` and :class:`Frame`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: values of :attr:`SourceInfo.kind`
SOURCE_KINDS = ("file", "images", "camera", "stream")


@dataclass(frozen=True)
class SourceInfo:
    """What is known about a source once it is open.

    Attributes
    ----------
    kind : str
        ``"file"``, ``"images"``, ``"camera"`` or ``"stream"``.
    uri : str
        The path, the camera index as a string, or the URL.
    width, height : int
        Size in pixels of the upright image (after rotation), before any downscale.
    fps : float or None
        Nominal frame rate from the container or device; for an image folder, the rate given
        by the caller. None when the source does not say.
    frame_count : int or None
        The container's frame count when known (files, image folders). For files it is
        OpenCV's figure, which is exact for MP4/MOV and an estimate (duration x fps) for
        Matroska/WebM/AVI; it is not the number of frames that will be yielded.
    rotation_deg : int
        Clockwise rotation (0, 90, 180 or 270) read from the container's metadata and applied
        so that frames come out upright.
    live : bool
        True for cameras and streams (stale frames are dropped), False for files and folders
        (no frame is ever dropped).

    """

    kind: str
    uri: str
    width: int
    height: int
    fps: float | None
    frame_count: int | None
    rotation_deg: int
    live: bool


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index : int
        0-based position in decode order. For live sources the index counts every frame
        read from the device, so a gap between consecutive frames means frames were dropped.
    timestamp_s : float
        Seconds. Files: the container's presentation time (``CAP_PROP_POS_MSEC``), falling
        back to ``index / fps`` when it is missing or not increasing. Image folders:
        ``index / images_fps``. Live sources: monotonic wall-clock time since the source was
        opened. Always strictly increasing within one source.
    rgb : numpy.ndarray
        ``(height, width, 3)`` uint8 image, RGB channel order, upright, possibly downscaled.
    scale : float
        Size of ``rgb`` divided by the original (upright) size; 1.0 when not downscaled.
        Divide pixel coordinates measured on ``rgb`` by ``scale`` to get original pixels.

    """

    index: int
    timestamp_s: float
    rgb: np.ndarray
    scale: float
