from __future__ import annotations

import contextlib

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.signal import gate_visibility

T = np.arange(4) / 30.0


@pytest.fixture
def scored(make_landmarks):
    """4 frames, every coordinate 0.5; landmark 0's visibility 0.9, 0.4, NaN, 0.5 and presence 0.9,
    0.9, 0.9, 0.2; every other landmark scores 0.9. World coordinates are 2.0.

    With both thresholds 0.5, landmark 0 is kept only in frame 0 (0.4 < 0.5, NaN fails, presence
    0.2 < 0.5): 3 points removed, 4 x 33 - 3 = 129 kept.
    """
    vis = np.full((4, 33), 0.9)
    pres = np.full((4, 33), 0.9)
    vis[:, 0] = [0.9, 0.4, np.nan, 0.5]
    pres[:, 0] = [0.9, 0.9, 0.9, 0.2]
    return make_landmarks(0.5, T, world=2.0, visibility=vis, presence=pres)


def test_gates_per_landmark_per_frame(scored):
    out = gate_visibility(scored, min_visibility=0.5, min_presence=0.5)
    expected_kept = np.ones((4, 33), dtype=bool)
    expected_kept[1:, 0] = False
    for arr in (out.xyz, out.world):
        np.testing.assert_array_equal(np.isfinite(arr).all(axis=-1), expected_kept)
        np.testing.assert_array_equal(np.isnan(arr).all(axis=-1), ~expected_kept)
    np.testing.assert_array_equal(out.xyz[expected_kept], 0.5)
    np.testing.assert_array_equal(out.visibility, scored.visibility, strict=True)
    np.testing.assert_array_equal(out.presence, scored.presence)


def test_none_skips_a_test(scored):
    out = gate_visibility(scored, min_visibility=None, min_presence=0.5)
    kept = np.isfinite(out.xyz[:, 0, 0])
    np.testing.assert_array_equal(kept, [True, True, True, False])


def test_records_provenance_and_does_not_mutate(scored):
    before = scored.xyz.copy()
    out = gate_visibility(scored)
    step = out.provenance[-1]
    assert step.name == "gate_visibility"
    assert step.params == {"min_visibility": 0.5, "min_presence": 0.5, "n_points_removed": 3,
                           "n_points_kept": 129}  # fmt: skip
    assert out is not scored
    np.testing.assert_array_equal(scored.xyz, before)
    assert scored.provenance == ()


@pytest.mark.parametrize(
    ("kwargs", "expectation"),
    [
        pytest.param({}, contextlib.nullcontext(), id="defaults"),
        pytest.param({"min_visibility": 0, "min_presence": 1}, contextlib.nullcontext(), id="bounds"),
        pytest.param({"min_visibility": None, "min_presence": None}, contextlib.nullcontext(), id="none"),
        pytest.param({"min_visibility": 1.5}, pytest.raises(ValidationError, match=r"min_visibility .* 1\.5"),
                     id="visibility-above-1"),
        pytest.param({"min_presence": -0.1}, pytest.raises(ValidationError, match=r"min_presence .* -0\.1"),
                     id="presence-negative"),
        pytest.param({"min_visibility": "0.5"}, pytest.raises(ValidationError, match=r"got '0\.5'"),
                     id="string"),
        pytest.param({"min_visibility": float("nan")}, pytest.raises(ValidationError, match="got nan"),
                     id="nan"),
        pytest.param({"min_visibility": True}, pytest.raises(ValidationError, match="got True"), id="bool"),
        pytest.param({"min_visibility": 2, "min_presence": 3},
                     pytest.raises(ValidationError, match="min_visibility.*; min_presence"),
                     id="all-problems-at-once"),
    ],
)  # fmt: skip
def test_parameters(scored, kwargs, expectation):
    with expectation:
        gate_visibility(scored, **kwargs)


def test_rejects_non_landmarks():
    with pytest.raises(ValidationError, match="lm must be a Landmarks, got ndarray"):
        gate_visibility(np.zeros((4, 33, 3)))
