"""``tiltscreen agreement RESULTS --reference REF.csv [--out DIR]`` and ``--template``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiltscreen.errors import ValidationError


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the agreement command."""
    p.add_argument("results", type=Path, help="a folder of 'tiltscreen analyze' output folders")
    p.add_argument(
        "--reference",
        type=Path,
        help="CSV of the clinic's reference values: recording_id, metric, reference_value "
        "(optional rater, method, session, unit, notes)",
    )
    p.add_argument("--out", type=Path, help="report folder (default RESULTS/agreement)")
    p.add_argument(
        "--template",
        type=Path,
        metavar="CSV",
        help="write a reference template for every recording and metric under RESULTS to CSV, then stop",
    )


def run(args: argparse.Namespace) -> int:
    """Write the template, or match the reference and write the report; print a one-line summary."""
    from tiltscreen.export.formats import require

    if args.template is not None:
        from tiltscreen.export.agreement_report import write_template

        path = write_template(args.results, args.template)
        if not getattr(args, "quiet", False):
            print(f"Reference template written to {path}: fill in reference_value (and rater, method).")
        return 0
    if args.reference is None:
        raise ValidationError("agreement needs --reference REF.csv (or --template CSV to write one).")
    require("csv")  # pandas and pingouin come with the research extra
    _require_pingouin()
    from tiltscreen.export.agreement_report import run_agreement

    out = args.out or Path(args.results) / "agreement"
    report = run_agreement(args.results, args.reference, out)
    if not getattr(args, "quiet", False):
        done = sum(c.result is not None for c in report.comparisons)
        print(
            f"Agreement of {done} of {len(report.comparisons)} comparison(s) written to "
            f"{out / 'agreement.md'}; "
            f"{len(report.issues)} issue(s) listed there."
        )
    return 0


def _require_pingouin() -> None:
    from tiltscreen.export.formats import MissingExtraError

    try:
        import pingouin  # noqa: F401
    except ImportError:
        raise MissingExtraError(
            "The agreement statistics need pingouin: install it with pip install 'tiltscreen[research]'."
        ) from None
