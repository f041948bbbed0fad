"""The batch's folder layout and the record that marks a video as done.

::

    OUT/
      recordings/<recording_id>/    each video's usual folder (``tiltscreen analyze``), plus
          batch_record.json         written last, atomically: the commit point of that video
      results.csv, results.parquet  one row per video and trial (:mod:`tiltscreen.batch.table`)
      errors.csv, errors.parquet    one row per video that gave no analysis
      batch.json                    what the last run did (counts, timings, versions)

A video's folder without a record (a run killed mid-video) or with another key (other
options, another video, another tool or model version) is emptied and analysed again; a
folder whose record has the current key is skipped. A record whose status is ``error`` (an
unexpected failure, e.g. a worker that died) does not count as done: a rerun tries again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tiltscreen.outputs.files import write_json

RECORD_NAME = "batch_record.json"
RECORD_SCHEMA = "tiltscreen-batch-record/1"
#: statuses a rerun does not repeat (every status ``tiltscreen analyze`` can end with, plus unreadable files)
FINAL_STATUSES = ("ok", "indeterminate", "not_this_protocol", "no_person", "interrupted", "unreadable")


@dataclass(frozen=True)
class Record:
    """How one video's analysis ended (``OUT/recordings/<id>/batch_record.json``).

    Attributes
    ----------
    key : str
        The task key (:func:`tiltscreen.batch.tasks.task_key`).
    recording_id, input, content_sha256 : str
    protocol_requested : str
        ``standing``, ``sit-and-reach`` or ``auto``.
    protocol : str or None
        The protocol analysed (``auto``'s choice); None when nothing was analysed.
    status : str
        A ``summary.json`` status, ``unreadable`` for a file that could not be opened, or
        ``error`` for an unexpected failure (retried by a rerun).
    has_summary : bool
        Whether the folder holds a ``summary.json``.
    error_type, message : str or None
        The exception's class and its sentence, when the analysis raised one.
    exit_code : int or None
        What ``tiltscreen analyze`` would have exited with.
    protocol_choice : mapping or None
        ``auto`` only: the seconds of each test's posture found by the probe, and the rule.
    elapsed_s : float
        Wall time of this video (s).
    worker : str
        ``host:pid`` of the process that ran it.
    versions : mapping
        Tool version and pose model SHA-256.
    subject, session : str or None
    traceback : str or None
        For ``error`` only, to paste into a bug report.

    """

    key: str
    recording_id: str
    input: str
    content_sha256: str
    protocol_requested: str
    protocol: str | None
    status: str
    has_summary: bool
    error_type: str | None = None
    message: str | None = None
    exit_code: int | None = None
    protocol_choice: Mapping[str, Any] | None = None
    elapsed_s: float = 0.0
    worker: str = ""
    versions: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None
    session: str | None = None
    traceback: str | None = None

    @property
    def done(self) -> bool:
        """Whether a rerun skips this video."""
        return self.status in FINAL_STATUSES

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (with the schema name)."""
        out = {"schema": RECORD_SCHEMA, **asdict(self)}
        out["protocol_choice"] = dict(self.protocol_choice) if self.protocol_choice is not None else None
        out["versions"] = dict(self.versions)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Record:
        """Inverse of :meth:`as_dict`.

        Raises
        ------
        KeyError, TypeError
            If a required field is missing or of the wrong kind.

        """
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in names})


def write_record(folder: Path, record: Record) -> Path:
    """Write the record atomically (the last file of a video's folder)."""
    return write_json(folder / RECORD_NAME, record.as_dict())


def read_record(folder: Path) -> Record | None:
    """Return the folder's record, or None when there is none or it cannot be read."""
    path = folder / RECORD_NAME
    try:
        return Record.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
        return None


def finished(folder: Path, key: str) -> Record | None:
    """Return the record of a video done with this key, else None (:data:`FINAL_STATUSES`)."""
    record = read_record(folder)
    if record is None or record.key != key or not record.done:
        return None
    return record


def fresh_folder(folder: Path) -> Path:
    """Empty (or create) a video's folder before analysing it (its record goes first)."""
    (folder / RECORD_NAME).unlink(missing_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder
