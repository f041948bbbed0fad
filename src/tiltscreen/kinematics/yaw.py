"""Camera yaw from how far apart the left and right body points appear, with a measured error.

Sign convention as :mod:`tiltscreen.kinematics.view`: yaw is positive when the camera has moved
round towards the subject's front (it sees some chest), negative towards the back. The yaw reported
is that of the camera's optical axis (what the set-up asks to keep square to the subject's side).

Model
-----
Seen from the side at yaw ``psi`` (orthographic), two points a lateral distance ``W`` apart
appear ``W sin(psi)`` apart along the image x axis, the far one ahead (in the facing direction)
when the camera sees the front. Divided by the trunk length ``T`` (mid-hip to mid-shoulder, a
vertical length that yaw does not change), each pair gives a separation ``s = k sin(psi)`` with
``k = W / T``. MediaPipe does not place far-side points where geometry would: it reads oblique
views as nearly square, so ``k`` is not the anatomical ratio but an effective gain, fitted per
pair on development renders (few parameters: a gain per pair, and optionally the spacing ``b``
the model shows at a square view, so ``s = b + k sin(psi)``). The pairs used are the hips (the
joint centres' spacing is anatomical and stable) and the feet (the mean of heel and toes: both
feet are usually in view, so the model places the far foot better; their spacing depends on the
stance, which the set-up asks to keep natural). Each pair's ``sin(psi)`` estimate
``(s - b) / k`` is weighted by ``(k / spread)**2`` (``spread`` = its residual SD on the renders)
and the weighted mean is the estimate. Its error is the spread of leave-one-clip-out errors on the
development renders (``thresholds.json``, ``camera.yaw``), stated as a 95% half-width.

Perspective: a pair seen off the image centre is seen along its own line of sight, turned
``atan(x)`` towards image-right from the optical axis (``x`` = its normalised offset from the
centre, with the assumed field of view): its spacing shows the yaw ``axis - facing * atan(x)``.
Each pair's reading is turned back by that much before combining. In a sit-and-reach filmed from
1.5 m the pelvis and the feet lie at opposite sides of the image and are seen up to 15 degrees
apart; standing subjects are near the centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.checks import (
    facing_problems,
    landmarks_problems,
    raise_if_problems,
    side_problems,
)
from tiltscreen.config.camera import YawModel
from tiltscreen.kinematics.side_view import assumed_focal_px
from tiltscreen.landmarks import Landmarks


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


#: composite pairs: the mean of several landmarks of one side (the foot's middle, heel to toes, is placed
#: more evenly than either end when the far foot is partly hidden)
COMPOSITES = {"foot": ("heel", "foot_index")}


def _x(lm: Landmarks, side: str, name: str) -> np.ndarray:
    """Image x of ``side``'s landmark ``name`` (or the mean of a composite), pixels."""
    parts = COMPOSITES.get(name, (name,))
    return np.mean([lm.point(f"{side}_{p}")[:, 0] for p in parts], axis=0)


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
        Landmark names without the side prefix (``"hip"`` means left_hip and right_hip), or a
        composite of :data:`COMPOSITES` (``"foot"``: the mean of heel and toes).

    Returns
    -------
    separations : dict of str to float
        ``median over frames of facing * (x_far - x_near) / T``; positive when the far point
        appears ahead (a view of the front); NaN when never seen.
    n_frames : int
        Frames with the trunk and at least one pair.
    x_px : dict of str to float
        Each pair's median image x (mean of its two points), pixels (NaN when never seen).

    """
    problems = landmarks_problems(lm) + side_problems(side) + facing_problems(facing)
    raise_if_problems("pair_separations", problems)
    far = "left" if side == "right" else "right"
    trunk = _trunk_px(lm)
    trunk = np.where(trunk > 0, trunk, np.nan)
    out, xs, seen = {}, {}, np.zeros(lm.n_frames, bool)
    for name in pairs:
        x_far, x_near = _x(lm, far, name), _x(lm, side, name)
        dx = facing * (x_far - x_near) / trunk
        ok = np.isfinite(dx)
        seen |= ok
        out[name] = float(np.median(dx[ok])) if ok.any() else math.nan
        xs[name] = float(np.median((x_far[ok] + x_near[ok]) / 2.0)) if ok.any() else math.nan
    return out, int(seen.sum()), xs


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
        The optical axis's yaw: the weighted mean over pairs of ``asin(s / k) + facing *
        atan(x / f)`` (each pair's line of sight turned back, module notes), degrees, with its
        95% half-width.

    Notes
    -----
    Pairs not seen in any frame drop out; the half-width then grows by
    ``sqrt(total weight / weight seen)``. With no pair seen the yaw is NaN (the view check
    reports it as not measured).

    """
    sep, n, xs = pair_separations(lm, side, facing=facing, pairs=tuple(model.gains))
    weights = {k: (model.gains[k] / model.spreads[k]) ** 2 for k in model.gains}
    seen = [k for k, v in sep.items() if math.isfinite(v)]
    if not seen:
        return ViewYaw(math.nan, math.nan, sep, n)
    focal = assumed_focal_px(lm.image_size[0])
    total = sum(weights[k] for k in seen)
    yaw = 0.0
    for k in seen:  # each pair's line-of-sight yaw, turned back to the optical axis
        shown = sep[k] - model.offset(k)
        sight = math.degrees(math.asin(min(max(shown / model.gain(k, shown), -1.0), 1.0)))
        turn = facing * line_of_sight_deg(xs[k], lm.image_size[0], focal) if model.line_of_sight else 0.0
        yaw += weights[k] * (sight + turn)
    half = 1.96 * model.sd_deg * math.sqrt(sum(weights.values()) / total)
    return ViewYaw(yaw / total, half, sep, n)


def line_of_sight_deg(x_px: float, width_px: float, focal_px: float) -> float:
    """Angle, degrees, of the line of sight through image column ``x_px`` from the optical axis.

    Positive towards image-right: ``atan((x - width / 2) / focal)`` (principal point at the centre).
    """
    return math.degrees(math.atan((x_px - width_px / 2.0) / focal_px))
