"""Camera-model parameters read from the thresholds file: the level methods' spreads, the yaw model.

These are configuration (measured on renders and stored in ``thresholds.json``, ``camera``), so
they live beside the thresholds that every layer may read; :mod:`tiltscreen.kinematics.level` and
:mod:`tiltscreen.kinematics.yaw` compute with them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from tiltscreen.checks import raise_if_problems


@dataclass(frozen=True)
class LevelSpreads:
    """Measured 1-SD errors of each level method and the set-up allowances, degrees.

    Attributes
    ----------
    plumb_sd_deg, marker_sd_deg, room_sd_deg : float
        Error of each method's roll beyond its own fit error (renders; ``thresholds.json``).
    assumed_sd_deg : float
        Spread of the true roll of cameras set up as asked (level) when nothing measures it.
    pitch_sd_deg : float
        Spread of the camera's pitch, for the lean of verticals off the image centre.

    """

    plumb_sd_deg: float = 0.5
    marker_sd_deg: float = 0.5
    room_sd_deg: float = 0.3
    assumed_sd_deg: float = 1.73
    pitch_sd_deg: float = 1.73


#: the packaged thresholds' values (``thresholds.json``, ``camera.level``); callers pass what they loaded
DEFAULT_SPREADS = LevelSpreads()


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
    back_gains : mapping of str to float or None
        Gains for readings that show the back (negative spacing), when the pose model places
        far-side points differently there (it sees them less); None: ``gains`` both ways.
    offsets : mapping of str to float or None
        Each pair's reading at a square view (the pose model's own bias), trunk lengths; None: 0.
    line_of_sight : bool
        Turn each pair's reading back from its own line of sight to the optical axis (module
        notes). False: the gains and offsets were fitted against the optical axis's yaw directly
        (a set-up with a fixed framing, where they absorb the usual off-centre positions).

    """

    gains: Mapping[str, float] = field(default_factory=lambda: {"hip": 0.4646, "foot": 0.7386})
    spreads: Mapping[str, float] = field(default_factory=lambda: {"hip": 0.0314, "foot": 0.0352})
    sd_deg: float = 2.73
    back_gains: Mapping[str, float] | None = None
    offsets: Mapping[str, float] | None = None
    line_of_sight: bool = True

    def offset(self, name: str) -> float:
        """Return the reading of pair ``name`` at a square view (0 unless fitted), trunk lengths."""
        return 0.0 if self.offsets is None else self.offsets[name]

    def gain(self, name: str, separation: float) -> float:
        """Return the gain of pair ``name`` for a reading ``separation`` (negative: a view of the back)."""
        if separation < 0 and self.back_gains is not None:
            return self.back_gains[name]
        return self.gains[name]

    def __post_init__(self) -> None:
        problems = []
        if not self.gains or set(self.gains) != set(self.spreads):
            problems.append("gains and spreads must name the same, non-empty set of pairs")
        bad = [k for k in self.gains if not (self.gains[k] > 0 and self.spreads.get(k, 0) > 0)]
        if bad:
            problems.append(f"gains and spreads must be positive, got {sorted(bad)}")
        if self.back_gains is not None and (
            set(self.back_gains) != set(self.gains) or min(self.back_gains.values()) <= 0
        ):
            problems.append("back_gains must name the same pairs as gains, all positive")
        if self.offsets is not None and set(self.offsets) != set(self.gains):
            problems.append("offsets must name the same pairs as gains")
        if not (math.isfinite(self.sd_deg) and self.sd_deg > 0):
            problems.append(f"sd_deg must be positive, got {self.sd_deg!r}")
        raise_if_problems("YawModel", problems)
