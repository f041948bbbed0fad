from __future__ import annotations

import numpy as np
import pytest
from tests.unit.pose.people import person

from tiltscreen.pose.tracks import (
    Track,
    box_overlap,
    boxes_near,
    distinct_people,
    same_person,
    torso_centre,
)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param((0, 0, 2, 2), (1, 1, 3, 3), 1 / 7, id="quarter-overlap"),
        pytest.param((0, 0, 1, 1), (0, 0, 1, 1), 1.0, id="same"),
        pytest.param((0, 0, 1, 1), (2, 2, 3, 3), 0.0, id="apart"),
    ],
)
def test_box_overlap(a, b, expected) -> None:
    """Intersection over union: 1 / (4 + 4 - 1) for two 2 x 2 boxes sharing a 1 x 1 corner."""
    assert box_overlap(a, b) == pytest.approx(expected)


def test_boxes_near_with_padding() -> None:
    """Boxes 0.1 apart touch once the first grows by 0.1, not by 0.05."""
    assert boxes_near((0, 0, 1, 1), (1.1, 0, 2, 1), 0.1)
    assert not boxes_near((0, 0, 1, 1), (1.1, 0, 2, 1), 0.05)


def test_torso_centre_falls_back_to_all_points() -> None:
    """Shoulders and hips missing: the mean of the finite points; nothing finite: NaN."""
    xy = np.full((33, 2), np.nan)
    xy[0] = (0.2, 0.4)
    xy[5] = (0.4, 0.6)
    assert torso_centre(xy) == pytest.approx([0.3, 0.5])
    assert np.isnan(torso_centre(np.full((33, 2), np.nan))).all()


@pytest.mark.parametrize(
    ("dx", "same"),
    [
        pytest.param(0.05, True, id="torsos-0.09-diag-apart"),
        pytest.param(0.25, False, id="torsos-0.47-diag-apart"),
    ],
)
def test_same_person_by_torso(dx: float, same: bool) -> None:
    """Two stick people 0.5 tall (box diagonal 0.5 * sqrt(1 + 1/9) = 0.527), shifted by dx.

    Their mean landmark distance is dx (>= 0.15 diagonals = 0.079 only for dx = 0.25), their
    torso centres dx apart: 0.05 is 0.09 diagonals (< 0.3: duplicates), 0.25 is 0.47 (two people).
    """
    assert same_person(person(0.4, 0.5, 0.5), person(0.4 + dx, 0.5, 0.5)) is same


def test_distinct_people_keeps_the_more_visible_duplicate() -> None:
    """A duplicate 0.02 to the right with visibility 0.5 is dropped; a second person far away stays."""
    first = person(0.3, 0.5, 0.5)
    dup = person(0.32, 0.5, 0.5, visibility=0.5)
    other = person(0.8, 0.5, 0.5)
    assert distinct_people([dup, first, other]) == [1, 2]


def test_track_predicts_with_its_smoothed_velocity() -> None:
    """Seen at x = 0.30 then 0.32: velocity 0.5 x 0 + 0.5 x 0.02 = 0.01 per frame.

    Three frames later (missing = 3, within the 3-frame horizon) the predicted torso centre is
    0.32 + 3 x 0.01 = 0.35; after ten frames the prediction stops at the horizon (0.35).
    """
    track = Track.start(person(0.30, 0.5, 0.5), None)
    track.see(person(0.32, 0.5, 0.5), None)
    assert track.velocity == pytest.approx([0.01, 0.0])
    track.missing = 3
    assert torso_centre(track.predicted_pose())[0] == pytest.approx(0.35)
    track.missing = 10
    assert torso_centre(track.predicted_pose())[0] == pytest.approx(0.35)


def test_track_size_is_smoothed() -> None:
    """Box height 0.5, then one pose 1.0 tall (limbs thrown out): smoothed height 0.8 x 0.5 + 0.2 x 1.0."""
    track = Track.start(person(0.5, 0.5, 0.5), None)
    track.see(person(0.5, 0.5, 1.0), None)
    assert track.extent[1] == pytest.approx(0.6)
