"""The annotated key frame of a protocol: read one frame back, draw on it, save it as PNG.

Drawing at the edge, no analysis: the caller decides which frame (e.g. the middle of the best
trial's hold), which points (fingertip, toe, marker corners), which lines (the reach along the
floor, a horizontal reference) and which values to print.

Images are BGR ``uint8`` arrays ``(height, width, 3)``; coordinates are pixels of that image
(origin top-left, x right, y down), as in :mod:`tiltscreen.outputs.draw`. Functions never
modify their input.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from numbers import Integral
from pathlib import Path

import cv2
import numpy as np

from tiltscreen.errors import InputError, UnsupportedInputError, ValidationError
from tiltscreen.outputs.draw import draw_label, draw_skeleton, line_width
from tiltscreen.outputs.files import OutputWriteError, write_file_atomic
from tiltscreen.sources import open_source

__all__ = [
    "FrameNotFoundError",
    "ImageWriteError",
    "annotate_key_frame",
    "read_frame",
    "save_png",
    "write_file_atomic",
]

#: BGR colour of marked points (magenta) and of measurement lines (green); both stand out
#: from the skeleton's orange, cyan and grey
POINT_BGR = (255, 0, 255)
LINE_BGR = (60, 220, 60)
#: dark outline drawn under points and lines so they read on any background
_OUTLINE_BGR = (0, 0, 0)

Point = tuple[float, float]


class FrameNotFoundError(InputError):
    """The requested frame lies beyond the end of the source."""


#: kept under its first name for callers of this module; one error type for every output file
ImageWriteError = OutputWriteError


def read_frame(
    source_spec: str | os.PathLike[str], frame_index: int, *, max_side: int | None = None
) -> np.ndarray:
    """Read one frame of a video file or image folder, upright, as BGR.

    Parameters
    ----------
    source_spec : str or os.PathLike
        A video file or image folder, as accepted by :func:`tiltscreen.sources.open_source`.
    frame_index : int
        0-based position in decode order (:attr:`tiltscreen.landmarks.Landmarks.frame_index`).
    max_side : int, optional
        Downscale so that the longer side is at most this many pixels (coordinates measured on
        the full-size frame must then be multiplied by the same factor).

    Returns
    -------
    numpy.ndarray
        ``(height, width, 3)`` uint8 BGR image, rotated upright as the source's metadata says.

    Raises
    ------
    ValidationError
        If ``frame_index`` is not an integer >= 0.
    FrameNotFoundError
        If the source holds no frame of that index.
    UnsupportedInputError
        For a camera or stream, whose frames cannot be read again.
    InputError
        Any error of :func:`~tiltscreen.sources.open_source` (missing, unsupported, corrupt input).

    Notes
    -----
    Frames are decoded from the start up to ``frame_index`` (no seeking, so the frame is exactly
    the one the pose pipeline saw, with rotation applied); reading a late frame of a long video
    takes as long as decoding it.

    """
    if isinstance(frame_index, bool) or not isinstance(frame_index, Integral) or frame_index < 0:
        raise ValidationError(f"frame_index must be an integer >= 0, got {frame_index!r}.")
    n_read = 0
    with open_source(source_spec, max_side=max_side) as source:
        if source.info.live:
            raise UnsupportedInputError(
                f"Cannot read frame {frame_index} back from the {source.info.kind} {source.info.uri}; "
                "key frames need a video file or an image folder."
            )
        for frame in source:
            if frame.index == frame_index:
                return cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
            n_read = frame.index + 1
        uri = source.info.uri
    raise FrameNotFoundError(
        f"Frame {frame_index} does not exist in {uri}: it holds {n_read} frames (0 to {n_read - 1})."
    )


def _check_bgr(bgr: object) -> np.ndarray:
    """Return ``bgr`` if it is a non-empty ``(h, w, 3)`` uint8 image, else raise ValidationError."""
    if not (isinstance(bgr, np.ndarray) and bgr.ndim == 3 and bgr.shape[2] == 3 and bgr.dtype == np.uint8):
        got = f"{bgr.dtype} array of shape {bgr.shape}" if isinstance(bgr, np.ndarray) else type(bgr).__name__
        raise ValidationError(f"Expected a BGR uint8 image of shape (height, width, 3), got {got}.")
    if bgr.shape[0] == 0 or bgr.shape[1] == 0:
        raise ValidationError(f"Expected a non-empty image, got shape {bgr.shape}.")
    return bgr


def _as_point(value: object) -> Point | None:
    """``(x, y)`` floats, or None if ``value`` is not a pair of numbers."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return (float(arr[0]), float(arr[1])) if arr.shape == (2,) else None


def _as_segment(line: object) -> tuple[Point, Point, str] | None:
    """``((x0, y0), (x1, y1), label)`` as two points and a label, or None when malformed."""
    if not (isinstance(line, Sequence) and len(line) == 3 and isinstance(line[2], str)):
        return None
    p, q = _as_point(line[0]), _as_point(line[1])
    return None if p is None or q is None else (p, q, line[2])


def _parse_marks(
    points: Mapping[str, object], lines: Sequence[object], text_lines: Sequence[str]
) -> tuple[dict[str, Point], list[tuple[Point, Point, str]]]:
    """Check and convert points and lines; one ValidationError lists every problem."""
    problems = []
    pts: dict[str, Point] = {}
    if not isinstance(points, Mapping):
        problems.append(f"points must be a mapping of name -> (x, y), got {type(points).__name__}")
    else:
        for name, value in points.items():
            p = _as_point(value)
            if p is None or not isinstance(name, str):
                problems.append(f"point {name!r} must be a name and an (x, y) pair, got {value!r}")
            else:
                pts[name] = p
    segs: list[tuple[Point, Point, str]] = []
    for i, line in enumerate(lines if isinstance(lines, Sequence) else [lines]):
        seg = _as_segment(line)
        if seg is None:
            problems.append(f"lines[{i}] must be ((x0, y0), (x1, y1), label), got {line!r}")
        else:
            segs.append(seg)
    if isinstance(text_lines, str) or not all(isinstance(s, str) for s in text_lines):
        problems.append("text_lines must be a list of strings")
    if problems:
        raise ValidationError("Cannot annotate the key frame: " + "; ".join(problems) + ".")
    return pts, segs


def annotate_key_frame(
    bgr: np.ndarray,
    *,
    xy_px_row: np.ndarray | None,
    visibility_row: np.ndarray | None,
    points: Mapping[str, tuple[float, float]] | None = None,
    lines: Sequence[tuple[tuple[float, float], tuple[float, float], str]] = (),
    text_lines: Sequence[str] = (),
    side: str | None = None,
    min_visibility: float = 0.5,
    scale: float = 1.0,
) -> np.ndarray:
    """Draw the skeleton, marked points, measurement lines and a box of values on a copy of ``bgr``.

    Parameters
    ----------
    bgr : numpy.ndarray, shape (height, width, 3), uint8
        The frame (e.g. from :func:`read_frame`); not modified.
    xy_px_row : numpy.ndarray, shape (landmark, 2), or None
        Landmark positions in pixels of ``bgr``; None draws no skeleton.
    visibility_row : numpy.ndarray, shape (landmark,), or None
        Visibility of each landmark (0-1); None with ``xy_px_row`` None.
    points : mapping of str to (x, y), optional
        Named points in pixels, drawn as magenta circled crosses with their name beside them
        (e.g. ``{"fingertip": (812, 640), "toe": (760, 655)}``).
    lines : sequence of ((x0, y0), (x1, y1), str), optional
        Segments in pixels with end ticks, drawn green and labelled at their middle (e.g. the
        reach along the floor, ``"reach 5.2 cm"``); an empty label writes nothing.
    text_lines : sequence of str, optional
        Lines of the value box at the top-left (values with their units); ``°`` is written ``deg``.
    side : {None, "left", "right"}, optional
        The measured side: drawn bright, the other side dimmed (see :func:`draw_skeleton`).
    min_visibility : float, optional
        Landmarks below this visibility are not drawn.
    scale : float, optional
        Multiplies line widths, marker sizes and text size.

    Returns
    -------
    numpy.ndarray
        A new annotated image of the same shape.

    Raises
    ------
    ValidationError
        Listing every malformed argument (image, landmark rows, points, lines, text).

    Notes
    -----
    A point or line with a NaN or infinite coordinate is not drawn (the caller reports the
    missing value in ``text_lines``); labels are moved inside the image when their point lies
    near an edge.

    """
    out = _check_bgr(bgr).copy()
    pts, segs = _parse_marks({} if points is None else points, lines, text_lines)
    if (xy_px_row is None) != (visibility_row is None):
        raise ValidationError("xy_px_row and visibility_row must both be given or both be None.")
    if xy_px_row is not None and visibility_row is not None:  # both or neither (checked above)
        out = draw_skeleton(
            out, xy_px_row, visibility_row, min_visibility=min_visibility, side=side, scale=scale
        )
    thickness = line_width(out.shape, scale=scale)
    labels: list[tuple[str, Point, bool]] = []  # text, anchor, centred over the anchor
    for p, q, label in segs:
        if _drawable(p) and _drawable(q):
            _draw_segment(out, p, q, thickness)
            if label:
                labels.append((label, ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2), True))
    for name, p in pts.items():
        if _drawable(p):
            _draw_point(out, p, thickness)
            labels.append((name, p, False))
    for text, anchor, centred in labels:
        out = _place_label(out, text, anchor, gap=3 * thickness + 4, centred=centred, scale=0.6 * scale)
    if text_lines:
        margin = 2 * thickness + 4
        out = draw_label(out, "\n".join(text_lines), org=(margin, margin), scale=scale)
    return out


def _drawable(p: Point) -> bool:
    """Finite and not absurdly far outside any image (OpenCV needs int32 coordinates)."""
    return all(math.isfinite(c) and abs(c) < 1e6 for c in p)


def _ipt(p: Point) -> tuple[int, int]:
    return (int(round(p[0])), int(round(p[1])))


def _draw_segment(out: np.ndarray, p: Point, q: Point, thickness: int) -> None:
    """Draw a line with perpendicular end ticks, over a dark outline (in place)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = math.hypot(dx, dy)
    tick = 3 * thickness + 3
    nx, ny = (-dy / length * tick, dx / length * tick) if length > 0 else (0.0, tick)
    pieces = [(p, q)] + [((e[0] - nx, e[1] - ny), (e[0] + nx, e[1] + ny)) for e in (p, q)]
    for colour, width in ((_OUTLINE_BGR, thickness + 2), (LINE_BGR, thickness)):
        for a, b in pieces:
            cv2.line(out, _ipt(a), _ipt(b), colour, width, cv2.LINE_AA)


def _draw_point(out: np.ndarray, p: Point, thickness: int) -> None:
    """Draw a circled cross over a dark outline (in place)."""
    radius = 2 * thickness + 4
    for colour, width in ((_OUTLINE_BGR, thickness + 2), (POINT_BGR, thickness)):
        cv2.circle(out, _ipt(p), radius, colour, width, cv2.LINE_AA)
        cv2.drawMarker(out, _ipt(p), colour, cv2.MARKER_CROSS, 2 * radius + 4, width, cv2.LINE_AA)


def _place_label(
    out: np.ndarray, text: str, anchor: Point, *, gap: int, centred: bool, scale: float
) -> np.ndarray:
    """Draw a small label ``gap`` px above ``anchor`` (right of it, or centred), kept inside the image.

    A label that would leave the image moves to the other side of the anchor (left, or
    below), then is clamped to the image.
    """
    box_w, box_h = _label_size(out.shape, text, scale=scale)
    h, w = out.shape[:2]
    ax, ay = round(anchor[0]), round(anchor[1])
    if centred:
        x = ax - box_w // 2
    else:
        x = ax + gap if ax + gap + box_w <= w else ax - gap - box_w
    y = ay - gap - box_h if ay - gap - box_h >= 0 else ay + gap
    x, y = min(max(0, x), max(0, w - box_w)), min(max(0, y), max(0, h - box_h))
    return draw_label(out, text, org=(x, y), scale=scale)


def _label_size(shape: tuple[int, ...], text: str, *, scale: float) -> tuple[int, int]:
    """Width and height (px) of :func:`draw_label`'s box, measured by drawing it on a blank image.

    Measuring (rather than repeating draw_label's font arithmetic) keeps the size right if
    draw_label changes; the blank's size matters because the font scales with the image.
    """
    blank = np.zeros((shape[0], shape[1], 3), dtype=np.uint8)
    # asarray: the stubs type ndarray.any(axis=...) as "bool scalar or array"; on 3-D input it is an array
    drawn = np.asarray(draw_label(blank, text, org=(0, 0), scale=scale, background=(1, 1, 1)).any(axis=2))
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    return (int(cols[-1]) + 1, int(rows[-1]) + 1) if rows.size else (0, 0)


def save_png(path: str | os.PathLike[str], bgr: np.ndarray) -> Path:
    """Write a BGR uint8 image as a PNG file, atomically (see :func:`write_file_atomic`).

    Raises
    ------
    ValidationError
        If ``bgr`` is not a non-empty ``(height, width, 3)`` uint8 image.
    ImageWriteError
        If it cannot be encoded or written.

    """
    ok, encoded = cv2.imencode(".png", _check_bgr(bgr))
    if not ok:
        raise ImageWriteError(f"OpenCV could not encode the image for {path} as PNG.")
    return write_file_atomic(path, encoded.tobytes())
