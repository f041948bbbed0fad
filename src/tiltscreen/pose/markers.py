"""Printed ArUco markers: a known length in the image (scale) and a level reference (roll).

The roll itself is computed by :func:`tiltscreen.kinematics.camera.roll_from_marker` (one
convention for every angle).

The marker is a square of known side printed from ``docs/marker_4x4_50_id0.png`` and
fixed flat on the camera-facing side of the sit-and-reach box, upright.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.errors import ValidationError

DEFAULT_DICTIONARY = "DICT_4X4_50"


@dataclass(frozen=True)
class MarkerDetection:
    """One marker seen in one frame.

    Attributes
    ----------
    marker_id : int
    corners_px : ndarray, shape (4, 2)
        Full-resolution continuous pixels (the image spans ``0..W``, a pixel's centre
        at ``+0.5``, as for every other point of the tool), OpenCV's order: top-left,
        top-right, bottom-right, bottom-left of the printed marker.

    """

    marker_id: int
    corners_px: np.ndarray

    @property
    def side_px(self) -> float:
        """Mean length of the four sides, in pixels."""
        c = self.corners_px
        return float(np.mean(np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1)))


def _dictionary(name: str):
    import cv2

    if not name.startswith("DICT_") or not hasattr(cv2.aruco, name):
        raise ValidationError(f"Unknown ArUco dictionary {name!r}; use e.g. 'DICT_4X4_50'.")
    return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, name))


class ArucoFinder:
    """Detect markers of one dictionary in RGB frames (state: the OpenCV detector)."""

    def __init__(self, dictionary: str = DEFAULT_DICTIONARY) -> None:
        import cv2

        params = cv2.aruco.DetectorParameters()
        params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
        self._detector = cv2.aruco.ArucoDetector(_dictionary(dictionary), params)
        self.dictionary = dictionary

    def find(self, rgb: np.ndarray, *, scale: float = 1.0) -> list[MarkerDetection]:
        """Markers in one frame; ``scale`` is the frame's size / full size (corners returned full-size).

        OpenCV puts a pixel's centre at integer coordinates; the corners are shifted by half a pixel to
        the tool's convention (centre at ``+0.5``) before scaling, so that the principal point is the
        image's centre ``(W/2, H/2)`` and the corners line up with the landmarks and outline points.
        """
        import cv2

        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        corners, ids, _ = self._detector.detectMarkers(gray)
        if ids is None:
            return []
        return [
            MarkerDetection(marker_id=int(i), corners_px=(np.asarray(c, float).reshape(4, 2) + 0.5) / scale)
            for c, i in zip(corners, ids.ravel(), strict=True)
        ]
