"""The versioned thresholds file, parsed once into frozen dataclasses.

``src/tiltscreen/config/thresholds.json`` holds every threshold with its source and a
status (``published``, ``derived`` or ``provisional``). A clinic may pass its own file
of the same form (``--thresholds FILE``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tiltscreen.config.camera import LevelSpreads, YawModel
from tiltscreen.errors import InputError, ValidationError

SCHEMA = "tiltscreen-thresholds/1"


@dataclass(frozen=True)
class Threshold:
    """One value with where it comes from."""

    value: float
    status: str
    source: str


@dataclass(frozen=True)
class YmcaNorms:
    """YMCA 'poor' cut-offs in inches (heels at the 15-in mark), by sex and age band."""

    heel_line_in: float
    rows: dict[str, tuple[tuple[int, int, float, str], ...]]
    source: str

    def poor_cutoff(self, *, sex: str, age: float) -> tuple[float, str] | None:
        """``(cut-off in inches, "le"|"lt")`` for this sex and age, or None outside the table."""
        key = {"F": "female", "M": "male"}.get(sex.upper())
        if key is None:
            raise ValidationError(f"sex must be 'F' or 'M', got {sex!r}.")
        for lo, hi, cut, cmp in self.rows[key]:
            if lo <= age <= hi:
                return cut, cmp
        return None


@dataclass(frozen=True)
class Reference:
    """A published reference distribution: mean and SD in its unit, with its source."""

    mean: float
    sd: float
    status: str
    source: str


@dataclass(frozen=True)
class KendallRules:
    """The tool's translation of Kendall's postural types into camera measures (``standing.kendall``)."""

    lordotic_tilt_above_mean_sd: float
    flat_tilt_below_mean_sd: float
    sway_shoulder_behind_hip_cm: float
    sway_hip_extension_deg: float
    status: str
    source: str


@dataclass(frozen=True)
class StandingThresholds:
    """The ``standing`` section: the healthy tilt reference, the flag margin and the review limits."""

    reference_tilt_deg: Reference
    anterior_flag_sd: Threshold
    sem_deg: Threshold
    knee_hyperextension_review_deg: Threshold
    kendall: KendallRules
    max_camera_height_offset: Threshold


@dataclass(frozen=True)
class LumboBands:
    """Provisional lumbo-horizontal angle categories, degrees (``sit_and_reach.lumbo_horizontal_deg``)."""

    normal_max: float
    moderate_max: float
    status: str
    source: str


@dataclass(frozen=True)
class Thresholds:
    """Everything the protocols and flags compare against."""

    version: str
    path: str
    max_yaw_deg: Threshold
    max_uncorrected_roll_deg: Threshold
    max_roll_deg: Threshold
    level: LevelSpreads
    level_source: str
    yaw_standing: YawModel
    yaw_sit_and_reach: YawModel
    yaw_source: str
    min_hold_s: Threshold
    hold_band_cm: Threshold
    knee_tolerance_deg: Threshold
    max_hands_gap_cm: Threshold
    min_visible_fraction: Threshold
    spinal_fraction_review: Threshold
    lumbo_horizontal: LumboBands
    ymca: YmcaNorms
    standing: StandingThresholds
    #: plain evidence that a recording shows the test (``protocol_evidence``: posture limits)
    evidence: dict[str, Threshold]


def _t(section: dict[str, Any], key: str, where: str) -> Threshold:
    try:
        entry = section[key]
        return Threshold(
            value=float(entry["value"]), status=str(entry["status"]), source=str(entry["source"])
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{where}: threshold {key!r} is missing or malformed ({err}).") from err


def _fields(section: dict[str, Any], key: str, names: tuple[str, ...], where: str) -> dict[str, Any]:
    """Return ``names`` of ``section[key]`` as floats plus its status and source, or fail naming the key."""
    try:
        entry = section[key]
        out: dict[str, Any] = {k: float(entry[k]) for k in names}
        out.update(status=str(entry["status"]), source=str(entry["source"]))
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{where}: threshold {key!r} is missing or malformed ({err}).") from err
    return out


def _standing(section: dict[str, Any], where: str) -> StandingThresholds:
    """Parse the ``standing`` section; every key is required."""
    kendall = (
        "lordotic_tilt_above_mean_sd",
        "flat_tilt_below_mean_sd",
        "sway_shoulder_behind_hip_cm",
        "sway_hip_extension_deg",
    )
    return StandingThresholds(
        reference_tilt_deg=Reference(**_fields(section, "reference_tilt_deg", ("mean", "sd"), where)),
        anterior_flag_sd=_t(section, "anterior_flag_sd", where),
        sem_deg=_t(section, "sem_deg", where),
        knee_hyperextension_review_deg=_t(section, "knee_hyperextension_review_deg", where),
        kendall=KendallRules(**_fields(section, "kendall", kendall, where)),
        max_camera_height_offset=_t(section, "max_camera_height_offset", where),
    )


def _lumbo(sr: dict[str, Any], where: str) -> LumboBands:
    """Parse ``sit_and_reach.lumbo_horizontal_deg`` (both cut-offs required, normal below moderate)."""
    bands = LumboBands(**_fields(sr, "lumbo_horizontal_deg", ("normal_max", "moderate_max"), where))
    if not bands.normal_max < bands.moderate_max:
        raise InputError(f"{where}: lumbo_horizontal_deg normal_max must lie below moderate_max.")
    return bands


def _level(cam: dict[str, Any], where: str) -> LevelSpreads:
    """Return the level methods' measured spreads (``camera.level``), degrees (1 SD)."""
    names = ("plumb_sd_deg", "marker_sd_deg", "room_sd_deg", "assumed_sd_deg", "pitch_sd_deg")
    try:
        entry = cam["level"]
        values = {k: float(entry[k]) for k in names}
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{where}: threshold 'camera.level' is missing or malformed ({err}).") from err
    bad = [k for k, v in values.items() if not 0.0 <= v <= 10.0]
    if bad:
        raise InputError(f"{where}: camera.level {', '.join(bad)} must lie between 0 and 10 degrees.")
    return LevelSpreads(**values)


def _yaw(cam: dict[str, Any], protocol: str, where: str) -> YawModel:
    """Return one protocol's yaw model: fitted gains (and offsets) and measured error (``camera.yaw``)."""
    try:
        entry = cam["yaw"][protocol]
        return YawModel(
            gains={str(k): float(v) for k, v in entry["gains"].items()},
            spreads={str(k): float(v) for k, v in entry["spreads"].items()},
            sd_deg=float(entry["sd_deg"]),
            offsets={str(k): float(v) for k, v in entry["offsets"].items()} if "offsets" in entry else None,
            line_of_sight=bool(entry.get("line_of_sight", True)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(
            f"{where}: threshold 'camera.yaw.{protocol}' is missing or malformed ({err})."
        ) from err


def parse_thresholds(raw: dict[str, Any], *, where: str = "thresholds") -> Thresholds:
    """Build :class:`Thresholds` from the parsed JSON; ``InputError`` naming what is wrong."""
    if raw.get("schema") != SCHEMA:
        raise InputError(f"{where}: expected schema {SCHEMA!r}, got {raw.get('schema')!r}.")
    cam, sr = raw.get("camera", {}), raw.get("sit_and_reach", {})
    y = sr.get("ymca_poor_in", {})
    try:
        ymca = YmcaNorms(
            heel_line_in=float(y["heel_line_in"]),
            rows={
                k: tuple((int(a), int(b), float(c), str(d)) for a, b, c, d in y[k])
                for k in ("male", "female")
            },
            source=str(y["source"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{where}: the YMCA norms table is malformed ({err}).") from err
    return Thresholds(
        version=str(raw.get("version", "?")),
        path=where,
        max_yaw_deg=_t(cam, "max_yaw_deg", where),
        max_uncorrected_roll_deg=_t(cam, "max_uncorrected_roll_deg", where),
        max_roll_deg=_t(cam, "max_roll_deg", where),
        level=_level(cam, where),
        level_source=str(cam.get("level", {}).get("source", "")),
        yaw_standing=_yaw(cam, "standing", where),
        yaw_sit_and_reach=_yaw(cam, "sit_and_reach", where),
        yaw_source=str(cam.get("yaw", {}).get("source", "")),
        min_hold_s=_t(sr, "min_hold_s", where),
        hold_band_cm=_t(sr, "hold_band_cm", where),
        knee_tolerance_deg=_t(sr, "knee_tolerance_deg", where),
        max_hands_gap_cm=_t(sr, "max_hands_gap_cm", where),
        min_visible_fraction=_t(sr, "min_visible_fraction", where),
        spinal_fraction_review=_t(sr, "spinal_fraction_review", where),
        lumbo_horizontal=_lumbo(sr, where),
        ymca=ymca,
        standing=_standing(raw.get("standing", {}), f"{where} (standing)"),
        evidence=_evidence(raw.get("protocol_evidence", {}), where),
    )


#: the keys of ``protocol_evidence`` (see :mod:`tiltscreen.protocols.evidence`)
EVIDENCE_KEYS = (
    "min_posture_s",
    "sitting_max_leg_incline_deg",
    "sitting_min_leg_trunk_ratio",
    "standing_max_trunk_lean_deg",
    "standing_max_leg_lean_deg",
    "standing_max_motion",
)


def _evidence(section: dict[str, Any], where: str) -> dict[str, Threshold]:
    return {key: _t(section, key, f"{where} (protocol_evidence)") for key in EVIDENCE_KEYS}


def load_thresholds(path: str | os.PathLike[str] | None = None) -> Thresholds:
    """Load a thresholds file (default: the packaged one)."""
    if path is None:
        text = resources.files("tiltscreen.config").joinpath("thresholds.json").read_text(encoding="utf-8")
        where = "tiltscreen/config/thresholds.json"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"No thresholds file at {p}.")
        text, where = p.read_text(encoding="utf-8"), str(p)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{where} is not valid JSON ({err}).") from err
    return parse_thresholds(raw, where=where)
