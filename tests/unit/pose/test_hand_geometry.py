"""Crop placement, back-projection, forward-most tip and hand-to-arm assignment (pure geometry)."""

from __future__ import annotations

from contextlib import nullcontext as does_not_raise

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.pose.hand_geometry import (
    HAND_PER_FOREARM,
    HAND_PER_KNUCKLE,
    HandCrop,
    assign_hands,
    crop_from_landmarks,
    crop_matrix,
    crop_to_image,
    forward_most,
    hand_crop,
    hand_mismatch,
    merge_crops,
    warp_matrix,
)

NAN2 = np.array([np.nan, np.nan])


def test_crop_matrix_upright_is_scale_and_shift() -> None:
    """A crop pointing up (angle −90°) is an axis-aligned window.

    Centre (100, 50), side 40 px, resampled to 80 px: k = 2. The window's top-left corner is
    (80, 30) and maps to (0, 0); its centre maps to (40, 40); a point 10 px right and 5 px below
    the centre maps to (40 + 20, 40 + 10).
    """
    crop = HandCrop(centre=(100.0, 50.0), side_px=40.0, angle_rad=-np.pi / 2, size_px=80)
    m = crop_matrix(crop)
    for p, q in (((80, 30), (0, 0)), ((100, 50), (40, 40)), ((110, 55), (60, 50))):
        np.testing.assert_allclose(m @ [*p, 1.0], q, atol=1e-9)


def test_crop_matrix_turns_the_hand_direction_up() -> None:
    """A hand pointing image-right (angle 0) points up in the crop.

    Side 20, size 40 (k = 2), centre at the origin. 10 px along the hand, (10, 0), maps to
    (20, 20 − 2 × 10) = (20, 0). The crop's right axis is the image direction (−d_y, d_x) = (0, 1),
    so 5 px down the image, (0, 5), maps to (20 + 2 × 5, 20) = (30, 20).
    """
    crop = HandCrop(centre=(0.0, 0.0), side_px=20.0, angle_rad=0.0, size_px=40)
    m = crop_matrix(crop)
    np.testing.assert_allclose(m @ [10.0, 0.0, 1.0], [20.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(m @ [0.0, 5.0, 1.0], [30.0, 20.0], atol=1e-9)


@pytest.mark.parametrize("angle", [0.0, 0.7, -2.0, np.pi])
def test_crop_to_image_inverts_crop_matrix(angle: float) -> None:
    """Normalised crop points (u/S, v/S) go back to the image points they came from."""
    crop = HandCrop(centre=(321.5, 140.25), side_px=57.0, angle_rad=angle, size_px=256)
    pts = np.array([[300.0, 120.0], [321.5, 140.25], [350.0, 170.0]])
    uv = (crop_matrix(crop) @ np.c_[pts, np.ones(3)].T).T / crop.size_px
    np.testing.assert_allclose(crop_to_image(uv, crop), pts, atol=1e-9)


def test_warp_matrix_shifts_to_pixel_centre_indices() -> None:
    """Upright, k = 2: corner-origin (80, 30) → (0, 0), so pixel centre index (79.5, 29.5) → (−0.5, −0.5)."""
    crop = HandCrop(centre=(100.0, 50.0), side_px=40.0, angle_rad=-np.pi / 2, size_px=80)
    np.testing.assert_allclose(warp_matrix(crop) @ [79.5, 29.5, 1.0], [-0.5, -0.5], atol=1e-9)


def test_warp_matrix_cuts_the_expected_pixels() -> None:
    """With k = 1 and an upright crop, cv2.warpAffine copies the window unchanged.

    Centre (12, 8), side 8: the window covers columns 8..15 and rows 4..11 of the image.
    """
    import cv2

    img = np.arange(20 * 24, dtype=np.uint8).reshape(20, 24)
    crop = HandCrop(centre=(12.0, 8.0), side_px=8.0, angle_rad=-np.pi / 2, size_px=8)
    out = cv2.warpAffine(img, warp_matrix(crop), (8, 8), flags=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(out, img[4:12, 8:16])


def test_hand_crop_from_knuckles() -> None:
    """Wrist (100, 100), knuckles (110, 100) and (110, 104) → midpoint (110, 102).

    |wrist→knuckles| = hypot(10, 2); the forearm (elbow (80, 100)) is 20 px. Hand length
    L = max(2.0 × 10.198, 0.74 × 20) = 20.396; the centre lies L/2 along the knuckle direction,
    the side is 2.2 L, the angle atan2(2, 10).
    """
    crop = hand_crop(np.array([100.0, 100.0]), np.array([110.0, 100.0]), np.array([110.0, 104.0]),
                     np.array([80.0, 100.0]), size_px=128, margin=2.2)  # fmt: skip
    length = HAND_PER_KNUCKLE * np.hypot(10.0, 2.0)
    assert length > HAND_PER_FOREARM * 20.0
    d = np.array([10.0, 2.0]) / np.hypot(10.0, 2.0)
    np.testing.assert_allclose(crop.centre, np.array([100.0, 100.0]) + 0.5 * length * d)
    assert crop.side_px == pytest.approx(2.2 * length)
    assert crop.angle_rad == pytest.approx(np.arctan2(2.0, 10.0))
    assert crop.size_px == 128


def test_hand_crop_falls_back_on_the_forearm() -> None:
    """No knuckles: direction elbow→wrist ((0, 30) → straight down, angle 90°), L = 0.74 × 30 = 22.2."""
    crop = hand_crop(np.array([50.0, 80.0]), NAN2, NAN2, np.array([50.0, 50.0]), margin=2.0)
    assert crop.angle_rad == pytest.approx(np.pi / 2)
    np.testing.assert_allclose(crop.centre, (50.0, 80.0 + 11.1))
    assert crop.side_px == pytest.approx(44.4)


@pytest.mark.parametrize(
    ("wrist", "knuckle", "elbow"),
    [
        pytest.param(NAN2, np.array([1.0, 1.0]), np.array([0.0, 5.0]), id="no-wrist"),
        pytest.param(np.array([5.0, 5.0]), NAN2, NAN2, id="no-direction"),
        pytest.param(np.array([5.0, 5.0]), np.array([5.2, 5.0]), np.array([5.0, 5.3]), id="points-on-wrist"),
    ],
)
def test_hand_crop_none_without_a_direction(wrist, knuckle, elbow) -> None:
    assert hand_crop(wrist, knuckle, knuckle, elbow) is None


def test_hand_crop_has_a_minimum_side() -> None:
    """A 2-px hand would give a 4-px window; it is raised to min_side_px."""
    crop = hand_crop(np.zeros(2), np.array([1.0, 0.0]), np.array([1.0, 0.0]), NAN2, min_side_px=24.0)
    assert crop.side_px == 24.0


def test_merge_crops_covers_both() -> None:
    """Centres (0, 0) and (6, 8) (10 px apart), sides 20 and 30, both pointing up: centre (3, 4), side 40."""
    a = HandCrop(centre=(0.0, 0.0), side_px=20.0, angle_rad=-np.pi / 2, size_px=64)
    b = HandCrop(centre=(6.0, 8.0), side_px=30.0, angle_rad=-np.pi / 2, size_px=128)
    m = merge_crops(a, b)
    assert m.centre == (3.0, 4.0) and m.side_px == 40.0 and m.size_px == 128
    assert m.angle_rad == pytest.approx(-np.pi / 2)


def test_merge_crops_averages_directions() -> None:
    """Directions 0° and 90° → 45°."""
    a = HandCrop(centre=(0.0, 0.0), side_px=20.0, angle_rad=0.0, size_px=64)
    b = HandCrop(centre=(0.0, 0.0), side_px=20.0, angle_rad=np.pi / 2, size_px=64)
    assert merge_crops(a, b).angle_rad == pytest.approx(np.pi / 4)


def _hand(origin=(0.0, 0.0), scale: float = 1.0) -> np.ndarray:
    """A hand pointing +x: wrist at the origin, knuckles (10, ∓2), tips 8, 12, 16, 20 at x 20, 22, 21, 18."""
    pts = np.zeros((21, 2))
    pts[5], pts[17], pts[9] = (10.0, -2.0), (10.0, 2.0), (10.0, 0.0)
    pts[4], pts[8], pts[12], pts[16], pts[20] = (
        (14.0, -6.0),
        (20.0, -2.0),
        (22.0, -0.5),
        (21.0, 0.5),
        (18.0, 2.0),
    )
    return np.asarray(origin) + scale * pts


@pytest.mark.parametrize(
    ("direction", "expected", "context"),
    [
        pytest.param((1.0, 0.0), 12, does_not_raise(), id="forward-x: middle tip (x 22)"),
        pytest.param((0.0, 1.0), 20, does_not_raise(), id="down: pinky tip (y 2)"),
        pytest.param((-1.0, 0.0), 20, does_not_raise(), id="backward: pinky tip (x 18), thumb excluded"),
        pytest.param((0.0, 0.0), None, pytest.raises(ValidationError, match="non-zero"), id="zero"),
    ],
)
def test_forward_most(direction, expected, context) -> None:
    with context:
        assert forward_most(_hand(), np.array(direction)) == expected


def test_forward_most_can_include_the_thumb() -> None:
    """Up (−y): among all five tips the thumb (y −6) wins."""
    assert forward_most(_hand(), np.array([0.0, -1.0]), among=(4, 8, 12, 16, 20)) == 4


def test_hand_mismatch_in_palm_lengths() -> None:
    """Palm length = |wrist → midpoint of knuckles 5 and 17| = 10. Pose points 3 px off each: mismatch 0.3."""
    h = _hand()
    assert hand_mismatch(h, h[0] + [3, 0], h[5] + [0, 3], h[17] - [3, 0]) == pytest.approx(0.3)
    assert hand_mismatch(h, h[0] + [5, 0], NAN2, NAN2) == pytest.approx(0.5)
    assert np.isnan(hand_mismatch(h, NAN2, NAN2, NAN2))


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        pytest.param([[0.2, 0.9], [0.8, 0.3]], [0, 1], id="diagonal"),
        pytest.param([[0.5, 0.4], [0.6, 1.2]], [1, 0], id="total 1.0 beats 1.6"),
        pytest.param([[0.2, 0.3]], [0, None], id="one-hand-to-the-cheaper-arm"),
        pytest.param([[2.0, 0.3], [np.nan, 2.5]], [None, 0], id="over-max-and-nan"),
        pytest.param(np.zeros((0, 2)), [None, None], id="no-hands"),
        pytest.param([[1.4, 0.1], [0.1, 1.4]], [1, 0], id="two-pairs-beat-one"),
    ],
)
def test_assign_hands(cost, expected) -> None:
    assert assign_hands(np.asarray(cost, float).reshape(-1, 2), max_cost=1.5) == expected


def test_crop_from_landmarks() -> None:
    """The synthetic hand points +x: angle 0 (wrist→knuckle 9).

    Its box spans x 0..22 and y −6..2, so the centre is (11, −2) and the side 1.8 × 22.
    """
    crop = crop_from_landmarks(_hand(), margin=1.8)
    assert crop.angle_rad == pytest.approx(0.0)
    np.testing.assert_allclose(crop.centre, (11.0, -2.0), atol=1e-9)
    assert crop.side_px == pytest.approx(1.8 * 22.0)
    bad = _hand()
    bad[3] = np.nan
    assert crop_from_landmarks(bad) is None
