"""Fingertips on sit-and-reach renders: the hand model (pose/hands.py) vs the outline (pose/features.py).

For every clip of a render set (a folder with ``manifest.csv`` and ``<clip>.mp4`` + ``<clip>.json`` ground
truth, see docs/synth.md), the pose is extracted once (VIDEO mode, segmentation on, the project's
FeatureRecorder for the outline fingertip) and cached; the hand model then runs on every frame through the
real frame hook (HandTipRecorder) fed with the cached pose. Both are compared with the true middle-finger tip
(``points_px[<side>_fingertip]``) of the near side:

- detection rate of the near hand, over all frames and over the GT holds (``trials[*].hold_start_s..end_s``);
- error of the forward-most tip along the reach direction (the subject's forward along the floor, projected
  at the true fingertip with the GT camera) and perpendicular to it, in px and in cm (px / (fx / depth of
  the true fingertip));
- the same for the hand model's middle tip (12), the landmark the ground truth marks;
- per trial, the mean along-floor error over the hold (what a reach reading averages).

Clips are grouped by the box top (``box_top`` column of the manifest when present, else the measured
colour difference between hand and box top: CIELAB dE < 25 counts as skin-like). Renders, not patients.

Run (main venv; never on held-out sets while developing)::

    PYTHONPATH=src python benchmarks/fingertips.py --set /work/cache/dev/sr_v0 [--cache DIR] [--no-save]

Writes ``benchmarks/results/fingertips_<set>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import platform
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from fingertips_report import aggregate, findings, markdown, stats

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_CACHE = Path("/work/cache/work/hands")


# ------------------------------------------------------------------------------------------------
# caches: pose + outline once per clip, hands once per clip and option set
# ------------------------------------------------------------------------------------------------


def pose_cache(video: Path, cache: Path) -> dict[str, np.ndarray]:
    """Raw pose landmarks and outline fingertips of every frame (computed once, then read from ``cache``)."""
    out = cache / "pose" / f"{video.stem}.npz"
    if out.is_file():
        return dict(np.load(out))
    from tiltscreen.pose.estimator import PoseOptions
    from tiltscreen.pose.extract import extract_landmarks
    from tiltscreen.pose.features import FeatureRecorder
    from tiltscreen.pose.model_store import locate_model
    from tiltscreen.sources import open_source

    recorder = FeatureRecorder(marker_dictionary=None)
    start = time.perf_counter()
    with open_source(video, max_side=960) as source:
        lm, _ = extract_landmarks(
            source, options=PoseOptions(model_path=locate_model(), segmentation=True), hooks=[recorder]
        )
    pose_ms = 1000.0 * (time.perf_counter() - start) / max(lm.n_frames, 1)
    arrays = {k: v for k, v in recorder.arrays().items() if "fingertip" in k}
    data = {
        "xyz": lm.xyz,
        "visibility": lm.visibility,
        "presence": lm.presence,
        "frame_index": lm.frame_index,
        "image_size": np.array(lm.image_size),
        "pose_ms_per_frame": np.array(pose_ms),
        **arrays,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **data)
    return data


def hands_cache(video: Path, pose: dict[str, np.ndarray], cache: Path, options) -> dict[str, np.ndarray]:
    """HandTipRecorder arrays of every frame, the hook fed with the cached pose (cached per option set)."""
    from tiltscreen.pose.estimator import Candidate
    from tiltscreen.pose.hand_recorder import HandTipRecorder
    from tiltscreen.pose.hands import HandModel
    from tiltscreen.sources import open_source

    params = {
        k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items() if k != "model_path"
    }
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    out = cache / f"hands_{key}" / f"{video.stem}.npz"
    if out.is_file():
        return dict(np.load(out))
    rows = {int(f): k for k, f in enumerate(pose["frame_index"])}
    with HandModel(options) as model, open_source(video, max_side=960) as source:
        rec = HandTipRecorder(model=model, options=options)
        for frame in source:
            k = rows.get(frame.index)
            cand = None
            if k is not None and np.all(np.isfinite(pose["xyz"][k, :, :2])):
                cand = Candidate(
                    xyz=pose["xyz"][k],
                    visibility=pose["visibility"][k],
                    presence=pose["presence"][k],
                    world=np.full((33, 3), np.nan),
                )
            rec(frame, cand)
    data = {**rec.arrays(), "frame_index": np.array(rec.frame_index)}
    out.parent.mkdir(parents=True, exist_ok=True)
    (out.parent / "options.json").write_text(json.dumps(params, indent=1))
    np.savez_compressed(out, **data)
    return data


# ------------------------------------------------------------------------------------------------
# ground truth
# ------------------------------------------------------------------------------------------------


def project(gt: dict[str, Any], world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates and depth (m) of world points (N, 3) with the GT camera."""
    cam = gt["camera"]
    r, t = np.array(cam["rotation_world_to_camera"], float), np.array(cam["translation_m"], float)
    c = world @ r.T + t
    uv = np.stack([cam["fx"] * c[:, 0] / c[:, 2] + cam["cx"], cam["fy"] * c[:, 1] / c[:, 2] + cam["cy"]], 1)
    return uv, c[:, 2]


def truth(gt: dict[str, Any], side: str) -> dict[str, np.ndarray]:
    """Per frame: true fingertip (px), unit forward direction along the floor at it (px), px per cm there."""
    from tiltscreen.synth.groundtruth import points_px

    tip = points_px(gt, f"{side}_fingertip")
    world = np.asarray(gt["points_world_m"][f"{side}_fingertip"], float)
    uv, depth = project(gt, world)
    ahead, _ = project(gt, world + np.array([0.0, -0.05, 0.0]))  # 5 cm forward (-Y) along the floor
    fwd = ahead - uv
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    t = np.asarray(gt["frames"]["t_s"], float)
    hold = np.zeros(len(t), bool)
    for tr in gt["trials"]:
        hold |= (t >= tr["hold_start_s"] - 1e-6) & (t <= tr["hold_end_s"] + 1e-6)
    visible = np.asarray(gt["visible"].get(f"{side}_fingertip", [True] * len(t)), bool)
    return {
        "tip": tip,
        "fwd": fwd,
        "px_per_cm": gt["camera"]["fx"] / (100.0 * depth),
        "hold": hold,
        "visible": visible,
        "t": t,
    }


def box_contrast(gt: dict[str, Any], video: Path, side: str) -> float | None:
    """CIELAB dE between the hand (between true fingertip and knuckle) and the box top just beyond the tip.

    Middle frame of the first hold, 3x3 px patches; the box patch 6 px beyond the tip along the forward
    direction and 2 px below (the same reading as benchmarks/accuracy_sit_and_reach.py).
    """
    import cv2

    t = np.asarray(gt["frames"]["t_s"], float)
    tr = gt["trials"][0]
    inside = np.flatnonzero((t >= tr["hold_start_s"]) & (t <= tr["hold_end_s"]))
    if not inside.size:
        return None
    i = int(inside[inside.size // 2])
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, i)
    ok, bgr = cap.read()
    cap.release()
    if not ok:
        return None
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(float)
    tip = np.asarray(gt["points_px"][f"{side}_fingertip"][i], float)
    knuckle = np.asarray(gt["points_px"][f"{side}_index"][i], float)
    forward = 1.0 if tip[0] > knuckle[0] else -1.0

    def patch(p: np.ndarray) -> np.ndarray:
        x, y = int(p[0]), int(p[1])
        return lab[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2].reshape(-1, 3).mean(axis=0)

    return round(float(np.linalg.norm(patch((tip + knuckle) / 2) - patch(tip + [6.0 * forward, 2.0]))), 1)


# ------------------------------------------------------------------------------------------------
# comparison
# ------------------------------------------------------------------------------------------------


def errors(est: np.ndarray, tr: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    """Along-floor (positive: the estimate beyond the true tip) and perpendicular errors, px and cm."""
    d = est - tr["tip"][rows]
    f = tr["fwd"][rows]
    along = np.sum(d * f, axis=1)
    across = d[:, 0] * -f[:, 1] + d[:, 1] * f[:, 0]
    s = tr["px_per_cm"][rows]
    return {"along_px": along, "across_px": across, "along_cm": along / s, "across_cm": across / s}


def method_points(pose: dict, hands: dict, side: str, facing: str, fwd: np.ndarray, max_mismatch: float):
    """Per-frame estimates (px) of the near fingertip by each method, on the pose cache's rows.

    The hands are given to the arms with the true near side (the tool estimates it per recording).
    """
    from tiltscreen.pose.hand_recorder import forward_tips, side_arrays

    size = pose["image_size"].astype(float)
    near = side_arrays(hands, near=side, max_mismatch=max_mismatch)
    lms = near["near_hand_landmarks"] * size
    palm = np.linalg.norm((lms[:, 5] + lms[:, 17]) / 2 - lms[:, 0], axis=1)
    return {
        "outline": pose[f"{side}_fingertip_facing_{facing}"] * size,
        "hand_forward": forward_tips(lms, fwd),  # forward-most along the true floor direction of each frame
        "hand_middle": lms[:, 12],
        "hand_index": lms[:, 8],
    }, palm


def evaluate_clip(row: dict[str, str], folder: Path, cache: Path, options) -> dict[str, Any]:
    """Compare the methods with the ground truth on one clip."""
    from tiltscreen.synth.groundtruth import load_ground_truth

    name = row["name"]
    video, gt = folder / f"{name}.mp4", load_ground_truth(folder / f"{name}.json")
    side = gt["config"]["camera"]["side"]
    t0 = time.perf_counter()
    pose = pose_cache(video, cache)
    hands = hands_cache(video, pose, cache, options)
    frames = pose["frame_index"].astype(int)
    assert np.array_equal(frames, hands["frame_index"]), "pose and hand rows differ"
    rows = frames[frames < gt["n_frames"]]
    tr = truth(gt, side)
    fwd = tr["fwd"][rows]
    facing = "right" if np.nanmedian(fwd[:, 0]) > 0 else "left"
    est, palm = method_points(
        pose, {k: v[: len(rows)] for k, v in hands.items()}, side, facing, fwd, options.max_mismatch
    )
    est = {k: v[: len(rows)] for k, v in est.items()}
    palm = palm[: len(rows)]
    gt_ok = np.all(np.isfinite(tr["tip"][rows]), axis=1)
    hold = tr["hold"][rows]
    clip: dict[str, Any] = {
        "name": name,
        "side": side,
        "facing": facing,
        "frames": int(len(rows)),
        "size": "x".join(str(int(v)) for v in pose["image_size"]),
        "box_top": row.get("box_top") or None,
        "box_skin_delta_e": box_contrast(gt, video, side),
        "hand_ms_mean": round(float(np.mean(hands["hand_ms"])), 1),
        "hand_ms_median": round(float(np.median(hands["hand_ms"])), 1),
        "pose_ms_per_frame": round(float(pose.get("pose_ms_per_frame", np.nan)), 1),
        "seconds": round(time.perf_counter() - t0, 1),
        "methods": {},
    }
    visible = tr["visible"][rows]
    subsets = {"frames": gt_ok, "hold_frames": gt_ok & hold, "hold_visible": gt_ok & hold & visible}
    clip["hold_visible_fraction"] = round(float(visible[hold].mean()), 3) if hold.any() else None
    for method, pts in est.items():
        found = np.all(np.isfinite(pts), axis=1)
        e = errors(pts, tr, rows)
        entry: dict[str, Any] = {
            "detected_all": round(float(found[gt_ok].mean()), 4),
            "detected_hold": round(float(found[gt_ok & hold].mean()), 4) if (gt_ok & hold).any() else None,
            "trials": trial_means(e, found & gt_ok, tr["t"][rows], gt["trials"]),
        }
        for part, sel in subsets.items():
            entry[part] = {k: stats(v[found & sel]) for k, v in e.items()}
        if method.startswith("hand"):  # the error in palm lengths of the detected hand (scale-free)
            entry["hold_frames"]["along_palm"] = stats(
                e["along_px"][found & gt_ok & hold] / palm[found & gt_ok & hold]
            )
        clip["methods"][method] = entry
    return clip


def trial_means(e: dict[str, np.ndarray], ok: np.ndarray, t: np.ndarray, trials: list[dict]) -> list[dict]:
    """Per GT trial, the mean along-floor error over the hold frames where the method found a tip (cm)."""
    out = []
    for k, trial in enumerate(trials):
        sel = ok & (t >= trial["hold_start_s"] - 1e-6) & (t <= trial["hold_end_s"] + 1e-6)
        out.append(
            {
                "trial": k + 1,
                "n": int(sel.sum()),
                "along_cm": round(float(e["along_cm"][sel].mean()), 3) if sel.any() else None,
            }
        )
    return out


METHODS = {
    "outline": "outline (pose/features.py)",
    "hand_forward": "hand model, forward-most tip",
    "hand_middle": "hand model, middle tip (12)",
    "hand_index": "hand model, index tip (8)",
}


def _rendered(folder: Path, name: str) -> bool:
    """True once a clip is complete (the ground truth is written after the video)."""
    return (folder / f"{name}.mp4").is_file() and (folder / f"{name}.json").is_file()


def main(argv: list[str] | None = None) -> int:
    from tiltscreen.pose.hands import HandOptions
    from tiltscreen.pose.model_store import locate_hand_model

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--set", type=Path, required=True, help="render set folder (manifest.csv, <clip>.mp4/.json)"
    )
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--only", help="comma-separated clip names")
    p.add_argument("--no-save", action="store_true")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a HandOptions field to change (for sweeps on development sets; not saved unless given)",
    )
    args = p.parse_args(argv)
    if "heldout" in args.set.resolve().parts:
        raise SystemExit(
            "This benchmark is for development sets; held-out sets are read only by a final run."
        )
    if (args.set / "manifest.csv").is_file():
        with open(args.set / "manifest.csv", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if _rendered(args.set, r["name"])]
    else:  # a folder of clips without a manifest: every <name>.mp4 with its <name>.json
        rows = [{"name": v.stem} for v in sorted(args.set.glob("*.mp4")) if _rendered(args.set, v.stem)]
    if args.only:
        rows = [r for r in rows if r["name"] in args.only.split(",")]
    changes = {k: float(v) if "." in v else int(v) for k, v in (o.split("=", 1) for o in args.option)}
    options = HandOptions(model_path=locate_hand_model(), **changes)
    cache = args.cache / args.set.name
    clips = []
    for row in rows:
        clips.append(evaluate_clip(row, args.set, cache, options))
        m = clips[-1]["methods"]
        print(
            f"{row['name']}: "
            + "; ".join(
                f"{k} {v['detected_all']:.0%} found, along "
                f"{v['frames']['along_cm'].get('bias', float('nan')):+.2f}/"
                f"{v['frames']['along_cm'].get('mae', float('nan')):.2f} cm"
                for k, v in m.items()
            ),
            flush=True,
        )
    result = {
        "set": args.set.name,
        "note": "Renders, not patients: an optimistic bound. Near-side hand; true tip = middle-finger tip.",
        "options": {k: v for k, v in asdict(options).items() if k != "model_path"},
        "command": "PYTHONPATH=src python benchmarks/fingertips.py --set "
        + str(args.set)
        + "".join(f" --option {o}" for o in args.option),
        "method_names": METHODS,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "clips": clips,
        "aggregate": aggregate(clips, list(METHODS)),
    }
    result["findings"] = findings(result)
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"fingertips_{args.set.name}.json").write_text(json.dumps(result, indent=1))
        (RESULTS / f"fingertips_{args.set.name}.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
