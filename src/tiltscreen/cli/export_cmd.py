"""``tiltscreen export RESULTS_DIR --format nwb|trc|bids|csv [--out DIR]``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from tiltscreen.errors import InputError, ValidationError

FORMATS = ("nwb", "trc", "bids", "csv")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the export command."""
    p.add_argument(
        "results",
        type=Path,
        help="an output folder of 'tiltscreen analyze' or 'landmarks', or a folder of them",
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="what to write (see README 'Export')")
    p.add_argument("--out", type=Path, help="output folder (default RESULTS/export/FORMAT)")
    p.add_argument(
        "--subject-id", help="subject ID (NWB subject, BIDS sub- label) when RESULTS is one recording"
    )
    p.add_argument("--session", help="BIDS session label (ses-) for every recording")
    p.add_argument(
        "--session-start",
        help="NWB session start time, ISO 8601 (e.g. 2026-03-01T09:30:00+01:00); "
        "default the video's creation time, else 1970-01-01T00:00:00Z (unknown)",
    )
    p.add_argument("--videos", type=Path, help="folder holding the input videos (for their SHA-256)")
    p.add_argument(
        "--table-formats", default="csv,parquet", help="csv format: tables as csv, parquet or both (default)"
    )


def _start(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"--session-start must be an ISO 8601 date and time, got {text!r}.") from None


def _table_formats(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    if not parts or any(p not in ("csv", "parquet") for p in parts):
        raise ValidationError(f"--table-formats must list csv and/or parquet, got {text!r}.")
    return parts


def run(args: argparse.Namespace) -> int:
    """Load every results folder under ``args.results`` and export them; print what was written."""
    from tiltscreen.export.formats import ExportOptions, export_results, require
    from tiltscreen.export.results import load_all

    require(args.format)
    recs, skipped = load_all(args.results)
    for s in skipped:
        print(f"tiltscreen: skipped {s.folder}: {s.reason}", file=sys.stderr)
    if not recs:
        raise InputError(f"No results folder under {args.results} could be loaded.")
    if args.subject_id is not None and len(recs) != 1:
        raise ValidationError(
            f"--subject-id names one recording's subject, but {len(recs)} recordings were found; "
            "without it each recording's folder name is its ID."
        )
    options = ExportOptions(
        subject_ids=[args.subject_id] if args.subject_id else None,
        session=args.session,
        session_start=_start(args.session_start),
        video_dir=args.videos,
        table_formats=_table_formats(args.table_formats),
    )
    out = args.out or Path(args.results) / "export" / args.format
    files = export_results(recs, args.format, out, options)
    if not getattr(args, "quiet", False):
        print(f"Exported {len(recs)} recording(s) as {args.format} into {out} ({len(files)} files).")
    return 0
