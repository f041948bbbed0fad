"""Synthetic sit-and-reach reach trajectories (plain functions, imported by the tests and conftest).

A reach trajectory is a list of phases evaluated at any timestamps (so variable
frame rates are easy):

- ``("flat", d)``: stay at the current level for ``d`` s (rest or hold);
- ``("move", d, to)``: raised-cosine move from the current level to ``to`` in ``d`` s,
  ``r = a + (to - a) (1 - cos(pi u)) / 2`` with ``u = tau / d``;
- ``("bounce", d, amp, hz)``: ``level + amp sin(2 pi hz tau)`` for ``d`` s (ballistic reaching).

Hold arithmetic used below: a raised-cosine move of amplitude ``A`` and duration
``T`` into (or out of) a plateau lies within ``b`` of the plateau for the last
(first) ``T (1 - acos(2b/A - 1) / pi)`` seconds (:func:`band_time`), and moves at
most ``v`` per second for the last (first) ``T asin(2 T v / (pi A)) / pi`` seconds
(:func:`still_time`, its speed being ``(pi A / 2T) sin(pi u)``). The hold counts
the frames that are both within the band and still (3 cm/s), so the measured hold
is the plateau plus the shorter of the two at each edge (:func:`edge_time`).
"""

from __future__ import annotations

import math

import numpy as np

from tiltscreen.protocols.sit_and_reach.trials import Trial

FPS = 30.0
REST = -10.0
#: two trials: rest 1 s at -10 cm, reach 1.5 s to +12, hold 3 s, return 1 s, rest 2 s,
#: reach 1.5 s to +15, hold 2.5 s, return 1 s, rest 1 s (14.5 s in all)
TWO_TRIALS = [
    ("flat", 1.0), ("move", 1.5, 12.0), ("flat", 3.0), ("move", 1.0, REST), ("flat", 2.0),
    ("move", 1.5, 15.0), ("flat", 2.5), ("move", 1.0, REST), ("flat", 1.0),
]  # fmt: skip


def band_time(duration_s: float, amplitude: float, band: float = 1.0) -> float:
    """Seconds a raised-cosine move (``amplitude``, ``duration_s``) spends within ``band`` of its end."""
    return duration_s * (1 - math.acos(2 * band / amplitude - 1) / math.pi)


def still_time(duration_s: float, amplitude: float, speed: float = 3.0) -> float:
    """Seconds at the end of a raised-cosine move (``amplitude``, ``duration_s``) slower than ``speed``/s."""
    ratio = 2 * duration_s * speed / (math.pi * abs(amplitude))
    return duration_s if ratio >= 1 else duration_s * math.asin(ratio) / math.pi


def edge_time(duration_s: float, amplitude: float, band: float = 1.0, speed: float = 3.0) -> float:
    """Seconds of a move's end that count in a hold: within ``band`` of the plateau and still."""
    return min(band_time(duration_s, amplitude, band), still_time(duration_s, amplitude, speed))


def reach_at(t: np.ndarray, phases: list[tuple], *, start: float = REST) -> np.ndarray:
    """Evaluate a phase list (see the module docstring) at times ``t`` (s); after the last phase: flat."""
    out = np.full(len(t), np.nan)
    level, t0 = start, 0.0
    for phase in phases:
        kind, d = phase[0], phase[1]
        tau = t - t0
        inside = (tau >= 0) & (tau < d)
        if kind == "flat":
            out[inside] = level
        elif kind == "move":
            to = phase[2]
            out[inside] = level + (to - level) * (1 - np.cos(np.pi * tau[inside] / d)) / 2
            level = to
        elif kind == "bounce":
            amp, hz = phase[2], phase[3]
            out[inside] = level + amp * np.sin(2 * np.pi * hz * tau[inside])
        t0 += d
    out[t >= t0] = level
    return out


def duration(phases: list[tuple]) -> float:
    """Total duration (s) of a phase list."""
    return float(sum(p[1] for p in phases))


def trial(
    reach: float = 5.0, *, valid: bool = True, reasons: tuple[str, ...] = (), codes: tuple[str, ...] = ()
) -> Trial:
    """A detected trial: start 1.0 s (frame 30 at 30 fps), maximum 3.0 s, hold frames 90-164
    (3.0-5.5 s, 2.5 s), end 7.0 s; knees 3 deg, hip 110 deg, trunk 30 deg at the maximum."""
    return Trial(
        index=0,
        start_s=1.0,
        max_reach_s=3.0,
        end_s=7.0,
        hold_s=2.5,
        reach=reach,
        valid=valid,
        invalid_reasons=reasons,
        bouncing=False,
        knee_flexion_max_deg=3.0,
        hip_flexion_at_max_deg=110.0,
        trunk_inclination_at_max_deg=30.0,
        frames=slice(30, 210),
        hold_frames=slice(90, 165),
        hands_gap_at_max=1.0,
        invalid_codes=codes,
        unit="cm",
    )
