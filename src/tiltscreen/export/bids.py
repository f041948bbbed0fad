"""``--format bids``: a BIDS 1.11 dataset with one motion recording per results folder.

Layout (``<sub>`` from the caller or the recording ID reduced to letters and digits; ``ses-`` only
when a session label is given; ``run-`` only when two recordings share subject, session and task)::

    dataset_description.json  README  participants.tsv
    sub-<sub>/[ses-<ses>/]motion/
        sub-<sub>[_ses-<ses>]_task-<task>_tracksys-mediapipe[_run-<n>]_motion.tsv    no header, tab-separated
        ..._channels.tsv   name, component, type, tracked_point, units, reference_frame, description
        ..._channels.json  the reference frames (image, subject)
        ..._motion.json    TaskName, SamplingFrequency, TrackingSystemName (required), recommended fields
        sub-<sub>[_ses-<ses>]_task-<task>_tracksys-mediapipe[_run-<n>]_events.tsv/.json   trials, maximum
                           reach, quiet window (onsets in s from the first frame)

``<task>``: ``standing``, ``sitandreach`` or ``landmarks``. Missing values are ``n/a`` (``MissingValues``).
The channels are those of :mod:`tiltscreen.export.bids_channels`. Checked with the BIDS validator
(schema 1.2.7, BIDS 1.11.1): no error.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import tiltscreen
from tiltscreen.errors import ValidationError
from tiltscreen.export.angles import angle_series
from tiltscreen.export.bids_channels import REFERENCE_FRAMES, channel_counts, channels, motion_matrix
from tiltscreen.export.results import RecordingResult
from tiltscreen.outputs.files import write_file_atomic

BIDS_VERSION = "1.11.1"
TRACKSYS = "mediapipe"
TASKS = {"standing": "standing", "sit-and-reach": "sitandreach", None: "landmarks"}
_TASK_DESCRIPTIONS = {
    "standing": "Quiet standing, seen from the side, for the sagittal pelvic tilt and posture.",
    "sit-and-reach": "Sit-and-reach test (hamstring flexibility), seen from the side; one or more trials.",
    None: "Any recording processed for landmarks only.",
}
_INSTRUCTIONS = {
    "standing": "Stand quietly, side-on to the camera, arms folded across the chest, for a few seconds.",
    "sit-and-reach": "Sit with straight knees and the soles against the box; reach slowly forward with both "
    "hands together and hold at least 2 s.",
}


def label(text: str) -> str:
    """Return a BIDS label: ``text`` with everything but ASCII letters and digits removed.

    >>> label("P-01_visit 2")
    'P01visit2'

    Raises
    ------
    ValidationError
        If nothing is left.

    """
    out = re.sub(r"[^A-Za-z0-9]", "", str(text))
    if not out:
        raise ValidationError(f"Cannot make a BIDS label (letters and digits) from {text!r}.")
    return out


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    return repr(float(v)) if isinstance(v, float | np.floating) else str(v)


def tsv(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None) -> bytes:
    """Return tab-separated text: ``n/a`` for missing values, one line per row."""
    lines = ["\t".join(header)] if header else []
    lines += ["\t".join(_cell(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def motion_sidecar(rec: RecordingResult, chans) -> dict[str, Any]:
    """Return the ``*_motion.json`` fields (required: TaskName, SamplingFrequency, TrackingSystemName)."""
    lm, s = rec.landmarks, rec.summary
    t = lm.timestamps_s
    effective = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else lm.fps
    model = next((st.params.get("model") for st in lm.provenance if st.name == "pose_landmarker"), None)
    return {
        "TaskName": s.protocol or "landmarks",
        "TaskDescription": _TASK_DESCRIPTIONS.get(s.protocol, _TASK_DESCRIPTIONS[None]),
        "Instructions": _INSTRUCTIONS.get(s.protocol or "", "n/a"),
        "SamplingFrequency": float(lm.fps or lm.effective_fps),
        "SamplingFrequencyEffective": float(effective) if effective else "n/a",
        "TrackingSystemName": "MediaPipe Pose (BlazePose, 33 landmarks), one video camera, via tiltscreen",
        "Manufacturer": "Google (MediaPipe)",
        "ManufacturersModelName": f"PoseLandmarker {model or 'unknown'} (SHA-256 {lm.model_sha256})",
        "SoftwareVersions": f"tiltscreen {tiltscreen.__version__} (analysis {s.tiltscreen_version})",
        "RecordingDuration": float(t[-1] - t[0]) if len(t) else 0.0,
        "TrackedPointsCount": len(lm.skeleton.names),
        "MissingValues": "n/a",
        "SubjectArtefactDescription": "n/a",
        **channel_counts(chans),
    }


def _events(rec: RecordingResult) -> list[tuple[Any, ...]]:
    """``(onset, duration, trial_type, trial, valid)`` rows, onsets from the first frame (s)."""
    t0 = float(rec.landmarks.timestamps_s[0])
    rows: list[tuple[Any, ...]] = []
    for tr in rec.summary.trials:
        if tr.start_s is not None and tr.end_s is not None:
            rows.append((tr.start_s - t0, tr.end_s - tr.start_s, "trial", tr.index, tr.valid))
        if tr.max_reach_s is not None:
            rows.append((tr.max_reach_s - t0, 0.0, "max_reach", tr.index, tr.valid))
    window = rec.summary.quiet_window_s
    if window is not None:
        rows.append((window[0] - t0, window[1] - window[0], "quiet_window", None, True))
    return sorted(rows, key=lambda r: (r[0], r[2]))


EVENTS_JSON = {
    "onset": {"Description": "Start of the event, s from the first frame of the recording.", "Units": "s"},
    "duration": {"Description": "Length of the event (0 for an instant).", "Units": "s"},
    "trial_type": {
        "Description": "Kind of event.",
        "Levels": {
            "trial": "One sit-and-reach trial, from the start of the reach to the return.",
            "max_reach": "Time of the trial's maximum reach.",
            "quiet_window": "Standing: the longest still stretch; the standing metrics are medians over it.",
        },
    },
    "trial": {"Description": "Trial number (0-based) of a trial event; n/a otherwise."},
    "valid": {"Description": "Whether the trial was valid (quiet_window: true)."},
}


def _entities(sub: str, ses: str | None, task: str, run: int | None) -> str:
    parts = [f"sub-{sub}"] + ([f"ses-{ses}"] if ses else []) + [f"task-{task}", f"tracksys-{TRACKSYS}"]
    return "_".join(parts + ([f"run-{run}"] if run is not None else []))


def write_recording(
    rec: RecordingResult, root: Path, *, sub: str, ses: str | None, run: int | None
) -> dict[str, Path]:
    """Write one recording's motion, channels and events files under ``root``; return them by suffix."""
    task = TASKS.get(rec.summary.protocol, "landmarks")
    folder = root / f"sub-{sub}" / (f"ses-{ses}" if ses else "") / "motion"
    stem = folder / _entities(sub, ses, task, run)
    series = angle_series(rec)
    chans = channels(rec.landmarks, series)
    cols = ("name", "component", "type", "tracked_point", "units", "reference_frame", "description")
    ch_rows = [[getattr(c, k) for k in cols] for c in chans]
    data = motion_matrix(rec.landmarks, series)
    ev_rows = _events(rec)
    written = {
        "motion.tsv": write_file_atomic(f"{stem}_motion.tsv", tsv(data.tolist())),
        "channels.tsv": write_file_atomic(f"{stem}_channels.tsv", tsv(ch_rows, cols)),
        "channels.json": write_file_atomic(
            f"{stem}_channels.json", _json({"reference_frame": {"Levels": REFERENCE_FRAMES}})
        ),
        "motion.json": write_file_atomic(f"{stem}_motion.json", _json(motion_sidecar(rec, chans))),
    }
    if ev_rows:
        header = ("onset", "duration", "trial_type", "trial", "valid")
        written["events.tsv"] = write_file_atomic(f"{stem}_events.tsv", tsv(ev_rows, header))
        written["events.json"] = write_file_atomic(f"{stem}_events.json", _json(EVENTS_JSON))
    return written


def _labels(recs: Sequence[RecordingResult], subjects: Sequence[str] | None) -> list[str]:
    if subjects is not None and len(subjects) != len(recs):
        raise ValidationError(f"{len(subjects)} subject labels given for {len(recs)} recordings.")
    return [label(s) for s in (subjects or [r.recording_id for r in recs])]


def _runs(keys: list[tuple[str, str]]) -> list[int | None]:
    """Run numbers (1, 2, ...) for recordings sharing subject and task; None when unique."""
    seen: dict[tuple[str, str], int] = {}
    out: list[int | None] = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(seen[key] if keys.count(key) > 1 else None)
    return out


def _dataset_files(root: Path, subs: list[str]) -> None:
    description = {
        "Name": "tiltscreen motion export",
        "BIDSVersion": BIDS_VERSION,
        "DatasetType": "raw",
        "License": "n/a",
        "GeneratedBy": [{"Name": "tiltscreen", "Version": tiltscreen.__version__,
                         "Description": "Posture screening from one camera with MediaPipe Pose."}],
    }  # fmt: skip
    write_file_atomic(root / "dataset_description.json", _json(description))
    readme = (
        "Landmarks (2-D, image pixels) and per-frame angles of posture screenings, exported by tiltscreen "
        f"{tiltscreen.__version__}. One tracking system (tracksys-{TRACKSYS}): MediaPipe Pose on one video "
        "camera. See each *_channels.tsv for the channels and their units.\n"
    )
    write_file_atomic(root / "README", readme.encode("utf-8"))
    write_file_atomic(
        root / "participants.tsv", tsv([[f"sub-{s}"] for s in sorted(set(subs))], ["participant_id"])
    )


def export_bids(
    recs: Sequence[RecordingResult],
    root: str | os.PathLike[str],
    *,
    subjects: Sequence[str] | None = None,
    session: str | None = None,
) -> dict[str, list[Path]]:
    """Write ``recs`` as one BIDS motion dataset under ``root`` (module notes).

    Parameters
    ----------
    recs : sequence of RecordingResult
        Loaded results folders; at least one.
    root : path-like
        Dataset folder (created; files of the same names replaced).
    subjects : sequence of str, optional
        One subject label per recording (default the recording IDs); reduced to letters and digits.
    session : str, optional
        Session label for every recording (default: no session level).

    Returns
    -------
    dict of str to list of Path
        Files written, per recording ID.

    Raises
    ------
    ValidationError
        No recording, a label with no letter or digit, or a wrong number of subject labels.

    """
    if not recs:
        raise ValidationError("Nothing to export: no recording was loaded.")
    out = Path(root)
    subs = _labels(recs, subjects)
    ses = label(session) if session else None
    runs = _runs([(s, TASKS.get(r.summary.protocol, "landmarks")) for s, r in zip(subs, recs, strict=True)])
    _dataset_files(out, subs)
    return {
        r.recording_id: list(write_recording(r, out, sub=s, ses=ses, run=run).values())
        for r, s, run in zip(recs, subs, runs, strict=True)
    }
