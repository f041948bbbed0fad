"""``tiltscreen screen --standing LEFT.mp4 [--standing-right RIGHT.mp4] --sit-and-reach SR.mp4 --out DIR``.

Each recording is analysed into its own folder. A recording that cannot be read, shows the
wrong test or nobody, or stops early does not stop the others: the joint reading uses what
could be measured and names the recording that could not be read. Ctrl-C stops the
screening; the reading then covers the recordings finished before it.

Exit code: 130 after Ctrl-C; otherwise that of the first recording that did not end ``ok`` or
``indeterminate`` (see ``tiltscreen analyze``); otherwise 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from tiltscreen.cli.analyze_cmd import add_shared, job_from_args, outcome_error, run_protocol
from tiltscreen.errors import InputError
from tiltscreen.results import Result

#: (folder and role, protocol, attribute of the parsed arguments)
MEMBERS = (
    ("standing", "standing", "standing"),
    ("standing_other_side", "standing", "standing_right"),
    ("sit_and_reach", "sit-and-reach", "sit_and_reach"),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the screen command."""
    p.add_argument("--standing", required=True, help="standing side-view video (one side)")
    p.add_argument("--standing-right", help="standing video of the other side (for left vs right)")
    p.add_argument("--sit-and-reach", help="sit-and-reach video")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    add_shared(p)


def _stand_in(protocol: str, job: Any, status: str, reason: str) -> Result:
    """Write and return the summary of a recording that gave none (unreadable, or Ctrl-C before it)."""
    from tiltscreen.outputs.files import write_json
    from tiltscreen.protocols.outcome import Outcome, outcome_summary

    stopped_by = "ctrl_c" if status == "interrupted" else None
    summary = outcome_summary(
        Outcome(status, (reason,), stopped_by=stopped_by), protocol=protocol, job=job, th=None, rec=None
    )
    job.out_dir.mkdir(parents=True, exist_ok=True)
    write_json(job.out_dir / "summary.json", summary)
    return Result.from_dict(summary)


def _run_member(protocol: str, job: Any) -> Result:
    """Analyse one recording; an unreadable one or Ctrl-C gives a stand-in summary instead of an error."""
    try:
        return run_protocol(protocol, job)
    except InputError as err:
        return _stand_in(protocol, job, "unreadable", str(err))
    except KeyboardInterrupt:
        return _stand_in(protocol, job, "interrupted", "Stopped with Ctrl-C before this recording was read.")


def run_members(args: argparse.Namespace) -> list[tuple[str, Result]]:
    """Run every given recording in turn (stopping at Ctrl-C); return ``(role, result)`` pairs."""
    from tiltscreen.pose.estimator import quiet_native_stderr

    base = job_from_args(args, input=args.standing, out_dir=args.out / "standing")
    done: list[tuple[str, Result]] = []
    with quiet_native_stderr():
        for role, protocol, attr in MEMBERS:
            video = getattr(args, attr)
            if not video:
                continue
            summary = _run_member(protocol, dataclasses.replace(base, input=video, out_dir=args.out / role))
            done.append((role, summary))
            if summary.get("stopped_by") == "ctrl_c":
                break
    return done


def _exit_code(done: list[tuple[str, Result]], out: Path) -> int:
    """130 after Ctrl-C, else the first failing recording's code (its reason printed), else 0."""
    code = 0
    for role, summary in done:
        error = outcome_error(summary, out / role)
        if error is None:
            continue
        print(f"tiltscreen: {role.replace('_', ' ')} ({summary.get('input')}): {error}", file=sys.stderr)
        if error.exit_code == 130 or code == 0:
            code = error.exit_code
    return code


def run(args: argparse.Namespace) -> int:
    """Run each protocol into its own sub-folder, then write the joint reading."""
    from tiltscreen.outputs.files import write_json
    from tiltscreen.screening.reading import joint_reading, left_right, reading_markdown

    done = run_members(args)
    standing = [s for role, s in done if role != "sit_and_reach"]
    sr = next((s for role, s in done if role == "sit_and_reach"), None)
    result = joint_reading(standing, sr, left_right(standing))
    if any(s.get("stopped_by") == "ctrl_c" for _, s in done):
        result["reading"] = f"Stopped with Ctrl-C before every recording was read. {result['reading']}"
    result["recordings"] = [
        {
            "role": role,
            "input": s.get("input"),
            "status": s.status,
            "reasons": list(s.reasons),
            "folder": str(args.out / role),
        }
        for role, s in done
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "screening.json", result)
    (args.out / "screening.md").write_text(reading_markdown(result), encoding="utf-8")
    if not args.quiet:
        print(result["reading"])
        print(f"results in {args.out}/ (screening.json, screening.md, one folder per recording)")
    return _exit_code(done, args.out)
