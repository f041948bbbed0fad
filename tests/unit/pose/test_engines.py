from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.pose.engines import PoseEngines, crop_window, hide_people, to_image
from tiltscreen.pose.estimator import Candidate, PoseOptions


@pytest.mark.parametrize(
    ("box", "scale", "expected"),
    [
        pytest.param((0.4, 0.4, 0.6, 0.6), 2.0, (300, 50, 700, 450), id="centred"),
        pytest.param((0.0, 0.4, 0.1, 0.6), 2.0, (0, 150, 200, 350), id="slides-in-from-left"),
        pytest.param((0.4, 0.4, 0.6, 0.6), 4.0, (250, 0, 750, 500), id="capped-at-shorter-side"),
        pytest.param((0.5, 0.5, 0.5, 0.5), 2.0, (452, 202, 548, 298), id="minimum-side"),
    ],
)
def test_crop_window(box, scale, expected) -> None:
    """Image 1000 x 500 px. Box 0.4-0.6: 200 x 100 px, longer side 200, so scale 2 gives a 400 px
    square centred on (500, 250). Box x 0-0.1, y 0.4-0.6: 100 x 100 px, a 200 px square centred
    on (50, 250) that slides right to x0 = 0. Scale 4 asks for 800 px, more than the 500 px
    height: the square is 500 px. A point box falls back to the 96 px minimum.
    """
    assert crop_window(box, 1000, 500, scale=scale) == expected


def test_to_image_maps_window_coordinates_back() -> None:
    """A pose at the centre of the window (100, 50)-(300, 250) of a 1000 x 500 image.

    x = 0.5 * 200 / 1000 + 100 / 1000 = 0.2; y = 0.5 * 200 / 500 + 50 / 500 = 0.3; z scales
    like x (x 0.2); world coordinates are untouched; the 200 x 200 mask lands at rows 50-250,
    columns 100-300 of a 500 x 1000 mask.
    """
    xyz = np.tile([0.5, 0.5, 1.0], (33, 1))
    cand = Candidate(
        xyz=xyz,
        visibility=np.ones(33),
        presence=np.ones(33),
        world=np.ones((33, 3)),
        mask=np.ones((200, 200)),
    )
    (out,) = to_image([cand], (100, 50, 300, 250), 1000, 500)
    assert out.xyz[0] == pytest.approx([0.2, 0.3, 0.2])
    assert np.array_equal(out.world, cand.world)
    assert out.mask.shape == (500, 1000) and out.mask.sum() == 200 * 200
    assert out.mask[50:250, 100:300].all()


def test_hide_people_paints_boxes_in_the_mean_colour() -> None:
    """A 100 x 100 crop at (100, 100) of a 1000 x 1000 image, half black, half white (mean 127).

    The box (0.1, 0.1)-(0.15, 0.15) is crop pixels 0-50 both ways: painted 127; the rest and
    the original are unchanged.
    """
    crop = np.zeros((100, 100, 3), np.uint8)
    crop[:, 50:] = 255
    out = hide_people(crop, (100, 100, 200, 200), [(0.1, 0.1, 0.15, 0.15)], 1000, 1000)
    assert (out[:50, :50] == 127).all()
    assert (out[50:, :50] == 0).all() and (out[:, 50:] == 255).all()
    assert (crop[:50, :50] == 0).all()


@pytest.mark.model
@pytest.mark.parametrize(("follow", "shared"), [(None, True), (2, True), (1, False)])
def test_following_with_max_people_poses_uses_one_landmarker(follow, shared: bool, model_path) -> None:
    """Following with as many poses as a look for everyone (2) is MediaPipe's old two-pose mode: one graph."""
    options = PoseOptions(model_path=model_path, max_people=2, follow_poses=follow)
    with PoseEngines(options) as engines:
        assert (engines._engine("one") is engines._engine("many")) is shared
