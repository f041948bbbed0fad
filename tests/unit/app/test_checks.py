"""Check logic on synthetic landmark windows (normalised coordinates, one subject standing side-on)."""

import numpy as np

from tiltscreen.app.checks import (
    Check,
    FrameFacts,
    arms_folded,
    blocking_pass,
    distance,
    in_frame,
    level,
    still,
)
from tiltscreen.landmarks import Landmarks
from tiltscreen.skeleton import BLAZEPOSE

POSE = {  # a person facing image-right, 0.8 of the picture tall, arms folded over the chest
    "nose": (0.52, 0.12),
    "left_ear": (0.49, 0.12),
    "right_ear": (0.49, 0.12),
    "left_shoulder": (0.48, 0.25),
    "right_shoulder": (0.48, 0.25),
    "left_hip": (0.48, 0.52),
    "right_hip": (0.48, 0.52),
    "left_knee": (0.49, 0.72),
    "right_knee": (0.49, 0.72),
    "left_ankle": (0.48, 0.9),
    "right_ankle": (0.48, 0.9),
    "left_wrist": (0.53, 0.32),
    "right_wrist": (0.53, 0.32),
}


def window(pose=POSE, n=20, jitter=0.0, fps=30.0):
    xyz = np.full((n, 33, 3), np.nan)
    vis = np.zeros((n, 33))
    for name, (x, y) in pose.items():
        k = BLAZEPOSE.index(name)
        xyz[:, k, 0] = x + jitter * np.arange(n) / n
        xyz[:, k, 1] = y
        xyz[:, k, 2] = 0.0
        vis[:, k] = 0.9
    return Landmarks(
        xyz=xyz,
        visibility=vis,
        presence=vis,
        world=np.full((n, 33, 3), np.nan),
        timestamps_s=np.arange(n) / fps,
        frame_index=np.arange(n),
        image_size=(640, 480),
    )


def test_in_frame_and_out_of_frame():
    assert in_frame(window()).ok
    cut = {**POSE, "left_ankle": (0.48, 1.02), "right_ankle": (0.48, 1.02)}
    c = in_frame(window(cut))
    assert not c.ok and "whole body" in c.instruction


def test_distance_too_small_and_too_large():
    assert distance(window(), sitting=False).ok  # 0.78 of the height
    small = {k: (x, 0.4 + 0.3 * y) for k, (x, y) in POSE.items()}  # 0.23 of the height
    assert distance(window(small), sitting=False).instruction.startswith("Move the camera closer")


def test_arms_folded_and_hanging():
    assert arms_folded(window()).ok
    hanging = {**POSE, "left_wrist": (0.48, 0.55), "right_wrist": (0.48, 0.55)}
    assert not arms_folded(window(hanging)).ok


def test_still_and_moving():
    assert still(window()).ok
    # moving 0.2 picture widths in 0.63 s = 0.32 widths/s over a 0.78-high body: far above 0.05 heights/s
    assert not still(window(jitter=0.2)).ok


def test_level_passes_when_assumed_and_advisory_checks_do_not_block():
    assert level(FrameFacts()).ok
    checks = (Check("a", "A", True), Check("b", "B", False, "x", blocking=False))
    assert blocking_pass(checks)
    assert not blocking_pass((*checks, Check("c", "C", False, "y")))
