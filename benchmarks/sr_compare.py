"""Before/after on the same trials: two results of ``sit_and_reach_heldout.py`` (e.g. the previous tool's and
this one's on one render set), matched by clip and scripted trial, per mode.

    PYTHONPATH=src python benchmarks/sr_compare.py results/sit_and_reach_A_before.json \\
        results/sit_and_reach_A.json --out benchmarks/results/sit_and_reach_A_before_after.md
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sr_report import MAX_YAW_DEG, _stats  # noqa: E402


def _trials(result: dict[str, Any], mode: str) -> dict[tuple[str, int], dict[str, Any]]:
    return {
        (c["name"], t["gt_trial"]): t
        for c in result["clips"]
        if abs(c["yaw_deg"]) <= MAX_YAW_DEG
        for t in c["runs"].get(mode, {}).get("trials", [])
    }


def compare(before: dict[str, Any], after: dict[str, Any], mode: str) -> dict[str, Any]:
    """Reach error on the trials both report, and validity/hold on the trials both detect."""
    b, a = _trials(before, mode), _trials(after, mode)
    both = sorted(set(b) & set(a))
    reported = [k for k in both if b[k]["reported_cm"] is not None and a[k]["reported_cm"] is not None]
    out: dict[str, Any] = {"matched_trials": len(both), "both_reported": len(reported)}
    for name, res in (("before", b), ("after", a)):
        out[name] = {
            "reach_error": _stats([res[k]["error_cm"] for k in reported]),
            "hold_error_s": _stats(
                [
                    res[k]["hold_s"] - res[k]["truth"]["hold_s"]
                    for k in both
                    if res[k]["hold_s"] is not None and not res[k]["expected"]["bouncing"]
                ]
            ),
            "hold_short_caught": [
                sum("hold_short" in res[k]["codes"] for k in both if res[k]["expected"]["hold_short"]),
                sum(bool(res[k]["expected"]["hold_short"]) for k in both),
            ],
            "hold_short_false": [
                sum("hold_short" in res[k]["codes"] for k in both if not res[k]["expected"]["hold_short"]),
                sum(not res[k]["expected"]["hold_short"] for k in both),
            ],
            "out_of_frame_false": sum("out_of_frame" in res[k]["codes"] for k in both),
        }
    return out


def markdown(cmp: dict[str, dict[str, Any]], names: tuple[str, str]) -> str:
    """The comparison as a table per mode."""
    f = lambda x: "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.2f}"  # noqa: E731
    lines = [
        f"# Before / after on the same trials: `{names[0]}` vs `{names[1]}` (renders)",
        "",
        "| mode | version | reach error on trials both report: n, MAE, worst, bias (cm) "
        "| hold - scripted: MAE, bias, worst (s) | holds < 2 s flagged short | holds >= 2 s flagged short "
        "| out of frame (none true) |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, c in cmp.items():
        for ver in ("before", "after"):
            r, h = c[ver]["reach_error"], c[ver]["hold_error_s"]
            lines.append(
                f"| {mode} | {ver} | {r.get('n', 0)}, {f(r.get('mae'))}, {f(r.get('worst'))}, "
                f"{f(r.get('bias'))} | {f(h.get('mae'))}, {f(h.get('bias'))}, {f(h.get('worst'))} | "
                f"{c[ver]['hold_short_caught'][0]}/{c[ver]['hold_short_caught'][1]} | "
                f"{c[ver]['hold_short_false'][0]}/{c[ver]['hold_short_false'][1]} | "
                f"{c[ver]['out_of_frame_false']}/{c['matched_trials']} |"
            )
    lines += [
        "",
        "Reach truth: each version's own zero (the previous tool: the toe tip; this one: the box end face "
        "with the marker's place given, else the toe tip).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    before, after = json.loads(args.before.read_text()), json.loads(args.after.read_text())
    modes = [m for m in after["modes"] if m in before["modes"]]
    text = markdown({m: compare(before, after, m) for m in modes}, (args.before.stem, args.after.stem))
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
