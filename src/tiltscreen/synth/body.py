"""The anny body model: phenotype from a BodySpec, skin-weight fix, and batched posing of a whole clip.

torch and anny are imported lazily inside this module's functions; importing it costs nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from tiltscreen.synth import geometry as geo
from tiltscreen.synth.config import BodySpec
from tiltscreen.synth.landmarks import RestAnchors, find_anchors
from tiltscreen.synth.motion import Posture, raise_direction

PELVIS_BONES = ("spine05", "pelvis.L", "pelvis.R")
CREST_PATCH_M = 0.03  # skin within this distance of a posterior iliac crest point is carried by the pelvis
_AGE_ANCHORS_YEARS = (1.0, 11.0, 25.0, 90.0)
_AGE_ANCHORS_PARAM = (0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0)


def age_parameter(age_years: float) -> float:
    """Map a nominal age in years onto anny's ``age`` parameter (MakeHuman baby/child/young/old anchors).

    Examples
    --------
    >>> round(age_parameter(25.0), 6), round(age_parameter(57.5), 6)
    (0.666667, 0.833333)

    """
    return float(np.interp(age_years, _AGE_ANCHORS_YEARS, _AGE_ANCHORS_PARAM))


@dataclass(frozen=True)
class PosedClip:
    """A posed body for every frame, in world coordinates with the floor at z = 0.

    Attributes
    ----------
    vertices : ndarray, shape (F, V, 3)
        Skin vertices, metres.
    points : dict[str, ndarray]
        Named ground-truth points, each shape (F, 3).

    """

    vertices: np.ndarray
    points: dict[str, np.ndarray]


def arm_segment_rotation(rest_dir: np.ndarray, direction: np.ndarray, twist_deg: float) -> np.ndarray:
    """World rotation from rest of an arm segment turned from ``rest_dir`` onto ``direction`` and twisted.

    The twist is ``twist_deg`` about the segment's own axis; ``BodyModel.world_rotations`` turns upper arms
    and forearms with this rotation.
    """
    return geo.axis_angle(direction, twist_deg) @ geo.rotation_between(rest_dir, direction)


class BodyModel:
    """One person: anny model, phenotype, fixed skin weights and rest-pose anchors.

    Parameters
    ----------
    spec : BodySpec
        Sex, stature, age and shape.
    cache_dir : str or None
        Where anny keeps its ~800 MB cache; default ``$ANNY_CACHE_DIR`` or ``~/.cache/tiltscreen/anny``.

    """

    def __init__(self, spec: BodySpec, *, cache_dir: str | None = None) -> None:
        os.environ.setdefault("ANNY_CACHE_DIR", cache_dir or os.path.expanduser("~/.cache/tiltscreen/anny"))
        import anny  # noqa: PLC0415 - heavy optional dependency, imported on use only
        import torch  # noqa: PLC0415

        self._torch = torch
        self.spec = spec
        self.model = anny.Anny()
        self.labels: list[str] = list(self.model.bone_labels)
        self.parents = [int(p) for p in self.model.bone_parents]
        self.faces = self.model.faces.cpu().numpy().astype(np.int64)
        self.phenotype, self.stature_m = self._fit_stature(spec)
        rest = self._forward(None)
        self.rest_vertices = rest["vertices"][0]
        self.rest_poses = rest["bone_poses"][0]
        heads = {b: self.rest_poses[i, :3, 3] for i, b in enumerate(self.labels)}
        weights = self.model.vertex_bone_weights.cpu().numpy()
        indices = self.model.vertex_bone_indices.cpu().numpy()
        self.dominant_bone = indices[np.arange(len(indices)), np.argmax(weights, axis=1)]
        self.anchors: RestAnchors = find_anchors(self.rest_vertices, heads, self.dominant_bone, self.labels)
        self.reassigned_vertices = self._fix_pelvis_weights(self.anchors.asis_height_m)
        self.mass_kg = float(mesh_volume(self.rest_vertices, self.faces) * 1010.0)

    def _forward(self, pose: Any) -> dict[str, np.ndarray]:
        torch = self._torch
        with torch.no_grad():
            out = self.model(pose_parameters=pose, phenotype_kwargs=self.phenotype)
        return {k: out[k].cpu().numpy().astype(np.float64) for k in ("vertices", "bone_poses")}

    def _fit_stature(self, spec: BodySpec) -> tuple[dict[str, float], float]:
        """Bisect anny's ``height`` parameter until the rest mesh is ``spec.stature_cm`` tall (+-1 mm)."""
        base = {
            "gender": spec.sex,
            "age": age_parameter(spec.age_years),
            "weight": spec.weight,
            "muscle": spec.muscle,
            "proportions": spec.proportions,
        }
        lo, hi = 0.0, 1.0
        target = spec.stature_cm / 100.0
        height = 0.0
        for _ in range(20):
            mid = 0.5 * (lo + hi)
            self.phenotype = {**base, "height": mid}
            v = self._forward(None)["vertices"][0]
            height = float(v[:, 2].max() - v[:, 2].min())
            if abs(height - target) < 0.001:
                break
            lo, hi = (mid, hi) if height < target else (lo, mid)
        if abs(height - target) > 0.01:
            raise ValueError(
                f"stature {spec.stature_cm} cm is out of reach for this body (closest {height:.3f} m)"
            )
        return {**base, "height": mid}, height

    def _fix_pelvis_weights(self, asis_z: float) -> int:
        """Move lumbar skin weight onto ``spine05`` (pelvis) where the skin lies over the pelvis.

        MakeHuman gives about half of the pelvic skin to the lumbar bone, so stickers over the ASIS/PSIS would
        follow only half of a pelvic rotation. The ``spine04`` weight of vertices below ``asis_z`` is moved,
        and the ``spine04``/``spine03`` weight of the back-surface vertices within ``CREST_PATCH_M`` of each
        posterior iliac crest point (which lies above ``asis_z``). Returns the number of vertices changed.
        """
        lumbar, lumbar_up = self.labels.index("spine04"), self.labels.index("spine03")
        pelvis = self.labels.index("spine05")
        idx = self.model.vertex_bone_indices
        below = self._torch.as_tensor(self.rest_vertices[:, 2] < asis_z)
        hit = (idx == lumbar) & below[:, None]
        crest = np.zeros(len(self.rest_vertices), dtype=bool)
        for side in ("left", "right"):
            centre = self.rest_vertices[self.anchors.vertex_points[f"{side}_iliac_crest_skin"]]
            crest |= np.linalg.norm(self.rest_vertices - centre, axis=1) < CREST_PATCH_M
        patch = self._torch.as_tensor(crest)[:, None] & ((idx == lumbar) | (idx == lumbar_up))
        hit = hit | patch
        idx[hit] = pelvis
        return int(hit.any(dim=1).sum())

    def world_rotations(self, posture: Posture) -> np.ndarray:
        """World-frame rotations from rest for every bone and frame, shape (F, B, 3, 3).

        Unset bones follow.
        """
        n = len(posture.pelvis)
        sag = {
            "spine04": posture.lumbar_low,
            "spine03": posture.lumbar_up,
            "spine02": posture.thorax_low,
            "spine01": posture.thorax_up,
            "neck01": posture.neck,
            "neck02": posture.neck,
            "neck03": posture.head,
            "head": posture.head,
        }
        heads = self.rest_poses[:, :3, 3]
        for side in "LR":
            # Leg angles are absolute (hip->knee, knee->ankle from straight down); remove the rig's rest bend.
            hip, knee, ankle = (
                heads[self.labels.index(f"{b}.{side}")] for b in ("upperleg01", "lowerleg01", "foot")
            )
            thigh0 = np.rad2deg(np.arctan2((knee - hip)[1], -(knee - hip)[2]))
            shank0 = np.rad2deg(np.arctan2((ankle - knee)[1], -(ankle - knee)[2]))
            sag.update(
                {
                    f"upperleg01.{side}": posture.thigh - thigh0,
                    f"lowerleg01.{side}": posture.shank - shank0,
                    f"foot.{side}": posture.foot - shank0,
                }
            )
        for bone in PELVIS_BONES:
            sag[bone] = posture.pelvis
        rot = np.zeros((n, len(self.labels), 3, 3))
        rot[:] = np.eye(3)
        explicit: dict[int, np.ndarray] = {}
        for bone, angles in sag.items():
            explicit[self.labels.index(bone)] = np.stack([geo.rot_x(a) for a in angles])
        for side in "LR":
            for bone, child, dirs in (
                ("upperarm01", "lowerarm01", posture.upper_arm[side]),
                ("lowerarm01", "wrist", posture.forearm[side]),
            ):
                i, j = self.labels.index(f"{bone}.{side}"), self.labels.index(f"{child}.{side}")
                rest_dir = heads[j] - heads[i]
                twist = posture.arm_twist * (1.0 if side == "L" else -1.0)
                explicit[i] = np.stack([arm_segment_rotation(rest_dir, d, twist) for d in dirs])
        for b in range(len(self.labels)):  # parents precede children in the rig order
            if b in explicit:
                rot[:, b] = explicit[b]
            elif self.parents[b] >= 0:
                rot[:, b] = rot[:, self.parents[b]]
        return rot

    def fingertip_under_lift(
        self, posture: Posture, bone_poses: np.ndarray, side: str, lift_deg: np.ndarray, frames: np.ndarray
    ) -> np.ndarray:
        """Fingertip of one arm in some frames as if it were lifted (``motion.lift_arms``), without re-posing.

        Parameters
        ----------
        posture : Posture
            The posture ``bone_poses`` was posed from.
        bone_poses : ndarray, shape (F, B, 4, 4)
            Output of ``pose(posture)`` (before floor placement).
        side : {"L", "R"}
            Which arm.
        lift_deg, frames : ndarray, shape (n,)
            Lift in degrees for each frame index in ``frames``.

        Returns
        -------
        ndarray, shape (n, 3)
            The fingertip vertex (``anchors.vertex_points``), in the frame of ``bone_poses``.

        Notes
        -----
        Exact for this rig: the fingertip vertex is skinned to ``finger3-3`` alone, whose world rotation is
        the forearm's, and every bone between the shoulder and the elbow follows the upper arm; the shoulder
        head does not depend on the arm. So
        ``tip = shoulder + R_upper (elbow0 - shoulder0) + R_fore (tip0 - elbow0)``, rest positions marked 0.

        """
        heads = self.rest_poses[:, :3, 3]
        sh, el, wr = (self.labels.index(f"{b}.{side}") for b in ("upperarm01", "lowerarm01", "wrist"))
        name = "left" if side == "L" else "right"
        tip0 = self.rest_vertices[self.anchors.vertex_points[f"{name}_fingertip"]]
        twist = posture.arm_twist * (1.0 if side == "L" else -1.0)
        frames = np.asarray(frames, dtype=int)
        upper = raise_direction(posture.upper_arm[side][frames], lift_deg)
        fore = raise_direction(posture.forearm[side][frames], lift_deg)
        out = np.empty((len(frames), 3))
        for k, f in enumerate(frames):
            r_upper = arm_segment_rotation(heads[el] - heads[sh], upper[k], twist)
            r_fore = arm_segment_rotation(heads[wr] - heads[el], fore[k], twist)
            elbow = bone_poses[f, sh, :3, 3] + r_upper @ (heads[el] - heads[sh])
            out[k] = elbow + r_fore @ (tip0 - heads[el])
        return out

    def pose(self, posture: Posture) -> tuple[np.ndarray, np.ndarray]:
        """Pose every frame in one batched call; returns vertices (F, V, 3) and bone poses (F, B, 4, 4)."""
        torch = self._torch
        world = self.world_rotations(posture)
        parent_rot = world[:, [max(p, 0) for p in self.parents]]
        parent_rot[:, 0] = np.eye(3)
        local = np.zeros(world.shape[:2] + (4, 4))
        local[..., :3, :3] = np.swapaxes(parent_rot, -1, -2) @ world
        local[..., 3, 3] = 1.0
        out = self._forward(torch.as_tensor(local, dtype=self.model.template_vertices.dtype))
        return out["vertices"], out["bone_poses"]

    def named_points(self, vertices: np.ndarray, bone_poses: np.ndarray) -> dict[str, np.ndarray]:
        """All ground-truth points for posed frames: skin vertices, joint centres and pelvis-fixed points."""
        pts = {name: vertices[:, i] for name, i in self.anchors.vertex_points.items()}
        for name, bone in self.anchors.bone_points.items():
            pts[name] = bone_poses[:, self.labels.index(bone), :3, 3]
        pelvis = self.labels.index("spine05")
        rigid = bone_poses[:, pelvis] @ np.linalg.inv(self.rest_poses[pelvis])
        for name, p in self.anchors.pelvis_points.items():
            pts[name] = geo.apply_rigid(rigid, p)
        return pts


def mesh_volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    """Enclosed volume of a triangle mesh by the divergence theorem, cubic metres (approximate if not closed).

    Examples
    --------
    >>> v = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1.0]])
    >>> f = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    >>> round(mesh_volume(v, f), 6)
    0.166667

    """
    a, b, c = vertices[faces[:, 0]], vertices[faces[:, 1]], vertices[faces[:, 2]]
    return float(abs(np.einsum("ij,ij->i", a, np.cross(b, c)).sum()) / 6.0)
