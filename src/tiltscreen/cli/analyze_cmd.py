"""``tiltscreen analyze VIDEO --protocol sit-and-reach --out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiltscreen.results import Result
from tiltscreen.run.analyze import STATUS_ERRORS, job_from_args, outcome_error

__all__ = ["STATUS_ERRORS", "add_arguments", "job_from_args", "outcome_error", "run", "run_protocol"]

PROTOCOLS = ("sit-and-reach", "standing")


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
    p.add_argument(
        "--marker-from-end-cm",
        type=float,
        help="sit-and-reach: distance from the box's end face (where the soles rest) to the marker's black "
        "square, along the box (see the README's set-up)",
    )
    p.add_argument(
        "--marker-from-top-cm",
        type=float,
        help="sit-and-reach: distance from the box's top surface down to the marker's black square",
    )
    p.add_argument("--box-width-cm", type=float, help="sit-and-reach: width of the box across, in cm")
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


def _first_sentence(text: str) -> str:
    """Return the first sentence of a reason for the console summary (summary.json keeps it whole)."""
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


def _print(result: Result, out_dir: Path | None = None) -> None:
    """Print the status, reasons, metrics and flags; ``out_dir`` defaults to the folder of the files."""
    print(f"{result.protocol}: {result.status}")
    for reason in result.reasons:
        print(f"  - {reason}")
    for name, m in result.metrics.items():
        value = "n/a" if m.value is None else f"{round(m.value, 2):g} {m.unit}"
        ci = (
            f"  (95% {round(m.ci95[0], 2):g} to {round(m.ci95[1], 2):g})"
            if m.ci95 and m.value is not None
            else ""
        )
        why = f"  ({_first_sentence(m.reason)})" if m.value is None and m.reason else ""
        print(f"  {name:>22}: {value}{ci}{why}")
    for flag in result.flags:
        print(f"  [{flag.level}] {flag.message}")
    files = result.get("files") or {}
    if out_dir is None and files:
        out_dir = Path(next(iter(files.values()))).parent
    print(f"results in {out_dir}/")


def run_protocol(protocol: str, job) -> Result:
    """Run one protocol's analysis (writing its result folder); return the typed result."""
    from tiltscreen.run.analyze import analyze

    return analyze(protocol, job)


def run(args: argparse.Namespace) -> int:
    """Run the protocol's analysis; print the key numbers; results in ``--out``."""
    from tiltscreen.pose.estimator import quiet_native_stderr

    job = job_from_args(args, input=args.input, out_dir=args.out)
    with quiet_native_stderr():
        result = run_protocol(args.protocol, job)
    if not args.quiet:
        _print(result, job.out_dir)
    error = outcome_error(result, job.out_dir)
    if error is not None:
        raise error
    return 0
