"""Vertex searches on a body mesh (pure numpy): outermost near a point, furthest along a direction.

World frame as in :mod:`tiltscreen.synth.geometry`: metres, +Z up, -Y forward, +X the subject's left.
Used by :mod:`tiltscreen.synth.landmarks` and :mod:`tiltscreen.synth.pelvis_mesh` to pick points on the
rest-pose mesh.
"""

from __future__ import annotations

import numpy as np

__all__ = ["extreme_vertex", "surface_vertex"]


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
