"""Tests for the markerless pelvic-tilt estimate (kinematics.outline_tilt) and the bundled model JSON."""

from __future__ import annotations

import math

import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.outline import FEATURE_NAMES, OutlineFeatures
from tiltscreen.kinematics.outline_tilt import METHOD, estimate_pelvic_tilt, load_model, parse_model


def _doc(**over) -> dict:
    """A two-feature model: tilt = 2 + 100 * lumbar_depth + 0.5 * abdomen_deg, interval +/- 4 deg.

    Training ranges: lumbar_depth 0.08-0.18, abdomen_deg 0-16; margin 0.25 widens them to
    0.055-0.205 and -4-20.
    """
    doc = {
        "schema": "tiltscreen-tilt-model/1",
        "version": "test",
        "features": [
            {"name": "lumbar_depth", "coef_deg_per_unit": 100.0, "train_min": 0.08, "train_max": 0.18},
            {"name": "abdomen_deg", "coef_deg_per_unit": 0.5, "train_min": 0.0, "train_max": 16.0},
        ],
        "intercept_deg": 2.0,
        "extrapolation_margin": 0.25,
        "valid_output_deg": [-10.0, 45.0],
        "interval": {"half_width_deg": 4.0, "level": 0.95},
    }
    doc.update(over)
    return doc


def test_known_value_and_interval() -> None:
    """lumbar_depth 0.12, abdomen_deg 8: 2 + 12 + 4 = 18 deg, interval 14-22 deg."""
    est = estimate_pelvic_tilt({"lumbar_depth": 0.12, "abdomen_deg": 8.0}, model=parse_model(_doc()))
    value, ci95, reliable, reasons = est[:4]
    assert value == pytest.approx(18.0)
    assert ci95 == pytest.approx((14.0, 22.0))
    assert reliable and reasons == ()
    assert est.method == METHOD == "markerless-estimate"


@pytest.mark.parametrize(
    ("features", "reason"),
    [
        pytest.param({"lumbar_depth": 0.12}, "could not be measured", id="missing"),
        pytest.param({"lumbar_depth": math.nan, "abdomen_deg": 8.0}, "could not be measured", id="nan"),
        pytest.param({"lumbar_depth": 0.30, "abdomen_deg": 8.0}, "outside the range", id="extrapolation"),
        pytest.param({"lumbar_depth": 0.2, "abdomen_deg": 19.0}, None, id="inside-widened-range"),
    ],
)
def test_refusals_on_features(features, reason) -> None:
    est = estimate_pelvic_tilt(features, model=parse_model(_doc()))
    if reason is None:
        assert est.reliable
        return
    assert not est.reliable
    assert math.isnan(est.value) and all(math.isnan(v) for v in est.ci95)
    assert any(reason in r for r in est.reasons)


def test_implausible_output_is_refused() -> None:
    """Intercept 40 + 20 + 8 = 68 deg > 45: refused even with features in range."""
    est = estimate_pelvic_tilt(
        {"lumbar_depth": 0.2, "abdomen_deg": 16.0}, model=parse_model(_doc(intercept_deg=40))
    )
    assert not est.reliable
    assert "plausible range" in est.reasons[0]


def test_quality_reasons_are_honoured() -> None:
    """An outline that failed a check is indeterminate whatever its values."""
    feats = OutlineFeatures({"lumbar_depth": 0.12, "abdomen_deg": 8.0}, ("an arm overlaps the low back",))
    est = estimate_pelvic_tilt(feats, model=parse_model(_doc()))
    assert not est.reliable
    assert est.reasons == ("an arm overlaps the low back",)


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        pytest.param(_doc(schema="other/1"), "schema", id="schema"),
        pytest.param(_doc(intercept_deg="x"), "malformed", id="not-a-number"),
        pytest.param(_doc(features=[]), "no features", id="no-features"),
        pytest.param({k: v for k, v in _doc().items() if k != "interval"}, "malformed", id="no-interval"),
    ],
)
def test_parse_model_rejects(doc, match) -> None:
    with pytest.raises(ValidationError, match=match):
        parse_model(doc)


def test_rejects_other_feature_types() -> None:
    with pytest.raises(ValidationError, match="OutlineFeatures or a mapping"):
        estimate_pelvic_tilt([0.1, 8.0], model=parse_model(_doc()))


def test_bundled_model_loads_and_predicts() -> None:
    """The bundled JSON is a valid model over outline features; at the training means ridge returns
    the mean training tilt, ``intercept + sum(coef * mean)``, inside the training tilt range."""
    model = load_model()
    doc = model.document
    assert doc["method"] == METHOD
    assert set(model.names) <= set(FEATURE_NAMES)
    assert 0 < model.half_width_deg < 15
    means = {f["name"]: f["train_mean"] for f in doc["features"]}
    want = doc["intercept_deg"] + sum(f["coef_deg_per_unit"] * f["train_mean"] for f in doc["features"])
    est = estimate_pelvic_tilt(means)
    assert est.reliable
    assert est.value == pytest.approx(want, abs=1e-9)
    lo, hi = doc["training_set"]["tilt_range_deg"]
    assert lo < est.value < hi
    assert est.ci95 == pytest.approx((want - model.half_width_deg, want + model.half_width_deg))
    assert est.model_version == doc["version"]
    for key in ("residual_sd_deg", "held_out", "training_set", "interval"):
        assert key in doc
