"""Sit-and-reach on a folder of rendered clips: reach accuracy, trial validity, refusals (real command line).

For every ``<clip>.mp4`` with its ground truth ``<clip>.json`` in ``--set DIR``, runs the real
``tiltscreen analyze --protocol sit-and-reach`` (as a subprocess, this checkout's sources) in each mode:

- ``marker``: ``--marker-size-cm`` with the marker's place on the box and the box width
  (``--marker-from-end-cm --marker-from-top-cm --box-width-cm``, from the ground truth, as a user measures
  them);
- ``marker_only``: ``--marker-size-cm`` alone (the reach is then taken from the toe tip);
- ``stature``: ``--subject-height-cm`` alone;

always with ``--age --sex``. It then compares every detected trial with the truth (sr_truth.py) and writes
``benchmarks/results/sit_and_reach_<set>.json`` and ``.md``. Summaries are cached in ``--work`` per clip,
mode and tool commit, so a rerun only re-analyses what changed. Usage (main venv, from the repository root)::

    PYTHONPATH=src python benchmarks/sit_and_reach_heldout.py --set /work/cache/dev/sr_v0

Renders, not patients: every figure is an optimistic bound.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sr_report  # noqa: E402
import sr_truth as truth  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_WORK = Path("/work/cache/work/reach/bench")
MODES = ("marker", "marker_only", "stature")
#: the reach truth each method is compared with: beyond the box end face, or beyond the toe tip
TRUTH_OF_KIND = {"box_end": "reach_box_cm", "plane_toe": "reach_toe_cm", "pixels": "reach_toe_cm"}


def tool_commit() -> str:
    """Short commit of this checkout (+ "-dirty" with uncommitted changes under src/)."""

    def git(*a: str) -> str:
        return subprocess.run(
            ["git", *a], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "src")
    return git("rev-parse", "--short", "HEAD") + ("-dirty" if dirty else "")


def cli_args(gt: dict[str, Any], mode: str) -> list[str]:
    """Command-line options of one mode for this clip (from its ground truth)."""
    subj = truth.subject(gt)
    args = ["--age", f"{subj['age']:g}", "--sex", subj["sex"]]
    place = truth.placement(gt)
    if mode == "stature":
        return [*args, "--subject-height-cm", f"{subj['stature_cm']:.1f}"]
    if place is None:
        return args
    args += ["--marker-size-cm", f"{place['size_cm']:g}"]
    if mode == "marker":
        args += [
            "--marker-from-end-cm",
            f"{place['from_end_cm']:g}",
            "--marker-from-top-cm",
            f"{place['from_top_cm']:g}",
            "--box-width-cm",
            f"{place['box_width_cm']:g}",
        ]
    return args


def run_cli(
    video: Path, gt: dict[str, Any], mode: str, work: Path, commit: str, src: Path = ROOT / "src"
) -> dict[str, Any] | None:
    """Run (or reuse) ``tiltscreen analyze`` on one clip in one mode; return its summary and exit code."""
    out = work / video.parent.name / video.stem / mode
    stamp = out / "run.json"
    args = cli_args(gt, mode)
    if stamp.exists():
        done = json.loads(stamp.read_text())
        if done.get("commit") == commit and done.get("args") == args and "-dirty" not in commit:
            return done
    out.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "tiltscreen.cli.main",
        "analyze",
        str(video),
        "--protocol",
        "sit-and-reach",
        "--out",
        str(out),
        *args,
    ]
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() and proc.returncode == 0 else None
    done = {
        "commit": commit,
        "args": args,
        "exit_code": proc.returncode,
        "summary": summary,
        "stderr": proc.stderr[-500:],
    }
    stamp.write_text(json.dumps(done))
    return done


def analyse_cached(
    video: Path, gt: dict[str, Any], mode: str, *, hands: bool = True
) -> dict[str, Any] | None:
    """Development shortcut (``--cached``): the same analysis on a cached extraction (reach_cache.py),
    options parsed by the real command line; no MediaPipe run. With an earlier version's sources first on
    ``PYTHONPATH`` (an ``analyse`` without the hook arrays) it analyses as that version: the box-placement
    options it lacks are dropped (``marker`` runs as ``marker_only``), as ``--tool-src`` does."""
    import inspect  # noqa: PLC0415

    import reach_cache  # noqa: PLC0415

    from tiltscreen.cli.analyze_cmd import job_from_args  # noqa: PLC0415
    from tiltscreen.cli.main import build_parser  # noqa: PLC0415
    from tiltscreen.config.thresholds import load_thresholds  # noqa: PLC0415
    from tiltscreen.protocols.sit_and_reach import run  # noqa: PLC0415

    if not reach_cache.cache_path(video, reach_cache.DEFAULT_CACHE).exists():
        return None
    legacy = "extras" not in inspect.signature(run.analyse).parameters
    rec, stickers, extras = reach_cache.load(video, hands=hands)
    opts = cli_args(gt, "marker_only" if legacy and mode == "marker" else mode)
    argv = ["analyze", str(video), "--protocol", "sit-and-reach", "--out", "/tmp/unused", *opts]
    job = job_from_args(build_parser().parse_args(argv), input=str(video), out_dir=Path("/tmp/unused"))
    th = load_thresholds()
    summary, _ = run.analyse(rec, job, th, stickers, *(() if legacy else (extras,)))
    return {"exit_code": 0, "summary": json.loads(json.dumps(summary, default=str))}


def analyse_cached_elsewhere(src: Path, gt_path: Path, modes: tuple[str, ...]) -> dict[str, Any]:
    """:func:`analyse_cached` of every mode with another checkout's sources (``src``) first on the path, in a
    subprocess (this process keeps this checkout's sources for scoring); ``{mode: result or None}``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(Path(__file__).resolve().parent)])}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--analyse-one", str(gt_path), ",".join(modes)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(f"{gt_path.stem}: the earlier sources failed: {out.stderr.strip()[-500:]}", flush=True)
        return dict.fromkeys(modes)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _analyse_one(gt_path: Path, modes: str) -> int:
    """Subprocess side of :func:`analyse_cached_elsewhere`: print the results as one JSON line."""
    gt = json.loads(gt_path.read_text())
    video = truth.video_of(gt_path, gt)
    res = {m: analyse_cached(video, gt, m, hands=False) for m in modes.split(",")}
    print(json.dumps(res, default=str))
    return 0


def recompute(summary: dict[str, Any], px: list[float] | None, *, toe_px: list[float] | None = None) -> float:
    """The tool's reach (cm) for one fingertip pixel, through the geometry the summary records."""
    from tiltscreen.kinematics.box_plane import MarkerPlacement, fit_plane  # noqa: PLC0415
    from tiltscreen.protocols.sit_and_reach import reach as rm  # noqa: PLC0415

    geo = summary.get("reach_geometry") or {}
    if px is None or not all(map(math.isfinite, px)):
        return math.nan
    tip = np.asarray(px, float).reshape(1, 2)
    toe = np.asarray(toe_px if toe_px is not None else geo.get("toe_px") or [np.nan, np.nan], float)
    plane = geo.get("box_plane")
    if plane is not None:
        fit = fit_plane(
            np.asarray(plane["corners_px"], float),
            placement=MarkerPlacement(**plane["placement"]),
            facing=plane["facing"],
            image_size=tuple(plane["image_size"]),
            corner_sd_px=rm.CORNER_SD_PX,
        )
        return float(rm.reach_on_plane(fit, tip, toe).reach[0])
    scale = summary.get("scale", {}).get("px_per_cm")
    facing = 1 if summary.get("facing") == "image-right" else -1
    roll = summary.get("camera", {}).get("roll_deg") or 0.0
    return float(rm.reach_in_pixels(tip, toe, facing=facing, roll_deg=roll, px_per_cm=scale).reach[0])


def trial_record(tr: dict[str, Any], summary: dict[str, Any], gt: dict[str, Any]) -> dict[str, Any] | None:
    """One detected trial against the truth: reach error and its split, interval, validity, YMCA category."""
    k = truth.gt_trial(gt, tr["max_reach_s"])
    if k is None:
        return None
    scripted = (gt["trials"][k]["hold_start_s"], gt["trials"][k]["hold_end_s"])
    tru = truth.trial_truth(gt, k, (tr.get("hold_start_s", scripted[0]), tr.get("hold_end_s", scripted[1])))
    kind = (summary.get("reach_geometry") or {}).get("kind", "pixels")
    true_reach = tru[TRUTH_OF_KIND.get(kind, "reach_toe_cm")]
    metric = tr["metrics"].get("reach_cm") or {}
    reported = metric.get("value")
    measured = recompute(summary, tr.get("fingertip_px"))
    at_true_tip = recompute(summary, tru["fingertip_px"])
    toe_truth = (
        recompute(summary, tru["fingertip_px"], toe_px=tru["toe_px"]) if kind != "box_end" else math.nan
    )
    ci = metric.get("ci95")
    value = reported if reported is not None else measured
    return {
        "gt_trial": k,
        "kind": kind,
        "truth_cm": true_reach,
        "reported_cm": reported,
        "value_cm": value,
        "error_cm": value - true_reach if value is not None and math.isfinite(value) else math.nan,
        "covered": (ci[0] <= true_reach <= ci[1]) if ci else None,
        "ci_half_cm": (ci[1] - ci[0]) / 2 if ci else None,
        "split": {
            "fingertip": measured - at_true_tip,
            "toe": (at_true_tip - toe_truth) if kind != "box_end" else 0.0,
            "projection": (toe_truth if kind != "box_end" else at_true_tip) - true_reach,
        },
        "fingertip_source": tr.get("fingertip_source"),
        "geo_sd_cm": tr.get("reach_sd_cm")
        if tr.get("reach_sd_cm") is not None
        else abs(value or 0.0) * (summary.get("scale", {}).get("relative_uncertainty") or 0.0),
        "hold_s": tr.get("hold_s", tr["metrics"].get("hold_s", {}).get("value")),
        "truth": tru,
        "expected": truth.expected_validity(tru),
        "codes": tr["invalid_codes"],
        "valid": tr["valid"],
        "not_assessed": tr.get("not_assessed", []),
    }


def evaluate(
    set_dirs: list[Path],
    modes: tuple[str, ...],
    work: Path,
    *,
    cached: bool = False,
    src: Path | None = None,
    hands: bool = True,
) -> dict[str, Any]:
    """Run every clip of the sets in every mode; return the per-clip records."""
    from tiltscreen.config.thresholds import load_thresholds  # noqa: PLC0415

    th = load_thresholds()
    commit = tool_commit() if src is None else f"sources at {src}"
    if cached and src is None:
        import tiltscreen  # noqa: PLC0415

        used = Path(tiltscreen.__file__).resolve().parents[1]
        if used != ROOT / "src":  # another checkout's sources first on the path
            commit = f"sources at {used}"
    clips = []
    elsewhere: dict[Path, dict[str, Any]] = {}
    for gt_path in sorted(p for d in set_dirs for p in d.glob("*.json")):
        gt = json.loads(gt_path.read_text())
        video = truth.video_of(gt_path, gt)
        if video is None or gt.get("scene") != "sit-and-reach":
            continue
        colour, delta_e = truth.box_colour_class(gt, video)
        clip: dict[str, Any] = {
            "name": video.stem,
            "yaw_deg": truth.yaw_deg(gt),
            "box_top": colour,
            "delta_e": delta_e,
            "subject": truth.subject(gt),
            "runs": {},
        }
        for mode in modes:
            if cached and src is not None:
                done = elsewhere.setdefault(gt_path, analyse_cached_elsewhere(src, gt_path, modes))[mode]
            elif cached:
                done = analyse_cached(video, gt, mode, hands=hands)
            elif src is not None:  # an earlier version of the tool: no box-placement options
                done = run_cli(
                    video, gt, "marker_only" if mode == "marker" else mode, work / "legacy", commit, src
                )
            else:
                done = run_cli(video, gt, mode, work, commit)
            summary = done.get("summary") if done else None
            run: dict[str, Any] = {"exit_code": done.get("exit_code") if done else None, "trials": []}
            if summary is not None:
                run.update(
                    status=summary["status"],
                    reasons=summary["reasons"],
                    camera_ok=summary["camera"]["within_limits"],
                    fingertips=summary.get("fingertips"),
                )
                for tr in summary["trials"]:
                    rec = trial_record(tr, summary, gt)
                    if rec is not None:
                        rec["ymca_truth"], rec["ymca_edge_cm"] = truth.ymca_category(
                            rec["truth_cm"], clip["subject"], th
                        )
                        rec["ymca_tool"], _ = truth.ymca_category(rec["value_cm"], clip["subject"], th)
                        run["trials"].append(rec)
            clip["runs"][mode] = run
            print(f"{clip['name']} {mode}: exit {run['exit_code']}, {run.get('status')}", flush=True)
        clips.append(clip)
    return {
        "set": "+".join(d.name for d in set_dirs),
        "set_dir": " ".join(str(d) for d in set_dirs),
        "commit": commit + (" (cached extractions)" if cached else "") + ("" if hands else ", outline only"),
        "modes": list(modes),
        "clips": clips,
    }


def _json_safe(x: Any) -> Any:
    if isinstance(x, float):
        return None if not math.isfinite(x) else round(x, 4)
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.generic):
        return _json_safe(x.item())
    return x


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--analyse-one"]:
        return _analyse_one(Path(argv[1]), argv[2])
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--set",
        required=True,
        type=Path,
        action="append",
        help="folder of <clip>.json (ground truth) + video renders; repeat to pool several",
    )
    p.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="cache of the runs' outputs")
    p.add_argument("--name", help="results name (default: the set folder's name)")
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--cached", action="store_true", help="development: analyse cached extractions in process")
    p.add_argument(
        "--tool-src",
        type=Path,
        help="run an earlier version's sources (e.g. for 'before' figures); with --cached, on the cached "
        "extractions in a subprocess",
    )
    p.add_argument(
        "--no-hands",
        action="store_true",
        help="with --cached: without the hand model (outline fingertips only)",
    )
    args = p.parse_args(argv)
    modes = tuple(m for m in args.modes.split(",") if m)
    raw = evaluate(args.set, modes, args.work, cached=args.cached, src=args.tool_src, hands=not args.no_hands)
    result = _json_safe({**raw, "aggregate": sr_report.aggregate(raw)})
    text = sr_report.markdown(result)
    print(text)
    if not args.no_save:
        name = args.name or "+".join(d.name for d in args.set)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"sit_and_reach_{name}.json").write_text(json.dumps(result, indent=1) + "\n")
        (RESULTS / f"sit_and_reach_{name}.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
