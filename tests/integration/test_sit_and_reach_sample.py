"""The sit-and-reach analysis end to end on the bundled synthetic sample, against its ground truth.

The sample (``samples/sit_and_reach_2trials``; renders, not patients) holds two trials with
straight knees and 2.5 s holds, seen from the subject's left, with a 10 cm ArUco marker.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tiltscreen.cli.main import main
from tiltscreen.results import Result

pytestmark = pytest.mark.model

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "sit_and_reach_2trials.mp4"


def gt_hold(
    reach: np.ndarray, t: np.ndarray, t_max: float, band: float = 1.0, still_cm_s: float = 3.0
) -> tuple[float, float]:
    """Ground-truth hold around the trial maximum: the contiguous time the true reach stays within
    ``band`` cm of its maximum near ``t_max`` and moves at most ``still_cm_s`` (central difference over
    +-0.1 s), the tool's own definition; returns (duration, median reach). (The previous definition, every
    frame within 1 cm, also counted the ends of the reach and the return: 2.83 s on this sample, whose
    script holds 2.5 s; with the stillness condition about 2.6 s.)"""
    near = np.abs(t - t_max) < 2.0
    peak = np.nanmax(reach[near])
    speed = np.abs(np.interp(t + 0.1, t, reach) - np.interp(t - 0.1, t, reach)) / 0.2
    ok = (reach >= peak - band) & (speed <= still_cm_s)
    k = int(np.argmin(np.abs(t - t_max)))
    k = int(np.flatnonzero(ok)[np.argmin(np.abs(np.flatnonzero(ok) - k))])
    lo = hi = k
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi < len(t) - 1 and ok[hi + 1]:
        hi += 1
    return float(t[hi] - t[lo]), float(np.median(reach[lo : hi + 1]))


def analyze_sample(out: Path, *extra: str) -> tuple[int, dict]:
    """Run ``tiltscreen analyze`` on the sample (marker scale, a 30-year-old man) into ``out``."""
    args = ["-q", "analyze", str(SAMPLE), "--protocol", "sit-and-reach", "--out", str(out)]
    code = main([*args, "--marker-size-cm", "10", "--age", "30", "--sex", "M", *extra])
    return code, json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def result(tmp_path_factory, model_path):
    out = tmp_path_factory.mktemp("sr")
    code, summary = analyze_sample(out)
    assert code == 0
    return summary, out


@pytest.fixture(scope="module")
def truth():
    return json.loads(SAMPLE.with_suffix(".json").read_text())


def test_contract_fields(result) -> None:
    s, out = result
    for key in (
        "schema",
        "protocol",
        "status",
        "reasons",
        "side",
        "scale",
        "camera",
        "trials",
        "best_trial",
        "metrics",
        "flags",
    ):
        assert key in s
    assert s["protocol"] == "sit-and-reach" and s["status"] == "ok" and s["side"] == "left"
    for name in (
        "reach_cm",
        "hip_flexion_deg",
        "trunk_inclination_deg",
        "knee_flexion_deg",
        "pelvic_tilt_deg",
        "lumbo_horizontal_deg",
        "hold_s",
    ):
        assert set(s["metrics"][name]) >= {"value", "unit", "method", "ci95"}
    assert (
        s["metrics"]["pelvic_tilt_deg"]["value"] is None
        and "held-out" in s["metrics"]["pelvic_tilt_deg"]["reason"]
    )
    assert (out / "sit_and_reach.png").is_file() and (out / "key_frame.png").is_file()
    assert s["scale"]["source"] == "marker"


def test_the_typed_result_reads_back_the_summary_exactly(result) -> None:
    """``Result.from_dict`` then ``to_dict`` gives the written summary back, keys in the same order."""
    s, _ = result
    typed = Result.from_dict(s)
    assert typed.to_dict() == s and list(typed.to_dict()) == list(s)
    assert typed.metric("reach_cm").value == s["metrics"]["reach_cm"]["value"]


def test_trials_match_ground_truth(result, truth) -> None:
    """Two trials, both valid; each detected trial spans the true one's maximum, and its time of
    maximum reach lies in the true hold (the reach is flat there, so any time in it is a maximum)."""
    s, _ = result
    assert [t["valid"] for t in s["trials"]] == [True, True]
    for found, true in zip(s["trials"], truth["trials"], strict=True):
        assert found["start_s"] < true["max_s"] < found["end_s"]
        assert true["hold_start_s"] - 0.5 <= found["max_reach_s"] <= true["hold_end_s"] + 0.5


def test_best_trial_values_against_truth(result, truth) -> None:
    """Reach within 2 cm (measured on this sample: about -1.8 cm, the fingertip found short of the true tip);
    hold within 0.2 s of the true hold (same definition); hip and knee flexion within 5 deg."""
    s, _ = result
    best = s["trials"][s["best_trial"]]
    f = truth["frames"]
    t = np.array(f["t_s"])
    hold, reach = gt_hold(np.array(f["reach_left_cm"]), t, best["max_reach_s"])
    m = s["metrics"]
    assert m["reach_cm"]["value"] == pytest.approx(reach, abs=2.0)
    assert m["hold_s"]["value"] == pytest.approx(hold, abs=0.2)
    near = np.abs(t - best["max_reach_s"]) < 0.5
    assert m["hip_flexion_deg"]["value"] == pytest.approx(
        np.median(np.array(f["hip_flexion_left_deg"])[near]), abs=5
    )
    assert m["knee_flexion_deg"]["value"] == pytest.approx(
        np.max(np.array(f["knee_flexion_left_deg"])[near]), abs=5
    )


def test_pelvis_from_the_back_contour_against_truth(result, truth) -> None:
    """No stickers: the lumbo-horizontal proxy (back contour), median over the hold, against the true value
    near the maximum. Measured on this sample: -0.6 deg; allowed 5 deg (held-out bodies: RMS 8.9 deg, so this
    checks the geometry and conventions, not the accuracy, which ``benchmarks/lumbo_outline.py`` measures).
    The pelvis's rotation from rest to the hold, read from the same contour: within 5 deg of the truth
    (measured 0.2 deg)."""
    s, _ = result
    best = s["trials"][s["best_trial"]]
    f = truth["frames"]
    t = np.array(f["t_s"])
    near = np.abs(t - best["max_reach_s"]) < 0.5
    lumbo = s["metrics"]["lumbo_horizontal_deg"]
    assert lumbo["value"] == pytest.approx(np.median(np.array(f["lumbo_horizontal_deg"])[near]), abs=5)
    assert lumbo["ci95"][0] < lumbo["value"] < lumbo["ci95"][1]
    split = s["hip_spine_contribution"]
    rest = (t >= best["start_s"] - 0.5) & (t <= best["start_s"])
    true_tilt = np.array(f["pelvic_tilt_left_deg"], float)
    true_rotation = np.median(true_tilt[near]) - np.median(true_tilt[rest])
    assert split["pelvic_rotation_deg"] == pytest.approx(true_rotation, abs=5)
    assert "back contour" in split["method"]


def test_flags_compare_with_norms(result) -> None:
    codes = [f["code"] for f in result[0]["flags"]]
    assert "reach_within_norms" in codes or "limited_hamstring_extensibility" in codes


def test_camera_outside_the_limits_refuses_every_number(tmp_path, model_path) -> None:
    """The same sample with a clinic's thresholds file allowing only 5 deg of yaw: the tool estimates about
    10 deg on this clip (true 0; its yaw estimate reads ~+6 deg at a square view on renders), so the set-up is
    outside the limits. Status indeterminate, the reason says how to turn the camera, every metric of the
    summary and of each trial is null with that reason, and no norm or pelvis flag is raised from refused
    numbers."""
    from importlib import resources

    raw = json.loads(
        resources.files("tiltscreen.config").joinpath("thresholds.json").read_text(encoding="utf-8")
    )
    raw["camera"]["max_yaw_deg"]["value"] = 5.0
    th = tmp_path / "strict.json"
    th.write_text(json.dumps(raw))
    code, s = analyze_sample(tmp_path / "out", "--thresholds", str(th))
    assert code == 0 and s["status"] == "indeterminate"
    assert s["camera"]["within_limits"] is False and any("Turn the camera" in r for r in s["reasons"])
    for m in s["metrics"].values():
        assert m["value"] is None and m["reason"].startswith("Camera set-up outside the limits")
    for trial in s["trials"]:
        assert all(m["value"] is None for m in trial["metrics"].values())
    codes = {f["code"] for f in s["flags"]}
    assert not codes & {
        "limited_hamstring_extensibility",
        "reach_within_norms",
        "lumbo_horizontal_category",
        "limited_hamstring_extensibility_lhfx",
        "reach_mainly_spinal_flexion",
    }
