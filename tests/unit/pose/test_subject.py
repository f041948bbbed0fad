from __future__ import annotations

import contextlib

import numpy as np
import pytest
from tests.unit.pose.people import person

from tiltscreen.errors import ValidationError
from tiltscreen.pose.subject import Plan, SubjectRule, SubjectTracker, initial_choice, pose_distance


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


def locked_alone(x: float = 0.3) -> SubjectTracker:
    """A tracker that found its subject, alone, on a whole-frame look (then follows it with one pose)."""
    tracker = SubjectTracker()
    tracker.step([person(x, 0.5, 0.5)], plan=Plan(poses=2))
    return tracker


def test_plan_one_pose_alone_and_looks_now_and_then() -> None:
    """Nobody yet: everyone on the whole frame. Subject alone: one pose.

    ``probe_every`` = 30 frames after the last look, a look in a window 3 x the subject's size;
    30 frames after that, a look on the whole frame with ``max_people`` = 2 poses.
    """
    assert SubjectTracker().plan() == Plan(poses=2)
    tracker = locked_alone()
    assert tracker.plan() == Plan(poses=1)
    for _ in range(30):
        tracker.step([person(0.3, 0.5, 0.5)], plan=Plan(poses=1))
    look = tracker.plan()
    assert look.look and look.window is not None and look.scale == 3.0
    tracker.step([person(0.3, 0.5, 0.5)], plan=look)
    for _ in range(30):
        tracker.step([person(0.3, 0.5, 0.5)], plan=Plan(poses=1))
    assert tracker.plan() == Plan(poses=2)


def test_plan_searches_a_growing_window_while_lost() -> None:
    """Lost for m frames: a window 2 x (1 + 0.1 m) the subject's size; every fifth frame the whole frame."""
    tracker = locked_alone()
    scales = []
    for _ in range(6):
        tracker.step([], plan=Plan(poses=1))
        plan = tracker.plan()
        scales.append(None if plan.window is None else round(plan.scale, 2))
    assert scales == [2.2, 2.4, 2.6, 2.8, None, 3.2]


def test_window_search_finds_the_lost_subject() -> None:
    """The one-pose landmarker misses the subject seen a frame before; the window search finds it.

    The search is asked for a window plan around the subject's last place; the pose it returns
    (0.02 to the right: 0.04 diagonals) is the subject, reported with source "search".
    """
    tracker = locked_alone()
    asked = []
    found = person(0.32, 0.5, 0.5)

    def search(plan: Plan) -> list:
        asked.append(plan)
        return [found]

    step = tracker.step([], search=search, plan=Plan(poses=1))
    assert [p.window is not None for p in asked] == [True]
    assert step.subject is found and step.source == "search" and step.index is None


def test_retries_depend_on_what_missed() -> None:
    """After a look missed the subject: the usual one-pose landmarker first. After a window: none."""
    tracker = locked_alone()
    asked = []
    tracker.step(
        [], search=lambda p: asked.append(p) or [], plan=Plan(window=(0.2, 0.2, 0.4, 0.8), look=True)
    )
    assert asked == [Plan(poses=1)]
    asked.clear()
    tracker.step([], search=lambda p: asked.append(p) or [], plan=Plan(window=(0.2, 0.2, 0.4, 0.8)))
    assert asked == []


def test_search_refuses_a_pose_someone_else_explains_better() -> None:
    """Subject at x = 0.30 and someone else at 0.55 are seen together (so the other is "beside").

    Both vanish; the search returns a pose at 0.50: 0.38 subject diagonals from the subject
    (inside its 0.7 allowance) but 0.09 from the other person, so it is refused. A pose at
    0.35 (0.09 from the subject, 0.38 from the other) is taken.
    """
    tracker = locked_alone()
    tracker.step([person(0.3, 0.5, 0.5), person(0.55, 0.5, 0.5)], plan=Plan(poses=2))
    step = tracker.step([], search=lambda p: [person(0.50, 0.5, 0.5)], plan=Plan(poses=1))
    assert step.subject is None
    step = tracker.step([], search=lambda p: [person(0.35, 0.5, 0.5)], plan=Plan(poses=1))
    assert step.source == "search"


def test_person_seen_beside_keeps_their_pose_while_the_subject_is_lost() -> None:
    """Subject at 0.30, other at 0.60 seen together; then only the other, walking left to 0.50.

    Three frames lost, the subject's allowance is min(0.35 x 4, 1.0) = 1.0 diagonal (0.527), so
    the other person (0.20 away) lies inside it; but they are 0 from their own prediction, so
    the nearest pairing gives them their pose and the subject stays absent.
    """
    tracker = locked_alone()
    tracker.step([person(0.3, 0.5, 0.5), person(0.6, 0.5, 0.5)], plan=Plan(poses=2))
    steps = [tracker.step([person(x, 0.5, 0.5)], plan=Plan(poses=2)) for x in (0.6, 0.55, 0.5, 0.5)]
    assert [s.subject for s in steps] == [None] * 4


@pytest.mark.parametrize(
    ("colour", "taken"), [pytest.param(0, True, id="own"), pytest.param(1, False, id="other")]
)
def test_colours_of_someone_else_rule_a_pose_out(colour: int, taken: bool) -> None:
    """Two-bin colour histograms: the subject (x = 0.3) wears [1, 0], the other (x = 0.8) [0, 1].

    Next frame a pose appears where the subject stood, next to the other person. In the
    subject's colours it is the subject; in the other's (distance 0 from theirs, <= 0.35, and
    1 from the subject's, more than 0.25 farther) it is not, and the subject is absent.
    """
    colours = {0: np.array([1.0, 0.0]), 1: np.array([0.0, 1.0])}
    tracker = SubjectTracker()
    first = [person(0.3, 0.5, 0.5), person(0.8, 0.5, 0.5)]
    paint = {id(first[0]): colours[0], id(first[1]): colours[1]}
    tracker.step(first, describe=lambda c: paint[id(c)], plan=Plan(poses=2))
    second = [person(0.31, 0.5, 0.5), person(0.8, 0.5, 0.5)]
    paint.update({id(second[0]): colours[colour], id(second[1]): colours[1]})
    step = tracker.step(second, describe=lambda c: paint[id(c)], plan=Plan(poses=2))
    assert (step.index == 0) is taken


def test_nobody_found_yet_looks_in_the_central_square() -> None:
    """No one on the whole frame in the first frames: a look in the central square (scale 1).

    The person it finds becomes the subject; until a whole-frame landmarker finds them too,
    the tracker keeps asking for everyone on the whole frame.
    """
    tracker = SubjectTracker()
    asked = []
    step = tracker.step([], search=lambda p: asked.append(p) or [person(0.5, 0.5, 0.3)], plan=Plan(poses=2))
    assert asked == [Plan(window=(0.0, 0.0, 1.0, 1.0), scale=1.0, look=True)]
    assert step.source == "search" and tracker.locked
    assert tracker.plan() == Plan(poses=2)


def test_only_unknown_person_is_taken_back_after_a_long_loss() -> None:
    """A small subject (0.2 tall: diagonal 0.211) at x = 0.1, then nobody for 15 frames.

    The re-acquisition radius is then at its cap, 2 diagonals = 0.42. A person appearing at
    x = 0.9 (0.8 away) is beyond it, but after 15 lost frames (``far_after``) the only person
    in view never seen beside the subject is taken back wherever they are. With a second
    such person at 0.7 (0.6 away, also beyond the radius) it is ambiguous: nobody is taken.
    """
    for people, taken in (([0.9], True), ([0.9, 0.7], False)):
        tracker = SubjectTracker()
        tracker.step([person(0.1, 0.5, 0.2)], plan=Plan(poses=2))
        for _ in range(15):
            tracker.step([], plan=Plan(poses=2))
        step = tracker.step([person(x, 0.5, 0.2) for x in people], plan=Plan(poses=2))
        assert (step.subject is not None) is taken


def test_someone_unseen_for_a_second_keeps_only_half_their_allowance() -> None:
    """Subject at 0.2 and another person at 0.6, seen together; then only the subject for 31 frames.

    The other person then reappears 0.35 to the right of their last place (0.66 of their own
    diagonal): within the usual cap of 1 diagonal, beyond the 0.5 kept after 30 frames unseen,
    so they start a new track (three tracks, not two), itself marked as beside the subject
    since both are in the frame.
    """
    tracker = locked_alone(0.2)
    tracker.step([person(0.2, 0.5, 0.5), person(0.6, 0.5, 0.5)], plan=Plan(poses=2))
    for _ in range(31):
        tracker.step([person(0.2, 0.5, 0.5)], plan=Plan(poses=1))
    tracker.step([person(0.2, 0.5, 0.5), person(0.95, 0.5, 0.5)], plan=Plan(poses=2))
    beside = sorted(t.beside_subject for tid, t in tracker._tracks.items() if tid != tracker._subject)
    assert beside == [True, True]
    assert len(tracker._tracks) == 3
