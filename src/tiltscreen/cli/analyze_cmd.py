"""``tiltscreen analyze VIDEO --protocol sit-and-reach --out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiltscreen.errors import (
    InputError,
    NoPersonError,
    NotThisProtocolError,
    StoppedByUserError,
    StoppedEarlyError,
    TiltscreenError,
    ValidationError,
)
from tiltscreen.pose.subject import SubjectRule

PROTOCOLS = ("sit-and-reach", "standing")

#: the error (and so the exit code, README "Exit codes") each ``summary.json`` status ends with;
#: ``ok`` and ``indeterminate`` exit 0 (an indeterminate result says what to change in its reasons)
STATUS_ERRORS: dict[str, type[TiltscreenError]] = {
    "not_this_protocol": NotThisProtocolError,
    "unreadable": InputError,
    "no_person": NoPersonError,
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the analyze command."""
    p.add_argument("input", help="recorded video (side view) of the test")
    p.add_argument("--protocol", required=True, choices=PROTOCOLS, help="which test the video shows")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    add_shared(p)


def add_shared(p: argparse.ArgumentParser) -> None:
    """Options every protocol accepts (also used by ``tiltscreen screen``)."""
    p.add_argument("--model", type=Path, help="pose model bundle (.task)")
    p.add_argument(
        "--subject-height-cm", type=float, help="the subject's stature: gives a cm scale without a marker"
    )
    p.add_argument(
        "--marker-size-cm",
        type=float,
        help="side of the printed ArUco marker on the box (docs/marker_4x4_50_id0.png), in cm",
    )
    p.add_argument("--marker-dictionary", default="DICT_4X4_50", help="ArUco dictionary of the marker")
    p.add_argument("--age", type=float, help="age in years (for norms)")
    p.add_argument("--sex", choices=("F", "M"), help="sex (for norms)")
    p.add_argument(
        "--zero-offset-cm",
        type=float,
        help="also report the reach with this zero convention (e.g. 23 puts the toes at 23 cm)",
    )
    p.add_argument(
        "--side",
        choices=("auto", "left", "right"),
        default="auto",
        help="body side facing the camera (default: detected)",
    )
    p.add_argument(
        "--subject",
        default="auto",
        help="who the subject is when several people are in view (see 'tiltscreen landmarks --help')",
    )
    p.add_argument(
        "--thresholds", type=Path, help="a thresholds file replacing the packaged one (same format)"
    )
    p.add_argument("--max-side", type=int, default=960, help="downscale before inference (0 = never)")
    p.add_argument(
        "--marker-colour",
        default="green",
        help="standing: colour of the ASIS/PSIS skin stickers (green, blue, red, yellow or #rrggbb)",
    )
    p.add_argument(
        "--baseline",
        type=Path,
        help="standing: an earlier summary.json of the same patient and side, to flag a change",
    )


def job_from_args(args: argparse.Namespace, *, input: str, out_dir: Path):
    """Return the protocol job from parsed arguments."""
    from tiltscreen.protocols.recording import AnalyzeJob

    for name in ("subject_height_cm", "marker_size_cm"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            raise ValidationError(f"--{name.replace('_', '-')} must be positive, got {value!r}.")
    return AnalyzeJob(
        input=input,
        out_dir=out_dir,
        model=args.model,
        max_side=args.max_side or None,
        subject=SubjectRule.parse(args.subject),
        subject_height_cm=args.subject_height_cm,
        marker_size_cm=args.marker_size_cm,
        marker_dictionary=args.marker_dictionary,
        age=args.age,
        sex=args.sex,
        zero_offset_cm=args.zero_offset_cm,
        side=args.side,
        thresholds=args.thresholds,
        marker_colour=args.marker_colour,
        baseline=args.baseline,
    )


def _first_sentence(text: str) -> str:
    """Return the first sentence of a reason for the console summary (summary.json keeps it whole)."""
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


def outcome_error(summary: dict, out_dir: Path) -> TiltscreenError | None:
    """Return the error a summary's status ends the command with (None for ``ok`` and ``indeterminate``).

    Its message is the summary's first reason and where the results are; the error's
    ``exit_code`` is the command's exit code.
    """
    status = summary["status"]
    if status == "interrupted":
        kind: type[TiltscreenError] = (
            StoppedByUserError if summary.get("stopped_by") == "ctrl_c" else StoppedEarlyError
        )
    elif status in STATUS_ERRORS:
        kind = STATUS_ERRORS[status]
    else:
        return None
    first = summary["reasons"][0] if summary["reasons"] else f"Status {status}."
    return kind(f"{first} Results saved in {out_dir}/.")


def _print(summary: dict, out_dir: Path | None = None) -> None:
    """Print the status, reasons, metrics and flags; ``out_dir`` defaults to the folder of the files."""
    print(f"{summary['protocol']}: {summary['status']}")
    for reason in summary["reasons"]:
        print(f"  - {reason}")
    for name, m in summary["metrics"].items():
        value = "n/a" if m["value"] is None else f"{m['value']:g} {m['unit']}"
        ci = f"  (95% {m['ci95'][0]:g} to {m['ci95'][1]:g})" if m["ci95"] else ""
        why = f"  ({_first_sentence(m.get('reason'))})" if m["value"] is None and m.get("reason") else ""
        print(f"  {name:>22}: {value}{ci}{why}")
    for flag in summary["flags"]:
        print(f"  [{flag['level']}] {flag['message']}")
    files = summary.get("files") or {}
    if out_dir is None and files:
        out_dir = Path(next(iter(files.values()))).parent
    print(f"results in {out_dir}/")


def run_protocol(protocol: str, job) -> dict:
    """Run one protocol's analysis; returns its summary."""
    from tiltscreen.run.analyze import run_protocol as run

    return run(protocol, job)


def run(args: argparse.Namespace) -> int:
    """Run the protocol's analysis; print the key numbers; results in ``--out``."""
    from tiltscreen.pose.estimator import quiet_native_stderr

    job = job_from_args(args, input=args.input, out_dir=args.out)
    with quiet_native_stderr():
        summary = run_protocol(args.protocol, job)
    if not args.quiet:
        _print(summary, job.out_dir)
    error = outcome_error(summary, job.out_dir)
    if error is not None:
        raise error
    return 0
