"""The standing protocol and the joint screening end to end on the bundled synthetic samples (renders).

``standing_markers_left``: seen from the left, green stickers on the left ASIS and PSIS; ground-truth
sticker tilt 18.05 deg (the skin points; the bone ASIS-PSIS tilt is 13.9 deg: the rendered skin
does not follow the bone exactly, as skin over bony landmarks does not in life either).
``standing_nomarkers_right``: seen from the right, no stickers, arms folded (the README's markerless example).
``standing_armshanging_right``: the same person and tilt with the arms hanging over the pelvis outline.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tiltscreen.cli.main import main

pytestmark = pytest.mark.model

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def run_standing(video: str, out: Path) -> dict:
    assert (
        main(
            [
                "-q",
                "analyze",
                str(SAMPLES / video),
                "--protocol",
                "standing",
                "--out",
                str(out),
                "--subject-height-cm",
                "175",
            ]
        )
        == 0
    )
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def with_markers(tmp_path_factory, model_path):
    return run_standing("standing_markers_left.mp4", tmp_path_factory.mktemp("st_markers"))


def test_marker_tilt_matches_ground_truth(with_markers) -> None:
    """Target (issue): markers MAE <= 1 deg; on this sample the measured tilt is within 1 deg of the
    median ground-truth sticker tilt, and the 95% interval contains it."""
    truth = json.loads((SAMPLES / "standing_markers_left.json").read_text())
    gt = float(np.median(truth["frames"]["sticker_tilt_left_deg"]))
    m = with_markers["metrics"]["pelvic_tilt_deg"]
    assert m["method"] == "markers" and with_markers["status"] == "ok" and with_markers["side"] == "left"
    assert m["value"] == pytest.approx(gt, abs=1.0)
    assert m["ci95"][0] <= gt <= m["ci95"][1]


def test_standing_contract(with_markers) -> None:
    s = with_markers
    for key in (
        "pelvic_tilt_deg",
        "trunk_inclination_deg",
        "hip_extension_deg",
        "knee_hyperextension_deg",
        "plumb_ear",
        "plumb_shoulder",
        "plumb_hip",
        "plumb_knee",
    ):
        assert set(s["metrics"][key]) >= {"value", "unit", "method", "ci95"}
    assert s["metrics"]["plumb_hip"]["unit"] == "cm" and s["scale"]["source"] == "height"
    assert s["quiet_window"]["end_s"] - s["quiet_window"]["start_s"] >= 1.0
    assert s["kendall_type"]["suggested"] in ("ideal", "kyphotic-lordotic", "sway-back", "flat-back")
    assert s["camera"]["within_limits"] is True


def test_screen_joins_both_sides_and_sit_and_reach(tmp_path, model_path) -> None:
    code = main(
        [
            "-q",
            "screen",
            "--standing",
            str(SAMPLES / "standing_markers_left.mp4"),
            "--standing-right",
            str(SAMPLES / "standing_nomarkers_right.mp4"),
            "--sit-and-reach",
            str(SAMPLES / "sit_and_reach_2trials.mp4"),
            "--marker-size-cm",
            "10",
            "--age",
            "30",
            "--sex",
            "M",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    result = json.loads((tmp_path / "screening.json").read_text())
    assert result["not_a_diagnosis"] and result["reading"]
    assert result["hamstring_extensibility"] == "not_limited"
    assert [e["side"] for e in result["evidence"]["standing"]] == ["left", "right"]
    assert "not a diagnosis" in (tmp_path / "screening.md").read_text()


def test_markerless_estimate_when_no_sticker_is_found(tmp_path, model_path) -> None:
    """Asking for blue stickers on the green-sticker sample leaves only the outline: the result is the
    markerless estimate (labelled so), and its 95% interval holds the true bone ASIS-PSIS tilt (13.9 deg)."""
    assert (
        main(
            [
                "-q",
                "analyze",
                str(SAMPLES / "standing_markers_left.mp4"),
                "--protocol",
                "standing",
                "--out",
                str(tmp_path),
                "--subject-height-cm",
                "175",
                "--marker-colour",
                "blue",
            ]
        )
        == 0
    )
    m = json.loads((tmp_path / "summary.json").read_text())["metrics"]["pelvic_tilt_deg"]
    truth = json.loads((SAMPLES / "standing_markers_left.json").read_text())
    bone = float(np.median(truth["frames"]["pelvic_tilt_left_deg"]))
    assert m["method"] == "markerless-estimate" and "estimate" in m["reason"]
    assert m["ci95"][0] <= bone <= m["ci95"][1]


def test_arms_hanging_makes_the_estimate_refuse(tmp_path, model_path) -> None:
    """The arms-hanging sample has the arms over the pelvis outline: indeterminate, with the reason."""
    s = run_standing("standing_armshanging_right.mp4", tmp_path)
    assert s["status"] == "indeterminate" and s["metrics"]["pelvic_tilt_deg"]["value"] is None
    assert "arm overlaps" in s["metrics"]["pelvic_tilt_deg"]["reason"]
