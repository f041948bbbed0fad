"""The camera's level as both protocols use it: the roll removed from angles and the widening it brings.

Shared by :mod:`~tiltscreen.protocols.standing` and :mod:`~tiltscreen.protocols.sit_and_reach`
(neither imports the other).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from tiltscreen.kinematics.level import DEFAULT_SPREADS, Level, LevelSpreads, measure_level, widen_half_width
from tiltscreen.pose.lines import FrameVerticals
from tiltscreen.pose.markers import MarkerDetection
from tiltscreen.protocols.common import Metric


@dataclass(frozen=True)
class Roll:
    """Camera roll removed from every angle against the horizontal or vertical.

    Attributes
    ----------
    deg : float or None
        Degrees, :mod:`tiltscreen.kinematics.camera` convention (y-up, counter-clockwise
        positive); 0.0 when the level was assumed; None only when not even an assumption applies.
    method : str
        How it was found (:mod:`tiltscreen.kinematics.level` methods).
    uncertainty_deg : float or None
        Half-width of its 95% interval, degrees (the method's measured spread on renders).
    assumed : bool
        True when no reference was in view and the camera was assumed level.
    detail : str
        One plain sentence for the summary.
    pitch_deg, pitch_sd_deg : float
        The camera's pitch (looking down positive) and its 1-SD error, degrees
        (:class:`~tiltscreen.kinematics.level.Level`); None when unknown.

    """

    deg: float | None
    method: str
    uncertainty_deg: float | None
    assumed: bool = False
    detail: str = ""
    pitch_deg: float = 0.0
    pitch_sd_deg: float | None = None

    @property
    def sd_deg(self) -> float | None:
        """1-SD uncertainty, degrees (None when not measured)."""
        return None if self.uncertainty_deg is None else self.uncertainty_deg / 1.96

    @classmethod
    def from_level(cls, level: Level) -> Roll:
        """Return the roll of a :class:`~tiltscreen.kinematics.level.Level`."""
        return cls(
            level.roll_deg, level.method, level.half95_deg, level.assumed, level.detail, level.pitch_deg,
            level.pitch_sd_deg,
        )  # fmt: skip


#: angles measured against the true horizontal or vertical, whose intervals carry the level's uncertainty
ANGLES_VS_HORIZONTAL = ("trunk_inclination_deg", "lumbo_horizontal_deg")


def widen_for_level(
    metrics: dict[str, Metric],
    roll: Roll,
    *,
    names: Sequence[str] = ANGLES_VS_HORIZONTAL,
    included_sd_deg: float = 0.0,
) -> dict[str, Metric]:
    """Metrics with the 95% intervals of the angles against the horizontal widened by the level's uncertainty.

    Parameters
    ----------
    metrics : dict of str to Metric
        As reported (intervals from the angle's own measured error).
    roll : Roll
        The roll the angles were corrected with.
    names : sequence of str
        Which metrics are angles against the horizontal or vertical.
    included_sd_deg : float, default 0
        Level error (1 SD) already inside those intervals (they were measured with the roll from a
        marker); the widening adds only what exceeds it (:func:`kinematics.level.widen_half_width`).

    Returns
    -------
    dict of str to Metric
        A new dict; metrics without a value or an interval are returned unchanged. An assumed level
        also adds its sentence to the metric's caveat.

    """
    if roll.sd_deg is None:
        return dict(metrics)
    out = dict(metrics)
    for name in names:
        m = metrics.get(name)
        if m is None or m.value is None or m.ci95 is None:
            continue
        lo, hi = m.ci95
        centre, half = (lo + hi) / 2.0, (hi - lo) / 2.0
        half = widen_half_width(half, roll.sd_deg, included_sd_deg=included_sd_deg)
        caveat = " ".join(x for x in (m.reason, roll.detail if roll.assumed else None) if x) or None
        out[name] = dataclasses.replace(m, ci95=(centre - half, centre + half), reason=caveat)
    return out


def roll_estimate(
    markers: list[MarkerDetection],
    verticals: Sequence[FrameVerticals],
    image_size: tuple[int, int],
    *,
    spreads: LevelSpreads = DEFAULT_SPREADS,
) -> Roll:
    """Roll from the true verticals in view (the box marker's vertical edges, room lines), else assumed.

    The marker's vertical edges, not its horizontal ones: on the box's side face the horizontal
    edges recede in depth as soon as the camera is turned (yaw) and converge in the image, which
    biased the roll by +1.4 deg on average (up to +3.6 deg at 11 deg yaw) on the rendered clips.
    Floor contacts (heels, seat) are not used: a floor line receding in depth leans by the yaw
    times the camera's height over its distance, more than the error it would correct
    (:mod:`tiltscreen.kinematics.level`).
    """
    corners = [m.corners_px for m in markers]
    return Roll.from_level(measure_level(verticals, corners, image_size, spreads=spreads))
