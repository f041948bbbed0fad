"""What runs in a worker: one video through ``tiltscreen analyze``'s own path, ending in a record.

The same function runs in-process (``--jobs 1``), in a process pool and on Dask workers, so
the results are the same wherever a video ran.

Each worker process prepares once (:func:`warm`): the imports, the pose model located and
hashed, and a first PoseLandmarker created and run on a blank frame (MediaPipe's one-off
start-up: the TFLite runtime and its XNNPACK delegate), then closed. The analysis creates its
own VIDEO-mode landmarkers for every video (:class:`tiltscreen.pose.engines.PoseEngines`):
MediaPipe's VIDEO mode keeps tracking state from frame to frame and wants increasing
timestamps, so one landmarker shared across videos would make each video's landmarks depend
on the video before it, and a batch would no longer match a single ``analyze``.
"""

from __future__ import annotations

import argparse
import os
import socket
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tiltscreen.batch.store import Record, fresh_folder, write_record
from tiltscreen.batch.tasks import VideoTask
from tiltscreen.errors import InputError, TiltscreenError


@dataclass(frozen=True)
class WorkerState:
    """What a worker prepared once: the pose model, its SHA-256, and how long the start-up took (s)."""

    model: Path
    model_sha256: str
    warm_s: float


_STATE: dict[str | None, WorkerState] = {}


def warm(model: str | os.PathLike[str] | None = None) -> WorkerState:
    """Prepare this process once per model (module notes); later calls return the same state.

    Raises
    ------
    ModelError
        If the model is missing or cannot be loaded.

    """
    key = None if model is None else str(model)
    if key in _STATE:
        return _STATE[key]
    import numpy as np

    from tiltscreen.pose.estimator import PoseOptions, VideoPoseEstimator, quiet_native_stderr
    from tiltscreen.pose.model_store import locate_model, sha256_of
    from tiltscreen.run import analyze  # noqa: F401 -- the analysis modules, imported once

    start = time.perf_counter()
    path = locate_model(model)
    with quiet_native_stderr(), VideoPoseEstimator(PoseOptions(model_path=path, max_people=1)) as est:
        est.detect(np.zeros((64, 64, 3), np.uint8), 0.0)
    _STATE[key] = WorkerState(path, sha256_of(path), time.perf_counter() - start)
    return _STATE[key]


def worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class _Ended:
    """How one analysis ended, before it becomes a record."""

    protocol: str | None
    status: str
    has_summary: bool
    exit_code: int | None
    choice: dict[str, Any] | None = None
    error_type: str | None = None
    message: str | None = None
    traceback: str | None = None


def _analyse(task: VideoTask, folder: Path, state: WorkerState) -> _Ended:
    """Choose the protocol (``auto``), run it as ``tiltscreen analyze`` does; Ctrl-C is raised again."""
    from tiltscreen.pose.estimator import quiet_native_stderr
    from tiltscreen.run.analyze import analyze as run_protocol
    from tiltscreen.run.analyze import job_from_args, outcome_error

    opts = task.option_dict()
    protocol, choice = task.protocol, None
    with quiet_native_stderr():
        if protocol == "auto":
            from tiltscreen.batch.probe import probe

            picked = probe(task.input, model=state.model, max_side=opts["max_side"] or None,
                           thresholds=opts.get("thresholds"))  # fmt: skip
            protocol, choice = picked.protocol, picked.as_dict()
        job = job_from_args(argparse.Namespace(**opts), input=task.input, out_dir=folder)
        result = run_protocol(protocol, job)
    if result.status == "interrupted" and result.get("stopped_by") == "ctrl_c":
        raise KeyboardInterrupt  # the batch stopped, the video did not end: no record
    error = outcome_error(result, folder)
    return _Ended(protocol, result.status, True, 0 if error is None else error.exit_code, choice)


def _failed(err: BaseException, task: VideoTask, folder: Path, *, known: bool) -> _Ended:
    """Describe an analysis that raised: ``unreadable`` for input errors, else ``error`` (retried)."""
    has_summary = (folder / "summary.json").is_file()  # a video with no frame still gets its summary
    unreadable = isinstance(err, InputError)
    return _Ended(
        protocol=None if task.protocol == "auto" else task.protocol,
        status="unreadable" if unreadable else "error",
        has_summary=has_summary,
        exit_code=getattr(err, "exit_code", 1),
        error_type=type(err).__name__,
        message=str(err) or type(err).__name__,
        traceback=None if known else "".join(traceback.format_exception(err)),
    )


def process_task(task: VideoTask) -> Record:
    """Analyse one video into its folder and write its record (last); return the record.

    One bad file never stops the batch: an error of the input ends ``unreadable``, any other
    failure ends ``error`` with its traceback in the record (and is tried again by a rerun).
    Ctrl-C (KeyboardInterrupt) is passed on, leaving the folder without a record.
    """
    state = warm(task.option_dict().get("model"))
    start = time.perf_counter()
    folder = fresh_folder(task.folder)
    try:
        ended = _analyse(task, folder, state)
    except TiltscreenError as err:
        ended = _failed(err, task, folder, known=True)
    except Exception as err:  # noqa: BLE001 -- the isolation boundary of one video: any bug becomes a row
        ended = _failed(err, task, folder, known=False)
    record = Record(
        key=task.key,
        recording_id=task.recording_id,
        input=task.input,
        content_sha256=task.content_sha256,
        protocol_requested=task.protocol,
        protocol=ended.protocol,
        status=ended.status,
        has_summary=ended.has_summary,
        error_type=ended.error_type,
        message=ended.message,
        exit_code=ended.exit_code,
        protocol_choice=ended.choice,
        elapsed_s=round(time.perf_counter() - start, 3),
        worker=worker_name(),
        versions={"tiltscreen": _version(), "pose_model_sha256": state.model_sha256},
        subject=task.subject,
        session=task.session,
        traceback=ended.traceback,
    )
    write_record(folder, record)
    return record


def _version() -> str:
    from tiltscreen import __version__

    return __version__
