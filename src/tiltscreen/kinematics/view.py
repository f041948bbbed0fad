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

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.checks import (
    facing_problems,
    landmarks_problems,
    number_problems,
    raise_if_problems,
    side_problems,
)
from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.camera import ViewCheck, check_view, estimate_roll_deg, roll_from_marker
from tiltscreen.landmarks import Landmarks

#: Biacromial (shoulder) breadth and hip breadth over trunk length (shoulder to
#: hip height, 0.818 H - 0.530 H = 0.288 H) from the segment-length proportions of
#: stature H of Drillis R, Contini R 1966, "Body Segment Parameters" (New York
#: University Technical Report 1166.03), as reproduced in Winter DA 2009,
#: "Biomechanics and Motor Control of Human Movement" (4th ed., Wiley), Fig. 4.1:
#: shoulder breadth 0.259 H, hip breadth 0.191 H.
SHOULDER_WIDTH_TO_TORSO = 0.259 / 0.288
HIP_WIDTH_TO_TORSO = 0.191 / 0.288
#: Assumed relative uncertainty of those ratios for one person and for MediaPipe's
#: landmark definitions (shoulder and hip landmarks are not the acromion or the
#: hip-joint centre); a coarse allowance, not a measured figure.
RATIO_REL_UNCERTAINTY = 0.2

_BILATERAL = ("shoulder", "hip", "knee", "ankle")


def _torso_px(lm: Landmarks) -> np.ndarray:
    """Per-frame distance mid-shoulder to mid-hip in pixels (NaN if any point is missing)."""
    mid_sh = (lm.point("left_shoulder") + lm.point("right_shoulder")) / 2.0
    mid_hip = (lm.point("left_hip") + lm.point("right_hip")) / 2.0
    return np.hypot(*(mid_sh - mid_hip).T)


def _nanmedian(values: np.ndarray) -> float:
    """Median of the finite values, NaN if there are none (no warning)."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(np.median(finite)) if finite.size else math.nan


class ViewError(ValidationError):
    """The recording does not show the subject from the side clearly enough; ``str(err)`` is plain.

    Attributes
    ----------
    cues : dict of str to float
        The numbers behind the decision (NaN when not seen), for diagnostics only; never part
        of the message.

    """

    def __init__(self, message: str, *, cues: dict[str, float]) -> None:
        super().__init__(message)
        self.cues = dict(cues)


class FacingError(ViewError):
    """Which way the subject faces could not be told."""


def _legs_cue(lm: Landmarks, torso: np.ndarray, *, min_frames: float = 0.3) -> float:
    """Median hip->ankle offset (trunk lengths) over frames whose legs lie nearer horizontal than vertical.

    NaN when fewer than ``min_frames`` of the frames with legs have them that way (standing).
    """
    hip = (lm.point("left_hip") + lm.point("right_hip")) / 2.0
    ankle = (lm.point("left_ankle") + lm.point("right_ankle")) / 2.0
    d = ankle - hip
    seen = np.isfinite(d).all(axis=1) & np.isfinite(torso)
    flat = seen & (np.abs(d[:, 0]) > np.abs(d[:, 1]))
    if not seen.any() or flat.sum() < min_frames * seen.sum():
        return math.nan
    return _nanmedian(d[flat, 0] / torso[flat])


def _facing_cues(lm: Landmarks) -> dict[str, float]:
    """Median forward offsets in trunk lengths of every facing cue (NaN where not seen)."""
    x = lm.xy_px[..., 0]
    ix = lm.skeleton.index
    torso = _torso_px(lm)
    with np.errstate(invalid="ignore", divide="ignore"):
        head = x[:, ix("nose")] - (x[:, ix("left_ear")] + x[:, ix("right_ear")]) / 2.0
        toes = x[:, ix("left_foot_index")] + x[:, ix("right_foot_index")]
        feet = (toes - x[:, ix("left_heel")] - x[:, ix("right_heel")]) / 2.0
        wrists = (x[:, ix("left_wrist")] + x[:, ix("right_wrist")]) / 2.0
        shoulders = (x[:, ix("left_shoulder")] + x[:, ix("right_shoulder")]) / 2.0
        return {
            "nose ahead of the ears": _nanmedian(head / torso),
            "toes ahead of the heels": _nanmedian(feet / torso),
            "feet ahead of the hips (legs along the floor)": _legs_cue(lm, torso),
            "hands ahead of the shoulders": _nanmedian((wrists - shoulders) / torso),
        }


#: smallest median offset, trunk lengths, for each cue to count (the legs and hands cues need more:
#: legs along the floor put the ankles 1.5-1.8 trunk lengths ahead; folded or reaching arms put the
#: wrists 0.2-2 ahead, hanging arms within about 0.1)
_CUE_SCALE = {
    "nose ahead of the ears": 1.0,
    "toes ahead of the heels": 1.0,
    "feet ahead of the hips (legs along the floor)": 6.0,
    "hands ahead of the shoulders": 4.0,
}


def facing_direction(lm: Landmarks, *, min_offset: float = 0.05) -> int:
    """Which way the subject faces over the recording: +1 image-right, -1 image-left.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject over a recording.
    min_offset : float, default 0.05
        Smallest median offset, in trunk lengths (mid-shoulder to mid-hip), for the head and
        feet cues to count as decisive; the legs cue needs 6 times and the hands cue 4 times
        as much.

    Returns
    -------
    int
        +1 if the subject faces image-right, -1 if image-left.

    Raises
    ------
    FacingError
        (a :class:`~tiltscreen.errors.ValidationError`) with a plain sentence, if no cue is
        decisive (a frontal view; head, hands and feet missing; nobody seen) or the decisive
        cues are split evenly.

    Notes
    -----
    Cues, each the median over frames of a horizontal offset in trunk lengths (frames where
    its points or the trunk are missing are skipped): the nose ahead of the mean of the ears;
    the toes (``foot_index``) ahead of the heels; the ankles ahead of the hips, over the frames
    where the legs lie nearer horizontal than vertical (seated with legs along the floor, as
    in a sit-and-reach: decisive even when a flat forward fold hides the face and points the
    toes up); and the wrists ahead of the shoulders. The head, feet and legs cues vote; the
    majority wins. The hands cue (arms can hang behind) is used only when none of the others
    is decisive.

    """
    problems = landmarks_problems(lm) + number_problems("min_offset", min_offset, low=0.0, strict_low=True)
    raise_if_problems("facing_direction", problems)
    cues = _facing_cues(lm)
    votes = {
        name: int(np.sign(v)) for name, v in cues.items() if abs(v) >= min_offset * _CUE_SCALE[name]
    }  # NaN never passes
    hands = votes.pop("hands ahead of the shoulders", None)
    total = sum(votes.values())
    if total:
        return 1 if total > 0 else -1
    if votes:
        raise FacingError(
            "tiltscreen cannot tell which way the subject faces: the head and the feet point opposite ways. "
            "Record a side view with the whole body in the picture.",
            cues=cues,
        )
    if hands is not None:
        return hands
    raise FacingError(
        "tiltscreen cannot tell which way the subject faces: the head, hands and feet were not seen clearly "
        "from the side. Record a side view with the whole body in the picture.",
        cues=cues,
    )


def expected_near_side(facing: int) -> str:
    """Landmark side that geometry puts nearer the camera for a subject facing ``facing``.

    Returns
    -------
    str
        ``"right"`` for ``facing == +1``, ``"left"`` for ``facing == -1``.

    Notes
    -----
    Someone facing east, seen by a camera to their south, appears facing
    image-right - and their right side is the one towards the camera. So facing
    image-right shows the RIGHT side, facing image-left the LEFT side. A camera
    on the subject's left while they appear to face image-right is only possible
    in a mirrored image (a front camera's selfie preview): the pose model then
    labels the mirrored body, so its labels still follow this rule but are
    swapped relative to the real person. A recording whose depth cues contradict
    this rule therefore has swapped left/right labels or a failed pose.

    """
    raise_if_problems("expected_near_side", facing_problems(facing))
    return "right" if facing == 1 else "left"


def near_side(
    lm: Landmarks, *, facing: int | None = None, min_depth: float = 0.1, min_visibility_gap: float = 0.1
) -> str:
    """Which side's landmarks are nearer the camera over the recording.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject over a recording.
    facing : {+1, -1} or None, default None
        If given, used only when the landmark cues are not decisive
        (:func:`expected_near_side`).
    min_depth : float, default 0.1
        Smallest median left-minus-right depth difference, in trunk lengths, for
        the depth cue to be decisive.
    min_visibility_gap : float, default 0.1
        Smallest median left-minus-right visibility difference (0-1) for the
        visibility cue to be decisive.

    Returns
    -------
    str
        ``"left"`` or ``"right"``.

    Raises
    ------
    ViewError
        (a :class:`~tiltscreen.errors.ValidationError`) with a plain sentence, if the two cues
        are decisive and disagree, or neither is decisive and ``facing`` is None.

    Notes
    -----
    Cues, each a median over frames and over shoulders, hips, knees and ankles
    (NaN skipped): MediaPipe's relative depth ``z`` (smaller = nearer; converted
    to pixels with the image width, then to trunk lengths) and visibility (the far
    side is occluded, so less visible). The answer is what the labels say is
    near, which is what angle computations need even if the pose model swapped
    left and right; compare it with :func:`expected_near_side` to flag a swap.

    """
    problems = landmarks_problems(lm) + ([] if facing is None else facing_problems(facing))
    problems += number_problems("min_depth", min_depth, low=0.0)
    problems += number_problems("min_visibility_gap", min_visibility_gap, low=0.0, high=1.0)
    raise_if_problems("near_side", problems)
    ix = lm.skeleton.index
    left = [ix(f"left_{p}") for p in _BILATERAL]
    right = [ix(f"right_{p}") for p in _BILATERAL]
    with np.errstate(invalid="ignore", divide="ignore"):
        dz = (lm.xyz[:, left, 2] - lm.xyz[:, right, 2]) * lm.image_size[0] / _torso_px(lm)[:, None]
    dvis = lm.visibility[:, left] - lm.visibility[:, right]
    z_med, vis_med = _nanmedian(dz), _nanmedian(dvis)
    votes = set()
    if abs(z_med) >= min_depth:
        votes.add("left" if z_med < 0 else "right")
    if abs(vis_med) >= min_visibility_gap:
        votes.add("left" if vis_med > 0 else "right")
    if len(votes) == 1:
        return votes.pop()
    if len(votes) == 2:
        raise ViewError(
            "tiltscreen cannot tell which side of the subject faces the camera: the pose model's depth says "
            f"the {'left' if z_med < 0 else 'right'} side is nearer but visibility says the other side. "
            "Record a side view with the whole body in the picture.",
            cues={"left-right depth, trunk lengths": z_med, "left-right visibility": vis_med},
        )
    if facing is not None:
        return expected_near_side(facing)
    raise ViewError(
        "tiltscreen cannot tell which side of the subject faces the camera: neither depth nor visibility "
        "shows which side is nearer. Record a side view, or give the side (--side left or right).",
        cues={"left-right depth, trunk lengths": z_med, "left-right visibility": vis_med},
    )


@dataclass(frozen=True)
class YawEstimate:
    """Camera yaw estimates (degrees; sign convention in the module notes).

    Attributes
    ----------
    yaw_deg : float
        The estimate to use: the image-based one (NaN if it cannot be made).
    uncertainty_deg : float
        Coarse half-width of a plausible range around ``yaw_deg``.
    image_yaw_deg : float
        From image separations of the shoulders and hips and body proportions.
    world_yaw_deg : float
        From MediaPipe world landmarks; NaN when ``world`` is not available.
    n_frames : int
        Frames that gave an image-based value.

    """

    yaw_deg: float
    uncertainty_deg: float
    image_yaw_deg: float
    world_yaw_deg: float
    n_frames: int


def _image_yaw_per_frame(lm: Landmarks, near: str, far: str, facing: int) -> np.ndarray:
    """Per-frame image-based yaw in degrees (NaN where landmarks are missing)."""
    torso = _torso_px(lm)
    sines = []
    for part, ratio in (("shoulder", SHOULDER_WIDTH_TO_TORSO), ("hip", HIP_WIDTH_TO_TORSO)):
        dx = lm.point(f"{far}_{part}")[:, 0] - lm.point(f"{near}_{part}")[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            sines.append(facing * dx / (ratio * torso))
    stacked = np.stack(sines)
    finite = np.isfinite(stacked)
    counts = finite.sum(axis=0)
    mean_sine = np.where(finite, stacked, 0.0).sum(axis=0) / np.where(counts > 0, counts, 1)
    mean_sine = np.where(counts > 0, mean_sine, np.nan)
    return np.rad2deg(np.arcsin(np.clip(mean_sine, -1.0, 1.0)))


def _world_yaw(lm: Landmarks, near: str, far: str, facing: int) -> float:
    """Median world-landmark yaw in degrees, NaN if no world landmarks."""
    angles = []
    for part in ("shoulder", "hip"):
        d = lm.point(f"{far}_{part}", space="world") - lm.point(f"{near}_{part}", space="world")
        with np.errstate(invalid="ignore"):
            angles.append(np.rad2deg(np.arctan2(facing * d[:, 0], d[:, 2])))
    return _nanmedian(np.concatenate(angles))


def estimate_yaw_deg(
    lm: Landmarks,
    side: str,
    *,
    facing: int | None = None,
    ratio_rel_uncertainty: float = RATIO_REL_UNCERTAINTY,
) -> YawEstimate:
    """Estimate how far the camera is from perpendicular to the sagittal plane.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject over a recording.
    side : {"left", "right"}
        The near side (:func:`near_side`).
    facing : {+1, -1} or None, default None
        Computed with :func:`facing_direction` when None.
    ratio_rel_uncertainty : float, default 0.2
        Relative uncertainty of the body-proportion ratios.

    Returns
    -------
    YawEstimate
        ``yaw_deg`` in [-90, 90] with ``uncertainty_deg``; NaN if no frame has
        both shoulders (or both hips) and the trunk.

    Notes
    -----
    Image-based (used): under orthographic projection a left-right breadth
    ``W`` seen at yaw ``psi`` spans ``W sin(psi)`` horizontally while the
    trunk (vertical, in the sagittal plane) keeps its length ``T``. So per frame
    ``sin(psi) = facing * (x_far - x_near) / (r * T_px)`` with ``r`` = breadth /
    trunk length (:data:`SHOULDER_WIDTH_TO_TORSO`, :data:`HIP_WIDTH_TO_TORSO`),
    shoulders and hips averaged; the median over frames is reported. This is a
    **coarse** estimate: a person whose ratio differs by a fraction ``e`` gives
    an error of about ``tan(psi) * e`` rad (20 % -> 0.5 degree at 10 degrees,
    2 degrees at 30 degrees); the far shoulder and hip are partly hidden and
    guessed by the model; trunk rotation, shrugged or rounded shoulders and a
    subject off the image centre (perspective parallax) also move it. The
    uncertainty is the root sum of squares of the ratio term and the robust
    frame-to-frame spread (IQR / 1.349).

    World-based (reported, compared): the angle of the near->far shoulder and
    hip vectors of MediaPipe's world landmarks (camera-aligned axes) from the
    optical axis, ``atan2(facing * dx, dz)``. It needs no body proportions but
    rests on the model's depth estimate, the least accurate coordinate, so it
    is a cross-check: when both exist, ``uncertainty_deg`` is widened to at
    least their difference.

    """
    problems = landmarks_problems(lm) + side_problems(side)
    problems += [] if facing is None else facing_problems(facing)
    problems += number_problems("ratio_rel_uncertainty", ratio_rel_uncertainty, low=0.0, high=1.0)
    raise_if_problems("estimate_yaw_deg", problems)
    if facing is None:
        facing = facing_direction(lm)
    far = "left" if side == "right" else "right"
    per_frame = _image_yaw_per_frame(lm, side, far, facing)
    finite = per_frame[np.isfinite(per_frame)]
    world = _world_yaw(lm, side, far, facing)
    if finite.size == 0:
        return YawEstimate(math.nan, math.nan, math.nan, world, 0)
    yaw = float(np.median(finite))
    spread = float(np.subtract(*np.percentile(finite, [75, 25]))) / 1.349
    ratio_term = math.degrees(min(abs(math.tan(math.radians(yaw))), 1e6) * ratio_rel_uncertainty)
    unc = min(math.hypot(ratio_term, spread), 90.0)
    if math.isfinite(world):
        unc = max(unc, abs(world - yaw))
    return YawEstimate(yaw, unc, yaw, world, int(finite.size))


#: Largest accepted apparent separation of the two feet along the image x axis,
#: in trunk lengths (:func:`foot_separation`). Chosen on renders with known yaw
#: (tiltscreen.synth, MediaPipe full model, median over each clip): views with
#: |yaw| <= 10 degrees gave at most 0.14 (standing yaw series bodies 2, 5, 8:
#: 0.02-0.14; 19 sit-and-reach clips sr01-sr16: 0.00-0.16), views with
#: |yaw| >= 20 degrees at least 0.26 (standing 20-30 degrees: 0.26-0.46;
#: sit-and-reach sr18, 28 degrees seen from the back: 0.33). 0.20 sits midway.
#: The sit-and-reach clips seen from the front at 22-25 degrees (sr17, sr19)
#: read only 0.03-0.05 but are caught by :func:`estimate_yaw_deg`. The analyses no longer use this check:
#: their yaw estimate (:mod:`tiltscreen.kinematics.yaw`) reads the feet's spacing itself, with a measured
#: error, and the fixed 0.20 refused a sit-and-reach at 5 degrees on the development renders.
MAX_FOOT_SEPARATION = 0.20

_FOOT_POINTS = ("ankle", "heel", "foot_index")


def foot_separation(lm: Landmarks, side: str, *, facing: int) -> float:
    """Apparent left-right separation of the feet, in trunk lengths (an obliquity cue).

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject over a recording.
    side : {"left", "right"}
        The near side.
    facing : {+1, -1}
        Which way the subject faces in the image.

    Returns
    -------
    float
        ``|mean over ankle, heel, toes of median over frames of
        facing * (x_far - x_near) / T|`` with ``T`` the trunk length in pixels;
        NaN if no frame has a foot pair and the trunk.

    Notes
    -----
    The feet stand (or, sitting, point) side by side about a hip width ``S``
    apart. Seen square from the side they overlap along the image x axis; at
    yaw ``psi`` they are ``S sin(psi)`` apart (orthographic), whichever way the
    camera is turned, so this cue still works when the camera looks at the
    subject's back, where the shoulder and hip cue of :func:`estimate_yaw_deg`
    reads near zero (the pose model places the hidden far shoulder and hip
    behind the near ones). Feet are far apart and often both visible, so the
    pose model places the far foot better. With ``S`` about 0.5-0.7 trunk
    lengths, 0.20 corresponds to roughly 15-25 degrees; the threshold
    :data:`MAX_FOOT_SEPARATION` is empirical (see there).

    """
    problems = landmarks_problems(lm) + side_problems(side) + facing_problems(facing)
    raise_if_problems("foot_separation", problems)
    far = "left" if side == "right" else "right"
    torso = _torso_px(lm)
    medians = []
    for part in _FOOT_POINTS:
        with np.errstate(invalid="ignore", divide="ignore"):
            dx = facing * (lm.point(f"{far}_{part}")[:, 0] - lm.point(f"{side}_{part}")[:, 0]) / torso
        medians.append(_nanmedian(dx))
    finite = [m for m in medians if math.isfinite(m)]
    return abs(float(np.mean(finite))) if finite else math.nan


def oblique_view_reason(
    lm: Landmarks, side: str, *, facing: int, max_separation: float = MAX_FOOT_SEPARATION
) -> str | None:
    """Return a refusal reason when the feet appear too far apart for a side view, else None."""
    sep = foot_separation(lm, side, facing=facing)
    if not math.isfinite(sep) or sep <= max_separation:
        return None
    return (
        f"The camera looks obliquely at the subject: the feet appear {sep:.2f} trunk lengths apart "
        f"(side views: at most {max_separation:.2f}); place the camera square to the subject's side."
    )


# Roll and the combined check live in camera.py; re-exported here for callers of this module.
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
