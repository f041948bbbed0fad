"""Which way the subject faces and which body side is nearer the camera.

``facing`` is +1 when the subject faces image-right and -1 when image-left. The
**near side** is the body side nearer the camera; in a true side view it follows
from the facing direction (:func:`expected_near_side`). The sign conventions of the
whole camera view are in :mod:`tiltscreen.kinematics.view`, which re-exports every
public name of this module.
"""

from __future__ import annotations

import math

import numpy as np

from tiltscreen.checks import (
    facing_problems,
    landmarks_problems,
    number_problems,
    raise_if_problems,
)
from tiltscreen.errors import ValidationError
from tiltscreen.landmarks import Landmarks

__all__ = [
    "FacingError",
    "ViewError",
    "expected_near_side",
    "facing_direction",
    "finite_median",
    "near_side",
    "torso_px",
]

_BILATERAL = ("shoulder", "hip", "knee", "ankle")


def torso_px(lm: Landmarks) -> np.ndarray:
    """Per-frame distance mid-shoulder to mid-hip in pixels.

    Parameters
    ----------
    lm : Landmarks
        Landmarks of one subject over a recording.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_frames,)``, pixels; NaN in frames where any of the four points is missing.

    """
    mid_sh = (lm.point("left_shoulder") + lm.point("right_shoulder")) / 2.0
    mid_hip = (lm.point("left_hip") + lm.point("right_hip")) / 2.0
    return np.hypot(*(mid_sh - mid_hip).T)


def finite_median(values: np.ndarray) -> float:
    """Median of the finite values, NaN if there are none (no warning).

    Parameters
    ----------
    values : array_like
        Any shape; NaN and infinite entries are skipped.

    Returns
    -------
    float
        The median of the finite entries, or NaN.

    """
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
    return finite_median(d[flat, 0] / torso[flat])


def _facing_cues(lm: Landmarks) -> dict[str, float]:
    """Median forward offsets in trunk lengths of every facing cue (NaN where not seen)."""
    x = lm.xy_px[..., 0]
    ix = lm.skeleton.index
    torso = torso_px(lm)
    with np.errstate(invalid="ignore", divide="ignore"):
        head = x[:, ix("nose")] - (x[:, ix("left_ear")] + x[:, ix("right_ear")]) / 2.0
        toes = x[:, ix("left_foot_index")] + x[:, ix("right_foot_index")]
        feet = (toes - x[:, ix("left_heel")] - x[:, ix("right_heel")]) / 2.0
        wrists = (x[:, ix("left_wrist")] + x[:, ix("right_wrist")]) / 2.0
        shoulders = (x[:, ix("left_shoulder")] + x[:, ix("right_shoulder")]) / 2.0
        return {
            "nose ahead of the ears": finite_median(head / torso),
            "toes ahead of the heels": finite_median(feet / torso),
            "feet ahead of the hips (legs along the floor)": _legs_cue(lm, torso),
            "hands ahead of the shoulders": finite_median((wrists - shoulders) / torso),
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
        dz = (lm.xyz[:, left, 2] - lm.xyz[:, right, 2]) * lm.image_size[0] / torso_px(lm)[:, None]
    dvis = lm.visibility[:, left] - lm.visibility[:, right]
    z_med, vis_med = finite_median(dz), finite_median(dvis)
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
