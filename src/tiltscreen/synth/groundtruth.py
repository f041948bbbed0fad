"""Ground-truth file of a synthetic clip: schema, pure measurement of the clinical angles, and a checker.

Needs only numpy; the committed samples' JSON is checked with ``check_ground_truth`` in the main CI.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from tiltscreen.synth import geometry as geo

SCHEMA = "tiltscreen-synth-gt/1"

DEFINITIONS: dict[str, str] = {
    "frame": "world metres, +Z up, -Y the subject's forward, +X the subject's left; floor at z = 0",
    "pixels": "OpenCV convention: u right, v down, origin at the top-left corner of the top-left pixel",
    "pelvic_tilt_deg": "ASIS-PSIS tilt of each side in the sagittal plane from points fixed rigidly "
    "to the pelvis bone; positive = anterior (ASIS lower than PSIS)",
    "sticker_tilt_deg": "the same angle from the skin points under the stickers "
    "(skin slides: differs from the bone-fixed tilt by several degrees)",
    "hip_flexion_deg": "180 - included angle shoulder-hip-knee (same side, 3-D): "
    "0 = trunk and thigh in line, ~90 sitting upright",
    "knee_flexion_deg": "180 - included angle hip-knee-ankle (3-D): 0 = straight",
    "trunk_inclination_deg": "sagittal angle of hip midpoint -> shoulder midpoint from vertical, "
    "forward positive",
    "lumbo_horizontal_deg": "L-Hfx style: sagittal angle from the forward horizontal to the pelvis-fixed "
    "back line at L5-S1 (lower -> upper); 90 = vertical back line, larger = pelvis tipped back",
    "reach_cm": "true fingertip (tip of the middle finger) minus big-toe tip along the forward horizontal, "
    "cm; positive past the toes",
    "reach_box_cm": "true fingertip minus the box face the soles press on, along the forward horizontal, cm",
    "sway_deg": "whole-body antero-posterior rotation about the ankles, forward positive",
    "points_px": "projected pixel positions of BlazePose-equivalent points "
    "(joint centres for shoulders, elbows, wrists, hips, knees, ankles; knuckles for index/pinky; "
    "skin vertices for face, heel, foot index) "
    "and of the fingertips, toe tips, ASIS/PSIS (bone-fixed) and sticker centres",
    "visible": "for skin points only: the rendered depth at the pixel agrees with the point within 3 cm",
}


def round_list(a: np.ndarray, decimals: int) -> list:
    """Round an array and return nested lists with NaN as None (JSON null)."""
    r = np.round(np.asarray(a, dtype=float), decimals)
    return np.where(np.isnan(r), None, r).tolist()


def clinical_angles(points: dict[str, np.ndarray], *, box_face_y: float | None) -> dict[str, np.ndarray]:
    """Per-frame clinical angles and reach from world points (each (F, 3)); pure, no rendering.

    Parameters
    ----------
    points : dict[str, ndarray]
        Named points from ``BodyModel.named_points`` after floor placement.
    box_face_y : float or None
        World y of the box face the soles press on (sit-and-reach), else None.

    """
    out: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        p = lambda n, s=side: points[f"{s}_{n}"]  # noqa: E731
        out[f"pelvic_tilt_{side}_deg"] = geo.asis_psis_tilt(p("asis"), p("psis"))
        out[f"sticker_tilt_{side}_deg"] = geo.asis_psis_tilt(p("asis_skin"), p("psis_skin"))
        out[f"hip_flexion_{side}_deg"] = geo.flexion_angle(p("shoulder"), p("hip"), p("knee"))
        out[f"knee_flexion_{side}_deg"] = geo.flexion_angle(p("hip"), p("knee"), p("ankle"))
        out[f"reach_{side}_cm"] = 100.0 * (p("toe_tip")[:, 1] - p("fingertip")[:, 1])
        if box_face_y is not None:
            out[f"reach_box_{side}_cm"] = 100.0 * (box_face_y - p("fingertip")[:, 1])
    hip = 0.5 * (points["left_hip"] + points["right_hip"])
    shoulder = 0.5 * (points["left_shoulder"] + points["right_shoulder"])
    out["trunk_inclination_deg"] = geo.inclination_from_vertical(hip, shoulder)
    out["lumbo_horizontal_deg"] = geo.lumbo_horizontal(points["l5s1_lower"], points["l5s1_upper"])
    return out


def check_ground_truth(gt: dict[str, Any]) -> list[str]:  # noqa: C901 - one flat list of schema checks
    """Return every problem with a ground-truth dict (empty list when it matches the schema)."""
    problems: list[str] = []
    if gt.get("schema") != SCHEMA:
        return [f"schema must be {SCHEMA!r}, got {gt.get('schema')!r}"]
    for key in (
        "definitions",
        "assumptions",
        "seed",
        "config",
        "subject",
        "camera",
        "frames",
        "points_px",
        "n_frames",
        "fps",
        "scene",
    ):
        if key not in gt:
            problems.append(f"missing key {key!r}")
    if problems:
        return problems
    n = gt["n_frames"]
    for key, values in gt["frames"].items():
        if len(values) != n:
            problems.append(f"frames.{key} has {len(values)} values, expected {n}")
    for name in (
        "left_shoulder",
        "right_hip",
        "left_knee",
        "left_ankle",
        "left_heel",
        "left_foot_index",
        "left_index",
        "left_ear",
        "nose",
        "left_fingertip",
        "left_asis",
        "left_psis",
    ):
        track = gt["points_px"].get(name)
        if track is None or len(track) != n or any(len(uv) != 2 for uv in track):
            problems.append(f"points_px.{name} must hold {n} (u, v) pairs")
    for key in ("fx", "fy", "cx", "cy", "width", "height", "rotation_world_to_camera", "translation_m"):
        if key not in gt["camera"]:
            problems.append(f"camera.{key} missing")
    problems.extend(_framing_problems(gt["camera"]))
    if gt["scene"] == "sit-and-reach":
        if not gt.get("trials"):
            problems.append("sit-and-reach needs trials")
        for trial in gt.get("trials", []):
            times = [trial[k] for k in ("start_s", "max_s", "hold_start_s", "hold_end_s", "end_s")]
            if times != sorted(times):
                problems.append(f"trial phases out of order: {times}")
    return problems


def _framing_problems(camera: dict[str, Any]) -> list[str]:
    """Problems with ``camera.subject_bbox_px`` (optional key): the subject must keep ``margin_px`` inside."""
    box = camera.get("subject_bbox_px")
    if box is None:
        return []
    u0, v0, u1, v1 = box
    margin = camera.get("margin_px", 0.0) - 0.5
    room = (u0, v0, camera["width"] - u1, camera["height"] - v1)
    if min(room) < margin:
        return [
            f"subject_bbox_px {box} leaves less than margin_px={camera.get('margin_px')} to an image edge"
        ]
    return []


def load_ground_truth(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a ground-truth JSON file and check it (numpy only, no torch).

    Raises
    ------
    ValueError
        Listing every problem found by ``check_ground_truth``.

    """
    with open(path, encoding="utf-8") as fh:
        gt = json.load(fh)
    problems = check_ground_truth(gt)
    if problems:
        raise ValueError(f"{path}: invalid ground truth: " + "; ".join(problems))
    return gt


def points_px(gt: dict[str, Any], name: str) -> np.ndarray:
    """Projected pixels of one ground-truth point, shape (n_frames, 2), NaN where the file holds null.

    Raises
    ------
    KeyError
        If the file has no such point.

    """
    track = gt["points_px"][name]
    return np.array([[np.nan, np.nan] if uv is None or uv[0] is None else uv for uv in track], dtype=float)
