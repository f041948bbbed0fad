"""Landmark-level accuracy of the landmarks pipeline on synthetic people (renders, not patients).

Renders a fixed list of seeded clips with ``tiltscreen-synth`` (cached outside the repository), runs the real
landmarks job (``run.landmarks.run_landmarks``) on each and compares MediaPipe's landmarks with the projected
ground truth ``points_px``: per landmark, near side vs far side, pixel error (median, mean, p95, max) and as a
fraction of the subject's stature in pixels; detection rate; left/right label swaps; and the offset of
MediaPipe's index-finger landmark from the true fingertip (px and cm).

Run outside CI, in the synth environment (torch, anny, pyrender and mediapipe)::

    PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny \\
        /work/venv-synth/bin/python benchmarks/accuracy_landmarks.py [--cache /work/cache/accuracy]

Writes ``benchmarks/results/accuracy_landmarks.json`` and ``.md`` (``--no-save`` to only print).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.synth.config import BodySpec, CameraSpec, ClipSpec, SitReachSpec, StandingSpec
from tiltscreen.synth.groundtruth import points_px as gt_track

RESULTS = Path(__file__).resolve().parent / "results"
PARTS = ("ear", "shoulder", "elbow", "wrist", "index", "hip", "knee", "ankle", "heel", "foot_index")
SWAP_PARTS = ("shoulder", "hip", "knee", "ankle")
W, H = 640, 360

# name, scene, seed, body (sex, stature cm, age, weight), side, yaw, roll, scene options
CLIPS: list[tuple[str, str, int, tuple[float, float, float, float], str, float, float, dict[str, Any]]] = [
    ("st01", "standing", 101, (0.0, 178, 30, 0.5), "left", 0, 0, {"stickers": True, "arms": "folded"}),
    ("st02", "standing", 102, (1.0, 160, 45, 0.7), "right", 0, 1, {"arms": "hanging"}),
    ("st03", "standing", 103, (0.0, 190, 25, 0.3), "right", 5, 0, {"stickers": True, "arms": "folded"}),
    ("st04", "standing", 104, (1.0, 168, 65, 0.5), "left", 10, 2, {"arms": "hanging"}),
    ("st05", "standing", 105, (0.3, 172, 35, 0.9), "left", 15, 0, {"stickers": True, "arms": "hanging"}),
    ("st06", "standing", 106, (0.0, 165, 75, 0.6), "right", 20, 3, {"arms": "folded"}),
    ("st07", "standing", 107, (0.7, 155, 20, 0.2), "left", 8, 1, {"arms": "folded", "tilt": 25}),
    ("st08", "standing", 108, (0.0, 183, 55, 0.8), "right", 12, 2, {"stickers": True, "arms": "hanging"}),
    ("st09", "standing", 109, (1.0, 175, 30, 0.4), "left", 18, 0, {"arms": "hanging", "tilt": 2}),
    ("st10", "standing", 110, (0.5, 170, 50, 0.5), "right", 3, 3, {"stickers": True, "arms": "folded"}),
    ("sr01", "sit-and-reach", 201, (0.0, 176, 30, 0.5), "left", 0, 0, {"knee": 0, "ext": 0.5}),
    ("sr02", "sit-and-reach", 202, (1.0, 162, 40, 0.6), "right", 6, 1, {"knee": 0, "ext": 0.9}),
    ("sr03", "sit-and-reach", 203, (0.0, 185, 60, 0.7), "left", 12, 2, {"knee": 20, "ext": 0.2}),
    ("sr04", "sit-and-reach", 204, (1.0, 170, 25, 0.3), "right", 18, 0, {"knee": 35, "ext": 0.4}),
    ("sr05", "sit-and-reach", 205, (0.4, 158, 70, 0.5), "left", 20, 3, {"knee": 0, "ext": 0.1}),
    ("sr06", "sit-and-reach", 206, (0.0, 180, 45, 0.4), "right", 10, 1, {"knee": 15, "ext": 0.7}),
]


def clip_spec(entry: tuple) -> ClipSpec:
    """Build the frozen ClipSpec of one ``CLIPS`` entry (4 s standing, 4.5 s one-trial sit-and-reach)."""
    _, scene, seed, (sex, stature, age, weight), side, yaw, roll, opts = entry
    camera = CameraSpec(side=side, yaw_deg=yaw, roll_deg=roll, width=W, height=H)
    body = BodySpec(sex=sex, stature_cm=stature, age_years=age, weight=weight)
    standing = StandingSpec(tilt_deg=opts.get("tilt", 12.0), arms=opts.get("arms", "folded"), duration_s=4.0)
    sit = SitReachSpec(
        extensibility=opts.get("ext", 0.5),
        knee_flexion_deg=opts.get("knee", 0.0),
        trials=1,
        rest_s=0.5,
        reach_s=1.2,
        hold_s=1.5,
        return_s=0.8,
    )
    return ClipSpec(
        scene=scene,
        seed=seed,
        body=body,
        camera=camera,
        standing=standing,
        sit_reach=sit,
        stickers=bool(opts.get("stickers", False)),
    )


def render_cached(name: str, spec: ClipSpec, cache: Path) -> tuple[Path, dict[str, Any]]:
    """Render ``spec`` unless a clip with the same configuration is cached; return the .mp4 and its GT."""
    key = hashlib.sha256(json.dumps(spec.to_dict(), sort_keys=True).encode()).hexdigest()[:10]
    stem = cache / f"{name}_{key}"
    if not (stem.with_suffix(".json").is_file() and stem.with_suffix(".mp4").is_file()):
        from tiltscreen.synth.pipeline import generate_clip  # noqa: PLC0415 - torch/anny only here

        cache.mkdir(parents=True, exist_ok=True)
        generate_clip(spec, stem)
    return stem.with_suffix(".mp4"), json.loads(stem.with_suffix(".json").read_text())


def run_pose(video: Path, out_dir: Path):
    """Run the real landmarks job on ``video``; return (raw, filtered) Landmarks."""
    from tiltscreen.run.landmarks import LandmarksJob, run_landmarks  # noqa: PLC0415

    result = run_landmarks(LandmarksJob(input=str(video), out_dir=out_dir, formats=("csv",)))
    return result.raw, result.filtered


def stature_px(gt: dict[str, Any]) -> float:
    """The subject's stature in pixels at the camera distance (the normaliser for relative errors)."""
    return gt["subject"]["stature_cm"] / 100.0 * gt["camera"]["fy"] / gt["camera"]["distance_m"]


def clip_errors(gt: dict[str, Any], lm) -> dict[str, np.ndarray]:
    """Pixel error of every landmark per frame (NaN without a MediaPipe value), keyed by BlazePose name."""
    n = gt["n_frames"]
    xy = np.full((n, len(lm.skeleton.names), 2), np.nan)
    keep = lm.frame_index < n
    xy[lm.frame_index[keep]] = lm.xy_px[keep]
    return {
        name: np.linalg.norm(xy[:, i] - gt_track(gt, name), axis=1)
        for i, name in enumerate(lm.skeleton.names)
        if name in gt["points_px"]
    }


def swap_fraction(gt: dict[str, Any], lm) -> float:
    """Fraction of detected frames whose left/right labels fit the ground truth better swapped."""
    err = clip_errors(gt, lm)
    as_is = sum(err[f"left_{p}"] + err[f"right_{p}"] for p in SWAP_PARTS)
    n = gt["n_frames"]
    xy = np.full((n, len(lm.skeleton.names), 2), np.nan)
    keep = lm.frame_index < n
    xy[lm.frame_index[keep]] = lm.xy_px[keep]
    idx = {name: i for i, name in enumerate(lm.skeleton.names)}
    swapped = sum(
        np.linalg.norm(xy[:, idx[f"left_{p}"]] - gt_track(gt, f"right_{p}"), axis=1)
        + np.linalg.norm(xy[:, idx[f"right_{p}"]] - gt_track(gt, f"left_{p}"), axis=1)
        for p in SWAP_PARTS
    )
    ok = np.isfinite(as_is) & np.isfinite(swapped)
    return float(np.mean(swapped[ok] < as_is[ok])) if ok.any() else float("nan")


def fingertip_offset(gt: dict[str, Any], lm, near: str) -> dict[str, np.ndarray]:
    """Per frame, MediaPipe's near ``index`` minus the true near fingertip: px vector, distance, forward cm.

    The forward component is along the image direction of the subject's forward horizontal (world -Y) at the
    fingertip; cm use the fingertip's depth (cm per px = 100 z / f).
    """
    n = gt["n_frames"]
    xy = np.full((n, 2), np.nan)
    keep = lm.frame_index < n
    xy[lm.frame_index[keep]] = lm.xy_px[keep][:, lm.skeleton.names.index(f"{near}_index")]
    tip = gt_track(gt, f"{near}_fingertip")
    world = np.array(gt["points_world_m"][f"{near}_fingertip"], dtype=float)
    cam = gt["camera"]
    r, t = np.array(cam["rotation_world_to_camera"]), np.array(cam["translation_m"])
    depth = (world @ r.T + t)[:, 2]
    ahead = world + np.array([0.0, -0.01, 0.0]) @ np.eye(3)
    c = ahead @ r.T + t
    ahead_px = np.stack(
        [cam["fx"] * c[:, 0] / c[:, 2] + cam["cx"], cam["fy"] * c[:, 1] / c[:, 2] + cam["cy"]], 1
    )
    forward = (ahead_px - tip) / np.linalg.norm(ahead_px - tip, axis=1, keepdims=True)
    delta = xy - tip
    cm_per_px = 100.0 * depth / cam["fx"]
    return {
        "du_px": delta[:, 0],
        "dv_px": delta[:, 1],
        "dist_px": np.linalg.norm(delta, axis=1),
        "dist_cm": np.linalg.norm(delta, axis=1) * cm_per_px,
        "forward_px": np.sum(delta * forward, axis=1),
        "forward_cm": np.sum(delta * forward, axis=1) * cm_per_px,
    }


def stats(values: np.ndarray) -> dict[str, float]:
    """Median, mean, p95, max and count of the finite values (NaN statistics when there are none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return {
            "median": float("nan"),
            "mean": float("nan"),
            "p95": float("nan"),
            "max": float("nan"),
            "n": 0,
        }
    out = {"median": np.median(v), "mean": v.mean(), "p95": np.percentile(v, 95), "max": v.max()}
    return {**{k: round(float(x), 4) for k, x in out.items()}, "n": len(v)}


def evaluate_clip(entry: tuple, cache: Path) -> dict[str, Any]:
    """Render (or reuse) one clip, run the pipeline, and return its per-frame errors and facts."""
    name, scene, seed, body, side, yaw, roll, opts = entry
    video, gt = render_cached(name, clip_spec(entry), cache)
    started = time.monotonic()
    raw, filtered = run_pose(video, cache / "landmarks" / name)
    far = "right" if side == "left" else "left"
    scale = stature_px(gt)
    errors = {}
    for label, lm in (("raw", raw), ("filtered", filtered)):
        err = clip_errors(gt, lm)
        errors[label] = {("nose", "mid"): err["nose"]}
        for part in PARTS:
            errors[label][(part, "near")] = err[f"{side}_{part}"]
            errors[label][(part, "far")] = err[f"{far}_{part}"]
    tip = fingertip_offset(gt, raw, side)
    hold = np.zeros(gt["n_frames"], dtype=bool)
    t = np.array(gt["frames"]["t_s"])
    for trial in gt.get("trials", []):
        hold |= (t >= trial["hold_start_s"]) & (t < trial["hold_end_s"])
    return {
        "facts": {
            "name": name,
            "scene": scene,
            "seed": seed,
            "sex": body[0],
            "stature_cm": body[1],
            "age_years": body[2],
            "weight": body[3],
            "side": side,
            "yaw_deg": yaw,
            "roll_deg": roll,
            "options": opts,
            "frames": gt["n_frames"],
            "distance_m": gt["camera"]["distance_m"],
            "stature_px": round(scale, 1),
            "detection_rate": round(
                float(raw.detected[raw.frame_index < gt["n_frames"]].sum() / gt["n_frames"]), 4
            ),
            "lr_swap_fraction": round(swap_fraction(gt, raw), 4),
            "near_median_px": {p: stats(errors["raw"][(p, "near")])["median"] for p in PARTS},
            "pose_seconds": round(time.monotonic() - started, 1),
        },
        "errors": errors,
        "scale": scale,
        "tip": tip,
        "hold": hold,
    }


def pooled(clips: list[dict[str, Any]], label: str) -> dict[str, dict[str, Any]]:
    """Statistics of every (landmark, side) over all frames of ``clips``: px and fraction of stature."""
    out: dict[str, dict[str, Any]] = {}
    for key in clips[0]["errors"][label]:
        px = np.concatenate([c["errors"][label][key] for c in clips])
        rel = np.concatenate([c["errors"][label][key] / c["scale"] for c in clips])
        out[f"{key[0]}/{key[1]}"] = {"px": stats(px), "fraction_of_stature": stats(rel)}
    return out


def fingertip_summary(clips: list[dict[str, Any]]) -> dict[str, Any]:
    """Offset of MediaPipe's near index landmark from the true near fingertip, per scene and at the hold."""
    out: dict[str, Any] = {}
    groups = {
        "standing": [(c, slice(None)) for c in clips if c["facts"]["scene"] == "standing"],
        "sit-and-reach (all frames)": [(c, slice(None)) for c in clips if c["facts"]["scene"] != "standing"],
        "sit-and-reach (hold at maximal reach)": [
            (c, c["hold"]) for c in clips if c["facts"]["scene"] != "standing"
        ],
    }
    for group, members in groups.items():
        if not members:
            continue
        out[group] = {
            k: stats(np.concatenate([c["tip"][k][sel] for c, sel in members])) for k in clips[0]["tip"]
        }
    return out


def machine() -> dict[str, Any]:
    """Versions and machine facts for the result file."""
    import os  # noqa: PLC0415

    import mediapipe  # noqa: PLC0415

    import tiltscreen  # noqa: PLC0415

    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "mediapipe": mediapipe.__version__,
        "tiltscreen": tiltscreen.__version__,
    }


def _f(x: float, digits: int = 1) -> str:
    return "–" if x != x else f"{x:.{digits}f}"


def _row(name: str, *groups: dict[str, Any]) -> str:
    """One table row: median/mean/p95/max px and median %S of each (landmark, side) statistics group."""
    cells = []
    for g in groups:
        cells += [_f(g["px"][k]) for k in ("median", "mean", "p95", "max")]
        cells.append(_f(100 * g["fraction_of_stature"]["median"], 2))
    return f"| {name} | " + " | ".join(cells) + " |"


def _headline(result: dict[str, Any]) -> list[str]:
    raw = result["pooled"]["all"]["raw"]
    m = result["machine"]
    lines = [
        "# Landmark accuracy on synthetic people (`benchmarks/accuracy_landmarks.py`)",
        "",
        "**Renders, not patients.** Clean renders of a parametric body (no real skin, clothing, hair or",
        "clutter): these errors are an optimistic bound and say nothing by themselves about accuracy on real",
        "people.",
        "",
        f"{m['date']}; MediaPipe {m['mediapipe']}, pose_landmarker_full, {len(result['clips'])} clips at "
        f"{W}x{H}, 30 fps, {result['frames']} frames; detection rate {result['detection_rate']:.3f}; "
        f"run {result['run_seconds']:.0f} s ({m['cpus']} CPUs; renders cached).",
        "",
        "Error = distance between MediaPipe's raw landmark (before gating and filtering) and the projected",
        "ground truth `points_px` (joint centres for shoulder…ankle; knuckles for `index`; skin vertices for",
        "ear, heel, foot index: MediaPipe's points are not defined the same way, so part of each error is a",
        "definition offset). `%S` = error as a percentage of the subject's stature in pixels at the camera",
        "distance. Near = the side facing the camera. Frames without a detection are left out.",
        "",
        "| landmark | near median px | mean | p95 | max | median %S | far median px | mean | p95 | max |"
        " median %S |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(p, raw[f"{p}/near"], raw[f"{p}/far"]) for p in PARTS]
    return [*lines, _row("nose (midline)", raw["nose/mid"]) + " | | | | |"]


def _by_scene(result: dict[str, Any]) -> list[str]:
    scenes = result["pooled"]["by_scene"]
    scale = {s: np.mean([c["stature_px"] for c in result["clips"] if c["scene"] == s]) for s in scenes}
    lines = [
        "",
        "Median px error by scene (raw, near / far; mean stature "
        + ", ".join(f"{s} {v:.0f} px" for s, v in scale.items())
        + "), and over all clips after the pipeline's visibility gating and filtering (far-side points",
        "are mostly gated out there, so those medians cover few frames):",
        "",
        "| landmark | " + " | ".join(scenes) + " | all, filtered |",
        "|---" * (len(scenes) + 2) + "|",
    ]
    filt = result["pooled"]["all"]["filtered"]
    for part in PARTS:
        cells = [s["raw"] for s in scenes.values()] + [filt]
        pairs = [
            f"{_f(c[f'{part}/near']['px']['median'])} / {_f(c[f'{part}/far']['px']['median'])}" for c in cells
        ]
        lines.append(f"| {part} | " + " | ".join(pairs) + " |")
    return lines


def _fingertip(result: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Index-finger landmark vs the true fingertip (near side)",
        "",
        "MediaPipe's `index` minus the tip of the middle finger (the ground truth's `<side>_fingertip`).",
        "`forward` is the component along the subject's forward horizontal in the image (negative =",
        "MediaPipe's point lies behind the fingertip, so a reach read from it is short); p95 and max are of",
        "the signed value; cm use the fingertip's depth. The rendered hands are flat (fingers straight).",
        "",
        "| frames | n | forward median cm | forward mean cm | forward p95 / max cm | distance median cm |"
        " distance median px | du / dv median px |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group, s in result["fingertip"].items():
        fw = s["forward_cm"]
        lines.append(
            f"| {group} | {fw['n']} | {_f(fw['median'])} | {_f(fw['mean'])} | "
            f"{_f(fw['p95'])} / {_f(fw['max'])} "
            f"| {_f(s['dist_cm']['median'])} | {_f(s['dist_px']['median'])} | "
            f"{_f(s['du_px']['median'])} / {_f(s['dv_px']['median'])} |"
        )
    return lines


def _clip_table(result: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Clips (regenerated from these seeds; `clip_spec` in the script holds every option)",
        "",
        "| clip | scene | seed | sex | stature cm | age | weight | side | yaw° | roll° | options | distance m"
        " | stature px | detected | L/R swapped | near hip / knee / ankle median px |",
        "|---" * 16 + "|",
    ]
    for c in result["clips"]:
        opts = ", ".join(f"{k}={v}" for k, v in c["options"].items())
        med = c["near_median_px"]
        lines.append(
            f"| {c['name']} | {c['scene']} | {c['seed']} | {c['sex']} | {c['stature_cm']} | "
            f"{c['age_years']} | "
            f"{c['weight']} | {c['side']} | {c['yaw_deg']} | {c['roll_deg']} | {opts} | {c['distance_m']} | "
            f"{c['stature_px']} | {c['detection_rate']:.3f} | {c['lr_swap_fraction']:.3f} | "
            f"{_f(med['hip'])} / {_f(med['knee'])} / {_f(med['ankle'])} |"
        )
    return [
        *lines,
        "",
        "`L/R swapped` = fraction of detected frames whose shoulder/hip/knee/ankle labels fit the ground",
        "truth better swapped (the far-side errors above would then be inflated by the swap). Renders use",
        "the generator's default noise, blur, H.264 (crf 26), seeded colours and light, and automatic",
        "framing (5 % margin). Standing clips 4 s, sit-and-reach one 4 s trial (rest 0.5, reach 1.2,",
        "hold 1.5, return 0.8 s).",
        "",
    ]


def markdown(result: dict[str, Any]) -> str:
    """Return the result as a Markdown report: caveat, headline table, per scene, fingertip offset, clips."""
    return "\n".join(_headline(result) + _by_scene(result) + _fingertip(result) + _clip_table(result))


def main(argv: list[str] | None = None) -> int:
    """Run the suite; returns 0."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--cache", type=Path, default=Path("/work/cache/accuracy"), help="rendered clips (outside the repo)"
    )
    p.add_argument("--clips", default=None, help="comma-separated clip names (default: all)")
    p.add_argument("--no-save", action="store_true", help="print only; do not write benchmarks/results")
    a = p.parse_args(argv)
    chosen = [c for c in CLIPS if a.clips is None or c[0] in a.clips.split(",")]
    started = time.monotonic()
    clips = []
    for entry in chosen:
        clips.append(evaluate_clip(entry, a.cache))
        print(json.dumps(clips[-1]["facts"]), flush=True)
    scenes = sorted({c["facts"]["scene"] for c in clips}, reverse=True)
    frames = sum(c["facts"]["frames"] for c in clips)
    result = {
        "caveat": "Renders, not patients: an optimistic bound, never a claim about real-world accuracy.",
        "machine": machine(),
        "run_seconds": round(time.monotonic() - started, 1),
        "frames": frames,
        "detection_rate": round(
            sum(c["facts"]["detection_rate"] * c["facts"]["frames"] for c in clips) / frames, 4
        ),
        "normaliser": "stature_px = stature_m * fy / distance_m (the subject's standing height in pixels)",
        "clips": [c["facts"] for c in clips],
        "pooled": {
            "all": {"raw": pooled(clips, "raw"), "filtered": pooled(clips, "filtered")},
            "by_scene": {
                s: {"raw": pooled([c for c in clips if c["facts"]["scene"] == s], "raw")} for s in scenes
            },
        },
        "fingertip": fingertip_summary(clips),
    }
    text = markdown(result)
    print(text)
    if not a.no_save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "accuracy_landmarks.json").write_text(json.dumps(result, indent=1) + "\n")
        (RESULTS / "accuracy_landmarks.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
