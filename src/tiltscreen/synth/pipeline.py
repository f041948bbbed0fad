"""One clip end to end.

body -> motion -> posed frames -> scene and camera -> render -> H.264 + ground truth.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.synth import framing, motion
from tiltscreen.synth import geometry as geo
from tiltscreen.synth.config import ClipSpec
from tiltscreen.synth.groundtruth import DEFINITIONS, SCHEMA, clinical_angles, round_list
from tiltscreen.synth.landmarks import BLAZEPOSE_NAMES, NEUTRAL_TILT_DEG
from tiltscreen.synth.landmarks import __doc__ as LANDMARK_NOTES

BOX_HALF_WIDTH_M, BOX_LENGTH_M, BOX_HEIGHT_M, MARKER_BORDER_CM = 0.22, 0.40, 0.32, 2.0
HAND_CLEARANCE_M = 0.01  # fingertips beyond the box face stay at least this far above the box top
EXTRA_POINTS = (
    "left_fingertip",
    "right_fingertip",
    "left_toe_tip",
    "right_toe_tip",
    "left_asis",
    "right_asis",
    "left_psis",
    "right_psis",
    "left_asis_skin",
    "right_asis_skin",
    "left_psis_skin",
    "right_psis_skin",
    "l5s1_upper",
    "l5s1_lower",
)


@dataclass(frozen=True)
class CameraModel:
    """A fixed pinhole camera: intrinsics (3x3), world-to-camera rotation (OpenCV axes) and centre (metres).

    ``distance_m`` and ``aim`` place the centre on the optical axis; ``subject_bbox_px`` is the subject's (and
    box's) pixel extent over the whole clip, ``[u_min, v_min, u_max, v_max]``.
    """

    intrinsics: np.ndarray
    rotation: np.ndarray
    eye: np.ndarray
    distance_m: float = float("nan")
    aim: np.ndarray | None = None
    subject_bbox_px: list[float] | None = None

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixels (..., 2) of world points (..., 3)."""
        return geo.project(points, self.rotation, self.eye, self.intrinsics)


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

    Where a fingertip would pass the box's near face below ``BOX_HEIGHT_M + HAND_CLEARANCE_M`` (inside the
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


def make_camera(spec: ClipSpec, vertices: np.ndarray, box: dict[str, Any] | None = None) -> CameraModel:
    """Side camera that frames the whole subject (every vertex of every frame) and the box with a margin.

    The orientation is a level camera perpendicular to the sagittal plane turned by the yaw/pitch/roll
    offsets; the centre lies on the optical axis through the middle of the subject's (and box's) extent, at
    ``camera.distance_m`` or, when that is None, at the closest distance that keeps the margin
    (``framing.min_distance``, rounded up to the millimetre).

    Raises
    ------
    framing.FramingError
        If an explicit distance is too close for the subject to stay inside the margin.

    """
    cam = spec.camera
    side = 1.0 if cam.side == "left" else -1.0
    pts = vertices.reshape(-1, 3)
    if box is not None:
        corners = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], dtype=float)
        pts = np.vstack([pts, box["lo"] + corners * (box["hi"] - box["lo"])])
    aim = framing.aim_point(pts, height_m=cam.height_m)
    rotation = geo.camera_rotation(
        aim + np.array([side, 0.0, 0.0]),
        aim,
        yaw_deg=cam.yaw_deg,
        pitch_deg=cam.pitch_deg,
        roll_deg=cam.roll_deg,
    )
    f = geo.focal_px(cam.width, cam.hfov_deg)
    margin = cam.margin * cam.height
    needed = framing.min_distance(
        pts,
        rotation,
        aim,
        focal_px=f,
        half_width_px=cam.width / 2 - margin,
        half_height_px=cam.height / 2 - margin,
    )
    if cam.distance_m is None:
        distance = np.ceil(needed * 1000.0) / 1000.0
    elif cam.distance_m < needed:
        raise framing.FramingError(
            f"at distance_m={cam.distance_m} the subject comes closer than the {margin:.0f} px margin to the "
            f"image edge; it needs at least {needed:.2f} m (omit --distance-m to frame automatically)"
        )
    else:
        distance = cam.distance_m
    eye = aim - distance * rotation[2]
    k = geo.intrinsics_matrix(f, f, cam.width / 2.0, cam.height / 2.0)
    model = CameraModel(
        k, rotation, eye, float(distance), aim, framing.bbox_px(geo.project(pts, rotation, eye, k))
    )
    framing.check_inside(model.subject_bbox_px, width=cam.width, height=cam.height, margin_px=margin - 0.5)
    return model


def make_box(spec: ClipSpec, vertices: np.ndarray, foot_mask: np.ndarray) -> dict[str, Any]:
    """Box against the soles (frame 0), with the marker's corners on its camera-facing side."""
    side = 1.0 if spec.camera.side == "left" else -1.0
    face_y = float(vertices[0, foot_mask, 1].min())
    lo = np.array([-BOX_HALF_WIDTH_M, face_y - BOX_LENGTH_M, 0.0])
    hi = np.array([BOX_HALF_WIDTH_M, face_y, BOX_HEIGHT_M])
    box: dict[str, Any] = {"lo": lo, "hi": hi, "face_y": face_y}
    if spec.sit_reach.marker:
        half_print = (spec.sit_reach.marker_cm / 2 + MARKER_BORDER_CM) / 100.0
        half_black = spec.sit_reach.marker_cm / 200.0
        centre = np.array([side * (BOX_HALF_WIDTH_M + 0.001), face_y - BOX_LENGTH_M / 2, BOX_HEIGHT_M / 2])
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


def sticker_frames(spec: ClipSpec, vertices: np.ndarray, faces: np.ndarray, vertex_ids: list[int]) -> list:
    """Per frame, (centre, normal) of each sticker: skin vertex + 3 mm along its normal.

    The disc is turned halfway between the skin normal and the camera side (as a sticker placed a little
    towards the camera on the iliac spine), so that it is not seen exactly edge-on.
    """
    from tiltscreen.synth.render import vertex_normals  # noqa: PLC0415

    lateral = np.array([1.0 if spec.camera.side == "left" else -1.0, 0.0, 0.0])
    out = []
    for f in range(len(vertices)):
        normals = vertex_normals(vertices[f], faces)
        out.append(
            [
                (
                    vertices[f, i] + 0.003 * normals[i],
                    (normals[i] + lateral) / np.linalg.norm(normals[i] + lateral),
                )
                for i in vertex_ids
            ]
        )
    return out


def visibility(px: np.ndarray, world: np.ndarray, depth: np.ndarray, camera: CameraModel) -> bool:
    """Return True if a surface point's camera depth matches the rendered depth at its pixel within 3 cm."""
    if np.any(np.isnan(px)):
        return False
    u, v = int(np.floor(px[0])), int(np.floor(px[1]))
    if not (0 <= v < depth.shape[0] and 0 <= u < depth.shape[1]) or depth[v, u] <= 0:
        return False
    z = float((camera.rotation @ (world - camera.eye))[2])
    return abs(z - float(depth[v, u])) < 0.03


def generate_clip(
    spec: ClipSpec, out_stem: Path, *, cache_dir: str | None = None, progress: bool = False
) -> dict[str, Any]:
    """Render ``<out_stem>.mp4`` and write ``<out_stem>.json``; returns the ground-truth dict.

    Raises
    ------
    ValueError
        For an unreachable stature. ``video.EncodeError`` if ffmpeg fails.

    """
    from tiltscreen.synth.body import BodyModel  # noqa: PLC0415

    started = time.monotonic()
    rng = np.random.default_rng(spec.seed)
    body = BodyModel(spec.body, cache_dir=cache_dir)
    times = np.arange(spec.n_frames) / spec.camera.fps
    phases: list[motion.TrialPhases] = []
    if spec.scene == "standing":
        posture = motion.standing_posture(spec.standing, times, neutral_tilt_deg=NEUTRAL_TILT_DEG, rng=rng)
    else:
        posture, phases = motion.sit_reach_posture(
            spec.sit_reach, times, thigh_m=body.anchors.thigh_m, shank_m=body.anchors.shank_m
        )
    if spec.scene == "standing":
        vertices, bone_poses = body.pose(posture)
        points = body.named_points(vertices, bone_poses)
        ankle = 0.5 * (points["left_ankle"][0] + points["right_ankle"][0])
        vertices, points = place_standing(vertices, points, posture.sway, ankle)
        box = None
    else:
        posture, vertices, points, box = pose_sitting_over_box(spec, body, posture, times)
    camera = make_camera(spec, vertices, box)
    near = spec.camera.side
    sticker_ids = (
        [body.anchors.vertex_points[f"{near}_{s}_skin"] for s in ("asis", "psis")] if spec.stickers else []
    )
    stickers = sticker_frames(spec, vertices, body.faces, sticker_ids) if sticker_ids else []
    for k, name in enumerate(("asis", "psis")):
        if stickers:
            points[f"{near}_{name}_sticker"] = np.stack([frame[k][0] for frame in stickers])
    from tiltscreen.synth.scene_io import render_video  # noqa: PLC0415

    skin = [n for n in points if n in body.anchors.vertex_points or n.endswith("_sticker")]
    px = {n: camera.project(points[n]) for n in skin}
    visible: dict[str, list[bool]] = {n: [] for n in skin}

    def on_depth(f: int, depth: np.ndarray) -> None:
        for n in skin:
            visible[n].append(visibility(px[n][f], points[n][f], depth, camera))

    render_video(
        spec,
        body,
        vertices,
        stickers,
        camera,
        box,
        out_stem.with_suffix(".mp4"),
        rng,
        on_depth=on_depth,
        progress=progress,
    )
    gt = build_ground_truth(spec, body, points, camera, box, phases, times, posture, visible)
    gt["render_seconds"] = round(time.monotonic() - started, 1)
    out_stem.with_suffix(".json").write_text(json.dumps(gt, separators=(",", ":")))
    return gt


def build_ground_truth(
    spec: ClipSpec,
    body,
    points: dict[str, np.ndarray],
    camera: CameraModel,
    box: dict[str, Any] | None,
    phases: list,
    times: np.ndarray,
    posture: motion.Posture,
    visible: dict[str, list[bool]],
) -> dict[str, Any]:
    """Assemble the ground-truth dict (schema ``tiltscreen-synth-gt/1``)."""
    angles = clinical_angles(points, box_face_y=None if box is None else box["face_y"])
    frames = {
        "t_s": round_list(times, 4),
        **{k: round_list(v, 2) for k, v in angles.items()},
        "sway_deg": round_list(posture.sway, 3),
    }
    names = [n for n in (*BLAZEPOSE_NAMES, *EXTRA_POINTS) if n in points]
    names += [k for k in points if k.endswith("_sticker")]
    px = {n: camera.project(points[n]) for n in names}
    k, r, eye = camera.intrinsics, camera.rotation, camera.eye
    gt: dict[str, Any] = {
        "schema": SCHEMA,
        "scene": spec.scene,
        "seed": spec.seed,
        "n_frames": len(times),
        "fps": spec.camera.fps,
        "definitions": DEFINITIONS,
        "assumptions": LANDMARK_NOTES.split("Assumptions (also written into every ground-truth file):")[
            1
        ].strip(),
        "note": "Rendered people, not patients: renders are cleaner than life "
        "(no real skin, clothing or clutter).",
        "config": spec.to_dict(),
        "subject": {
            "stature_cm": round(body.stature_m * 100.0, 1),
            "anny_phenotype": body.phenotype,
            "estimated_mass_kg": round(body.mass_kg, 1),
            "neutral_tilt_deg": NEUTRAL_TILT_DEG,
            "skin_vertices_moved_to_pelvis": body.reassigned_vertices,
        },
        "camera": {
            "fx": k[0, 0],
            "fy": k[1, 1],
            "cx": k[0, 2],
            "cy": k[1, 2],
            "width": spec.camera.width,
            "height": spec.camera.height,
            "rotation_world_to_camera": r.round(6).tolist(),
            "translation_m": (-r @ eye).round(5).tolist(),
            "centre_m": eye.round(5).tolist(),
            "distance_m": round(camera.distance_m, 3),
            "aim_m": np.round(camera.aim, 4).tolist() if camera.aim is not None else None,
            "margin_px": round(spec.camera.margin * spec.camera.height, 1),
            "subject_bbox_px": camera.subject_bbox_px,
            "axes": "OpenCV camera: x right, y down, z forward; x_cam = R x_world + t",
        },
        "frames": frames,
        "points_px": {n: round_list(v, 1) for n, v in px.items()},
        "points_world_m": {n: round_list(points[n], 4) for n in EXTRA_POINTS if n in points},
        "visible": {n: v for n, v in visible.items() if n in px},
    }
    if box is not None:
        gt["box"] = {
            "lo_m": box["lo"].round(4).tolist(),
            "hi_m": box["hi"].round(4).tolist(),
            "face_y_m": round(box["face_y"], 4),
        }
        if "marker_corners" in box:
            gt["marker"] = {
                "dictionary": "DICT_4X4_50",
                "id": 0,
                "side_cm": spec.sit_reach.marker_cm,
                "corners_world_m": box["marker_corners"].round(4).tolist(),
                "corners_px": round_list(camera.project(box["marker_corners"]), 2),
                "corner_order": "ArUco: top-left, top-right, bottom-right, bottom-left as printed",
            }
        gt["trials"] = [{k: round(v, 3) for k, v in vars(p).items()} for p in phases]
    return gt
