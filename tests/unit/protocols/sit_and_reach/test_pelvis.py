"""Pelvis metrics of a trial: markers first, else the back-contour proxy; the hip-vs-spine split; flags."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.protocols.sit_and_reach.synthetic import trial

from tiltscreen.config.thresholds import load_thresholds
from tiltscreen.kinematics.back_contour import LUMBO_RMS_DEG, ROTATION_RMS_DEG
from tiltscreen.protocols.common import Metric
from tiltscreen.protocols.sit_and_reach import pelvis as pv

TH = load_thresholds()
T = np.arange(240) / 30.0  # 8 s at 30 fps


def series(rest: float, hold: float) -> np.ndarray:
    """``rest`` up to frame 89, ``hold`` from frame 90 on."""
    return np.where(np.arange(T.size) < 90, rest, hold).astype(float)


def test_lumbo_is_the_hold_median_with_the_measured_interval() -> None:
    """Hold frames read 60 with every 4th at 64: median 60; 95% = 60 +/- 1.96 x 8.9 (held-out RMS error)."""
    lumbo = series(95.0, 60.0)
    lumbo[90:165:4] = 64.0
    m = pv.lumbo_metric(trial(), pv.PelvisSeries(lumbo=lumbo))
    assert m.value == pytest.approx(60.0) and m.unit == "deg" and m.method.startswith("markerless-estimate")
    assert m.ci95 == pytest.approx((60.0 - 1.96 * LUMBO_RMS_DEG, 60.0 + 1.96 * LUMBO_RMS_DEG))


def test_lumbo_needs_half_the_hold() -> None:
    """75 hold frames; 38 traced is enough, 37 is not."""
    lumbo = series(95.0, np.nan)
    lumbo[90:128] = 60.0
    assert pv.lumbo_metric(trial(), pv.PelvisSeries(lumbo=lumbo)).value == pytest.approx(60.0)
    lumbo[127] = np.nan
    m = pv.lumbo_metric(trial(), pv.PelvisSeries(lumbo=lumbo))
    assert m.value is None and "37 of 75" in m.reason


def test_lumbo_missing_says_why() -> None:
    m = pv.lumbo_metric(trial(), pv.PelvisSeries(lumbo=None, lumbo_reason="Camera roll was not measured."))
    assert m.value is None and m.reason == "Camera roll was not measured."


def test_markers_win_over_the_outline() -> None:
    """Stickers seen on all 75 hold frames at 18 deg: tilt 18 by 'markers', whatever the contour says."""
    p = pv.PelvisSeries(marker_tilt=series(-5.0, 18.0), marker_sd=1.5, lumbo=series(95.0, 60.0))
    m = pv.pelvic_tilt_metric(trial(), p)
    assert m.value == pytest.approx(18.0) and m.method == "markers"
    assert m.ci95 == pytest.approx((18.0 - 1.96 * 1.5, 18.0 + 1.96 * 1.5))


def test_hidden_markers_give_null_tilt_even_with_a_contour() -> None:
    """Stickers on 14 hold frames only (15 needed): no tilt. The contour-derived tilt missed the 5 deg budget
    on held-out bodies, so it is not offered in its place; the reason says both."""
    tilt = series(-5.0, np.nan)
    tilt[90:104] = 18.0
    m = pv.pelvic_tilt_metric(trial(), pv.PelvisSeries(marker_tilt=tilt, lumbo=series(95.0, 60.0)))
    assert m.value is None
    assert "only 14 frames" in m.reason and "held-out" in m.reason and "lumbo_horizontal_deg" in m.reason


def test_no_markers_at_all_says_so() -> None:
    m = pv.pelvic_tilt_metric(trial(), pv.PelvisSeries(lumbo=series(95.0, 60.0)))
    assert m.value is None and m.reason.startswith("No skin markers")


def test_split_from_the_contour_change() -> None:
    """Trunk 0 -> 50 deg; contour 95 -> 75 (the pelvis tipped 20 deg forward): pelvis 20/50 = 0.4, spine 0.6.
    Interval of the rotation: 20 +/- 1.96 x 9.2 = 2.0 ... 38.0 deg, so the spine's share is 0.24 ... 0.96."""
    split = pv.hip_spine_split(trial(), T, series(0.0, 50.0), pv.PelvisSeries(lumbo=series(95.0, 75.0)))
    assert split["pelvic_rotation_deg"] == pytest.approx(20.0) and split[
        "trunk_rotation_deg"
    ] == pytest.approx(50.0)
    assert split["pelvic_fraction"] == pytest.approx(0.4) and split["spinal_fraction"] == pytest.approx(0.6)
    half = 1.96 * ROTATION_RMS_DEG
    assert split["pelvic_rotation_ci95"] == pytest.approx([round(20 - half, 1), round(20 + half, 1)])
    assert split["spinal_fraction_ci95"] == pytest.approx(
        [round(1 - (20 + half) / 50, 2), round(1 - (20 - half) / 50, 2)]
    )
    assert "back contour" in split["method"]


def test_split_prefers_markers() -> None:
    """Markers -5 -> 25 (30 deg) over a contour that says 20: 30/50 = 0.6 from the markers."""
    p = pv.PelvisSeries(marker_tilt=series(-5.0, 25.0), lumbo=series(95.0, 75.0))
    split = pv.hip_spine_split(trial(), T, series(0.0, 50.0), p)
    assert split["pelvic_fraction"] == pytest.approx(0.6) and "skin markers" in split["method"]


def test_split_needs_a_trunk_movement() -> None:
    assert (
        pv.hip_spine_split(trial(), T, series(10.0, 14.0), pv.PelvisSeries(lumbo=series(95.0, 75.0))) is None
    )


def test_spinal_flag_needs_the_whole_interval_above_the_threshold() -> None:
    """Threshold 0.6 (provisional, thresholds.json). Markers (1 SD 1.5 deg, change SD 2.12, 95% +/-4.16 deg):
    pelvis 10 of 50 deg -> spine 0.8, interval 0.72-0.88: flagged. Pelvis 18 of 50 -> 0.64, interval
    0.56-0.72: not flagged. The contour (+/-18 deg) with pelvis 10 of 50 -> interval 0.44-1.16: not
    flagged."""
    flagged = pv.hip_spine_split(
        trial(), T, series(0.0, 50.0), pv.PelvisSeries(marker_tilt=series(0.0, 10.0))
    )
    flags = pv.spinal_flag(flagged, TH)
    assert [f.code for f in flags] == ["reach_mainly_spinal_flexion"] and flags[0].source
    near = pv.hip_spine_split(trial(), T, series(0.0, 50.0), pv.PelvisSeries(marker_tilt=series(0.0, 18.0)))
    assert near["spinal_fraction"] == pytest.approx(0.64) and pv.spinal_flag(near, TH) == []
    contour = pv.hip_spine_split(trial(), T, series(0.0, 50.0), pv.PelvisSeries(lumbo=series(95.0, 85.0)))
    assert contour["spinal_fraction"] == pytest.approx(0.8) and pv.spinal_flag(contour, TH) == []


@pytest.mark.parametrize(
    ("value", "code", "level", "category"),
    [
        (70.0, "lumbo_horizontal_category", "info", "normal"),
        (108.0, "limited_hamstring_extensibility_lhfx", "review", "moderate shortness"),
        (120.0, "limited_hamstring_extensibility_lhfx", "review", "marked shortness"),
    ],
)
def test_lumbo_categories(value: float, code: str, level: str, category: str) -> None:
    """Provisional cut-offs of thresholds.json: normal <= 100, moderate <= 115, marked above."""
    m = Metric(value, "deg", "x", (value - 12.7, value + 12.7))
    (flag,) = pv.lumbo_flag(m, TH)
    assert (flag.code, flag.level, flag.evidence["category"]) == (code, level, category)
    assert "UNVERIFIED" in flag.source


def test_lumbo_flag_says_when_the_interval_spans_a_cut_off() -> None:
    (flag,) = pv.lumbo_flag(Metric(95.0, "deg", "x", (82.3, 107.7)), TH)
    assert flag.evidence["interval_spans_a_cut_off"] and "uncertain" in flag.message
    assert pv.lumbo_flag(Metric.missing("deg", "x", "none"), TH) == []
