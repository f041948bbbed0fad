from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.pose.appearance import histogram_distance, torso_histogram


def torso_pose(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """A (33, 2) pose whose shoulders are the top corners and hips the bottom corners of a box."""
    xy = np.full((33, 2), 0.5)
    xy[11], xy[12] = (x0, y0), (x1, y0)  # left, right shoulder
    xy[23], xy[24] = (x0, y1), (x1, y1)  # left, right hip
    return xy


def test_torso_histogram_reads_the_torso_colour_only() -> None:
    """A pure red torso box (0.3-0.7 x 0.2-0.8 of a 100x100 frame) on a pure blue frame.

    The quadrilateral, shrunk by 0.8 about its centre, lies inside the red box, so every
    pixel counted is red: hue 0 (bin 0 of 12) and saturation 255 (bin 3 of 4), i.e. all the
    mass in bin 0 * 4 + 3 = 3.
    """
    rgb = np.zeros((100, 100, 3), np.uint8)
    rgb[..., 2] = 255
    rgb[20:80, 30:70] = (255, 0, 0)
    hist = torso_histogram(rgb, torso_pose(0.3, 0.2, 0.7, 0.8))
    assert hist is not None and hist.sum() == pytest.approx(1.0)
    assert hist[3] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "xy",
    [
        pytest.param(np.full((33, 2), np.nan), id="missing-torso"),
        pytest.param(torso_pose(0.5, 0.5, 0.51, 0.51), id="too-small"),
        pytest.param(torso_pose(1.5, 1.5, 1.9, 1.9), id="outside-image"),
    ],
)
def test_torso_histogram_none_when_unmeasurable(xy: np.ndarray) -> None:
    """No torso, a torso of a pixel, or one outside the image: no histogram."""
    assert torso_histogram(np.zeros((100, 100, 3), np.uint8), xy) is None


def test_histogram_distance_bounds() -> None:
    """Identical histograms are 0 apart; histograms with no common bin are 1 apart."""
    a = np.array([0.5, 0.5, 0.0, 0.0])
    b = np.array([0.0, 0.0, 0.25, 0.75])
    assert histogram_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    assert histogram_distance(a, b) == pytest.approx(1.0)
