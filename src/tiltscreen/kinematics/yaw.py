"""Camera yaw from how far apart the left and right body points appear, with a measured error.

Sign convention as :mod:`tiltscreen.kinematics.view`: yaw is positive when the camera has moved
round towards the subject's front (it sees some chest), negative towards the back.

Model
-----
Seen from the side at yaw ``psi`` (orthographic), two points a lateral distance ``W`` apart
appear ``W sin(psi)`` apart along the image x axis, the far one ahead (in the facing direction)
when the camera sees the front. Divided by the trunk length ``T`` (mid-hip to mid-shoulder, a
vertical length that yaw does not change), each pair gives a separation ``s = k sin(psi)`` with
``k = W / T``. MediaPipe does not place far-side points where geometry would: it reads oblique
views as nearly square, so ``k`` is not the anatomical ratio but an effective gain, fitted per
pair on development renders (few parameters: one per pair). The pairs used are the hips (the
joint centres' spacing is anatomical and stable), the heels and the toes (both feet are usually
in view, so the model places the far foot better; their spacing depends on the stance, which
the set-up asks to keep natural). Each pair's ``sin(psi)`` estimate ``s / k`` is weighted by
``(k / spread)**2`` (``spread`` = its residual SD on the renders) and the weighted mean is the
estimate. Its error is the spread of leave-one-clip-out errors on the development renders
(``thresholds.json``, ``camera.yaw``), stated as a 95% half-width.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.kinematics._checks import (
    facing_problems,
    landmarks_problems,
    raise_if_problems,
    side_problems,
)
from tiltscreen.landmarks import Landmarks


@dataclass(frozen=True)
class YawModel:
    """The fitted gains of the yaw estimate (see the module notes).

    Attributes
    ----------
    gains : mapping of str to float
        Pair name (``hip``, ``heel``, ``foot_index``, ``shoulder``, ...) to its gain ``k``:
        apparent separation, in trunk lengths, per unit ``sin(yaw)``; > 0.
    spreads : mapping of str to float
        Residual SD of each pair's separation about ``k sin(yaw)``, trunk lengths; > 0.
    sd_deg : float
        1-SD error of the combined estimate, degrees (measured; leave-one-clip-out on renders).

    """

    gains: Mapping[str, float] = field(default_factory=lambda: {"hip": 0.45, "heel": 0.7, "foot_index": 0.75})
    spreads: Mapping[str, float] = field(
        default_factory=lambda: {"hip": 0.02, "heel": 0.04, "foot_index": 0.04}
    )
    sd_deg: float = 2.5

    def __post_init__(self) -> None:
        problems = []
        if not self.gains or set(self.gains) != set(self.spreads):
            problems.append("gains and spreads must name the same, non-empty set of pairs")
        bad = [k for k in self.gains if not (self.gains[k] > 0 and self.spreads.get(k, 0) > 0)]
        if bad:
            problems.append(f"gains and spreads must be positive, got {sorted(bad)}")
        if not (math.isfinite(self.sd_deg) and self.sd_deg > 0):
            problems.append(f"sd_deg must be positive, got {self.sd_deg!r}")
        raise_if_problems("YawModel", problems)


@dataclass(frozen=True)
class ViewYaw:
    """Outcome of :func:`estimate_view_yaw`.

    Attributes
    ----------
    yaw_deg : float
        Degrees (module convention); NaN when no pair was seen.
    half95_deg : float
        Half-width of the 95% interval, degrees: ``1.96 x sd_deg``, widened when some pairs were
        not seen (their weight is missing).
    separations : dict of str to float
        Each pair's median separation, trunk lengths (NaN when not seen).
    n_frames : int
        Frames with the trunk and at least one pair.

    """

    yaw_deg: float
    half95_deg: float
    separations: dict[str, float]
    n_frames: int


def _trunk_px(lm: Landmarks) -> np.ndarray:
    mid_sh = (lm.point("left_shoulder") + lm.point("right_shoulder")) / 2.0
    mid_hip = (lm.point("left_hip") + lm.point("right_hip")) / 2.0
    return np.hypot(*(mid_sh - mid_hip).T)


def pair_separations(
    lm: Landmarks, side: str, *, facing: int, pairs: tuple[str, ...]
) -> tuple[dict[str, float], int]:
    """Median apparent far-minus-near separation of each left/right pair, trunk lengths.

    Parameters
    ----------
    lm : Landmarks
        One subject over a recording.
    side : {"left", "right"}
        The near side.
    facing : {+1, -1}
        +1 if the subject faces image-right.
    pairs : tuple of str
        Landmark names without the side prefix (``"hip"`` means left_hip and right_hip).

    Returns
    -------
    separations : dict of str to float
        ``median over frames of facing * (x_far - x_near) / T``; positive when the far point
        appears ahead (a view of the front); NaN when never seen.
    n_frames : int
        Frames with the trunk and at least one pair.

    """
    problems = landmarks_problems(lm) + side_problems(side) + facing_problems(facing)
    raise_if_problems("pair_separations", problems)
    far = "left" if side == "right" else "right"
    trunk = _trunk_px(lm)
    trunk = np.where(trunk > 0, trunk, np.nan)
    out, seen = {}, np.zeros(lm.n_frames, bool)
    for name in pairs:
        dx = facing * (lm.point(f"{far}_{name}")[:, 0] - lm.point(f"{side}_{name}")[:, 0]) / trunk
        ok = np.isfinite(dx)
        seen |= ok
        out[name] = float(np.median(dx[ok])) if ok.any() else math.nan
    return out, int(seen.sum())


def estimate_view_yaw(lm: Landmarks, side: str, *, facing: int, model: YawModel) -> ViewYaw:
    """Estimate the camera's yaw from the apparent spacing of the hips and feet.

    Parameters
    ----------
    lm : Landmarks
        One subject over a recording.
    side : {"left", "right"}
        The near side (:func:`tiltscreen.kinematics.view.near_side`).
    facing : {+1, -1}
        +1 if the subject faces image-right.
    model : YawModel
        Gains, spreads and the measured error (``thresholds.json``, ``camera.yaw``).

    Returns
    -------
    ViewYaw
        ``yaw_deg = asin(weighted mean of s / k)`` in degrees, clipped to [-90, 90], with its
        95% half-width.

    Notes
    -----
    Pairs not seen in any frame drop out; the half-width then grows by
    ``sqrt(total weight / weight seen)``. With no pair seen the yaw is NaN (the view check
    reports it as not measured).

    """
    sep, n = pair_separations(lm, side, facing=facing, pairs=tuple(model.gains))
    weights = {k: (model.gains[k] / model.spreads[k]) ** 2 for k in model.gains}
    seen = [k for k, v in sep.items() if math.isfinite(v)]
    if not seen:
        return ViewYaw(math.nan, math.nan, sep, n)
    total = sum(weights[k] for k in seen)
    sine = sum(weights[k] * sep[k] / model.gains[k] for k in seen) / total
    yaw = math.degrees(math.asin(min(max(sine, -1.0), 1.0)))
    half = 1.96 * model.sd_deg * math.sqrt(sum(weights.values()) / total)
    return ViewYaw(yaw, half, sep, n)
