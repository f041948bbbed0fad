from __future__ import annotations

import pytest

from tiltscreen.screening.reading import joint_reading, reading_markdown


def standing(value, *, anterior: bool, side: str = "left") -> dict:
    flags = [{"code": "anterior_pelvic_tilt_pattern"}] if anterior else []
    return {"side": side, "status": "ok" if value is not None else "indeterminate", "flags": flags,
            "metrics": {"pelvic_tilt_deg": {"value": value, "unit": "deg", "method": "markers", "ci95": None}}}


def sit_and_reach(code: str | None, reach: float | None = 3.0) -> dict:
    return {"status": "ok", "flags": [{"code": code}] if code else [],
            "metrics": {"reach_cm": {"value": reach, "ci95": None}}}


@pytest.mark.parametrize(
    ("st", "sr", "tilt", "ham", "phrase"),
    [
        pytest.param(standing(27.0, anterior=True), sit_and_reach("reach_within_norms"), "anterior", "not_limited",
                     "stretching them may not address it", id="tilt-normal-hamstrings"),
        pytest.param(standing(27.0, anterior=True), sit_and_reach("limited_hamstring_extensibility"), "anterior",
                     "limited", "mixed picture", id="tilt-limited"),
        pytest.param(standing(12.0, anterior=False), sit_and_reach("limited_hamstring_extensibility"),
                     "not_anterior", "limited", "Limited hamstring extensibility", id="limited-only"),
        pytest.param(standing(12.0, anterior=False), sit_and_reach("reach_within_norms"), "not_anterior",
                     "not_limited", "No anterior pelvic tilt pattern and no limited", id="nothing"),
        pytest.param(standing(None, anterior=False), sit_and_reach("reach_within_norms"), "unknown", "not_limited",
                     "standing pelvic tilt could not be determined", id="tilt-unknown"),
        pytest.param(standing(27.0, anterior=True), sit_and_reach("norms_not_applied"), "anterior", "unknown",
                     "An anterior pelvic tilt pattern was flagged", id="norms-unknown"),
    ],
)
def test_joint_reading(st, sr, tilt, ham, phrase) -> None:
    r = joint_reading([st], sr)
    assert (r["pelvic_tilt"], r["hamstring_extensibility"]) == (tilt, ham)
    assert phrase in r["reading"] and r["not_a_diagnosis"]
    assert "not a diagnosis" in reading_markdown(r)


def test_no_sit_and_reach_is_unknown() -> None:
    assert joint_reading([standing(27.0, anterior=True)], None)["hamstring_extensibility"] == "unknown"
