"""Tests for the signed-angle primitive and its helpers."""

from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.vectors import image_to_up, included_angle, rotate_2d, signed_angle_2d


@pytest.mark.parametrize(
    ("u", "v", "expected"),
    [
        pytest.param([1, 0], [0, 1], 90.0, id="x-to-y-ccw"),
        pytest.param([0, 1], [1, 0], -90.0, id="y-to-x-cw"),
        pytest.param([1, 0], [1, 1], 45.0, id="45"),
        pytest.param([1, 0], [1, -1], -45.0, id="minus-45"),
        pytest.param([1, 0], [-1, -1], -135.0, id="minus-135"),
        pytest.param([1, 0], [-1, 0], 180.0, id="opposite-is-plus-180"),
        pytest.param([0, 1], [0, -1], 180.0, id="opposite-vertical"),
        pytest.param([2, 0], [0, 5], 90.0, id="lengths-ignored"),
        pytest.param([1, 0], [np.cos(np.deg2rad(1e-6)), np.sin(np.deg2rad(1e-6))], 1e-6, id="tiny"),
        pytest.param([1, 0], [1, 0], 0.0, id="same"),
    ],
)
def test_signed_angle_known_answers(u: list[float], v: list[float], expected: float) -> None:
    assert float(signed_angle_2d(u, v)) == pytest.approx(expected, abs=1e-12)


def test_signed_angle_antisymmetric_and_in_range(rng: np.random.Generator) -> None:
    u, v = rng.normal(size=(2, 1000, 2))
    a, b = signed_angle_2d(u, v), signed_angle_2d(v, u)
    np.testing.assert_allclose(a, -b, atol=1e-9)
    assert np.all((a > -180) & (a <= 180))


def test_signed_angle_rotation_and_scale_invariant(rng: np.random.Generator) -> None:
    u, v = rng.normal(size=(2, 500, 2))
    turn = rng.uniform(-180, 180, size=500)
    scale = rng.uniform(0.1, 10, size=(500, 1))
    base = signed_angle_2d(u, v)
    keep = np.abs(base) < 179  # away from the +-180 seam
    moved = signed_angle_2d(rotate_2d(u, turn) * scale, rotate_2d(v, turn))
    np.testing.assert_allclose(moved[keep], base[keep], atol=1e-9)


def test_signed_angle_nan_and_zero_vectors_give_nan() -> None:
    out = signed_angle_2d([[np.nan, 1.0], [0.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == 90.0


def test_image_to_up_flips_y_and_sense_of_rotation() -> None:
    """On screen (y down) the vector (1, 1) points down-right, i.e. below the horizontal."""
    np.testing.assert_array_equal(image_to_up([1.0, 1.0]), [1.0, -1.0])
    assert float(signed_angle_2d([1, 0], image_to_up([1.0, 1.0]))) == pytest.approx(-45.0)
    np.testing.assert_array_equal(image_to_up(image_to_up([[3.0, -2.0]])), [[3.0, -2.0]])


def test_rotate_known_answer() -> None:
    np.testing.assert_allclose(
        rotate_2d([[1.0, 0.0], [0.0, 1.0]], 90.0), [[0.0, 1.0], [-1.0, 0.0]], atol=1e-15
    )


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        pytest.param([0, 1], [0, 0], [1, 0], 90.0, id="right-angle"),
        pytest.param([-1, 0], [0, 0], [2, 0], 180.0, id="straight"),
        pytest.param([1, 0], [0, 0], [3, 0], 0.0, id="folded"),
        pytest.param([1, 1], [0, 0], [1, -1], 90.0, id="symmetric"),
        pytest.param([0, 1], [0, 0], [1, 1], 45.0, id="45"),
    ],
)
def test_included_angle_known_answers(
    a: list[float], b: list[float], c: list[float], expected: float
) -> None:
    assert float(included_angle(a, b, c)) == pytest.approx(expected)
    # independent of the y direction: image and y-up frames agree
    assert float(included_angle(image_to_up(a), image_to_up(b), image_to_up(c))) == pytest.approx(expected)


def test_included_angle_nan() -> None:
    assert np.isnan(included_angle([np.nan, 0], [0, 0], [1, 0]))
    assert np.isnan(included_angle([0, 0], [0, 0], [1, 0]))


@pytest.mark.parametrize(
    ("func", "args", "match"),
    [
        pytest.param(signed_angle_2d, ([1, 0, 0], [0, 1]), "u must have a last axis of length 2", id="3d-u"),
        pytest.param(signed_angle_2d, ([1, 0], 5.0), "v must have a last axis", id="scalar-v"),
        pytest.param(signed_angle_2d, ([1, 0], ["a", "b"]), "v must be numeric", id="text"),
        pytest.param(included_angle, ([1, 0], [0, 0, 0], [1, 1]), "b must have a last axis", id="included"),
        pytest.param(image_to_up, ([1, 2, 3],), "vec must have a last axis", id="image-to-up"),
    ],
)
def test_invalid_inputs(func, args, match: str) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match=match):
        func(*args)
