"""The box side plane from a marker's corners: pose, focal prior, transfer along depth (known cameras)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.box_plane import (
    MarkerPlacement,
    ViewPrior,
    fit_plane,
    median_corners,
    object_corners,
    ordered_corners,
    transfer,
)

SIZE = (640, 360)
PLACE = MarkerPlacement(10.0, from_end_cm=15.0, from_top_cm=11.0, box_width_cm=44.0)


def camera(*, focal: float, yaw_deg: float = 0.0, centre_uw=(0.0, 20.0), distance: float = 200.0):
    """A camera facing the box side (subject facing image-right), ``distance`` cm from it.

    Object frame (p, q, n) = (u, w, -d). Square on: image x along u, image y along -w, optical axis along
    +d, i.e. R0 = diag(1, -1, -1). The yaw turns the camera about its own vertical axis; the centre sits at
    (u, w) = ``centre_uw`` and d = -distance (n = +distance). Returns a projector of (u, w, d) points.
    """
    a = math.radians(yaw_deg)
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rot = ry @ np.diag([1.0, -1.0, -1.0])
    centre = np.array([centre_uw[0], centre_uw[1], distance])
    k = np.array([[focal, 0, SIZE[0] / 2], [0, focal, SIZE[1] / 2], [0, 0, 1]])

    def project(uwd: np.ndarray) -> np.ndarray:
        obj = np.column_stack([uwd[:, 0], uwd[:, 1], -uwd[:, 2]])
        cam = (obj - centre) @ rot.T
        px = cam @ k.T
        return px[:, :2] / px[:, 2:]

    return project


def marker_px(project) -> np.ndarray:
    uw = object_corners(PLACE)
    return project(np.column_stack([uw, np.zeros(4)]))


def hfov(focal: float) -> float:
    return math.degrees(2 * math.atan(SIZE[0] / 2 / focal))


def test_object_corners_follow_the_placement():
    """Top-back (15, -11), top-front (25, -11), bottom-front (25, -21), bottom-back (15, -21)."""
    assert object_corners(PLACE).tolist() == [[15, -11], [25, -11], [25, -21], [15, -21]]
    assert object_corners(MarkerPlacement(8.0))[2].tolist() == [8, -8]  # unanchored: the marker's own frame


def test_ordered_corners_whatever_the_print_turn():
    """Four cyclic orders of one square give one image order; facing image-left mirrors back and front."""
    c = np.array([[100, 50], [140, 50], [140, 90], [100, 90]], float)
    for k in range(4):
        assert ordered_corners(np.roll(c, k, axis=0), facing=1).tolist() == c.tolist()
    assert ordered_corners(c, facing=-1).tolist() == [[140, 50], [100, 50], [100, 90], [140, 90]]


def test_fit_recovers_the_pose_with_a_known_focal_length():
    """f = 600 px, yaw 8 deg, the prior pinned at the true field of view: the yaw comes back within 0.2 deg
    and a point 10 cm behind the side, at u = 30 cm (fingertip on the top), transfers to u = 30.00 cm."""
    project = camera(focal=600.0, yaw_deg=8.0)
    prior = ViewPrior(hfov_deg=hfov(600.0), hfov_sd_deg=0.01, hfov_grid_deg=(hfov(600.0), hfov(600.0), 1.0))
    fit = fit_plane(
        marker_px(project), placement=PLACE, facing=1, image_size=SIZE, corner_sd_px=0.05, prior=prior
    )
    assert fit.focal_px == pytest.approx(600.0, rel=1e-3)
    assert abs(fit.yaw_deg) == pytest.approx(8.0, abs=0.2)
    tip = project(np.array([[30.0, 1.5, 10.0]]))
    out = transfer(fit, tip, depth_cm=10.0, depth_sd_cm=0.0)
    assert out.u_cm[0] == pytest.approx(30.0, abs=0.01)
    assert out.w_cm[0] == pytest.approx(1.5, abs=0.01)


def test_transfer_removes_the_parallax_of_a_point_behind_the_plane():
    """Square view, f = 600, optical axis through u = 0 on the side, 200 cm away. A point at u = 20 cm, 10 cm
    behind the side projects at x = 320 + 600 x 20 / 210 = 377.14 px. Read in the side's plane (depth 0) it
    is at 57.14 x 200 / 600 = 19.05 cm (the parallax a single pixel scale makes: -0.95 cm); at depth 10 cm,
    20.00 cm. With a depth SD of 3 cm the SD is |du/dd| x 3 = (19.05 / 200) x 3 = 0.286 cm."""
    project = camera(focal=600.0, centre_uw=(0.0, 0.0))
    prior = ViewPrior(hfov_deg=hfov(600.0), hfov_sd_deg=0.01, hfov_grid_deg=(hfov(600.0), hfov(600.0), 1.0))
    fit = fit_plane(
        marker_px(project), placement=PLACE, facing=1, image_size=SIZE, corner_sd_px=0.05, prior=prior
    )
    tip = project(np.array([[20.0, 0.0, 10.0]]))
    assert tip[0, 0] == pytest.approx(320 + 600 * 20 / 210)
    assert transfer(fit, tip, depth_cm=0.0, depth_sd_cm=0.0).u_cm[0] == pytest.approx(
        600 * 20 / 210 * 200 / 600, abs=0.01
    )
    out = transfer(fit, tip, depth_cm=10.0, depth_sd_cm=3.0)
    assert out.u_cm[0] == pytest.approx(20.0, abs=0.01)
    assert out.u_sd_cm[0] == pytest.approx(19.05 / 200 * 3, abs=0.01)


def test_unknown_focal_length_widens_the_sd_not_the_plane():
    """With the focal length left to the default prior (62 +- 10 deg), a point on the plane itself (depth 0)
    still transfers exactly (the homography is fixed by the corners); a point 10 cm behind gets an SD that
    includes the focal length's spread."""
    project = camera(focal=554.3, yaw_deg=5.0)  # hfov 60 deg
    fit = fit_plane(marker_px(project), placement=PLACE, facing=1, image_size=SIZE, corner_sd_px=0.3)
    assert fit.focal_sd_px > 30 and not fit.focal_from_marker
    on_plane = project(np.array([[40.0, -5.0, 0.0]]))
    assert transfer(fit, on_plane, depth_cm=0.0, depth_sd_cm=0.0).u_cm[0] == pytest.approx(40.0, abs=0.1)
    behind = transfer(fit, project(np.array([[40.0, 1.0, 10.0]])), depth_cm=10.0, depth_sd_cm=0.0)
    assert behind.u_cm[0] == pytest.approx(40.0, abs=1.0) and behind.u_sd_cm[0] > 0.05


def test_median_corners_and_scatter():
    """Three detections 0, +0.1, +0.2 px: median +0.1, scatter 1.4826 x median |dev| = 1.4826 x 0.1."""
    base = np.zeros((4, 2))
    corners, scatter = median_corners([base, base + 0.1, base + 0.2])
    assert np.allclose(corners, 0.1) and scatter == pytest.approx(0.14826)
    with pytest.raises(ValidationError, match="no marker detection"):
        median_corners([])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"size_cm": 0.0}, "size_cm", id="size"),
        pytest.param({"size_cm": 10.0, "from_end_cm": -1.0}, "from_end_cm", id="negative-offset"),
        pytest.param({"size_cm": 10.0, "box_width_cm": math.nan}, "box_width_cm", id="nan-width"),
    ],
)
def test_placement_checks(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        MarkerPlacement(**kwargs)


def test_project_is_the_inverse_of_transfer():
    """A box point projected with the fit's pose and transferred back at its own depth returns itself."""
    from tiltscreen.kinematics.box_plane import project

    proj = camera(focal=600.0, yaw_deg=6.0)
    prior = ViewPrior(hfov_deg=hfov(600.0), hfov_sd_deg=0.01, hfov_grid_deg=(hfov(600.0), hfov(600.0), 1.0))
    fit = fit_plane(
        marker_px(proj), placement=PLACE, facing=1, image_size=SIZE, corner_sd_px=0.05, prior=prior
    )
    pt = np.array([[5.0, 0.0, 0.0]])
    px = project(fit, pt)
    assert px[0] == pytest.approx(proj(pt)[0], abs=0.05)
    assert transfer(fit, px, depth_cm=0.0, depth_sd_cm=0.0).u_cm[0] == pytest.approx(5.0, abs=0.01)
