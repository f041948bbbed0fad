"""Frame hook that records the hands the hand model finds, frame by frame.

Like :class:`tiltscreen.pose.features.FeatureRecorder`, a :class:`HandTipRecorder` sees each
frame and the subject's candidate once (``hook(frame, candidate)``), keeps a few numbers and
drops the image. It records the hands found (at most :data:`SLOTS` per frame) with their
mismatch to each arm, not yet given to an arm: which hand is the near one is decided once the
recording's near side is known, by :func:`side_arrays`. Points are normalised (x right, y down,
0–1 of the frame's width and height), NaN where nothing was found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.hand_geometry import INDEX_TIP, MIDDLE_TIP, forward_most
from tiltscreen.pose.hands import SIDES, DetectedHand, HandModel, HandOptions, assign_sides, detect_hands
from tiltscreen.sources import Frame

#: hands kept per frame (the two that match an arm best)
SLOTS = 2
#: image directions of "forward" for a subject facing image-right / image-left
FACINGS = {"right": np.array([1.0, 0.0]), "left": np.array([-1.0, 0.0])}


@dataclass
class HandTipRecorder:
    """Run :func:`~tiltscreen.pose.hands.detect_hands` on every frame and keep per-frame arrays.

    Parameters
    ----------
    model : HandModel
        The loaded hand model (the caller opens and closes it).
    options : HandOptions

    """

    model: HandModel
    options: HandOptions
    frame_index: list[int] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    _landmarks: list[np.ndarray] = field(default_factory=list)
    _mismatch: list[np.ndarray] = field(default_factory=list)
    _score: list[np.ndarray] = field(default_factory=list)
    _label: list[np.ndarray] = field(default_factory=list)

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Frame hook: record this frame's hands (NaN slots where fewer were found) and the time it took."""
        start = time.perf_counter()
        self.frame_index.append(frame.index)
        size = np.array(frame.rgb.shape[1::-1], float)
        hands = (
            detect_hands(frame.rgb, subject.xyz[:, :2] * size, self.model, self.options) if subject else []
        )
        hands = sorted(hands, key=lambda h: np.nanmin(np.append(h.mismatch, np.inf)))[:SLOTS]
        lms, mis = np.full((SLOTS, 21, 2), np.nan), np.full((SLOTS, 2), np.nan)
        score, label = np.full(SLOTS, np.nan), np.zeros(SLOTS, np.int8)
        for k, hand in enumerate(hands):
            lms[k], mis[k], score[k] = hand.landmarks_px / size, hand.mismatch, hand.score
            label[k] = {"Left": -1, "Right": 1}.get(hand.label, 0)
        self._landmarks.append(lms)
        self._mismatch.append(mis)
        self._score.append(score)
        self._label.append(label)
        self.ms.append(1000.0 * (time.perf_counter() - start))

    def arrays(self) -> dict[str, np.ndarray]:
        """Per-frame arrays of the hands found, in processing order (``n`` frames).

        Returns
        -------
        dict
            - ``hand_slots_landmarks``: (n, 2, 21, 2) normalised landmarks of up to two hands;
            - ``hand_slots_mismatch``: (n, 2, 2) each hand's mismatch with the left and the right
              arm, in palm lengths (:func:`~tiltscreen.pose.hand_geometry.hand_mismatch`);
            - ``hand_slots_score``: (n, 2) MediaPipe's handedness score;
            - ``hand_slots_label``: (n, 2) MediaPipe's handedness label, −1 "Left", +1 "Right", 0 none;
            - ``hand_ms``: (n,) wall-clock milliseconds the hook took per frame (crops, model, mapping).

            :func:`side_arrays` turns them into per-arm fingertips.

        """
        n = len(self.frame_index)
        return {
            "hand_slots_landmarks": np.array(self._landmarks, float).reshape(n, SLOTS, 21, 2),
            "hand_slots_mismatch": np.array(self._mismatch, float).reshape(n, SLOTS, 2),
            "hand_slots_score": np.array(self._score, float).reshape(n, SLOTS),
            "hand_slots_label": np.array(self._label, np.int8).reshape(n, SLOTS),
            "hand_ms": np.array(self.ms, float),
        }


def side_arrays(
    arrays: dict[str, np.ndarray], *, near: str, max_mismatch: float, horizon_y: float | None = 0.5
) -> dict[str, np.ndarray]:
    """Give the recorded hands to the near and far arms (:func:`~tiltscreen.pose.hands.assign_sides`).

    Parameters
    ----------
    arrays : dict
        :meth:`HandTipRecorder.arrays`.
    near : {"left", "right"}
        The body side nearer the camera over the recording.
    max_mismatch : float
        As :attr:`HandOptions.max_mismatch`.
    horizon_y : float or None
        Normalised image row of the horizon (0.5: a level camera); see
        :func:`~tiltscreen.pose.hands.assign_sides`.

    Returns
    -------
    dict
        For ``role`` in ("near", "far"), arrays over the ``n`` frames:

        - ``{role}_hand_landmarks``: (n, 21, 2) normalised;
        - ``{role}_hand_index_tip``, ``{role}_hand_middle_tip``: (n, 2) landmarks 8 and 12, normalised;
        - ``{role}_hand_tip_facing_right``, ``{role}_hand_tip_facing_left``: (n, 2) the finger tip
          (8, 12, 16, 20) furthest along image +x / −x (read with
          :func:`~tiltscreen.pose.features.for_facing` as ``f"{role}_hand_tip"``); with camera
          roll, recompute it along the floor with :func:`forward_tips`;
        - ``{role}_hand_score``: (n,) MediaPipe's handedness score of the hand given (NaN: none);
        - ``{role}_hand_mismatch``: (n,) its mismatch with that arm, palm lengths.

        NaN where the arm got no hand.

    """
    if near not in SIDES:
        raise ValidationError(f"near must be 'left' or 'right', got {near!r}.")
    roles = {near: "near", SIDES[1 - SIDES.index(near)]: "far"}
    lms, mis, score = _assign_frames(arrays, roles, max_mismatch=max_mismatch, horizon_y=horizon_y)
    out: dict[str, np.ndarray] = {}
    for role in roles.values():
        out[f"{role}_hand_landmarks"] = lms[role]
        out[f"{role}_hand_index_tip"] = lms[role][:, INDEX_TIP]
        out[f"{role}_hand_middle_tip"] = lms[role][:, MIDDLE_TIP]
        for facing, direction in FACINGS.items():
            out[f"{role}_hand_tip_facing_{facing}"] = forward_tips(lms[role], direction)
        out[f"{role}_hand_score"] = score[role]
        out[f"{role}_hand_mismatch"] = mis[role]
    return out


def _assign_frames(
    arrays: dict[str, np.ndarray], roles: dict[str, str], *, max_mismatch: float, horizon_y: float | None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per role (near/far): landmarks (n, 21, 2), mismatch (n,) and score (n,) of its hand per frame."""
    lms_all, mis_all, score_all = (arrays[f"hand_slots_{k}"] for k in ("landmarks", "mismatch", "score"))
    n = len(lms_all)
    near = next(side for side, role in roles.items() if role == "near")
    lms = {r: np.full((n, 21, 2), np.nan) for r in roles.values()}
    mis = {r: np.full(n, np.nan) for r in roles.values()}
    score = {r: np.full(n, np.nan) for r in roles.values()}
    for i in range(n):
        slots = [k for k in range(SLOTS) if np.all(np.isfinite(lms_all[i, k]))]
        hands = [DetectedHand(lms_all[i, k], "", float(score_all[i, k]), mis_all[i, k]) for k in slots]
        tips = assign_sides(hands, max_mismatch=max_mismatch, near=near, horizon_y=horizon_y)
        for side, tip in tips.items():
            if tip.found:
                role = roles[side]
                lms[role][i], mis[role][i], score[role][i] = (
                    tip.landmarks_px,
                    tip.mismatch,
                    tip.handedness_score,
                )
    return lms, mis, score


def forward_tips(landmarks: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Per frame, the finger tip of ``landmarks`` (n, 21, 2) furthest along ``direction`` (2,) or (n, 2).

    NaN rows (no hand, or no direction) stay NaN.
    """
    d = np.broadcast_to(np.asarray(direction, float), (len(landmarks), 2))
    out = np.full((len(landmarks), 2), np.nan)
    for k, lms in enumerate(landmarks):
        if np.all(np.isfinite(lms)) and np.all(np.isfinite(d[k])):
            out[k] = lms[forward_most(lms, d[k])]
    return out
