"""The early statuses of an analysis (interrupted, no person, not the test, no side view) and summaries.

Recordings are stick figures (tests/unit/kinematics/figures.py) at 30 fps: long sitting is
``lean=30, thigh=90`` (legs along the floor), quiet standing the default upright pose.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from tests.unit.kinematics.figures import make_figure
from tests.unit.protocols.plain import assert_plain

from tiltscreen.config.thresholds import load_thresholds
from tiltscreen.landmarks import Landmarks
from tiltscreen.protocols.outcome import Outcome, View, gate, outcome_summary
from tiltscreen.protocols.recording import AnalyzeJob, Recording

TH = load_thresholds()
SITTING = {"lean": 30.0, "thigh": 90.0}


def recording(lm: Landmarks, **kw) -> Recording:
    return Recording(
        raw=lm,
        lm=lm,
        features={},
        markers=[],
        subject_fraction=kw.pop("subject_fraction", 1.0),
        interrupted=kw.pop("interrupted", None),
        **kw,
    )


def test_sitting_figure_passes_as_sit_and_reach() -> None:
    """2 s of long sitting, facing image-right, the right side near (higher visibility, nearer)."""
    found = gate(recording(make_figure(n_frames=60, **SITTING)), "sit-and-reach", TH)
    assert found == View(facing=1, side="right")


def test_side_option_is_kept() -> None:
    found = gate(recording(make_figure(n_frames=60, **SITTING)), "sit-and-reach", TH, side="left")
    assert found == View(facing=1, side="left")


@pytest.mark.parametrize(
    ("protocol", "pose", "n_frames", "phrase"),
    [
        pytest.param("standing", SITTING, 60, "standing upright and still for at least 1 s.", id="sitting"),
        pytest.param("sit-and-reach", {}, 60, "sitting on the floor with the legs straight", id="standing"),
        pytest.param("sit-and-reach", SITTING, 20, "for at least 1 s (at most 0.6 s).", id="too-short"),
    ],
)
def test_other_posture_is_not_this_protocol(protocol: str, pose: dict, n_frames: int, phrase: str) -> None:
    """20 frames at 30 fps last 19/30 = 0.63 s, shorter than the 1 s minimum."""
    found = gate(recording(make_figure(n_frames=n_frames, **pose)), protocol, TH)
    assert isinstance(found, Outcome) and found.status == "not_this_protocol"
    assert phrase in found.reasons[0]
    assert_plain(list(found.reasons))


def test_front_view_is_indeterminate() -> None:
    """Standing still seen from the front (yaw 90): the posture is there (so it is the test), but neither
    the nose nor the toes point sideways, so the facing direction cannot be told: a set-up to change, as a
    camera turned too far. The numbers behind it are kept apart, in the diagnostics."""
    found = gate(recording(make_figure(n_frames=60, yaw=90.0)), "standing", TH)
    assert isinstance(found, Outcome) and found.status == "indeterminate"
    assert found.reasons[0].startswith("Which way the subject faces could not be told")
    assert "Cues (median offsets in trunk lengths" in found.diagnostics
    assert "nose ahead of the ears" in found.diagnostics
    assert_plain(list(found.reasons))


def test_near_side_conflict_is_indeterminate() -> None:
    """Depth says the right side is nearer, visibility the left (far side 0.95, near 0.3)."""
    lm = make_figure(n_frames=60, near_vis=0.3, far_vis=0.95, **SITTING)
    found = gate(recording(lm), "sit-and-reach", TH)
    assert isinstance(found, Outcome) and found.status == "indeterminate"
    assert "side of the body faces the camera" in found.reasons[0]
    assert_plain(list(found.reasons))


def test_nobody_is_no_person() -> None:
    """2 of 60 frames with the subject (3.3%) is below the 5% of the landmarks job."""
    found = gate(recording(make_figure(n_frames=60, **SITTING), subject_fraction=2 / 60), "sit-and-reach", TH)
    assert isinstance(found, Outcome) and found.status == "no_person"
    assert found.reasons[0] == "No person was found: a person was seen in 2 of 60 frames (3.3%)."
    assert_plain(list(found.reasons))


def test_one_frame_without_anybody() -> None:
    lm = make_figure(n_frames=1)
    empty = dataclasses.replace(lm, xyz=np.full_like(lm.xyz, np.nan))
    found = gate(recording(empty, subject_fraction=0.0), "standing", TH)
    assert found.status == "no_person" and "0 of 1 frame (0.0%)" in found.reasons[0]


@pytest.mark.parametrize(
    ("kw", "stopped_by", "first"),
    [
        pytest.param(
            {"interrupted": "Stopped with Ctrl-C before the end of the video.", "stopped_by_ctrl_c": True},
            "ctrl_c",
            "Stopped with Ctrl-C after 60 frames (2.0 s of the recording).",
            id="ctrl-c",
        ),
        pytest.param(
            {"interrupted": "The video x.mp4 stopped after 60 of the 270 frames it announces."},
            "source",
            "The video x.mp4 stopped after 60 of the 270 frames it announces.",
            id="truncated",
        ),
    ],
)
def test_a_partial_recording_is_interrupted_before_anything_else(
    kw: dict, stopped_by: str, first: str
) -> None:
    """Checked first: even a recording with nobody in it (fraction 0) reads ``interrupted``.
    60 frames at 30 fps: 59/30 = 1.97 s."""
    rec = recording(make_figure(n_frames=60, **SITTING), subject_fraction=0.0, **kw)
    found = gate(rec, "sit-and-reach", TH)
    assert (found.status, found.stopped_by, found.reasons[0]) == ("interrupted", stopped_by, first)
    assert "Nothing is measured or flagged" in found.reasons[1]


def test_outcome_summary_has_no_metric_and_no_flag(tmp_path: Path) -> None:
    rec = recording(make_figure(n_frames=60, **SITTING), stopped_by_ctrl_c=True, interrupted="x")
    found = gate(rec, "standing", TH)
    job = AnalyzeJob(input="clip.mp4", out_dir=tmp_path)
    s = outcome_summary(found, protocol="standing", job=job, th=TH, rec=rec)
    assert (s["status"], s["stopped_by"], s["metrics"], s["flags"]) == ("interrupted", "ctrl_c", {}, [])
    assert (s["frames"], s["input"], s["schema"]) == (60, "clip.mp4", "tiltscreen-result/1")
    assert_plain(s["reasons"])
