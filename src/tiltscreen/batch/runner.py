"""``tiltscreen batch``: find the videos, skip the ones done, run the rest, write the tables.

The tables are rebuilt from the records of the batch's videos at the end of every run,
including a run stopped with Ctrl-C (then they hold the videos finished so far), so a rerun
of the same command completes them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tiltscreen.batch.executors import ExecutorSpec, run_tasks
from tiltscreen.batch.inputs import VideoItem, discover, recording_ids
from tiltscreen.batch.store import Record, finished, read_record
from tiltscreen.batch.table import write_tables
from tiltscreen.batch.tasks import Versions, VideoTask, current_versions, file_sha256, make_task
from tiltscreen.errors import StoppedByUserError
from tiltscreen.outputs.files import write_json


@dataclass(frozen=True)
class BatchConfig:
    """A batch run, parsed once at the edge.

    Attributes
    ----------
    inputs : tuple of str
        Folders, globs, manifests or videos (:func:`tiltscreen.batch.inputs.discover`).
    out : Path
    protocol : {"standing", "sit-and-reach", "auto"}
        For videos whose manifest row names none.
    options : mapping
        ``tiltscreen analyze`` options shared by every video (``add_shared`` names).
    executor : ExecutorSpec
    manifest : Path or None
    export : tuple of str
        Research formats written after the batch (``tiltscreen export``'s).
    quiet : bool
        No progress bar.

    """

    inputs: tuple[str, ...]
    out: Path
    protocol: str
    options: Mapping[str, Any]
    executor: ExecutorSpec = field(default_factory=ExecutorSpec)
    manifest: Path | None = None
    export: tuple[str, ...] = ()
    quiet: bool = False


@dataclass(frozen=True)
class BatchReport:
    """What a run did: videos in the batch, skipped as done, run now, and the statuses of all."""

    videos: int
    skipped: int
    ran: int
    statuses: Mapping[str, int]
    files: Mapping[str, Sequence[Path]]
    elapsed_s: float

    @property
    def errors(self) -> int:
        """Videos that ended with an unexpected error (a rerun tries them again)."""
        return int(self.statuses.get("error", 0))


def _content_hash(path: Path) -> str:
    """Return the video's SHA-256, or ``""`` when it cannot be read (the worker then reports why)."""
    try:
        return file_sha256(path)
    except OSError:
        return ""


def build_tasks(config: BatchConfig, items: Sequence[VideoItem], versions: Versions) -> list[VideoTask]:
    """One task per video, with its key (:mod:`tiltscreen.batch.tasks`)."""
    th = config.options.get("thresholds")
    th_sha = file_sha256(Path(th)) if th else None
    return [
        make_task(
            item,
            rid,
            out_root=config.out,
            protocol=config.protocol,
            shared=config.options,
            versions=versions,
            content_sha256=_content_hash(item.path),
            thresholds_sha256=th_sha,
        )
        for item, rid in zip(items, recording_ids(items), strict=True)
    ]


def _progress(total: int, initial: int, quiet: bool):
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="video", disable=quiet, dynamic_ncols=True, smoothing=0.1)


def _run(tasks: Sequence[VideoTask], spec: ExecutorSpec, bar) -> int:
    """Run the tasks, advancing the bar; return how many ran."""
    ran = 0
    for record in run_tasks(tasks, spec):
        ran += 1
        bar.set_postfix_str(f"{record.recording_id}: {record.status}", refresh=False)
        bar.update(1)
    return ran


def current_records(tasks: Sequence[VideoTask]) -> list[tuple[Record, Path]]:
    """Return the records with the current key (done, or ended ``error``), in input order."""
    out = []
    for task in tasks:
        record = read_record(task.folder)
        if record is not None and record.key == task.key:
            out.append((record, task.folder))
    return out


def _finish(config: BatchConfig, tasks: Sequence[VideoTask], skipped: int, ran: int, start: float, *,
            stopped: bool) -> BatchReport:  # fmt: skip
    """Write the tables and ``batch.json`` from the records on disk."""
    records = current_records(tasks)
    files = write_tables(records, config.out)
    statuses = Counter(r.status for r, _ in records)
    report = BatchReport(len(tasks), skipped, ran, dict(statuses), files, time.perf_counter() - start)
    write_json(
        config.out / "batch.json",
        {
            "schema": "tiltscreen-batch/1",
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "stopped_with_ctrl_c": stopped,
            "videos": report.videos,
            "done": sum(1 for r, _ in records if r.done),
            "skipped_as_done": skipped,
            "ran": ran,
            "statuses": report.statuses,
            "elapsed_s": round(report.elapsed_s, 3),
            "executor": {"kind": config.executor.kind, "jobs": config.executor.jobs},
            "protocol": config.protocol,
            "inputs": list(config.inputs),
        },
    )
    return report


def run_batch(config: BatchConfig) -> BatchReport:
    """Run a batch (module notes); return what it did.

    Raises
    ------
    InputNotFoundError, ManifestError
        Nothing to run (before anything is written).
    StoppedByUserError
        Ctrl-C: the tables and ``batch.json`` were written for the videos finished so far.

    """
    start = time.perf_counter()
    items = discover(config.inputs, manifest=config.manifest, exclude=config.out)
    model = config.options.get("model")
    tasks = build_tasks(config, items, current_versions(model))
    todo = [t for t in tasks if finished(t.folder, t.key) is None]
    skipped = len(tasks) - len(todo)
    config.out.mkdir(parents=True, exist_ok=True)
    spec = ExecutorSpec(config.executor.kind, config.executor.jobs, config.executor.scheduler,
                        None if model is None else str(model))  # fmt: skip
    ran = 0
    with _progress(len(tasks), skipped, config.quiet) as bar:
        try:
            ran = _run(todo, spec, bar)
        except KeyboardInterrupt:
            report = _finish(config, tasks, skipped, bar.n - skipped, start, stopped=True)
            done = sum(report.statuses.get(s, 0) for s in report.statuses if s != "error")
            raise StoppedByUserError(
                f"Stopped with Ctrl-C: {done} of {len(tasks)} videos are done; run the same command again "
                "to finish the rest."
            ) from None
    report = _finish(config, tasks, skipped, ran, start, stopped=False)
    if config.export:
        report = _export(config, tasks, report)
    return report


def _export(config: BatchConfig, tasks: Sequence[VideoTask], report: BatchReport) -> BatchReport:
    """Export this batch's analysed recordings (those with landmark tables) into ``OUT/export/FMT``."""
    from tiltscreen.errors import InputError
    from tiltscreen.export.formats import ExportOptions, export_results
    from tiltscreen.export.results import load_recording

    recs = []
    for record, folder in current_records(tasks):
        if not record.has_summary:
            continue
        try:
            recs.append(load_recording(folder, recording_id=record.recording_id))
        except InputError:  # a summary without landmark tables (a video with no frame): nothing to export
            continue
    files = dict(report.files)
    if recs:
        for fmt in config.export:
            out = config.out / "export" / fmt
            files[f"export_{fmt}"] = export_results(recs, fmt, out, ExportOptions())
    return BatchReport(report.videos, report.skipped, report.ran, report.statuses, files, report.elapsed_s)
