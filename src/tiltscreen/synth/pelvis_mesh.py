"""Bony pelvic points on the rest-pose mesh (pure numpy): ASIS, PSIS, L5-S1 back line, sacrum, iliac crests.

World frame as in :mod:`tiltscreen.synth.geometry`: metres, +Z up, -Y forward, +X the subject's left. The
placement rules and their sources are the assumptions listed in :mod:`tiltscreen.synth.landmarks` (copied
into every ground-truth file), which re-exports the public names of this module.
"""

from __future__ import annotations

import numpy as np

from tiltscreen.synth.mesh_search import surface_vertex

__all__ = [
    "ASIS_DEPTH_M",
    "ASIS_WIDTH_PER_STATURE",
    "CREST_LATERAL_M",
    "CREST_RISE_PER_STATURE",
    "NEUTRAL_TILT_DEG",
    "PSIS_LATERAL_M",
    "SACRAL_SEGMENT_PER_STATURE",
    "asis_from_hips",
    "find_psis",
    "iliac_crest_vertex",
    "rest_pelvis_points",
    "pelvis_skin_vertices",
    "sacral_vertices",
    "sacrum_and_crests",
]

NEUTRAL_TILT_DEG = 11.0
PSIS_LATERAL_M = 0.045
ASIS_WIDTH_PER_STATURE = 0.14
ASIS_DEPTH_M = 0.015
SACRAL_SEGMENT_PER_STATURE = 0.022 / 1.75
CREST_LATERAL_M = 0.03
CREST_RISE_PER_STATURE = 0.045 / 1.75


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


def rest_pelvis_points(
    vertices: np.ndarray, bone_heads: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], float]:
    """Return the pelvis-fixed rest points (both ASIS and PSIS, the L5-S1 back line) and the ASIS height.

    Parameters
    ----------
    vertices : ndarray, shape (V, 3)
        Rest-pose vertices (identity pose), metres.
    bone_heads : dict[str, ndarray]
        Bone label -> rest head position (``upperleg01.L``/``.R`` are the hip heads).

    Returns
    -------
    points : dict[str, ndarray]
        ``left_asis``, ``right_asis``, ``left_psis``, ``right_psis``, ``l5s1_upper``, ``l5s1_lower``.
    height_m : float
        Rest height of the highest of the four spines.

    Notes
    -----
    The placement rules are the assumptions in :mod:`tiltscreen.synth.landmarks`.

    """
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


def pelvis_skin_vertices(vertices: np.ndarray, pelvis_points: dict[str, np.ndarray]) -> dict[str, int]:
    """Return the skin vertices over both ASIS and PSIS (nearest the bony points, facing out)."""
    vpts: dict[str, int] = {}
    for name in ("left", "right"):
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
    return vpts


def sacrum_and_crests(
    vertices: np.ndarray, pelvis_points: dict[str, np.ndarray]
) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Return the sacral midline and iliac-crest skin vertices and their rest positions."""
    stature = float(vertices[:, 2].max() - vertices[:, 2].min())
    psis_z = 0.5 * (pelvis_points["left_psis"][2] + pelvis_points["right_psis"][2])
    vpts: dict[str, int] = {}
    points: dict[str, np.ndarray] = {}
    for name, vid in sacral_vertices(vertices, psis_z, SACRAL_SEGMENT_PER_STATURE * stature).items():
        vpts[f"{name}_skin"] = vid
        points[name] = vertices[vid].copy()
    for side, sign in (("left", 1.0), ("right", -1.0)):
        vid = iliac_crest_vertex(vertices, pelvis_points[f"{side}_psis"], sign, stature)
        vpts[f"{side}_iliac_crest_skin"] = vid
        points[f"{side}_iliac_crest"] = vertices[vid].copy()
    return vpts, points
