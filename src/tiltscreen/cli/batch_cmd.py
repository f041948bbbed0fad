"""``tiltscreen batch INPUTS --protocol standing|sit-and-reach|auto --out DIR [--jobs N] ...``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tiltscreen.cli.analyze_cmd import add_shared
from tiltscreen.errors import ValidationError

PROTOCOLS = ("standing", "sit-and-reach", "auto")
EXPORTS = ("nwb", "trc", "bids", "csv")
#: ``add_shared`` options that make no sense for many videos at once
NOT_IN_BATCH = ("baseline",)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the batch command (``analyze``'s options apply to every video)."""
    p.add_argument("inputs", nargs="*", help="folders, globs (quoted), manifest CSVs or videos")
    p.add_argument(
        "--protocol", required=True, choices=PROTOCOLS, help="test shown (auto: told from the video)"
    )
    p.add_argument(
        "--out", required=True, type=Path, help="output folder (results tables, one folder per video)"
    )
    p.add_argument("--manifest", type=Path, help="CSV with one row per video (see docs/batch.md)")
    p.add_argument("--jobs", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="where videos run")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (--executor dask)")
    p.add_argument("--export", default="", help=f"also export, comma-separated: {','.join(EXPORTS)}")
    add_shared(p)


def _exports(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in EXPORTS]
    if bad:
        raise ValidationError(f"--export takes {', '.join(EXPORTS)}, got {', '.join(bad)}.")
    return parts


def _check(args: argparse.Namespace) -> None:
    if not args.inputs and args.manifest is None:
        raise ValidationError("Give a folder, glob, manifest or video, or --manifest CSV.")
    if args.jobs < 1:
        raise ValidationError(f"--jobs must be at least 1, got {args.jobs}.")
    if args.executor == "dask" and not args.scheduler:
        raise ValidationError("--executor dask needs --scheduler tcp://HOST:PORT.")
    if args.scheduler and args.executor != "dask":
        raise ValidationError("--scheduler is for --executor dask.")
    for name in ("subject_height_cm", "marker_size_cm"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            raise ValidationError(f"--{name.replace('_', '-')} must be positive, got {value!r}.")
    if args.baseline is not None:
        raise ValidationError(
            "--baseline compares one recording with an earlier one: use 'tiltscreen analyze'."
        )


def config_from_args(args: argparse.Namespace):
    """Return the :class:`~tiltscreen.batch.runner.BatchConfig` of parsed arguments."""
    from tiltscreen.batch.executors import ExecutorSpec
    from tiltscreen.batch.runner import BatchConfig
    from tiltscreen.export.formats import require

    _check(args)
    exports = _exports(args.export)
    for fmt in exports:
        require(fmt)  # a missing extra fails now, not after hours of analysis
    options = {name: None if name in NOT_IN_BATCH else getattr(args, name) for name in shared_names()}
    for name in ("model", "thresholds"):
        if options.get(name) is not None:
            options[name] = Path(os.path.abspath(options[name]))
    return BatchConfig(
        inputs=tuple(args.inputs),
        out=Path(os.path.abspath(args.out)),
        protocol=args.protocol,
        options=options,
        executor=ExecutorSpec(args.executor, args.jobs, args.scheduler),
        manifest=args.manifest,
        export=exports,
        quiet=bool(getattr(args, "quiet", False)),
    )


def shared_names() -> list[str]:
    """Names of ``analyze``'s shared options (the defaults of a parser built with :func:`add_shared`)."""
    parser = argparse.ArgumentParser(add_help=False)
    add_shared(parser)
    return list(vars(parser.parse_args([])))


def run(args: argparse.Namespace) -> int:
    """Run the batch; print one line per outcome; exit 1 when a video ended with an unexpected error."""
    from tiltscreen.batch.runner import run_batch

    report = run_batch(config_from_args(args))
    if not getattr(args, "quiet", False):
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.statuses.items()))
        print(f"{report.videos} videos ({report.skipped} already done, {report.ran} run now): {counts}.")
        print(f"results in {args.out}/results.csv and .parquet; errors in {args.out}/errors.csv")
    if report.errors:
        print(
            f"tiltscreen: {report.errors} video(s) ended with an unexpected error: see errors.csv.",
            file=sys.stderr,
        )
        return 1
    return 0
