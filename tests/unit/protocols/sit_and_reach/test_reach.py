"""Reach per frame: fingertip sources in order of preference, on the box plane (box end or toe), in pixels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.unit.kinematics.test_box_plane import PLACE, SIZE, camera, hfov, marker_px

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.box_plane import MarkerPlacement, ViewPrior, fit_plane
from tiltscreen.protocols.sit_and_reach import reach

NAN = [math.nan, math.nan]


def test_first_source_with_a_point_wins_per_frame():
    """Frame 0: the hand model has a point; frame 1: only the outline; frame 2: neither."""
    hand = np.array([[10.0, 5.0], NAN, NAN])
    outline = np.array([[11.0, 5.0], [12.0, 6.0], NAN])
    tips = reach.fingertips_from([("hand model", hand), ("outline", outline)])
    assert tips.labels == ("hand model", "outline")
    assert tips.source.tolist() == [0, 1, -1]
    assert tips.px[:2].tolist() == [[10.0, 5.0], [12.0, 6.0]] and np.isnan(tips.px[2]).all()


@pytest.mark.parametrize(
    ("sources", "match"),
    [
        pytest.param([], "at least one", id="none"),
        pytest.param([("a", np.zeros((3, 2))), ("b", np.zeros((4, 2)))], "one shape", id="shapes"),
    ],
)
def test_fingertip_source_checks(sources, match):
    with pytest.raises(ValidationError, match=match):
        reach.fingertips_from(sources)


def _fit(placement: MarkerPlacement):
    project = camera(focal=600.0, yaw_deg=4.0)
    prior = ViewPrior(hfov_deg=hfov(600.0), hfov_sd_deg=0.01, hfov_grid_deg=(hfov(600.0), hfov(600.0), 1.0))
    return project, fit_plane(marker_px(project), placement=placement, facing=1, image_size=SIZE,
                              corner_sd_px=0.05, prior=prior)  # fmt: skip


def test_reach_beyond_the_box_end_when_the_marker_is_placed():
    """Box 44 cm wide: the hand prior sits 22 - 8 = 14 cm behind the side. A fingertip there at u = 12 cm
    reads 12.00 cm beyond the end face (no toe needed); its SD is |du/dd| x 4 cm (hand prior SD)."""
    project, fit = _fit(PLACE)
    tip = project(np.array([[12.0, 1.0, 14.0]]))
    geo = reach.reach_on_plane(fit, tip, None)
    assert geo.kind == "box_end" and geo.unit == "cm"
    assert geo.reach[0] == pytest.approx(12.0, abs=0.02)
    assert 0.05 < geo.sd[0] < 2.0


def test_reach_beyond_the_toe_without_the_placement():
    """Unanchored marker: fingertip at u = 12 (14 cm deep: 22 - 8), toe tip at u = -1.5 (9 cm deep: 22 - 13,
    the toe prior; the box width unknown gives 18 - 13 = 5 cm for the toe and 5 + 5 = 10 for the hand, whose
    difference, 5 cm, matches the true 14 - 9): reach = 12 - (-1.5) = 13.5 cm up to the common-depth error."""
    unanchored = MarkerPlacement(10.0)
    project, fit = _fit(unanchored)
    # the marker's own frame: u measured from its top-back corner, which sits at u = 15 on the box
    tip = project(np.array([[12.0 - 15.0, 1.0, 14.0]]))
    toe = project(np.array([[-1.5 - 15.0, 5.0, 9.0]]))[0]
    geo = reach.reach_on_plane(fit, tip, toe)
    assert geo.kind == "plane_toe" and geo.reach[0] == pytest.approx(13.5, abs=0.5)


def test_reach_in_pixels_follows_the_scale():
    """Facing image-right, fingertip 30 px past the toe at 3 px/cm: +10 cm; without a scale: +30 px."""
    tips, toe = np.array([[130.0, 50.0]]), np.array([100.0, 50.0])
    assert reach.reach_in_pixels(tips, toe, facing=1, roll_deg=0.0, px_per_cm=3.0).reach[0] == pytest.approx(
        10.0
    )
    geo = reach.reach_in_pixels(tips, toe, facing=1, roll_deg=0.0, px_per_cm=None)
    assert geo.unit == "px" and geo.reach[0] == pytest.approx(30.0)


def test_hold_point_is_the_median_over_the_hold():
    px = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0], NAN, [100.0, 100.0]])
    assert reach.hold_point(px, slice(1, 4)) == [2.0, 3.0]
    assert reach.hold_point(None, slice(0, 2)) is None
