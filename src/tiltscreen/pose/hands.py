"""Fingertips from MediaPipe's HandLandmarker, run on a crop around each wrist of the pose.

:func:`detect_hands` cuts a square window around each wrist (placed and turned from the pose
landmarks, :mod:`tiltscreen.pose.hand_geometry`), runs the hand model on it (:class:`HandModel`,
the only place the model is called) and maps the 21 hand landmarks back to image pixels.
:func:`assign_sides` gives each hand to an arm; :func:`find_hand_tips` does both.
:class:`~tiltscreen.pose.hand_recorder.HandTipRecorder` does it for every frame of an extraction.

Which hand is which: in a side view the two hands overlap and the pose's own hand points
cannot tell them apart at the scale of a finger, and MediaPipe's handedness label is no help
either (measured on sit-and-reach renders: it named the near hand's side in 0 % to 100 % of a
clip's frames). So a hand goes to the arm whose wrist and knuckles it matches, except that a
lone hand that matches both arms goes to the side nearer the camera when that is known
(``near``): the near hand hides the far one, not the reverse; of two such hands, the near one
projects further from the horizon (:func:`assign_sides`). The label and its score are reported
as MediaPipe gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.pose.hand_geometry import (
    INDEX_TIP,
    MIDDLE_TIP,
    HandCrop,
    assign_hands,
    crop_to_image,
    forward_most,
    hand_crop,
    hand_mismatch,
    merge_crops,
    warp_matrix,
)
from tiltscreen.pose.hand_model import HandModel, HandOptions, RawHand
from tiltscreen.skeleton import BLAZEPOSE

__all__ = [
    "SIDES",
    "DetectedHand",
    "HandModel",
    "HandOptions",
    "HandTips",
    "RawHand",
    "assign_sides",
    "detect_hands",
    "find_hand_tips",
    "plan_crops",
]

SIDES = ("left", "right")
_ARM = {s: tuple(BLAZEPOSE.index(f"{s}_{p}") for p in ("wrist", "index", "pinky", "elbow")) for s in SIDES}
NAN2 = np.array([np.nan, np.nan])


@dataclass(frozen=True)
class HandTips:
    """The fingertips of one arm's hand in one image (image pixels, corner origin, y down).

    Attributes
    ----------
    side : {"left", "right"}
        The body side of the arm (from the pose).
    reason : str
        Empty when found; else why not, in a few words.
    landmarks_px : ndarray, shape (21, 2)
        The 21 hand landmarks (NaN when not found).
    index_tip_px, middle_tip_px : ndarray, shape (2,)
        Landmarks 8 and 12.
    forward_tip_px : ndarray, shape (2,)
        The finger tip (8, 12, 16 or 20) furthest along the requested direction; NaN when no
        direction was given or the hand was not found.
    forward_tip : int
        Its landmark index, −1 when none.
    handedness : str
        MediaPipe's label, "Left" or "Right" ("" when not found); unreliable in side views.
    handedness_score : float
        MediaPipe's score for that label (0.5–1; NaN when not found). The Tasks API exposes
        neither the palm-detection nor the hand-presence score: a hand is reported only when
        both passed their thresholds (:class:`HandOptions`).
    mismatch : float
        Distance between the hand's wrist/knuckles and this arm's pose points, in palm lengths.

    """

    side: str
    reason: str = ""
    landmarks_px: np.ndarray = field(default_factory=lambda: np.full((21, 2), np.nan))
    forward_tip: int = -1
    forward_tip_px: np.ndarray = field(default_factory=lambda: NAN2.copy())
    handedness: str = ""
    handedness_score: float = float("nan")
    mismatch: float = float("nan")

    @property
    def found(self) -> bool:
        """True when a hand was given to this arm (no reason, landmarks finite)."""
        return not self.reason and bool(np.all(np.isfinite(self.landmarks_px)))

    @property
    def index_tip_px(self) -> np.ndarray:
        """Index finger tip (landmark 8), image pixels."""
        return self.landmarks_px[INDEX_TIP]

    @property
    def middle_tip_px(self) -> np.ndarray:
        """Middle finger tip (landmark 12), image pixels."""
        return self.landmarks_px[MIDDLE_TIP]


def plan_crops(pose_px: np.ndarray, options: HandOptions) -> list[tuple[HandCrop, tuple[str, ...]]]:
    """Return the crops to run the model on, each with the sides it serves (one shared crop when close).

    Parameters
    ----------
    pose_px : ndarray, shape (33, 2)
        Pose landmarks in image pixels (NaN where unknown).
    options : HandOptions
        Crop size, margin and when to share one crop.

    """
    if pose_px.shape != (33, 2):
        raise ValidationError(f"pose_px must have shape (33, 2), got {pose_px.shape}.")
    crops = {}
    for side, (w, i, p, e) in _ARM.items():
        crop = hand_crop(
            pose_px[w], pose_px[i], pose_px[p], pose_px[e], size_px=options.crop_px, margin=options.margin
        )
        if crop is not None:
            crops[side] = crop
    if len(crops) == 2:
        a, b = crops["left"], crops["right"]
        gap = float(np.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1]))
        if gap < options.merge_within * max(a.side_px, b.side_px):
            return [(merge_crops(a, b), SIDES)]
    return [(crop, (side,)) for side, crop in crops.items()]


def cut(rgb: np.ndarray, crop: HandCrop) -> np.ndarray:
    """Resample the crop from the image (bilinear; outside the image: the nearest edge pixel)."""
    import cv2

    return cv2.warpAffine(
        rgb,
        warp_matrix(crop),
        (crop.size_px, crop.size_px),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


@dataclass(frozen=True)
class DetectedHand:
    """One hand found in a frame, before it is given to an arm.

    Attributes
    ----------
    landmarks_px : ndarray, shape (21, 2)
        Image pixels.
    label : str
        MediaPipe's handedness label.
    score : float
        Its score.
    mismatch : ndarray, shape (2,)
        :func:`~tiltscreen.pose.hand_geometry.hand_mismatch` with the left and the right arm
        (palm lengths; NaN when that arm's pose points are missing).

    """

    landmarks_px: np.ndarray
    label: str
    score: float
    mismatch: np.ndarray


def detect_hands(
    rgb: np.ndarray, pose_px: np.ndarray, model: HandModel, options: HandOptions
) -> list[DetectedHand]:
    """Run the hand model on the crops of :func:`plan_crops`; return the distinct hands found.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The frame.
    pose_px : ndarray, shape (33, 2)
        The subject's pose landmarks in pixels of ``rgb`` (NaN where unknown).
    model : HandModel
        The loaded hand model.
    options : HandOptions
        Detector options.

    Returns
    -------
    list of DetectedHand
        A hand found in two crops is kept once (the first time).

    """
    found: list[tuple[np.ndarray, RawHand]] = []
    for crop, _sides in plan_crops(pose_px, options):
        for raw in model.detect(cut(rgb, crop)):
            found.append((crop_to_image(raw.landmarks, crop), raw))
    return [
        DetectedHand(
            landmarks_px=px,
            label=raw.label,
            score=raw.score,
            mismatch=np.array([hand_mismatch(px, *(pose_px[k] for k in _ARM[s][:3])) for s in SIDES]),
        )
        for px, raw in _deduplicate(found)
    ]


def assign_sides(
    hands: list[DetectedHand],
    *,
    max_mismatch: float,
    near: str | None = None,
    horizon_y: float | None = None,
    forward: np.ndarray | None = None,
) -> dict[str, HandTips]:
    """Give each arm at most one of the hands found (pure).

    Parameters
    ----------
    hands : list of DetectedHand
        The hands found in the frame (:func:`detect_hands`).
    max_mismatch : float
        Largest mismatch (palm lengths) for a hand to be given to an arm.
    near : {"left", "right"} or None
        The side nearer the camera, if known. Hands that match both arms (within
        ``max_mismatch``) are then told apart by depth instead of by the pose: a lone one (no
        other hand within ``max_mismatch`` of an arm) is the near hand (it hides the far
        one), and of two, the near hand is the one further
        from ``horizon_y`` (when their distances to it differ by at least a tenth of a palm
        length; else the pose decides).
    horizon_y : float or None
        Image row of the horizon (the principal point's row for a level camera), in the
        units of the landmarks. Both hands lie at about the same height (the box top), so the
        nearer one projects further from the horizon: below it when the camera is higher
        than the hands, above it when lower. None: two ambiguous hands go by the pose.
    forward : ndarray, shape (2,), optional
        Reach direction in the image; sets :attr:`HandTips.forward_tip_px`.

    Returns
    -------
    dict
        ``{"left": HandTips, "right": HandTips}``.

    """
    if near not in (None, *SIDES):
        raise ValidationError(f"near must be 'left', 'right' or None, got {near!r}.")
    cost = np.array([h.mismatch for h in hands], float).reshape(len(hands), len(SIDES))
    rows = assign_hands(cost, max_cost=max_mismatch)
    fits = [k for k in range(len(hands)) if np.any(cost[k] <= max_mismatch)]  # hands at an arm at all
    both = [k for k in fits if np.all(cost[k] <= max_mismatch)]
    if near is not None and len(fits) == 1 and both:
        rows = [both[0] if s == near else None for s in SIDES]
    elif near is not None and horizon_y is not None and len(fits) == 2 and len(both) == 2:
        k_near = _nearer_of_two([hands[k] for k in both], horizon_y)
        if k_near is not None:
            rows = [both[k_near] if s == near else both[1 - k_near] for s in SIDES]
    out = {}
    for col, side in enumerate(SIDES):
        row = rows[col]
        if row is None:
            reason = "no hand found" if not hands else "no hand found at this wrist"
            out[side] = HandTips(side=side, reason=reason)
        else:
            out[side] = _tips(side, hands[row], mismatch=float(cost[row, col]), forward=forward)
    return out


def _nearer_of_two(hands: list[DetectedHand], horizon_y: float) -> int | None:
    """Index of the hand further from the horizon (mean landmark row); None if they differ by < 0.1 palm."""
    off = [abs(float(np.mean(h.landmarks_px[:, 1])) - horizon_y) for h in hands]
    palm = np.mean(
        [np.linalg.norm((h.landmarks_px[5] + h.landmarks_px[17]) / 2 - h.landmarks_px[0]) for h in hands]
    )
    if abs(off[0] - off[1]) < 0.1 * palm:
        return None
    return int(np.argmax(off))


def find_hand_tips(
    rgb: np.ndarray,
    pose_px: np.ndarray,
    model: HandModel,
    options: HandOptions,
    *,
    near: str | None = None,
    forward: np.ndarray | None = None,
) -> dict[str, HandTips]:
    """Find each arm's hand and fingertips in one RGB image (:func:`detect_hands` + :func:`assign_sides`).

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The frame.
    pose_px : ndarray, shape (33, 2)
        The subject's pose landmarks in pixels of ``rgb`` (NaN where unknown).
    model : HandModel
        The loaded hand model.
    options : HandOptions
        Detector options.
    near : {"left", "right"} or None
        The side nearer the camera, if known (see :func:`assign_sides`; the horizon is taken
        at the image's middle row, as for a level camera).
    forward : ndarray, shape (2,), optional
        The reach direction in the image (e.g. ``(-1, 0)`` for a subject facing image-left);
        sets :attr:`HandTips.forward_tip_px`.

    Returns
    -------
    dict
        ``{"left": HandTips, "right": HandTips}``; a side without a hand has ``found`` False
        and a ``reason`` ("no pose wrist" when the pose gave no crop for it).

    """
    hands = detect_hands(rgb, pose_px, model, options)
    horizon = rgb.shape[0] / 2.0
    tips = assign_sides(
        hands, max_mismatch=options.max_mismatch, near=near, horizon_y=horizon, forward=forward
    )
    planned = {s for _, sides in plan_crops(pose_px, options) for s in sides}
    return {
        s: t if s in planned or t.found else HandTips(side=s, reason="no pose wrist") for s, t in tips.items()
    }


def _tips(side: str, hand: DetectedHand, *, mismatch: float, forward: np.ndarray | None) -> HandTips:
    px = hand.landmarks_px
    tip = forward_most(px, forward) if forward is not None else -1
    return HandTips(
        side=side,
        landmarks_px=px,
        forward_tip=tip,
        forward_tip_px=px[tip].copy() if tip >= 0 else NAN2.copy(),
        handedness=hand.label,
        handedness_score=hand.score,
        mismatch=mismatch,
    )


def _deduplicate(hands: list[tuple[np.ndarray, RawHand]]) -> list[tuple[np.ndarray, RawHand]]:
    """Drop a hand found again in a second crop (mean landmark distance under a third of its palm)."""
    kept: list[tuple[np.ndarray, RawHand]] = []
    for px, raw in hands:
        palm = float(np.linalg.norm((px[5] + px[17]) / 2.0 - px[0]))
        if all(np.mean(np.linalg.norm(px - other, axis=1)) > palm / 3.0 for other, _ in kept):
            kept.append((px, raw))
    return kept
