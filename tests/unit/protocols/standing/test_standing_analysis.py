from __future__ import annotations

import pytest

from tiltscreen.config.thresholds import load_thresholds
from tiltscreen.protocols.common import Metric
from tiltscreen.protocols.standing import analysis

TH = load_thresholds()
REF = analysis.Reference.from_thresholds(TH)


def tilt(value: float | None, half: float = 3.0, method: str = "markers") -> Metric:
    if value is None:
        return Metric.missing("deg", method, "not seen")
    return Metric(value, "deg", method, (value - half, value + half))


def test_reference_limit_is_mean_plus_two_sd() -> None:
    """13 +/- 5 deg (Preece 2008) and a 2 SD margin: 23 deg."""
    assert REF.anterior_limit == 23.0 and "Preece" in REF.source


@pytest.mark.parametrize(
    ("value", "flagged", "sure"),
    [
        pytest.param(30.0, True, True, id="clearly-above"),
        pytest.param(24.0, True, False, id="interval-crosses"),
        pytest.param(22.9, False, None, id="below"),
        pytest.param(None, False, None, id="not-measured"),
    ],
)
def test_anterior_tilt_flag(value, flagged: bool, sure) -> None:
    flags = analysis.tilt_flags(tilt(value), REF)
    assert [f.code for f in flags] == (["anterior_pelvic_tilt_pattern"] if flagged else [])
    if flagged:
        assert ("interval reaches below" in flags[0].message) is (not sure)
        assert flags[0].level == "review" and "not a diagnosis" in flags[0].message


def test_change_from_baseline_uses_both_errors() -> None:
    """SE of each = 3 / 1.96 = 1.53 deg; MDC95 = 1.96 x sqrt(2) x 1.53 = 4.24 deg: a 5 deg change flags,
    a 4 deg change does not."""
    codes = [f.code for f in analysis.tilt_flags(tilt(20.0), REF, baseline=tilt(15.0))]
    assert "tilt_change_from_baseline" in codes
    assert not [
        f
        for f in analysis.tilt_flags(tilt(19.0), REF, baseline=tilt(15.0))
        if f.code == "tilt_change_from_baseline"
    ]


def test_knee_hyperextension_flag() -> None:
    assert [f.code for f in analysis.knee_flag(tilt(7.0), TH)] == ["knee_hyperextension"]
    assert analysis.knee_flag(tilt(3.0), TH) == []


def test_asymmetry_against_combined_error() -> None:
    """Each side +/-3 deg (SE 1.53): the limit is 1.96 x sqrt(2) x 1.53 = 4.24 deg."""
    big = analysis.asymmetry(tilt(20.0), tilt(14.0))
    assert (
        big["difference_deg"] == 6.0
        and big["exceeds_error"]
        and big["limit_deg"] == pytest.approx(4.2, abs=0.05)
    )
    assert "left" in analysis.asymmetry_flag(big)[0].message
    small = analysis.asymmetry(tilt(16.0), tilt(14.0))
    assert not small["exceeds_error"] and analysis.asymmetry_flag(small) == []
    assert analysis.asymmetry(tilt(None), tilt(14.0))["exceeds_error"] is None


def metrics(tilt_value, hip_ext=2.0, shoulder=3.0, hip=4.0) -> dict[str, Metric]:
    return {
        "pelvic_tilt_deg": tilt(tilt_value),
        "hip_extension_deg": Metric(hip_ext, "deg", "x"),
        "plumb_shoulder": Metric(shoulder, "cm", "x"),
        "plumb_hip": Metric(hip, "cm", "x"),
    }


@pytest.mark.parametrize(
    ("m", "label"),
    [
        pytest.param(metrics(13.0), "ideal", id="ideal"),
        pytest.param(metrics(19.0), "kyphotic-lordotic", id="lordotic-above-18"),
        pytest.param(metrics(7.0), "flat-back", id="flat-below-8"),
        pytest.param(metrics(13.0, hip_ext=12.0, shoulder=-2.0, hip=4.0), "sway-back", id="sway-6cm-behind"),
        pytest.param(metrics(None), "indeterminate", id="no-tilt"),
        pytest.param(
            metrics(None, hip_ext=12.0, shoulder=-2.0, hip=4.0), "sway-back", id="sway-without-tilt"
        ),
    ],
)
def test_kendall_type(m, label: str) -> None:
    out = analysis.kendall_type(m, TH, REF)
    assert out["suggested"] == label and out["status"] == "provisional" and "Kendall" in out["source"]
