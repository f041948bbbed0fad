"""Known-answer tests for the synth package's pure geometry (no torch needed)."""

import numpy as np
import pytest

from tiltscreen.synth import geometry as geo


def test_rot_x_tips_up_vector_forward():
    """rot_x(+30) takes +Z to (0, -sin30, cos30): forward (-Y) is positive flexion."""
    np.testing.assert_allclose(geo.rot_x(30.0) @ geo.UP, [0.0, -0.5, np.sqrt(3) / 2], atol=1e-12)


@pytest.mark.parametrize("tilt", [-10.0, 0.0, 11.0, 30.0])
def test_asis_psis_tilt_known_answer(tilt):
    """ASIS d m forward of the PSIS and d*tan(tilt) lower reads +tilt (anterior positive)."""
    d = 0.12
    psis = np.array([0.05, 0.06, 1.0])
    asis = psis + np.array([0.0, -d, -d * np.tan(np.deg2rad(tilt))])
    assert geo.asis_psis_tilt(asis, psis) == pytest.approx(tilt)


def test_asis_psis_tilt_ignores_lateral_offset():
    """Only the sagittal projection counts: moving the ASIS sideways changes nothing."""
    psis = np.zeros(3)
    asis = np.array([0.0, -0.1, -0.02])
    assert geo.asis_psis_tilt(asis + [0.2, 0, 0], psis) == pytest.approx(geo.asis_psis_tilt(asis, psis))


def test_rotating_pelvis_adds_to_tilt():
    """Rotating both points by rot_x(+5) (pelvis tipping forward) adds 5 degrees of anterior tilt."""
    asis, psis = np.array([0.1, -0.1, 0.0]), np.array([0.05, 0.05, 0.03])
    base = geo.asis_psis_tilt(asis, psis)
    r = geo.rot_x(5.0)
    assert geo.asis_psis_tilt(r @ asis, r @ psis) == pytest.approx(base + 5.0)


@pytest.mark.parametrize(
    ("proximal", "distal", "expected"),
    [
        pytest.param([0, 0, 1], [0, 0, -1], 0.0, id="straight"),
        pytest.param([0, 0, 1], [0, -1, 0], 90.0, id="right-angle"),
        pytest.param([0, 0, 1], [0, -1, 1], 135.0, id="deep"),
    ],
)
def test_flexion_angle(proximal, distal, expected):
    """180 minus the included angle: 0 in line, 90 sitting upright (trunk up, thigh forward)."""
    assert geo.flexion_angle(
        np.array(proximal, float), np.zeros(3), np.array(distal, float)
    ) == pytest.approx(expected)


def test_trunk_inclination_sign():
    """A shoulder forward (-Y) of the hip is positive; backward is negative."""
    hip = np.zeros(3)
    assert geo.inclination_from_vertical(hip, np.array([0, -0.3, 0.3])) == pytest.approx(45.0)
    assert geo.inclination_from_vertical(hip, np.array([0, 0.1, 0.5])) < 0


@pytest.mark.parametrize(("dy", "expected"), [(0.0, 90.0), (1.0, 135.0), (-1.0, 45.0)])
def test_lumbo_horizontal(dy, expected):
    """Vertical back line = 90; top leaning back (+Y) = larger (pelvis tipped back).

    Leaning forward: smaller.
    """
    assert geo.lumbo_horizontal(np.zeros(3), np.array([0.0, dy, 1.0])) == pytest.approx(expected)


def test_signed_angle_antisymmetric():
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))
    np.testing.assert_allclose(geo.signed_angle_2d(u, v), -geo.signed_angle_2d(v, u))


def test_rotation_between_maps_direction():
    rng = np.random.default_rng(1)
    for _ in range(10):
        a, b = rng.normal(size=3), rng.normal(size=3)
        r = geo.rotation_between(a, b)
        np.testing.assert_allclose(r @ (a / np.linalg.norm(a)), b / np.linalg.norm(b), atol=1e-9)
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-9)


def test_projection_of_level_side_camera():
    """A level camera at +X looking at the origin: a point 0.5 m forward (-Y) appears left of centre,
    a point 0.5 m up appears above: u = cx - f*0.5/D, v = cy - f*0.5/D (D = 2 m, f = 500 px)."""
    eye = np.array([2.0, 0.0, 0.0])
    rot = geo.camera_rotation(eye, np.zeros(3))
    k = geo.intrinsics_matrix(500.0, 500.0, 320.0, 180.0)
    np.testing.assert_allclose(geo.project(np.array([0.0, -0.5, 0.0]), rot, eye, k), [195.0, 180.0])
    np.testing.assert_allclose(geo.project(np.array([0.0, 0.0, 0.5]), rot, eye, k), [320.0, 55.0])


def test_camera_offsets_signs():
    """Positive pitch tilts the view down: a point on the old optical axis moves up in the image."""
    eye = np.array([2.0, 0.0, 0.0])
    k = geo.intrinsics_matrix(500.0, 500.0, 320.0, 180.0)
    pitched = geo.camera_rotation(eye, np.zeros(3), pitch_deg=5.0)
    assert geo.project(np.zeros(3), pitched, eye, k)[1] < 180.0
    rolled = geo.camera_rotation(eye, np.zeros(3), roll_deg=10.0)
    assert geo.project(np.zeros(3), rolled, eye, k) == pytest.approx([320.0, 180.0])


def test_point_behind_camera_is_nan():
    k = geo.intrinsics_matrix(500.0, 500.0, 320.0, 180.0)
    assert np.isnan(geo.project(np.array([0.0, 0.0, -1.0]), np.eye(3), np.zeros(3), k)).all()


def test_focal_px_rejects_bad_fov():
    with pytest.raises(ValueError, match="horizontal_fov_deg"):
        geo.focal_px(640, 180.0)
