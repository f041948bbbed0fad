"""The landmarks job: any source → one subject's filtered landmarks on disk.

This is the orchestration layer between the CLI (argument parsing, messages) and
the pure pieces (sources, pose, signal, outputs). Configuration is a frozen
dataclass built once by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import tiltscreen
from tiltscreen.errors import EmptyVideoError, NoPersonError
from tiltscreen.interrupt import CtrlCWatch
from tiltscreen.landmarks import Landmarks
from tiltscreen.outputs.files import write_json
from tiltscreen.pose.estimator import Candidate, PoseOptions
from tiltscreen.pose.extract import ExtractionReport, extract_landmarks, extract_landmarks_live
from tiltscreen.pose.model_store import locate_model, verify_model
from tiltscreen.pose.subject import SubjectRule, SubjectTracker
from tiltscreen.signal import butterworth_lowpass, fill_gaps, find_gaps, gate_visibility, one_euro
from tiltscreen.sources import Frame, open_source

#: below this fraction of frames with the subject, the result is flagged "no person"
MIN_SUBJECT_FRACTION = 0.05


@dataclass(frozen=True)
class LandmarksJob:
    """Everything the landmarks job needs, parsed once from the command line or a caller."""

    input: str
    out_dir: Path
    model: Path | None = None
    max_side: int | None = 960
    max_people: int = 2
    subject: SubjectRule = field(default_factory=SubjectRule)
    min_visibility: float = 0.5
    max_gap_s: float = 0.33
    filter: str = "auto"
    cutoff_hz: float = 6.0
    annotate: bool = False
    formats: tuple[str, ...] = ("csv", "parquet")
    segmentation: bool = False
    duration_s: float | None = None
    follow_poses: int | None = 1


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


def filter_landmarks(lm: Landmarks, job: LandmarksJob) -> Landmarks:
    """Visibility gating → gap filling → low-pass filter, as the job asks (each step logged)."""
    out = gate_visibility(lm, min_visibility=job.min_visibility, min_presence=job.min_visibility)
    out = fill_gaps(out, max_gap_s=job.max_gap_s)
    kind = job.filter
    if kind == "auto":  # causal for live sources (as it would have been shown), zero-phase for recordings
        kind = "one-euro" if lm.source.get("live") else "butterworth"
    if out.n_frames < 2 or kind == "none":
        return out
    if kind == "one-euro":
        return one_euro(out)
    return butterworth_lowpass(out, cutoff_hz=job.cutoff_hz)


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
    model_path = locate_model(job.model)
    sha = verify_model(model_path) if job.model is None else _sha(model_path)
    options = PoseOptions(
        model_path=model_path,
        max_people=job.max_people,
        segmentation=job.segmentation,
        follow_poses=job.follow_poses,
    )
    job.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        source = open_source(job.input, max_side=job.max_side)
    except EmptyVideoError as err:
        write_json(job.out_dir / "summary.json", _unreadable_summary(job, str(err)))
        raise
    with source, CtrlCWatch() as ctrl_c:
        if on_open is not None:
            on_open(source.info)
        hooks, writer = [], None
        if job.annotate:
            hook, writer = _annotation_hook(job.out_dir / "annotated.mp4", source.info.fps)
            hooks.append(hook)
        common = dict(
            options=options,
            tracker=SubjectTracker(rule=job.subject, max_people=job.max_people),
            hooks=hooks,
            progress=progress,
            model_sha256=sha,
        )
        try:
            if source.info.live:
                raw, report = extract_landmarks_live(source, duration_s=job.duration_s, **common)
            else:
                raw, report = extract_landmarks(source, **common)
        finally:
            if writer is not None:
                writer.close()
    annotated = writer.path if writer is not None else None
    return _finish(job, raw, report, sha, annotated=annotated, ctrl_c=ctrl_c.pressed)


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

    lm = filter_landmarks(raw, job) if raw.n_frames else raw
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


def _sha(path: Path) -> str:
    from tiltscreen.pose.model_store import sha256_of

    return sha256_of(path)
