"""The lumbosacral back line from a drawn outline, and its angle against the horizontal."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics import back_contour as bc

HIP, SHOULDER = np.array([300.0, 400.0]), np.array([300.0, 200.0])  # trunk 200 px, upright


def landmarks() -> np.ndarray:
    pts = np.full((33, 2), np.nan)
    pts[[23, 24]] = HIP
    pts[[11, 12]] = SHOULDER
    return pts


def drawn_mask(lean_deg: float, *, front_x: float = 360.0, shape=(600, 600)) -> np.ndarray:
    """Subject pixels between a straight back edge through (250, 400) leaning back by ``lean_deg`` as it
    rises (x = 250 - tan(lean) (400 - y)) and a vertical front edge at ``front_x``."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]] + 0.5
    back = 250.0 - math.tan(math.radians(lean_deg)) * (400.0 - ys)
    return ((xs >= back) & (xs <= front_x)).astype(float)


@pytest.mark.parametrize("lean", [0.0, 15.0, 30.0])
def test_directions_follow_the_drawn_edges(lean: float) -> None:
    """Facing right the back is the left edge: going up it runs (-tan(lean), -1) in pixels (y down), i.e.
    (-sin, -cos) as a unit vector; facing left the back is the vertical right edge: (0, -1)."""
    d = bc.back_lines(drawn_mask(lean), landmarks())
    r = math.radians(lean)
    assert d[0, :2] == pytest.approx([-math.sin(r), -math.cos(r)], abs=0.01)
    assert d[1, :2] == pytest.approx([0.0, -1.0], abs=0.01)


def test_middle_points_lie_on_the_edges() -> None:
    """The window's middle is 0.075 trunk lengths (15 px) above the hips, y = 385: the back edge is then at
    x = 250 - tan(lean) 15 and the front edge at 360 (edges sit half a pixel inside the drawn mask)."""
    lean = 20.0
    d = bc.back_lines(drawn_mask(lean), landmarks())
    assert d[0, 2:] == pytest.approx([250.0 - math.tan(math.radians(lean)) * 15.0, 385.0], abs=1.0)
    assert d[1, 2:] == pytest.approx([360.0, 385.0], abs=1.0)


@pytest.mark.parametrize("lean", [0.0, 15.0, 30.0])
def test_lumbo_horizontal_of_a_back_leaning_line(lean: float) -> None:
    """Facing right, a back line leaning back by ``lean`` from vertical is 90 + lean from the forward
    horizontal (pelvis tipped back: larger); facing left, the vertical edge is 90."""
    d = bc.back_lines(drawn_mask(lean), landmarks())
    assert bc.lumbo_horizontal_deg(d[0, :2], facing=1) == pytest.approx(90.0 + lean, abs=0.6)
    assert bc.lumbo_horizontal_deg(d[1, :2], facing=-1) == pytest.approx(90.0, abs=0.6)


def test_roll_is_removed() -> None:
    """A camera rolled +5 deg (counter-clockwise) turns every image line +5 deg counter-clockwise; a true
    vertical back line then reads 95 from the image's forward horizontal facing right, and 90 after removing
    the roll. Likewise for a left view with the camera rolled -5 deg (clockwise)."""
    r = math.radians(5.0)
    seen = np.array([-math.sin(r), -math.cos(r)])  # vertical (0, -1) turned 5 deg counter-clockwise on screen
    assert bc.lumbo_horizontal_deg(seen, facing=1) == pytest.approx(95.0)
    assert bc.lumbo_horizontal_deg(seen, facing=1, roll_deg=5.0) == pytest.approx(90.0)
    left = np.array([math.sin(r), -math.cos(r)])  # vertical turned 5 deg clockwise on screen
    assert bc.lumbo_horizontal_deg(left, facing=-1, roll_deg=-5.0) == pytest.approx(90.0)


def test_forward_tipped_line_is_below_90() -> None:
    """A back line going up and forward at 40 deg from the floor (pelvis tipped far forward) reads 40."""
    a = math.radians(40.0)
    assert bc.lumbo_horizontal_deg(np.array([math.cos(a), -math.sin(a)]), facing=1) == pytest.approx(40.0)
    assert bc.lumbo_horizontal_deg(np.array([-math.cos(a), -math.sin(a)]), facing=-1) == pytest.approx(40.0)


def test_broken_contour_gives_nan() -> None:
    """The back edge must be traced on at least 70% of the window's heights: a mask empty above the hip
    line leaves the window without an edge."""
    mask = drawn_mask(10.0)
    mask[:399] = 0.0
    d = bc.back_lines(mask, landmarks())
    assert np.isnan(d).all()


def test_missing_trunk_gives_nan() -> None:
    assert np.isnan(bc.back_lines(drawn_mask(10.0), np.full((33, 2), np.nan))).all()


def test_bad_facing_is_rejected() -> None:
    with pytest.raises(ValidationError):
        bc.lumbo_horizontal_deg(np.array([0.0, -1.0]), facing=0)


def test_tilt_from_lumbo_uses_the_average_sacral_offset() -> None:
    """tilt = offset - lumbo: a vertical back line (90) with the 82.2 deg offset is 7.8 deg posterior."""
    assert float(bc.pelvic_tilt_from_lumbo(90.0)) == pytest.approx(bc.SACRUM_TO_ASIS_PSIS_DEG - 90.0)
