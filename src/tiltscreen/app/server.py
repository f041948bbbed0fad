"""HTTP and WebSocket routes of the app (Starlette; served by uvicorn on 127.0.0.1).

The first open tab controls the session; any other tab gets a read-only view and a message saying so
(commands from it are refused with 409). The live view's WebSocket sends the newest JPEG only after the
page acknowledged the previous one, so a slow page misses frames instead of queueing them.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from tiltscreen.app.core import AppCore, AppStateError, patient_facts
from tiltscreen.app.history import export_csv, trends

STATIC = Path(__file__).with_name("static")
OTHER_TAB = (
    "This session is open in another tab or window; this one is read-only. Close the other one to take over."
)


class Tabs:
    """Which tab controls the session (the first connected; released when it disconnects)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.controller: str | None = None
        self.connected: dict[str, int] = {}

    def connect(self, tab: str) -> bool:
        """Register a tab's connection; return True when it controls the session."""
        with self._lock:
            self.connected[tab] = self.connected.get(tab, 0) + 1
            if self.controller is None:
                self.controller = tab
            return self.controller == tab

    def disconnect(self, tab: str) -> None:
        """Forget a connection; a controller that left hands over to another open tab."""
        with self._lock:
            n = self.connected.get(tab, 1) - 1
            if n <= 0:
                self.connected.pop(tab, None)
                if self.controller == tab:
                    self.controller = next(iter(self.connected), None)
            else:
                self.connected[tab] = n

    def may_command(self, tab: str | None) -> bool:
        """Return True when ``tab`` controls the session (or takes over a free one)."""
        with self._lock:
            if self.controller is None and tab:
                self.controller = tab
            return tab is not None and tab == self.controller


class LatencyStats:
    """Glass-to-screen latencies reported back by the page (ms), for the benchmark."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.samples: list[dict[str, float]] = []

    def add(self, sample: dict[str, float]) -> None:
        """Keep one sample (the last 5,000)."""
        with self._lock:
            self.samples.append(sample)
            del self.samples[:-5000]

    def snapshot(self) -> list[dict[str, float]]:
        """Return a copy of the samples."""
        with self._lock:
            return list(self.samples)


def _refused(message: str, status: int = 409) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class Commands:
    """Handlers of the commands a controlling tab sends (run on a worker thread; return JSON-ready dicts)."""

    def __init__(self, core: AppCore) -> None:
        self.core = core

    def start(self, _: Request, body: dict[str, Any]) -> dict[str, Any]:
        """Start a session for the form's patient."""
        facts = patient_facts(body.get("age"), body.get("sex"), body.get("stature_cm"))
        pseudonym = str(body.get("pseudonym", ""))
        return self.core.start_session(pseudonym, facts, store_video=bool(body.get("store_video")))

    def command(self, request: Request, _: dict[str, Any]) -> dict[str, Any]:
        """Override, finish, redo, accept or reconnect."""
        return self.core.command(request.path_params["name"])

    def resume(self, request: Request, _: dict[str, Any]) -> dict[str, Any]:
        """Resume an unfinished session."""
        return self.core.resume_session(int(request.path_params["sid"]))

    def correct(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """Recompute a step from moved points."""
        return self.core.correct(int(request.path_params["step_id"]), body.get("points") or {})

    def finish(self, _: Request, __: dict[str, Any]) -> dict[str, Any]:
        """Finish the session now (reading and report from the steps done)."""
        self.core.finish_session()
        return self.core.state()

    def delete_patient(self, request: Request, _: dict[str, Any]) -> dict[str, Any]:
        """Delete a patient's rows and files (refused while their session is live)."""
        core, pid = self.core, int(request.path_params["pid"])
        if (
            core.session is not None
            and core.session.patient_id == pid
            and core.phase in ("live", "analysing")
        ):
            raise AppStateError("Finish or leave this patient's session before deleting them.")
        for folder in core.history.delete_patient(pid):
            shutil.rmtree(folder, ignore_errors=True)
        return {"deleted": pid}


class Pages:
    """Read-only routes (any tab)."""

    def __init__(self, core: AppCore, tabs: Tabs, stats: LatencyStats) -> None:
        self.core, self.tabs, self.stats = core, tabs, stats

    async def index(self, _: Request) -> Response:
        """Return the single page."""
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    async def state(self, request: Request) -> Response:
        """Return the session's state, read-only for a tab that does not control it."""
        tab = request.query_params.get("tab")
        data = await asyncio.to_thread(self.core.state)
        data["read_only"] = bool(self.tabs.controller and tab != self.tabs.controller)
        data["read_only_message"] = OTHER_TAB if data["read_only"] else None
        return JSONResponse(data)

    async def patients(self, _: Request) -> Response:
        """Return every patient with their number of sessions."""
        rows = await asyncio.to_thread(
            self.core.history.rows,
            "SELECT p.*, (SELECT COUNT(*) FROM sessions s WHERE s.patient_id = p.id) AS sessions"
            " FROM patients p ORDER BY p.pseudonym",
        )
        return JSONResponse(rows)

    async def patient(self, request: Request) -> Response:
        """Return one patient's sessions and trends."""
        pid, history = int(request.path_params["pid"]), self.core.history
        rows = history.rows("SELECT * FROM patients WHERE id = ?", (pid,))
        if not rows:
            return _refused("No such patient.", 404)
        sessions = history.rows(
            "SELECT id, started_at, finished_at, report_path IS NOT NULL AS has_report FROM sessions"
            " WHERE patient_id = ? ORDER BY id",
            (pid,),
        )
        return JSONResponse({"patient": rows[0], "sessions": sessions, "trends": trends(history, pid)})

    async def export(self, request: Request) -> Response:
        """Return one patient's (``?patient_id=``) or everyone's metrics as CSV."""
        pid = request.query_params.get("patient_id")
        text = await asyncio.to_thread(export_csv, self.core.history, int(pid) if pid else None)
        name = f"tiltscreen_patient_{pid}.csv" if pid else "tiltscreen_all_patients.csv"
        headers = {"content-disposition": f"attachment; filename={name}"}
        return PlainTextResponse(text, media_type="text/csv", headers=headers)

    async def report(self, request: Request) -> Response:
        """Return a session's report file."""
        sid = int(request.path_params["sid"])
        rows = self.core.history.rows("SELECT report_path FROM sessions WHERE id = ?", (sid,))
        if not rows or not rows[0]["report_path"] or not Path(rows[0]["report_path"]).is_file():
            return _refused("This session has no report yet.", 404)
        return FileResponse(rows[0]["report_path"], media_type="text/html")

    async def key_frame(self, request: Request) -> Response:
        """Return a step's review frame (face blurred)."""
        step_id = int(request.path_params["step_id"])
        rows = self.core.history.rows("SELECT key_frame FROM steps WHERE id = ?", (step_id,))
        if not rows or not rows[0]["key_frame"] or not Path(rows[0]["key_frame"]).is_file():
            return _refused("No key frame for this step.", 404)
        return FileResponse(rows[0]["key_frame"], media_type="image/jpeg")

    async def latency(self, _: Request) -> Response:
        """Return the latencies the pages reported (for the benchmark)."""
        return JSONResponse(self.stats.snapshot())

    async def live(self, ws: WebSocket) -> None:
        """Stream the live view; tell a second tab it is read-only."""
        await ws.accept()
        tab = ws.query_params.get("tab") or f"anon-{id(ws)}"
        controls = self.tabs.connect(tab)
        try:
            hello = {"type": "hello", "controller": controls, "message": None if controls else OTHER_TAB}
            await ws.send_text(json.dumps(hello))
            await _stream(ws, self.core, self.stats)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.tabs.disconnect(tab)


def _guarded(tabs: Tabs, handler):
    """Wrap a command handler: only the controlling tab; errors become one sentence with a 4xx status."""

    async def wrapped(request: Request) -> Response:
        if not tabs.may_command(request.headers.get("x-tab")):
            return _refused(OTHER_TAB)
        try:
            raw = await request.body()
            body = json.loads(raw) if raw.strip() else {}
            result = await asyncio.to_thread(handler, request, body)
        except AppStateError as err:
            return _refused(str(err), 400)
        except ValueError as err:  # also json.JSONDecodeError
            return _refused(f"Invalid input: {err}", 400)
        return JSONResponse(result)

    return wrapped


def build_app(core: AppCore) -> Starlette:
    """Return the Starlette application around one :class:`AppCore`."""
    tabs, stats = Tabs(), LatencyStats()
    pages, cmd = Pages(core, tabs, stats), Commands(core)

    def post(path: str, handler) -> Route:
        return Route(path, _guarded(tabs, handler), methods=["POST"])

    routes = [
        Route("/", pages.index),
        Route("/api/state", pages.state),
        post("/api/session", cmd.start),
        post("/api/session/finish", cmd.finish),
        post("/api/session/{sid:int}/resume", cmd.resume),
        post("/api/command/{name}", cmd.command),
        post("/api/steps/{step_id:int}/correction", cmd.correct),
        Route("/api/steps/{step_id:int}/key_frame", pages.key_frame),
        Route("/api/patients", pages.patients),
        Route("/api/patients/{pid:int}", pages.patient),
        post("/api/patients/{pid:int}/delete", cmd.delete_patient),
        Route("/api/export.csv", pages.export),
        Route("/api/latency", pages.latency),
        Route("/sessions/{sid:int}/report", pages.report),
        WebSocketRoute("/ws/live", pages.live),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.core, app.state.tabs, app.state.stats = core, tabs, stats
    return app


async def _stream(ws: WebSocket, core: AppCore, stats: LatencyStats) -> None:
    """Send the newest frame, wait for the page's acknowledgement, repeat (no queue anywhere)."""
    seq = 0
    while True:
        frame = await asyncio.to_thread(core.mailbox.wait_newer, seq, 0.5)
        if frame is None:
            await ws.send_text(json.dumps({"type": "idle", "phase": core.phase, "message": core.message}))
            msg = await ws.receive_text()
            continue
        seq = frame.seq
        meta = {
            "type": "frame",
            "seq": frame.seq,
            "capture_ms": frame.capture_epoch_ms,
            "published_ms": frame.published_epoch_ms,
            "sent_ms": time.time() * 1000.0,
            "phase_app": core.phase,
            "message": core.message,
            **frame.meta,
        }
        await ws.send_text(json.dumps(meta))
        await ws.send_bytes(frame.jpeg)
        msg = await ws.receive_text()
        ack = json.loads(msg)
        if ack.get("shown_ms"):
            stats.add(
                {
                    "seq": frame.seq,
                    "capture_ms": frame.capture_epoch_ms,
                    "published_ms": frame.published_epoch_ms,
                    "shown_ms": float(ack["shown_ms"]),
                }
            )
