"""The I/O edge every protocol shares: extract, save the landmarks, analyse, draw, write ``summary.json``.

Whatever happens after the first frame was read, the folder ends with the landmark tables
and a ``summary.json`` whose ``status`` says how the analysis ended:

* the analysis's own status (``ok``, ``indeterminate``, ``not_this_protocol``, ``no_person``,
  ``interrupted`` when the frames stopped early; see :mod:`tiltscreen.protocols.outcome`);
* ``interrupted`` when Ctrl-C arrives after the frames were read (while analysing or drawing);
* ``indeterminate`` when a computation refuses the recording's values (a
  :class:`~tiltscreen.errors.ValidationError`): a plain sentence in ``reasons``, the technical
  message in ``diagnostics``;
* ``unreadable`` when the video opened but held no frame (the error is then raised again for
  the command line's message and exit code).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tiltscreen.config.options import SubjectRule
from tiltscreen.config.thresholds import Thresholds
from tiltscreen.errors import (
    EmptyVideoError,
    InputError,
    NoPersonError,
    NotThisProtocolError,
    StoppedByUserError,
    StoppedEarlyError,
    TiltscreenError,
    ValidationError,
)
from tiltscreen.outputs.files import write_json
from tiltscreen.protocols.outcome import NOTHING_FROM_PART, Outcome, outcome_summary
from tiltscreen.protocols.recording import AnalyzeJob, Recording
from tiltscreen.results import Result
from tiltscreen.run.recording import extract

#: ``analyse(rec)`` returns the summary and what the figures need (None: no figure)
Analyse = Callable[[Recording], tuple[dict[str, Any], Any]]
#: ``figures(rec, summary, parts)`` draws and returns ``{name: path}``
Figures = Callable[[Recording, dict[str, Any], Any], dict[str, str]]

NOT_ANALYSED = (
    "This recording could not be analysed: one of its intermediate measurements was outside the range the "
    "analysis accepts, so nothing is reported from it."
)


def run_recording(
    job: AnalyzeJob,
    *,
    protocol: str,
    th: Thresholds,
    hooks: Sequence[Callable[..., None]],
    analyse: Analyse,
    figures: Figures,
) -> dict[str, Any]:
    """Extract, save the landmark tables, analyse, draw and write ``summary.json``; return the summary.

    Raises
    ------
    EmptyVideoError
        After writing an ``unreadable`` summary, when the video holds no frame.
    TiltscreenError
        Any other error of the input or the model, before anything is written.

    """
    job.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        rec = extract(job, extra_hooks=hooks)
    except EmptyVideoError as err:
        empty = Outcome("unreadable", (str(err),))
        _write(job, outcome_summary(empty, protocol=protocol, job=job, th=th, rec=None))
        raise
    files: dict[str, str] = {}
    try:
        files.update(_tables(rec, job))
        summary = _analyse(rec, job, protocol=protocol, th=th, analyse=analyse, figures=figures, files=files)
    except KeyboardInterrupt:  # after the frames were read: keep the tables, measure nothing
        if not files:
            files.update(_tables(rec, job))
        stopped = Outcome(
            "interrupted",
            ("Stopped with Ctrl-C while the recording was being analysed.", NOTHING_FROM_PART),
            stopped_by="ctrl_c",
        )
        summary = outcome_summary(stopped, protocol=protocol, job=job, th=th, rec=rec)
    summary["files"] = files
    _write(job, summary)
    return summary


def _analyse(
    rec: Recording,
    job: AnalyzeJob,
    *,
    protocol: str,
    th: Thresholds,
    analyse: Analyse,
    figures: Figures,
    files: dict[str, str],
) -> dict[str, Any]:
    """Analyse and draw (adding the figures to ``files``); a refused computation ends ``indeterminate``."""
    try:
        summary, parts = analyse(rec)
    except ValidationError as err:
        refused = Outcome("indeterminate", (NOT_ANALYSED,), diagnostics=str(err))
        return outcome_summary(refused, protocol=protocol, job=job, th=th, rec=rec)
    if parts is not None:
        files.update(figures(rec, summary, parts))
    return summary


def _tables(rec: Recording, job: AnalyzeJob) -> dict[str, str]:
    from tiltscreen.outputs.tables import save_landmarks

    return {f"landmarks_{k}": str(v) for k, v in save_landmarks(rec.lm, job.out_dir).items()}


def _write(job: AnalyzeJob, summary: dict[str, Any]) -> None:
    write_json(job.out_dir / "summary.json", summary)


#: the protocols ``tiltscreen analyze`` runs (command-line name → runner module and function)
PROTOCOLS = {
    "standing": ("tiltscreen.run.standing", "run_standing"),
    "sit-and-reach": ("tiltscreen.protocols.sit_and_reach.run", "run_sit_and_reach"),
}


def run_protocol(protocol: str, job: AnalyzeJob) -> dict[str, Any]:
    """Run one protocol on ``job`` (extract, analyse, write the result folder); return its summary."""
    import importlib

    try:
        module, name = PROTOCOLS[protocol]
    except KeyError:
        raise ValidationError(f"protocol must be one of {sorted(PROTOCOLS)}, got {protocol!r}.") from None
    runner: Callable[[AnalyzeJob], dict[str, Any]] = getattr(importlib.import_module(module), name)
    return runner(job)


def analyze(protocol: str, job: AnalyzeJob) -> Result:
    """Run one protocol on ``job`` (writing its folder, as :func:`run_protocol`); return the typed result."""
    return Result.from_dict(run_protocol(protocol, job))


#: the error (and so the exit code, README "Exit codes") each ``summary.json`` status ends with;
#: ``ok`` and ``indeterminate`` exit 0 (an indeterminate result says what to change in its reasons)
STATUS_ERRORS: dict[str, type[TiltscreenError]] = {
    "not_this_protocol": NotThisProtocolError,
    "unreadable": InputError,
    "no_person": NoPersonError,
}


def job_from_args(args: Any, *, input: str, out_dir: Path) -> AnalyzeJob:
    """Return the protocol job from parsed options (the names of `tiltscreen analyze`, e.g. argparse)."""
    for name in ("subject_height_cm", "marker_size_cm", "box_width_cm"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            raise ValidationError(f"--{name.replace('_', '-')} must be positive, got {value!r}.")
    for name in ("marker_from_end_cm", "marker_from_top_cm"):
        value = getattr(args, name)
        if value is not None and not value >= 0:
            raise ValidationError(f"--{name.replace('_', '-')} must be 0 or more, got {value!r}.")
    return AnalyzeJob(
        input=input,
        out_dir=out_dir,
        model=args.model,
        max_side=args.max_side or None,
        subject=SubjectRule.parse(args.subject),
        subject_height_cm=args.subject_height_cm,
        marker_size_cm=args.marker_size_cm,
        marker_dictionary=args.marker_dictionary,
        marker_from_end_cm=args.marker_from_end_cm,
        marker_from_top_cm=args.marker_from_top_cm,
        box_width_cm=args.box_width_cm,
        age=args.age,
        sex=args.sex,
        zero_offset_cm=args.zero_offset_cm,
        side=args.side,
        thresholds=args.thresholds,
        marker_colour=args.marker_colour,
        baseline=args.baseline,
    )


def outcome_error(result: Result, out_dir: Path) -> TiltscreenError | None:
    """Return the error a result's status ends the command with (None for ``ok`` and ``indeterminate``).

    Its message is the result's first reason and where the results are; the error's
    ``exit_code`` is the command's exit code.
    """
    status = result.status
    if status == "interrupted":
        kind: type[TiltscreenError] = (
            StoppedByUserError if result.get("stopped_by") == "ctrl_c" else StoppedEarlyError
        )
    elif status in STATUS_ERRORS:
        kind = STATUS_ERRORS[status]
    else:
        return None
    first = result.reasons[0] if result.reasons else f"Status {status}."
    return kind(f"{first} Results saved in {out_dir}/.")
