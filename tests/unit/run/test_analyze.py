"""The shared I/O edge: whatever happens after the frames were read, the folder gets tables and a summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.kinematics.figures import make_figure
from tests.unit.protocols.plain import assert_plain

import tiltscreen.run.analyze as runner
from tiltscreen.config.thresholds import load_thresholds
from tiltscreen.errors import EmptyVideoError, ValidationError
from tiltscreen.protocols.recording import AnalyzeJob, Recording

TH = load_thresholds()


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AnalyzeJob:
    """A job whose extraction returns 30 frames of a still stick figure (no video, no model)."""
    lm = make_figure(n_frames=30)
    rec = Recording(raw=lm, lm=lm, features={}, markers=[], subject_fraction=1.0, interrupted=None)
    monkeypatch.setattr(runner, "extract", lambda job, extra_hooks: rec)
    return AnalyzeJob(input="clip.mp4", out_dir=tmp_path / "out")


def _run(job: AnalyzeJob, analyse, figures=None) -> dict:
    def no_figures(*_):
        raise AssertionError("no figure should be drawn")

    return runner.run_recording(
        job, protocol="standing", th=TH, hooks=[], analyse=analyse, figures=figures or no_figures
    )


def _written(job: AnalyzeJob) -> dict:
    return json.loads((job.out_dir / "summary.json").read_text())


def test_ctrl_c_while_analysing_keeps_the_tables(job: AnalyzeJob) -> None:
    def analyse(rec):
        raise KeyboardInterrupt

    s = _run(job, analyse)
    assert (s["status"], s["stopped_by"], s["metrics"], s["flags"]) == ("interrupted", "ctrl_c", {}, [])
    assert s["reasons"][0] == "Stopped with Ctrl-C while the recording was being analysed."
    assert Path(s["files"]["landmarks_csv"]).is_file()
    assert _written(job)["status"] == "interrupted"


def test_a_refused_computation_is_indeterminate_with_the_detail_apart(job: AnalyzeJob) -> None:
    """The message cam01.mp4 used to end with (exit 2, no summary) now goes to ``diagnostics``."""
    internal = "trunk_inclination_deg: roll_deg must be a finite number in [-45, 45], got 49.02."

    def analyse(rec):
        raise ValidationError(internal)

    s = _run(job, analyse)
    assert (s["status"], s["diagnostics"], s["flags"]) == ("indeterminate", internal, [])
    assert_plain(s["reasons"])
    assert Path(s["files"]["landmarks_csv"]).is_file() and _written(job)["diagnostics"] == internal


def test_figures_only_for_a_full_analysis(job: AnalyzeJob) -> None:
    full = {"status": "ok", "reasons": []}
    s = _run(job, lambda rec: (dict(full), "parts"), figures=lambda rec, summary, parts: {"plot": parts})
    assert s["files"]["plot"] == "parts" and "landmarks_csv" in s["files"]
    s = _run(job, lambda rec: (dict(full), None))
    assert "plot" not in s["files"]


def test_a_video_without_frames_leaves_an_unreadable_summary(tmp_path: Path, monkeypatch) -> None:
    def extract(job, extra_hooks):
        raise EmptyVideoError("The video empty.mp4 holds no frame.")

    monkeypatch.setattr(runner, "extract", extract)
    job = AnalyzeJob(input="empty.mp4", out_dir=tmp_path / "out")
    with pytest.raises(EmptyVideoError):
        _run(job, analyse=None)
    s = _written(job)
    assert (s["status"], s["frames"], s["reasons"]) == (
        "unreadable",
        0,
        ["The video empty.mp4 holds no frame."],
    )
