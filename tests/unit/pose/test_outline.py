from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.pose.outline import extreme_point, tip_along, tips_both_ways


def arm_mask() -> np.ndarray:
    """A 200x300 mask: a horizontal 'forearm and hand' bar from x=100 to x=220 (rows 95-105),
    and a 'leg' bar below it from x=60 to x=260 (rows 140-160), not touching the arm.

    Wrist at (130, 100) px, knuckle at (190, 100) px: the fingertip (bar's end) is at x = 220,
    i.e. 30 px beyond the knuckle, along the wrist->knuckle direction. The leg reaches further
    (x = 260) but lies 40 px below the line, outside the corridor (0.6 x 60 px = 36 px).
    """
    m = np.zeros((200, 300), np.float32)
    m[95:106, 100:221] = 1.0
    m[140:161, 60:261] = 1.0
    return m


def norm(x: float, y: float) -> np.ndarray:
    return np.array([x / 300, y / 200])


def test_tip_along_finds_fingertip_not_leg() -> None:
    tip = tip_along(arm_mask(), norm(130, 100), norm(190, 100)) * [300, 200]
    assert tip[0] == pytest.approx(220.5, abs=1.0)
    assert tip[1] == pytest.approx(100.5, abs=3.0)


def test_tip_along_is_mirror_symmetric() -> None:
    """Flipping the image left-right and the points with it gives the mirrored tip."""
    m = arm_mask()[:, ::-1]
    tip = tip_along(m, norm(300 - 130, 100), norm(300 - 190, 100)) * [300, 200]
    assert tip[0] == pytest.approx(300 - 220.5, abs=1.0)


def raised_finger_mask() -> np.ndarray:
    """A 200x300 mask: a forearm-and-palm bar rising gently to the right (centre y = 110 - (x - 130) / 6,
    11 px thick, x = 100-190), a finger lying forward from the knuckle (rows 104-106, x = 190-225: its end
    at (225.5, 105)) and a finger raised from (190, 100) to (205, 70) (3 px wide)."""
    m = np.zeros((200, 300), np.float32)
    for x in range(100, 191):
        yc = 110 - (x - 130) / 6
        m[int(yc) - 5 : int(yc) + 6, x] = 1.0
    m[104:107, 190:226] = 1.0
    for k in range(0, 31):
        x, y = 190 + k // 2, 100 - k
        m[y, x - 1 : x + 2] = 1.0
    return m


def test_forward_tip_takes_the_finger_lying_forward() -> None:
    """Wrist (150, 140) and knuckle (190, 100), as when MediaPipe pitches the hand up: along the
    wrist->knuckle direction d = (1, -1)/sqrt(2) the raised finger's end (205, 70) lies
    (15 + 30)/sqrt(2) = 31.8 px beyond the knuckle and the flat finger's end (225.5, 105)
    (35.5 - 5)/sqrt(2) = 21.6 px, so the along-line tip is the raised finger. Both ends are inside the
    corridor (0.6 x 56.6 = 34 px; 10.6 and 28.6 px off the line). Measured forward along +x, as a reach
    along the floor is, the tip is the flat finger's end at x = 225.5."""
    m = raised_finger_mask()
    along = tip_along(m, norm(150, 140), norm(190, 100)) * [300, 200]
    forward = tip_along(m, norm(150, 140), norm(190, 100), forward=1) * [300, 200]
    assert along[1] < 90  # on the raised finger
    assert forward[0] == pytest.approx(225.5, abs=1.0) and forward[1] == pytest.approx(105.5, abs=1.5)


def test_forward_tip_is_mirror_symmetric() -> None:
    m = raised_finger_mask()[:, ::-1]
    tip = tip_along(m, norm(300 - 150, 140), norm(300 - 190, 100), forward=-1) * [300, 200]
    assert tip[0] == pytest.approx(300 - 225.5, abs=1.0)


def test_forward_must_be_a_direction() -> None:
    with pytest.raises(ValidationError, match="forward must be"):
        tip_along(arm_mask(), norm(130, 100), norm(190, 100), forward=0)


def test_extreme_point_follows_connected_part() -> None:
    """Anchored on the arm, the most forward (+x) connected pixel is the arm's end, not the leg's."""
    tip = extreme_point(arm_mask(), norm(190, 100), forward=1, radius=0.5) * [300, 200]
    assert tip[0] == pytest.approx(220.5, abs=1.0)


@pytest.mark.parametrize("fn", [tip_along, extreme_point])
def test_nan_anchor_gives_nan(fn) -> None:
    m = arm_mask()
    out = (
        tip_along(m, norm(130, 100), np.array([np.nan, np.nan]))
        if fn is tip_along
        else extreme_point(m, np.array([np.nan, 0.5]), forward=1, radius=0.1)
    )
    assert np.isnan(out).all()


def test_bad_arguments() -> None:
    with pytest.raises(ValidationError, match="forward must be"):
        extreme_point(arm_mask(), norm(190, 100), forward=0, radius=0.1)
    with pytest.raises(ValidationError, match="2-D"):
        tip_along(np.zeros((2, 2, 2)), norm(1, 1), norm(2, 2))


def test_tips_both_ways_equals_the_two_forward_tips() -> None:
    """One search of the mask gives the same points as tip_along with forward = +1 and -1."""
    m = raised_finger_mask()
    both = tips_both_ways(m, norm(150, 140), norm(190, 100))
    for row, forward in ((0, 1), (1, -1)):
        np.testing.assert_allclose(both[row], tip_along(m, norm(150, 140), norm(190, 100), forward=forward))
    assert np.isnan(tips_both_ways(m, norm(150, 140), np.array([np.nan, np.nan]))).all()
