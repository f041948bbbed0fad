"""The correction path: moved sticker points -> tilt (kinematics.sticker_tilt), kept beside the original."""

import math

import pytest
from starlette.testclient import TestClient

from tiltscreen.app import core as core_mod
from tiltscreen.app.analysis import corrected_tilt, key_time_s, sticker_tilt
from tiltscreen.app.core import AppConfig, AppCore
from tiltscreen.app.server import build_app

# facing image-right: ASIS (100, 110) is 10 px below the PSIS (0, 100) over 100 px:
# atan(0.1) = 5.71 deg anterior
SUMMARY = {
    "protocol": "standing",
    "status": "ok",
    "facing": "image-right",
    "side": "left",
    "camera": {"roll_deg": 0.0},
    "metrics": {"pelvic_tilt_deg": {"value": 8.0, "unit": "deg", "method": "markers", "ci95": [4.0, 12.0]}},
    "flags": [],
}
POINTS = {"asis": [100.0, 110.0], "psis": [0.0, 100.0]}


def test_sticker_tilt_of_one_frame():
    assert sticker_tilt(POINTS, SUMMARY) == pytest.approx(math.degrees(math.atan(0.1)), abs=0.01)
    left = {**SUMMARY, "facing": "image-left"}  # the same points read for a subject facing left: posterior
    assert sticker_tilt({"asis": [0.0, 110.0], "psis": [100.0, 100.0]}, left) == pytest.approx(5.71, abs=0.01)
    assert sticker_tilt({"asis": [1.0, 1.0]}, SUMMARY) is None


def test_roll_is_removed_like_the_analysis():
    # pair_tilt_deg's convention (y up, counter-clockwise positive): a camera rolled -5.71 deg made the
    # level line appear to drop by 5.71 deg toward the ASIS, so these pixels read 0; rolled +5.71, 11.42
    assert sticker_tilt(POINTS, {**SUMMARY, "camera": {"roll_deg": -5.7106}}) == pytest.approx(0.0, abs=0.01)
    assert sticker_tilt(POINTS, {**SUMMARY, "camera": {"roll_deg": 5.7106}}) == pytest.approx(11.42, abs=0.01)


def test_corrected_value_shifts_the_reported_median_by_the_key_frame_change():
    moved = {"asis": [100.0, 100.0], "psis": [0.0, 100.0]}  # ASIS dragged up 10 px: level, 0 deg
    r = corrected_tilt(POINTS, moved, SUMMARY)
    assert r["key_frame_before_deg"] == pytest.approx(5.71, abs=0.01)
    assert r["key_frame_after_deg"] == pytest.approx(0.0, abs=0.01)
    assert r["corrected_deg"] == pytest.approx(8.0 - 5.71, abs=0.01)


def test_key_time():
    assert key_time_s({"quiet_window": {"start_s": 1.0, "end_s": 5.0}}) == 3.0
    trials = [{"index": 0, "max_reach_s": 2.5}, {"index": 1, "max_reach_s": 9.0}]
    assert key_time_s({"best_trial": 1, "trials": trials}) == 9.0
    assert key_time_s({}) is None


def test_correction_route_keeps_the_original(tmp_path, stub_live):
    core = AppCore(AppConfig(camera="x.mp4", data_dir=tmp_path, model=tmp_path / "m.task"))
    c = TestClient(build_app(core))
    h = {"x-tab": "A"}
    c.post("/api/session", json={"pseudonym": "C1"}, headers=h)
    sid = core.session.session_id
    step = core.history.add_step(
        sid,
        "standing_left",
        SUMMARY,
        folder=tmp_path,
        override=False,
        key_frame=None,
        points={"points": POINTS},
    )
    moved = {"asis": [100.0, 100.0], "psis": [0.0, 100.0]}
    r = c.post(f"/api/steps/{step}/correction", json={"points": moved}, headers=h).json()
    assert r["original_deg"] == 8.0 and r["corrected_deg"] == pytest.approx(2.29, abs=0.01)
    row = core.history.rows("SELECT * FROM corrections WHERE step_id = ?", (step,))[0]
    assert (row["original_value"], row["corrected_value"]) == (8.0, pytest.approx(2.29, abs=0.01))
    # the step's own metric is unchanged
    assert core.history.rows("SELECT value FROM metrics WHERE step_id = ?", (step,))[0]["value"] == 8.0
    # a step without stickers cannot be corrected
    other = core.history.add_step(
        sid, "standing_right", SUMMARY, folder=tmp_path, override=False, key_frame=None, points={"points": {}}
    )
    r = c.post(f"/api/steps/{other}/correction", json={"points": moved}, headers=h)
    assert r.status_code == 400 and "stickers" in r.json()["error"]
    core.history.close()


def test_a_failed_analysis_leaves_a_message_and_the_step_to_redo(tmp_path, monkeypatch, stub_live):
    core = AppCore(AppConfig(camera="x.mp4", data_dir=tmp_path, model=tmp_path / "m.task"))
    c = TestClient(build_app(core))
    c.post("/api/session", json={"pseudonym": "C2"}, headers={"x-tab": "A"})

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(core_mod, "analyse_clip", boom)
    core._analyse("standing_left", tmp_path / "clip.mp4")
    s = c.get("/api/state").json()
    assert s["phase"] == "failed" and "disk full" in s["message"]
    assert c.post("/api/command/redo", headers={"x-tab": "A"}).json()["phase"] == "live"
    core.history.close()
