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
        MP4/MOV: the sum of ``stsz`` sample counts over all tracks (so 0 means no frame
        and no audio sample). Matroska/WebM: 0 if no Cluster element exists, else None.
        None when the format is not recognised or the structure is incomplete.
    """
    with path.open("rb") as stream:
        data = stream.read(_MAX_SNIFF_BYTES)
    if data[4:8] == b"ftyp":
        return _mp4_sample_count(data)
    if data.startswith(_EBML_MAGIC):
        return 0 if _MKV_CLUSTER not in data else None
    return None


def _mp4_sample_count(data: bytes) -> int | None:
    """Sum the ``stsz`` sample counts; None if there is no ``moov`` box."""
    counts = list(_iter_stsz_counts(data, 0, len(data)))
    return sum(counts) if counts else None


def _iter_stsz_counts(data: bytes, start: int, end: int) -> Iterator[int]:
    """Yield the sample count of every ``stsz`` box between ``start`` and ``end``."""
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
        if kind in _MP4_CONTAINERS:
            yield from _iter_stsz_counts(data, pos + header, pos + size)
        elif kind == b"stsz" and size >= header + 12:
            yield struct.unpack(">I", data[pos + header + 8 : pos + header + 12])[0]
        pos += size
