"""Just enough container parsing to tell an empty video from a broken one.

OpenCV refuses to open a video with no frame at all (an MP4 whose track has no sample, a
Matroska file with no cluster), exactly as it refuses a corrupt or non-video file. When
OpenCV cannot open a file, :func:`count_video_samples` looks at the container itself.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

#: MP4/MOV boxes that contain other boxes, on the way from ``moov`` to ``stsz``
_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
#: Matroska/WebM magic number and Cluster element ID
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_MKV_CLUSTER = b"\x1f\x43\xb6\x75"
#: read at most this much of a file when sniffing
_MAX_SNIFF_BYTES = 64 * 1024 * 1024


def count_video_samples(path: Path) -> int | None:
    """Return how many samples (frames) the container says it holds, if that can be told.

    Parameters
    ----------
    path : pathlib.Path
        A video file.

    Returns
    -------
    int or None
        MP4/MOV: the sum of ``stsz`` sample counts over all tracks (so 0 means no frame,
        no audio sample, or a ``moov`` without tracks). Matroska/WebM: 0 if no Cluster
        element exists, else None. None when the format is not recognised or the
        structure is incomplete.

    """
    with path.open("rb") as stream:
        data = stream.read(_MAX_SNIFF_BYTES)
    if data[4:8] == b"ftyp":
        return _mp4_sample_count(data)
    if data.startswith(_EBML_MAGIC):
        return 0 if _MKV_CLUSTER not in data else None
    return None


def _mp4_sample_count(data: bytes) -> int | None:
    """Sum the ``stsz`` sample counts (0 for a ``moov`` without tracks); None without ``moov``."""
    moov = _find_top_level_box(data, b"moov")
    if moov is None:
        return None
    return sum(_iter_stsz_counts(data, *moov))


def _iter_boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield ``(type, payload_start, box_end)`` for the boxes between ``start`` and ``end``."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind, pos + header, pos + size
        pos += size


def _find_top_level_box(data: bytes, wanted: bytes) -> tuple[int, int] | None:
    """Return ``(payload_start, box_end)`` of the first top-level box of type ``wanted``."""
    for kind, payload, box_end in _iter_boxes(data, 0, len(data)):
        if kind == wanted:
            return payload, box_end
    return None


def _iter_stsz_counts(data: bytes, start: int, end: int) -> Iterator[int]:
    """Yield the sample count of every ``stsz`` box inside ``moov`` payload ``start:end``."""
    for kind, payload, box_end in _iter_boxes(data, start, end):
        if kind in _MP4_CONTAINERS:
            yield from _iter_stsz_counts(data, payload, box_end)
        elif kind == b"stsz" and box_end - payload >= 12:
            yield struct.unpack(">I", data[payload + 8 : payload + 12])[0]
