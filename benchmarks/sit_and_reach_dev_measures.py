"""Measurements behind the sit-and-reach validity tolerances, on development renders (cached extractions).

For every clip of ``--set`` cached by ``reach_cache.py``, runs the analysis in process (the packaged
thresholds, marker with its placement) and measures, during each scripted hold of the ground truth:

- the fingertip's frame-to-frame noise: SD of the reach about its 1 s moving median (cm);
- the outline's brief overshoots: runs of frames whose reach exceeds its hold median by more than 0.5 cm (s);
- the hands gap from MediaPipe's two index landmarks (unfiltered: the far hand's guess) against the truth
  (cm);
- the near knee's largest smoothed flexion against the truth (deg).

Writes ``benchmarks/results/sit_and_reach_dev_measures.{json,md}``. Usage::

    PYTHONPATH=src python benchmarks/sit_and_reach_dev_measures.py --set /work/cache/dev/reach_extra
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reach_cache  # noqa: E402
import sr_truth as truth  # noqa: E402
from sit_and_reach_heldout import RESULTS, cli_args  # noqa: E402


def clip_measures(video: Path, gt: dict[str, Any]) -> list[dict[str, Any]]:
    """Per scripted trial: noise, overshoots, hands gap error, knee reading."""
    from tiltscreen.cli.analyze_cmd import job_from_args  # noqa: PLC0415
    from tiltscreen.cli.main import build_parser  # noqa: PLC0415
    from tiltscreen.config.thresholds import load_thresholds  # noqa: PLC0415
    from tiltscreen.protocols.sit_and_reach import run  # noqa: PLC0415
    from tiltscreen.protocols.sit_and_reach.series import moving_median  # noqa: PLC0415

    rec, stickers, extras = reach_cache.load(video)
    args = build_parser().parse_args(["analyze", str(video), "--protocol", "sit-and-reach", "--out", "/tmp/u",
                                      *cli_args(gt, "marker")])  # fmt: skip
    job = job_from_args(args, input=str(video), out_dir=Path("/tmp/u"))
    _, parts = run.analyse(rec, job, load_thresholds(),
                           stickers, extras)  # fmt: skip
    s, side, facing = parts["series"], parts["side"], parts["facing"]
    px_cm = parts["scale"].px_per_cm
    other = "right" if side == "left" else "left"
    gap_px = np.abs(rec.raw.point(f"{side}_index")[:, 0] - rec.raw.point(f"{other}_index")[:, 0])
    knee = moving_median(s.knee_flexion_deg, s.t_s, width_s=0.25)
    level = moving_median(s.reach_cm, s.t_s, width_s=1.0)
    out = []
    for k, tr in enumerate(gt["trials"]):
        sel = (s.t_s >= tr["hold_start_s"] + 0.2) & (s.t_s <= tr["hold_end_s"] - 0.2)
        if sel.sum() < 5:
            continue
        tru = truth.trial_truth(gt, k, (tr["hold_start_s"], tr["hold_end_s"]))
        above = s.reach_cm[sel] - np.nanmedian(s.reach_cm[sel]) > 0.5
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, above.astype(int), 0]) != 0))[::2] / (
            1 / np.median(np.diff(s.t_s))
        )
        out.append({
            "clip": video.stem, "trial": k, "noise_cm": float(np.nanstd(s.reach_cm[sel] - level[sel])),
            "overshoots_s": [round(float(r), 3) for r in runs],
            "gap_error_cm": float(np.nanmedian(gap_px[sel]) / px_cm - tru["hands_gap_cm"]),
            "knee_true_deg": tru["knee_max_deg"], "knee_read_deg": float(np.nanmax(knee[sel])),
            "knee_read_median_deg": float(np.nanmedian(s.knee_flexion_deg[sel])),
            "knee_read_trial_deg": _trial_knee(parts["trials"], knee, s.t_s, tr),
            "facing": facing,
        })  # fmt: skip
    return out


def _trial_knee(trials: list, knee: np.ndarray, t: np.ndarray, scripted: dict[str, float]) -> float | None:
    """Largest smoothed knee reading over the detected trial containing the scripted hold's middle."""
    mid = (scripted["hold_start_s"] + scripted["hold_end_s"]) / 2
    for tr in trials:
        if t[tr.frames.start] <= mid <= t[tr.frames.stop - 1]:
            return float(np.nanmax(knee[tr.frames]))
    return None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures the thresholds cite."""
    noise = np.array([r["noise_cm"] for r in rows])
    over = np.array([d for r in rows for d in r["overshoots_s"]] or [0.0])
    gap = np.abs([r["gap_error_cm"] for r in rows])
    straight = [r["knee_read_deg"] for r in rows if r["knee_true_deg"] <= truth.STRAIGHT_KNEE_DEG]
    bent = [r["knee_read_deg"] for r in rows if r["knee_true_deg"] >= truth.BENT_KNEE_DEG]
    straight_t = [
        r["knee_read_trial_deg"]
        for r in rows
        if r["knee_true_deg"] <= truth.STRAIGHT_KNEE_DEG and r["knee_read_trial_deg"] is not None
    ]
    bent_t = [
        r["knee_read_trial_deg"]
        for r in rows
        if r["knee_true_deg"] >= truth.BENT_KNEE_DEG and r["knee_read_trial_deg"] is not None
    ]
    return {
        "trials": len(rows),
        "noise_cm": {"median": float(np.median(noise)), "p90": float(np.percentile(noise, 90)),
                     "max": float(noise.max())},
        "overshoot_s": {"n": int((over > 0).sum()), "max": float(over.max()),
                        "p90": float(np.percentile(over, 90))},
        "hands_gap_error_cm": {"median": float(np.median(gap)), "p95": float(np.percentile(gap, 95)),
                               "max": float(gap.max())},
        "knee_read_straight_max_deg": max(straight) if straight else None,
        "knee_read_bent_min_deg": min(bent) if bent else None,
        "knee_read_trial_straight_max_deg": max(straight_t) if straight_t else None,
        "knee_read_trial_bent_min_deg": min(bent_t) if bent_t else None,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--set", type=Path, required=True)
    args = p.parse_args(argv)
    rows = []
    for gt_path in sorted(args.set.glob("*.json")):
        gt = json.loads(gt_path.read_text())
        video = truth.video_of(gt_path, gt)
        if video is not None and reach_cache.cache_path(video, reach_cache.DEFAULT_CACHE).exists():
            rows += clip_measures(video, gt)
    result = {"set": str(args.set), "summary": summarise(rows), "trials": rows}
    su = result["summary"]
    text = "\n".join([
        f"# Sit-and-reach validity measurements on `{args.set.name}` (renders)", "",
        f"`benchmarks/sit_and_reach_dev_measures.py --set {args.set}`; {su['trials']} scripted holds (the "
        "middle, "
        "0.2 s in from each end). Renders, not patients.", "",
        f"- Fingertip noise about its 1 s moving median: median SD {su['noise_cm']['median']:.2f} cm, 90th "
        "percentile "
        f"{su['noise_cm']['p90']:.2f}, largest {su['noise_cm']['max']:.2f} cm.",
        f"- Outline overshoots (> 0.5 cm above the hold's median): {su['overshoot_s']['n']}, longest "
        f"{su['overshoot_s']['max']:.2f} s (90th percentile {su['overshoot_s']['p90']:.2f} s).",
        f"- Hands gap from MediaPipe's index landmarks minus the true gap: median |error| "
        f"{su['hands_gap_error_cm']['median']:.1f} cm, 95th percentile "
        f"{su['hands_gap_error_cm']['p95']:.1f} cm, "
        f"largest {su['hands_gap_error_cm']['max']:.1f} cm.",
        f"- Knee flexion read during the hold (largest, 0.25 s median): straight knees (true <= 5 deg) up to "
        f"{su['knee_read_straight_max_deg']:.1f} deg; bent knees (true >= 12 deg) from "
        f"{su['knee_read_bent_min_deg']:.1f} deg.",
        f"- The same over the whole detected trial (reach, hold, return): straight knees up to "
        f"{su['knee_read_trial_straight_max_deg']:.1f} deg; bent knees from "
        f"{su['knee_read_trial_bent_min_deg']:.1f} deg.",
        "",
    ])  # fmt: skip
    print(text)
    (RESULTS / "sit_and_reach_dev_measures.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "sit_and_reach_dev_measures.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
