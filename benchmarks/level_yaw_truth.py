"""Ground truth of one rendered clip for ``level_yaw.py``: the camera's roll, pitch and yaw, facing, tilt.

Everything comes from the ground-truth JSON (schema ``tiltscreen-synth-gt/1``, ``docs/synth.md``): the
camera rotation ``R`` (``x_cam = R x_world + t``, OpenCV axes) and centre, and the world conventions (+Z up,
-Y the subject's forward, +X the subject's left).

* roll: the horizon's angle in the y-up image, counter-clockwise positive
  (:mod:`tiltscreen.kinematics.camera`): with ``up = R @ (0, 0, 1)``, ``roll = atan2(-up_x, -up_y)``;
* pitch: the optical axis below the horizontal, degrees (looking down positive);
* yaw: the camera's optical axis against the perpendicular to the sagittal plane, positive when the
  camera has moved round towards the subject's front (:mod:`tiltscreen.kinematics.view`); also the line of
  sight to the mid-pelvis (``sight_yaw_deg``), which differs when the pelvis is off the image centre;
* facing: +1 when the subject's forward direction projects to image-right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Truth:
    """The true view and tilt of one clip (degrees)."""

    roll_deg: float
    pitch_deg: float
    yaw_deg: float  # the optical axis's
    sight_yaw_deg: float  # the line of sight to the mid-pelvis
    facing: int
    side: str
    sticker_tilt_deg: np.ndarray  # per frame, near side, NaN without stickers
    trunk_inclination_deg: np.ndarray
    fps: float
    focal_px: float


def _pelvis_world(gt: dict[str, Any]) -> np.ndarray:
    pts = gt.get("points_world_m", {})
    names = [n for n in ("left_asis", "right_asis", "left_psis", "right_psis") if n in pts]
    arr = np.array([np.nanmean(np.array(pts[n], float), axis=0) for n in names])
    return np.nanmean(arr, axis=0) if len(arr) else np.array([0.0, 0.0, 0.9])


def truth(gt: dict[str, Any]) -> Truth:
    """Return the :class:`Truth` of a parsed ground-truth file."""
    cam = gt["camera"]
    r = np.array(cam["rotation_world_to_camera"], float)
    up = r @ np.array([0.0, 0.0, 1.0])
    roll = math.degrees(math.atan2(-up[0], -up[1]))
    optical = r[2]  # the camera's z axis in world coordinates
    pitch = math.degrees(math.asin(-optical[2]))
    centre = np.array(cam["centre_m"], float)
    sight = _pelvis_world(gt) - centre
    across = -math.copysign(1.0, centre[0]) * sight[0]  # towards the subject, across the sagittal plane
    yaw = math.degrees(
        math.atan2(sight[1], across)
    )  # +Y is the subject's back: sight along +Y sees the front
    axis_across = -math.copysign(1.0, centre[0]) * optical[0]
    axis_yaw = math.degrees(math.atan2(optical[1], axis_across))
    facing = 1 if float(r[0] @ np.array([0.0, -1.0, 0.0])) > 0 else -1
    side = "left" if centre[0] > 0 else "right"
    frames = gt["frames"]
    focal = float(cam["fx"])
    tilt = np.array([np.nan if v is None else v for v in frames.get(f"sticker_tilt_{side}_deg", [])], float)
    trunk = np.array([np.nan if v is None else v for v in frames.get("trunk_inclination_deg", [])], float)
    return Truth(roll, pitch, axis_yaw, yaw, facing, side, tilt, trunk, float(gt["fps"]), focal)
