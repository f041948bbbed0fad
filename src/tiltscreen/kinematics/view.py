"""Camera-view checks shared by both protocols: facing, near side, yaw and roll.

Frames and signs
----------------
* ``facing`` = +1 when the subject faces image-right, -1 when image-left.
* The **near side** is the body side nearer the camera. In a true side view the
  labels follow from the facing direction (see :func:`expected_near_side`).
* **Yaw** (degrees) is how far the camera's line of sight is turned, about the
  vertical, away from perpendicular to the subject's sagittal plane; positive when
  the camera has moved round towards the subject's front (it sees some chest),
  negative towards the back.
* **Roll** (degrees) is the angle of a true horizontal line in the image, in the
  y-up image frame, counter-clockwise positive (the scene appears turned
  counter-clockwise, i.e. the camera body is turned clockwise as seen from behind
  it). Angles against the image horizontal or vertical are off by exactly this
  amount; :mod:`tiltscreen.kinematics.sagittal` removes it when given
  ``roll_deg``.

Error magnitudes (orthographic geometry): roll adds one-for-one to angles against
the horizontal or vertical; yaw up to 10-15 degrees changes sagittal angles by
less than about 1 degree, so 10-15 degrees is a sensible limit.
"""

from __future__ import annotations

from tiltscreen.kinematics.camera import ViewCheck, check_view, estimate_roll_deg, roll_from_marker
from tiltscreen.kinematics.view_facing import (
    FacingError,
    ViewError,
    expected_near_side,
    facing_direction,
    near_side,
)
from tiltscreen.kinematics.view_yaw import (
    HIP_WIDTH_TO_TORSO,
    MAX_FOOT_SEPARATION,
    RATIO_REL_UNCERTAINTY,
    SHOULDER_WIDTH_TO_TORSO,
    YawEstimate,
    estimate_yaw_deg,
    foot_separation,
    oblique_view_reason,
)

# Facing and near side live in view_facing.py, yaw and foot separation in view_yaw.py, roll and the
# combined check in camera.py; all re-exported here for callers of this module.
__all__ = [
    "HIP_WIDTH_TO_TORSO",
    "FacingError",
    "ViewError",
    "MAX_FOOT_SEPARATION",
    "RATIO_REL_UNCERTAINTY",
    "SHOULDER_WIDTH_TO_TORSO",
    "ViewCheck",
    "YawEstimate",
    "check_view",
    "estimate_roll_deg",
    "estimate_yaw_deg",
    "expected_near_side",
    "facing_direction",
    "foot_separation",
    "near_side",
    "oblique_view_reason",
    "roll_from_marker",
]
