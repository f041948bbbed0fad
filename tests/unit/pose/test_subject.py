from __future__ import annotations

import contextlib

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.subject import SubjectRule, SubjectTracker, initial_choice, pose_distance


def person(cx: float, cy: float, height: float) -> Candidate:
    """A stick person: 33 landmarks spread over a box ``height`` tall and ``height / 3`` wide.

    Landmark k sits at ``(cx + w * (k % 3 - 1) / 2, cy + height * (k / 32 - 0.5))`` with
    ``w = height / 3``, so the box is ``w`` wide, ``height`` tall and centred on (cx, cy).
    """
    k = np.arange(33)
    w = height / 3
    xyz = np.stack([cx + w * (k % 3 - 1) / 2, cy + height * (k / 32 - 0.5), np.zeros(33)], axis=1)
    ones = np.ones(33)
    return Candidate(xyz=xyz, visibility=ones, presence=ones, world=np.zeros((33, 3)))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param("largest", 1, id="largest"),
        pytest.param("central", 0, id="central"),
        pytest.param("leftmost", 2, id="leftmost"),
        pytest.param("rightmost", 1, id="rightmost"),
        pytest.param("auto", 1, id="auto-prefers-large"),
        pytest.param("at:0.15,0.5", 2, id="at-point"),
    ],
)
def test_initial_choice(rule: str, expected: int) -> None:
    """People: 0 small at the centre, 1 large right of centre, 2 small on the left.

    Areas ``h * h / 3``: 0 -> 0.012, 1 -> 0.083, 2 -> 0.012, so "largest" and "auto" pick 1
    (auto's centrality factor is at least 0.5, and 1's area is 7x the others').
    """
    cands = [person(0.5, 0.5, 0.2), person(0.7, 0.5, 0.5), person(0.15, 0.5, 0.2)]
    assert initial_choice(cands, SubjectRule.parse(rule)) == expected


@pytest.mark.parametrize(
    ("text", "expectation"),
    [
        pytest.param("auto", contextlib.nullcontext(), id="auto"),
        pytest.param("at:0.2,0.9", contextlib.nullcontext(), id="at"),
        pytest.param("tallest", pytest.raises(ValidationError, match="subject rule must be"), id="unknown"),
        pytest.param("at:2,0.5", pytest.raises(ValidationError, match="x, y in 0-1"), id="out-of-image"),
        pytest.param("at:x", pytest.raises(ValidationError, match="expected 'at:X,Y'"), id="garbled"),
    ],
)
def test_rule_parsing(text: str, expectation) -> None:
    with expectation:
        SubjectRule.parse(text)


def test_pose_distance_ignores_nan_and_is_inf_without_overlap() -> None:
    """Two poses 0.1 apart in x everywhere; NaN rows are skipped, so the mean stays 0.1."""
    a = np.zeros((33, 2))
    b = a + [0.1, 0.0]
    b[:5] = np.nan
    assert pose_distance(a, b) == pytest.approx(0.1)
    assert pose_distance(a, np.full((33, 2), np.nan)) == float("inf")


def test_crossing_passer_by_never_becomes_subject() -> None:
    """A subject stands still at x = 0.3; a passer-by walks from x = 0.9 to 0.1 in 0.02 steps.

    The passer-by passes in front, and for the 9 frames where they overlap (|x - 0.3| < 0.09)
    MediaPipe is assumed to return only the passer-by (the subject is hidden). The tracker
    must report the subject absent in those frames, never the passer-by.
    """
    tracker = SubjectTracker()
    chosen_x = []
    for step in range(41):
        walker_x = 0.9 - 0.02 * step
        hidden = abs(walker_x - 0.3) < 0.09
        cands = (
            [person(walker_x, 0.55, 0.5)] if hidden else [person(0.3, 0.5, 0.5), person(walker_x, 0.55, 0.5)]
        )
        if step == 0:
            cands = [person(0.3, 0.5, 0.5)]
        k = tracker.update(cands)
        chosen_x.append(None if k is None else float(np.mean(cands[k].xyz[:, 0])))
    seen = [x for x in chosen_x if x is not None]
    assert all(x == pytest.approx(0.3) for x in seen)
    assert chosen_x.count(None) == 9
    assert tracker.switches_refused == 9


def test_subject_reappearing_after_occlusion_is_taken_back() -> None:
    """The subject is missing for 10 frames, then returns 0.15 to the right (a step aside).

    0.15 is 0.28 box diagonals (diag = sqrt(0.5**2 + (0.5/3)**2) = 0.527), within the lost
    allowance, so the returning person is the subject again.
    """
    tracker = SubjectTracker()
    assert tracker.update([person(0.3, 0.5, 0.5)]) == 0
    for _ in range(10):
        assert tracker.update([]) is None
    assert tracker.update([person(0.9, 0.5, 0.2), person(0.45, 0.5, 0.5)]) == 1
