"""The angles the live view shows for a step, from the analyses' own kinematics functions.

Live values are indicative (the last frame of the window, camera assumed level); the captured clip's
analysis gives the numbers that are saved.
"""

from __future__ import annotations

import math

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.sagittal import (
    hip_extension_deg,
    hip_flexion_deg,
    knee_flexion_deg,
    trunk_inclination_deg,
)
from tiltscreen.landmarks import Landmarks
from tiltscreen.skeleton import BLAZEPOSE


def facing_of(lm: Landmarks) -> int:
    """+1 when the nose is to the right of the ears on the last frame, else -1."""
    last = lm.xyz[-1]
    ears = (last[BLAZEPOSE.index("left_ear"), 0] + last[BLAZEPOSE.index("right_ear"), 0]) / 2
    return 1 if last[BLAZEPOSE.index("nose"), 0] >= ears else -1


def near_of(lm: Landmarks, want_side: str) -> str:
    """Return the requested side, or (``auto``) the side with the smaller depth on the last frame."""
    if want_side in ("left", "right"):
        return want_side
    last = lm.xyz[-1]
    zl, zr = last[BLAZEPOSE.index("left_hip"), 2], last[BLAZEPOSE.index("right_hip"), 2]
    return "left" if not zr < zl else "right"


def _last(values: np.ndarray) -> float:
    v = float(np.asarray(values)[-1]) if len(values) else math.nan
    return v


def live_angles(lm: Landmarks | None, protocol: str, want_side: str) -> list[str]:
    """Label lines for the live view (empty when nobody is seen)."""
    if lm is None:
        return []
    side, facing = near_of(lm, want_side), facing_of(lm)
    try:
        if protocol == "standing":
            pairs = [
                ("trunk", trunk_inclination_deg(lm, side, facing)),
                ("hip ext", hip_extension_deg(lm, side, facing)),
            ]
        else:
            pairs = [
                ("hip flex", hip_flexion_deg(lm, side, facing)),
                ("knee flex", knee_flexion_deg(lm, side)),
                ("trunk", trunk_inclination_deg(lm, side, facing)),
            ]
    except ValidationError:
        return []
    return [f"{name} {_last(v):.0f} deg" for name, v in pairs if math.isfinite(_last(v))]
