"""What every protocol extracts from a recording once: landmarks, outline features, markers.

Also the options every ``tiltscreen analyze`` protocol shares (:class:`AnalyzeJob`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tiltscreen.interrupt import CtrlCWatch
from tiltscreen.landmarks import Landmarks
from tiltscreen.pipeline import LandmarksJob, filter_landmarks
from tiltscreen.pose.estimator import Candidate, PoseOptions
from tiltscreen.pose.extract import extract_landmarks
from tiltscreen.pose.features import FeatureRecorder
from tiltscreen.pose.lines import LineRecorder
from tiltscreen.pose.model_store import locate_model, sha256_of
from tiltscreen.pose.subject import SubjectRule, SubjectTracker
from tiltscreen.signal import lowpass_points
from tiltscreen.sources import Frame, open_source


@dataclass(frozen=True)
class AnalyzeJob:
    """Options of ``tiltscreen analyze`` (parsed once at the edge)."""

    input: str
    out_dir: Path
    model: Path | None = None
    max_side: int | None = 960
    subject: SubjectRule = field(default_factory=SubjectRule)
    subject_height_cm: float | None = None
    marker_size_cm: float | None = None
    marker_dictionary: str = "DICT_4X4_50"
    age: float | None = None
    sex: str | None = None
    zero_offset_cm: float | None = None
    side: str = "auto"
    thresholds: Path | None = None
    key_frame: bool = True
    marker_colour: str = "green"
    baseline: Path | None = None


@dataclass
class Recording:
    """A recording's landmarks and outline features, extracted once.

    ``interrupted`` says why the frames stopped before the end of the recording (None when
    it ran to its end); ``stopped_by_ctrl_c`` is True when that was the user's Ctrl-C.
    """

    raw: Landmarks
    lm: Landmarks
    features: dict[str, np.ndarray]
    markers: list
    subject_fraction: float
    interrupted: str | None
    stopped_by_ctrl_c: bool = False
    #: near-vertical room lines on a few frames (the level's evidence, :mod:`tiltscreen.pose.lines`)
    lines: LineRecorder = field(default_factory=LineRecorder)


def extract(
    job: AnalyzeJob, *, extra_hooks: Sequence[Callable[[Frame, Candidate | None], None]] = ()
) -> Recording:
    """Landmarks with segmentation, fingertips, floor contacts and markers, filtered for recorded video.

    ``extra_hooks`` see every frame too (e.g. a protocol's sticker detector). Ctrl-C while the
    frames are read ends the reading, keeps what was processed and is recorded in the result.
    """
    model = locate_model(job.model)
    recorder = FeatureRecorder(marker_dictionary=job.marker_dictionary)
    lines = LineRecorder()
    with open_source(job.input, max_side=job.max_side) as source, CtrlCWatch() as ctrl_c:
        raw, report = extract_landmarks(
            source,
            options=PoseOptions(model_path=model, segmentation=True),
            tracker=SubjectTracker(rule=job.subject),
            hooks=[recorder, lines, *extra_hooks],
            model_sha256=sha256_of(model),
        )
    lm = (
        filter_landmarks(raw, LandmarksJob(input=job.input, out_dir=job.out_dir)) if raw.n_frames > 1 else raw
    )
    features = recorder.arrays()
    if raw.n_frames > 16:  # outline points jitter like landmarks: the same zero-phase 6 Hz low-pass
        features = {k: lowpass_points(v, raw.timestamps_s, cutoff_hz=6.0) for k, v in features.items()}
    return Recording(
        raw,
        lm,
        features,
        [d for _, d in recorder.markers],
        report.person_fraction,
        report.interrupted,
        stopped_by_ctrl_c=ctrl_c.pressed,
        lines=lines,
    )
