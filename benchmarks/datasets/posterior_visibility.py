"""Which posterior pelvic stickers a side camera sees in the sit-and-reach, from the ground truth alone.

Reads the ``.json`` ground truth of a rendered development set (no video, no screening tool) and prints, per
sticker, the share of frames it is visible at the seated start (before the first reach) and during the
holds, and
per posterior pair the sagittal separation (cm) and the error of the calibrated skin line against the bone
ASIS-PSIS tilt during the holds (line calibrated on the start frames: tilt = c - line). Renders only::

    python benchmarks/datasets/posterior_visibility.py /work/cache/dev/sr
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def clip_stats(gt: dict) -> dict:
    """Per-sticker visibility (start, hold) and per-pair separation and calibrated skin-line error."""
    near = gt["config"]["camera"]["side"]
    t = np.array(gt["frames"]["t_s"])
    hold = np.zeros(len(t), bool)
    for tr in gt["trials"]:
        hold |= (t >= tr["hold_start_s"]) & (t <= tr["hold_end_s"])
    start = t < gt["trials"][0]["start_s"]
    out: dict = {"visible": {}, "pairs": {}}
    for name, vis in gt["visible"].items():
        if name.endswith("_sticker"):
            v = np.array(vis, dtype=float)
            out["visible"][name.replace(f"{near}_", "near_")] = (v[start].mean(), v[hold].mean())
    tilt = np.array(gt["frames"][f"pelvic_tilt_{near}_deg"], dtype=float)
    for pair, sep in gt["subject"]["posterior_separation_cm"].items():
        line = np.array(gt["frames"][f"skin_line_{pair}_deg"], dtype=float)
        c = np.mean(tilt[start] + line[start])
        err = float(np.mean(c - line[hold] - tilt[hold]))
        out["pairs"][pair.replace(f"{near}_", "near_")] = (sep["sagittal_cm"], sep["full_cm"], err)
    return out


def main(folder: str) -> None:
    """Print the table for every ground truth in ``folder``."""
    gts = [json.loads(p.read_text()) for p in sorted(Path(folder).glob("*.json"))]
    stats = [clip_stats(gt) for gt in gts if gt["scene"] == "sit-and-reach"]
    print(f"{len(stats)} clips")
    names = sorted({n for s in stats for n in s["visible"]})
    for n in names:
        vals = np.array([s["visible"][n] for s in stats if n in s["visible"]])
        print(
            f"{n:28s} visible at start {vals[:, 0].mean():5.2f}  during holds {vals[:, 1].mean():5.2f}  "
            f"(n={len(vals)})"
        )
    for p in sorted({n for s in stats for n in s["pairs"]}):
        vals = np.array([s["pairs"][p] for s in stats if p in s["pairs"]])
        print(
            f"{p:28s} sagittal {vals[:, 0].mean():4.1f} cm (3-D {vals[:, 1].mean():4.1f}); "
            "calibrated skin line "
            f"error in holds: mean {vals[:, 2].mean():+5.2f}, max |{np.abs(vals[:, 2]).max():4.2f}| deg"
        )


if __name__ == "__main__":
    main(sys.argv[1])
