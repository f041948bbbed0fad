"""One unit of batch work per video, and the key that says whether it was already done.

A video is *done* when its folder holds a record (:mod:`tiltscreen.batch.store`) with the same
key. The key is the SHA-256 of, in canonical JSON: the video's content hash, the analysis
options of that video (every option of ``tiltscreen analyze`` after the manifest's
per-video values, with the thresholds file replaced by its content hash), the tool's
version and the pose model's SHA-256. Changing any of them re-runs the video; renaming or
moving it does not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tiltscreen import __version__
from tiltscreen.batch.inputs import VideoItem

#: options of ``tiltscreen analyze`` (``add_shared``) a manifest row can set, by manifest field
ITEM_OPTIONS = {
    "side": "side",
    "stature_cm": "subject_height_cm",
    "age": "age",
    "sex": "sex",
    "marker_size_cm": "marker_size_cm",
}
#: option names of ``add_shared`` that are paths (stored as strings; ``thresholds`` is hashed in the key)
PATH_OPTIONS = ("model", "thresholds", "baseline")


@dataclass(frozen=True)
class Versions:
    """What, besides the video and the options, a result depends on."""

    tiltscreen: str
    pose_model_sha256: str


@dataclass(frozen=True)
class VideoTask:
    """Everything a worker needs for one video (picklable; paths as strings for other machines).

    Attributes
    ----------
    input : str
        The video (absolute path; on a cluster, the same path must be readable by the workers).
    recording_id : str
        Name of its output folder under ``OUT/recordings/``.
    out_root : str
        The batch's ``--out`` folder.
    protocol : {"standing", "sit-and-reach", "auto"}
    options : tuple of (str, Any)
        ``tiltscreen analyze`` options (``add_shared`` names, manifest values applied).
    key : str
        See the module notes.
    content_sha256 : str
    subject, session : str or None
        The manifest's IDs, copied into the results table.

    """

    input: str
    recording_id: str
    out_root: str
    protocol: str
    options: tuple[tuple[str, Any], ...]
    key: str
    content_sha256: str
    subject: str | None = None
    session: str | None = None

    @property
    def folder(self) -> Path:
        """The video's output folder."""
        return Path(self.out_root) / "recordings" / self.recording_id

    def option_dict(self) -> dict[str, Any]:
        """Return the options as a dict (paths back to :class:`~pathlib.Path`)."""
        out = dict(self.options)
        for name in PATH_OPTIONS:
            if out.get(name) is not None:
                out[name] = Path(out[name])
        return out


def file_sha256(path: Path, *, block: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file's content.

    Raises
    ------
    OSError
        If the file cannot be read.

    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(block), b""):
            digest.update(chunk)
    return digest.hexdigest()


def video_options(shared: Mapping[str, Any], item: VideoItem) -> dict[str, Any]:
    """Return the analysis options of one video: the command's, overridden by the manifest row's values.

    Examples
    --------
    >>> video_options({"side": "auto", "age": None}, VideoItem(Path("v.mp4"), side="left", age=30.0))
    {'side': 'left', 'age': 30.0}

    """
    out = dict(shared)
    for field_name, option in ITEM_OPTIONS.items():
        value = getattr(item, field_name)
        if value is not None:
            out[option] = value
    return out


def _jsonable(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in sorted(options.items())}


def task_key(
    content_sha256: str,
    protocol: str,
    options: Mapping[str, Any],
    versions: Versions,
    *,
    thresholds_sha256: str | None = None,
) -> str:
    """Return the key of one video's analysis (module notes); 64 hex digits.

    The model's path does not count (its hash does), nor where the thresholds file lies
    (its content does).

    Examples
    --------
    >>> v = Versions("0.1.0", "ab")
    >>> task_key("c1", "standing", {"age": 30}, v) == task_key("c1", "standing", {"age": 30}, v)
    True
    >>> task_key("c1", "standing", {"age": 30}, v) == task_key("c1", "standing", {"age": 31}, v)
    False

    """
    opts = _jsonable({k: v for k, v in options.items() if k not in ("model", "thresholds")})
    payload = {
        "content_sha256": content_sha256,
        "protocol": protocol,
        "options": opts,
        "thresholds_sha256": thresholds_sha256,
        "tiltscreen": versions.tiltscreen,
        "pose_model_sha256": versions.pose_model_sha256,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_versions(model: Path | None) -> Versions:
    """Return the tool's version and the pose model's SHA-256 (the model is located as ``analyze`` does).

    Raises
    ------
    ModelError
        If no pose model is found.

    """
    from tiltscreen.pose.model_store import locate_model, sha256_of

    return Versions(__version__, sha256_of(locate_model(model)))


def make_task(
    item: VideoItem,
    recording_id: str,
    *,
    out_root: Path,
    protocol: str,
    shared: Mapping[str, Any],
    versions: Versions,
    content_sha256: str,
    thresholds_sha256: str | None = None,
) -> VideoTask:
    """Return the task of one video (the manifest's protocol, if any, replaces ``protocol``)."""
    options = video_options(shared, item)
    chosen = item.protocol or protocol
    key = task_key(content_sha256, chosen, options, versions, thresholds_sha256=thresholds_sha256)
    return VideoTask(
        input=str(item.path),
        recording_id=recording_id,
        out_root=str(out_root),
        protocol=chosen,
        options=tuple(sorted(_jsonable(options).items())),
        key=key,
        content_sha256=content_sha256,
        subject=item.subject,
        session=item.session,
    )


def shared_options(args: Any, names: Sequence[str]) -> dict[str, Any]:
    """Pick the analysis options ``names`` from parsed arguments."""
    return {name: getattr(args, name) for name in names}
