"""What every protocol analyses: a recording's landmarks and image measurements (:class:`Recording`).

Also the options every ``tiltscreen analyze`` protocol shares (:class:`AnalyzeJob`). The
recording is made by :func:`tiltscreen.run.recording.extract` (the one extraction path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tiltscreen.config.options import DEFAULTS, ExtractOptions, SubjectRule
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.lines import LineRecorder


@dataclass(frozen=True)
class AnalyzeJob:
    """Options of ``tiltscreen analyze`` (parsed once at the edge)."""

    input: str
    out_dir: Path
    model: Path | None = DEFAULTS.model
    max_side: int | None = DEFAULTS.max_side
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

    @property
    def extraction(self) -> ExtractOptions:
        """Return the extraction options of an analysis: person mask on, up to two poses, default filters."""
        return ExtractOptions(
            input=self.input,
            model=self.model,
            max_side=self.max_side,
            max_people=2,
            follow_poses=None,
            subject=self.subject,
            segmentation=True,
        )


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
