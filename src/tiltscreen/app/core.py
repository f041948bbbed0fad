"""The app's state: the guided session, its live worker, the captured steps, the history.

One :class:`AppCore` per server. It owns at most one live loop (the current step's), runs each captured
clip's analysis on a worker thread, commits every analysed step to the history at once, and builds the
joint reading and the report when the last step is accepted. The page only reads :meth:`AppCore.state`
and sends commands; a page closed and reopened finds the same state.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tiltscreen.app.analysis import (
    PatientFacts,
    analyse_clip,
    blur_saved_faces,
    corrected_tilt,
    make_key_frame,
)
from tiltscreen.app.capture import STEP_TITLES, STEPS, protocol_of, side_of
from tiltscreen.app.db import History
from tiltscreen.app.feed import CameraSpec, ClipRecorder
from tiltscreen.app.live import LiveWorker
from tiltscreen.app.monitor import Mailbox
from tiltscreen.app.report import write_report
from tiltscreen.app.thresholds import Thresholds, load_thresholds
from tiltscreen.errors import TiltscreenError

STEP_NAMES = tuple(s for s, _, _ in STEPS)
NO_FRAMES = "The recording holds no frame (the camera stopped?); press Redo."


class AppStateError(RuntimeError):
    """A command that does not fit the session's current phase (the page shows the message)."""


@dataclass(frozen=True)
class AppConfig:
    """Options of ``tiltscreen app`` (parsed once at the edge)."""

    camera: str
    data_dir: Path
    model: Path
    loop: bool = False
    step_cameras: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 8765

    def camera_for(self, step: str) -> CameraSpec:
        """Return the camera (or stand-in video) of a step."""
        return CameraSpec(self.step_cameras.get(step, self.camera), loop=self.loop)


@dataclass(frozen=True)
class ActiveSession:
    """The session being screened."""

    session_id: int
    patient_id: int
    pseudonym: str
    facts: PatientFacts
    store_video: bool
    folder: Path


class AppCore:
    """Guided session orchestration (thread-safe)."""

    def __init__(self, config: AppConfig, th: Thresholds | None = None) -> None:
        self.config = config
        self.th = th or load_thresholds()
        self.history = History(config.data_dir / "history.sqlite")
        self.mailbox = Mailbox()
        self.recorder = ClipRecorder()
        self.session: ActiveSession | None = None
        self.step: str | None = None
        self.phase = "idle"
        self.message: str | None = None
        self.worker: LiveWorker | None = None
        self.override = False
        self.last_step_id: int | None = None
        self._lock = threading.RLock()
        self._analysis: threading.Thread | None = None

    # -- session -------------------------------------------------------------------------------------
    def start_session(self, pseudonym: str, facts: PatientFacts, *, store_video: bool) -> dict[str, Any]:
        """Create (or find) the patient, open a session and start its first step."""
        pseudonym = pseudonym.strip()
        if not pseudonym:
            raise AppStateError("Enter a pseudonymous patient ID.")
        with self._lock:
            self._stop_worker()
            pid = self.history.upsert_patient(pseudonym, facts.age, facts.sex, facts.stature_cm)
            folder = self.config.data_dir / "sessions" / "pending"
            sid = self.history.new_session(pid, folder, store_video=store_video, camera=self.config.camera)
            folder = self.config.data_dir / "sessions" / f"session_{sid:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            self.history.rows("UPDATE sessions SET folder = ? WHERE id = ?", (str(folder), sid))
            self.session = ActiveSession(sid, pid, pseudonym, facts, store_video, folder)
            self._start_step(STEP_NAMES[0])
        return self.state()

    def resume_session(self, session_id: int) -> dict[str, Any]:
        """Continue an unfinished session (after a restart) at its first step not yet done."""
        rows = self.history.rows(
            "SELECT s.*, p.pseudonym, p.age, p.sex, p.stature_cm FROM sessions s JOIN patients p ON "
            "p.id = s.patient_id"
            " WHERE s.id = ?",
            (session_id,),
        )
        if not rows:
            raise AppStateError(f"There is no session {session_id}.")
        r = rows[0]
        facts = PatientFacts(age=r["age"], sex=r["sex"], stature_cm=r["stature_cm"])
        with self._lock:
            self._stop_worker()
            self.session = ActiveSession(
                session_id, r["patient_id"], r["pseudonym"], facts, bool(r["store_video"]), Path(r["folder"])
            )
            done = {st["step"] for st in self.history.steps(session_id)}
            todo = [s for s in STEP_NAMES if s not in done]
            if todo:
                self._start_step(todo[0])
            else:
                self.step, self.phase = STEP_NAMES[-1], "review"
        return self.state()

    # -- steps ---------------------------------------------------------------------------------------
    def _start_step(self, step: str) -> None:
        self._stop_worker()
        self.step, self.phase, self.message, self.override = step, "live", None, False
        self.worker = LiveWorker(
            self.config.camera_for(step),
            step,
            self.th,
            self.config.model,
            self.mailbox,
            self.recorder,
            on_capture=self._on_capture,
            on_end=self._on_end,
        )
        self.worker.start()

    def _stop_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
        self.recorder.stop()

    def _on_capture(self, event: str, data: dict[str, Any]) -> None:
        """Start or stop the clip (called on the live thread)."""
        with self._lock:
            if self.session is None or self.step is None:
                return
            if event == "start":
                self.override = bool(data.get("override"))
                fps = self.worker.fps_nominal if self.worker else 30.0
                self.recorder.start(self.session.folder / f"{self.step}_clip.mp4", fps)
                return
            clip, frames = self.recorder.stop()
            if clip is None or frames == 0:
                self.phase, self.message = "failed", NO_FRAMES
                return
            self.phase = "analysing"
            self._analysis = threading.Thread(target=self._analyse, args=(self.step, clip), daemon=True)
            self._analysis.start()

    def _on_end(self, message: str | None) -> None:
        """Show why the live loop ended by itself: the camera failed or the stand-in video ended."""
        with self._lock:
            if message is None or self.phase != "live":
                return
            self.recorder.stop()
            self.phase, self.message = "camera_error", message

    def _analyse(self, step: str, clip: Path) -> None:
        """Analyse a clip on this thread; a failure leaves a message and the step to redo."""
        try:
            self._analyse_and_commit(step, clip)
        except (TiltscreenError, OSError, ValueError) as err:
            with self._lock:
                self.phase, self.message = "failed", f"The analysis of this step failed ({err}); press Redo."

    def _analyse_and_commit(self, step: str, clip: Path) -> None:
        session = self.session
        assert session is not None
        worker = self.worker
        if worker is not None:
            worker.stop()
        out = session.folder / step
        if out.exists():
            shutil.rmtree(out)
        summary = analyse_clip(clip, out, protocol_of(step), side_of(step), session.facts, self.config.model)
        key = make_key_frame(clip, summary, out, self.config.model) if clip.is_file() else None
        blur_saved_faces(out)
        if not session.store_video:
            clip.unlink(missing_ok=True)
        points = {
            "points": key.points if key else {},
            "time_s": key.time_s if key else None,
            "image_size": list(key.image_size) if key else None,
        }
        step_id = self.history.add_step(
            session.session_id,
            step,
            summary,
            folder=out,
            override=self.override,
            key_frame=key.path if key else None,
            points=points,
        )
        with self._lock:
            self.last_step_id, self.phase = step_id, "review"

    # -- clinician commands ------------------------------------------------------------------------------
    def command(self, name: str) -> dict[str, Any]:
        """``override`` / ``finish`` (during live), ``redo``, ``accept``, ``reconnect``."""
        with self._lock:
            if self.session is None or self.step is None:
                raise AppStateError("Start a session first.")
            if name in ("override", "finish"):
                if self.phase != "live" or self.worker is None:
                    raise AppStateError("The live view is not running.")
                self.worker.command(name)
            elif name in ("redo", "reconnect"):
                if self.phase == "analysing":
                    raise AppStateError("Wait for the analysis to finish.")
                self._start_step(self.step)
            elif name == "accept":
                self._accept()
            else:
                raise AppStateError(f"Unknown command {name!r}.")
        return self.state()

    def _accept(self) -> None:
        if self.phase != "review":
            raise AppStateError("There is no analysed step to accept yet.")
        i = STEP_NAMES.index(self.step)
        if i + 1 < len(STEP_NAMES):
            self._start_step(STEP_NAMES[i + 1])
        else:
            self.finish_session()

    def finish_session(self) -> Path:
        """Joint reading (as ``tiltscreen screen``) and report; the session is then finished."""
        from tiltscreen.screening.reading import joint_reading, left_right

        session = self.session
        if session is None:
            raise AppStateError("Start a session first.")
        self._stop_worker()
        steps = self.history.steps(session.session_id)
        typed = [(st["protocol"], _as_result(st["protocol"], st["summary"])) for st in steps if st["summary"]]
        standing = [r for protocol, r in typed if protocol == "standing"]
        sr = next((r for protocol, r in typed if protocol == "sit-and-reach"), None)
        reading = joint_reading(standing, sr, left_right(standing))
        patient = self.history.rows("SELECT * FROM patients WHERE id = ?", (session.patient_id,))[0]
        row = self.history.rows("SELECT * FROM sessions WHERE id = ?", (session.session_id,))[0]
        path = write_report(session.folder, patient, row, steps, reading)
        self.history.finish_session(session.session_id, reading, path)
        self.phase = "finished"
        return path

    def correct(self, step_id: int, corrected: dict[str, list[float]]) -> dict[str, Any]:
        """Recompute the standing sticker tilt from moved points; keep the correction beside the original."""
        rows = [s for s in self.history.rows("SELECT session_id FROM steps WHERE id = ?", (step_id,))]
        if not rows:
            raise AppStateError(f"There is no step {step_id}.")
        step = next(st for st in self.history.steps(rows[0]["session_id"]) if st["id"] == step_id)
        original = (step["points"] or {}).get("points") or {}
        if step["protocol"] != "standing" or not {"asis", "psis"} <= set(original):
            raise AppStateError("Only a standing step with both stickers found can be corrected here.")
        points = {k: [float(v) for v in corrected.get(k, original[k])][:2] for k in ("asis", "psis")}
        result = corrected_tilt(original, points, step["summary"])
        reported = ((step["summary"].get("metrics") or {}).get("pelvic_tilt_deg") or {}).get("value")
        self.history.add_correction(
            step_id, "pelvic_tilt_deg", original, points, reported, result["corrected_deg"]
        )
        return {**result, "original_deg": reported, "points": points}

    # -- what the page shows ----------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """JSON-ready state of the guided session."""
        with self._lock:
            s = self.session
            out: dict[str, Any] = {
                "phase": self.phase,
                "message": self.message,
                "step": self.step,
                "step_title": STEP_TITLES.get(self.step or "", None),
                "steps": list(STEP_NAMES),
                "session": None,
                "last_step_id": self.last_step_id,
            }
            if s is not None:
                out["session"] = {
                    "id": s.session_id,
                    "patient_id": s.patient_id,
                    "pseudonym": s.pseudonym,
                    "store_video": s.store_video,
                }
                out["done_steps"] = [
                    {
                        "id": st["id"],
                        "step": st["step"],
                        "status": st["summary"].get("status"),
                        "reasons": st["summary"].get("reasons"),
                        "override": bool(st["override"]),
                        "metrics": st["summary"].get("metrics"),
                        "flags": st["summary"].get("flags"),
                        "points": st["points"],
                        "has_key_frame": bool(st["key_frame"]),
                        "corrections": st["corrections"],
                    }
                    for st in self.history.steps(s.session_id)
                ]
            return out

    def shutdown(self) -> None:
        """Stop the live loop and wait for a running analysis (its step is then committed)."""
        with self._lock:
            self._stop_worker()
            thread = self._analysis
        if thread is not None:
            thread.join(120)
        self.history.close()


def patient_facts(age: Any, sex: Any, stature: Any, marker_size_cm: float | None = 10.0) -> PatientFacts:
    """Parse the form's optional fields (empty strings are missing)."""

    def num(x: Any) -> float | None:
        if x in (None, ""):
            return None
        v = float(x)
        if not v > 0:
            raise AppStateError("Age and stature must be positive numbers.")
        return v

    sex_value = sex if sex in ("F", "M") else None
    return replace(
        PatientFacts(), age=num(age), sex=sex_value, stature_cm=num(stature), marker_size_cm=marker_size_cm
    )


def _as_result(protocol: str, summary: dict[str, Any]) -> Any:
    """Return a stored step's summary as a typed result (a clip that gave none keeps status and reasons)."""
    from tiltscreen.results import SCHEMA, Result

    if summary.get("schema") == SCHEMA:
        return Result.from_dict(summary)
    return Result(protocol, str(summary.get("status", "unreadable")), tuple(summary.get("reasons") or ()))
