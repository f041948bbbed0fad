"""Provenance of an exported recording: tool and model versions and hashes, parameters, the video.

The video's SHA-256 is not stored by the analyses today: it is computed here when the input video
is found (the summary's ``input`` path as given, relative to the current folder, or by its file name
in ``video_dir``), else given as null with the reason. The recording time comes from the video's
MP4/MOV container (``mvhd`` creation time) when it holds one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import struct
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import tiltscreen
from tiltscreen.export.results import RecordingResult

#: seconds from the MP4 epoch (1904-01-01) to the Unix epoch
_MP4_EPOCH_OFFSET = 2082844800
#: packages whose versions are recorded with every export
PACKAGES = ("mediapipe", "numpy", "scipy", "pandas", "pyarrow", "pynwb", "ndx-pose", "hdmf", "pingouin")


def find_video(rec: RecordingResult, video_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """Return the recording's input video if it can be found (see module notes), else None."""
    uri = rec.summary.input or rec.landmarks.source.get("uri")
    if not uri:
        return None
    p = Path(str(uri))
    candidates = [p] + ([Path(video_dir) / p.name] if video_dir is not None else [])
    return next((c for c in candidates if c.is_file()), None)


def sha256_file(path: str | os.PathLike[str], *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _boxes(fh, end: int):
    """Yield ``(type, payload_start, box_end)`` of the ISO-BMFF boxes from the current position to ``end``."""
    while fh.tell() + 8 <= end:
        start = fh.tell()
        size, kind = struct.unpack(">I4s", fh.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", fh.read(8))[0], 16
        elif size == 0:
            size = end - start
        if size < header:
            return
        yield kind, start + header, start + size
        fh.seek(start + size)


def mp4_creation_time(path: str | os.PathLike[str]) -> dt.datetime | None:
    """Creation time in an MP4/MOV file's ``moov/mvhd`` box (UTC), or None if absent, zero or unreadable.

    Notes
    -----
    ISO/IEC 14496-12: ``mvhd`` version 0 stores it as 32-bit seconds since 1904-01-01 UTC,
    version 1 as 64-bit. Encoders that do not set it write 0, read here as absent.

    """
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            for kind, start, end in _boxes(fh, size):
                if kind != b"moov":
                    continue
                fh.seek(start)
                for sub, sub_start, _ in _boxes(fh, end):
                    if sub == b"mvhd":
                        fh.seek(sub_start)
                        version = fh.read(4)[0]
                        fmt = ">Q" if version == 1 else ">I"
                        secs = struct.unpack(fmt, fh.read(struct.calcsize(fmt)))[0]
                        if secs == 0:
                            return None
                        return dt.datetime.fromtimestamp(secs - _MP4_EPOCH_OFFSET, tz=dt.UTC)
    except (OSError, struct.error, IndexError, ValueError, OverflowError):
        return None
    return None


def package_versions() -> dict[str, str | None]:
    """Installed versions of :data:`PACKAGES` (None if not installed)."""
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def video_facts(rec: RecordingResult, video_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Path, SHA-256 and container creation time of the input video, or nulls with the reason."""
    video = find_video(rec, video_dir)
    if video is None:
        return {
            "path": rec.summary.input,
            "sha256": None,
            "creation_time": None,
            "note": "The input video was not found at export time, so its SHA-256 is not given "
            "(pass --videos DIR to look for it by name).",
        }
    created = mp4_creation_time(video)
    return {
        "path": str(video),
        "sha256": sha256_file(video),
        "creation_time": created.isoformat() if created else None,
        "note": "SHA-256 computed at export time from the file found at this path.",
    }


def provenance(rec: RecordingResult, video: Mapping[str, Any]) -> dict[str, Any]:
    """Everything needed to reproduce one recording's numbers, as plain JSON data."""
    lm, s = rec.landmarks, rec.summary
    model_step = next((st for st in lm.provenance if st.name == "pose_landmarker"), None)
    return {
        "recording_id": rec.recording_id,
        "results_folder": str(rec.folder.resolve()),
        "landmarks_file": str(rec.landmarks_file.resolve()),
        "tiltscreen_version_analysis": s.tiltscreen_version,
        "tiltscreen_version_export": tiltscreen.__version__,
        "pose_model": {
            "name": (model_step.params.get("model") if model_step else None),
            "sha256": lm.model_sha256,
        },
        "packages_at_export": package_versions(),
        "video": dict(video),
        "fps_nominal": lm.fps,
        "fps_effective": lm.effective_fps if lm.n_frames > 1 or lm.fps else None,
        "image_size_px": list(lm.image_size),
        "rotation_deg": lm.rotation_deg,
        "source": dict(lm.source),
        "landmark_steps": [st.as_dict() for st in lm.provenance],
        "protocol": s.protocol,
        "status": s.status,
        "reasons": list(s.reasons),
        "side": s.side,
        "facing": {1: "image-right", -1: "image-left"}.get(s.facing or 0),
        "camera_checks": dict(s.camera) if s.camera else None,
        "scale": dict(s.scale) if s.scale else None,
        "thresholds": dict(s.thresholds) if s.thresholds else None,
    }
