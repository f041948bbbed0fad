"""Standing side view: scale, level and posture descriptors over a quiet window (pure functions).

Descriptors are medians over the quiet-standing window (at least 1 s, see
:func:`tiltscreen.kinematics.summary.quiet_window`), so single-frame jitter (2–4 px,
i.e. 1–3° on a 100–200 px segment) averages out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tiltscreen.kinematics import sagittal
from tiltscreen.kinematics.level import DEFAULT_SPREADS, LevelSpreads, measure_level
from tiltscreen.kinematics.summary import QuietWindow
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.lines import FrameVerticals
from tiltscreen.pose.markers import MarkerDetection
from tiltscreen.protocols.common import Scale
from tiltscreen.protocols.level import Roll

#: outline height (top of the head to the floor under the heel) vs stature: a standing subject's
#: outline is their stature; hair and posture make it differ by about 1-2% (stated assumption)
OUTLINE_STATURE_REL_SD = 0.02


def window_rows(window: QuietWindow) -> slice:
    """Rows of the quiet window."""
    return slice(window.start_index, window.stop_index)


def standing_roll(
    markers: list[MarkerDetection],
    verticals: Sequence[FrameVerticals],
    image_size: tuple[int, int],
    *,
    spreads: LevelSpreads = DEFAULT_SPREADS,
) -> Roll:
    """Roll from the true verticals in view (plumb line, a marker on the wall, door frames), else assumed.

    The near foot's heel-toe line is not used: it is a floor line receding in depth, so under any
    yaw it leans by about (camera height / distance) x tan(yaw) on top of the roll (up to 6.5 deg
    off on unseen renders); see :mod:`tiltscreen.kinematics.level`.
    """
    corners = [m.corners_px for m in markers]
    return Roll.from_level(measure_level(verticals, corners, image_size, spreads=spreads))


def outline_scale(head_top_px: np.ndarray, heel_px: np.ndarray, *, stature_cm: float) -> Scale | None:
    """Pixels per centimetre from the standing outline's height and the subject's stature.

    ``head_top_px`` and ``heel_px`` are ``(frame, 2)`` over the quiet window; the height is the
    median vertical distance between the top of the head and the floor under the heel.
    """
    height = heel_px[:, 1] - head_top_px[:, 1]
    height = height[np.isfinite(height) & (height > 0)]
    if height.size < 5:
        return None
    px = float(np.median(height))
    return Scale(
        "height",
        px / stature_cm,
        OUTLINE_STATURE_REL_SD,
        f"standing outline {px:.1f} px tall = stature {stature_cm:g} cm (head top to floor under the heel)",
    )


@dataclass(frozen=True)
class Descriptors:
    """Per-frame posture descriptors (degrees; plumb offsets in pixels, forward positive)."""

    trunk_inclination_deg: np.ndarray
    hip_extension_deg: np.ndarray
    knee_hyperextension_deg: np.ndarray
    plumb_px: dict[str, np.ndarray]


def descriptors(lm: Landmarks, *, side: str, facing: int, roll_deg: float) -> Descriptors:
    """Trunk inclination, hip extension, knee hyperextension and plumb-line offsets, per frame."""
    return Descriptors(
        trunk_inclination_deg=sagittal.trunk_inclination_deg(lm, side, facing, roll_deg=roll_deg),
        hip_extension_deg=sagittal.hip_extension_deg(lm, side, facing),
        knee_hyperextension_deg=sagittal.knee_hyperextension_deg(lm, side, facing),
        plumb_px=sagittal.plumb_offsets_px(lm, side, facing, roll_deg=roll_deg),
    )


def median_iqr(values: np.ndarray, rows: slice) -> tuple[float, float, int]:
    """Median, inter-quartile range and count of the finite values in ``rows``."""
    v = values[rows]
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return float(med), float(q3 - q1), int(v.size)
