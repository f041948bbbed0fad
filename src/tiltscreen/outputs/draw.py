"""Drawing at the edge: skeleton overlay, text labels and the annotated video, with OpenCV.

Images are BGR ``uint8`` arrays of shape ``(height, width, 3)``, as OpenCV reads them.
Coordinates are pixels of that image: origin at the top-left corner, x to the right, y
downwards (one row of :attr:`tiltscreen.landmarks.Landmarks.xy_px` when the image is the
upright full-resolution frame). Drawing functions never modify their input; they return a
new image.

Colours (BGR): left-side landmarks orange, right-side cyan, central segments (across the
body) light grey; with ``side`` given, the far side is dimmed so the measured side stands out.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from tiltscreen.errors import TiltscreenError, ValidationError
from tiltscreen.skeleton import BLAZEPOSE, Skeleton

__all__ = [
    "AnnotatedVideoWriter",
    "VideoWriteError",
    "draw_label",
    "draw_skeleton",
    "line_width",
]

#: BGR colours of the left side, the right side and segments across the body
LEFT_BGR = (0, 140, 255)
RIGHT_BGR = (255, 200, 0)
CENTRE_BGR = (235, 235, 235)
#: brightness factor of the far side when ``side`` is given
FAR_SIDE_DIM = 0.4
#: coordinates are clipped to this many pixels beyond the image before drawing
_CLIP_MARGIN = 10_000
_FONT = cv2.FONT_HERSHEY_SIMPLEX


class VideoWriteError(TiltscreenError):
    """No annotated video can be written (no codec opens, or the folder is not writable)."""


def _check_image(bgr: np.ndarray) -> None:
    """Raise ``ValidationError`` unless ``bgr`` is a ``(h, w, 3)`` uint8 image."""
    if not isinstance(bgr, np.ndarray) or bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        got = f"{bgr.dtype} array of shape {bgr.shape}" if isinstance(bgr, np.ndarray) else type(bgr).__name__
        raise ValidationError(f"Expected a BGR uint8 image of shape (height, width, 3), got {got}.")
    if bgr.shape[0] == 0 or bgr.shape[1] == 0:
        raise ValidationError(f"Expected a non-empty image, got shape {bgr.shape}.")


def line_width(shape: tuple[int, ...], *, scale: float = 1.0) -> int:
    """Line thickness in pixels for an image of ``shape``: 1 px per 360 px of the short side.

    Examples
    --------
    >>> line_width((1920, 1080, 3)), line_width((480, 640, 3)), line_width((480, 640, 3), scale=3)
    (3, 1, 4)

    """
    return max(1, round(scale * min(shape[0], shape[1]) / 360))


def _side_of(name: str) -> str:
    """``"left"``, ``"right"`` or ``"centre"`` from a landmark name."""
    return "left" if name.startswith("left_") else "right" if name.startswith("right_") else "centre"


def _colour(part_side: str, side: str | None) -> tuple[int, int, int]:
    """Colour of a landmark or segment on ``part_side``, dimmed if it is on the far side."""
    base = {"left": LEFT_BGR, "right": RIGHT_BGR, "centre": CENTRE_BGR}[part_side]
    if side is None or part_side in (side, "centre"):
        return base
    return tuple(round(c * FAR_SIDE_DIM) for c in base)  # type: ignore[return-value]


def _check_skeleton_args(
    xy: np.ndarray, vis: np.ndarray, k: int, *, min_visibility: float, side: str | None, scale: float
) -> None:
    """Report every problem with the skeleton-drawing arguments in one ``ValidationError``."""
    problems = []
    if xy.shape != (k, 2):
        problems.append(f"xy_px_row must have shape ({k}, 2), got {xy.shape}")
    if vis.shape != (k,):
        problems.append(f"visibility_row must have shape ({k},), got {vis.shape}")
    if not 0.0 <= min_visibility <= 1.0:
        problems.append(f"min_visibility must be within [0, 1], got {min_visibility!r}")
    if side not in (None, "left", "right"):
        problems.append(f"side must be None, 'left' or 'right', got {side!r}")
    if not (math.isfinite(scale) and scale > 0):
        problems.append(f"scale must be positive, got {scale!r}")
    if problems:
        raise ValidationError("Cannot draw the skeleton: " + "; ".join(problems) + ".")


def draw_skeleton(
    bgr: np.ndarray,
    xy_px_row: np.ndarray,
    visibility_row: np.ndarray,
    *,
    min_visibility: float = 0.5,
    side: str | None = None,
    scale: float = 1.0,
    skeleton: Skeleton = BLAZEPOSE,
) -> np.ndarray:
    """Draw the skeleton's segments and joints on a copy of ``bgr``.

    Parameters
    ----------
    bgr : ndarray, shape (height, width, 3), uint8
        The frame; not modified.
    xy_px_row : ndarray, shape (landmark, 2)
        Landmark positions in pixels of ``bgr`` (x right, y down).
    visibility_row : ndarray, shape (landmark,)
        Visibility 0-1 of each landmark.
    min_visibility : float, optional
        Landmarks below this visibility are not drawn, nor their segments.
    side : {None, "left", "right"}, optional
        The side facing the camera: drawn at full brightness, the other side dimmed.
    scale : float, optional
        Multiplies the line width and joint radius (see :func:`line_width`).
    skeleton : Skeleton, optional
        Landmark schema giving the segments and sides.

    Returns
    -------
    ndarray
        A new image with the overlay.

    Notes
    -----
    A landmark with a NaN coordinate or NaN visibility is skipped with its segments; nothing is
    interpolated. Coordinates far outside the image are clipped to 10,000 px beyond it.

    """
    _check_image(bgr)
    xy = np.asarray(xy_px_row, dtype=np.float64)
    vis = np.asarray(visibility_row, dtype=np.float64)
    _check_skeleton_args(xy, vis, len(skeleton.names), min_visibility=min_visibility, side=side, scale=scale)
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(xy).all(axis=1) & (vis >= min_visibility)
    h, w = bgr.shape[:2]
    low, high = -_CLIP_MARGIN, max(h, w) + _CLIP_MARGIN
    pts = np.rint(np.clip(np.nan_to_num(xy), low, high)).astype(np.int64)
    thickness = line_width(bgr.shape, scale=scale)
    radius = thickness + 1
    sides = [_side_of(n) for n in skeleton.names]
    out = bgr.copy()
    for a, b in skeleton.edge_indices:
        if usable[a] and usable[b]:
            edge_side = sides[a] if sides[a] == sides[b] else "centre"
            p, q = (int(pts[a, 0]), int(pts[a, 1])), (int(pts[b, 0]), int(pts[b, 1]))
            cv2.line(out, p, q, _colour(edge_side, side), thickness, cv2.LINE_AA)
    for k in np.flatnonzero(usable):
        centre = (int(pts[k, 0]), int(pts[k, 1]))
        cv2.circle(out, centre, radius, _colour(sides[k], side), -1, cv2.LINE_AA)
    return out


def draw_label(
    bgr: np.ndarray,
    text: str,
    *,
    org: tuple[int, int],
    scale: float = 1.0,
    color: tuple[int, int, int] = (255, 255, 255),
    background: tuple[int, int, int] = (20, 20, 20),
) -> np.ndarray:
    r"""Write ``text`` on a dark box, on a copy of ``bgr``.

    Parameters
    ----------
    bgr : ndarray, shape (height, width, 3), uint8
        The frame; not modified.
    text : str
        One or more lines (``\\n``). ``°`` is written ``deg``; other non-ASCII characters,
        which OpenCV's Hershey font lacks, become ``?``.
    org : (int, int)
        Top-left corner of the box in pixels.
    scale : float, optional
        Text size relative to the default: a line is about 3 % of the image's short side
        (at least about 12 px).
    color, background : (int, int, int), optional
        BGR colours of the text and of the box.

    Returns
    -------
    ndarray
        A new image with the label.

    """
    _check_image(bgr)
    if not (math.isfinite(scale) and scale > 0):
        raise ValidationError(f"scale must be positive, got {scale!r}.")
    lines = text.replace("°", " deg").encode("ascii", "replace").decode("ascii").split("\n")
    font_scale = scale * max(0.4, min(bgr.shape[:2]) / 900)
    thickness = max(1, round(font_scale * 2))
    sizes = [cv2.getTextSize(line, _FONT, font_scale, thickness) for line in lines]
    line_h = max(size[1] for (size, _) in sizes) + max(base for (_, base) in sizes)
    pad = max(2, round(line_h * 0.3))
    box_w = max(size[0] for (size, _) in sizes) + 2 * pad
    box_h = line_h * len(lines) + pad * (len(lines) + 1)
    x, y = int(org[0]), int(org[1])
    out = bgr.copy()
    cv2.rectangle(out, (x, y), (x + box_w, y + box_h), background, -1)
    for i, ((_, base), line) in enumerate(zip(sizes, lines, strict=True)):
        baseline_y = y + pad + i * (line_h + pad) + (line_h - base)
        cv2.putText(out, line, (x + pad, baseline_y), _FONT, font_scale, color, thickness, cv2.LINE_AA)
    return out


class AnnotatedVideoWriter:
    """Write annotated frames to a video file, as a context manager.

    Parameters
    ----------
    path : path-like
        Target file, normally ``.mp4``. Its folder is created if missing.
    fps : float
        Frame rate written into the file.
    codecs : sequence of (str, str), optional
        ``(fourcc, suffix)`` pairs tried in order until OpenCV opens one: by default
        ``mp4v`` then ``avc1`` into ``path``, then Motion-JPEG into ``path`` with ``.avi``.

    Attributes
    ----------
    path : Path or None
        The file actually written (its suffix may differ from the one asked for); None
        until the first frame.
    fourcc : str or None
        The codec in use.
    frames_written : int
        Frames written so far.

    Notes
    -----
    The frame size is taken from the first frame, so the file is opened by the first
    :meth:`write`; later frames must have the same size. Frames written before an error
    stay in the file (the writer is released on leaving the ``with`` block).

    Examples
    --------
    >>> with AnnotatedVideoWriter("out.mp4", fps=30.0) as video:  # doctest: +SKIP
    ...     for frame in frames:
    ...         video.write(draw_skeleton(frame, xy, vis))

    """

    DEFAULT_CODECS = (("mp4v", ""), ("avc1", ""), ("MJPG", ".avi"))

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fps: float,
        codecs: tuple[tuple[str, str], ...] = DEFAULT_CODECS,
    ) -> None:
        if not (isinstance(fps, int | float) and math.isfinite(fps) and fps > 0):
            raise ValidationError(f"fps must be a positive number, got {fps!r}.")
        if not codecs or any(len(fourcc) != 4 for fourcc, _ in codecs):
            raise ValidationError(f"codecs must be (four-letter code, suffix) pairs, got {codecs!r}.")
        self._target = Path(path)
        self._fps = float(fps)
        self._codecs = tuple(codecs)
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self.path: Path | None = None
        self.fourcc: str | None = None
        self.frames_written = 0
        self._closed = False

    def _open(self, size: tuple[int, int]) -> cv2.VideoWriter:
        """Open the first codec that works for frames of ``size`` = (width, height)."""
        try:
            self._target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise VideoWriteError(f"Cannot create the folder for the video {self._target}: {err}.") from None
        tried = []
        for fourcc, suffix in self._codecs:
            target = self._target.with_suffix(suffix) if suffix else self._target
            try:
                writer = cv2.VideoWriter(str(target), cv2.VideoWriter.fourcc(*fourcc), self._fps, size)
            except cv2.error:
                writer = None
            if writer is not None and writer.isOpened():
                self.path, self.fourcc = target, fourcc
                return writer
            tried.append(f"{fourcc} -> {target.name}")
        raise VideoWriteError(
            f"Cannot write the annotated video {self._target}: OpenCV could open none of "
            f"{', '.join(tried)} (is the folder writable and OpenCV built with FFmpeg?)."
        )

    def write(self, bgr: np.ndarray) -> None:
        """Append one BGR uint8 frame; the first one fixes the video's size."""
        _check_image(bgr)
        if self._closed:
            raise VideoWriteError(f"The annotated video {self._target} is already closed.")
        size = (bgr.shape[1], bgr.shape[0])
        if self._writer is None or self._size is None:
            self._writer, self._size = self._open(size), size
        elif size != self._size:
            (w, h), (w0, h0) = size, self._size
            raise ValidationError(
                f"Frame {self.frames_written} is {w}x{h} px but the video is {w0}x{h0} px; "
                "every frame must have the first one's size."
            )
        self._writer.write(np.ascontiguousarray(bgr))
        self.frames_written += 1

    def close(self) -> None:
        """Finish the file (safe to call twice); no frame can be written afterwards."""
        self._closed = True
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> AnnotatedVideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
