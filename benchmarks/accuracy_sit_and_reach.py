"""Clinical-metric accuracy of ``tiltscreen analyze --protocol sit-and-reach`` on synthetic people (renders).

Renders a fixed list of seeded two-trial sit-and-reach clips with ``tiltscreen-synth`` (cached outside the
repository), runs the real analysis (``run_sit_and_reach``) on each clip twice -- scaled by the box's ArUco
marker and scaled by stature alone -- and compares the summary with the per-frame ground truth: reach, hip
flexion, trunk inclination, knee flexion and hold time per detected trial, trial detection, invalid-trial
detection (bent knees, short holds, bouncing), refusal at large camera yaw, and a decomposition of the reach
error into fingertip, toe and scale parts.

Run outside CI, in the synth environment (torch, anny, pyrender and mediapipe)::

    PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny \\
        /work/venv-synth/bin/python benchmarks/accuracy_sit_and_reach.py render --shard 0/2   # then 1/2
    PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny \\
        /work/venv-synth/bin/python benchmarks/accuracy_sit_and_reach.py evaluate [--only-cached]

``render`` only renders (cached by configuration hash in ``--cache``, default ``/work/cache/accuracy_sr_v2``);
``evaluate`` renders what is missing (unless ``--only-cached``), analyses, and writes
``benchmarks/results/accuracy_sit_and_reach.json`` and ``.md`` (``--no-save`` to only print).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.synth.config import BodySpec, CameraSpec, ClipSpec, SitReachSpec

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_CACHE = Path("/work/cache/accuracy_sr_v2")  # renders of the generator that keeps hands over the box
W, H, FPS = 640, 360, 30.0
REACH_S, RETURN_S, REST_S = 1.5, 1.2, 1.0
HOLD_BAND_CM = 1.0

# name, seed, body (sex 0 M..1 F, stature cm, age y, weight), side, yaw deg, roll deg, sit-and-reach options
# options: ext (hamstring extensibility), knee (deg), hold (s), ballistic, uneven (deg), marker (cm),
# reach (s).
# Ballistic bounces take the last 45 % of the reach, 3 bounces: period = 0.15 x reach time.
# sr10 bounces at ~1.9 Hz
# (reach 3.5 s, a plausible ballistic rhythm); sr11 at ~4.4 Hz (reach 1.5 s: fast, small jerks).
CLIPS: list[tuple[str, int, tuple[float, float, float, float], str, float, float, dict[str, Any]]] = [
    ("sr01", 301, (0.0, 178, 30, 0.5), "left", 0, 0, {"ext": 0.5, "knee": 0, "hold": 2.5}),
    ("sr02", 302, (1.0, 162, 40, 0.6), "right", 5, 1, {"ext": 0.9, "knee": 0, "hold": 3.0}),
    ("sr03", 303, (0.0, 192, 25, 0.3), "left", 10, 2, {"ext": 0.2, "knee": 0, "hold": 2.5, "marker": 12}),
    ("sr04", 304, (1.0, 152, 65, 0.7), "right", 15, 0, {"ext": 0.8, "knee": 0, "hold": 2.2}),
    ("sr05", 305, (0.0, 185, 55, 0.8), "left", 8, 3, {"ext": 0.3, "knee": 20, "hold": 2.5}),
    ("sr06", 306, (1.0, 168, 35, 0.4), "right", 3, 1, {"ext": 0.7, "knee": 15, "hold": 2.5}),
    ("sr07", 307, (0.0, 172, 45, 0.6), "left", 12, 0, {"ext": 0.1, "knee": 25, "hold": 2.5}),
    ("sr08", 308, (1.0, 158, 22, 0.3), "left", 0, 2, {"ext": 1.0, "knee": 0, "hold": 1.2}),
    ("sr09", 309, (0.0, 180, 70, 0.7), "right", 6, 0, {"ext": 0.4, "knee": 0, "hold": 1.5}),
    (
        "sr10",
        310,
        (1.0, 175, 30, 0.5),
        "left",
        4,
        1,
        {"ext": 0.6, "knee": 0, "hold": 2.5, "ballistic": True, "reach": 3.5},
    ),
    (
        "sr11",
        311,
        (0.0, 188, 38, 0.5),
        "right",
        10,
        2,
        {"ext": 0.5, "knee": 0, "hold": 2.5, "ballistic": True},
    ),
    ("sr12", 312, (1.0, 165, 50, 0.6), "right", 2, 0, {"ext": 0.6, "knee": 0, "hold": 2.5, "uneven": 20}),
    ("sr13", 313, (0.0, 195, 28, 0.4), "left", 14, 1, {"ext": 0.9, "knee": 18, "hold": 3.0}),
    ("sr14", 314, (1.0, 150, 60, 0.8), "left", 7, 3, {"ext": 0.2, "knee": 0, "hold": 2.0, "marker": 8}),
    ("sr15", 315, (0.0, 170, 33, 0.2), "right", 0, 0, {"ext": 0.35, "knee": 0, "hold": 1.8}),
    ("sr16", 316, (1.0, 182, 42, 0.5), "right", 11, 2, {"ext": 0.75, "knee": 22, "hold": 2.5}),
    ("sr17", 317, (0.0, 176, 30, 0.5), "left", 22, 1, {"ext": 0.5, "knee": 0, "hold": 2.5}),
    ("sr18", 318, (1.0, 166, 45, 0.5), "right", 28, 0, {"ext": 0.6, "knee": 0, "hold": 2.5}),
    ("sr19", 319, (0.0, 183, 35, 0.6), "left", 25, 2, {"ext": 0.4, "knee": 20, "hold": 2.5}),
]


def clip_spec(entry: tuple) -> ClipSpec:
    """Build the frozen ClipSpec of one ``CLIPS`` entry (two trials, 640x360, 30 fps)."""
    _, seed, (sex, stature, age, weight), side, yaw, roll, opts = entry
    camera = CameraSpec(side=side, yaw_deg=yaw, roll_deg=roll, width=W, height=H, fps=FPS)
    body = BodySpec(sex=sex, stature_cm=stature, age_years=age, weight=weight)
    sit = SitReachSpec(
        extensibility=opts.get("ext", 0.5),
        knee_flexion_deg=opts.get("knee", 0.0),
        trials=2,
        hold_s=opts.get("hold", 2.5),
        reach_s=opts.get("reach", REACH_S),
        return_s=RETURN_S,
        rest_s=REST_S,
        ballistic=bool(opts.get("ballistic", False)),
        uneven_hands_deg=opts.get("uneven", 0.0),
        marker_cm=opts.get("marker", 10.0),
    )
    return ClipSpec(scene="sit-and-reach", seed=seed, body=body, camera=camera, sit_reach=sit)


def clip_stem(entry: tuple, cache: Path) -> Path:
    """Cache stem of one clip: its name and a hash of its full configuration."""
    spec = clip_spec(entry)
    key = hashlib.sha256(json.dumps(spec.to_dict(), sort_keys=True).encode()).hexdigest()[:10]
    return cache / f"{entry[0]}_{key}"


def is_cached(entry: tuple, cache: Path) -> bool:
    stem = clip_stem(entry, cache)
    return stem.with_suffix(".json").is_file() and stem.with_suffix(".mp4").is_file()


def render_cached(entry: tuple, cache: Path) -> tuple[Path, dict[str, Any]]:
    """Render one clip unless a clip with the same configuration is cached; return the .mp4 and its GT."""
    stem = clip_stem(entry, cache)
    if not is_cached(entry, cache):
        from tiltscreen.synth.pipeline import generate_clip  # noqa: PLC0415 - torch/anny only here

        cache.mkdir(parents=True, exist_ok=True)
        tmp = stem.with_name(stem.name + "_partial")  # no dot: with_suffix() must not eat it
        generate_clip(clip_spec(entry), tmp)
        tmp.with_suffix(".mp4").rename(stem.with_suffix(".mp4"))
        tmp.with_suffix(".json").rename(stem.with_suffix(".json"))
    return stem.with_suffix(".mp4"), json.loads(stem.with_suffix(".json").read_text())


def cmd_render(args: argparse.Namespace) -> int:
    k, n = (int(x) for x in args.shard.split("/"))
    todo = [e for i, e in enumerate(CLIPS) if i % n == k]
    for entry in todo:
        if is_cached(entry, args.cache):
            print(f"[{time.strftime('%H:%M:%S')}] {entry[0]} cached", flush=True)
            continue
        started = time.monotonic()
        print(
            f"[{time.strftime('%H:%M:%S')}] {entry[0]} rendering ({clip_spec(entry).duration_s:.1f} s)",
            flush=True,
        )
        render_cached(entry, args.cache)
        print(
            f"[{time.strftime('%H:%M:%S')}] {entry[0]} done in {time.monotonic() - started:.0f} s", flush=True
        )
    return 0


# ----------------------------------------------------------------------------------------------------
# ground truth
# ----------------------------------------------------------------------------------------------------

METRICS = (
    "reach_cm",
    "hip_flexion_deg",
    "trunk_inclination_deg",
    "knee_flexion_deg",
    "hold_s",
    "lumbo_horizontal_deg",
)
NOT_BUILT = ("pelvic_tilt_deg",)  # null without skin markers (these clips have none): see lumbo_outline.py
TARGETS = {  # metric -> (statistic, bound, unit, text)
    ("reach_cm", "marker"): ("mae", 1.0, "cm", "MAE <= 1.0 cm with the marker scale"),
    ("reach_cm", "stature"): ("mae", 2.5, "cm", "MAE <= 2.5 cm from stature alone"),
    ("hip_flexion_deg", None): ("mae", 2.5, "deg", "MAE <= 2.5 deg"),
    ("knee_flexion_deg", None): ("mae", 2.5, "deg", "MAE <= 2.5 deg"),
    ("hold_s", None): ("max", 0.2, "s", "every trial within 0.2 s"),
}
BENT_KNEE_DEG = 15.0
YAW_REFUSAL_DEG = 20.0
MIN_HOLD_S = 2.0
MAX_HANDS_GAP_CM = 5.0  # the tool's max_hands_gap_cm threshold


def gt_hold(gt: dict[str, Any], near: str, window_s: tuple[float, float]) -> dict[str, Any] | None:
    """GT hold of the trial whose detected [start, end] is ``window_s``.

    The GT maximum is the largest GT reach (near side) within the window; the hold is the contiguous run of
    frames whose GT reach stays within ``HOLD_BAND_CM`` of that maximum -- among the runs that reach the
    maximum (within 1 mm; a ballistic reach touches the held level at each bounce), the longest.
    Duration = last - first frame time, as the tool defines ``hold_s``.
    """
    t = np.asarray(gt["frames"]["t_s"], float)
    r = np.asarray(gt["frames"][f"reach_{near}_cm"], float)
    inside = np.flatnonzero((t >= window_s[0] - 1e-6) & (t <= window_s[1] + 1e-6))
    if not inside.size:
        return None
    peak = float(np.max(r[inside]))
    above = r >= peak - HOLD_BAND_CM
    runs, i = [], 0
    while i < len(r):
        if above[i]:
            j = i
            while j + 1 < len(r) and above[j + 1]:
                j += 1
            if np.any(r[i : j + 1] >= peak - 0.1) and np.any(
                (np.arange(i, j + 1)[:, None] == inside).any(axis=1)
            ):
                runs.append((i, j))
            i = j + 1
        else:
            i += 1
    first, last = max(runs, key=lambda ab: ab[1] - ab[0])
    frames = np.arange(first, last + 1)
    return {
        "frames": frames,
        "first_s": float(t[first]),
        "last_s": float(t[last]),
        "hold_s": float(t[last] - t[first]),
        "reach_cm": float(np.median(r[frames])),
        "max_cm": peak,
        "hip_flexion_deg": float(np.median(np.asarray(gt["frames"][f"hip_flexion_{near}_deg"])[frames])),
        "trunk_inclination_deg": float(np.median(np.asarray(gt["frames"]["trunk_inclination_deg"])[frames])),
        "knee_flexion_deg": float(np.max(np.asarray(gt["frames"][f"knee_flexion_{near}_deg"])[frames])),
        "lumbo_horizontal_deg": float(np.median(np.asarray(gt["frames"]["lumbo_horizontal_deg"])[frames])),
    }


def gt_trial_index(gt: dict[str, Any], max_s: float) -> int | None:
    """Index of the GT trial (start..end) that contains the detected maximum time, else the nearest one."""
    trials = gt["trials"]
    for k, tr in enumerate(trials):
        if tr["start_s"] <= max_s <= tr["end_s"]:
            return k
    if not trials:
        return None
    return int(np.argmin([min(abs(max_s - tr["start_s"]), abs(max_s - tr["end_s"])) for tr in trials]))


def signed_yaw_deg(gt: dict[str, Any]) -> float:
    """True camera yaw from the GT extrinsics, positive when the camera sees part of the subject's front.

    The synth's ``--yaw`` turns the view to the right for both sides, so a positive yaw shows the front from
    the left and the back from the right (the tool's message "it sees part of the subject's front" =
    positive here).
    """
    z = np.array(gt["camera"]["rotation_world_to_camera"], float)[2]  # optical axis in world coordinates
    forward = np.array([0.0, -1.0, 0.0])  # the subject's forward (-Y)
    return float(np.degrees(np.arcsin(np.clip(-z @ forward, -1.0, 1.0))))


def project(gt: dict[str, Any], world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates and depth (m) of world points (N, 3) with the GT camera."""
    cam = gt["camera"]
    r, t = np.array(cam["rotation_world_to_camera"], float), np.array(cam["translation_m"], float)
    c = world @ r.T + t
    uv = np.stack([cam["fx"] * c[:, 0] / c[:, 2] + cam["cx"], cam["fy"] * c[:, 1] / c[:, 2] + cam["cy"]], 1)
    return uv, c[:, 2]


# ----------------------------------------------------------------------------------------------------
# analysis
# ----------------------------------------------------------------------------------------------------


def annotate_occlusion(clip: dict[str, Any], gt: dict[str, Any]) -> None:
    """Mark trials whose true fingertip is inside the box during the GT hold (hidden: no image can show it).

    Since the generator keeps the hands over the box (tiltscreen-synth, "Hands over the box") this should be
    0 for every trial; renders made before that fix had fingertips inside the box at long reaches, hidden by
    it. ``fingertip_in_box_frac`` = fraction of the GT hold frames with the near fingertip inside the box.
    """
    box = gt["box"]
    lo, hi = np.asarray(box["lo_m"], float), np.asarray(box["hi_m"], float)
    t = np.asarray(gt["frames"]["t_s"], float)
    for run in clip["runs"].values():
        tip = np.asarray(gt["points_world_m"][f"{run['side']}_fingertip"], float)
        inside = np.all((tip > lo) & (tip < hi), axis=1)
        for tr in run["trials"]:
            if not tr["gt"]:
                tr["fingertip_in_box_frac"] = None
                continue
            hold = (t >= tr["gt"]["hold_first_s"] - 1e-6) & (t <= tr["gt"]["hold_last_s"] + 1e-6)
            tr["fingertip_in_box_frac"] = round(float(inside[hold].mean()), 3)
            gap = np.abs(
                np.asarray(gt["frames"]["reach_left_cm"]) - np.asarray(gt["frames"]["reach_right_cm"])
            )
            tr["gt_hands_gap_cm"] = round(float(np.median(gap[hold])), 2)


def annotate_box_contrast(clip: dict[str, Any], gt: dict[str, Any], video: Path) -> None:
    """Colour difference (CIELAB delta E) between the hand and the box top just beyond the fingertip.

    Middle frame of the first GT hold: the skin patch is the 3x3 px around the midpoint of the near true
    fingertip and index knuckle (GT ``points_px``), the box patch the 3x3 px 6 px beyond the fingertip
    (forward) and 2 px below it. Stored as ``box_skin_delta_e`` (None when the frame cannot be read).
    """
    import cv2  # noqa: PLC0415 - mediapipe's opencv

    side = clip["runs"]["marker"]["side"]
    t = np.asarray(gt["frames"]["t_s"], float)
    tr = gt["trials"][0]
    inside = np.flatnonzero((t >= tr["hold_start_s"]) & (t <= tr["hold_end_s"]))
    clip["box_skin_delta_e"] = None
    if not inside.size or side is None:
        return
    i = int(inside[inside.size // 2])
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, i)
    ok, bgr = cap.read()
    cap.release()
    if not ok:
        return
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(float)
    tip = np.asarray(gt["points_px"][f"{side}_fingertip"][i], float)
    knuckle = np.asarray(gt["points_px"][f"{side}_index"][i], float)
    forward = 1.0 if tip[0] > knuckle[0] else -1.0

    def patch(p: np.ndarray) -> np.ndarray:
        x, y = int(p[0]), int(p[1])
        return lab[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2].reshape(-1, 3).mean(axis=0)

    skin, box = patch((tip + knuckle) / 2), patch(tip + np.array([6.0 * forward, 2.0]))
    clip["box_skin_delta_e"] = round(float(np.linalg.norm(skin - box)), 1)


def contrast_table(clips: list[dict[str, Any]]) -> list[str]:
    """Markdown: per in-scope clip, the hand-box contrast and the mean fingertip part of its reach error."""
    rows = []
    for c in clips:
        dec = [t["reach_decomposition"]["fingertip_cm"] for t in c["runs"]["marker"]["trials"]
               if t.get("reach_decomposition")]  # fmt: skip
        if in_scope(c) and dec and c.get("box_skin_delta_e") is not None:
            rows.append((c["name"], c["box_skin_delta_e"], float(np.mean(dec))))
    if len(rows) < 3:
        return []
    de, err = np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
    low, high = err[de < 25], err[de > 40]
    lines = [
        "## Fingertip error against the hand-box contrast",
        "",
        "Colour difference (CIELAB ΔE) between the hand and the box top just beyond the fingertip (middle of "
        "the first true hold), and the mean fingertip part of the marker-scale reach error of the clip's "
        f"trials. Correlation r = {np.corrcoef(de, err)[0, 1]:.2f} (n {len(rows)} clips); ΔE < 25: mean "
        f"{_f(float(low.mean()) if low.size else None)} cm (n {low.size}); ΔE > 40: mean "
        f"{_f(float(high.mean()) if high.size else None)} cm (n {high.size}).",
        "",
        "| clip | ΔE hand vs box top | fingertip error, cm |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {d:.1f} | {e:+.2f} |" for name, d, e in sorted(rows, key=lambda r: r[1])]
    return [*lines, ""]


def visible_tip(tr: dict[str, Any]) -> bool:
    """The true fingertip stays out of the box during the GT hold (the reach can be seen)."""
    return tr.get("fingertip_in_box_frac") == 0.0


def analyse_clip(entry: tuple, video: Path, gt: dict[str, Any], out_root: Path) -> dict[str, Any]:
    """Extract once, analyse with the marker scale and with stature alone; return summaries and internals.

    ``run_sit_and_reach`` = ``extract`` + ``analyse`` + figures; the extraction does not depend on the scale
    options, so it is shared between the two runs (checked: same summary as ``run_sit_and_reach``, see
    ``--check-run``).
    """
    from tiltscreen.config.thresholds import load_thresholds  # noqa: PLC0415
    from tiltscreen.outputs.files import write_json  # noqa: PLC0415
    from tiltscreen.protocols.sit_and_reach.run import AnalyzeJob, analyse  # noqa: PLC0415
    from tiltscreen.run.recording import extract  # noqa: PLC0415

    th = load_thresholds(None)
    out_root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rec = extract(AnalyzeJob(input=str(video), out_dir=out_root / "marker"))
    extract_s = time.monotonic() - started
    runs = {}
    for mode in ("marker", "stature"):
        job = AnalyzeJob(
            input=str(video),
            out_dir=out_root / mode,
            marker_size_cm=float(gt["marker"]["side_cm"]) if mode == "marker" else None,
            subject_height_cm=float(gt["subject"]["stature_cm"]) if mode == "stature" else None,
        )
        summary, parts = analyse(rec, job, th)
        job.out_dir.mkdir(parents=True, exist_ok=True)
        write_json(job.out_dir / "summary.json", summary)
        runs[mode] = (summary, parts)
    return {"rec": rec, "runs": runs, "extract_s": extract_s}


def reach_decomposition(gt: dict[str, Any], rec, parts: dict[str, Any], trial) -> dict[str, float] | None:
    """(measured - GT) reach over the tool's hold frames, split into additive parts (cm, means over the hold).

    measured = fwd(tip_m - toe_m) / s, with s the tool's px/cm, tip_m the tool's outline fingertip and toe_m
    its fixed toe (median MediaPipe foot_index over the clip); GT reach R is in world cm.
      fingertip = fwd(tip_m - tip_gt) / s               (tool fingertip vs true fingertip, px -> cm)
      toe       = fwd(toe_gt - toe_m) / s               (= toe_mp_vs_gt_foot_index + foot_index_vs_toe_tip)
      scale     = fwd(tip_gt - toe_gt) * (1/s - 1/s_hand)   (s_hand = fx / (100 depth) at the true fingertip)
      projection= fwd(tip_gt - toe_gt) / s_hand - R     (perspective, yaw, depth of toe vs hand)
    fwd() is the tool's own forward component (facing, roll). The four parts add up to the mean error exactly.
    """
    from tiltscreen.pose.features import for_facing  # noqa: PLC0415
    from tiltscreen.protocols.sit_and_reach.measure import forward_component  # noqa: PLC0415

    side, facing = parts["side"], parts["facing"]
    roll = parts["roll"].deg or 0.0
    s = parts["scale"].px_per_cm
    if s is None:
        return None
    lm = rec.lm
    rows = np.arange(trial.hold_frames.start, trial.hold_frames.stop)
    frames = lm.frame_index[rows]
    ok = frames < gt["n_frames"]
    rows, frames = rows[ok], frames[ok]
    size = np.array(lm.image_size, float)
    tip_m = for_facing(rec.features, f"{side}_fingertip", facing)[rows] * size
    toe_m = np.nanmedian(lm.point(f"{side}_foot_index"), axis=0)
    tip_g = np.asarray(gt["points_px"][f"{side}_fingertip"], float)[frames]
    toe_g = np.asarray(gt["points_px"][f"{side}_toe_tip"], float)[frames]
    fi_g = np.asarray(gt["points_px"][f"{side}_foot_index"], float)[frames]
    _, depth = project(gt, np.asarray(gt["points_world_m"][f"{side}_fingertip"], float)[frames])
    s_hand = gt["camera"]["fx"] / (100.0 * depth)
    R = np.asarray(gt["frames"][f"reach_{side}_cm"], float)[frames]

    def fwd(v: np.ndarray) -> np.ndarray:
        return forward_component(v, facing=facing, roll_deg=roll)

    gt_px = fwd(tip_g - toe_g)
    parts_cm = {
        "fingertip_cm": fwd(tip_m - tip_g) / s,
        "toe_cm": fwd(toe_g - toe_m) / s,
        "toe_mediapipe_vs_gt_foot_index_cm": fwd(fi_g - toe_m) / s,
        "toe_foot_index_vs_toe_tip_cm": fwd(toe_g - fi_g) / s,
        "scale_cm": gt_px * (1.0 / s - 1.0 / s_hand),
        "projection_cm": gt_px / s_hand - R,
    }
    if (
        parts["scale"].source == "marker"
    ):  # split the scale part: marker detection vs marker plane != hand plane
        c = np.asarray(gt["marker"]["corners_px"], float)
        side_px = float(np.mean(np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1)))
        s_marker = side_px / float(gt["marker"]["side_cm"])  # true px/cm at the marker
        parts_cm["scale_marker_detection_cm"] = gt_px * (1.0 / s - 1.0 / s_marker)
        parts_cm["scale_marker_plane_vs_hand_cm"] = gt_px * (1.0 / s_marker - 1.0 / s_hand)
    measured = fwd(tip_m - toe_m) / s
    keep = np.isfinite(measured) & np.all([np.isfinite(v) for v in parts_cm.values()], axis=0)
    if parts["scale"].source == "marker":
        keep &= np.isfinite(parts_cm["scale_marker_detection_cm"])
    if not keep.any():
        return None
    out = {k: float(np.mean(v[keep])) for k, v in parts_cm.items()}
    out["total_cm"] = float(np.mean(measured[keep] - R[keep]))
    out["fingertip_px"] = float(np.mean(fwd(tip_m - tip_g)[keep]))
    out["scale_ratio"] = float(np.mean(s / s_hand[keep]))  # tool px/cm over true px/cm at the hand
    out["n_frames"] = int(keep.sum())
    return out


def _num(x: Any, nd: int = 3) -> Any:
    if x is None:
        return None
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def evaluate_clip(entry: tuple, cache: Path, *, render: bool = True) -> dict[str, Any] | None:
    """Render (or reuse) one clip, analyse it twice and compare every detected trial with the GT."""
    name, seed, body, cam_side, yaw, roll, opts = entry
    if not render and not is_cached(entry, cache):
        return None
    video, gt = render_cached(entry, cache)
    started = time.monotonic()
    res = analyse_clip(entry, video, gt, cache / "runs" / name)
    knee_cfg = float(opts.get("knee", 0.0))
    clip: dict[str, Any] = {
        "name": name,
        "seed": seed,
        "sex": "F" if body[0] >= 0.5 else "M",
        "sex_param": body[0],
        "stature_cm": round(float(gt["subject"]["stature_cm"]), 1),
        "age_y": body[2],
        "weight": body[3],
        "camera_side": cam_side,
        "yaw_deg": yaw,
        "roll_deg": roll,
        "extensibility": opts.get("ext", 0.5),
        "knee_flexion_cfg_deg": knee_cfg,
        "hold_cfg_s": opts.get("hold", 2.5),
        "ballistic": bool(opts.get("ballistic", False)),
        "uneven_hands_deg": opts.get("uneven", 0.0),
        "marker_cm": float(gt["marker"]["side_cm"]),
        "duration_s": round(gt["n_frames"] / gt["fps"], 2),
        "gt_trials": len(gt["trials"]),
        "yaw_signed_deg": round(signed_yaw_deg(gt), 2),
        "render_s": gt.get("render_seconds"),
        "extract_s": round(res["extract_s"], 1),
        "runs": {},
    }
    for mode, (summary, parts) in res["runs"].items():
        side = summary["side"]
        run: dict[str, Any] = {
            "status": summary["status"],
            "reasons": summary["reasons"],
            "side": side,
            "side_correct": side == cam_side,
            "scale": summary["scale"]["source"] if summary["scale"] else None,
            "px_per_cm": summary["scale"]["px_per_cm"] if summary["scale"] else None,
            "camera": {
                k: summary["camera"][k] for k in ("roll_deg", "roll_method", "yaw_deg", "within_limits")
            },
            "n_trials": len(summary["trials"]),
            "best_trial": summary["best_trial"],
            "metrics": {k: summary["metrics"][k] for k in (*METRICS, *NOT_BUILT)},
            "trials": [],
        }
        for tr_dict, trial in zip(summary["trials"], parts["trials"], strict=True):
            hold = gt_hold(gt, side, (tr_dict["start_s"], tr_dict["end_s"]))
            k = gt_trial_index(gt, tr_dict["max_reach_s"])
            row: dict[str, Any] = {
                "index": tr_dict["index"],
                "gt_trial": k,
                "start_s": tr_dict["start_s"],
                "max_reach_s": tr_dict["max_reach_s"],
                "end_s": tr_dict["end_s"],
                "valid": tr_dict["valid"],
                "invalid_codes": tr_dict["invalid_codes"],
                "bouncing": tr_dict["bouncing"],
                "measured": {m: tr_dict["metrics"][m]["value"] for m in METRICS},
                "ci95": {m: tr_dict["metrics"][m]["ci95"] for m in METRICS},
                "gt": None,
                "error": {},
            }
            if hold is not None:
                row["gt"] = {m: _num(hold[m]) for m in METRICS}
                row["gt"]["hold_first_s"], row["gt"]["hold_last_s"] = hold["first_s"], hold["last_s"]
                for m in METRICS:
                    v = row["measured"][m]
                    row["error"][m] = _num(v - hold[m]) if v is not None else None
                row["expect"] = {
                    "knees_bent": knee_cfg >= BENT_KNEE_DEG,
                    "knees_straight": knee_cfg == 0.0,
                    "hold_short": hold["hold_s"] < MIN_HOLD_S,
                    "bouncing": clip["ballistic"],
                }
            dec = reach_decomposition(gt, res["rec"], parts, trial)
            row["reach_decomposition"] = {k: _num(v, 4) for k, v in dec.items()} if dec else None
            run["trials"].append(row)
        # best-trial (top-level) metrics against the GT of that trial
        best = summary["best_trial"]
        run["best_error"] = {}
        if best is not None and run["trials"][best]["gt"]:
            for m in METRICS:
                v = summary["metrics"][m]["value"]
                run["best_error"][m] = _num(v - run["trials"][best]["gt"][m]) if v is not None else None
        run["honest"] = honesty(summary, run)
        clip["runs"][mode] = run
    clip["analyse_s"] = round(time.monotonic() - started, 1)
    return clip


def honesty(summary: dict[str, Any], run: dict[str, Any]) -> str:
    """'refused' (indeterminate, metrics null), 'within_ci' (every reported best metric's 95% interval
    holds the GT), 'wrong' (some reported metric's interval misses the GT) or 'no_best' (no valid trial)."""
    best = summary["best_trial"]
    values = [summary["metrics"][m]["value"] for m in METRICS]
    if all(v is None for v in values):
        return "refused" if summary["status"] != "ok" else "no_best"
    if best is None or not run["trials"][best]["gt"]:
        return "no_best"
    gt = run["trials"][best]["gt"]
    for m in METRICS:
        mm = summary["metrics"][m]
        if mm["value"] is None or mm["ci95"] is None or m == "hold_s":
            continue
        lo, hi = mm["ci95"]
        if not lo <= gt[m] <= hi:
            return "wrong"
    return "within_ci"


# ----------------------------------------------------------------------------------------------------
# aggregation
# ----------------------------------------------------------------------------------------------------


def err_stats(errors: list[float]) -> dict[str, Any]:
    e = np.array([x for x in errors if x is not None and math.isfinite(x)], float)
    if not e.size:
        return {"n": 0, "mae": None, "max_abs": None, "bias": None, "sd": None}
    return {
        "n": int(e.size),
        "mae": _num(np.mean(np.abs(e))),
        "max_abs": _num(np.max(np.abs(e))),
        "bias": _num(np.mean(e)),
        "sd": _num(np.std(e, ddof=1)) if e.size > 1 else None,
    }


def designed_invalid(clip: dict[str, Any]) -> bool:
    """Every trial of the clip breaks the protocol by design (bent knees, short hold, bouncing)."""
    return bool(
        clip["knee_flexion_cfg_deg"] >= BENT_KNEE_DEG or clip["hold_cfg_s"] < 1.8 or clip["ballistic"]
    )


def in_scope(clip: dict[str, Any]) -> bool:
    return clip["yaw_deg"] < YAW_REFUSAL_DEG


def aggregate(clips: list[dict[str, Any]]) -> dict[str, Any]:
    """Per mode and metric: n, MAE, max |error|, bias over every detected trial of the in-scope clips
    (yaw < 20).
    """
    out: dict[str, Any] = {}
    scope = [c for c in clips if in_scope(c)]
    for mode in ("marker", "stature"):
        runs = [(c, c["runs"][mode]) for c in scope]
        trials = [(c, tr) for c, r in runs for tr in r["trials"] if tr["gt"]]
        metrics: dict[str, Any] = {}
        visible = [(c, tr) for c, tr in trials if visible_tip(tr)]
        for m in METRICS:
            st = err_stats([tr["error"].get(m) for _, tr in trials])
            st["fingertip_visible"] = err_stats([tr["error"].get(m) for _, tr in visible])
            if m == "reach_cm" and st["fingertip_visible"]["n"]:
                ev = np.array([tr["error"][m] for _, tr in visible if tr["error"].get(m) is not None], float)
                st["fingertip_visible"]["mae_after_removing_bias"] = _num(np.mean(np.abs(ev - ev.mean())))
                st["fingertip_visible"]["max_abs_after_removing_bias"] = _num(np.max(np.abs(ev - ev.mean())))
            key = (m, mode) if (m, mode) in TARGETS else (m, None)
            if key in TARGETS:
                stat, bound, unit, text = TARGETS[key]
                basis = st["fingertip_visible"] if m in ("reach_cm", "hold_s") else st
                got = basis["mae"] if stat == "mae" else basis["max_abs"]
                st["target_basis"] = (
                    "fingertip-visible trials" if m in ("reach_cm", "hold_s") else "all trials"
                )
                st["target"] = text
                st["met"] = None if got is None else bool(got <= bound)
            # straight-knee and steady-reach subsets (the protocol's valid trials) for context
            sub = [tr for c, tr in trials if c["knee_flexion_cfg_deg"] == 0 and not c["ballistic"]]
            st["straight_steady"] = err_stats([tr["error"].get(m) for tr in sub])
            st["best_trial"] = err_stats([r["best_error"].get(m) for _, r in runs])
            metrics[m] = st
        for m in NOT_BUILT:
            produced = [r["metrics"][m]["value"] for _, r in runs if r["metrics"][m]["value"] is not None]
            metrics[m] = {"status": "null without skin markers", "n_produced": len(produced)}
        n_ind = sum(r["status"] != "ok" for _, r in runs)
        det = [r["n_trials"] for c, r in runs]
        # invalid-trial detection
        bent = [tr for c, tr in trials if tr["expect"]["knees_bent"]]
        straight = [tr for c, tr in trials if tr["expect"]["knees_straight"]]
        short = [tr for c, tr in trials if tr["expect"]["hold_short"]]
        long_ = [tr for c, tr in trials if not tr["expect"]["hold_short"]]
        bouncy = [tr for c, tr in trials if tr["expect"]["bouncing"]]
        steady = [tr for c, tr in trials if not tr["expect"]["bouncing"]]
        uneven = [tr for c, tr in trials if tr.get("gt_hands_gap_cm", 0.0) > MAX_HANDS_GAP_CM]
        detection = {
            "clips": len(runs),
            "trials_expected": sum(c["gt_trials"] for c, _ in runs),
            "trials_found": sum(det),
            "clips_with_exact_trial_count": sum(
                n == c["gt_trials"] for (c, _), n in zip(runs, det, strict=True)
            ),
            "side_correct": sum(r["side_correct"] for _, r in runs),
            "indeterminate": n_ind,
            "indeterminate_rate": _num(n_ind / len(runs)) if runs else None,
            "indeterminate_clips": {c["name"]: r["reasons"] for c, r in runs if r["status"] != "ok"},
            # every trial invalid by design (bent knees, GT hold < 2 s, ballistic): "no valid trial"
            # is correct
            "indeterminate_expected": sum(r["status"] != "ok" for c, r in runs if designed_invalid(c)),
            "clips_designed_invalid": sum(designed_invalid(c) for c, _ in runs),
            "indeterminate_unexpected": sum(r["status"] != "ok" for c, r in runs if not designed_invalid(c)),
            "clips_designed_valid": sum(not designed_invalid(c) for c, _ in runs),
            "ok_but_ci95_misses_gt": [
                c["name"] for c, r in runs if r["status"] == "ok" and r["honest"] == "wrong"
            ],
            "bent_knee_trials_invalid_for_knees": [
                sum("knees_bent" in t["invalid_codes"] for t in bent),
                len(bent),
            ],
            "straight_knee_trials_flagged_knees": [
                sum("knees_bent" in t["invalid_codes"] for t in straight),
                len(straight),
            ],
            "short_hold_trials_flagged": [sum("hold_short" in t["invalid_codes"] for t in short), len(short)],
            "long_hold_trials_flagged_short": [
                sum("hold_short" in t["invalid_codes"] for t in long_),
                len(long_),
            ],
            "short_hold_trials_flagged_fingertip_visible": [
                sum("hold_short" in t["invalid_codes"] for t in short if visible_tip(t)),
                sum(1 for t in short if visible_tip(t)),
            ],
            "long_hold_trials_flagged_short_fingertip_visible": [
                sum("hold_short" in t["invalid_codes"] for t in long_ if visible_tip(t)),
                sum(1 for t in long_ if visible_tip(t)),
            ],
            "ballistic_trials_bouncing": [sum(t["bouncing"] for t in bouncy), len(bouncy)],
            "steady_trials_bouncing": [sum(t["bouncing"] for t in steady), len(steady)],
            "uneven_hands_trials_flagged": [
                sum("hands_uneven" in t["invalid_codes"] for t in uneven),
                len(uneven),
            ],
            "even_hands_trials_flagged": [
                sum(
                    "hands_uneven" in t["invalid_codes"]
                    for c, t in trials
                    if t.get("gt_hands_gap_cm", 0.0) <= MAX_HANDS_GAP_CM
                ),
                sum(1 for c, t in trials if t.get("gt_hands_gap_cm", 0.0) <= MAX_HANDS_GAP_CM),
            ],
        }
        b, s_ = (
            detection["bent_knee_trials_invalid_for_knees"],
            detection["straight_knee_trials_flagged_knees"],
        )
        detection["target_knees_met"] = bool(b[0] == b[1] and s_[0] == 0) if b[1] or s_[1] else None
        refusal = {c["name"]: c["runs"][mode]["honest"] for c in clips if not in_scope(c)}
        yaw_rows = [
            (c["name"], c["yaw_signed_deg"], c["runs"][mode]["camera"]["yaw_deg"])
            for c in clips
            if c["runs"][mode]["camera"]["yaw_deg"] is not None
        ]
        out[mode] = {
            "metrics": metrics,
            "detection": detection,
            "high_yaw": refusal,
            "yaw_estimate": {
                "per_clip": {n: {"true_signed": t, "estimated": e} for n, t, e in yaw_rows},
                "error_all": err_stats([e - t for _, t, e in yaw_rows]),
                "error_front_views": err_stats([e - t for _, t, e in yaw_rows if t > 0.5]),
                "error_back_views": err_stats([e - t for _, t, e in yaw_rows if t < -0.5]),
            },
            "high_yaw_never_silently_wrong": all(v != "wrong" for v in refusal.values()) if refusal else None,
            "in_scope_honesty": {c["name"]: c["runs"][mode]["honest"] for c in scope},
        }
    # reach error decomposition (every detected trial of in-scope clips), per scale
    keys = (
        "total_cm",
        "fingertip_cm",
        "toe_cm",
        "toe_mediapipe_vs_gt_foot_index_cm",
        "toe_foot_index_vs_toe_tip_cm",
        "scale_cm",
        "projection_cm",
        "fingertip_px",
        "scale_ratio",
        "scale_marker_detection_cm",
        "scale_marker_plane_vs_hand_cm",
    )
    for mode in ("marker", "stature"):
        decs = [
            tr["reach_decomposition"]
            for c in scope
            for tr in c["runs"][mode]["trials"]
            if tr.get("reach_decomposition") and tr["gt"] and visible_tip(tr)
        ]
        out[f"reach_decomposition_{mode}"] = (
            {
                k: {
                    "mean": _num(np.mean([d[k] for d in decs]), 3),
                    "sd": _num(np.std([d[k] for d in decs], ddof=1), 3),
                    "min": _num(min(d[k] for d in decs), 3),
                    "max": _num(max(d[k] for d in decs), 3),
                }
                for k in keys
                if all(k in d for d in decs)
            }
            if len(decs) > 1
            else {}
        )
        out[f"reach_decomposition_{mode}_n"] = len(decs)
    return out


def _f(x: Any, nd: int = 2) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def _frac(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}"


def uneven_gap(clips: list[dict[str, Any]]) -> str:
    gaps = [
        t.get("gt_hands_gap_cm")
        for c in clips
        if c["uneven_hands_deg"] > 0
        for t in c["runs"]["marker"]["trials"]
    ]
    return ", ".join(_f(g, 1) for g in gaps) or "–"


def clip_table_rows() -> list[str]:
    rows = [
        "| clip | seed | sex | stature cm | age | weight | side | yaw° | roll° | extensibility | knees° | "
        "hold s "
        "| other |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, seed, (sex, stature, age, weight), side, yaw, roll, o in CLIPS:
        other = ", ".join(
            x
            for x in (
                "ballistic" if o.get("ballistic") else "",
                f"uneven hands {o['uneven']}°" if o.get("uneven") else "",
                f"marker {o['marker']} cm" if o.get("marker") else "",
                f"reach time {o['reach']} s" if o.get("reach") else "",
                "high yaw (refusal test)" if yaw >= YAW_REFUSAL_DEG else "",
            )
            if x
        )
        rows.append(
            f"| {name} | {seed} | {'F' if sex >= 0.5 else 'M'} | {stature} | {age} | {weight} | {side} | "
            f"{yaw} "
            f"| {roll} | {o.get('ext', 0.5)} | {o.get('knee', 0)} | {o.get('hold', 2.5)} | {other or '–'} |"
        )
    return rows


def markdown(result: dict[str, Any]) -> str:
    agg, clips = result["aggregate"], result["clips"]
    names = [c["name"] for c in clips]
    lines = [
        "# Sit-and-reach clinical-metric accuracy on synthetic people (renders)",
        "",
        f"Generated by `benchmarks/accuracy_sit_and_reach.py` on {result['date']} ({result['platform']}) "
        f"at tiltscreen {result['tiltscreen']['commit'][:7]}"
        + (
            f" (work tree modified: {', '.join(result['tiltscreen']['modified'])})"
            if result["tiltscreen"]["modified"]
            else ""
        )
        + "; "
        f"{len(clips)} of {len(CLIPS)} clips analysed"
        + ("" if len(clips) == len(CLIPS) else " (**partial run**: " + ", ".join(names) + ")")
        + ".",
        "",
        "**Caveat: these are renders, not patients.** The synthetic people have no loose clothing, hair, "
        "shadows, "
        "clutter or lens distortion, the hands are flat and the box, marker and floor are ideal; accuracy "
        "here is an "
        "optimistic bound and must not be quoted as real-world accuracy.",
        "",
        'What is compared: every trial the tool detects (`summary["trials"][i]["metrics"]`) against the '
        "ground "
        "truth (GT) of the same frames. GT hold = the contiguous run of frames where the GT near-side reach "
        "stays "
        "within 1 cm of its maximum inside the detected trial's start-end window (the tool's own definition; "
        "for a "
        "bouncing reach the longest such run); GT reach, hip flexion and trunk inclination = medians over "
        "that hold, "
        "GT knee flexion = maximum over it, GT hold_s = last - first hold frame time. Near side = "
        '`summary["side"]`. '
        "Statistics are over the clips with camera yaw < 20° (the high-yaw clips are scored separately as a "
        "refusal "
        "test). Errors are measured - GT.",
        "",
    ]
    for mode, label in (
        ("marker", "Marker scale (`--marker-size-cm` = the GT marker side)"),
        ("stature", "Stature only (`--subject-height-cm` = the GT stature)"),
    ):
        a = agg[mode]
        lines += [
            f"## {label}",
            "",
            "All detected trials of the yaw < 20° clips; the reach target is judged on the trials whose true "
            "fingertip stays visible (out of the box) during the hold — see *Generator check* below.",
            "",
            "| metric | n | MAE | max abs | bias (mean signed) | SD | target | met? "
            "| fingertip-visible trials: n, MAE, max abs, bias | straight-knee steady trials: MAE, max abs "
            "| best trial: MAE (n) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for m in METRICS:
            st = a["metrics"][m]
            met = "–" if "met" not in st else ("**met**" if st["met"] else "**not met**")
            v, ss = st["fingertip_visible"], st["straight_steady"]
            lines.append(
                f"| {m} | {st['n']} | {_f(st['mae'])} | {_f(st['max_abs'])} | {_f(st['bias'])} | "
                f"{_f(st['sd'])} "
                f"| {st.get('target', '–')} | {met}"
                + (f" ({st['target_basis']})" if "target_basis" in st else "")
                + f" | {v['n']}, {_f(v['mae'])}, {_f(v['max_abs'])}, {_f(v['bias'])} "
                f"| {_f(ss['mae'])}, {_f(ss['max_abs'])} | {_f(st['best_trial']['mae'])} "
                f"({st['best_trial']['n']}) |"
            )
        for m in NOT_BUILT:
            lines.append(
                f"| {m} | – | – | – | – | – | – | null without skin markers (none on these clips; "
                f"{a['metrics'][m]['n_produced']} produced; markerless estimate refused, see "
                "lumbo_outline.md) "
                "| – | – | – |"
            )
        d = a["detection"]
        knees = (
            "–" if d["target_knees_met"] is None else ("**met**" if d["target_knees_met"] else "**not met**")
        )
        lines += [
            "",
            "| detection | result |",
            "|---|---|",
            f"| trials found / expected | {d['trials_found']}/{d['trials_expected']} "
            f"({d['clips_with_exact_trial_count']}/{d['clips']} clips with the exact count) |",
            f"| near side chosen correctly | {d['side_correct']}/{d['clips']} |",
            f"| indeterminate (yaw < 20°), all clips | {d['indeterminate']}/{d['clips']} "
            f"({_f(d['indeterminate_rate'])}) |",
            f"| indeterminate, clips with every trial invalid by design (correct: no valid trial) "
            f"| {d['indeterminate_expected']}/{d['clips_designed_invalid']} |",
            f"| indeterminate, clips with valid trials by design (unexpected) "
            f"| {d['indeterminate_unexpected']}/{d['clips_designed_valid']} |",
            "| status ok but the best trial's ci95 misses the GT (silently wrong at yaw < 20°) | "
            + (", ".join(d["ok_but_ci95_misses_gt"]) or "none")
            + " |",
            "| bent-knee (≥15°) trials invalid for the knees | "
            f"{_frac(d['bent_knee_trials_invalid_for_knees'])} |",
            "| straight-knee trials invalid for the knees | "
            f"{_frac(d['straight_knee_trials_flagged_knees'])} |",
            f"| target: every bent-knee trial invalid, no straight-knee trial invalid | {knees} |",
            f"| short-hold (GT < 2 s) trials flagged hold_short | {_frac(d['short_hold_trials_flagged'])} |",
            f"| GT hold ≥ 2 s trials flagged hold_short | {_frac(d['long_hold_trials_flagged_short'])} |",
            "| same two rows, fingertip-visible trials only | "
            f"{_frac(d['short_hold_trials_flagged_fingertip_visible'])} short flagged; "
            f"{_frac(d['long_hold_trials_flagged_short_fingertip_visible'])} ≥ 2 s flagged |",
            f"| ballistic trials flagged bouncing | {_frac(d['ballistic_trials_bouncing'])} |",
            f"| steady trials flagged bouncing | {_frac(d['steady_trials_bouncing'])} |",
            f"| GT hands gap > 5 cm trials flagged hands_uneven | {_frac(d['uneven_hands_trials_flagged'])} "
            "|",
            f"| GT hands gap ≤ 5 cm trials flagged hands_uneven | {_frac(d['even_hands_trials_flagged'])} "
            f"(sr12's `--uneven-hands 20` gives only {uneven_gap(clips)} cm: not a positive case) |",
            "| high-yaw (20–30°) clips: outcome | "
            + (", ".join(f"{k}: {v}" for k, v in a["high_yaw"].items()) or "–")
            + " — never silently wrong: "
            + (
                "–"
                if a["high_yaw_never_silently_wrong"] is None
                else ("**yes**" if a["high_yaw_never_silently_wrong"] else "**no**")
            )
            + " |",
            "",
        ]
        ye = a["yaw_estimate"]
        lines += [
            "Camera-yaw estimate (estimated − true signed yaw, positive = camera sees the front): all "
            f"bias {_f(ye['error_all']['bias'], 1)}°, MAE {_f(ye['error_all']['mae'], 1)}° (n "
            f"{ye['error_all']['n']}); "
            f"front views bias {_f(ye['error_front_views']['bias'], 1)}° (n {ye['error_front_views']['n']}); "
            f"back views bias {_f(ye['error_back_views']['bias'], 1)}° (n {ye['error_back_views']['n']}). "
            "Per clip "
            "(true → estimated): "
            + ", ".join(
                f"{k} {_f(v['true_signed'], 0)}→{_f(v['estimated'], 1)}" for k, v in ye["per_clip"].items()
            )
            + ".",
            "",
        ]
        if d["indeterminate_clips"]:
            lines += [
                "Indeterminate clips (yaw < 20°): "
                + "; ".join(f"{k}: {' '.join(v)}" for k, v in d["indeterminate_clips"].items()),
                "",
            ]
    hidden = [
        f"{c['name']} T{t['index'] + 1} ({_f(100 * t['fingertip_in_box_frac'], 0)}% of the hold, "
        f"GT reach {_f(t['gt']['reach_cm'], 1)} cm, error {_f(t['error'].get('reach_cm'), 1)} cm)"
        for c in clips
        for t in c["runs"]["marker"]["trials"]
        if t.get("fingertip_in_box_frac")
    ]
    lines += [
        "## Generator check: fingertips inside the box",
        "",
        "`tiltscreen-synth` keeps a fingertip that passes the box face at least 1 cm above the box top (the "
        "hands slide along it); renders made before this rule hid the fingertip inside the box at long "
        "reaches. Marker-scale trials with the near fingertip inside the box during the GT hold: "
        + ("; ".join(hidden) or "none")
        + ". The reach target and the decomposition below use only the trials with the fingertip visible.",
        "",
    ]
    lines += contrast_table(result["clips"])
    dec = agg.get("reach_decomposition_marker") or {}
    if dec:
        lines += [
            "## Reach error decomposition (marker scale, fingertip-visible trials, means over the tool's "
            "hold frames)",
            "",
            f"n = {agg['reach_decomposition_marker_n']} trials. measured − GT = fingertip + toe + scale + "
            "projection "
            "(exactly additive per frame):",
            "",
            "- **fingertip**: tool's outline fingertip − true fingertip (GT `points_px`), forward component, "
            "/ tool px/cm;",
            "- **toe**: true toe tip − tool's toe (median MediaPipe `foot_index` over the clip), / tool "
            "px/cm "
            "(split: MediaPipe vs GT `foot_index`, and GT `foot_index` vs GT toe tip);",
            "- **scale**: true fingertip→toe px × (1/tool px/cm − 1/true px/cm at the fingertip's depth, "
            "from the GT "
            "intrinsics/extrinsics);",
            "- **projection**: what remains between the true image distance at the hand's scale and the "
            "world reach "
            "(the fingertip and toe tip lie at different depths; off the optical axis this parallax shifts "
            "the "
            "fingertip towards the image centre, i.e. backwards; also yaw).",
            "",
            "| part | mean cm | SD | min | max |",
            "|---|---|---|---|---|",
        ]
        for k, label in (
            ("total_cm", "total (measured − GT)"),
            ("fingertip_cm", "fingertip"),
            ("toe_cm", "toe"),
            ("toe_mediapipe_vs_gt_foot_index_cm", "  toe: MediaPipe vs GT foot_index"),
            ("toe_foot_index_vs_toe_tip_cm", "  toe: GT foot_index vs toe tip"),
            ("scale_cm", "scale"),
            ("scale_marker_detection_cm", "  scale: marker side detected vs true marker side"),
            ("scale_marker_plane_vs_hand_cm", "  scale: marker plane vs hand depth"),
            ("projection_cm", "projection (parallax)"),
            ("fingertip_px", "fingertip, px"),
            ("scale_ratio", "tool px/cm ÷ true px/cm at the hand"),
        ):
            if k not in dec:
                continue
            v = dec[k]
            lines.append(
                f"| {label} | {_f(v['mean'], 3)} | {_f(v['sd'], 3)} | {_f(v['min'], 3)} | {_f(v['max'], 3)} |"
            )
        lines.append("")
    dst = agg.get("reach_decomposition_stature") or {}
    if dst:
        lines += [
            "Same decomposition with the stature scale: "
            + ", ".join(
                f"{k.replace('_cm', '')} {_f(dst[k]['mean'])} cm"
                for k in ("total_cm", "fingertip_cm", "toe_cm", "scale_cm", "projection_cm")
            )
            + f"; tool px/cm ÷ true px/cm at the hand {_f(dst['scale_ratio']['mean'], 3)} "
            f"(SD {_f(dst['scale_ratio']['sd'], 3)}, range {_f(dst['scale_ratio']['min'], 3)}–"
            f"{_f(dst['scale_ratio']['max'], 3)}).",
            "",
        ]
    lines += findings(agg)
    lines += [
        "## Per clip",
        "",
        "| clip | mode | status | side ok | scale px/cm | yaw true° (+front) | yaw est° | trials | best "
        "| per-trial: valid, codes, "
        "reach err cm, hip err°, knee err°, hold err s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in clips:
        for mode, r in c["runs"].items():
            per = "; ".join(
                f"T{t['index'] + 1} {'valid' if t['valid'] else 'invalid'} "
                f"{','.join(t['invalid_codes']) or '–'} "
                f"{_f(t['error'].get('reach_cm'))}, {_f(t['error'].get('hip_flexion_deg'), 1)}, "
                f"{_f(t['error'].get('knee_flexion_deg'), 1)}, {_f(t['error'].get('hold_s'))}"
                for t in r["trials"]
            )
            lines.append(
                f"| {c['name']} | {mode} | {r['status']} | {'yes' if r['side_correct'] else 'NO'} "
                f"| {_f(r['px_per_cm'])} | {_f(c['yaw_signed_deg'], 0)} | {_f(r['camera']['yaw_deg'], 1)} | "
                f"{r['n_trials']} "
                f"| {r['best_trial'] if r['best_trial'] is not None else '–'} | {per} |"
            )
    lines += [
        "",
        "## Clips",
        "",
        f"Two trials each, {W}×{H}, {FPS:g} fps, reach {REACH_S} s, return {RETURN_S} s, rest {REST_S} s, "
        "default realism (noise σ 2, blur 0.6 px, CRF 26, seeded scene colours), automatic framing, hfov "
        "60°. "
        "Equivalent CLI for a row: `tiltscreen-synth sit-and-reach --out STEM --seed SEED --sex {0|1} "
        "--stature-cm S --age A --weight W --side SIDE --yaw Y --roll R --extensibility E --knee-flexion K "
        "--hold H --trials 2 --reach-time 1.5 (or the row's reach time) --return-time 1.2 --rest 1.0 "
        "[--ballistic] [--uneven-hands D] "
        "[--marker-cm M]`.",
        "",
    ]
    lines += clip_table_rows()
    lines += [
        "",
        "## Rerun",
        "",
        "```sh",
        "export PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny",
        "# render (cached by configuration hash in /work/cache/accuracy_sr_v2; one shard at a time, ~13 GB)",
        "/work/venv-synth/bin/python benchmarks/accuracy_sit_and_reach.py render --shard 0/2",
        "/work/venv-synth/bin/python benchmarks/accuracy_sit_and_reach.py render --shard 1/2",
        "/work/venv-synth/bin/python benchmarks/accuracy_sit_and_reach.py evaluate",
        "```",
        "",
    ]
    return "\n".join(lines)


def findings(agg: dict[str, Any]) -> list[str]:
    """Short interpretation for the lead (numbers from this run; the causes were checked by hand)."""
    mk, st = agg["marker"], agg["stature"]
    rv, rs = mk["metrics"]["reach_cm"]["fingertip_visible"], st["metrics"]["reach_cm"]["fingertip_visible"]
    ye = mk["yaw_estimate"]
    return [
        "## Findings",
        "",
        f"- **Reach, calibrated offset.** On fingertip-visible trials the marker-scale reach is biased "
        f"{_f(rv['bias'])} cm (MAE {_f(rv['mae'])}); removing that mean bias would leave MAE "
        f"{_f(rv.get('mae_after_removing_bias'))} cm (max {_f(rv.get('max_abs_after_removing_bias'))}). "
        f"Stature scale: bias {_f(rs['bias'])} cm, MAE {_f(rs['mae'])} → "
        f"{_f(rs.get('mae_after_removing_bias'))} "
        "after removing it. The bias is the sum of three parts of similar size that partly cancel (table "
        "above): "
        "the outline fingertip falls short of the true fingertip, MediaPipe's `foot_index` sits behind the "
        "true "
        "toe tip (which lengthens the reach), and parallax (the hand is several cm further from the camera "
        "than "
        "the toe tip, off the optical axis) shortens it. The parallax part depends on where the feet are in "
        "the "
        "image (here: automatic framing), so a fixed offset transfers to real set-ups only approximately.",
        f"- **The yaw estimate is blind to back views.** Estimated − true yaw: front views bias "
        f"{_f(ye['error_front_views']['bias'], 1)}°, back views bias "
        f"{_f(ye['error_back_views']['bias'], 1)}° "
        "(the estimate stays near 0…+5° when the camera sees the subject's back), plus ~+6° at a square "
        "view. The view check therefore also refuses when the two feet appear more than 0.20 trunk lengths "
        "apart (`camera.max_foot_separation`); with it the 28° back view (sr18) and the 15° back view (sr04, "
        "at the limit) are refused instead of reporting hip errors of +8–10° with status ok.",
        "- **Roll from the marker's vertical edges.** On the box's side face the horizontal edges recede as "
        "soon as the camera is turned and converge in the image (+1.4° roll bias on these clips); the "
        "vertical edges stay parallel for a level camera. On the first renders trunk inclination MAE went "
        "from 3.26° to 2.73° with this change.",
        "- **Hands over the box.** The first renders let the fingertips pass into the box at long reaches "
        "(hidden); with the hands sliding along the box top, as in a real test, the fingertips lie on it "
        "and, where the box top is close to skin colour, fade out of MediaPipe's mask: the outline fingertip "
        "falls about 2 cm short on average (decomposition above). Taking the hand's forward-most outline "
        "point instead of the furthest along the forearm (a raised finger no longer wins) gave 0.2 cm of "
        "it back. A box that contrasts with skin is the practical remedy.",
        "- **Hold level.** The hand often arrives a little further than where it settles; judged against "
        "that brief maximum, the settled hold fell outside the 1 cm band and was cut (long holds flagged "
        "short: 5/28). The hold is now judged against the highest reach sustained over the required 2 s "
        "(2/28), hold MAE 0.39 → 0.21 s.",
        "- **Hip flexion** is a 2-D angle between MediaPipe's shoulder, hip and knee. `hip_flexion_error.md` "
        "splits its error: MediaPipe's shoulder sits above and in front of the shoulder joint (+6.3° on "
        "average), "
        "its hip above and in front of the hip joint (−4.1°), its knee +1.8°, and perspective (the near "
        "shoulder "
        "is 7–8 cm closer to the camera than the near hip, off the optical axis) −2.4°; these partly cancel. "
        "Nothing the tool can compute reaches 2.5° (alternatives 3.09–5.80°, fitted ones left one clip out); "
        "with perfect joint pixels the near-side 2-D angle would still be off by 3.1°.",
        "- **lumbo_horizontal_deg** here is scored on the clips its window was chosen on; its held-out "
        "figure "
        "is in `lumbo_outline.md`.",
        "- **95% intervals** were too narrow in the first run (reach ±1.96·hypot(|reach|·rel, 0.5 cm), hold "
        "±2 "
        "frames, angles ±4–5°); they are now built from the errors measured here. Clips still outside their "
        "interval with status ok are listed in the detection table.",
        "- **Bouncing** (first run: 0/4 detected) is now judged on the trunk inclination as well as the "
        "reach "
        "(see the detection table).",
        "- **Refusal now covers `trials[]`** (in the first run the per-trial metrics kept values when the "
        "camera was outside the limits).",
        "- **Generator:** the first runs used renders whose fingertips passed into the box at long reaches "
        "(12 of 19 clips were changed by the fix, 9 had a hidden fingertip during a hold); they were "
        "re-rendered with the hands kept over the box, so every trial now counts for the reach.",
        "",
    ]


def check_run(entry: tuple, cache: Path) -> bool:
    """Check that the shared-extraction path gives the same summary as ``run_sit_and_reach`` (marker mode)."""
    from tiltscreen.protocols.sit_and_reach.run import AnalyzeJob, run_sit_and_reach  # noqa: PLC0415

    video, gt = render_cached(entry, cache)
    ours = json.loads((cache / "runs" / entry[0] / "marker" / "summary.json").read_text())
    job = AnalyzeJob(
        input=str(video),
        out_dir=cache / "runs" / entry[0] / "check",
        marker_size_cm=float(gt["marker"]["side_cm"]),
    )
    theirs = run_sit_and_reach(job)
    theirs = json.loads(json.dumps(theirs))
    for d in (ours, theirs):
        d.pop("files", None)
    same = ours == theirs
    print(f"check-run {entry[0]}: {'identical' if same else 'DIFFERENT'} summary", flush=True)
    return same


def tool_hash() -> str:
    """Hash of the tiltscreen sources and thresholds (per-clip results are reused only for the same code)."""
    import tiltscreen  # noqa: PLC0415

    root = Path(tiltscreen.__file__).parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.suffix in (".py", ".json") and "synth" not in f.parts:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:10]


def git_state() -> dict[str, Any]:
    """Commit of the analysed code and the tracked files modified in the work tree."""
    import subprocess  # noqa: PLC0415

    root = Path(__file__).resolve().parents[1]

    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", *a], cwd=root, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "HEAD"),
        "modified": [
            f for f in git("diff", "--name-only", "HEAD").splitlines() if "accuracy_sit_and_reach" not in f
        ],
        "code_hash": tool_hash(),
    }


def cmd_evaluate(args: argparse.Namespace) -> int:
    clips: list[dict[str, Any]] = []
    selected = [e for e in CLIPS if not args.clips or e[0] in args.clips.split(",")]
    for entry in selected:
        started = time.monotonic()
        saved = args.cache / "results" / f"{clip_stem(entry, args.cache).name}_{tool_hash()}.json"
        if saved.is_file() and not args.fresh:
            clip = json.loads(saved.read_text())
        else:
            clip = evaluate_clip(entry, args.cache, render=not args.only_cached)
            if clip is not None:
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_text(json.dumps(clip, allow_nan=False))
        if clip is None:
            print(f"[{time.strftime('%H:%M:%S')}] {entry[0]} not rendered yet: skipped", flush=True)
            continue
        gt_entry = json.loads(clip_stem(entry, args.cache).with_suffix(".json").read_text())
        annotate_occlusion(clip, gt_entry)
        annotate_box_contrast(clip, gt_entry, clip_stem(entry, args.cache).with_suffix(".mp4"))
        clips.append(clip)
        m = clip["runs"]["marker"]
        print(
            f"[{time.strftime('%H:%M:%S')}] {entry[0]}: {m['status']}, {m['n_trials']} trials, reach err "
            f"{[t['error'].get('reach_cm') for t in m['trials']]} ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
    if not clips:
        print("no clip analysed", file=sys.stderr)
        return 1
    check = check_run(CLIPS[0], args.cache) if args.check_run and clips[0]["name"] == CLIPS[0][0] else None
    result = {
        "benchmark": "accuracy_sit_and_reach",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "caveat": "Renders, not patients: accuracy on renders is an optimistic bound.",
        "complete": len(clips) == len(CLIPS),
        "tiltscreen": git_state(),
        "definitions": {
            "gt_hold": "contiguous frames with GT near-side reach >= max - 1 cm inside the detected trial "
            "window (longest such run touching the max); hold_s = last - first frame time",
            "gt_reach_hip_trunk": "median over the GT hold",
            "gt_knee": "max over the GT hold",
            "scope": f"aggregate statistics over clips with yaw < {YAW_REFUSAL_DEG:g} deg; "
            "every detected trial",
            "error": "measured - GT",
            "honest": "high-yaw outcome: refused (indeterminate, metrics null) / within_ci (every reported "
            "metric's ci95 holds the GT) / wrong / no_best",
        },
        "targets": {f"{k[0]}{'/' + k[1] if k[1] else ''}": v[3] for k, v in TARGETS.items()},
        "run_equivalence_check": check,
        "aggregate": aggregate(clips),
        "clips": clips,
    }
    text = markdown(result)
    if args.no_save:
        print(text)
        return 0
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "accuracy_sit_and_reach.json").write_text(json.dumps(result, indent=1, allow_nan=False) + "\n")
    (RESULTS / "accuracy_sit_and_reach.md").write_text(text)
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_render = sub.add_parser("render", help="render (cache) the clips only")
    p_render.add_argument("--shard", default="0/1", help="k/n: render every n-th clip starting at k")
    p_render.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p_render.set_defaults(func=cmd_render)
    p_eval = sub.add_parser("evaluate", help="analyse every clip and write the results")
    p_eval.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p_eval.add_argument(
        "--only-cached", action="store_true", help="skip clips not rendered yet (partial results)"
    )
    p_eval.add_argument("--clips", default="", help="comma-separated clip names (default: all)")
    p_eval.add_argument(
        "--check-run",
        action="store_true",
        help="also run run_sit_and_reach on the first clip and compare the summaries",
    )
    p_eval.add_argument("--no-save", action="store_true")
    p_eval.add_argument(
        "--fresh", action="store_true", help="re-analyse even if a result for this code is cached"
    )
    p_eval.set_defaults(func=cmd_evaluate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
