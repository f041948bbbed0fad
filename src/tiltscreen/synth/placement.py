"""Put a posed body on the floor, and the sit-and-reach box against its soles with the hands over it.

World frame as in :mod:`tiltscreen.synth.geometry`: metres, +Z up, -Y forward, +X the subject's left.
Arrays of vertices are ``(F, V, 3)`` (frames, vertices, xyz); named points are ``(F, 3)`` per name.
:mod:`tiltscreen.synth.pipeline` re-exports every public name of this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tiltscreen.synth import geometry as geo
from tiltscreen.synth import motion
from tiltscreen.synth.config import ClipSpec

__all__ = [
    "HAND_CLEARANCE_M",
    "MARKER_BORDER_CM",
    "make_box",
    "place_sitting",
    "place_standing",
    "pose_sitting_over_box",
]

MARKER_BORDER_CM = 2.0
HAND_CLEARANCE_M = 0.01  # fingertips beyond the box face stay at least this far above the box top


def place_standing(
    vertices: np.ndarray, points: dict[str, np.ndarray], sway_deg: np.ndarray, ankle: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Put the soles on the floor (offset from frame 0) and rotate each frame by its sway about the ankles."""
    lift = -vertices[0, :, 2].min()
    pivot = ankle + np.array([0.0, 0.0, lift])
    rig = np.zeros((len(sway_deg), 4, 4))
    rig[:, 3, 3] = 1.0
    for f, angle in enumerate(sway_deg):
        rot = geo.rot_x(angle)
        rig[f, :3, :3] = rot
        rig[f, :3, 3] = pivot - rot @ pivot + np.array([0.0, 0.0, lift])
    moved = {k: geo.apply_rigid(rig, v) for k, v in points.items()}
    return geo.apply_rigid(rig[:, None], vertices), moved


def place_sitting(
    vertices: np.ndarray, points: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Shift each frame vertically so that the lowest vertex (buttocks or heels) touches the floor."""
    lift = -vertices[:, :, 2].min(axis=1)
    shift = np.stack([np.zeros_like(lift), np.zeros_like(lift), lift], axis=-1)
    return vertices + shift[:, None], {k: v + shift for k, v in points.items()}


def pose_sitting_over_box(
    spec: ClipSpec, body, posture: motion.Posture, times: np.ndarray
) -> tuple[motion.Posture, np.ndarray, dict[str, np.ndarray], dict[str, Any]]:
    """Pose the sit-and-reach, put it on the floor, the box against its soles and the hands over the box.

    Where a fingertip would pass the box's near face below the box top + ``HAND_CLEARANCE_M`` (inside the
    box, hidden in the render), that arm is lifted just enough in that frame, eased in and out over the
    neighbouring 0.5 s (``motion.hands_over_box_lift``, solved on the posed skeleton with
    ``BodyModel.fingertip_under_lift``), and the clip is posed again; clips whose fingertips never pass the
    face are posed once and left exactly as scripted. The ground truth is measured on the final posed body.

    Returns
    -------
    posture, vertices, points, box
        The final (possibly lifted) posture, floor-placed vertices (F, V, 3) and named points, and the box.

    Raises
    ------
    RuntimeError
        If a fingertip is still inside the box after the lift (not expected: the skeleton model is exact).

    """
    foot_ids = [i for i, b in enumerate(body.labels) if b.startswith(("foot", "toe"))]
    foot = np.isin(body.dominant_bone, foot_ids)
    scripted, lifts = posture, {}
    for _ in range(4):
        raw, bone_poses = body.pose(posture)
        vertices, points = place_sitting(raw, body.named_points(raw, bone_poses))
        box = make_box(spec, vertices, foot)
        top = box["hi"][2] + HAND_CLEARANCE_M
        tips = [points[f"{name}_fingertip"] for name in ("left", "right")]
        if not any(np.any((t[:, 1] < box["face_y"]) & (t[:, 2] < top - 1e-4)) for t in tips):
            return posture, vertices, points, box
        lift_z = np.zeros((len(raw), 3))
        lift_z[:, 2] = -raw[:, :, 2].min(axis=1)  # the floor shift of place_sitting
        for side in "LR":

            def fingertip(
                lift: np.ndarray, frames: np.ndarray, side: str = side, poses=bone_poses, shift=lift_z
            ) -> np.ndarray:
                return body.fingertip_under_lift(scripted, poses, side, lift, frames) + shift[frames]

            lift = motion.hands_over_box_lift(
                fingertip, times, face_y=box["face_y"], top_z=box["hi"][2], clearance_m=HAND_CLEARANCE_M
            )
            if lift.any() or side in lifts:
                lifts[side] = np.maximum(lift, lifts.get(side, 0.0))
        posture = motion.lift_arms(scripted, lifts)
    raise RuntimeError("a fingertip is still inside the box after lifting the arms")


def make_box(spec: ClipSpec, vertices: np.ndarray, foot_mask: np.ndarray) -> dict[str, Any]:
    """Box against the soles (frame 0), with the marker's corners on its camera-facing side.

    The marker's black square is centred ``marker_along_cm`` from the foot end along the box and
    ``marker_below_top_cm`` below the top edge (defaults: the middle of the side).
    """
    sr = spec.sit_reach
    side = 1.0 if spec.camera.side == "left" else -1.0
    half_w, length, height = sr.box_width_cm / 200.0, sr.box_length_cm / 100.0, sr.box_height_cm / 100.0
    face_y = float(vertices[0, foot_mask, 1].min())
    lo = np.array([-half_w, face_y - length, 0.0])
    hi = np.array([half_w, face_y, height])
    box: dict[str, Any] = {"lo": lo, "hi": hi, "face_y": face_y}
    if sr.marker:
        half_print = (sr.marker_cm / 2 + MARKER_BORDER_CM) / 100.0
        half_black = sr.marker_cm / 200.0
        along = (sr.box_length_cm / 2 if sr.marker_along_cm is None else sr.marker_along_cm) / 100.0
        below = (sr.box_height_cm / 2 if sr.marker_below_top_cm is None else sr.marker_below_top_cm) / 100.0
        centre = np.array([side * (half_w + 0.001), face_y - along, height - below])
        right = np.array([0.0, side, 0.0])  # image-right of a level side camera (+Y seen from the left)
        up = np.array([0.0, 0.0, 1.0])

        def quad(h: float) -> np.ndarray:
            return np.stack(
                [
                    centre - h * right + h * up,
                    centre + h * right + h * up,
                    centre + h * right - h * up,
                    centre - h * right - h * up,
                ]
            )

        box["print_corners"] = quad(half_print)
        box["marker_corners"] = quad(half_black)
    return box
