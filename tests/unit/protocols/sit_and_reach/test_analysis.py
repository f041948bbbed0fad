from __future__ import annotations

import dataclasses
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
    """Pixel method, reach 10 cm, relative scale uncertainty 5% (no geometric SD from a box plane): 1 SD =
    hypot(10 x 0.05, sd) with sd the method's measured error; the interval is widened by its bias on the
    side where the truth lies (b = mean(reported - truth) < 0: the truth is higher), not shifted:
    (10 - z s - max(b, 0), 10 + z s - min(b, 0))."""
    m = analysis.reach_metric(trial(10.0), ctx())
    assert m.value == 10.0
    bias, sd = analysis.REACH_ERROR_CM[("outline", "pixels")]
    half = analysis.REACH_COVERAGE_Z * math.hypot(0.5, sd)
    assert m.ci95 == pytest.approx((10 - half - max(bias, 0.0), 10 + half - min(bias, 0.0)))
    assert "toe tip" in m.method


def test_reach_interval_on_the_box_plane() -> None:
    """Box-plane method: the trial's geometric SD (1.2 cm here) replaces the scale term: hypot(1.2, sd)."""
    c = analysis.Context(
        scale=MARKER,
        roll_corrected=True,
        angles_vs_horizontal_ok=True,
        age=30,
        sex="M",
        zero_offset_cm=None,
        reach_kind="box_end",
        reach_zero="the box's end face",
    )
    tr = dataclasses.replace(trial(10.0), reach_sd=1.2)
    m = analysis.reach_metric(tr, c)
    bias, sd = analysis.REACH_ERROR_CM[("outline", "box_end")]
    half = analysis.REACH_COVERAGE_Z * math.hypot(1.2, sd)
    assert m.ci95 == pytest.approx((10 - half - max(bias, 0.0), 10 + half - min(bias, 0.0)))
    assert "box's end face" in m.method


def test_reach_interval_widens_towards_the_truth(monkeypatch) -> None:
    """A method that reads 0.9 cm short on average (bias -0.9): reach 10, geometric SD 1.0, extra SD 0, z 2:
    (10 - 2, 10 + 2 + 0.9) = (8.0, 12.9) -- the truth lies above a short reading."""
    monkeypatch.setitem(analysis.REACH_ERROR_CM, ("outline", "box_end"), (-0.9, 0.0))
    monkeypatch.setattr(analysis, "REACH_COVERAGE_Z", 2.0)
    c = analysis.Context(scale=MARKER, roll_corrected=True, angles_vs_horizontal_ok=True, age=30, sex="M",
                         zero_offset_cm=None, reach_kind="box_end")  # fmt: skip
    m = analysis.reach_metric(dataclasses.replace(trial(10.0), reach_sd=1.0), c)
    assert m.ci95 == pytest.approx((8.0, 12.9))


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
