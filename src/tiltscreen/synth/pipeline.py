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
from tiltscreen.synth.landmarks import NEUTRAL_TILT_DEG

MARKER_BORDER_CM = 2.0
HAND_CLEARANCE_M = 0.01  # fingertips beyond the box face stay at least this far above the box top


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


def sticker_plan(spec: ClipSpec) -> list[tuple[str, str, tuple[int, int, int]]]:
    """Stickers of a clip as (point name, skin vertex name, RGB 0..255), ASIS/PSIS first.

    ``stickers`` puts the near-side ASIS and PSIS; ``posterior_stickers`` adds the near-side PSIS (once) and
    the midline sacral points, in ``posterior_rgb`` (default ``sticker_rgb``).

    Examples
    --------
    >>> spec = ClipSpec("sit-and-reach", stickers=True, posterior_stickers=("psis", "s4"))
    >>> [n for n, _, _ in sticker_plan(spec)]
    ['left_asis_sticker', 'left_psis_sticker', 's4_sticker']

    """
    near = spec.camera.side
    out: list[tuple[str, str, tuple[int, int, int]]] = []
    if spec.stickers:
        out += [(f"{near}_{s}_sticker", f"{near}_{s}_skin", spec.sticker_rgb) for s in ("asis", "psis")]
    rgb = spec.posterior_rgb or spec.sticker_rgb
    for name in spec.posterior_stickers:
        point = f"{near}_{name}" if name in ("psis", "iliac_crest") else name
        if all(n != f"{point}_sticker" for n, _, _ in out):
            out.append((f"{point}_sticker", f"{point}_skin", rgb))
    return out


def generate_clip(
    spec: ClipSpec, out_stem: Path, *, cache_dir: str | None = None, progress: bool = False
) -> dict[str, Any]:
    """Render ``<out_stem>.mp4`` (or ``.avi``/``.webm``), write ``<out_stem>.json``; return the ground truth.

    Raises
    ------
    ValueError
        For an unreachable stature. ``video.EncodeError`` if ffmpeg fails.

    """
    from tiltscreen.synth.body import BodyModel  # noqa: PLC0415
    from tiltscreen.synth.scene_io import make_look, render_video  # noqa: PLC0415
    from tiltscreen.synth.truth import build_ground_truth  # noqa: PLC0415

    started = time.monotonic()
    rng = np.random.default_rng(spec.seed)
    body = BodyModel(spec.body, cache_dir=cache_dir)
    times = np.arange(spec.n_frames) / spec.camera.fps
    phases: list[motion.TrialPhases] = []
    if spec.scene == "standing":
        posture = motion.standing_posture(spec.standing, times, neutral_tilt_deg=NEUTRAL_TILT_DEG, rng=rng)
        vertices, bone_poses = body.pose(posture)
        points = body.named_points(vertices, bone_poses)
        ankle = 0.5 * (points["left_ankle"][0] + points["right_ankle"][0])
        vertices, points = place_standing(vertices, points, posture.sway, ankle)
        box = None
    else:
        posture, phases = motion.sit_reach_posture(
            spec.sit_reach, times, thigh_m=body.anchors.thigh_m, shank_m=body.anchors.shank_m
        )
        posture, vertices, points, box = pose_sitting_over_box(spec, body, posture, times)
    camera = make_camera(spec, vertices, box)
    plan = sticker_plan(spec)
    ids = [body.anchors.vertex_points[skin] for _, skin, _ in plan]
    stickers = sticker_frames(spec, vertices, body.faces, ids) if ids else []
    for k, (name, _, _) in enumerate(plan):
        points[name] = np.stack([frame[k][0] for frame in stickers])
    look = make_look(spec, rng)
    scenery = make_scenery(spec, camera, vertices, box, look)
    skin = [n for n in points if n in body.anchors.vertex_points or n.endswith("_sticker")]
    px = {n: camera.project(points[n]) for n in skin}
    visible: dict[str, list[bool]] = {n: [] for n in skin}
    edges_seen: dict[str, list[float]] = {n: [] for n in (scenery.edges if scenery else {})}

    def on_depth(f: int, depth: np.ndarray) -> None:
        for n in skin:
            visible[n].append(visibility(px[n][f], points[n][f], depth, camera))
        if scenery is not None and scenery.edges:
            for n, frac in scenery_occlusion(scenery, camera, spec, depth).items():
                edges_seen[n].append(round(frac, 3))

    video = out_stem.with_suffix(spec.realism.suffix)
    render_video(
        spec,
        body,
        vertices,
        stickers,
        camera,
        box,
        video,
        look,
        props=scenery.props if scenery else None,
        sticker_colours=[rgb for _, _, rgb in plan],
        on_depth=on_depth,
        progress=progress,
    )
    gt = build_ground_truth(spec, body, points, camera, box, phases, times, posture, visible)
    gt["video_file"] = video.name
    gt["look"] = look_truth(look)
    if scenery is not None:
        gt["level_references"] = scenery_truth(spec, scenery, edges_seen)
    gt["render_seconds"] = round(time.monotonic() - started, 1)
    out_stem.with_suffix(".json").write_text(json.dumps(gt, separators=(",", ":")))
    return gt


def _view(spec: ClipSpec, camera: CameraModel, vertices: np.ndarray, box: dict[str, Any] | None):
    from tiltscreen.synth.scenery import View  # noqa: PLC0415

    pts = vertices.reshape(-1, 3)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    if box is not None:
        lo, hi = np.minimum(lo, box["lo"]), np.maximum(hi, box["hi"])
    return View(
        camera.intrinsics,
        camera.rotation,
        camera.eye,
        spec.camera.width,
        spec.camera.height,
        1.0 if spec.camera.side == "left" else -1.0,
        camera.subject_bbox_px,
        lo,
        hi,
    )


def make_scenery(spec: ClipSpec, camera: CameraModel, vertices: np.ndarray, box, look):
    """Level references and clutter placed from their own seeded stream, or None when the clip has neither."""
    from tiltscreen.synth.room import plan_scenery  # noqa: PLC0415

    if not spec.level.any and spec.realism.clutter == 0:
        return None
    view = _view(spec, camera, vertices, box)
    wall_x = -view.side * look.wall_distance_m
    rng = np.random.default_rng([spec.seed, 3])
    return plan_scenery(spec.level, spec.realism.clutter, view, wall_x, look.wall, rng)


def scenery_occlusion(scenery, camera: CameraModel, spec: ClipSpec, depth: np.ndarray) -> dict[str, float]:
    """Per tracked edge, the fraction of its samples seen in this frame's depth map."""
    from tiltscreen.synth.scenery import occlusion  # noqa: PLC0415

    view = _view(spec, camera, np.zeros((1, 1, 3)), None)
    return occlusion(scenery.edges, view, depth)


def look_truth(look) -> dict[str, Any]:
    """Return the look as JSON (colours 0..1, light angles in degrees relative to the camera's view)."""
    out = {}
    for key, value in vars(look).items():
        out[key] = [round(float(c), 4) for c in value] if isinstance(value, tuple) else value
    return out


def scenery_truth(spec: ClipSpec, scenery, edges_seen: dict[str, list[float]]) -> dict[str, Any]:
    """``level_references``: each requested reference's geometry, pixels and per-frame visible fractions."""
    out: dict[str, Any] = {
        "requested": {k: v for k, v in vars(spec.level).items() if isinstance(v, bool) and v},
        "clutter_objects": spec.realism.clutter,
        "visible_fraction": edges_seen,
        "visible_note": "per frame, fraction of 21 points along each straight edge that are inside the image "
        "and not hidden by a nearer surface (rendered depth)",
    }
    out.update(scenery.truth)
    return out
