"""Room props placed from the seed (pure numpy): level references and background clutter.

Level references (``config.LevelRefSpec``): an ArUco marker flat on the back wall, a plumb line with two
balls, a door frame, a wall corner and a cabinet. Each is placed where the camera sees it beside the subject:
a column is chosen in the free image band left or right of the subject's pixel extent and back-projected onto
the plane the prop stands in. Clutter objects stand against the back wall (never between the camera and the
subject). Every prop is static; its ground truth is its world geometry and its pixel positions, and for the
straight references also a per-frame visible fraction (filled in while rendering, see ``occlusion``).

World frame as in ``geometry``: +Z up, -Y forward, +X the subject's left; the camera is on the ``side`` sign
of X and the back wall at ``x = -side * wall_distance_m``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

EDGE_SAMPLES = 21
MARKER_BORDER_CM = 2.0


@dataclass(frozen=True)
class Prop:
    """A static mesh of one colour.

    ``kind``: box (``lo``, ``hi``), quad (``corners`` TL TR BR BL, ``normal``), marker (a quad with
    ``marker_id`` and ``marker_cm``), cylinder (``p0``, ``p1``, ``radius``) or sphere (``centre``,
    ``radius``).
    """

    kind: str
    rgb: tuple[float, float, float]
    geometry: dict[str, Any]


@dataclass
class Scenery:
    """Props to render, the ground-truth dict, and the vertical edges whose visibility is tracked."""

    props: list[Prop] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)
    edges: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (EDGE_SAMPLES, 3) world points


@dataclass(frozen=True)
class View:
    """What placement needs to know about the camera and the subject."""

    intrinsics: np.ndarray
    rotation: np.ndarray
    eye: np.ndarray
    width: int
    height: int
    side: float  # +1 camera on the subject's left (+X), -1 on the right
    subject_px: list[float]  # [u0, v0, u1, v1] over the clip (box included)
    subject_lo: np.ndarray  # world extent of the subject (and box)
    subject_hi: np.ndarray

    def project(self, p: np.ndarray) -> np.ndarray:
        """Pixels (..., 2) of world points (..., 3)."""
        from tiltscreen.synth.geometry import project  # noqa: PLC0415

        return project(p, self.rotation, self.eye, self.intrinsics)

    def ray_to_plane(self, u: float, v: float, axis: int, value: float) -> np.ndarray:
        """World point where the ray through pixel (u, v) meets the plane ``world[axis] == value``."""
        d = self.rotation.T @ np.linalg.solve(self.intrinsics, np.array([u, v, 1.0]))
        t = (value - self.eye[axis]) / d[axis]
        return self.eye + t * d

    def bands(self, gap_px: float) -> list[tuple[float, float]]:
        """Free column ranges left and right of the subject, widest first."""
        u0, _, u1, _ = self.subject_px
        bands = [(8.0, u0 - gap_px), (u1 + gap_px, self.width - 8.0)]
        return sorted([b for b in bands if b[1] - b[0] > 4], key=lambda b: b[0] - b[1])

    def clear_of_subject(self, px: np.ndarray, gap_px: float) -> bool:
        """Return True if every pixel lies in the image and outside the subject's box grown by ``gap_px``."""
        u0, v0, u1, v1 = self.subject_px
        inside = (
            (px[:, 0] >= 2) & (px[:, 0] <= self.width - 2) & (px[:, 1] >= 2) & (px[:, 1] <= self.height - 2)
        )
        over = (px[:, 0] > u0 - gap_px) & (px[:, 0] < u1 + gap_px)
        return bool(inside.all() and not over.any())


def rounded(a, n=4) -> list:
    """Return ``a`` rounded to ``n`` decimals as nested lists (JSON)."""
    return np.round(np.asarray(a, dtype=float), n).tolist()


def edge_points(bottom: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Return ``EDGE_SAMPLES`` points evenly spaced from ``bottom`` to ``top`` (both included), (n, 3)."""
    return bottom + np.linspace(0.0, 1.0, EDGE_SAMPLES)[:, None] * (top - bottom)


def vertical_truth(view: View, name: str, kind: str, bottom: np.ndarray, top: np.ndarray) -> dict[str, Any]:
    """Return the ground truth of a straight vertical edge: world and pixel ends, share inside the image."""
    px = view.project(np.stack([bottom, top]))
    samples = view.project(edge_points(bottom, top))
    ok = (
        (samples[:, 0] >= 0)
        & (samples[:, 0] < view.width)
        & (samples[:, 1] >= 0)
        & (samples[:, 1] < view.height)
    )
    return {
        "name": name,
        "kind": kind,
        "bottom_m": rounded(bottom),
        "top_m": rounded(top),
        "bottom_px": rounded(px[0], 2),
        "top_px": rounded(px[1], 2),
        "in_image_fraction": round(float(ok.mean()), 3),
    }


def candidate_columns(view: View, rng: np.random.Generator, gap_px: float, n: int = 12) -> list[float]:
    """Candidate image columns in the free bands, in a seeded order (the widest band first on average)."""
    cols = []
    for lo, hi in view.bands(gap_px):
        cols += list(np.linspace(lo, hi, 6)[1:-1])
    cols = list(rng.permutation(cols)) if cols else [8.0, view.width - 8.0]
    return [float(c) for c in cols[:n]]


def occlusion(edges: dict[str, np.ndarray], view: View, depth: np.ndarray, tolerance_m: float = 0.01) -> dict:
    """Fraction of each edge's samples that are inside the image and not hidden by something nearer.

    A sample is hidden when the rendered depth at its pixel is more than ``tolerance_m`` in front of it.
    """
    out = {}
    for name, pts in edges.items():
        px = view.project(pts)
        z = (pts - view.eye) @ view.rotation[2]
        seen = 0
        for (u, v), d in zip(px, z, strict=True):
            iu, iv = int(np.floor(u)), int(np.floor(v))
            if 0 <= iu < depth.shape[1] and 0 <= iv < depth.shape[0]:
                rd = float(depth[iv, iu])
                seen += rd <= 0 or rd >= d - tolerance_m
        out[name] = seen / len(pts)
    return out
