"""``tiltscreen screen --standing LEFT.mp4 [--standing-right RIGHT.mp4] --sit-and-reach SR.mp4 --out DIR``."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from tiltscreen.cli.analyze_cmd import add_shared, job_from_args, run_protocol


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the screen command."""
    p.add_argument("--standing", required=True, help="standing side-view video (one side)")
    p.add_argument("--standing-right", help="standing video of the other side (for left vs right)")
    p.add_argument("--sit-and-reach", help="sit-and-reach video")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    add_shared(p)


def run(args: argparse.Namespace) -> int:
    """Run each protocol into its own sub-folder, then write the joint reading."""
    from tiltscreen.outputs.files import write_json
    from tiltscreen.pose.estimator import quiet_native_stderr
    from tiltscreen.protocols.common import Metric
    from tiltscreen.protocols.standing.analysis import asymmetry, asymmetry_flag
    from tiltscreen.screening.reading import joint_reading, reading_markdown

    base = job_from_args(args, input=args.standing, out_dir=args.out / "standing")
    standing, sr = [], None
    with quiet_native_stderr():
        standing.append(run_protocol("standing", base))
        if args.standing_right:
            standing.append(
                run_protocol(
                    "standing",
                    dataclasses.replace(
                        base, input=args.standing_right, out_dir=args.out / "standing_other_side"
                    ),
                )
            )
        if args.sit_and_reach:
            sr = run_protocol(
                "sit-and-reach",
                dataclasses.replace(base, input=args.sit_and_reach, out_dir=args.out / "sit_and_reach"),
            )
    lr = None
    by_side = {s["side"]: s for s in standing}
    if {"left", "right"} <= set(by_side):

        def metric(s):
            m = s["metrics"].get("pelvic_tilt_deg") or {
                "value": None,
                "unit": "deg",
                "method": "",
                "ci95": None,
            }
            return Metric(m["value"], m["unit"], m["method"], tuple(m["ci95"]) if m["ci95"] else None)

        lr = asymmetry(metric(by_side["left"]), metric(by_side["right"]))
        lr["flags"] = [f.as_dict() for f in asymmetry_flag(lr)]
    result = joint_reading(standing, sr, lr)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "screening.json", result)
    (args.out / "screening.md").write_text(reading_markdown(result), encoding="utf-8")
    if not args.quiet:
        print(result["reading"])
        print(f"results in {args.out}/ (screening.json, screening.md, one folder per recording)")
    return 0
