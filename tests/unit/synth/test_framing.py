"""Camera framing (pure numpy): closed-form minimal distance, margin check, configuration."""

from contextlib import nullcontext as does_not_raise

import numpy as np
import pytest

from tiltscreen.synth import framing
from tiltscreen.synth import geometry as geo
from tiltscreen.synth.config import CameraSpec, ClipSpec


def _side_camera(yaw=0.0, roll=0.0):
    aim = np.array([0.0, 0.0, 0.9])
    return aim, geo.camera_rotation(aim + [1.0, 0.0, 0.0], aim, yaw_deg=yaw, roll_deg=roll)


def test_min_distance_puts_the_extreme_point_on_the_margin():
    """A pole 0.9 m above and below the aim, f = 500 px, 160 px allowed each way: d = 500 * 0.9 / 160."""
    aim, rot = _side_camera()
    pole = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.8]])
    d = framing.min_distance(pole, rot, aim, focal_px=500.0, half_width_px=300.0, half_height_px=160.0)
    assert d == pytest.approx(500 * 0.9 / 160)
    k = geo.intrinsics_matrix(500.0, 500.0, 320.0, 180.0)
    v = geo.project(pole, rot, aim - d * rot[2], k)[:, 1]
    np.testing.assert_allclose(sorted(v), [20.0, 340.0])


@pytest.mark.parametrize("yaw", [0.0, 10.0, 20.0])
@pytest.mark.parametrize("roll", [0.0, 3.0])
def test_min_distance_keeps_a_random_cloud_inside(yaw, roll):
    """Property: at the returned distance every point is inside the allowed rectangle, one touches it."""
    rng = np.random.default_rng(0)
    cloud = rng.uniform([-0.25, -0.6, 0.0], [0.25, 0.4, 1.8], size=(500, 3))
    aim, rot = _side_camera(yaw, roll)
    d = framing.min_distance(cloud, rot, aim, focal_px=554.0, half_width_px=302.0, half_height_px=162.0)
    k = geo.intrinsics_matrix(554.0, 554.0, 320.0, 180.0)
    uv = geo.project(cloud, rot, aim - d * rot[2], k)
    gap = np.minimum.reduce([uv[:, 0] - 18, 622 - uv[:, 0], uv[:, 1] - 18, 342 - uv[:, 1]])
    assert gap.min() == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("box", "expectation"),
    [
        pytest.param([20.0, 20.0, 600.0, 340.0], does_not_raise(), id="inside"),
        pytest.param(
            [20.0, 20.0, 600.0, 355.0], pytest.raises(framing.FramingError, match="bottom"), id="feet"
        ),
        pytest.param([-3.0, 20.0, 600.0, 340.0], pytest.raises(framing.FramingError, match="left"), id="out"),
    ],
)
def test_check_inside(box, expectation):
    with expectation:
        framing.check_inside(box, width=640, height=360, margin_px=18.0)


def test_no_room_left_is_an_error():
    aim, rot = _side_camera()
    with pytest.raises(framing.FramingError, match="no room"):
        framing.min_distance(
            np.zeros((1, 3)), rot, aim, focal_px=500.0, half_width_px=0.0, half_height_px=10.0
        )


def test_camera_spec_distance_defaults_to_automatic_and_margin_is_checked():
    assert CameraSpec().distance_m is None
    with pytest.raises(ValueError, match="margin"):
        ClipSpec(scene="standing", camera=CameraSpec(margin=0.5))
    with pytest.raises(ValueError, match="distance_m"):
        ClipSpec(scene="standing", camera=CameraSpec(distance_m=0.2))
