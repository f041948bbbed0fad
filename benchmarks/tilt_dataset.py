"""Synthetic standing clips with known ASIS-PSIS tilt for the markerless tilt estimate (renders only).

The dataset is a fixed, seeded list of short standing clips: 32 distinct bodies (sex, stature 150-195 cm,
age, weight, muscle, proportions), each at three tilts spread over 0-35 degrees (one low, one middle, one
high), seen from a random side with a small camera yaw (0-15 degrees) and roll (0-3 degrees), arms folded;
plus, on some bodies, the same pose with the arms hanging (the estimate must refuse) and a yaw series
(10/15/20/25/30 degrees). Bodies are split into train and held-out test sets by body index, never both.

Two steps, both cached in ``--cache`` (default ``/work/cache/tilt_dataset``, never committed)::

    PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny \\
        /work/venv-synth/bin/python benchmarks/tilt_dataset.py render --shard 0/2   # and 1/2 in parallel
    /work/venv-synth/bin/python benchmarks/tilt_dataset.py pose --shard 0/2           # MediaPipe + masks

``render`` writes ``<name>.mp4/.json`` (``tiltscreen.synth``); ``pose`` runs MediaPipe PoseLandmarker (VIDEO
mode, segmentation on) on each clip and stores per frame the subject's landmarks and its mask (uint8, 0-255)
in ``<name>.npz``. ``list`` prints the manifest.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CACHE = Path("/work/cache/tilt_dataset")
MODEL = Path(__file__).resolve().parents[1] / "models" / "pose_landmarker_full.task"
N_BODIES = 32
TEST_BODIES = frozenset(range(2, 24, 3))  # 8 held-out bodies: 2, 5, 8, ..., 23 (24-31 all train)
TILT_BINS = ((0.0, 11.0), (11.0, 23.0), (23.0, 35.0))
W, H, FPS, DURATION_S = 960, 540, 15.0, 2.0


@dataclass(frozen=True)
class Clip:
    """One entry of the manifest (all numbers drawn from seeded generators)."""

    name: str
    body: int
    seed: int
    sex: float
    stature_cm: float
    age: float
    weight: float
    muscle: float
    proportions: float
    tilt: float
    side: str
    yaw: float
    roll: float
    arms: str
    kind: str  # "main", "hanging" or "yaw"

    @property
    def split(self) -> str:
        """``"test"`` for held-out bodies, else ``"train"``."""
        return "test" if self.body in TEST_BODIES else "train"


def _body(b: int) -> dict[str, float]:
    rng = np.random.default_rng(1000 + b)
    sex = float(b % 2) if b % 4 else float(np.round(rng.uniform(0.3, 0.7), 2))
    return {
        "sex": sex,
        "stature_cm": float(np.round(rng.uniform(150, 195) if sex < 0.5 else rng.uniform(150, 182), 0)),
        "age": float(np.round(rng.uniform(20, 70), 0)),
        "weight": float(np.round(rng.uniform(0.15, 0.85), 2)),
        "muscle": float(np.round(rng.uniform(0.2, 0.8), 2)),
        "proportions": float(np.round(rng.uniform(0.25, 0.75), 2)),
    }


def manifest() -> list[Clip]:
    """The fixed list of clips (deterministic)."""
    clips: list[Clip] = []
    for b in range(N_BODIES):
        body = _body(b)
        rng = np.random.default_rng(2000 + b)
        for k, (lo, hi) in enumerate(TILT_BINS):
            tilt = float(np.round(rng.uniform(lo, hi), 1))
            side = str(rng.choice(["left", "right"]))
            yaw, roll = float(np.round(rng.uniform(0, 15), 1)), float(np.round(rng.uniform(0, 3), 1))
            clips.append(
                Clip(
                    f"b{b:02d}_t{k}",
                    b,
                    100 * b + k,
                    **body,
                    tilt=tilt,
                    side=side,
                    yaw=yaw,
                    roll=roll,
                    arms="folded",
                    kind="main",
                )
            )
        if b % 3 == 0 or b in TEST_BODIES and b % 2 == 0:
            tilt = float(np.round(rng.uniform(5, 30), 1))
            clips.append(
                Clip(
                    f"b{b:02d}_hang",
                    b,
                    100 * b + 50,
                    **body,
                    tilt=tilt,
                    side=str(rng.choice(["left", "right"])),
                    yaw=5.0,
                    roll=1.0,
                    arms="hanging",
                    kind="hanging",
                )
            )
    for b in sorted(TEST_BODIES)[:3]:
        body = _body(b)
        for yaw in (0.0, 10.0, 15.0, 20.0, 25.0, 30.0):
            clips.append(
                Clip(
                    f"b{b:02d}_yaw{int(yaw):02d}",
                    b,
                    100 * b + 70 + int(yaw),
                    **body,
                    tilt=18.0,
                    side="left" if b % 2 else "right",
                    yaw=yaw,
                    roll=0.0,
                    arms="folded",
                    kind="yaw",
                )
            )
    return clips


def _spec(c: Clip):
    from tiltscreen.synth.config import BodySpec, CameraSpec, ClipSpec, StandingSpec  # noqa: PLC0415

    return ClipSpec(
        scene="standing",
        seed=c.seed,
        body=BodySpec(
            sex=c.sex,
            stature_cm=c.stature_cm,
            age_years=c.age,
            weight=c.weight,
            muscle=c.muscle,
            proportions=c.proportions,
        ),
        camera=CameraSpec(side=c.side, yaw_deg=c.yaw, roll_deg=c.roll, width=W, height=H, fps=FPS),
        standing=StandingSpec(tilt_deg=c.tilt, sway_deg=0.5, arms=c.arms, duration_s=DURATION_S),
    )


def render(clips: list[Clip], cache: Path) -> None:
    """Render every clip not yet in the cache."""
    from tiltscreen.synth.pipeline import generate_clip  # noqa: PLC0415 - torch/anny only here

    cache.mkdir(parents=True, exist_ok=True)
    for c in clips:
        stem = cache / c.name
        if stem.with_suffix(".json").is_file() and stem.with_suffix(".mp4").is_file():
            continue
        print(f"render {c.name}", flush=True)
        generate_clip(_spec(c), stem)


def pose_video(video: Path, out: Path, *, fps: float = FPS, step: int = 1, transform=None) -> int:
    """Run MediaPipe (VIDEO mode, segmentation) on ``video``; save landmarks and masks to ``out`` (.npz).

    Every ``step``-th frame is kept (all are fed to the tracker); ``transform`` (RGB uint8 -> RGB uint8),
    if given, is applied to each frame first (e.g. a contrast reduction). Returns the frames kept.
    """
    import cv2  # noqa: PLC0415 - mediapipe's opencv

    from tiltscreen.pose.estimator import PoseOptions, VideoPoseEstimator  # noqa: PLC0415

    xyz, vis, masks = [], [], []
    with VideoPoseEstimator(PoseOptions(model_path=MODEL, max_people=1, segmentation=True)) as est:
        cap = cv2.VideoCapture(str(video))
        for i in range(100_000):
            ok, bgr = cap.read()
            if not ok:
                break
            frame = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            frame = frame if transform is None else transform(frame)
            cands = est.detect(frame, i / fps)
            if i % step:
                continue
            if cands and cands[0].mask is not None:
                xyz.append(cands[0].xyz), vis.append(cands[0].visibility)
                masks.append(np.round(cands[0].mask * 255).astype(np.uint8))
            else:
                xyz.append(np.full((33, 3), np.nan)), vis.append(np.zeros(33))
                masks.append(np.zeros(frame.shape[:2], np.uint8))
        cap.release()
    np.savez_compressed(out, xyz=np.array(xyz), visibility=np.array(vis), mask=np.array(masks))
    return len(xyz)


def pose(clips: list[Clip], cache: Path) -> None:
    """Run MediaPipe with segmentation on each rendered clip; cache landmarks and masks as ``.npz``."""
    for c in clips:
        video, out = cache / f"{c.name}.mp4", cache / f"{c.name}.npz"
        if out.is_file() or not (video.is_file() and video.with_suffix(".json").is_file()):
            continue
        print(f"pose {c.name}: {pose_video(video, out)} frames", flush=True)


def _facing(xyz: np.ndarray) -> int:
    """+1 if the toes are to the image-right of the heels over the clip (median), else -1."""
    x = xyz[:, :, 0]
    return 1 if np.nanmedian(x[:, 31] + x[:, 32] - x[:, 29] - x[:, 30]) > 0 else -1


def _frames(video: Path, step: int, transform):
    """Yield every ``step``-th RGB frame of ``video`` (with ``transform`` applied), in order."""
    import cv2  # noqa: PLC0415 - mediapipe's opencv

    cap = cv2.VideoCapture(str(video))
    i = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        if i % step == 0:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            yield rgb if transform is None else transform(rgb)
        i += 1
    cap.release()


def clip_features(npz: Path, *, video: Path | None = None, step: int = 1, transform=None) -> dict:
    """Median outline features of one cached clip, with quality and reasons.

    With ``video`` (the clip the ``.npz`` was made from, every ``step``-th frame kept, ``transform``
    applied as in :func:`pose_video`) the image contrast across the outline is checked too.
    """
    from tiltscreen.kinematics.outline import (  # noqa: PLC0415
        FEATURE_NAMES,
        frame_features,
        median_features,
    )

    d = np.load(npz)
    masks, xyz = d["mask"], d["xyz"]
    h, w = masks.shape[1:]
    if not np.isfinite(xyz[:, [11, 12, 23, 24, 29, 30, 31, 32], :2]).all(axis=(1, 2)).any():
        nan = dict.fromkeys(FEATURE_NAMES, float("nan"))
        return {"values": nan, "quality": {}, "reasons": ["no person found by MediaPipe"], "facing": 0}
    facing = _facing(xyz)
    images = _frames(video, step, transform) if video is not None else iter([None] * len(masks))
    frames = []
    for i, image in zip(range(len(masks)), images, strict=False):
        if np.isfinite(xyz[i, [11, 12, 23, 24], :2]).all():
            frames.append(
                frame_features(masks[i] / 255.0, xyz[i, :, :2] * [w, h], facing=facing, image=image)
            )
    med = median_features(frames)
    return {"values": med.values, "quality": med.quality, "reasons": list(med.reasons), "facing": facing}


def features(clips: list[Clip], cache: Path) -> None:
    """Compute and cache ``<name>.features.json`` (features, quality, truth, clip description)."""
    for c in clips:
        npz, out = cache / f"{c.name}.npz", cache / f"{c.name}.features.json"
        if out.is_file() or not npz.is_file():
            continue
        gt = json.loads((cache / f"{c.name}.json").read_text())
        truth = float(np.mean(gt["frames"][f"pelvic_tilt_{c.side}_deg"]))
        feats = clip_features(npz, video=cache / f"{c.name}.mp4")
        row = {"clip": {**c.__dict__, "split": c.split}, "truth_deg": truth, **feats}
        out.write_text(json.dumps(row, indent=1))
        print(f"features {c.name}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``render``, ``pose`` or ``list``, optionally on one shard ``i/n``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=("render", "pose", "features", "list"))
    ap.add_argument("--shard", default="0/1", help="i/n: every n-th clip starting at i")
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--only", default=None, help="comma-separated clip names")
    args = ap.parse_args(argv)
    i, n = (int(x) for x in args.shard.split("/"))
    order = {"main": 0, "hanging": 1, "yaw": 2}
    clips = sorted(manifest(), key=lambda c: order[c.kind])
    if args.only:
        keep = set(args.only.split(","))
        clips = [c for c in clips if c.name in keep]
    clips = clips[i::n]
    if args.step == "list":
        for c in clips:
            print(json.dumps({**c.__dict__, "split": c.split}))
    elif args.step == "render":
        render(clips, args.cache)
    elif args.step == "pose":
        pose(clips, args.cache)
    else:
        features(clips, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
