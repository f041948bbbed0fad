"""Sit-and-reach pelvis from the posterior stickers: tilt at the hold, hip flexion vs pelvis, pelvis share.

For every clip cached by ``benchmarks/pelvis_extract.py`` (landmarks, markers and the pelvis crop of every
frame) this replays the two sticker searches on the crops (the ASIS/PSIS pair of ``main`` and the three
pelvis stickers), runs the protocol's ``analyse`` twice -- *before*: the pair and the back contour only, as
on ``main``; *after*: with the pelvis stickers -- and compares with the clip's ground truth:

* ``pelvic_tilt_deg`` of the best trial against the true bone ASIS-PSIS tilt (median over the detected
  hold frames);
* the hip flexion against the pelvis (``90 + tilt + thigh``, see
  :func:`tiltscreen.protocols.sit_and_reach.pelvis.hip_flexion_vs_pelvis`) against the same quantity
  from the true tilt and the true hip and knee joint centres;
* the pelvis's share of the trunk's forward rotation (rest before the trial vs the hold) against the true
  tilt and trunk inclination, in percentage points;
* per-frame errors of each sticker line (for the 1 SD of :data:`LINE_SD_DEG`) and coverage.

Usage (main venv; development sets while tuning, a held-out set only in the final run)::

    PYTHONPATH=src python benchmarks/pelvis_benchmark.py --set /work/cache/dev/sr \\
        --set /work/cache/dev/pelvis_extra --name dev
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pelvis_extract import clip_names  # noqa: E402
from pelvis_report import summarise, write_report  # noqa: E402

from tiltscreen.config.thresholds import load_thresholds  # noqa: E402
from tiltscreen.kinematics.sagittal import subject_vector  # noqa: E402
from tiltscreen.pose.estimator import Candidate  # noqa: E402
from tiltscreen.pose.pelvis_stickers import PelvisStickerRecorder  # noqa: E402
from tiltscreen.pose.sticker_types import PelvisStickerSpecs  # noqa: E402
from tiltscreen.pose.stickers import StickerRecorder, StickerSpec  # noqa: E402
from tiltscreen.protocols.recording import AnalyzeJob, Recording  # noqa: E402
from tiltscreen.protocols.sit_and_reach.run import analyse  # noqa: E402
from tiltscreen.sources.frame import Frame  # noqa: E402

CACHE = Path("/work/cache/work/pelvis")
RESULTS = Path(__file__).resolve().parent / "results"


def _frames(data: dict):
    """Yield (Frame, Candidate) rebuilt from the cached crops: the crop pasted into a black frame."""
    raw = data["raw"]
    w, h = raw.image_size
    for c in data["crops"]:
        if c is None:
            continue
        idx, scale, (x0, y0), crop, mask = c
        img = np.zeros((round(h * scale), round(w * scale), 3), np.uint8)
        img[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
        full = None
        if mask is not None:
            full = np.zeros(img.shape[:2], np.float32)
            full[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = mask / 255.0
        xyz = raw.xyz[idx]
        cand = Candidate(xyz, np.ones(33), np.ones(33), np.zeros((33, 3)), full)
        yield Frame(idx, float(raw.timestamps_s[idx]), img, scale), cand


def replay(pkl: Path, gt: dict) -> tuple[StickerRecorder, PelvisStickerRecorder]:
    """Both sticker searches over a clip's cached crops (cached themselves next to the clip)."""
    out = pkl.with_suffix(".stickers.pkl")
    if out.exists() and out.stat().st_mtime > pkl.stat().st_mtime:
        with out.open("rb") as f:
            return pickle.load(f)
    with pkl.open("rb") as f:
        data = pickle.load(f)
    rgb = tuple(gt["config"]["sticker_rgb"])
    crest = tuple(gt["config"].get("posterior_rgb") or rgb)
    pair = StickerRecorder(spec=StickerSpec(colour_rgb=rgb))
    three = PelvisStickerRecorder(
        specs=PelvisStickerSpecs(StickerSpec(colour_rgb=rgb), StickerSpec(colour_rgb=crest))
    )
    n = data["raw"].n_frames
    pair.searches, three.searches = [None] * n, [None] * n
    for frame, cand in _frames(data):
        for rec in (pair, three):
            rec(frame, cand)
            rec.searches[frame.index] = rec.searches.pop()
    for rec, empty in ((pair, StickerRecorder), (three, PelvisStickerRecorder)):
        blank = empty()
        blank(Frame(0, 0.0, np.zeros((2, 2, 3), np.uint8), 1.0), None)
        rec.searches = [s if s is not None else blank.searches[0] for s in rec.searches]
        rec.frame_index = list(range(n))
    with out.open("wb") as f:
        pickle.dump((pair, three), f)
    return pair, three


def _truth(gt: dict, hold: np.ndarray, rest: np.ndarray) -> dict:
    """True tilt at the hold, hip flexion vs pelvis, and the pelvis share (rows: frame masks)."""
    side = gt["config"]["camera"]["side"]
    fr, pts = gt["frames"], gt["points_px"]
    tilt = np.asarray(fr[f"pelvic_tilt_{side}_deg"], float)
    trunk = np.asarray(fr["trunk_inclination_deg"], float)
    hip, knee = (np.asarray(pts[f"{side}_{p}"], float) for p in ("hip", "knee"))
    facing = 1 if pts[f"{side}_toe_tip"][0][0] > pts[f"{side}_hip"][0][0] else -1
    v = subject_vector(hip, knee, facing=facing, roll_deg=float(gt["config"]["camera"]["roll_deg"]))
    thigh = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    t_hold, t_rest = float(np.median(tilt[hold])), float(np.median(tilt[rest]))
    trunk_rot = float(np.median(trunk[hold]) - np.median(trunk[rest]))
    return {
        "tilt_hold": t_hold,
        "tilt_rest": t_rest,
        "trunk_rotation": trunk_rot,
        "pelvic_fraction": (t_hold - t_rest) / trunk_rot,
        "hip_flexion_vs_pelvis": 90.0 + t_hold + float(np.median(thigh[hold])),
        "tilt": tilt,
    }


def _metric(summary: dict) -> dict:
    """The after/before numbers of one summary (None where not given)."""
    m = summary.get("metrics", {}).get("pelvic_tilt_deg", {})
    split = summary.get("hip_spine_contribution", {})
    hf = split.get("hip_flexion_vs_pelvis_deg", {}) if isinstance(split, dict) else {}
    return {
        "tilt_hold": m.get("value"),
        "tilt_ci95": m.get("ci95"),
        "tilt_method": m.get("method"),
        "tilt_reason": m.get("reason"),
        "pelvic_fraction": split.get("pelvic_fraction"),
        "pelvic_fraction_ci95": split.get("pelvic_fraction_ci95"),
        "split_method": split.get("method") or split.get("reason"),
        "hip_flexion_vs_pelvis": hf.get("value"),
        "hip_flexion_ci95": hf.get("ci95"),
    }


def _lines(parts: dict, truth_tilt: np.ndarray, hold: np.ndarray, rest: np.ndarray) -> dict:
    """Per-frame errors of the sticker tilt by line, at rest and in the hold (deg), and the calibration."""
    st = parts["pelvis"].stickers
    if st is None:
        return {}
    cal = st.calibration
    out = {
        "calibration": {
            "k_anterior": cal.k_anterior,
            "anterior_frames": cal.anterior_frames,
            "k_posterior": cal.k_posterior,
            "posterior_frames": cal.posterior_frames,
        }
    }
    from tiltscreen.kinematics.pelvis_markers import SOURCES

    for code, name in enumerate(SOURCES[1:], start=1):
        for where, rows in (("rest", rest), ("hold", hold)):
            use = rows & (st.source == code)
            if use.any():
                out[f"{name}|{where}"] = float(np.median(st.tilt[use] - truth_tilt[use]))
    return out


def evaluate(pkl: Path, gt: dict, th) -> dict:
    """Before/after numbers and the truth for one clip."""
    pair, three = replay(pkl, gt)
    with pkl.open("rb") as f:
        data = pickle.load(f)
    rec = Recording(
        data["raw"], data["lm"], data["features"], data["markers"], data["subject_fraction"], None
    )
    marker_cm = float(gt["marker"]["side_cm"]) if gt.get("marker") else None
    job = AnalyzeJob(
        input=data["video"],
        out_dir=CACHE / "runs",
        marker_size_cm=marker_cm,
        subject_height_cm=float(gt["subject"]["stature_cm"]),
    )
    before, _ = analyse(rec, job, th, pair)
    after, parts = analyse(rec, job, th, pair, pelvis_stickers=three)
    row = {
        "clip": pkl.stem,
        "extensibility": gt["config"]["sit_reach"]["extensibility"],
        "yaw_deg": gt["config"]["camera"]["yaw_deg"],
        "before": _metric(before),
        "after": _metric(after),
    }
    if parts is None or parts["best"] is None:
        row["reason"] = "no valid trial detected"
        return row
    trial = parts["trials"][parts["best"]]
    t_s = parts["series"].t_s
    hold = np.zeros(t_s.size, bool)
    hold[trial.hold_frames] = True
    rest = (t_s >= trial.start_s - 0.5) & (t_s <= trial.start_s)
    if not rest.any() or not hold.any():
        row["reason"] = "no rest or hold frames"
        return row
    truth = _truth(gt, hold, rest)
    row["lines"] = _lines(parts, truth.pop("tilt"), hold, rest)
    row["truth"] = truth
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, action="append", required=True, help="render set folder(s)")
    ap.add_argument("--name", required=True, help="results name: benchmarks/results/pelvis_<name>.{json,md}")
    ap.add_argument("--cache", type=Path, default=CACHE)
    args = ap.parse_args(argv)
    th = load_thresholds(None)
    rows = []
    for folder in args.set:
        for name in clip_names(folder):
            pkl = args.cache / folder.name / f"{name}.pkl"
            if not pkl.exists():
                continue
            gt = json.loads((folder / f"{name}.json").read_text())
            row = evaluate(pkl, gt, th)
            row["set"] = str(folder)
            rows.append(row)
            print(
                json.dumps({k: row.get(k) for k in ("clip", "truth", "after")}, default=str)[:400], flush=True
            )
    result = {"sets": [str(s) for s in args.set], "clips": rows, "summary": summarise(rows)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"pelvis_{args.name}.json").write_text(json.dumps(result, indent=1, default=float))
    write_report(RESULTS / f"pelvis_{args.name}.md", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
