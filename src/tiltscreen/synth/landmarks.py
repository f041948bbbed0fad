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

from dataclasses import dataclass

import numpy as np

NEUTRAL_TILT_DEG = 11.0
PSIS_LATERAL_M = 0.045
ASIS_WIDTH_PER_STATURE = 0.14
ASIS_DEPTH_M = 0.015
SACRAL_SEGMENT_PER_STATURE = 0.022 / 1.75
CREST_LATERAL_M = 0.03
CREST_RISE_PER_STATURE = 0.045 / 1.75

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


def surface_vertex(
    vertices: np.ndarray, mask: np.ndarray, *, x: float, z: float, radius: float, toward: np.ndarray
) -> int:
    """Index of the outermost masked vertex in direction ``toward``.

    Only vertices within ``radius`` of (x, z) in the XZ plane count.

    Raises
    ------
    ValueError
        If no masked vertex lies within the radius.

    """
    near = mask & (np.hypot(vertices[:, 0] - x, vertices[:, 2] - z) < radius)
    idx = np.flatnonzero(near)
    if idx.size == 0:
        raise ValueError(f"no surface vertex within {radius} m of x={x:.3f}, z={z:.3f}")
    return int(idx[np.argmax(vertices[idx] @ toward)])


def extreme_vertex(vertices: np.ndarray, mask: np.ndarray, direction: np.ndarray) -> int:
    """Index of the masked vertex furthest along ``direction``."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        raise ValueError("empty vertex mask")
    return int(idx[np.argmax(vertices[idx] @ direction)])


def asis_from_hips(
    hip_left: np.ndarray, hip_right: np.ndarray, width_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Left and right ASIS from the hip-joint centres with Bell et al. (1990)'s offsets run backwards.

    Parameters
    ----------
    hip_left, hip_right : ndarray, shape (3,)
        Hip-joint centres (world, metres).
    width_m : float
        Inter-ASIS width W. Each ASIS lies 0.30 W above and 0.22 W in front of its hip centre, at W / 2 from
        the midline (the rig's hip heads sit wider than anatomical hip centres, so the 0.14 W medial offset is
        not used; the width is taken from stature instead, see ``find_anchors``).

    Examples
    --------
    W = 0.25 m puts the left ASIS 0.075 m up and 0.055 m forward of its hip, 0.125 m from the midline:

    >>> a, _ = asis_from_hips(np.array([0.09, 0, 0]), np.array([-0.09, 0, 0]), 0.25)
    >>> a.round(4).tolist()
    [0.125, -0.055, 0.075]

    """
    mid = 0.5 * (hip_left + hip_right)
    lateral = (hip_left - hip_right) / np.linalg.norm(hip_left - hip_right)
    asis = []
    for hip, sign in ((hip_left, 1.0), (hip_right, -1.0)):
        point = hip + np.array([0.0, -0.22 * width_m, 0.30 * width_m])
        along = float((point - mid) @ lateral)
        asis.append(point + (sign * width_m / 2.0 - along) * lateral)
    return asis[0], asis[1]


def find_psis(
    vertices: np.ndarray,
    asis: np.ndarray,
    lateral_x: float,
    *,
    tilt_deg: float = NEUTRAL_TILT_DEG,
    iterations: int = 8,
) -> np.ndarray:
    """Back-surface point at ``lateral_x`` whose height gives the ASIS-PSIS line ``tilt_deg`` (ASIS lower)."""
    back = np.array([0.0, 1.0, 0.0])
    z = float(asis[2])
    point = asis
    for _ in range(iterations):
        idx = surface_vertex(vertices, vertices[:, 1] > asis[1], x=lateral_x, z=z, radius=0.02, toward=back)
        depth = vertices[idx, 1] - asis[1]
        z = float(asis[2] + np.tan(np.deg2rad(tilt_deg)) * depth)
        point = np.array([lateral_x, vertices[idx, 1], z])
    return point


def sacral_vertices(vertices: np.ndarray, psis_z: float, segment_m: float) -> dict[str, int]:
    """Midline back-surface vertices for S2 and S4 on the rest mesh.

    Candidates are the mesh's midline vertices (|x| < 3 mm) on the back (y > 0) and below the PSIS level
    ``psis_z`` by at least 2 mm (so that their skin is carried by the pelvis bone, see
    ``BodyModel._fix_pelvis_weights``). S2 is the candidate nearest in height to 0.5 cm below the PSIS level
    (the S2 tubercle lies level with the PSIS); S4 the one nearest to two sacral segments (``segment_m``
    each) lower. The MakeHuman mesh has midline vertices only every 3-4 cm there, so S3 is not defined.

    Raises
    ------
    ValueError
        If the mesh has no midline back vertex below the PSIS level.

    """
    ids = np.flatnonzero(
        (vertices[:, 1] > 0.0) & (np.abs(vertices[:, 0]) < 0.003) & (vertices[:, 2] < psis_z - 0.002)
    )
    if ids.size == 0:
        raise ValueError(f"no midline back vertex below z={psis_z:.3f}")
    z = vertices[ids, 2]
    s2 = int(ids[np.argmin(np.abs(z - (psis_z - 0.005)))])
    s4 = int(ids[np.argmin(np.abs(z - (psis_z - 0.005 - 2.0 * segment_m)))])
    return {"s2": s2, "s4": s4}


def iliac_crest_vertex(vertices: np.ndarray, psis: np.ndarray, sign: float, stature_m: float) -> int:
    """Back-surface vertex over the posterior iliac crest of one side, on the rest mesh.

    The point ``CREST_LATERAL_M`` further from the midline than the PSIS and ``CREST_RISE_PER_STATURE x
    stature`` above it (4.5 cm at 175 cm: the posterior crest between the PSIS and the crest's highest
    point), the outermost vertex towards the back and a little outwards (``sign`` +1 left, -1 right).
    """
    x = float(psis[0] + sign * CREST_LATERAL_M)
    z = float(psis[2] + CREST_RISE_PER_STATURE * stature_m)
    toward = np.array([0.4 * sign, 1.0, 0.0])
    return surface_vertex(vertices, vertices[:, 1] > psis[1] - 0.05, x=x, z=z, radius=0.02, toward=toward)


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

    def on(*prefixes: str) -> np.ndarray:
        ids = [i for i, b in enumerate(bone_labels) if b.startswith(prefixes)]
        return np.isin(dominant_bone, ids)

    vpts: dict[str, int] = {}
    bpts: dict[str, str] = {}
    sign = {"L": 1.0, "R": -1.0}
    for side in ("L", "R"):
        name = _side_name(side)
        for landmark, bone in BONE_LANDMARKS.items():
            bpts[f"{name}_{landmark}"] = f"{bone}.{side}"
        toes = on(f"toe1-2.{side}", f"toe2-3.{side}", f"toe2-2.{side}")
        vpts[f"{name}_foot_index"] = extreme_vertex(vertices, toes, np.array([0.0, -1.0, -0.2]))
        vpts[f"{name}_toe_tip"] = extreme_vertex(vertices, on(f"toe1-2.{side}"), np.array([0.0, -1.0, 0.0]))
        vpts[f"{name}_heel"] = extreme_vertex(vertices, on(f"foot.{side}"), np.array([0.0, 1.0, -1.0]))
        vpts[f"{name}_fingertip"] = extreme_vertex(
            vertices,
            on(f"finger3-3.{side}"),
            bone_heads[f"finger3-3.{side}"] - bone_heads[f"finger3-2.{side}"],
        )
        eye = bone_heads[f"eye.{side}"]
        head = on("head", "neck03", "eye")
        vpts[f"{name}_eye"] = surface_vertex(
            vertices, head, x=eye[0], z=eye[2], radius=0.01, toward=np.array([0.0, -1.0, 0.0])
        )
        for part, dx in (("inner", -0.016), ("outer", 0.018)):
            vpts[f"{name}_eye_{part}"] = surface_vertex(
                vertices,
                head,
                x=eye[0] + sign[side] * dx,
                z=eye[2],
                radius=0.008,
                toward=np.array([0.0, -1.0, 0.0]),
            )
        ear = vertices[head & (np.abs(vertices[:, 2] - (eye[2] - 0.025)) < 0.02)]
        ear_x = sign[side] * np.max(sign[side] * ear[:, 0])
        vpts[f"{name}_ear"] = surface_vertex(
            vertices, head, x=ear_x, z=eye[2] - 0.025, radius=0.02, toward=np.array([sign[side], 0.3, 0.0])
        )
        vpts[f"mouth_{name}"] = surface_vertex(
            vertices,
            head,
            x=sign[side] * 0.022,
            z=eye[2] - 0.075,
            radius=0.01,
            toward=np.array([0.0, -1.0, 0.0]),
        )
    eye_z = 0.5 * (bone_heads["eye.L"][2] + bone_heads["eye.R"][2])
    vpts["nose"] = surface_vertex(
        vertices, on("head"), x=0.0, z=eye_z - 0.035, radius=0.015, toward=np.array([0.0, -1.0, 0.0])
    )
    pelvis_points, asis_z = _pelvis_points(vertices, bone_heads)
    for side in ("L", "R"):
        name = _side_name(side)
        for spine, toward in (("asis", np.array([0.0, -1.0, 0.0])), ("psis", np.array([0.0, 1.0, 0.0]))):
            target = pelvis_points[f"{name}_{spine}"]
            vpts[f"{name}_{spine}_skin"] = surface_vertex(
                vertices,
                (vertices - target) @ toward > -0.03,
                x=target[0],
                z=target[2],
                radius=0.015,
                toward=toward,
            )
    stature = float(vertices[:, 2].max() - vertices[:, 2].min())
    psis_z = 0.5 * (pelvis_points["left_psis"][2] + pelvis_points["right_psis"][2])
    for name, vid in sacral_vertices(vertices, psis_z, SACRAL_SEGMENT_PER_STATURE * stature).items():
        vpts[f"{name}_skin"] = vid
        pelvis_points[name] = vertices[vid].copy()
    for side, sign in (("left", 1.0), ("right", -1.0)):
        vid = iliac_crest_vertex(vertices, pelvis_points[f"{side}_psis"], sign, stature)
        vpts[f"{side}_iliac_crest_skin"] = vid
        pelvis_points[f"{side}_iliac_crest"] = vertices[vid].copy()
    thigh = np.mean(
        [np.linalg.norm(bone_heads[f"lowerleg01.{s}"] - bone_heads[f"upperleg01.{s}"]) for s in "LR"]
    )
    shank = np.mean([np.linalg.norm(bone_heads[f"foot.{s}"] - bone_heads[f"lowerleg01.{s}"]) for s in "LR"])
    return RestAnchors(vpts, bpts, pelvis_points, asis_z, float(thigh), float(shank))


def _pelvis_points(
    vertices: np.ndarray, bone_heads: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], float]:
    stature = float(vertices[:, 2].max() - vertices[:, 2].min())
    guesses = asis_from_hips(
        bone_heads["upperleg01.L"], bone_heads["upperleg01.R"], ASIS_WIDTH_PER_STATURE * stature
    )
    forward = np.array([0.0, -1.0, 0.0])
    asis_l, asis_r = (
        np.array(
            [
                g[0],
                vertices[
                    surface_vertex(
                        vertices, vertices[:, 1] < g[1] + 0.05, x=g[0], z=g[2], radius=0.015, toward=forward
                    ),
                    1,
                ]
                + ASIS_DEPTH_M,
                g[2],
            ]
        )
        for g in guesses
    )
    psis_l = find_psis(vertices, asis_l, PSIS_LATERAL_M)
    psis_r = find_psis(vertices, asis_r, -PSIS_LATERAL_M)
    psis_z = 0.5 * (psis_l[2] + psis_r[2])
    mid = (vertices[:, 1] > 0.0) & (np.abs(vertices[:, 0]) < 0.015)
    back = np.array([0.0, 1.0, 0.0])
    upper = vertices[surface_vertex(vertices, mid, x=0.0, z=psis_z + 0.03, radius=0.02, toward=back)]
    lower = vertices[surface_vertex(vertices, mid, x=0.0, z=psis_z - 0.05, radius=0.02, toward=back)]
    points = {
        "left_asis": asis_l,
        "right_asis": asis_r,
        "left_psis": psis_l,
        "right_psis": psis_r,
        "l5s1_upper": upper,
        "l5s1_lower": lower,
    }
    return points, float(max(asis_l[2], asis_r[2], psis_l[2], psis_r[2]))
