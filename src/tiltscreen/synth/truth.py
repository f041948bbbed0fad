"""Assembling the ground-truth dict of a rendered clip (schema ``tiltscreen-synth-gt/1``).

Pure numpy on the posed points, the camera and the box; the pipeline adds the look, the level references and
the render time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tiltscreen.synth import geometry as geo
from tiltscreen.synth.config import ClipSpec
from tiltscreen.synth.groundtruth import DEFINITIONS, SCHEMA, clinical_angles, round_list
from tiltscreen.synth.landmarks import BLAZEPOSE_NAMES, NEUTRAL_TILT_DEG
from tiltscreen.synth.landmarks import __doc__ as LANDMARK_NOTES

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
    "s2",
    "s4",
    "s2_skin",
    "s4_skin",
    "left_iliac_crest",
    "right_iliac_crest",
    "left_iliac_crest_skin",
    "right_iliac_crest_skin",
)


def build_ground_truth(
    spec: ClipSpec,
    body,
    points: dict[str, np.ndarray],
    camera,
    box: dict[str, Any] | None,
    phases: list,
    times: np.ndarray,
    posture,
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
    gt["frames"].update(posterior_lines(points, spec.camera.side))
    gt["subject"]["posterior_separation_cm"] = posterior_separation(points, spec.camera.side)
    gt["camera"]["vertical_vanishing_point_h"] = vertical_vanishing_point(k, r)
    if box is not None:
        gt["box"] = box_truth(spec, box, camera)
        if "marker_corners" in box:
            gt["marker"] = {
                "dictionary": "DICT_4X4_50",
                "id": 0,
                "side_cm": spec.sit_reach.marker_cm,
                "corners_world_m": box["marker_corners"].round(4).tolist(),
                "corners_px": round_list(camera.project(box["marker_corners"]), 2),
                "corner_order": "ArUco: top-left, top-right, bottom-right, bottom-left as printed",
                "corners_box_cm": marker_in_box_frame(box),
                "box_frame": BOX_FRAME,
            }
        gt["trials"] = [{k: round(v, 3) for k, v in vars(p).items()} for p in phases]
    return gt


POSTERIOR_PAIRS = (("psis", "s2"), ("psis", "s4"), ("s2", "s4"), ("iliac_crest", "psis"))
BOX_FRAME = (
    "box frame, cm: origin at the top edge of the box's camera-facing side, at the foot end (the face the "
    "soles press on); 'along' = forward along that edge, away from the subject; 'below' = down from the top"
)


def _pair_names(a: str, b: str, side: str) -> tuple[str, str]:
    return tuple(f"{side}_{n}" if n in SIDED else n for n in (a, b))  # type: ignore[return-value]


SIDED = ("psis", "iliac_crest")


def posterior_lines(points: dict[str, np.ndarray], near: str) -> dict[str, list]:
    """Per-frame sagittal angle of each posterior line, bone-fixed and skin, degrees.

    For a pair (upper, lower), e.g. near PSIS and S4: the angle from the forward horizontal to the line
    lower -> upper (``geometry.lumbo_horizontal``: 90 = vertical, larger = pelvis tipped back). An anterior
    pelvic rotation of x degrees lowers every bone-fixed line angle by exactly x. Keys:
    ``line_<near>_psis_s4_deg``, ``skin_line_<near>_psis_s4_deg``, ``line_s2_s4_deg``, ...
    """
    out = {}
    for a, b in POSTERIOR_PAIRS:
        upper, lower = _pair_names(a, b, near)
        key = f"{upper}_{lower}"
        out[f"line_{key}_deg"] = round_list(geo.lumbo_horizontal(points[lower], points[upper]), 2)
        out[f"skin_line_{key}_deg"] = round_list(
            geo.lumbo_horizontal(points[f"{lower}_skin"], points[f"{upper}_skin"]), 2
        )
    return out


def posterior_separation(points: dict[str, np.ndarray], near: str) -> dict[str, dict[str, float]]:
    """Return the distances between the bone-fixed posterior points in the first frame, cm.

    ``sagittal_cm`` is the distance in the sagittal plane (what a side view can see), ``full_cm`` in 3-D.
    """
    out = {}
    for a, b in POSTERIOR_PAIRS:
        upper, lower = _pair_names(a, b, near)
        d = points[upper][0] - points[lower][0]
        out[f"{upper}_{lower}"] = {
            "sagittal_cm": round(float(np.hypot(d[1], d[2]) * 100.0), 2),
            "full_cm": round(float(np.linalg.norm(d) * 100.0), 2),
        }
    return out


def vertical_vanishing_point(k: np.ndarray, r: np.ndarray) -> list[float]:
    """Homogeneous image point (u, v, w) where world verticals meet: K R (0, 0, 1), scaled to unit norm.

    w = 0 means image verticals are parallel (a camera with no pitch); otherwise (u/w, v/w) is the point.
    """
    h = k @ r @ np.array([0.0, 0.0, 1.0])
    return np.round(h / np.linalg.norm(h), 8).tolist()


def marker_in_box_frame(box: dict[str, Any]) -> list[list[float]]:
    """Return the marker's black-square corners in the box frame (``BOX_FRAME``): [along_cm, below_cm]."""
    c = box["marker_corners"]
    along = (box["face_y"] - c[:, 1]) * 100.0
    below = (box["hi"][2] - c[:, 2]) * 100.0
    return np.round(np.stack([along, below], axis=1), 2).tolist()


def box_truth(spec: ClipSpec, box: dict[str, Any], camera) -> dict[str, Any]:
    """Box geometry: corners, size, the top's camera-facing edge and foot-end edge (world and pixels)."""
    side = 1.0 if spec.camera.side == "left" else -1.0
    lo, hi = box["lo"], box["hi"]
    x_near = hi[0] if side > 0 else lo[0]
    top_camera_edge = np.array([[x_near, hi[1], hi[2]], [x_near, lo[1], hi[2]]])
    top_foot_edge = np.array([[lo[0], hi[1], hi[2]], [hi[0], hi[1], hi[2]]])
    sr = spec.sit_reach
    out = {
        "lo_m": lo.round(4).tolist(),
        "hi_m": hi.round(4).tolist(),
        "face_y_m": round(box["face_y"], 4),
        "size_cm": {"length": sr.box_length_cm, "width": sr.box_width_cm, "height": sr.box_height_cm},
        "top_camera_edge_m": top_camera_edge.round(4).tolist(),
        "top_camera_edge_px": round_list(camera.project(top_camera_edge), 2),
        "top_foot_edge_m": top_foot_edge.round(4).tolist(),
        "top_foot_edge_px": round_list(camera.project(top_foot_edge), 2),
        "edges_note": "top_camera_edge: the top edge of the camera-facing side, from the foot end forward; "
        "top_foot_edge: the top edge above the face the soles press on, from -X to +X",
    }
    if "marker_corners" in box:
        centre = np.mean(marker_in_box_frame(box), axis=0)
        out["marker_centre_box_cm"] = {
            "along": round(float(centre[0]), 2),
            "below": round(float(centre[1]), 2),
        }
    return out
