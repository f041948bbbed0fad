"""Reasons read as sentences: the helpers, the envelope, and the reasons that used to be glued together."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tests.unit.protocols.plain import assert_plain, sentence_problems

from tiltscreen.protocols.common import Metric, clauses, envelope, plain_reasons, refuse, sentence, sentences
from tiltscreen.protocols.standing.tilt import TiltSources, TiltView, marker_tilt, pelvic_tilt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "only 0% of frames had a usable outline", "Only 0% of frames had a usable outline.", id="frag"
        ),
        pytest.param("  Turn  the camera.\n", "Turn the camera.", id="spaces"),
        pytest.param("Check the colour:", "Check the colour.", id="colon"),
        pytest.param("Really?", "Really?", id="question"),
        pytest.param("   ", "", id="blank"),
    ],
)
def test_sentence(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_sentences_and_clauses() -> None:
    assert sentences(["No ASIS/PSIS skin markers were found", None, "", "no sticker near the pelvis"]) == (
        "No ASIS/PSIS skin markers were found. No sticker near the pelvis."
    )
    assert clauses("The estimate is indeterminate", ["a;", "b."]) == "The estimate is indeterminate: a; b."
    assert clauses("Nothing to add", []) == "Nothing to add."


def test_plain_reasons_drop_repeats_and_blanks() -> None:
    assert plain_reasons(["turn the camera", "Turn the camera.", None, ""]) == ["Turn the camera."]


def test_envelope_makes_every_reason_a_sentence() -> None:
    out = envelope(
        protocol="standing",
        status="indeterminate",
        reasons=["the subject did not stand still"],
        side=None,
        scale=None,
        camera=None,
        metrics={"pelvic_tilt_deg": Metric.missing("deg", "markers", "no sticker near the pelvis")},
        flags=[],
    )
    assert out["reasons"] == ["The subject did not stand still."]
    assert out["metrics"]["pelvic_tilt_deg"]["reason"] == "No sticker near the pelvis."


def test_envelope_refuses_an_unknown_status() -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        envelope(
            protocol="standing",
            status="done",
            reasons=[],
            side=None,
            scale=None,
            camera=None,
            metrics={},
            flags=[],
        )


def test_refusal_joins_sentences() -> None:
    m = refuse({"x": Metric(1.0, "deg", "m")}, ["turn the camera", "Level it."])["x"]
    assert m.reason == "Camera set-up outside the limits: Turn the camera. Level it."


def test_missing_stickers_and_outline_read_as_sentences() -> None:
    """The reason the issue quoted was glued: "...faces the camera Markerless estimate indeterminate:
    only 0% of frames had a usable outline an arm overlaps...". Now each part is a sentence."""
    no_pair = SimpleNamespace(
        pair=None,
        reason="No sticker near the pelvis: check the colour, the light and that the near side faces the "
        "camera",
    )
    sources = TiltSources(stickers=SimpleNamespace(searches=[no_pair] * 3))
    view = TiltView((640, 360))
    metric, notes = marker_tilt(sources, rows=slice(None), facing=1, roll=SimpleNamespace(deg=0.0), view=view)
    assert metric is None
    assert notes == [
        "No ASIS/PSIS skin markers were found. No sticker near the pelvis: check the colour, the light and "
        "that the near side faces the camera."
    ]
    rec = SimpleNamespace(lm=SimpleNamespace(image_size=(640, 360)))
    level = SimpleNamespace(deg=0.0, pitch_deg=0.0, pitch_sd_deg=0.0)
    tilt, _ = pelvic_tilt(sources, rec=rec, rows=slice(None), side="left", facing=1, roll=level, yaw_deg=0.0)
    assert not sentence_problems(tilt.reason)
    assert_plain(notes)


@pytest.mark.parametrize(
    "features",
    [
        pytest.param({"lumbar_depth": 0.12}, id="missing-feature"),
        pytest.param({"lumbar_depth": 9.0, "abdomen_deg": 8.0}, id="out-of-range-feature"),
        pytest.param({"lumbar_depth": 0.2, "abdomen_deg": 200.0}, id="implausible-estimate"),
    ],
)
def test_markerless_refusals_name_no_code(features: dict) -> None:
    """The packaged model's refusals, as the standing summary words them: no feature identifiers
    (``lumbar_depth``) and no printed tuples."""
    from tiltscreen.kinematics.outline_tilt import estimate_pelvic_tilt

    est = estimate_pelvic_tilt(features)
    assert not est.reliable
    assert_plain([clauses("The markerless estimate is indeterminate", est.reasons)])
