import sqlite3

import pytest

from tiltscreen.app.db import MIGRATIONS, History, StorageError, migrate
from tiltscreen.app.history import MDC, export_csv, mark_change, trends

SUMMARY = {
    "protocol": "standing",
    "status": "ok",
    "metrics": {
        "pelvic_tilt_deg": {"value": 14.0, "unit": "deg", "method": "markers", "ci95": [10.0, 18.0]},
        "plumb_hip": {"value": None, "unit": "px", "method": "x", "ci95": None, "reason": "no"},
    },
    "flags": [
        {"code": "anterior_tilt", "level": "review", "message": "m", "evidence": {"a": 1}, "source": "s"}
    ],
}


def _step(h, sid, tilt, step="standing_left"):
    s = {
        **SUMMARY,
        "metrics": {
            **SUMMARY["metrics"],
            "pelvic_tilt_deg": {**SUMMARY["metrics"]["pelvic_tilt_deg"], "value": tilt},
        },
    }
    return h.add_step(
        sid, step, s, folder=h.path.parent, override=False, key_frame=None, points={"points": {}}
    )


def test_migrations_from_empty_and_from_version_1(tmp_path):
    conn = sqlite3.connect(tmp_path / "a.sqlite", isolation_level=None)
    assert migrate(conn) == len(MIGRATIONS) == 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    cols = {r[1] for r in conn.execute("PRAGMA table_info(sessions)")}
    assert "camera" in cols
    old = sqlite3.connect(tmp_path / "b.sqlite", isolation_level=None)
    old.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
    old.execute("INSERT INTO patients (pseudonym, created_at) VALUES ('kept', 'now')")
    assert migrate(old) == 2
    assert old.execute("SELECT pseudonym FROM patients").fetchone()[0] == "kept"
    old.execute("PRAGMA user_version = 9")
    with pytest.raises(StorageError, match="newer"):
        migrate(old)


def test_step_rows_metrics_flags_and_supersede(tmp_path):
    h = History(tmp_path / "h.sqlite")
    pid = h.upsert_patient("P1", 30, "F", 165)
    assert h.upsert_patient("P1", 31, "F", 165) == pid
    sid = h.new_session(pid, tmp_path, store_video=False, camera="0")
    first = _step(h, sid, 14.0)
    second = _step(h, sid, 15.0)  # a redo supersedes the first take
    steps = h.steps(sid)
    assert [s["id"] for s in steps] == [second]
    assert h.rows("SELECT superseded FROM steps WHERE id = ?", (first,))[0]["superseded"] == 1
    m = h.rows("SELECT * FROM metrics WHERE step_id = ? ORDER BY id", (second,))
    assert (m[0]["name"], m[0]["value"], m[0]["ci_low"], m[0]["ci_high"]) == (
        "pelvic_tilt_deg",
        15.0,
        10.0,
        18.0,
    )
    assert m[1]["value"] is None
    assert h.rows("SELECT code FROM flags WHERE step_id = ?", (second,))[0]["code"] == "anterior_tilt"
    h.close()


def test_committed_steps_survive_a_new_connection(tmp_path):
    h = History(tmp_path / "h.sqlite")
    sid = h.new_session(h.upsert_patient("P1", None, None, None), tmp_path, store_video=False, camera="0")
    _step(h, sid, 12.0)
    # no close(): as if the server were killed
    again = History(tmp_path / "h.sqlite")
    assert [s["step"] for s in again.steps(sid)] == ["standing_left"]


def test_delete_patient_removes_every_row(tmp_path):
    h = History(tmp_path / "h.sqlite")
    pid = h.upsert_patient("P1", None, None, None)
    other = h.upsert_patient("P2", None, None, None)
    sid = h.new_session(pid, tmp_path / "s1", store_video=False, camera="0")
    sid2 = h.new_session(other, tmp_path / "s2", store_video=False, camera="0")
    step = _step(h, sid, 12.0)
    _step(h, sid2, 12.0)
    h.add_correction(step, "pelvic_tilt_deg", {"asis": [0, 0]}, {"asis": [1, 1]}, 12.0, 13.0)
    h.finish_session(sid, {"flags": [{"code": "x"}]}, None)
    assert h.delete_patient(pid) == [str(tmp_path / "s1")]
    for table in ("sessions", "steps", "metrics", "flags", "corrections"):
        where = {"sessions": "patient_id = ?", "steps": "session_id = ?", "flags": "session_id = ?"}.get(
            table
        )
        if where:
            assert (
                h.rows(f"SELECT * FROM {table} WHERE {where}", (pid if table == "sessions" else sid,)) == []
            )
    assert h.rows("SELECT COUNT(*) AS n FROM corrections")[0]["n"] == 0
    assert h.rows("SELECT COUNT(*) AS n FROM metrics")[0]["n"] == 2  # P2's two metrics only
    assert [r["pseudonym"] for r in h.rows("SELECT pseudonym FROM patients")] == ["P2"]


def test_change_marked_only_beyond_the_mdc(tmp_path):
    # MDC95 for standing tilt = 2.77 x SEM 1.1 = 3.0 deg (docs/clinical.md)
    assert MDC["pelvic_tilt_deg"].value == 3.0
    assert mark_change("pelvic_tilt_deg", 14.0, 16.9)["marked"] is False
    assert mark_change("pelvic_tilt_deg", 14.0, 17.5) == {"delta": 3.5, "marked": True, "mdc": 3.0}
    assert mark_change("reach_cm", 0.0, 20.0)["marked"] is False  # no MDC in docs/clinical.md
    h = History(tmp_path / "h.sqlite")
    pid = h.upsert_patient("P1", None, None, None)
    for tilt in (14.0, 15.0, 19.0):
        _step(h, h.new_session(pid, tmp_path, store_video=False, camera="0"), tilt)
    series = next(t for t in trends(h, pid) if t["step"] == "standing_left")
    assert [p["value"] for p in series["points"]] == [14.0, 15.0, 19.0]
    assert [p["marked"] for p in series["points"]] == [False, False, True]
    assert [p["delta"] for p in series["points"]] == [None, 1.0, 4.0]


def test_trend_uses_the_correction_and_csv_export(tmp_path):
    h = History(tmp_path / "h.sqlite")
    pid = h.upsert_patient("P1", 40, "M", None)
    step = _step(h, h.new_session(pid, tmp_path, store_video=False, camera="0"), 14.0)
    h.add_correction(step, "pelvic_tilt_deg", {}, {}, 14.0, 12.5)
    pt = next(t for t in trends(h, pid) if t["step"] == "standing_left")["points"][0]
    assert (pt["value"], pt["corrected"]) == (12.5, True)
    text = export_csv(h, pid)
    lines = text.strip().splitlines()
    assert lines[0].startswith("pseudonym,age,sex")
    assert len(lines) == 3 and "P1" in lines[1] and lines[1].endswith(",12.5")
    h.upsert_patient("P2", None, None, None)
    assert export_csv(h).count("\n") == 3
