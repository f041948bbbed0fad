"""Run the standing protocol on a side-view recording and write its results (the I/O edge)."""

from __future__ import annotations

from typing import Any

from tiltscreen.config.thresholds import load_thresholds
from tiltscreen.outputs.standing_figures import write_figures
from tiltscreen.protocols.recording import AnalyzeJob, Recording
from tiltscreen.protocols.standing.run import analyse_standing
from tiltscreen.protocols.standing.tilt import make_sources
from tiltscreen.run.analyze import run_recording


def run_standing(job: AnalyzeJob) -> dict[str, Any]:
    """Extract, analyse and write ``summary.json``, the landmark tables and the figures."""
    th = load_thresholds(job.thresholds)
    sources = make_sources(job)

    def analyse(rec: Recording) -> tuple[dict[str, Any], Any]:
        summary = analyse_standing(rec, job, th, sources)
        return summary, (summary if summary["camera"] is not None else None)  # early outcomes: no figure

    return run_recording(
        job,
        protocol="standing",
        th=th,
        hooks=sources.hooks,
        analyse=analyse,
        figures=lambda rec, summary, _: write_figures(job, rec, summary),
    )
