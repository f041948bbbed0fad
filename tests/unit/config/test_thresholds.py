"""The thresholds file is parsed once, completely, and a missing key fails at load time."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from tiltscreen.config.thresholds import (
    KendallRules,
    LumboBands,
    Reference,
    StandingThresholds,
    load_thresholds,
    parse_thresholds,
)
from tiltscreen.errors import InputError


def _raw() -> dict:
    text = resources.files("tiltscreen.config").joinpath("thresholds.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_packaged_file_parses_into_typed_sections() -> None:
    """Every section is a frozen type; the values are the file's own (read here from the JSON)."""
    raw, th = _raw(), load_thresholds()
    assert isinstance(th.standing, StandingThresholds)
    assert isinstance(th.standing.reference_tilt_deg, Reference)
    assert th.standing.reference_tilt_deg.mean == raw["standing"]["reference_tilt_deg"]["mean"]
    assert th.standing.reference_tilt_deg.sd == raw["standing"]["reference_tilt_deg"]["sd"]
    assert isinstance(th.standing.kendall, KendallRules)
    assert th.standing.kendall.sway_hip_extension_deg == raw["standing"]["kendall"]["sway_hip_extension_deg"]
    assert th.standing.max_camera_height_offset.value == raw["standing"]["max_camera_height_offset"]["value"]
    assert isinstance(th.lumbo_horizontal, LumboBands)
    lumbo = raw["sit_and_reach"]["lumbo_horizontal_deg"]
    assert (th.lumbo_horizontal.normal_max, th.lumbo_horizontal.moderate_max) == (
        lumbo["normal_max"],
        lumbo["moderate_max"],
    )
    with pytest.raises(AttributeError):
        th.standing.anterior_flag_sd.value = 3.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("section", "key", "named"),
    [
        ("standing", "kendall", "'kendall'"),
        ("standing", "knee_hyperextension_review_deg", "'knee_hyperextension_review_deg'"),
        ("standing", "reference_tilt_deg", "'reference_tilt_deg'"),
        ("sit_and_reach", "lumbo_horizontal_deg", "'lumbo_horizontal_deg'"),
    ],
)
def test_a_missing_key_fails_at_load_naming_it(section: str, key: str, named: str) -> None:
    """Formerly a missing ``standing`` or ``lumbo_horizontal`` key silently dropped a flag later."""
    raw = copy.deepcopy(_raw())
    del raw[section][key]
    with pytest.raises(InputError, match=named):
        parse_thresholds(raw, where="clinic.json")


def test_lumbo_cut_offs_must_be_ordered() -> None:
    raw = copy.deepcopy(_raw())
    raw["sit_and_reach"]["lumbo_horizontal_deg"]["normal_max"] = 120.0
    with pytest.raises(InputError, match="normal_max must lie below moderate_max"):
        parse_thresholds(raw, where="clinic.json")
