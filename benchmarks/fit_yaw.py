"""Fit the yaw estimate's gains on development renders and measure its error by leaving one clip out.

For every clip of the given development sets (never a held-out set), the apparent far-minus-near spacing
of each left/right pair (:func:`tiltscreen.kinematics.yaw.pair_separations`, from the cached extraction of
``level_yaw_extract.py``) is paired with the true yaw of its own line of sight: the optical axis's yaw
(``level_yaw_truth.py``) turned by ``atan(x / f)`` for the pair's image column, true focal length. Per
pair, the gain ``k`` is the least-squares slope of spacing on ``sin(that yaw)`` (with ``--offsets`` also
the intercept: the spacing shown at a square view), its spread the residual RMS. The estimate itself uses
the assumed 65-degree field of view. Its error is measured by refitting without each clip in turn (leave
one clip out) and estimating that clip, against the optical axis's true yaw. Prints the ``camera.yaw``
block for ``thresholds.json`` and writes ``benchmarks/results/fit_yaw_<protocol>.{json,md}``.

    cd /work/wt/camera && PYTHONPATH=src:benchmarks /work/main/.venv/bin/python benchmarks/fit_yaw.py \\
        --protocol standing --pairs hip,foot --offsets \\
        --sets /work/cache/dev/standing_v0 /work/cache/dev/standing /work/cache/dev/camera_extra
    ... --protocol sit-and-reach --pairs hip,foot --sets /work/cache/dev/sr_v0 /work/cache/dev/sr
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from level_yaw_extract import extract_clip  # noqa: E402
from level_yaw_truth import truth  # noqa: E402

from tiltscreen.kinematics.view import facing_direction, near_side  # noqa: E402
from tiltscreen.kinematics.yaw import YawModel, estimate_view_yaw, line_of_sight_deg, pair_separations  # noqa: E402

#: containers a render set may hold (the generator writes H.264 .mp4, and other codecs in .avi / .webm)
VIDEO_SUFFIXES = (".mp4", ".avi", ".webm", ".mkv", ".mov")
RESULTS = Path(__file__).resolve().parent / "results"
PAIRS = ("hip", "heel", "foot_index", "foot", "shoulder", "ankle", "knee")
USED = ("hip", "heel", "foot_index")


def collect(sets: list[Path], cache: Path) -> list[dict[str, Any]]:
    """One row per clip: set, clip, protocol, true yaw, the pairs' spacings, the cached landmarks."""
    rows = []
    for set_dir in sets:
        protocol = "sit-and-reach" if "sr" in set_dir.name else "standing"
        for video in sorted(v for v in set_dir.iterdir() if v.suffix.lower() in VIDEO_SUFFIXES):
            if not video.with_suffix(".json").is_file():
                continue
            t = truth(json.loads(video.with_suffix(".json").read_text(encoding="utf-8")))
            c = extract_clip(video, protocol, cache / set_dir.name)
            try:
                facing = facing_direction(c.rec.lm)
                side = near_side(c.rec.lm, facing=facing)
            except ValueError:
                continue
            sep, _, xs = pair_separations(c.rec.lm, side, facing=facing, pairs=PAIRS)
            w = c.rec.lm.image_size[0]
            sight = {k: t.yaw_deg - facing * line_of_sight_deg(x, w, t.focal_px) for k, x in xs.items()}
            rows.append({"set": set_dir.name, "clip": video.stem, "protocol": protocol, "yaw": t.yaw_deg,
                         "sep": sep, "sight": sight, "lm": c.rec.lm, "side": side,
                         "facing": facing})  # fmt: skip
    return rows


def fit(
    rows: list[dict[str, Any]],
    pairs: tuple[str, ...],
    sd_deg: float = 1.0,
    *,
    split: bool = False,
    offset: bool = False,
    axis: bool = False,
) -> YawModel:
    """Gains (slope through the origin on sin(the pair's true line-of-sight yaw)) and residual spreads.

    ``split``: separate gains for views of the front and of the back (true line of sight's sign)."""
    gains, back, spreads, offsets = {}, {}, {}, {}
    for name in pairs:
        x = np.array([r["sep"][name] for r in rows])
        s = np.sin(np.radians([r["yaw"] if axis else r["sight"][name] for r in rows]))
        ok = np.isfinite(x) & np.isfinite(s)
        b = 0.0
        if offset:
            b, k = np.polyfit(s[ok], x[ok], 0 if False else 1)[::-1]
            x = x - b
        offsets[name] = float(b)
        k = float(x[ok] @ s[ok] / (s[ok] @ s[ok]))
        kb = k
        if split:
            f, b = ok & (s > 0), ok & (s < 0)
            k = float(x[f] @ s[f] / (s[f] @ s[f])) if f.sum() >= 3 else k
            kb = float(x[b] @ s[b] / (s[b] @ s[b])) if b.sum() >= 3 else k
        if not min(k, kb) > 0:  # no usable relation in these clips: the pair is left out
            continue
        pred = np.where(s > 0, k, kb) * s
        gains[name], back[name] = k, kb
        spreads[name] = float(np.sqrt(np.mean((x[ok] - pred[ok]) ** 2)))
    offsets = {k: v for k, v in offsets.items() if k in gains}
    return YawModel(gains, spreads, sd_deg, back if split else None, offsets if offset else None, not axis)


def leave_one_out(
    rows: list[dict[str, Any]],
    pairs: tuple[str, ...],
    *,
    split: bool = False,
    offset: bool = False,
    axis: bool = False,
) -> np.ndarray:
    """Estimate minus truth for each clip with the model fitted on all the others, degrees."""
    errs = []
    for i, r in enumerate(rows):
        model = fit(rows[:i] + rows[i + 1 :], pairs, split=split, offset=offset, axis=axis)
        est = estimate_view_yaw(r["lm"], r["side"], facing=r["facing"], model=model).yaw_deg
        errs.append(est - r["yaw"])
    return np.array(errs)


def _stats(e: np.ndarray) -> dict[str, float]:
    missing = int(np.sum(~np.isfinite(e)))
    e = e[np.isfinite(e)]
    a = np.abs(e)
    return {"n": int(e.size), "mae": float(a.mean()), "median_abs": float(np.median(a)),
            "bias": float(e.mean()), "sd": float(e.std(ddof=1)), "rms": float(np.sqrt((e**2).mean())),
            "max_abs": float(a.max()), "not_estimated": missing}  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sets", nargs="+", type=Path, required=True)
    p.add_argument("--protocol", choices=("standing", "sit-and-reach"), required=True)
    p.add_argument("--pairs", default=",".join(USED), help="pairs the estimate uses (comma-separated)")
    p.add_argument("--offsets", action="store_true", help="fit each pair's reading at a square view too")
    p.add_argument(
        "--axis", action="store_true", help="fit against the optical axis's yaw (no line-of-sight turn)"
    )
    p.add_argument("--cache", type=Path, default=Path("/work/cache/work/camera"))
    p.add_argument("--max-yaw", type=float, default=32.0, help="clips with |true yaw| above are left out")
    a = p.parse_args()
    if any("heldout" in str(s) for s in a.sets):  # never fit on held-out renders
        raise SystemExit("fit_yaw.py fits on development renders only.")
    used = tuple(a.pairs.split(","))
    rows = [r for r in collect(a.sets, a.cache) if abs(r["yaw"]) <= a.max_yaw and r["protocol"] == a.protocol]
    e = leave_one_out(rows, used, offset=a.offsets, axis=a.axis)
    model = fit(rows, used, offset=a.offsets, axis=a.axis)
    out: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "sets": [str(s) for s in a.sets],
        "protocol": a.protocol,
        "pairs": used,
        "offsets": a.offsets,
        "axis": a.axis,
        "loo": _stats(e),
        "loo_within_15": _stats(e[np.abs([r["yaw"] for r in rows]) <= 15]),
        "single_pair_loo_mae": {pr: _stats(leave_one_out(rows, (pr,)))["mae"] for pr in PAIRS},
        "per_clip": [
            {"clip": f"{r['set']}/{r['clip']}", "yaw": r["yaw"], "error": float(x)}
            for r, x in zip(rows, e, strict=True)
        ],
    }
    block = {"gains": {k: round(v, 4) for k, v in model.gains.items()},
             "spreads": {k: round(v, 4) for k, v in model.spreads.items()},
             "sd_deg": round(out["loo"]["rms"], 2)}  # fmt: skip
    if model.offsets is not None:
        block["offsets"] = {k: round(v, 4) for k, v in model.offsets.items()}
    if not model.line_of_sight:
        block["line_of_sight"] = False
    out["thresholds_block"] = block
    s = out["loo"]
    lines = [
        f"# Yaw estimate, {a.protocol}, fitted on development renders ({out['date']})",
        "",
        "Renders, not patients. Gain = slope of the apparent far-minus-near spacing (trunk lengths) on "
        "sin(the pair's true line-of-sight yaw); error = leave one clip out, against the optical axis's true "
        "yaw.",
        "",
        f"Sets: {', '.join(out['sets'])}; {s['n']} clips with |yaw| <= {a.max_yaw:g} deg; pairs "
        f"{', '.join(used)}{' with offsets' if a.offsets else ''}.",
        "",
        f"LOO MAE {s['mae']:.2f} deg, median {s['median_abs']:.2f}, bias {s['bias']:+.2f}, "
        f"RMS {s['rms']:.2f}, max {s['max_abs']:.2f}; within 15 deg: MAE "
        f"{out['loo_within_15']['mae']:.2f}, max {out['loo_within_15']['max_abs']:.2f}; not estimated "
        f"(no pair seen): {s['not_estimated']}.",
        "",
        "Single-pair LOO MAE: " + ", ".join(f"{k} {v:.2f}" for k, v in out["single_pair_loo_mae"].items()),
        "",
        "thresholds.json block: `" + json.dumps(block) + "`",
    ]
    stem = RESULTS / f"fit_yaw_{a.protocol.replace('-', '_')}"
    RESULTS.mkdir(exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(out, indent=1) + "\n")
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
