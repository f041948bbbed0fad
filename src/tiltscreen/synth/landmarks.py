"""Anatomical points defined once on the rest-pose mesh (pure numpy): landmarks, ASIS/PSIS, fingertips, toes.

World frame as in ``geometry``: metres, +Z up, -Y forward, +X the subject's left. Sides are ``"L"``/``"R"``.

Assumptions (also written into every ground-truth file):

- The ASIS is placed by running Bell et al. (1990)'s hip-joint-centre regression backwards from the rig's
  ``upperleg01`` heads: inter-ASIS width W = 0.14 x stature (the rig's hip heads are too far apart to give W as
  inter-hip distance / 0.72); ASIS height = hip + 0.30 W, at W / 2 from the midline; the rig's hip heads sit
  too far back for Bell's 0.22 W forward offset, so the ASIS is put 1.5 cm under the front skin surface there.
- The PSIS is the back-surface point 4.5 cm from the midline whose height makes the rest pose read
  ``NEUTRAL_TILT_DEG`` of anterior ASIS-PSIS tilt (a typical palpation-meter value).
- Both are fixed rigidly to the pelvis bone (``spine05``); the L5-S1 back line is two pelvis-fixed points on the
  midline back surface 3 cm above and 5 cm below the PSIS level.
- Sacral points S2 and S4 are midline back-surface mesh vertices fixed to the pelvis bone: S2 the one nearest
  0.5 cm below the PSIS level (the S2 tubercle lies level with the PSIS), S4 the one nearest two sacral
  segments lower (segment 2.2 cm x stature / 175 cm); the mesh has midline vertices only every 3-4 cm there.
- The posterior iliac crest point of each side is the back-surface vertex 3 cm further from the midline than
  the PSIS and 4.5 cm x stature / 175 cm above it, fixed to the pelvis bone. Its skin keeps MakeHuman's
  weights (partly lumbar), so its sticker slides against the bone as the low back flexes.
"""  # noqa: E501 - kept byte-identical: pipeline copies it into every ground-truth file ("assumptions")

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tiltscreen.synth.mesh_search import extreme_vertex, surface_vertex
from tiltscreen.synth.pelvis_mesh import (
    ASIS_DEPTH_M,
    ASIS_WIDTH_PER_STATURE,
    CREST_LATERAL_M,
    CREST_RISE_PER_STATURE,
    NEUTRAL_TILT_DEG,
    PSIS_LATERAL_M,
    SACRAL_SEGMENT_PER_STATURE,
    asis_from_hips,
    find_psis,
    iliac_crest_vertex,
    pelvis_skin_vertices,
    rest_pelvis_points,
    sacral_vertices,
    sacrum_and_crests,
)

__all__ = [
    "ASIS_DEPTH_M",
    "ASIS_WIDTH_PER_STATURE",
    "BLAZEPOSE_NAMES",
    "BONE_LANDMARKS",
    "CREST_LATERAL_M",
    "CREST_RISE_PER_STATURE",
    "NEUTRAL_TILT_DEG",
    "PSIS_LATERAL_M",
    "SACRAL_SEGMENT_PER_STATURE",
    "RestAnchors",
    "asis_from_hips",
    "extreme_vertex",
    "find_anchors",
    "find_psis",
    "iliac_crest_vertex",
    "sacral_vertices",
    "surface_vertex",
]

# The 33 BlazePose landmarks, in MediaPipe's order.
BLAZEPOSE_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

# Landmarks taken as a rig bone's head (joint centre).
# MediaPipe's "index"/"pinky" sit near the knuckles (MCP).
BONE_LANDMARKS: dict[str, str] = {
    "shoulder": "upperarm01",
    "elbow": "lowerarm01",
    "wrist": "wrist",
    "pinky": "finger5-1",
    "index": "finger2-1",
    "thumb": "finger1-3",
    "hip": "upperleg01",
    "knee": "lowerleg01",
    "ankle": "foot",
}


@dataclass(frozen=True)
class RestAnchors:
    """Points chosen on the rest mesh.

    Attributes
    ----------
    vertex_points : dict[str, int]
        Point name -> vertex index (the point follows the skin).
    bone_points : dict[str, str]
        Point name -> bone label whose posed head is the point.
    pelvis_points : dict[str, ndarray]
        Point name -> rest-pose world position, moved rigidly with the pelvis bone.
    asis_height_m : float
        Rest-pose height of the higher of the ASIS and PSIS (skin below it is moved onto the pelvis bone).
    thigh_m, shank_m : float
        Mean hip-knee and knee-ankle lengths.

    """

    vertex_points: dict[str, int]
    bone_points: dict[str, str]
    pelvis_points: dict[str, np.ndarray]
    asis_height_m: float
    thigh_m: float
    shank_m: float


def _side_name(side: str) -> str:
    return "left" if side == "L" else "right"


def find_anchors(
    vertices: np.ndarray, bone_heads: dict[str, np.ndarray], dominant_bone: np.ndarray, bone_labels: list[str]
) -> RestAnchors:
    """Choose every ground-truth point on the rest mesh.

    Parameters
    ----------
    vertices : ndarray, shape (V, 3)
        Rest-pose vertices (identity pose), metres.
    bone_heads : dict[str, ndarray]
        Bone label -> rest head position.
    dominant_bone : ndarray, shape (V,)
        Index of each vertex's largest skinning weight.
    bone_labels : list[str]
        Bone labels in rig order.

    """
    on = _bone_mask(dominant_bone, bone_labels)
    vpts: dict[str, int] = {}
    bpts: dict[str, str] = {}
    for side in ("L", "R"):
        name = _side_name(side)
        bpts.update({f"{name}_{landmark}": f"{bone}.{side}" for landmark, bone in BONE_LANDMARKS.items()})
        vpts.update(_foot_hand_vertices(vertices, bone_heads, on, side))
        vpts.update(_face_vertices(vertices, bone_heads, on, side))
    eye_z = 0.5 * (bone_heads["eye.L"][2] + bone_heads["eye.R"][2])
    vpts["nose"] = surface_vertex(
        vertices, on("head"), x=0.0, z=eye_z - 0.035, radius=0.015, toward=np.array([0.0, -1.0, 0.0])
    )
    pelvis_points, asis_z = rest_pelvis_points(vertices, bone_heads)
    vpts.update(pelvis_skin_vertices(vertices, pelvis_points))
    back_vertices, back_points = sacrum_and_crests(vertices, pelvis_points)
    vpts.update(back_vertices)
    pelvis_points.update(back_points)
    thigh, shank = _segment_lengths(bone_heads)
    return RestAnchors(vpts, bpts, pelvis_points, asis_z, thigh, shank)


def _bone_mask(dominant_bone: np.ndarray, bone_labels: list[str]) -> Callable[..., np.ndarray]:
    """Return ``on(*prefixes)``: the vertices whose dominant bone label starts with any prefix."""

    def on(*prefixes: str) -> np.ndarray:
        ids = [i for i, b in enumerate(bone_labels) if b.startswith(prefixes)]
        return np.isin(dominant_bone, ids)

    return on


def _foot_hand_vertices(
    vertices: np.ndarray, bone_heads: dict[str, np.ndarray], on: Callable[..., np.ndarray], side: str
) -> dict[str, int]:
    """Return the toe, toe-tip, heel and middle-fingertip vertices of one side (``"L"`` or ``"R"``)."""
    name = _side_name(side)
    toes = on(f"toe1-2.{side}", f"toe2-3.{side}", f"toe2-2.{side}")
    return {
        f"{name}_foot_index": extreme_vertex(vertices, toes, np.array([0.0, -1.0, -0.2])),
        f"{name}_toe_tip": extreme_vertex(vertices, on(f"toe1-2.{side}"), np.array([0.0, -1.0, 0.0])),
        f"{name}_heel": extreme_vertex(vertices, on(f"foot.{side}"), np.array([0.0, 1.0, -1.0])),
        f"{name}_fingertip": extreme_vertex(
            vertices,
            on(f"finger3-3.{side}"),
            bone_heads[f"finger3-3.{side}"] - bone_heads[f"finger3-2.{side}"],
        ),
    }


def _face_vertices(
    vertices: np.ndarray, bone_heads: dict[str, np.ndarray], on: Callable[..., np.ndarray], side: str
) -> dict[str, int]:
    """Return the eye (centre, inner, outer), ear and mouth-corner vertices of one side."""
    name = _side_name(side)
    sign = 1.0 if side == "L" else -1.0
    eye = bone_heads[f"eye.{side}"]
    head = on("head", "neck03", "eye")
    vpts = {
        f"{name}_eye": surface_vertex(
            vertices, head, x=eye[0], z=eye[2], radius=0.01, toward=np.array([0.0, -1.0, 0.0])
        )
    }
    for part, dx in (("inner", -0.016), ("outer", 0.018)):
        vpts[f"{name}_eye_{part}"] = surface_vertex(
            vertices,
            head,
            x=eye[0] + sign * dx,
            z=eye[2],
            radius=0.008,
            toward=np.array([0.0, -1.0, 0.0]),
        )
    ear = vertices[head & (np.abs(vertices[:, 2] - (eye[2] - 0.025)) < 0.02)]
    ear_x = sign * np.max(sign * ear[:, 0])
    vpts[f"{name}_ear"] = surface_vertex(
        vertices, head, x=ear_x, z=eye[2] - 0.025, radius=0.02, toward=np.array([sign, 0.3, 0.0])
    )
    vpts[f"mouth_{name}"] = surface_vertex(
        vertices,
        head,
        x=sign * 0.022,
        z=eye[2] - 0.075,
        radius=0.01,
        toward=np.array([0.0, -1.0, 0.0]),
    )
    return vpts


def _segment_lengths(bone_heads: dict[str, np.ndarray]) -> tuple[float, float]:
    """Return the mean rest thigh (hip to knee) and shank (knee to ankle) lengths, metres."""
    thigh = np.mean(
        [np.linalg.norm(bone_heads[f"lowerleg01.{s}"] - bone_heads[f"upperleg01.{s}"]) for s in "LR"]
    )
    shank = np.mean([np.linalg.norm(bone_heads[f"foot.{s}"] - bone_heads[f"lowerleg01.{s}"]) for s in "LR"])
    return float(thigh), float(shank)
