"""Synthetic results folders (landmark tables + summary.json) with known geometry, for the export tests.

The figure stands (or sits) side-on, facing image-right (``facing`` +1), left side nearest the camera,
in a 640 x 480 image at 30 fps for 60 frames (t = i / 30 s). Near-side landmarks (pixels):

* hip (320, 240); shoulder 100 px from the hip, 10 deg forward of the vertical:
  (320 + 100 sin 10, 240 - 100 cos 10) -> trunk inclination +10 deg (roll 0);
* knee straight below the hip (320, 340): the downward trunk line (shoulder -> hip) points 10 deg
  backwards, the thigh straight down, so the knee is in front of the trunk line: hip flexion +10 deg,
  hip extension -10 deg;
* ankle 100 px below the knee, 5 deg forward: (320 + 100 sin 5, 340 + 100 cos 5): the thigh turns
  5 deg onto the shank with the knee behind the hip-ankle line: knee hyperextension +5 deg, knee
  flexion 5 deg (unsigned).

Every other landmark sits on a grid of its own. Frames 10-14 have no subject (all NaN); visibility
is 0.9 everywhere else (0.3 for the right ankle, still kept).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tiltscreen.landmarks import Landmarks, Step
from tiltscreen.outputs.files import write_json
from tiltscreen.outputs.tables import save_landmarks
from tiltscreen.protocols.common import Camera, Metric, Scale, envelope
from tiltscreen.skeleton import BLAZEPOSE

W, H, N, FPS = 640, 480, 60, 30.0
GAP = slice(10, 15)
S10, C10, S5, C5 = (math.sin(math.radians(a)) for a in (10, 80, 5, 85))
NEAR = {
    "left_hip": (320.0, 240.0),
    "left_shoulder": (320.0 + 100 * S10, 240.0 - 100 * C10),
    "left_knee": (320.0, 340.0),
    "left_ankle": (320.0 + 100 * S5, 340.0 + 100 * C5),
}
MODEL_SHA = "ab" * 32


def synthetic_landmarks(*, timestamps: np.ndarray | None = None, source_uri: str = "clip.mp4") -> Landmarks:
    """The figure of the module notes as a Landmarks container."""
    k = len(BLAZEPOSE.names)
    px = np.zeros((N, k, 2))
    for j, name in enumerate(BLAZEPOSE.names):
        px[:, j] = NEAR.get(name, (100.0 + 12 * j, 60.0 + 9 * j))
    px[:, :, 0] += np.linspace(0, 2, N)[:, None]  # a slow sway, the same for all points
    xyz = np.concatenate([px / [W, H], np.full((N, k, 1), -0.1)], axis=2)
    vis = np.full((N, k), 0.9)
    vis[:, BLAZEPOSE.index("right_ankle")] = 0.3
    world = np.full((N, k, 3), 0.25)
    xyz[GAP], vis[GAP], world[GAP] = np.nan, np.nan, np.nan
    t = np.arange(N) / FPS if timestamps is None else timestamps
    return Landmarks(
        xyz=xyz,
        visibility=vis,
        presence=vis.copy(),
        world=world,
        timestamps_s=t,
        frame_index=np.arange(N),
        image_size=(W, H),
        fps=FPS,
        source={"kind": "file", "uri": source_uri},
        model_sha256=MODEL_SHA,
        provenance=(Step("pose_landmarker", {"model": "pose_landmarker_full.task"}),),
    )


def _camera(roll: float | None = 0.0) -> Camera:
    return Camera(roll, "floor contacts", 2.0, 1.0, True, (), {"max_yaw_deg": 15.0, "max_roll_deg": 10.0})


def standing_summary(*, input_path: str, tilt: float | None = 18.0, roll: float | None = 0.0) -> dict:
    """A standing summary (tiltscreen-result/1) with a stature scale of 2.5 px/cm."""
    metrics = {
        "pelvic_tilt_deg": Metric(tilt, "deg", "markers", (tilt - 3, tilt + 3))
        if tilt is not None
        else Metric.missing("deg", "markers", "No skin markers were found."),
        "trunk_inclination_deg": Metric(10.0, "deg", "median over the quiet window", (6.0, 14.0)),
        "hip_extension_deg": Metric(-10.0, "deg", "median over the quiet window", (-14.0, -6.0)),
    }
    return envelope(
        protocol="standing",
        status="ok",
        reasons=[],
        side="left",
        scale=Scale("height", 2.5, 0.02, "stature"),
        camera=_camera(roll),
        metrics=metrics,
        flags=[],
        extra={"input": input_path, "facing": "image-right", "quiet_window": {"start_s": 0.5, "end_s": 1.9}},
    )


def sit_and_reach_summary(*, input_path: str) -> dict:
    """A sit-and-reach summary with two trials (the second invalid), marker scale 3.0 px/cm."""

    def trial(i: int, start: float, peak: float, end: float, valid: bool, reach: float) -> dict:
        ms = {"reach_cm": Metric(reach, "cm", "fingertip beyond the toes", (reach - 7, reach + 7)),
              "hold_s": Metric(2.5 if valid else 1.0, "s", "hold", (2.0, 3.0))}  # fmt: skip
        return {"index": i, "start_s": start, "max_reach_s": peak, "end_s": end, "valid": valid,
                "invalid_reasons": [] if valid else ["The hold was shorter than 2 s."], "invalid_codes": [],
                "bouncing": False, "metrics": {k: m.as_dict() for k, m in ms.items()}}  # fmt: skip

    return envelope(
        protocol="sit-and-reach",
        status="ok",
        reasons=[],
        side="left",
        scale=Scale("marker", 3.0, 0.05, "marker"),
        camera=_camera(-1.0),
        metrics={"reach_cm": Metric(4.0, "cm", "fingertip beyond the toes", (-3.0, 11.0))},
        flags=[],
        extra={"input": input_path, "facing": "image-right", "best_trial": 0,
               "trials": [trial(0, 0.2, 0.8, 1.4, True, 4.0), trial(1, 1.5, 1.7, 1.95, False, 2.0)]},
    )  # fmt: skip


def make_folder(folder: Path, summary: dict, lm: Landmarks | None = None) -> Path:
    """Write ``summary.json`` and (unless ``lm`` is None) the landmark tables into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if lm is not None:
        save_landmarks(lm, folder)
    write_json(folder / "summary.json", summary)
    return folder


@pytest.fixture
def video(tmp_path: Path) -> Path:
    """A stand-in input video: bytes with a known SHA-256 (never decoded by the export)."""
    p = tmp_path / "videos" / "clip.mp4"
    p.parent.mkdir()
    p.write_bytes(b"not really a video")
    return p


@pytest.fixture
def results_root(tmp_path: Path, video: Path) -> Path:
    """Folders ``standing01`` (standing), ``reach01`` (sit-and-reach) and ``only`` (landmarks) in one root."""
    root = tmp_path / "results"
    make_folder(root / "standing01", standing_summary(input_path=str(video)), synthetic_landmarks())
    make_folder(
        root / "reach01", sit_and_reach_summary(input_path="elsewhere/clip2.mp4"), synthetic_landmarks()
    )
    landmarks_only = {"tiltscreen_version": "0.1.0", "input": "cam.mp4", "status": "ok", "frames": N}
    make_folder(root / "only", landmarks_only, synthetic_landmarks())
    return root


@pytest.fixture
def synth():
    """The builders and constants of this module, for tests (test modules cannot import a conftest)."""
    import types

    return types.SimpleNamespace(
        GAP=GAP, N=N, FPS=FPS, W=W, H=H, NEAR=NEAR, MODEL_SHA=MODEL_SHA,
        landmarks=synthetic_landmarks, standing=standing_summary, sit_and_reach=sit_and_reach_summary,
        folder=make_folder,
    )  # fmt: skip
