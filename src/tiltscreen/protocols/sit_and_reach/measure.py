"""From landmarks and outline features to the sit-and-reach time series (pure functions).

Geometry (side view): the subject sits with straight legs along the floor, facing the
box. "Forward" is the direction the subject faces (+1 image-right, −1 image-left). The
reach of a frame is the near-side fingertip's distance beyond the near-side toe tip,
measured along the floor: the fingertip→toe vector is rotated by the camera roll so the
floor is horizontal, and its forward component is taken. Positive past the toes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tiltscreen.kinematics import sagittal
from tiltscreen.kinematics.level import DEFAULT_SPREADS, Level, LevelSpreads, measure_level, widen_half_width
from tiltscreen.kinematics.vectors import image_to_up, rotate_2d
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.features import for_facing
from tiltscreen.pose.lines import FrameVerticals
from tiltscreen.pose.markers import MarkerDetection
from tiltscreen.protocols.common import Metric, Scale
from tiltscreen.protocols.sit_and_reach.series import ReachSeries

#: near-side landmarks a sit-and-reach frame needs
NEEDED = ("shoulder", "hip", "knee", "ankle", "wrist", "index", "foot_index")

#: lower limb (hip joint centre to ankle) as a fraction of stature: thigh 0.245 + leg 0.246,
#: Drillis R, Contini R (1966), Body segment parameters, Report 1166-03, NYU School of
#: Engineering, as tabulated in Winter DA, Biomechanics and Motor Control of Human
#: Movement, 4th ed. 2009, Fig. 4.1.
LOWER_LIMB_PER_STATURE = 0.491
#: relative error of that scale, 1 SD: on 16 rendered bodies MediaPipe's hip-knee-ankle length read
#: 0.91 (0.82-1.00) of 0.491 x stature (its hip point is not the anatomical hip joint); 9% covers it
LOWER_LIMB_REL_SD = 0.09

#: relative depth between the box's side face (marker) and the near hand's plane, as a
#: fraction of camera distance: ~10 cm at ~2 m; a stated assumption of the set-up instructions
MARKER_PLANE_REL_SD = 0.05


@dataclass(frozen=True)
class Roll:
    """Camera roll removed from every angle against the horizontal or vertical.

    Attributes
    ----------
    deg : float or None
        Degrees, :mod:`tiltscreen.kinematics.camera` convention (y-up, counter-clockwise
        positive); 0.0 when the level was assumed; None only when not even an assumption applies.
    method : str
        How it was found (:mod:`tiltscreen.kinematics.level` methods).
    uncertainty_deg : float or None
        Half-width of its 95% interval, degrees (the method's measured spread on renders).
    assumed : bool
        True when no reference was in view and the camera was assumed level.
    detail : str
        One plain sentence for the summary.
    pitch_deg, pitch_sd_deg : float
        The camera's pitch (looking down positive) and its 1-SD error, degrees
        (:class:`~tiltscreen.kinematics.level.Level`); None when unknown.

    """

    deg: float | None
    method: str
    uncertainty_deg: float | None
    assumed: bool = False
    detail: str = ""
    pitch_deg: float = 0.0
    pitch_sd_deg: float | None = None

    @property
    def sd_deg(self) -> float | None:
        """1-SD uncertainty, degrees (None when not measured)."""
        return None if self.uncertainty_deg is None else self.uncertainty_deg / 1.96

    @classmethod
    def from_level(cls, level: Level) -> Roll:
        """Return the roll of a :class:`~tiltscreen.kinematics.level.Level`."""
        return cls(
            level.roll_deg, level.method, level.half95_deg, level.assumed, level.detail, level.pitch_deg,
            level.pitch_sd_deg,
        )  # fmt: skip


#: angles measured against the true horizontal or vertical, whose intervals carry the level's uncertainty
ANGLES_VS_HORIZONTAL = ("trunk_inclination_deg", "lumbo_horizontal_deg")


def widen_for_level(
    metrics: dict[str, Metric],
    roll: Roll,
    *,
    names: Sequence[str] = ANGLES_VS_HORIZONTAL,
    included_sd_deg: float = 0.0,
) -> dict[str, Metric]:
    """Metrics with the 95% intervals of the angles against the horizontal widened by the level's uncertainty.

    Parameters
    ----------
    metrics : dict of str to Metric
        As reported (intervals from the angle's own measured error).
    roll : Roll
        The roll the angles were corrected with.
    names : sequence of str
        Which metrics are angles against the horizontal or vertical.
    included_sd_deg : float, default 0
        Level error (1 SD) already inside those intervals (they were measured with the roll from a
        marker); the widening adds only what exceeds it (:func:`kinematics.level.widen_half_width`).

    Returns
    -------
    dict of str to Metric
        A new dict; metrics without a value or an interval are returned unchanged. An assumed level
        also adds its sentence to the metric's caveat.

    """
    if roll.sd_deg is None:
        return dict(metrics)
    out = dict(metrics)
    for name in names:
        m = metrics.get(name)
        if m is None or m.value is None or m.ci95 is None:
            continue
        lo, hi = m.ci95
        centre, half = (lo + hi) / 2.0, (hi - lo) / 2.0
        half = widen_half_width(half, roll.sd_deg, included_sd_deg=included_sd_deg)
        caveat = " ".join(x for x in (m.reason, roll.detail if roll.assumed else None) if x) or None
        out[name] = dataclasses.replace(m, ci95=(centre - half, centre + half), reason=caveat)
    return out


def roll_estimate(
    markers: list[MarkerDetection],
    verticals: Sequence[FrameVerticals],
    image_size: tuple[int, int],
    *,
    spreads: LevelSpreads = DEFAULT_SPREADS,
) -> Roll:
    """Roll from the true verticals in view (the box marker's vertical edges, room lines), else assumed.

    The marker's vertical edges, not its horizontal ones: on the box's side face the horizontal
    edges recede in depth as soon as the camera is turned (yaw) and converge in the image, which
    biased the roll by +1.4 deg on average (up to +3.6 deg at 11 deg yaw) on the rendered clips.
    Floor contacts (heels, seat) are not used: a floor line receding in depth leans by the yaw
    times the camera's height over its distance, more than the error it would correct
    (:mod:`tiltscreen.kinematics.level`).
    """
    corners = [m.corners_px for m in markers]
    return Roll.from_level(measure_level(verticals, corners, image_size, spreads=spreads))


def marker_scale(markers: list[MarkerDetection], *, size_cm: float) -> Scale | None:
    """Pixels per centimetre from the printed marker's side (median over detections)."""
    if not markers:
        return None
    side = float(np.median([m.side_px for m in markers]))
    rel = float(np.hypot(1.0 / side, MARKER_PLANE_REL_SD))
    return Scale(
        "marker",
        side / size_cm,
        rel,
        f"ArUco marker, {size_cm:g} cm side, {side:.1f} px in the image "
        f"({len(markers)} detections); uncertainty includes a 5% allowance for the marker and the hand "
        "not lying in one plane",
    )


def height_scale(lm: Landmarks, side: str, *, stature_cm: float, rows: np.ndarray) -> Scale | None:
    """Pixels per centimetre from the near leg's length (hip→knee→ankle) and the subject's stature.

    ``rows`` selects frames where the legs are straight (e.g. the whole sit-and-reach).
    """
    hip, knee, ankle = (lm.point(f"{side}_{p}")[rows] for p in ("hip", "knee", "ankle"))
    length = np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1)
    length = length[np.isfinite(length)]
    if length.size < 5:
        return None
    px = float(np.median(length))
    return Scale(
        "height",
        px / (LOWER_LIMB_PER_STATURE * stature_cm),
        LOWER_LIMB_REL_SD,
        f"near leg {px:.1f} px = {LOWER_LIMB_PER_STATURE} x stature {stature_cm:g} cm "
        "(Drillis & Contini 1966 segment ratios, via Winter 2009)",
    )


def forward_component(vec_px: np.ndarray, *, facing: int, roll_deg: float) -> np.ndarray:
    """Forward (along-the-floor) component of image vectors, roll removed; pixels."""
    up = rotate_2d(image_to_up(vec_px), -roll_deg)
    return up[..., 0] * facing


def reach_px(tip_px: np.ndarray, toe_px: np.ndarray, *, facing: int, roll_deg: float) -> np.ndarray:
    """Fingertip beyond the toe tip along the floor, pixels (positive past the toes)."""
    return forward_component(tip_px - toe_px, facing=facing, roll_deg=roll_deg)


def visible_fraction(lm: Landmarks, side: str, *, min_visibility: float = 0.5) -> np.ndarray:
    """Per frame, the fraction of :data:`NEEDED` near-side landmarks seen with enough visibility."""
    idx = [lm.skeleton.index(f"{side}_{p}") for p in NEEDED]
    vis = np.nan_to_num(lm.visibility[:, idx], nan=0.0)
    return (vis >= min_visibility).mean(axis=1)


def in_frame(lm: Landmarks, side: str, *, margin: float = 0.01) -> np.ndarray:
    """Per frame, True when every needed near-side landmark lies inside the image (with a margin)."""
    idx = [lm.skeleton.index(f"{side}_{p}") for p in NEEDED]
    xy = lm.xyz[:, idx, :2]
    inside = (xy >= margin) & (xy <= 1 - margin)
    return np.all(inside, axis=(1, 2))


def build_series(
    lm: Landmarks,
    features: dict[str, np.ndarray],
    *,
    side: str,
    facing: int,
    roll_deg: float,
    px_per_cm: float | None,
) -> ReachSeries:
    """Return the per-frame series the trial analysis needs (reach in cm if a scale exists, else px)."""
    size = np.array(lm.image_size, float)
    other = "right" if side == "left" else "left"
    tip = for_facing(features, f"{side}_fingertip", facing) * size
    toe = lm.point(f"{side}_foot_index")
    toe_fixed = np.nanmedian(toe, axis=0)  # the feet rest against the box: one toe position per trial set
    reach = reach_px(tip, toe_fixed, facing=facing, roll_deg=roll_deg)
    hands = np.abs(
        forward_component(
            lm.point(f"{side}_index") - lm.point(f"{other}_index"), facing=facing, roll_deg=roll_deg
        )
    )
    scale = px_per_cm if px_per_cm else 1.0
    return ReachSeries(
        t_s=lm.timestamps_s,
        reach_cm=reach / scale,
        unit="cm" if px_per_cm else "px",
        knee_flexion_deg=sagittal.knee_flexion_deg(lm, side),
        hip_flexion_deg=sagittal.hip_flexion_deg(lm, side, facing),
        trunk_inclination_deg=sagittal.trunk_inclination_deg(lm, side, facing, roll_deg=roll_deg),
        hands_gap=hands / scale,
        visible_fraction=visible_fraction(lm, side),
        in_frame=in_frame(lm, side),
    )
