"""Agreement statistics reproduce published worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.export.agreement import bland_altman, paired, reliability, reliability_table

#: Bland & Altman, Lancet 1986;1:307-10, Table 1: peak expiratory flow rate (l/min) of 17 subjects, first
#: reading with the Wright peak flow meter and first reading with the mini Wright meter.
WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]

#: Shrout & Fleiss, Psychol Bull 1979;86:420-8, Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_bland_altman_reproduces_the_1986_lancet_example():
    """The paper reports mean difference -2.1 l/min, SD 38.8, limits (mean -/+ 2 SD) -79.7 to 75.5.

    Differences are Wright - mini Wright; their sum is -36, so the mean is -36/17 = -2.12.
    """
    r = bland_altman(WRIGHT, MINI, z=2.0)
    assert r.n == 17
    assert r.bias == pytest.approx(-2.1, abs=0.05)
    assert r.sd == pytest.approx(38.8, abs=0.05)
    assert r.loa_low == pytest.approx(-79.7, abs=0.1)
    assert r.loa_high == pytest.approx(75.5, abs=0.1)


def test_bland_altman_confidence_intervals_follow_the_1999_formulas():
    """SE(bias) = s/sqrt(n); SE(limit) = sqrt(3 s^2/n); t(0.975, 16) = 2.1199."""
    r = bland_altman(WRIGHT, MINI)
    se_bias, se_loa = r.sd / np.sqrt(17), np.sqrt(3 * r.sd**2 / 17)
    assert r.bias_ci95[1] - r.bias == pytest.approx(2.1199 * se_bias, rel=1e-4)
    assert r.loa_high_ci95[0] == pytest.approx(r.loa_high - 2.1199 * se_loa, rel=1e-4)
    assert r.loa_low == pytest.approx(r.bias - 1.96 * r.sd)


def test_bland_altman_finds_a_proportional_bias():
    """Tool = 1.2 x reference: differences = 0.2 r and means = 1.1 r, so the slope is 0.2 / 1.1."""
    ref = np.linspace(10, 30, 9)
    r = bland_altman(1.2 * ref, ref)
    assert r.slope == pytest.approx(0.2 / 1.1)
    assert r.slope_p < 1e-6


def test_icc_reproduces_shrout_and_fleiss():
    """Published ICC(2,1) = 0.29, ICC(3,1) = 0.71; error mean square EMS = 1.02, so SEM = sqrt(1.02)."""
    r = reliability_table(SHROUT_FLEISS)
    assert r.icc2_1 == pytest.approx(0.29, abs=0.005)
    assert r.icc3_1 == pytest.approx(0.71, abs=0.01)
    assert r.sem == pytest.approx(np.sqrt(1.02), abs=0.005)
    assert r.mdc95 == pytest.approx(1.96 * np.sqrt(2) * r.sem)
    assert r.icc2_1_ci95[0] < r.icc2_1 < r.icc2_1_ci95[1]


def test_reliability_of_two_methods_drops_missing_pairs():
    """Identical values except a constant offset: consistency ICC(3,1) is 1, absolute agreement lower."""
    ref = np.array([10.0, 14.0, 19.0, 25.0, 30.0, np.nan])
    r = reliability(ref + 2.0, ref)
    assert r.n == 5
    assert r.icc3_1 == pytest.approx(1.0)
    assert r.icc2_1 < 1.0
    assert r.sem == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("tool", "ref", "match"),
    [
        pytest.param([1, 2], [1, 2, 3], "2 tool values but 3", id="lengths"),
        pytest.param([1, np.nan, 3], [1, 2, np.nan], "at least 3", id="too-few-pairs"),
        pytest.param(["a", "b", "c"], [1, 2, 3], "must be numbers", id="not-numbers"),
    ],
)
def test_paired_rejects_bad_input(tool, ref, match):
    with pytest.raises(ValidationError, match=match):
        paired(tool, ref)
