"""The causal One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) for live use.

Reference: G. Casiez, N. Roussel and D. Vogel, "1 € Filter: A Simple
Speed-based Low-pass Filter for Noisy Input in Interactive Systems", CHI 2012,
doi:10.1145/2207676.2208639.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from tiltscreen.errors import ValidationError
from tiltscreen.landmarks import Landmarks
from tiltscreen.signal._common import SPACES, number_problems, raise_if_problems, whole_points


def _param_problems(min_cutoff: object, beta: object, d_cutoff: object) -> list[str]:
    return [
        *number_problems("min_cutoff", min_cutoff, low=0.0, low_inclusive=False),
        *number_problems("beta", beta, low=0.0),
        *number_problems("d_cutoff", d_cutoff, low=0.0, low_inclusive=False),
    ]


def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray:
    """Smoothing factor of a first-order low-pass with ``cutoff_hz`` sampled after ``dt`` seconds."""
    r = 2.0 * math.pi * np.asarray(cutoff_hz) * dt
    return r / (r + 1.0)


class OneEuroFilter:
    """Stateful One-Euro filter, applied element-wise to an array of any fixed shape.

    Parameters
    ----------
    min_cutoff : float, default 1.0
        Cut-off (Hz) when the signal is still; lower = smoother but more lag.
    beta : float, default 0.05
        Increase of the cut-off (Hz) per unit of speed (input units per second);
        higher = less lag during fast movement. 0 gives a plain first-order
        low-pass at ``min_cutoff``.
    d_cutoff : float, default 1.0
        Cut-off (Hz) of the low-pass applied to the speed estimate.

    Notes
    -----
    Call it once per frame with the frame's values and its real timestamp;
    each call returns the filtered values for that frame and depends only on
    that frame and earlier ones (causal). At each step with interval ``dt``
    (s): ``alpha(fc) = 2 pi fc dt / (2 pi fc dt + 1)``; the speed
    ``(x - x_hat_prev) / dt`` is smoothed with ``alpha(d_cutoff)``; then
    ``x_hat = x_hat_prev + alpha(min_cutoff + beta |speed|) (x - x_hat_prev)``.

    NaN behaviour: a NaN element is returned as NaN and its state is dropped;
    the next finite value of that element starts afresh (output = input, speed
    0). The first call, and the first call after :meth:`reset`, return the
    input unchanged. Other elements are unaffected.

    Because ``alpha >= alpha(min_cutoff)`` at every step, after a step of height
    A the remaining error after n frames of interval dt is at most
    ``A (1 - alpha(min_cutoff))**n``, whatever ``beta``, with no overshoot.

    Examples
    --------
    >>> f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    >>> float(f([1.0], t_s=0.0)[0]), float(f([1.0], t_s=0.1)[0])
    (1.0, 1.0)

    """

    def __init__(self, *, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0) -> None:
        problems = _param_problems(min_cutoff, beta, d_cutoff)
        if problems:
            raise ValidationError("OneEuroFilter: " + "; ".join(problems) + ".")
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.reset()

    def reset(self) -> None:
        """Forget all state; the next call starts afresh."""
        self._t_prev: float | None = None
        self._x_hat: np.ndarray | None = None
        self._dx_hat: np.ndarray | None = None

    def __call__(self, x: ArrayLike, *, t_s: float) -> np.ndarray:
        """Filter one frame ``x`` observed at time ``t_s`` (s); return a new array of x's shape."""
        x = np.asarray(x, dtype=np.float64)
        self._check_call(x, t_s)
        if self._x_hat is None or self._dx_hat is None or self._t_prev is None:
            x_hat, dx_hat = x.copy(), np.zeros_like(x)
        else:
            dt = float(t_s) - self._t_prev
            fresh = np.isnan(self._x_hat)
            dx = (x - self._x_hat) / dt
            dx_hat = self._dx_hat + _alpha(self.d_cutoff, dt) * (dx - self._dx_hat)
            a = _alpha(self.min_cutoff + self.beta * np.abs(dx_hat), dt)
            x_hat = np.where(fresh, x, self._x_hat + a * (x - self._x_hat))
            dx_hat = np.where(fresh | np.isnan(x_hat), 0.0, dx_hat)
        self._t_prev, self._x_hat, self._dx_hat = float(t_s), x_hat, dx_hat
        return x_hat.copy()

    def _check_call(self, x: np.ndarray, t_s: float) -> None:
        problems = []
        if isinstance(t_s, bool) or not isinstance(t_s, int | float | np.floating | np.integer):
            problems.append(f"t_s must be a number, got {t_s!r}")
        elif not math.isfinite(t_s):
            problems.append(f"t_s must be finite, got {t_s!r}")
        elif self._t_prev is not None and not t_s > self._t_prev:
            problems.append(f"t_s must increase, got {t_s!r} after {self._t_prev!r}")
        if self._x_hat is not None and x.shape != self._x_hat.shape:
            problems.append(f"x must keep the shape {self._x_hat.shape}, got {x.shape}")
        if np.isinf(x).any():
            problems.append("x must not contain infinite values")
        if problems:
            raise ValidationError("OneEuroFilter: " + "; ".join(problems) + ".")


def one_euro(
    lm: Landmarks, *, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0
) -> Landmarks:
    """Apply the causal One-Euro filter frame by frame to every landmark.

    Parameters
    ----------
    lm : Landmarks
        Input landmarks; not modified.
    min_cutoff, beta, d_cutoff : float
        See :class:`OneEuroFilter` (Hz, Hz per unit/s, Hz).

    Returns
    -------
    Landmarks
        A new object with ``xyz`` and ``world`` filtered; visibility and presence
        carried unchanged. The step ``"one_euro"`` is appended to the provenance
        with the parameters and ``n_restarts`` (times a point restarted after
        being missing).

    Raises
    ------
    ValidationError
        If ``lm`` is not a :class:`Landmarks` or a parameter is invalid.

    Notes
    -----
    Causal: the output at frame t depends only on frames <= t, so it matches
    what a live run with :class:`OneEuroFilter` would have shown.

    Units: the real ``timestamps_s`` set each step's interval (variable frame
    rate is handled). ``beta`` multiplies a speed in the array's own units per
    second, and the same value is used for ``xyz`` (image fractions) and
    ``world`` (metres); a person of 1.7 m filling half the image height moves
    about 3.4 x faster in ``xyz`` units than in metres.

    NaN and gap behaviour: a point is missing if any of its coordinates is NaN;
    it stays NaN, and the filter restarts at its next valid frame (first value
    passed through), so nothing leaks across a gap. Edges: the first valid frame
    of each point is passed through unfiltered.

    """
    raise_if_problems("one_euro", lm, _param_problems(min_cutoff, beta, d_cutoff))

    stacked = np.concatenate([whole_points(getattr(lm, s)) for s in SPACES], axis=-1)
    filt = OneEuroFilter(min_cutoff=min_cutoff, beta=beta, d_cutoff=d_cutoff)
    out = np.empty_like(stacked)
    for i, t in enumerate(lm.timestamps_s):
        out[i] = filt(stacked[i], t_s=float(t))
    valid = np.isfinite(stacked[..., ::3])  # first coordinate of each space stands for its point
    n_restarts = int((valid[1:] & ~valid[:-1]).sum())
    params = {"min_cutoff": min_cutoff, "beta": beta, "d_cutoff": d_cutoff, "n_restarts": n_restarts}
    return lm.with_step("one_euro", params, xyz=out[..., :3], world=out[..., 3:])
