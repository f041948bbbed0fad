"""Plain evidence that a recording shows the test it was given as: the test's posture, held long enough.

Both tests are filmed from the side. The sit-and-reach is done in *long sitting* (sitting on
the floor with the legs straight along it); the standing test in *quiet upright standing*.
These checks look for that posture in the subject's landmarks, frame by frame, and return
the longest unbroken stretch in seconds; a protocol refuses to read a recording in which the
stretch is shorter than its minimum (``not_this_protocol``) instead of measuring something
that is not the test.

Frames and signs
----------------
Image pixels, y downwards. Each body point is the mean of the left and right landmarks
where both are present, else the one present (in a side view the far side is often gated
out). A segment's *incline* is its angle from the image horizontal, 0-90 degrees, whatever
its direction; its *lean* is 90 minus the incline (the angle from the image vertical). The
*trunk length* is mid-shoulder to mid-hip. A frame with a missing point counts as not in
the posture, so gaps break a stretch.

The limits are deliberately wide (several times the camera roll and yaw the set-up allows)
so that a real test is never refused; the values and how they were set are in
``thresholds.json`` (``protocol_evidence``).
"""

from __future__ import annotations

import warnings

import numpy as np

from tiltscreen.checks import landmarks_problems, number_problems, raise_if_problems
from tiltscreen.kinematics.summary import landmark_motion
from tiltscreen.landmarks import Landmarks


def _mid(lm: Landmarks, part: str) -> np.ndarray:
    """``(frame, 2)`` px: mean of ``left_<part>`` and ``right_<part>``, or the one present; NaN if neither."""
    both = np.stack([lm.point(f"left_{part}"), lm.point(f"right_{part}")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of two NaNs is NaN, as wanted
        return np.nanmean(both, axis=0)


def _incline_deg(v: np.ndarray) -> np.ndarray:
    """Angle of each ``(dx, dy)`` from the image horizontal, 0-90 degrees (NaN stays NaN)."""
    return np.degrees(np.arctan2(np.abs(v[:, 1]), np.abs(v[:, 0])))


def longest_run_s(mask: np.ndarray, timestamps_s: np.ndarray) -> float:
    """Duration (s) of the longest run of consecutive True frames, first to last frame.

    A single True frame lasts 0 s; an all-False mask gives 0.
    """
    mask = np.asarray(mask, dtype=bool)
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not starts.size:
        return 0.0
    return float(np.max(timestamps_s[stops - 1] - timestamps_s[starts]))


def long_sitting_frames(lm: Landmarks, *, max_incline_deg: float, min_leg_ratio: float) -> np.ndarray:
    """Boolean ``(frame,)``: the subject sits with the legs along the floor, seen from the side.

    Parameters
    ----------
    lm : Landmarks
        One subject's landmarks.
    max_incline_deg : float
        Largest incline (degrees from the image horizontal) of the thigh (hip-knee) and of
        the shank (knee-ankle).
    min_leg_ratio : float
        Smallest hip-ankle distance in trunk lengths: legs pointing at the camera (a front
        view) look short and do not count.

    Returns
    -------
    ndarray of bool, shape (frame,)

    """
    problems = landmarks_problems(lm)
    problems += number_problems("max_incline_deg", max_incline_deg, low=0.0, high=90.0)
    problems += number_problems("min_leg_ratio", min_leg_ratio, low=0.0)
    raise_if_problems("long_sitting_frames", problems)
    sh, hip, knee, ankle = (_mid(lm, p) for p in ("shoulder", "hip", "knee", "ankle"))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.hypot(*(ankle - hip).T) / np.hypot(*(sh - hip).T)
        return (
            (_incline_deg(knee - hip) <= max_incline_deg)
            & (_incline_deg(ankle - knee) <= max_incline_deg)
            & (ratio >= min_leg_ratio)
        )


def upright_still_frames(
    lm: Landmarks, *, max_trunk_lean_deg: float, max_leg_lean_deg: float, max_motion: float
) -> np.ndarray:
    """Boolean ``(frame,)``: the subject stands upright and (nearly) still.

    Parameters
    ----------
    lm : Landmarks
        One subject's landmarks.
    max_trunk_lean_deg : float
        Largest lean of the hip-shoulder line from the image vertical, shoulders above hips.
    max_leg_lean_deg : float
        Largest lean of the hip-ankle line from the image vertical, ankles below hips.
    max_motion : float
        Largest :func:`~tiltscreen.kinematics.summary.landmark_motion`, body heights per
        second: walking and jumping move far more.

    Returns
    -------
    ndarray of bool, shape (frame,)

    """
    problems = landmarks_problems(lm)
    problems += number_problems("max_trunk_lean_deg", max_trunk_lean_deg, low=0.0, high=90.0)
    problems += number_problems("max_leg_lean_deg", max_leg_lean_deg, low=0.0, high=90.0)
    problems += number_problems("max_motion", max_motion, low=0.0, strict_low=True)
    raise_if_problems("upright_still_frames", problems)
    sh, hip, ankle = (_mid(lm, p) for p in ("shoulder", "hip", "ankle"))
    motion = landmark_motion(lm) if lm.n_frames > 1 else np.full(lm.n_frames, np.nan)
    with np.errstate(invalid="ignore"):
        return (
            (90.0 - _incline_deg(sh - hip) <= max_trunk_lean_deg)
            & (sh[:, 1] < hip[:, 1])
            & (90.0 - _incline_deg(ankle - hip) <= max_leg_lean_deg)
            & (ankle[:, 1] > hip[:, 1])
            & (motion <= max_motion)
        )
