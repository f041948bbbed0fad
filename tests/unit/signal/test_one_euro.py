from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.signal import OneEuroFilter, one_euro

FPS = 60.0
#: alpha(min_cutoff = 1 Hz, dt = 1/60 s) = 2 pi dt fc / (2 pi dt fc + 1) = 0.104720 / 1.104720
ALPHA_1HZ_60 = (2 * math.pi / FPS) / (2 * math.pi / FPS + 1)


def run(values: np.ndarray, t: np.ndarray, **params: float) -> np.ndarray:
    """Feed ``values[i]`` at ``t[i]`` through a fresh OneEuroFilter; stack the outputs."""
    f = OneEuroFilter(**params)
    return np.stack([f(v, t_s=float(ti)) for v, ti in zip(values, t, strict=True)])


@pytest.fixture
def walk(rng):
    """300 frames at 60 Hz of a Gaussian random walk (step sd 0.01) in 4 independent channels."""
    return np.cumsum(rng.normal(scale=0.01, size=(300, 4)), axis=0), np.arange(300) / FPS


def test_causal(walk):
    """Replacing every sample from frame 150 on must leave frames 0-149 of the output bit-identical."""
    x, t = walk
    changed = x.copy()
    changed[150:] = np.random.default_rng(1).normal(size=(150, 4))
    a, b = run(x, t, beta=0.5), run(changed, t, beta=0.5)
    np.testing.assert_array_equal(a[:150], b[:150])
    assert not np.array_equal(a[150:], b[150:])


def test_causal_over_landmarks(make_landmarks, walk):
    x, t = walk
    lm = make_landmarks(x[:, 0], t, world=x[:, 1])
    changed = make_landmarks(np.where(t < 2.0, x[:, 0], 5.0), t, world=x[:, 1])
    before = t < 2.0
    np.testing.assert_array_equal(one_euro(lm).xyz[before], one_euro(changed).xyz[before])
    np.testing.assert_array_equal(one_euro(lm).world, one_euro(changed).world)


@pytest.mark.parametrize("beta", [0.0, 0.05, 1.0, 20.0])
def test_step_lag_bound(beta):
    """A unit step at frame 30 (60 Hz). Each update shrinks the error e = 1 - x_hat by (1 - alpha) with
    alpha >= alpha(min_cutoff) = 0.0948, so j frames after the step e <= (1 - 0.0948)^(j + 1),
    monotonically, without overshoot: 90 % of the step within 23 frames (0.38 s) for every beta;
    with beta = 0 the bound is met exactly."""
    t = np.arange(120) / FPS
    x = (np.arange(120) >= 30).astype(float)
    y = run(x, t, min_cutoff=1.0, beta=beta)
    err = 1.0 - y[30:]
    bound = (1 - ALPHA_1HZ_60) ** np.arange(1, 91)
    assert np.all(err <= bound + 1e-12)
    assert np.all(np.diff(err) <= 0) and np.all(err >= 0)
    assert np.all(y[:30] == 0.0)
    if beta == 0.0:
        np.testing.assert_allclose(err, bound, rtol=1e-12)
    else:
        assert err[5] < bound[5]  # speed raised the cut-off: less lag than the plain low-pass


def test_converges_on_a_constant(rng):
    """Noise of sd 1 around 3.0 with beta = 0 is a first-order low-pass with alpha = 0.0948, whose output
    variance is alpha / (2 - alpha) of the input's: sd ratio sqrt(0.0948 / 1.9052) = 0.223. An exact
    constant passes through unchanged from the first frame."""
    t = np.arange(6000) / FPS
    assert np.all(run(np.full((6000, 1), 3.0), t) == 3.0)
    y = run(3.0 + rng.normal(size=(6000, 1)), t, beta=0.0)[600:, 0]
    expected_sd = math.sqrt(ALPHA_1HZ_60 / (2 - ALPHA_1HZ_60))
    assert np.std(y) == pytest.approx(expected_sd, rel=0.1)
    assert np.mean(y) == pytest.approx(3.0, abs=0.05)


def test_uses_real_timestamps():
    """With beta = 0, one step of dt = 0.5 s at 1 Hz has alpha = pi / (pi + 1) = 0.7585."""
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    f(np.zeros(2), t_s=0.0)
    np.testing.assert_allclose(f(np.ones(2), t_s=0.5), math.pi / (math.pi + 1))


def test_nan_resets_only_that_element():
    t = np.arange(10) / FPS
    x = np.column_stack([np.arange(10.0), np.arange(10.0)])
    x[4, 0] = np.nan
    y = run(x, t)
    assert np.isnan(y[4, 0])
    assert y[5, 0] == x[5, 0]  # restarts: first value after the gap passes through
    np.testing.assert_array_equal(y[:4, 0], y[:4, 1])
    assert np.isfinite(y[:, 1]).all() and y[5, 1] != x[5, 1]


def test_any_shape_and_reset():
    f = OneEuroFilter()
    first = f(np.ones((2, 3, 4)), t_s=0.0)
    assert first.shape == (2, 3, 4)
    f.reset()
    np.testing.assert_array_equal(f(np.zeros(5), t_s=0.0), 0.0)


def test_one_euro_matches_the_live_filter_and_records_provenance(make_landmarks, walk):
    x, t = walk
    xyz = np.broadcast_to(x[:, :1, None], (300, 33, 3)).copy()
    xyz[100:103, 4] = np.nan
    lm = make_landmarks(xyz, t)
    out = one_euro(lm, min_cutoff=1.5, beta=0.1, d_cutoff=1.0)
    live = run(xyz[:, 4], t, min_cutoff=1.5, beta=0.1, d_cutoff=1.0)
    np.testing.assert_array_equal(out.xyz[:, 4], live)
    assert np.isnan(out.world).all()
    np.testing.assert_array_equal(out.visibility, lm.visibility)
    step = out.provenance[-1]
    assert step.name == "one_euro"
    assert step.params == {"min_cutoff": 1.5, "beta": 0.1, "d_cutoff": 1.0, "n_restarts": 1}
    assert lm.provenance == ()


@pytest.mark.parametrize(
    ("kwargs", "expectation"),
    [
        pytest.param({}, contextlib.nullcontext(), id="defaults"),
        pytest.param({"beta": 0, "min_cutoff": 0.01}, contextlib.nullcontext(), id="beta-zero"),
        pytest.param({"min_cutoff": 0},
                     pytest.raises(ValidationError, match=r"min_cutoff must be .*\(0, inf\)"),
                     id="zero-min-cutoff"),
        pytest.param({"beta": -0.1}, pytest.raises(ValidationError, match=r"beta .* got -0\.1"),
                     id="negative-beta"),
        pytest.param({"d_cutoff": float("nan")}, pytest.raises(ValidationError, match="d_cutoff .* got nan"),
                     id="nan-d-cutoff"),
        pytest.param({"min_cutoff": "1", "beta": None, "d_cutoff": -1},
                     pytest.raises(ValidationError, match="min_cutoff.*; beta.*; d_cutoff"),
                     id="all-problems-at-once"),
    ],
)  # fmt: skip
def test_parameters(make_landmarks, kwargs, expectation):
    lm = make_landmarks(0.5, np.arange(5) / FPS)
    with expectation:
        one_euro(lm, **kwargs)
    valid = isinstance(expectation, contextlib.nullcontext)
    with contextlib.nullcontext() if valid else pytest.raises(ValidationError, match="^OneEuroFilter: "):
        OneEuroFilter(**kwargs)


@pytest.mark.parametrize(
    ("x", "t_s", "match"),
    [
        pytest.param(np.zeros(3), 0.0, r"t_s must increase, got 0\.0 after 0\.0", id="repeated-time"),
        pytest.param(np.zeros(3), float("nan"), "t_s must be finite", id="nan-time"),
        pytest.param(np.zeros(4), 1.0, r"keep the shape \(3,\), got \(4,\)", id="shape-change"),
        pytest.param(np.array([0, np.inf, 0]), 1.0, "infinite", id="infinite-value"),
    ],
)
def test_live_filter_rejects_bad_frames(x, t_s, match):
    f = OneEuroFilter()
    f(np.zeros(3), t_s=0.0)
    with pytest.raises(ValidationError, match=match):
        f(x, t_s=t_s)
