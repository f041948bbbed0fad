"""The landmarks job (``tiltscreen landmarks``): any source → one subject's filtered landmarks on disk.

It reads through the one extraction path (:func:`tiltscreen.run.extract.read_pose`) and writes
the landmark tables, an optional annotated video and ``summary.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import tiltscreen
from tiltscreen.config.options import DEFAULTS, ExtractOptions, SubjectRule
from tiltscreen.errors import EmptyVideoError, NoPersonError
from tiltscreen.landmarks import Landmarks
from tiltscreen.outputs.files import write_json
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.extract import MIN_SUBJECT_FRACTION, ExtractionReport
from tiltscreen.run.extract import FrameHook, filter_landmarks, read_pose
from tiltscreen.signal import find_gaps
from tiltscreen.sources import Frame

__all__ = ["MIN_SUBJECT_FRACTION", "LandmarksJob", "LandmarksResult", "filter_landmarks", "run_landmarks"]


@dataclass(frozen=True)
class LandmarksJob:
    """The landmarks job: how to extract (the fields of :class:`ExtractOptions`) and what to write.

    ``annotate`` writes ``annotated.mp4`` (the skeleton drawn on each frame); ``formats`` are the
    landmark tables written (``csv``, ``parquet``). :attr:`extraction` is the one options value the
    extraction path takes; the defaults are :data:`~tiltscreen.config.options.DEFAULTS`'.
    """

    input: str
    out_dir: Path
    model: Path | None = DEFAULTS.model
    max_side: int | None = DEFAULTS.max_side
    max_people: int = DEFAULTS.max_people
    subject: SubjectRule = field(default_factory=SubjectRule)
    min_visibility: float = DEFAULTS.min_visibility
    max_gap_s: float = DEFAULTS.max_gap_s
    filter: str = DEFAULTS.filter
    cutoff_hz: float = DEFAULTS.cutoff_hz
    annotate: bool = False
    formats: tuple[str, ...] = ("csv", "parquet")
    segmentation: bool = DEFAULTS.segmentation
    duration_s: float | None = DEFAULTS.duration_s
    follow_poses: int | None = DEFAULTS.follow_poses

    @property
    def extraction(self) -> ExtractOptions:
        """Return the extraction options of this job."""
        names = {f.name for f in fields(ExtractOptions)}
        return ExtractOptions(
            **{k: v for k, v in asdict(self).items() if k in names} | {"subject": self.subject}
        )


@dataclass
class LandmarksResult:
    """What the job produced."""

    raw: Landmarks
    filtered: Landmarks
    report: ExtractionReport
    files: dict[str, Path]
    summary: dict[str, Any]


def _annotation_hook(path: Path, fps: float | None) -> tuple[Callable[[Frame, Candidate | None], None], Any]:
    """Return a per-frame hook that draws the subject's skeleton into an annotated video."""
    from tiltscreen.outputs.draw import AnnotatedVideoWriter, draw_skeleton

    writer = AnnotatedVideoWriter(path, fps=fps or 30.0)

    def hook(frame: Frame, subject: Candidate | None) -> None:
        bgr = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
        if subject is not None:
            h, w = bgr.shape[:2]
            bgr = draw_skeleton(bgr, subject.xyz[:, :2] * np.array([w, h]), subject.visibility)
        writer.write(bgr)

    return hook, writer


def _job_dict(job: LandmarksJob) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(job).items()}


def _summary(
    job: LandmarksJob, raw: Landmarks, lm: Landmarks, report: ExtractionReport, sha: str, *, ctrl_c: bool
) -> dict:
    """Return the job's ``summary.json``.

    ``stopped_by`` is ``ctrl_c`` (also the normal end of a camera session, whose status stays
    ``ok``), ``source`` (it stopped by itself mid-way) or None.
    """
    gaps = [g for g in find_gaps(lm, max_gap_s=job.max_gap_s) if not g.filled]
    return {
        "tiltscreen_version": tiltscreen.__version__,
        "input": job.input,
        "status": "interrupted"
        if report.interrupted
        else ("ok" if report.person_fraction >= MIN_SUBJECT_FRACTION else "no_person"),
        "stopped_by": "ctrl_c" if ctrl_c else ("source" if report.interrupted else None),
        "message": report.interrupted,
        "frames": report.frames,
        "frames_with_subject": report.frames_with_person,
        "subject_fraction": round(report.person_fraction, 4),
        "frames_with_several_people": report.frames_with_several_people,
        "duration_s": float(raw.timestamps_s[-1] - raw.timestamps_s[0]) if raw.n_frames > 1 else 0.0,
        "image_size": list(raw.image_size),
        "rotation_deg": raw.rotation_deg,
        "model_sha256": sha,
        "gaps_left_missing": len(gaps),
        "job": _job_dict(job),
    }


def run_landmarks(
    job: LandmarksJob,
    *,
    progress: Callable[[int], None] | None = None,
    on_open: Callable[[Any], None] | None = None,
) -> LandmarksResult:
    """Run the job; results are written even when the source stops mid-way or Ctrl-C stops it.

    Raises
    ------
    NoPersonError
        After saving, if the subject was found in fewer than
        :data:`MIN_SUBJECT_FRACTION` of the frames (the message gives the fraction).
    EmptyVideoError
        After writing a ``summary.json`` with status ``unreadable``, if the video holds no frame.

    """
    job.out_dir.mkdir(parents=True, exist_ok=True)
    writers: list[Any] = []

    def open_hooks(info: Any) -> list[FrameHook]:
        if on_open is not None:
            on_open(info)
        if not job.annotate:
            return []
        hook, writer = _annotation_hook(job.out_dir / "annotated.mp4", info.fps)
        writers.append(writer)
        return [hook]

    try:
        read = read_pose(job.extraction, open_hooks=open_hooks, progress=progress)
    except EmptyVideoError as err:
        write_json(job.out_dir / "summary.json", _unreadable_summary(job, str(err)))
        raise
    finally:
        for writer in writers:
            writer.close()
    raw, report, sha = read.raw, read.report, read.model_sha256
    annotated = writers[0].path if writers else None
    return _finish(job, raw, report, sha, annotated=annotated, ctrl_c=read.stopped_by_ctrl_c)


def _unreadable_summary(job: LandmarksJob, message: str) -> dict[str, Any]:
    """``summary.json`` of a video that opened but held no frame."""
    return {
        "tiltscreen_version": tiltscreen.__version__,
        "input": job.input,
        "status": "unreadable",
        "stopped_by": None,
        "message": message,
        "frames": 0,
        "frames_with_subject": 0,
        "subject_fraction": 0.0,
        "job": _job_dict(job),
    }


def _finish(
    job: LandmarksJob,
    raw: Landmarks,
    report: ExtractionReport,
    sha: str,
    *,
    annotated: Path | None,
    ctrl_c: bool = False,
) -> LandmarksResult:
    from tiltscreen.outputs.tables import save_landmarks

    lm = filter_landmarks(raw, job.extraction) if raw.n_frames else raw
    files = save_landmarks(lm, job.out_dir, stem="landmarks", formats=job.formats)
    if annotated is not None:
        files["annotated"] = annotated
    raw_files = save_landmarks(raw, job.out_dir, stem="landmarks_raw", formats=("csv",))
    files.update({f"raw_{k}": v for k, v in raw_files.items()})
    summary = _summary(job, raw, lm, report, sha, ctrl_c=ctrl_c)
    summary["files"] = {k: str(v) for k, v in files.items()}
    files["summary"] = write_json(job.out_dir / "summary.json", summary)
    result = LandmarksResult(raw=raw, filtered=lm, report=report, files=files, summary=summary)
    if summary["status"] == "no_person":
        raise NoPersonError(
            f"No person found: the subject was seen in {report.frames_with_person} of {report.frames} frames "
            f"({100 * report.person_fraction:.1f}%); results saved in {job.out_dir}."
        )
    return result
