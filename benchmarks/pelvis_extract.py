"""Cache what the sit-and-reach pelvis benchmark needs from each clip of a render set (run once per clip).

For every clip of ``--set DIR`` (``manifest.csv`` + ``<name>.json`` ground truth + video) this runs the
tool's extraction (:func:`tiltscreen.run.recording.extract`: landmarks, outline features, ArUco markers)
with an extra frame hook that keeps, per frame, the image crop around the pelvis and the subject mask on
the same crop. The pelvis benchmark then runs the sticker search on these crops, so that changing the
sticker code needs no new MediaPipe pass. Output: ``<cache>/<set name>/<clip>.pkl`` (never committed).

Usage (main venv; development renders while tuning; a held-out set only in the final run, with
``--final-heldout-run`` and its own cache, because the folder names repeat)::

    PYTHONPATH=src python benchmarks/pelvis_extract.py --set /work/cache/dev/sr [--cache DIR]
"""

from __future__ import annotations

import argparse
import csv
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tiltscreen.pose.estimator import Candidate
from tiltscreen.protocols.recording import AnalyzeJob
from tiltscreen.run.recording import extract
from tiltscreen.skeleton import BLAZEPOSE
from tiltscreen.sources import Frame

#: crop around the mid-hip, in fractions of the trunk length / 0.29 (a stature estimate): x, then y (down)
CROP_X, CROP_Y = (-0.28, 0.28), (-0.30, 0.12)


@dataclass
class CropRecorder:
    """Frame hook: the pelvis crop (downscaled frame pixels) and the mask on it, per frame."""

    crops: list = field(default_factory=list)

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        if subject is None:
            self.crops.append(None)
            return
        h, w = frame.rgb.shape[:2]
        xy = subject.xyz[:, :2] * np.array([w, h])
        ix = BLAZEPOSE.index
        hips = (xy[ix("left_hip")] + xy[ix("right_hip")]) / 2
        shoulders = (xy[ix("left_shoulder")] + xy[ix("right_shoulder")]) / 2
        s = float(np.linalg.norm(shoulders - hips)) / 0.29
        if not np.isfinite(s) or s <= 0:
            self.crops.append(None)
            return
        x0, x1 = (int(np.clip(hips[0] + f * s, 0, w)) for f in CROP_X)
        y0, y1 = (int(np.clip(hips[1] + f * s, 0, h)) for f in CROP_Y)
        mask = None
        if subject.mask is not None:
            import cv2

            m = cv2.resize(subject.mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
            mask = (np.clip(m[y0:y1, x0:x1], 0, 1) * 255).astype(np.uint8)
        self.crops.append((frame.index, frame.scale, (x0, y0), frame.rgb[y0:y1, x0:x1].copy(), mask))


def video_of(folder: Path, name: str) -> Path | None:
    """The clip's video file (mp4, avi or webm), or None when not rendered yet."""
    for ext in (".mp4", ".avi", ".webm"):
        if (folder / f"{name}{ext}").exists():
            return folder / f"{name}{ext}"
    return None


def clip_names(folder: Path) -> list[str]:
    """Clip names of a set, from its manifest (or every ground-truth file when there is none)."""
    manifest = folder / "manifest.csv"
    if manifest.exists():
        with manifest.open() as f:
            return [row["name"] for row in csv.DictReader(f)]
    return sorted(p.stem for p in folder.glob("*.json"))


def extract_clip(video: Path, out: Path) -> float:
    """Extract one clip into ``out`` (pickle); return the seconds it took."""
    started = time.monotonic()
    crops = CropRecorder()
    with tempfile.TemporaryDirectory() as tmp:
        rec = extract(AnalyzeJob(input=str(video), out_dir=Path(tmp)), extra_hooks=[crops])
    data = {
        "video": str(video),
        "raw": rec.raw,
        "lm": rec.lm,
        "features": rec.features,
        "markers": rec.markers,
        "subject_fraction": rec.subject_fraction,
        "crops": crops.crops,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_suffix(".tmp")
    with tmp_out.open("wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp_out.replace(out)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, required=True, help="render set folder (manifest.csv, json, videos)")
    ap.add_argument("--cache", type=Path, default=Path("/work/cache/work/pelvis"))
    ap.add_argument("--only", default="", help="comma-separated clip names")
    ap.add_argument(
        "--final-heldout-run", action="store_true", help="allow a held-out set: the final run, method frozen"
    )
    args = ap.parse_args(argv)
    if "heldout" in args.set.parts and not args.final_heldout_run:
        print(
            "refusing a held-out set: only the final run (--final-heldout-run) may read it", file=sys.stderr
        )
        return 2
    only = {x for x in args.only.split(",") if x}
    for name in clip_names(args.set):
        if only and name not in only:
            continue
        out = args.cache / args.set.name / f"{name}.pkl"
        video = video_of(args.set, name)
        if out.exists() or video is None or not (args.set / f"{name}.json").exists():
            continue
        print(f"{name}: {extract_clip(video, out):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
