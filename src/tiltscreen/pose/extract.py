"""Run the pose estimator over a frame source and collect one subject's landmarks.

Frames are never kept: each is handed to the estimator and to optional per-frame
hooks (annotated video, outline features), then dropped, so memory grows with the
number of landmark rows only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.errors import SourceInterruptedError
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.appearance import torso_histogram
from tiltscreen.pose.engines import PoseEngines
from tiltscreen.pose.estimator import Candidate, LivePoseEstimator, PoseOptions
from tiltscreen.pose.subject import Plan, SubjectTracker, TrackStep
from tiltscreen.sources import Frame, FrameSource

#: called once per processed frame with the frame and the subject (None if absent)
FrameHook = Callable[[Frame, "Candidate | None"], None]

_K = 33


class _Rows:
    """Growable landmark arrays, sized from the container's frame count when it is known.

    A file whose frame count is known gets its arrays once (plus a small margin), with no
    growth slack; otherwise they grow by half their size each time they fill.
    """

    def __init__(self, capacity: int = 256) -> None:
        capacity = max(int(capacity), 16)
        self.n = 0
        self.xyz = np.full((capacity, _K, 3), np.nan)
        self.world = np.full((capacity, _K, 3), np.nan)
        self.vis = np.full((capacity, _K), np.nan)
        self.pres = np.full((capacity, _K), np.nan)
        self.t = np.zeros(capacity)
        self.index = np.zeros(capacity, dtype=np.int64)

    def _grow(self) -> None:
        for name in ("xyz", "world", "vis", "pres", "t", "index"):
            old = getattr(self, name)
            size = len(old) + len(old) // 2
            new = (
                np.full((size, *old.shape[1:]), np.nan)
                if old.dtype.kind == "f"
                else np.zeros((size, *old.shape[1:]), dtype=old.dtype)
            )
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def append(self, frame: Frame, cand: Candidate | None) -> None:
        if self.n == len(self.t):
            self._grow()
        i = self.n
        self.t[i], self.index[i] = frame.timestamp_s, frame.index
        if cand is not None:
            self.xyz[i], self.world[i] = cand.xyz, cand.world
            self.vis[i], self.pres[i] = cand.visibility, cand.presence
        self.n += 1


#: below this fraction of frames with the subject, a recording is reported "no person"
MIN_SUBJECT_FRACTION = 0.05


@dataclass
class ExtractionReport:
    """What happened during extraction, for messages and provenance.

    ``frames_with_several_people`` and ``max_people_seen`` count the people found by the
    landmarker run on each frame: MediaPipe is asked for everyone only on the tracker's
    looks (first frames, about once a second, while someone is near the subject, long
    losses), so they are lower bounds.
    """

    frames: int = 0
    frames_with_person: int = 0
    frames_with_several_people: int = 0
    max_people_seen: int = 0
    refused_switches: int = 0
    frames_found_by_search: int = 0
    landmarker_calls: dict[str, int] = field(default_factory=dict)
    interrupted: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def person_fraction(self) -> float:
        """Fraction of processed frames in which the subject was found."""
        return self.frames_with_person / self.frames if self.frames else 0.0

    def as_params(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "frames": self.frames,
            "frames_with_subject": self.frames_with_person,
            "subject_fraction": round(self.person_fraction, 4),
            "frames_with_several_people": self.frames_with_several_people,
            "max_people_seen": self.max_people_seen,
            "tracker_refused_switches": self.refused_switches,
            "frames_found_by_window_search": self.frames_found_by_search,
            "landmarker_calls": dict(self.landmarker_calls),
            "interrupted": self.interrupted,
        }


def extract_landmarks(
    source: FrameSource,
    *,
    options: PoseOptions,
    tracker: SubjectTracker | None = None,
    hooks: Iterable[FrameHook] = (),
    progress: Callable[[int], None] | None = None,
    model_sha256: str | None = None,
) -> tuple[Landmarks, ExtractionReport]:
    """Detect the subject in every frame of a recorded source (VIDEO mode).

    The tracker says, frame by frame, which landmarker runs (:class:`PoseEngines`, see
    :meth:`SubjectTracker.plan`): one pose on the whole frame while it follows the subject
    alone, everyone now and then, a window around the subject when it is lost. How often
    each ran is in the report (``landmarker_calls``).

    A source that stops mid-way (:class:`SourceInterruptedError`) ends the loop normally:
    everything processed so far is returned, and the report says why it stopped, so the
    caller can save it before telling the user.

    Returns
    -------
    landmarks : Landmarks
        One row per processed frame (NaN where the subject was absent).
    report : ExtractionReport

    """
    tracker = tracker or SubjectTracker(max_people=options.max_people)
    hooks = tuple(hooks)
    count = source.info.frame_count
    rows, report = _Rows(count + count // 50 + 8 if count else 256), ExtractionReport()
    with PoseEngines(options) as engines:
        try:
            for frame in source:
                _record(frame, track_frame(frame, engines, tracker), rows, report, hooks, progress)
        except SourceInterruptedError as err:
            report.interrupted = str(err)
        except KeyboardInterrupt:
            # Ctrl-C is how a camera session ends; for a file it is an interruption. Either way keep the rows.
            if not source.info.live:
                report.interrupted = "Stopped with Ctrl-C before the end of the video."
            report.notes.append("stopped with Ctrl-C")
        report.landmarker_calls = dict(engines.calls)
    report.refused_switches = tracker.switches_refused
    return _build(rows, source, options, report, model_sha256), report


def extract_landmarks_live(
    source: FrameSource,
    *,
    options: PoseOptions,
    tracker: SubjectTracker | None = None,
    hooks: Iterable[FrameHook] = (),
    progress: Callable[[int], None] | None = None,
    model_sha256: str | None = None,
    duration_s: float | None = None,
) -> tuple[Landmarks, ExtractionReport]:
    """Detect the subject in a camera or stream (LIVE_STREAM mode), until it ends, Ctrl-C or ``duration_s``.

    Frames go to MediaPipe asynchronously; frames it has no time for are dropped by
    MediaPipe (and stale ones by the source), so the result has one row per frame that
    was actually analysed, with that frame's timestamp.
    """
    tracker = tracker or SubjectTracker(max_people=options.max_people)
    hooks = tuple(hooks)
    rows, report = _Rows(), ExtractionReport()
    pending: dict[int, Frame] = {}

    def drain(estimator: LivePoseEstimator) -> None:
        for ms, cands in estimator.collect():
            frame = pending.pop(ms, None)
            if frame is None:
                continue
            for old in [k for k in pending if k < ms]:  # MediaPipe dropped these
                del pending[old]
            step = tracker.step(
                cands,
                describe=lambda c, rgb=frame.rgb: torso_histogram(rgb, c.xyz[:, :2]),
                plan=Plan(poses=options.max_people),  # one LIVE_STREAM landmarker, asked for everyone
            )
            _record(frame, step, rows, report, hooks, progress)

    with LivePoseEstimator(options) as estimator:
        try:
            for frame in source:
                pending[estimator.submit(frame.rgb, frame.timestamp_s)] = frame
                drain(estimator)
                if duration_s is not None and frame.timestamp_s >= duration_s:
                    break
        except SourceInterruptedError as err:
            report.interrupted = str(err)
        except KeyboardInterrupt:
            report.notes.append("stopped with Ctrl-C")
        estimator.close()  # flushes the last results
        drain(estimator)
    report.refused_switches = tracker.switches_refused
    lm = _build(rows, source, options, report, model_sha256)
    return lm.with_step("live_stream", {"frames_submitted_dropped": len(pending)}), report


def track_frame(frame: Frame, engines: PoseEngines, tracker: SubjectTracker) -> TrackStep:
    """Run the landmarker the tracker's plan names on one frame, then let the tracker follow everyone.

    The tracker may ask for one window search on the same frame when the subject it saw
    recently is not among the people found; colours come from this frame's pixels.
    """
    rgb, ts = frame.rgb, frame.timestamp_s
    plan = tracker.plan()

    def run(p: Plan) -> list[Candidate]:
        return engines.window(rgb, ts, p) if p.window is not None else engines.frame(rgb, ts, poses=p.poses)

    return tracker.step(
        run(plan), describe=lambda c: torso_histogram(rgb, c.xyz[:, :2]), search=run, plan=plan
    )


def _record(
    frame: Frame,
    step: TrackStep,
    rows: _Rows,
    report: ExtractionReport,
    hooks: tuple[FrameHook, ...],
    progress: Callable[[int], None] | None,
) -> None:
    """Keep the subject's row, count, tell the hooks and the progress bar."""
    rows.append(frame, step.subject)
    report.frames += 1
    report.frames_with_person += step.subject is not None
    report.frames_found_by_search += step.source == "search"
    report.frames_with_several_people += step.people > 1
    report.max_people_seen = max(report.max_people_seen, step.people)
    for hook in hooks:
        hook(frame, step.subject)
    if progress is not None:
        progress(1)


def _build(
    rows: _Rows, source: FrameSource, options: PoseOptions, report: ExtractionReport, sha: str | None
) -> Landmarks:
    info = source.info
    n = rows.n
    lm = Landmarks(
        xyz=rows.xyz[:n],
        visibility=rows.vis[:n],
        presence=rows.pres[:n],
        world=rows.world[:n],
        timestamps_s=rows.t[:n],
        frame_index=rows.index[:n],
        image_size=(info.width, info.height),
        fps=info.fps,
        rotation_deg=info.rotation_deg,
        source={"kind": info.kind, "uri": info.uri, "frame_count": info.frame_count, "live": info.live},
        model_sha256=sha,
    )
    params = {
        **options.as_params(),
        **report.as_params(),
        "running_mode": "LIVE_STREAM" if info.live else "VIDEO",
    }
    return lm.with_step("pose_landmarker", params)
