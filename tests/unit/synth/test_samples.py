"""The committed sample clips: ground truth matches the schema and the video's frame count (no torch)."""

import json
from pathlib import Path

import pytest

from tiltscreen.synth.groundtruth import SCHEMA, check_ground_truth

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
NAMES = [
    "standing_markers_left",
    "standing_nomarkers_right",
    "standing_armshanging_right",
    "sit_and_reach_2trials",
]


@pytest.mark.parametrize("name", NAMES)
def test_sample_ground_truth(name):
    cv2 = pytest.importorskip("cv2")
    gt = json.loads((SAMPLES / f"{name}.json").read_text())
    assert gt["schema"] == SCHEMA
    assert check_ground_truth(gt) == []
    cap = cv2.VideoCapture(str(SAMPLES / f"{name}.mp4"))
    try:
        assert cap.isOpened()
        count = 0
        while cap.grab():
            count += 1
        assert count == gt["n_frames"]
        assert int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == gt["camera"]["width"]
    finally:
        cap.release()
    assert 8.0 <= gt["n_frames"] / gt["fps"] <= 15.5


def test_sit_and_reach_sample_has_two_long_holds_and_marker():
    gt = json.loads((SAMPLES / "sit_and_reach_2trials.json").read_text())
    assert len(gt["trials"]) == 2
    assert all(t["hold_end_s"] - t["hold_start_s"] >= 2.0 for t in gt["trials"])
    assert gt["marker"]["id"] == 0 and len(gt["marker"]["corners_px"]) == 4


def test_standing_sticker_sample_has_stickers():
    gt = json.loads((SAMPLES / "standing_markers_left.json").read_text())
    assert "left_asis_sticker" in gt["points_px"] and gt["config"]["stickers"] is True


def test_check_ground_truth_reports_problems():
    assert check_ground_truth({"schema": "other"}) != []
    assert "missing key" in check_ground_truth({"schema": SCHEMA})[0]


def test_markerless_sample_has_the_arms_folded():
    """The README's markerless standing sample follows the set-up (arms folded); the old one hangs them."""
    folded = json.loads((SAMPLES / "standing_nomarkers_right.json").read_text())
    hanging = json.loads((SAMPLES / "standing_armshanging_right.json").read_text())
    assert folded["config"]["standing"]["arms"] == "folded" and folded["config"]["stickers"] is False
    assert hanging["config"]["standing"]["arms"] == "hanging"
    assert folded["config"]["seed"] == hanging["config"]["seed"] == 12
