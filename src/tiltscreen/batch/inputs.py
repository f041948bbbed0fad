"""What a batch runs on: videos found in folders and globs, or listed in a manifest CSV.

A manifest has one row per video. Only ``path`` is required; the other columns fill the
options of that video's analysis and the ID columns of the results table::

    path,subject,session,protocol,side,stature,age,sex,marker_size
    clinic/a01.mp4,P001,1,standing,left,172,34,F,
    clinic/a02.mp4,P001,1,sit-and-reach,,172,34,F,10

``stature`` and ``marker_size`` are in centimetres (``stature_cm``, ``subject_height_cm``,
``marker_size_cm`` are accepted too), ``age`` in years, ``sex`` F or M, ``side`` left, right
or auto, ``protocol`` standing, sit-and-reach or auto (empty: the ``--protocol`` of the
command). Relative paths are read from the manifest's folder.
"""

from __future__ import annotations

import csv
import glob
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tiltscreen.errors import InputError, InputNotFoundError

#: file endings taken from folders and globs (``tiltscreen analyze`` reads these)
VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm")
PROTOCOL_CHOICES = ("standing", "sit-and-reach", "auto")
SIDES = ("auto", "left", "right")
#: manifest column -> accepted spellings (lower case)
COLUMNS: dict[str, tuple[str, ...]] = {
    "path": ("path", "video", "file"),
    "subject": ("subject", "subject_id"),
    "session": ("session", "session_id"),
    "protocol": ("protocol",),
    "side": ("side",),
    "stature_cm": ("stature", "stature_cm", "subject_height_cm", "height_cm"),
    "age": ("age", "age_years"),
    "sex": ("sex",),
    "marker_size_cm": ("marker_size", "marker_size_cm"),
}


class ManifestError(InputError):
    """A manifest CSV that cannot be used (missing column, bad value); the message names the row."""


@dataclass(frozen=True)
class VideoItem:
    """One video of a batch and its per-video options (None: the command's default).

    Attributes
    ----------
    path : Path
        The video file (absolute).
    subject, session : str or None
        IDs for the results table (manifest only).
    protocol : {"standing", "sit-and-reach", "auto"} or None
    side : {"auto", "left", "right"} or None
    stature_cm, age, marker_size_cm : float or None
        Centimetres, years, centimetres.
    sex : {"F", "M"} or None

    """

    path: Path
    subject: str | None = None
    session: str | None = None
    protocol: str | None = None
    side: str | None = None
    stature_cm: float | None = None
    age: float | None = None
    sex: str | None = None
    marker_size_cm: float | None = None


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def videos_in_folder(folder: Path, *, exclude: Path | None = None) -> list[Path]:
    """Video files (by ending) in ``folder`` and below, sorted; hidden files and ``exclude`` left out."""
    found = []
    for p in folder.rglob("*"):
        if not p.is_file() or p.suffix.lower() not in VIDEO_EXTENSIONS:
            continue
        rel = p.relative_to(folder).parts
        if any(part.startswith(".") for part in rel):
            continue
        if exclude is not None and p.resolve().is_relative_to(exclude.resolve()):
            continue
        found.append(p.resolve())
    return sorted(found)


def _number(row: Mapping[str, str], name: str, where: str) -> float | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ManifestError(f"{where}: {name} must be a number, got {text!r}.") from None
    if not value > 0:
        raise ManifestError(f"{where}: {name} must be positive, got {text!r}.")
    return value


def _choice(row: Mapping[str, str], name: str, allowed: Sequence[str], where: str) -> str | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    value = text.upper() if name == "sex" else text.lower()
    if value not in allowed:
        raise ManifestError(f"{where}: {name} must be one of {', '.join(allowed)}, got {text!r}.")
    return value


def _canonical_header(header: Iterable[str], manifest: Path) -> dict[str, str]:
    """Map each file column to its canonical name; a missing ``path`` column is an error."""
    out = {}
    for col in header:
        key = col.strip().lower().replace(" ", "_")
        for name, spellings in COLUMNS.items():
            if key in spellings:
                out[col] = name
    if "path" not in out.values():
        raise ManifestError(f"{manifest} has no 'path' column (columns: {', '.join(header)}).")
    return out


def item_from_row(row: Mapping[str, str], *, base: Path, where: str) -> VideoItem:
    """Return the :class:`VideoItem` of one manifest row (canonical column names)."""
    text = (row.get("path") or "").strip()
    if not text:
        raise ManifestError(f"{where}: the path is empty.")
    path = Path(text).expanduser()
    path = (path if path.is_absolute() else base / path).resolve()
    return VideoItem(
        path=path,
        subject=(row.get("subject") or "").strip() or None,
        session=(row.get("session") or "").strip() or None,
        protocol=_choice(row, "protocol", PROTOCOL_CHOICES, where),
        side=_choice(row, "side", SIDES, where),
        stature_cm=_number(row, "stature_cm", where),
        age=_number(row, "age", where),
        sex=_choice(row, "sex", ("F", "M"), where),
        marker_size_cm=_number(row, "marker_size_cm", where),
    )


def read_manifest(manifest: Path) -> list[VideoItem]:
    """Read a manifest CSV (module notes); rows whose path is empty are errors, blank lines are skipped.

    Raises
    ------
    InputNotFoundError
        If the file does not exist.
    ManifestError
        If it is not UTF-8 CSV with a ``path`` column, or a value is out of range (the row is named).

    """
    if not manifest.is_file():
        raise InputNotFoundError(f"No manifest file {manifest}.")
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            names = _canonical_header(reader.fieldnames or [], manifest)
            rows = [{names[k]: v for k, v in r.items() if k in names and v is not None} for r in reader]
    except (UnicodeDecodeError, csv.Error) as err:
        raise ManifestError(f"{manifest} is not a UTF-8 CSV file ({err}).") from None
    base = manifest.resolve().parent
    return [
        item_from_row(r, base=base, where=f"{manifest.name} row {i}")
        for i, r in enumerate(rows, start=2)
        if any((v or "").strip() for v in r.values())
    ]


def discover(
    inputs: Sequence[str], *, manifest: Path | None = None, exclude: Path | None = None
) -> list[VideoItem]:
    """Return the videos of a batch, each once, in the order given (folders and globs sorted).

    Each input is a folder (its videos, recursively), a glob (``clinic/**/*.mp4``), a manifest
    (a ``.csv`` file) or one video file; ``manifest`` adds a manifest's rows. A video listed
    twice is kept at its first mention (a manifest row wins over a folder listing it, so its
    options are kept). ``exclude`` (the output folder) is never searched.

    Raises
    ------
    InputNotFoundError
        If an input matches nothing, or no video is found at all.
    ManifestError
        See :func:`read_manifest`.

    """
    items: list[VideoItem] = []
    if manifest is not None:
        items.extend(read_manifest(manifest))
    for text in inputs:
        items.extend(_expand(text, exclude=exclude))
    seen: dict[Path, VideoItem] = {}
    for item in items:
        seen.setdefault(item.path, item)
    if not seen:
        raise InputNotFoundError(f"No video ({', '.join(VIDEO_EXTENSIONS)}) found in {', '.join(inputs)}.")
    return list(seen.values())


def _expand(text: str, *, exclude: Path | None) -> list[VideoItem]:
    path = Path(text).expanduser()
    if path.is_dir():
        return [VideoItem(p) for p in videos_in_folder(path, exclude=exclude)]
    if path.is_file() and path.suffix.lower() == ".csv":
        return read_manifest(path)
    if path.is_file():
        return [VideoItem(path.resolve())]
    if _is_glob(text):
        hits = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        videos = [
            VideoItem(p.resolve()) for p in hits if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS
        ]
        if videos:
            return videos
    raise InputNotFoundError(
        f"{text} is neither a folder, a video, a manifest (.csv) nor a glob matching videos."
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-.") or "video"


def recording_ids(items: Sequence[VideoItem]) -> list[str]:
    """Return one folder name per video: ``[sub-S_][ses-T_]STEM``.

    Clashing names get their parent folder's name, then a number.

    Examples
    --------
    >>> recording_ids([VideoItem(Path("/a/x.mp4")), VideoItem(Path("/b/x.mp4"), subject="P1")])
    ['x', 'sub-P1_x']
    >>> recording_ids([VideoItem(Path("/a/x.mp4")), VideoItem(Path("/b/x.mp4"))])
    ['a-x', 'b-x']

    """
    first = [_base_id(it, parents=0) for it in items]
    out = []
    for it, name in zip(items, first, strict=True):
        if first.count(name) > 1:
            name = _base_id(it, parents=1)
        out.append(name)
    counts: dict[str, int] = {}
    unique = []
    for name in out:
        counts[name] = counts.get(name, 0) + 1
        unique.append(name if counts[name] == 1 else f"{name}-{counts[name]}")
    return unique


def _base_id(item: VideoItem, *, parents: int) -> str:
    parts = [f"sub-{_safe(item.subject)}"] if item.subject else []
    if item.session:
        parts.append(f"ses-{_safe(item.session)}")
    stem = item.path.stem
    if parents:
        stem = "-".join([*item.path.parent.parts[-parents:], stem])
    parts.append(_safe(stem))
    return "_".join(parts)
