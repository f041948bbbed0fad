from __future__ import annotations

import pytest

from tiltscreen.results import Flag, Metric, Result
from tiltscreen.screening.reading import joint_reading, reading_markdown


def _flag(code: str) -> Flag:
    return Flag(code, "review", "", {}, "")


def standing(value, *, anterior: bool, side: str = "left") -> Result:
    return Result(
        protocol="standing",
        status="ok" if value is not None else "indeterminate",
        side=side,
        flags=(_flag("anterior_pelvic_tilt_pattern"),) if anterior else (),
        metrics={"pelvic_tilt_deg": Metric(value, "deg", "markers")},
    )


def sit_and_reach(code: str | None, reach: float | None = 3.0, **more) -> Result:
    metrics = {"reach_cm": Metric(reach, "cm", "fingertip beyond the toes")} | more.pop("metrics", {})
    return Result(
        protocol="sit-and-reach",
        status="ok",
        flags=(_flag(code),) if code else (),
        metrics=metrics,
        extra=more,
    )


@pytest.mark.parametrize(
    ("st", "sr", "tilt", "ham", "phrase"),
    [
        pytest.param(
            standing(27.0, anterior=True),
            sit_and_reach("reach_within_norms"),
            "anterior",
            "not_limited",
            "stretching them may not address it",
            id="tilt-normal-hamstrings",
        ),
        pytest.param(
            standing(27.0, anterior=True),
            sit_and_reach("limited_hamstring_extensibility"),
            "anterior",
            "limited",
            "mixed picture",
            id="tilt-limited",
        ),
        pytest.param(
            standing(12.0, anterior=False),
            sit_and_reach("limited_hamstring_extensibility"),
            "not_anterior",
            "limited",
            "Limited hamstring extensibility",
            id="limited-only",
        ),
        pytest.param(
            standing(12.0, anterior=False),
            sit_and_reach("reach_within_norms"),
            "not_anterior",
            "not_limited",
            "No anterior pelvic tilt pattern and no limited",
            id="nothing",
        ),
        pytest.param(
            standing(None, anterior=False),
            sit_and_reach("reach_within_norms"),
            "unknown",
            "not_limited",
            "standing pelvic tilt could not be determined",
            id="tilt-unknown",
        ),
        pytest.param(
            standing(27.0, anterior=True),
            sit_and_reach("norms_not_applied"),
            "anterior",
            "unknown",
            "An anterior pelvic tilt pattern was flagged",
            id="norms-unknown",
        ),
    ],
)
def test_joint_reading(st, sr, tilt, ham, phrase) -> None:
    r = joint_reading([st], sr)
    assert (r["pelvic_tilt"], r["hamstring_extensibility"]) == (tilt, ham)
    assert phrase in r["reading"] and r["not_a_diagnosis"]
    assert "not a diagnosis" in reading_markdown(r)


def test_no_sit_and_reach_is_unknown() -> None:
    assert joint_reading([standing(27.0, anterior=True)], None)["hamstring_extensibility"] == "unknown"


def test_lumbo_proxy_and_split_are_carried_as_evidence() -> None:
    """The sit-and-reach's back-contour proxy and hip-vs-spine split reach the report with their intervals;
    they do not change the hamstring state (the reach norms decide it)."""
    split = {
        "spinal_fraction": 0.53,
        "spinal_fraction_ci95": [0.18, 0.87],
        "method": "back contour at the lumbosacral level, markerless (pelvis) and the "
        "hip-shoulder line (trunk), rest vs hold",
    }
    lumbo = Metric(68.0, "deg", "back contour", (51.0, 85.0))
    sr = sit_and_reach(
        "reach_within_norms", metrics={"lumbo_horizontal_deg": lumbo}, hip_spine_contribution=split
    )
    r = joint_reading([standing(12.0, anterior=False)], sr)
    assert r["hamstring_extensibility"] == "not_limited"
    assert r["evidence"]["sit_and_reach"]["lumbo_horizontal_ci95"] == [51.0, 85.0]
    text = reading_markdown(r)
    assert "lumbo-horizontal proxy (back contour) 68 deg (95% 51-85" in text
    assert (
        "spine's share of the trunk's forward rotation 53% (95% 18%-87%; pelvis from the back contour" in text
    )
