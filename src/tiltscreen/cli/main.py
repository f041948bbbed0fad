"""The ``tiltscreen`` command: a thin layer that parses arguments and turns errors into messages.

Exit codes (and the ``summary.json`` status that goes with each, README "Command line")
----------
0  success (``ok``; for ``analyze`` also ``indeterminate``)
1  another tiltscreen error (message printed)
2  bad input: missing, wrong type, unreadable, empty (``unreadable``); or bad arguments; for ``analyze``
   a recording that is not the test (``not_this_protocol``)
3  model missing, corrupt or failing its checksum
4  the source stopped mid-way (camera unplugged, stream ended, truncated file);
   everything processed before was saved (``interrupted``)
5  no person found (results saved, with the fraction of frames with a person; ``no_person``)
130 interrupted with Ctrl-C (what was processed is saved; ``interrupted``)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from tiltscreen import __version__
from tiltscreen.errors import TiltscreenError, ValidationError

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _common() -> argparse.ArgumentParser:
    """Options every sub-command accepts (also after the sub-command's name)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print errors only (no progress bar)",
    )
    return common


#: sub-commands: name, module in tiltscreen.cli (with ``add_arguments`` and ``run``), help, description
SUBCOMMANDS = (
    (
        "landmarks",
        "landmarks_cmd",
        "detect one subject's landmarks in a video, folder, camera or stream",
        "Per-frame landmark table (CSV + Parquet), JSON sidecar with units and provenance, summary.json, and "
        "optionally an annotated video.",
    ),
    (
        "analyze",
        "analyze_cmd",
        "analyse a recorded test (sit-and-reach or standing)",
        "summary.json (metrics with units, methods and 95% intervals; flags for review), a plot over time "
        "and an "
        "annotated key frame.",
    ),
    (
        "screen",
        "screen_cmd",
        "standing (one or both sides) + sit-and-reach, read together",
        "Runs each protocol into its own folder and writes screening.json and screening.md: one "
        "plain-language "
        "reading for the clinician, with the evidence.",
    ),
    (
        "export",
        "export_cmd",
        "export results as NWB, OpenSim .trc/.mot, BIDS motion or tidy CSV/Parquet tables",
        "Reads one output folder of 'analyze' or 'landmarks' (or a folder of them) and writes research "
        "formats with units, provenance and a data dictionary (needs the research extra for nwb and csv).",
    ),
    (
        "agreement",
        "agreement_cmd",
        "agreement with a clinic's reference values (Bland-Altman, ICC, SEM, MDC95)",
        "Matches the metrics of a folder of results with a reference CSV and reports, per metric, "
        "Bland-Altman bias and limits, ICC(2,1) and ICC(3,1) with 95% CIs, SEM and MDC95, with a plot.",
    ),
    (
        "batch",
        "batch_cmd",
        "analyse many videos (folder, glob or manifest), resumable, locally or on a Dask cluster",
        "One folder per video as 'analyze' writes it, plus results and errors tables (CSV and Parquet).",
    ),
    ("app", "app_cmd", "the clinician app: live guided screening in the browser, report, history", None),
    ("models", "models_cmd", "fetch, verify or list the pose model bundles", None),
    ("info", "info_cmd", "versions and model hash, for bug reports", None),
)


def _add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Register every sub-command; each module is imported here, not at start-up of another command."""
    import importlib

    for name, module_name, help_text, description in SUBCOMMANDS:
        module = importlib.import_module(f"tiltscreen.cli.{module_name}")
        p = sub.add_parser(name, parents=[_common()], help=help_text, description=description or help_text)
        module.add_arguments(p)
        p.set_defaults(func=module.run)


def _quiet_native_logs() -> None:
    """Keep OpenCV's and FFmpeg's own console noise out of users' terminals (before cv2 loads).

    Our own messages say what went wrong; a user can still set these variables to see more.
    """
    os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    os.environ.setdefault("GLOG_minloglevel", "2")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="tiltscreen",
        description=(
            "Posture screening from an ordinary camera: flags for a clinician's review, never a diagnosis."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tiltscreen {__version__}")
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=False, help="print errors only (no progress bar)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tiltscreen`` console script; returns the exit code."""
    _quiet_native_logs()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or EXIT_OK)
    except ValidationError as err:
        print(f"tiltscreen: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except TiltscreenError as err:
        print(f"tiltscreen: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("tiltscreen: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
