"""Regression guards: the landmarks pipeline on the bundled synthetic samples (renders, not patients).

Runs ``tiltscreen.run.landmarks.run_landmarks`` on each clip in ``samples/`` and compares MediaPipe's raw
landmarks (before gating and filtering) with the ground truth's projected ``points_px``
(``tiltscreen.synth.groundtruth``, numpy only). Near side = the side facing the camera. Errors are pixel
distances in the clip's own resolution.

Measured on 2 CPU cores, MediaPipe 1.2.3, pose_landmarker_full (``MEASURED`` below holds each figure). Bounds:
detection rate >= measured - 0.02; each near-side median <= max(1.5 x measured, measured + 3 px); the pooled
near-side p95 <= 1.5 x measured + 3 px. They catch a broken pipeline, a swapped side, a wrong scale or a frame
offset; they are not accuracy claims (see ``benchmarks/results/accuracy_landmarks.md`` for those).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tiltscreen.run.landmarks import LandmarksJob, run_landmarks
from tiltscreen.synth.groundtruth import load_ground_truth, points_px

pytestmark = pytest.mark.model

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PARTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")

#: measured per sample (2026-11-25, samples with automatic framing): detection rate, near-side median px
#: error per landmark, pooled near-side p95 px. Bounds derive from these (module docstring).
MEASURED: dict[str, dict] = {
    "standing_markers_left": {  # 960x540, 270 frames
        "detection": 1.0,
        "median_px": {
            "shoulder": 5.8,
            "elbow": 12.9,
            "wrist": 11.5,
            "hip": 7.0,
            "knee": 3.3,
            "ankle": 11.1,
            "heel": 7.7,
            "foot_index": 12.8,
        },
        "p95_px": 13.5,
    },
    "standing_nomarkers_right": {  # 640x360, 270 frames; re-rendered with the arms folded (2026-12-04)
        "detection": 1.0,
        "median_px": {
            "shoulder": 5.6,
            "elbow": 13.0,
            "wrist": 3.9,
            "hip": 5.3,
            "knee": 2.0,
            "ankle": 9.6,
            "heel": 9.3,
            "foot_index": 4.9,
        },
        "p95_px": 13.1,
    },
    "sit_and_reach_2trials": {  # 640x360, 450 frames
        "detection": 1.0,
        "median_px": {
            "shoulder": 18.8,
            "elbow": 10.1,
            "wrist": 10.9,
            "hip": 12.1,
            "knee": 9.0,
            "ankle": 14.0,
            "heel": 16.3,
            "foot_index": 12.1,
        },
        "p95_px": 24.3,
    },
}


def bound_median(measured: float) -> float:
    """Upper bound for a near-side median error: 1.5 x measured or measured + 3 px, whichever is larger."""
    return max(1.5 * measured, measured + 3.0)


@pytest.fixture(scope="module", params=sorted(MEASURED))
def sample_run(request, tmp_path_factory, model_path):
    """Run the pipeline once per sample; return (name, per-landmark near-side px errors, detection rate)."""
    name = request.param
    gt = load_ground_truth(SAMPLES / f"{name}.json")
    out = tmp_path_factory.mktemp(name)
    result = run_landmarks(LandmarksJob(input=str(SAMPLES / f"{name}.mp4"), out_dir=out, formats=("csv",)))
    raw = result.raw
    n = gt["n_frames"]
    keep = raw.frame_index < n
    xy = np.full((n, len(raw.skeleton.names), 2), np.nan)
    xy[raw.frame_index[keep]] = raw.xy_px[keep]
    near = gt["config"]["camera"]["side"]
    errors = {}
    for part in PARTS:
        i = raw.skeleton.names.index(f"{near}_{part}")
        errors[part] = np.linalg.norm(xy[:, i] - points_px(gt, f"{near}_{part}"), axis=1)
    rate = float(raw.detected[keep].sum()) / n
    return name, errors, rate


def test_detection_rate(sample_run):
    name, _, rate = sample_run
    assert rate >= MEASURED[name]["detection"] - 0.02, f"{name}: detection rate {rate:.3f}"


def test_near_side_median_errors(sample_run):
    name, errors, _ = sample_run
    too_big = {
        part: round(float(np.nanmedian(err)), 1)
        for part, err in errors.items()
        if not np.nanmedian(err) <= bound_median(MEASURED[name]["median_px"][part])
    }
    assert not too_big, f"{name}: near-side median px errors above their bounds: {too_big}"


def test_near_side_p95_error(sample_run):
    name, errors, _ = sample_run
    p95 = float(np.nanpercentile(np.concatenate(list(errors.values())), 95))
    assert p95 <= 1.5 * MEASURED[name]["p95_px"] + 3.0, f"{name}: pooled near-side p95 {p95:.1f} px"
