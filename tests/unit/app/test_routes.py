"""Routes with Starlette's TestClient; the live loop is replaced by a stub (no camera, no model)."""

import json

import pytest
from starlette.testclient import TestClient

from tiltscreen.app.core import AppConfig, AppCore
from tiltscreen.app.server import OTHER_TAB, build_app


@pytest.fixture()
def app_core(tmp_path, stub_live):
    core = AppCore(AppConfig(camera="missing.mp4", data_dir=tmp_path / "data", model=tmp_path / "m.task"))
    yield core
    core.history.close()


def _client(core):
    return TestClient(build_app(core))


def test_page_and_state(app_core):
    c = _client(app_core)
    page = c.get("/")
    assert page.status_code == 200 and 'id="live-img"' in page.text and 'id="patient-form"' in page.text
    assert c.get("/static/app.js").status_code == 200
    s = c.get("/api/state").json()
    assert s["phase"] == "idle" and s["session"] is None


def test_session_start_commands_and_second_tab(app_core):
    c = _client(app_core)
    h = {"x-tab": "A"}
    r = c.post(
        "/api/session", json={"pseudonym": " P-7 ", "age": "30", "sex": "F", "stature_cm": ""}, headers=h
    )
    assert r.status_code == 200 and r.json()["phase"] == "live" and r.json()["step"] == "standing_left"
    assert r.json()["session"]["pseudonym"] == "P-7"
    # another tab is refused with a clear message
    r2 = c.post("/api/command/override", headers={"x-tab": "B"})
    assert r2.status_code == 409 and r2.json()["error"] == OTHER_TAB
    assert c.get("/api/state?tab=B").json()["read_only"] is True
    assert c.post("/api/command/override", headers=h).status_code == 200
    assert app_core.worker.commands == ["override"]
    assert c.post("/api/command/accept", headers=h).json()["error"].startswith("There is no analysed step")
    assert c.post("/api/command/bogus", headers=h).status_code == 400


def test_form_errors_are_sentences(app_core):
    c = _client(app_core)
    r = c.post("/api/session", json={"pseudonym": ""}, headers={"x-tab": "A"})
    assert r.status_code == 400 and r.json()["error"] == "Enter a pseudonymous patient ID."
    r = c.post("/api/session", json={"pseudonym": "X", "age": "-3"}, headers={"x-tab": "A"})
    assert r.status_code == 400 and "positive" in r.json()["error"]


def test_camera_failure_shows_a_message_and_reconnect_restarts(app_core):
    c = _client(app_core)
    h = {"x-tab": "A"}
    c.post("/api/session", json={"pseudonym": "P"}, headers=h)
    app_core.worker.on_end("The camera stopped delivering frames.")
    s = c.get("/api/state").json()
    assert s["phase"] == "camera_error" and s["message"] == "The camera stopped delivering frames."
    assert c.post("/api/command/reconnect", headers=h).json()["phase"] == "live"


def test_patients_export_and_delete(app_core, tmp_path):
    c = _client(app_core)
    h = {"x-tab": "A"}
    c.post("/api/session", json={"pseudonym": "P9"}, headers=h)
    sid = app_core.session.session_id
    folder = app_core.session.folder
    (folder / "file.txt").write_text("x")
    summary = {
        "protocol": "standing",
        "status": "ok",
        "metrics": {"pelvic_tilt_deg": {"value": 10.0, "unit": "deg", "method": "m", "ci95": [6, 14]}},
        "flags": [],
    }
    app_core.history.add_step(
        sid, "standing_left", summary, folder=folder, override=True, key_frame=None, points={}
    )
    pid = c.get("/api/patients").json()[0]["id"]
    detail = c.get(f"/api/patients/{pid}").json()
    assert detail["trends"][0]["points"][0]["value"] == 10.0
    csv = c.get(f"/api/export.csv?patient_id={pid}")
    assert csv.headers["content-type"].startswith("text/csv") and "P9" in csv.text
    # deleting during the live step is refused; after leaving the session it removes rows and files
    assert c.post(f"/api/patients/{pid}/delete", headers=h).status_code == 400
    app_core.phase = "finished"
    assert c.post(f"/api/patients/{pid}/delete", headers=h).json() == {"deleted": pid}
    assert not folder.exists()
    assert c.get("/api/patients").json() == []
    assert c.get(f"/sessions/{sid}/report").status_code == 404


def test_websocket_hello_marks_the_second_tab_read_only(app_core):
    c = _client(app_core)
    with c.websocket_connect("/ws/live?tab=A") as a:
        assert json.loads(a.receive_text())["controller"] is True
        with c.websocket_connect("/ws/live?tab=B") as b:
            hello = json.loads(b.receive_text())
            assert hello["controller"] is False and hello["message"] == OTHER_TAB
