"""From landmarks and outline features to the sit-and-reach time series (pure functions).

Geometry (side view): the subject sits with straight legs along the floor, facing the
box. "Forward" is the direction the subject faces (+1 image-right, −1 image-left). The
reach itself is computed in :mod:`~tiltscreen.protocols.sit_and_reach.reach` (on the box's
plane when the marker is seen); :func:`reach_px` is its pixel form, the fingertip→toe vector
rotated by the camera roll so the floor is horizontal, forward component, positive past the toes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tiltscreen.kinematics import sagittal
from tiltscreen.kinematics.vectors import image_to_up, rotate_2d
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.markers import MarkerDetection
from tiltscreen.protocols.common import Scale
from tiltscreen.protocols.sit_and_reach.edges import out_of_frame
from tiltscreen.protocols.sit_and_reach.series import ReachSeries

if TYPE_CHECKING:
    from tiltscreen.protocols.sit_and_reach.reach import Fingertips, ReachGeometry

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


def in_frame(raw: Landmarks, side: str, contacts: np.ndarray | None) -> np.ndarray:
    """Per frame, True unless a needed near-side body part has left the image.

    ``raw`` are the unfiltered landmarks (positions of hidden parts included); ``contacts`` the
    mask's border contacts per frame (:func:`~tiltscreen.protocols.sit_and_reach.edges.border_contacts`),
    None if not recorded. See :func:`~tiltscreen.protocols.sit_and_reach.edges.out_of_frame`: an
    occluded landmark that MediaPipe places outside the image does not count, a part cut by the border
    (the mask reaching it there) or a visible landmark outside does.
    """
    idx = [raw.skeleton.index(f"{side}_{p}") for p in NEEDED]
    if contacts is not None and len(contacts) != raw.n_frames:
        contacts = None
    return ~out_of_frame(raw.xyz[:, idx, :2], raw.visibility[:, idx], contacts)


def hand_position(
    pose_px: np.ndarray, knuckle_px: np.ndarray | None, *, facing: int, roll_deg: float
) -> np.ndarray:
    """Return the hand's forward position per frame (pixels, any zero) for the hold's "hand still" check.

    The hand model's knuckle where it has one; on other frames the pose's index knuckle shifted by
    their median offset over the frames both have (so the join makes no step), or NaN if they share
    fewer than 5 frames. Without ``knuckle_px``, the pose's knuckle alone.
    """
    pose = forward_component(pose_px, facing=facing, roll_deg=roll_deg)
    if knuckle_px is None:
        return pose
    model = forward_component(knuckle_px, facing=facing, roll_deg=roll_deg)
    both = np.isfinite(model) & np.isfinite(pose)
    shift = float(np.median(model[both] - pose[both])) if both.sum() >= 5 else math.nan
    return np.where(np.isfinite(model), model, pose + shift)


def build_series(
    lm: Landmarks,
    geometry: ReachGeometry,
    tips: Fingertips,
    *,
    side: str,
    facing: int,
    roll_deg: float,
    px_per_cm: float | None,
    raw: Landmarks | None = None,
    contacts: np.ndarray | None = None,
    hands_gap_error_cm: float = math.nan,
    knuckle_px: np.ndarray | None = None,
) -> ReachSeries:
    """Assemble the per-frame series the trial analysis needs.

    The reach and its SD come from ``geometry`` (cm, or px without a scale); the hands gap is the
    index landmarks' distance along the floor, scaled by ``px_per_cm`` into the reach's unit, with its
    95% error ``hands_gap_error_cm`` (measured for MediaPipe's far hand; NaN = unknown). The hand's
    position for the hold's stillness check is the hand model's index knuckle ``knuckle_px`` (pixels,
    NaN where not found) when given, else MediaPipe's pose index knuckle (:func:`hand_position`).
    """
    other = "right" if side == "left" else "left"
    hands = np.abs(
        forward_component(
            lm.point(f"{side}_index") - lm.point(f"{other}_index"), facing=facing, roll_deg=roll_deg
        )
    )
    to_unit = 1.0 / px_per_cm if (px_per_cm and geometry.unit == "cm") else 1.0
    hand = hand_position(lm.point(f"{side}_index"), knuckle_px, facing=facing, roll_deg=roll_deg) * to_unit
    gap_error = hands_gap_error_cm if geometry.unit == "cm" else hands_gap_error_cm * (px_per_cm or math.nan)
    return ReachSeries(
        t_s=lm.timestamps_s,
        reach_cm=geometry.reach,
        unit=geometry.unit,
        knee_flexion_deg=sagittal.knee_flexion_deg(lm, side),
        hip_flexion_deg=sagittal.hip_flexion_deg(lm, side, facing),
        trunk_inclination_deg=sagittal.trunk_inclination_deg(lm, side, facing, roll_deg=roll_deg),
        hands_gap=hands * to_unit,
        visible_fraction=visible_fraction(lm, side),
        in_frame=in_frame(raw if raw is not None else lm, side, contacts),
        hands_gap_error=float(gap_error),
        reach_sd=geometry.sd,
        tip_source=tips.source,
        tip_labels=tips.labels,
        hand=hand,
    )
