"""Kinematics: pure functions from side-view landmarks to sagittal angles, plus camera-view checks.

Modules
-------
vectors
    The one signed-angle primitive (y-up, counter-clockwise positive) and helpers.
sagittal
    Per-frame trunk, thigh, hip and knee angles and plumb-line offsets (proxies,
    never "pelvic tilt").
view
    Facing direction, near side and camera yaw (with roll and the check re-exported).
camera
    Camera roll from a level reference; :func:`check_view` with advice.
summary
    Window medians and the longest quiet-standing window.
"""

from tiltscreen.kinematics.camera import ViewCheck, check_view, estimate_roll_deg, roll_from_marker
from tiltscreen.kinematics.sagittal import (
    hip_extension_deg,
    hip_flexion_deg,
    knee_flexion_deg,
    knee_hyperextension_deg,
    plumb_offsets_px,
    segment_angle_to_horizontal_deg,
    thigh_inclination_deg,
    trunk_inclination_deg,
)
from tiltscreen.kinematics.summary import QuietWindow, quiet_window, window_median
from tiltscreen.kinematics.vectors import image_to_up, included_angle, rotate_2d, signed_angle_2d
from tiltscreen.kinematics.view import (
    YawEstimate,
    estimate_yaw_deg,
    expected_near_side,
    facing_direction,
    near_side,
)

__all__ = [
    "QuietWindow",
    "ViewCheck",
    "YawEstimate",
    "check_view",
    "estimate_roll_deg",
    "estimate_yaw_deg",
    "expected_near_side",
    "facing_direction",
    "hip_extension_deg",
    "hip_flexion_deg",
    "image_to_up",
    "included_angle",
    "knee_flexion_deg",
    "knee_hyperextension_deg",
    "near_side",
    "plumb_offsets_px",
    "quiet_window",
    "roll_from_marker",
    "rotate_2d",
    "segment_angle_to_horizontal_deg",
    "signed_angle_2d",
    "thigh_inclination_deg",
    "trunk_inclination_deg",
    "window_median",
]
