from __future__ import annotations

import math

import numpy as np
import pytest
from tests.unit.protocols.sit_and_reach.synthetic import trial

from tiltscreen.config.thresholds import load_thresholds
from tiltscreen.protocols.common import Scale
from tiltscreen.protocols.sit_and_reach import analysis

TH = load_thresholds()
MARKER = Scale("marker", 3.0, 0.05, "test")


def ctx(
    *, scale: Scale = MARKER, age: float | None = 30, sex: str | None = "M", roll: bool = True
) -> analysis.Context:
    return analysis.Context(
        scale=scale, roll_corrected=roll, angles_vs_horizontal_ok=roll, age=age, sex=sex, zero_offset_cm=None
    )


def test_reach_interval_from_scale_and_localisation() -> None:
    """reach 10 cm, relative scale uncertainty 5%: 1 SD = hypot(10 x 0.05, 3.8) = 3.833 cm (3.8 cm: the RMS
    reach error besides the scale measured on renders); 95% = +/-7.512 cm."""
    m = analysis.reach_metric(trial(10.0), ctx())
    assert m.value == 10.0
    half = 1.96 * math.hypot(0.5, analysis.REACH_SD_CM)
    assert m.ci95 == pytest.approx((10 - half, 10 + half))
    assert "short on average" in m.reason  # the residual bias is stated with the value


def test_no_scale_gives_null_reach_with_reason() -> None:
    m = analysis.reach_metric(trial(), ctx(scale=Scale("none", None, None, "no scale")))
    assert m.value is None and "--marker-size-cm" in m.reason


def test_unmeasured_roll_nulls_trunk_inclination_only() -> None:
    metrics = analysis.trial_metrics(trial(), _series(), ctx(roll=False))
    assert (
        metrics["trunk_inclination_deg"].value is None and "roll" in metrics["trunk_inclination_deg"].reason
    )
    assert metrics["hip_flexion_deg"].value == 110.0 and metrics["knee_flexion_deg"].value == 3.0


def test_knee_interval_never_negative() -> None:
    m = analysis.trial_metrics(trial(), _series(), ctx())["knee_flexion_deg"]
    assert m.ci95[0] == 0.0


@pytest.mark.parametrize(
    ("reach", "age", "sex", "code"),
    [
        # men 26-35: poor <= 12 in; 15 in + r/2.54 <= 12  <=>  r <= -7.62 cm
        pytest.param(-8.0, 30, "M", "limited_hamstring_extensibility", id="men-poor"),
        pytest.param(-7.0, 30, "M", "reach_within_norms", id="men-just-above"),
        # women 56-65: poor < 12 in (strict); r = -7.62 cm gives exactly 12 in -> not poor
        pytest.param(-7.62, 60, "F", "reach_within_norms", id="women-strict-boundary"),
        pytest.param(-7.7, 60, "F", "limited_hamstring_extensibility", id="women-below"),
        pytest.param(0.0, None, None, "norms_not_applied", id="no-age-sex"),
        pytest.param(0.0, 12, "M", "norms_not_applied", id="age-outside-table"),
    ],
)
def test_norm_flags(reach: float, age, sex, code: str) -> None:
    metrics = {"reach_cm": analysis.reach_metric(trial(reach), ctx(age=age, sex=sex))}
    codes = [f.code for f in analysis.flags([trial(reach)], 0, metrics, ctx(age=age, sex=sex), TH)]
    assert codes == [code]
    flag = analysis.flags([trial(reach)], 0, metrics, ctx(age=age, sex=sex), TH)[0]
    assert "YMCA" in flag.source


def test_invalid_and_no_valid_trial_flags() -> None:
    bad = trial(valid=False, reasons=("knees bent 18° during the hold (tolerance 10°)",), codes=("knees",))
    metrics = analysis.trial_metrics(None, _series(), ctx())
    flags = analysis.flags([bad], None, metrics, ctx(), TH)
    assert [f.code for f in flags] == ["invalid_trial", "no_valid_trial"]
    assert "knees bent 18°" in flags[0].message and flags[1].level == "review"


def test_reach_conventions() -> None:
    """Zero at the toes 5 cm -> Eurofit 20, President's 28, ACSM/CSEP 31 cm; YMCA 15 + 5/2.54 = 16.97 in."""
    conv = analysis.reach_conventions(analysis.reach_metric(trial(5.0), ctx()), 10.0)
    assert conv == {
        "toes_0": 5.0,
        "eurofit_15": 20.0,
        "presidents_challenge_23": 28.0,
        "acsm_csep_26": 31.0,
        "ymca_in": 16.97,
        "user_zero": 15.0,
    }


def _series():
    from tiltscreen.protocols.sit_and_reach.series import ReachSeries

    n = 10
    z = np.zeros(n)
    return ReachSeries(
        t_s=np.arange(n) / 30,
        reach_cm=z,
        unit="cm",
        knee_flexion_deg=z,
        hip_flexion_deg=z,
        trunk_inclination_deg=z,
        hands_gap=z,
        visible_fraction=np.ones(n),
        in_frame=np.ones(n, bool),
    )
