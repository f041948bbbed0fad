"""The typed result contract (``tiltscreen-result/1``): to_dict/from_dict round trips."""

from __future__ import annotations

import json
import math

import pytest

from tiltscreen.results import SCHEMA, Camera, Flag, Metric, Result, Scale


def _result() -> Result:
    """A finished standing result with every section filled.

    The values are arbitrary but chosen to exercise the rounding: 21.456 deg is written 21.46
    (2 decimals), 12.34567 px/cm is written 12.3457 (4 decimals).
    """
    return Result(
        protocol="standing",
        status="ok",
        reasons=("the camera was assumed level",),
        side="left",
        scale=Scale("height", 12.34567, 0.031, "from the stated stature"),
        camera=Camera(0.4, "assumed level", 3.2, 4.1, True, ("fine",), {"max_yaw_deg": 10.0}),
        metrics={
            "pelvic_tilt_deg": Metric(21.456, "deg", "ASIS-PSIS line vs true horizontal", (19.9, 23.0)),
            "plumb_hip": Metric.missing("cm", "hip ahead of the ankle", "no scale"),
        },
        flags=(
            Flag("anterior_pelvic_tilt_pattern", "review", "Tilt above the reference.", {"t": 21.5}, "P"),
        ),
        extra={"input": "x.mp4", "quiet_window": {"start_s": 0.5, "end_s": 2.0}, "provenance": []},
    )


def test_to_dict_writes_the_contract() -> None:
    d = _result().to_dict()
    assert list(d)[:11] == [
        "schema",
        "tiltscreen_version",
        "protocol",
        "status",
        "reasons",
        "side",
        "scale",
        "camera",
        "metrics",
        "flags",
        "disclaimer",
    ]
    assert list(d)[11:] == ["input", "quiet_window", "provenance"]
    assert d["schema"] == SCHEMA and d["reasons"] == ["The camera was assumed level."]
    assert d["metrics"]["pelvic_tilt_deg"] == {
        "value": 21.46,
        "unit": "deg",
        "method": "ASIS-PSIS line vs true horizontal",
        "ci95": [19.9, 23.0],
    }
    assert d["metrics"]["plumb_hip"]["reason"] == "No scale."
    assert d["scale"]["px_per_cm"] == 12.3457


def test_from_dict_round_trips_exactly_through_json() -> None:
    """Written, read back as JSON, typed again: the same dict, keys in the same order."""
    d = json.loads(json.dumps(_result().to_dict()))
    typed = Result.from_dict(d)
    assert typed.to_dict() == d and list(typed.to_dict()) == list(d)
    assert typed.metric("pelvic_tilt_deg") == Metric(
        21.46, "deg", "ASIS-PSIS line vs true horizontal", (19.9, 23.0)
    )
    assert typed.flag_codes == {"anterior_pelvic_tilt_pattern"}
    assert typed.get("quiet_window") == {"start_s": 0.5, "end_s": 2.0}
    assert typed.metric("reach_cm") is None


def test_an_early_ending_round_trips() -> None:
    d = Result("sit-and-reach", "no_person", ("nobody in view",), extra={"frames": 12}).to_dict()
    assert d["scale"] is None and d["camera"] is None and d["metrics"] == {} and d["flags"] == []
    assert Result.from_dict(d).to_dict() == d


def test_a_non_finite_interval_stays_null() -> None:
    """An interval bound that was infinite is written as null and read back as NaN, written null again."""
    d = Result("standing", "ok", metrics={"x": Metric(1.0, "deg", "m", (0.5, math.inf))}).to_dict()
    assert d["metrics"]["x"]["ci95"] == [0.5, None]
    assert Result.from_dict(d).to_dict() == d


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"schema": "other/1"}, "expected a tiltscreen-result/1"),
        ({"metrics": {"x": {"value": 1.0}}}, "malformed"),
        ({"status": "great"}, "status must be one of"),
    ],
)
def test_bad_results_are_refused(change: dict, match: str) -> None:
    d = _result().to_dict() | change
    with pytest.raises(ValueError, match=match):
        Result.from_dict(d)
