"""Level (camera roll) and yaw on a set of rendered clips, and the standing sticker tilt end to end (renders).

For every clip of a render set (``--set DIR`` with ``manifest.csv`` and one ground-truth JSON per clip,
``docs/synth.md``) this runs the real extraction of ``tiltscreen analyze`` once (cached by
``level_yaw_extract.py``) and then:

* each level method alone on what the clip shows (plumb line, marker's vertical edges, room verticals),
  the level the analysis chooses (``measure_level``), the former near-foot floor-contact roll, and "assume
  level" (roll 0), against the camera's true roll;
* the yaw estimate used by the analyses (and the former shoulder/hip estimate) against the true yaw (line of
  sight to the pelvis), and whether the view check refuses the clip;
* standing sets: :func:`~tiltscreen.protocols.standing.run.analyse_standing` (the analysis of
  ``tiltscreen analyze --protocol standing``) twice: as recorded, and with every level reference removed
  from the evidence (what the tool would say with none in view); the sticker tilt against the true sticker
  tilt (median over the same quiet window) and whether the 95% interval holds it.

Writes ``benchmarks/results/level_yaw_<set>.json`` and ``.md``. Computation (``run_set``, ``summarise``) is
separate from the report (``write_report``); every figure comes from the code.

    cd /work/wt/camera && PYTHONPATH=src:benchmarks /work/main/.venv/bin/python benchmarks/level_yaw.py \\
        --set /work/cache/dev/standing [--cache /work/cache/work/camera] [--fresh]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from level_yaw_extract import Cached, extract_clip  # noqa: E402
from level_yaw_report import write_report  # noqa: E402
from level_yaw_truth import Truth, truth  # noqa: E402

from tiltscreen.config.thresholds import Thresholds, load_thresholds  # noqa: E402
from tiltscreen.kinematics.camera import estimate_roll_deg  # noqa: E402
from tiltscreen.kinematics.level import METHOD_ASSUMED, measure_level  # noqa: E402
from tiltscreen.kinematics.view import estimate_yaw_deg, facing_direction, near_side  # noqa: E402
from tiltscreen.pose.lines import KIND_DARK_LINE, FrameVerticals, LineRecorder  # noqa: E402
from tiltscreen.protocols.recording import AnalyzeJob  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: containers a render set may hold (the generator writes H.264 .mp4, and other codecs in .avi / .webm)
VIDEO_SUFFIXES = (".mp4", ".avi", ".webm", ".mkv", ".mov")
RESULTS = ROOT / "benchmarks" / "results"
YAW_BANDS = ((0, 5), (5, 10), (10, 15), (15, 20), (20, 90))


def _only(frames: list[FrameVerticals], kind: str | None) -> list[FrameVerticals]:
    """The frames' segments of one kind (None: all)."""
    out = []
    for f in frames:
        keep = np.array([kind is None or k == kind for k in f.kinds], bool)
        seg = f.segments_px[keep] if len(f.segments_px) else f.segments_px
        out.append(
            FrameVerticals(f.frame_index, f.image_size, seg, tuple(k for k in f.kinds if kind in (None, k)))
        )
    return out


def _foot_roll(c: Cached, side: str) -> float:
    """The former standing fallback: heel and toe floor contacts of the near foot (medians over the clip)."""
    size = np.array(c.rec.lm.image_size, float)
    heel = c.rec.features[f"{side}_heel_floor"] * size
    toe = c.rec.features[f"{side}_toe_floor"] * size
    if not (np.isfinite(heel).any() and np.isfinite(toe).any()):
        return math.nan
    h, t = np.nanmedian(heel, axis=0), np.nanmedian(toe, axis=0)
    return estimate_roll_deg(np.vstack([h, t])) if abs(t[0] - h[0]) > 10 else math.nan


def level_errors(
    c: Cached, t: Truth, th: Thresholds, lines: list[FrameVerticals], side: str
) -> dict[str, Any]:
    """Roll error (estimate - truth, degrees) of every method that applies to this clip; None where not."""
    size = c.rec.lm.image_size
    corners = [m.corners_px for m in c.rec.markers]
    out: dict[str, Any] = {}
    for name, frames, marks in (
        ("plumb", _only(lines, KIND_DARK_LINE), []),
        ("marker", [], corners),
        ("room", lines, []),
        ("chosen", lines, corners),
    ):
        lev = measure_level(frames, marks, size, spreads=th.level)
        if name != "chosen" and lev.method == METHOD_ASSUMED:
            out[name] = None
            continue
        own = {"plumb": th.level.plumb_sd_deg, "marker": th.level.marker_sd_deg, "room": th.level.room_sd_deg}
        out[name] = {
            "error": lev.roll_deg - t.roll_deg,
            "sd": lev.sd_deg,
            "method": lev.method,
            "n": lev.n_lines,
            "fit_and_pitch_var": lev.sd_deg**2 - own.get(name, 0.0) ** 2,
        }
    foot = _foot_roll(c, side)
    out["feet"] = (
        None if not math.isfinite(foot) or c.protocol != "standing" else {"error": foot - t.roll_deg}
    )
    out["assumed"] = {"error": -t.roll_deg, "sd": th.level.assumed_sd_deg}
    return out


def _standing(c: Cached, t: Truth, th: Thresholds, *, no_reference: bool) -> dict[str, Any]:
    """The standing analysis of this clip (as recorded, or with every level reference removed)."""
    from tiltscreen.protocols.standing.run import analyse_standing

    rec = c.rec
    if no_reference:
        rec = dataclasses.replace(rec, markers=[], lines=LineRecorder())
    job = AnalyzeJob(input="clip", out_dir=Path("/nonexistent"), key_frame=False)
    s = analyse_standing(rec, job, th, c.sources)
    m = s["metrics"].get("pelvic_tilt_deg") or {}
    qw = s.get("quiet_window")
    frames = rec.lm.frame_index
    if qw:
        sel = (rec.lm.timestamps_s >= qw["start_s"] - 1e-6) & (rec.lm.timestamps_s <= qw["end_s"] + 1e-6)
        frames = frames[sel]
    gt = t.sticker_tilt_deg[frames[frames < len(t.sticker_tilt_deg)]]
    true_tilt = float(np.nanmedian(gt)) if np.isfinite(gt).any() else math.nan
    value, ci = m.get("value"), m.get("ci95")
    return {
        "status": s["status"],
        "within_limits": s["camera"]["within_limits"],
        "roll_method": s["camera"]["roll_method"],
        "tilt": value,
        "ci95": ci,
        "method": m.get("method"),
        "true_tilt": true_tilt,
        "error": None if value is None or m.get("method") != "markers" else value - true_tilt,
        "covered": None if value is None or ci is None else bool(ci[0] <= true_tilt <= ci[1]),
        "reasons": s["reasons"],
    }


def _view(c: Cached, protocol: str, side: str, facing: int, th: Thresholds) -> Any:
    """The protocol's own camera check (roll and yaw; set-up checks such as lens height left out)."""
    if protocol == "standing":
        from tiltscreen.protocols.standing import run

        return run._camera(c.rec, side, facing, run._roll(c.rec, th), th, [])
    from tiltscreen.protocols.sit_and_reach import run as sr_run

    return sr_run._camera(c.rec, side, facing, sr_run._roll(c.rec, th), th)


def _before_refused(c: Cached, side: str, facing: int) -> bool:
    """The former view check (commit 71a1f01): shoulder/hip yaw beyond 15 deg or feet over 0.2 apart."""
    from tiltscreen.kinematics.view import foot_separation

    yaw = estimate_yaw_deg(c.rec.lm, side, facing=facing).yaw_deg
    return not (abs(yaw) <= 15) or foot_separation(c.rec.lm, side, facing=facing) > 0.2


def _before(c: Cached, t: Truth, side: str, facing: int) -> dict[str, Any]:
    """The former standing marker path (commit 71a1f01), replicated: foot-contact roll over the quiet window,
    no parallax or yaw correction, interval from SDs 0.8, 1.0 and the roll's 1.5 / 1.96; refused when the
    shoulder/hip yaw exceeds 15 deg or the feet appear more than 0.2 trunk lengths apart."""
    from tiltscreen.kinematics.sticker_tilt import sticker_tilt_deg
    from tiltscreen.kinematics.summary import quiet_window
    from tiltscreen.kinematics.view import foot_separation

    lm = c.rec.lm
    w = quiet_window(lm, min_duration_s=1.0)
    rows = slice(w.start_index, w.stop_index) if w else slice(0, lm.n_frames)
    size = np.array(lm.image_size, float)
    heel, toe = (
        c.rec.features[f"{side}_heel_floor"][rows] * size,
        c.rec.features[f"{side}_toe_floor"][rows] * size,
    )
    roll = math.nan
    if np.isfinite(heel).any() and np.isfinite(toe).any():
        h, to = np.nanmedian(heel, axis=0), np.nanmedian(toe, axis=0)
        roll = estimate_roll_deg(np.vstack([h, to])) if abs(to[0] - h[0]) > 10 else math.nan
    yaw = estimate_yaw_deg(lm, side, facing=facing).yaw_deg
    refused = not (abs(yaw) <= 15) or foot_separation(lm, side, facing=facing) > 0.2 or abs(roll) > 10
    res = sticker_tilt_deg(c.sources.stickers.searches[rows], facing, roll if math.isfinite(roll) else 0.0)
    if res.tilt_deg is None or refused:
        return {"refused": refused, "error": None, "covered": None}
    half = 1.96 * math.sqrt(0.8**2 + 1.0**2 + (1.5 / 1.96) ** 2)
    true = float(np.nanmedian(t.sticker_tilt_deg[lm.frame_index[rows]]))
    err = res.tilt_deg - true
    return {"refused": False, "error": err, "covered": bool(abs(err) <= half)}


def run_clip(video: Path, protocol: str, cache: Path, th: Thresholds, *, fresh: bool) -> dict[str, Any]:
    """Every per-clip figure of one clip."""
    gt = json.loads(video.with_suffix(".json").read_text(encoding="utf-8"))
    t = truth(gt)
    c = extract_clip(video, protocol, cache, refresh=fresh)
    if not fresh:  # the line search replayed on the kept frames (the same frames the recorder looks at)
        c.rec = dataclasses.replace(
            c.rec, lines=c.replay_lines(LineRecorder(every=1, max_looks=LineRecorder.max_looks))
        )
    lines = c.rec.lines.frames
    row: dict[str, Any] = {
        "clip": video.stem,
        "true_roll": t.roll_deg,
        "true_pitch": t.pitch_deg,
        "true_yaw": t.yaw_deg,
    }
    try:
        facing = facing_direction(c.rec.lm)
        side = near_side(c.rec.lm, facing=facing)
    except ValueError as err:
        return row | {"failed": str(err)}
    row |= {"facing_ok": facing == t.facing, "side_ok": side == t.side}
    row["level"] = level_errors(c, t, th, lines, side)
    cam = _view(c, protocol, side, facing, th)
    row["yaw"] = {
        "estimate": cam.yaw_deg,
        "uncertainty": cam.yaw_uncertainty_deg,
        "error": cam.yaw_deg - t.yaw_deg,
    }
    row["view"] = {"refused": not cam.within_limits, "reasons": list(cam.reasons)}
    old = estimate_yaw_deg(c.rec.lm, side, facing=facing)
    row["yaw_shoulder_hip"] = {"estimate": old.image_yaw_deg, "error": old.image_yaw_deg - t.yaw_deg}
    if protocol == "standing":
        row["standing"] = _standing(c, t, th, no_reference=False)
        row["standing_no_reference"] = _standing(c, t, th, no_reference=True)
        row["before"] = _before(c, t, side, facing)
    else:
        row["before"] = {"refused": _before_refused(c, side, facing), "error": None, "covered": None}
    return row


def _label(set_dir: Path) -> str:
    """Return ``standing`` for a development set (``.../dev/standing``), else ``<parent>_standing``."""
    return set_dir.name if set_dir.parent.name == "dev" else f"{set_dir.parent.name}_{set_dir.name}"


def _cache_for(cache: Path, set_dir: Path) -> Path:
    """Return the cache folder of a set: ``<cache>/<set>`` (development) or ``<cache>/<parent>/<set>``."""
    return (
        cache / set_dir.name if set_dir.parent.name == "dev" else cache / set_dir.parent.name / set_dir.name
    )


def run_set(set_dir: Path, cache: Path, *, protocol: str, fresh: bool) -> list[dict[str, Any]]:
    """Per-clip figures for every clip of the set that has its ground truth."""
    th = load_thresholds()
    rows = []
    for video in sorted(v for v in set_dir.iterdir() if v.suffix.lower() in VIDEO_SUFFIXES):
        if video.with_suffix(".json").is_file():
            rows.append(run_clip(video, protocol, _cache_for(cache, set_dir), th, fresh=fresh))
            print(video.stem, flush=True)
    return rows


def _stats(errors: list[float]) -> dict[str, Any]:
    e = np.array([x for x in errors if x is not None and math.isfinite(x)], float)
    if not e.size:
        return {"n": 0}
    a = np.abs(e)
    return {
        "n": int(e.size),
        "mae": float(a.mean()),
        "median_abs": float(np.median(a)),
        "bias": float(e.mean()),
        "sd": float(e.std(ddof=1)) if e.size > 1 else 0.0,
        "rms": float(np.sqrt((e**2).mean())),
        "p95_abs": float(np.percentile(a, 95)),
        "max_abs": float(a.max()),
    }


def _tilt_summary(rows: list[dict[str, Any]], key: str, *, reference: bool | None = None) -> dict[str, Any]:
    """Tilt figures over the clips (``reference``: only those whose level came / did not come from one)."""
    if reference is not None:
        rows = [r for r in rows if (r["level"]["chosen"]["method"] != METHOD_ASSUMED) == reference]
    runs = [
        r[key]
        for r in rows
        if key in r and "true_tilt" in r.get(key, {}) or key == "before" and "standing" in r
    ]
    runs = [s for s in runs if s.get("method", "markers") == "markers" or s["error"] is None]
    reported = [s for s in runs if s["error"] is not None]
    return {
        "clips": len(runs),
        "reported": len(reported),
        "refused_or_missing": len(runs) - len(reported),
        "error": _stats([s["error"] for s in reported]),
        "covered": sum(bool(s["covered"]) for s in reported),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Set-level figures from the per-clip rows."""
    ok = [r for r in rows if "failed" not in r]
    level = {
        m: _stats([(r["level"][m] or {}).get("error") for r in ok])
        for m in ("plumb", "marker", "room", "chosen", "feet", "assumed")
    }
    for m in ("plumb", "marker", "room"):  # the method's own spread implied by its errors on these clips
        runs = [r["level"][m] for r in ok if r["level"][m]]
        excess = [x["error"] ** 2 - x["fit_and_pitch_var"] for x in runs]
        level[m]["implied_method_sd"] = float(math.sqrt(max(np.mean(excess), 0.0))) if runs else None
        level[m]["within_95"] = sum(abs(x["error"]) <= 1.96 * x["sd"] for x in runs)
    chosen_cov = [r for r in ok if r["level"]["chosen"]]
    level["chosen_within_95"] = sum(
        abs(r["level"]["chosen"]["error"]) <= 1.96 * r["level"]["chosen"]["sd"] for r in chosen_cov
    )
    bands = {}
    for lo, hi in YAW_BANDS:
        sel = [r for r in ok if lo <= abs(r["true_yaw"]) < hi]
        refused = [r for r in sel if r["view"]["refused"]]
        bands[f"{lo}-{hi}"] = {"clips": len(sel), "refused": len(refused)}
    wide = [r for r in ok if abs(r["true_yaw"]) >= 20]
    return {
        "clips": len(rows),
        "failed": [r["clip"] for r in rows if "failed" in r],
        "level": level,
        "yaw": _stats([r["yaw"]["error"] for r in ok]),
        "yaw_shoulder_hip": _stats([r["yaw_shoulder_hip"]["error"] for r in ok]),
        "yaw_within_15": _stats([r["yaw"]["error"] for r in ok if abs(r["true_yaw"]) <= 15]),
        "yaw_bands": bands,
        "wide_yaw_not_refused_outside": [
            r["clip"]
            for r in wide
            if not r["view"]["refused"]
            and (
                abs(r["yaw"]["error"]) > 1.96 * r["yaw"]["uncertainty"]
                or not r.get("standing", {}).get("covered", True)
            )
        ],
        "tilt": _tilt_summary(ok, "standing"),
        "tilt_reference": _tilt_summary(ok, "standing", reference=True),
        "tilt_no_reference_in_view": _tilt_summary(ok, "standing", reference=False),
        "tilt_before": _tilt_summary(ok, "before"),
        "before_refused_by_band": {
            f"{lo}-{hi}": sum(
                1 for r in ok if lo <= abs(r["true_yaw"]) < hi and r.get("before", {}).get("refused")
            )
            for lo, hi in YAW_BANDS
        },
        "tilt_no_reference": _tilt_summary(ok, "standing_no_reference"),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--set", required=True, type=Path, help="render set folder (manifest.csv, <clip>.mp4/.json)"
    )
    p.add_argument("--protocol", choices=("standing", "sit-and-reach", "auto"), default="auto")
    p.add_argument("--cache", type=Path, default=Path("/work/cache/work/camera"))
    p.add_argument("--fresh", action="store_true", help="extract again even when cached")
    p.add_argument("--no-save", action="store_true")
    a = p.parse_args(argv)
    protocol = a.protocol if a.protocol != "auto" else ("sit-and-reach" if "sr" in a.set.name else "standing")
    rows = run_set(a.set, a.cache, protocol=protocol, fresh=a.fresh)
    summary = summarise(rows)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "set": str(a.set),
        "protocol": protocol,
    }
    report = write_report(summary, rows, set_name=_label(a.set), meta=meta)
    print(report)
    if not a.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stem = RESULTS / f"level_yaw_{_label(a.set)}"
        stem.with_suffix(".json").write_text(
            json.dumps({"meta": meta, "summary": summary, "clips": rows}, indent=1, default=float) + "\n"
        )
        stem.with_suffix(".md").write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
