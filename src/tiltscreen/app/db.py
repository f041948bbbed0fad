"""The app's local history: SQLite (stdlib ``sqlite3``) with migrations tracked in ``PRAGMA user_version``.

Tables: ``patients``, ``sessions``, ``steps`` (one row per captured step, its summary as JSON),
``metrics`` (value, unit, method and 95% interval), ``flags``, ``corrections`` (a moved point: the
original and corrected points and values side by side). Every write commits at once, so a server
killed mid-session keeps every completed step. Foreign keys cascade: deleting a patient deletes every
row of theirs (the caller deletes their files).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: migrations in order; ``user_version`` is the number applied
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE patients (
        id INTEGER PRIMARY KEY, pseudonym TEXT NOT NULL UNIQUE, age REAL, sex TEXT, stature_cm REAL,
        created_at TEXT NOT NULL);
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL, finished_at TEXT, store_video INTEGER NOT NULL DEFAULT 0,
        folder TEXT NOT NULL, reading_json TEXT, report_path TEXT);
    CREATE TABLE steps (
        id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        step TEXT NOT NULL, protocol TEXT NOT NULL, status TEXT NOT NULL, override INTEGER NOT NULL,
        summary_json TEXT NOT NULL, folder TEXT NOT NULL, key_frame TEXT, points_json TEXT,
        created_at TEXT NOT NULL, superseded INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE metrics (
        id INTEGER PRIMARY KEY, step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
        name TEXT NOT NULL, value REAL, unit TEXT, method TEXT, ci_low REAL, ci_high REAL);
    CREATE TABLE flags (
        id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        step_id INTEGER REFERENCES steps(id) ON DELETE CASCADE, code TEXT NOT NULL, level TEXT,
        message TEXT, evidence_json TEXT, source TEXT);
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY, step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
        metric TEXT NOT NULL, original_points_json TEXT NOT NULL, corrected_points_json TEXT NOT NULL,
        original_value REAL, corrected_value REAL, created_at TEXT NOT NULL);
    """,
    """
    ALTER TABLE sessions ADD COLUMN camera TEXT;
    CREATE INDEX steps_by_session ON steps(session_id);
    CREATE INDEX metrics_by_step ON metrics(step_id);
    """,
)


class StorageError(RuntimeError):
    """The history database cannot be opened or is newer than this version of the app."""


def now_iso() -> str:
    """UTC time, ISO 8601, seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration after the database's ``user_version``; return the new version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StorageError(
            f"The history database is version {version}, newer than this app ({len(MIGRATIONS)}); "
            "update tiltscreen."
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
    return len(MIGRATIONS)


class History:
    """The history database (thread-safe: one connection behind a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as err:
            raise StorageError(f"The history database {self.path} cannot be opened: {err}") from err
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._lock = threading.RLock()
        with self._lock:
            migrate(self._conn)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def rows(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        """Run a query; rows as dicts."""
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, params).fetchall()]

    # -- patients and sessions --------------------------------------------------------------------
    def upsert_patient(
        self, pseudonym: str, age: float | None, sex: str | None, stature_cm: float | None
    ) -> int:
        """Create the patient, or update their optional facts; return the id."""
        with self._tx() as c:
            row = c.execute("SELECT id FROM patients WHERE pseudonym = ?", (pseudonym,)).fetchone()
            if row:
                c.execute(
                    "UPDATE patients SET age = ?, sex = ?, stature_cm = ? WHERE id = ?",
                    (age, sex, stature_cm, row["id"]),
                )
                return int(row["id"])
            cur = c.execute(
                "INSERT INTO patients (pseudonym, age, sex, stature_cm, created_at) VALUES (?, ?, ?, ?, ?)",
                (pseudonym, age, sex, stature_cm, now_iso()),
            )
            return int(cur.lastrowid)

    def new_session(self, patient_id: int, folder: Path, *, store_video: bool, camera: str) -> int:
        """Open a session; return its id."""
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO sessions (patient_id, started_at, store_video, folder, camera) VALUES "
                "(?, ?, ?, ?, ?)",
                (patient_id, now_iso(), int(store_video), str(folder), camera),
            )
            return int(cur.lastrowid)

    def finish_session(self, session_id: int, reading: dict[str, Any], report_path: Path | None) -> None:
        """Store the joint reading (and its flags) and the report's path."""
        with self._tx() as c:
            c.execute(
                "UPDATE sessions SET finished_at = ?, reading_json = ?, report_path = ? WHERE id = ?",
                (now_iso(), json.dumps(reading), str(report_path) if report_path else None, session_id),
            )
            c.execute("DELETE FROM flags WHERE session_id = ? AND step_id IS NULL", (session_id,))
            for f in reading.get("flags") or []:
                _insert_flag(c, session_id, None, f)

    # -- steps ----------------------------------------------------------------------------------
    def add_step(
        self,
        session_id: int,
        step: str,
        summary: dict[str, Any],
        *,
        folder: Path,
        override: bool,
        key_frame: Path | None,
        points: dict[str, Any],
    ) -> int:
        """Commit a completed step with its metrics and flags (an earlier take of it is superseded)."""
        with self._tx() as c:
            c.execute("UPDATE steps SET superseded = 1 WHERE session_id = ? AND step = ?", (session_id, step))
            cur = c.execute(
                "INSERT INTO steps (session_id, step, protocol, status, override, summary_json, "
                "folder, key_frame,"
                " points_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    step,
                    summary.get("protocol", ""),
                    summary.get("status", ""),
                    int(override),
                    json.dumps(summary),
                    str(folder),
                    str(key_frame) if key_frame else None,
                    json.dumps(points),
                    now_iso(),
                ),
            )
            step_id = int(cur.lastrowid)
            for name, m in (summary.get("metrics") or {}).items():
                if not isinstance(m, dict):
                    continue
                ci = m.get("ci95") or (None, None)
                c.execute(
                    "INSERT INTO metrics (step_id, name, value, unit, method, ci_low, ci_high) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (step_id, name, m.get("value"), m.get("unit"), m.get("method"), ci[0], ci[1]),
                )
            for f in summary.get("flags") or []:
                _insert_flag(c, session_id, step_id, f)
            return step_id

    def steps(self, session_id: int) -> list[dict[str, Any]]:
        """Return the current (not superseded) steps of a session, with their summaries decoded."""
        out = self.rows(
            "SELECT * FROM steps WHERE session_id = ? AND superseded = 0 ORDER BY id", (session_id,)
        )
        for r in out:
            r["summary"] = json.loads(r.pop("summary_json"))
            r["points"] = json.loads(r.pop("points_json") or "{}")
            r["corrections"] = self.rows(
                "SELECT * FROM corrections WHERE step_id = ? ORDER BY id", (r["id"],)
            )
        return out

    def add_correction(
        self,
        step_id: int,
        metric: str,
        original: dict,
        corrected: dict,
        original_value: float | None,
        corrected_value: float | None,
    ) -> int:
        """Keep a clinician's correction beside the original (the step's own row is not changed)."""
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO corrections (step_id, metric, original_points_json, "
                "corrected_points_json, original_value,"
                " corrected_value, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    step_id,
                    metric,
                    json.dumps(original),
                    json.dumps(corrected),
                    original_value,
                    corrected_value,
                    now_iso(),
                ),
            )
            return int(cur.lastrowid)

    def delete_patient(self, patient_id: int) -> list[str]:
        """Delete the patient and every row of theirs; return their session folders to remove."""
        with self._tx() as c:
            folders = [
                r["folder"]
                for r in c.execute("SELECT folder FROM sessions WHERE patient_id = ?", (patient_id,))
            ]
            c.execute("DELETE FROM patients WHERE id = ?", (patient_id,))
        return folders


def _insert_flag(c: sqlite3.Connection, session_id: int, step_id: int | None, f: dict[str, Any]) -> None:
    c.execute(
        "INSERT INTO flags (session_id, step_id, code, level, message, evidence_json, source) VALUES "
        "(?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            step_id,
            f.get("code", ""),
            f.get("level"),
            f.get("message"),
            json.dumps(f.get("evidence")),
            f.get("source") if isinstance(f.get("source"), str) else json.dumps(f.get("source")),
        ),
    )
