"""The live loop of one step on its own thread: open the camera, run the pose extraction, report the end.

The loop is the package's live extraction (:func:`tiltscreen.pose.extract.extract_landmarks_live`,
MediaPipe in LIVE_STREAM mode, one subject followed by the tracker) with a :class:`StepMonitor` hook.
When the camera cannot be opened, or stops delivering frames mid-step (unplugged device, stream that
ends, a stand-in video that ends without ``--loop``), ``on_end`` receives one plain sentence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from tiltscreen.app.feed import CameraSpec, ClipRecorder, Feed, open_feed
from tiltscreen.app.monitor import Mailbox, StepMonitor
from tiltscreen.app.thresholds import Thresholds
from tiltscreen.errors import InputError, ModelError, SourceInterruptedError
from tiltscreen.pose.estimator import PoseOptions
from tiltscreen.pose.extract import extract_landmarks_live

CAMERA_STOPPED = (
    "The camera stopped delivering frames (unplugged, or the video ended). Nothing of this step was saved; "
    "reconnect the camera and press Reconnect."
)


class LiveWorker:
    """Run one step's live loop until :meth:`stop`, the end of the source or an error."""

    def __init__(
        self,
        spec: CameraSpec,
        step: str,
        th: Thresholds,
        model_path: Path,
        mailbox: Mailbox,
        recorder: ClipRecorder,
        *,
        on_capture: Callable[[str, dict], None],
        on_end: Callable[[str | None], None],
    ) -> None:
        self.spec, self.step, self.th, self.model_path = spec, step, th, model_path
        self.mailbox, self.recorder = mailbox, recorder
        self.on_capture, self.on_end = on_capture, on_end
        self.monitor: StepMonitor | None = None
        self.feed: Feed | None = None
        self.fps_nominal = 30.0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"tiltscreen-live-{step}", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the source and wait for the loop to end."""
        self._stopping.set()
        if self.feed is not None:
            self.feed.stop()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        """True while the loop runs."""
        return self._thread.is_alive()

    def command(self, name: str) -> None:
        """Pass a clinician command to the step's monitor."""
        if self.monitor is not None:
            self.monitor.command(name)

    def _run(self) -> None:
        try:
            self.feed = open_feed(self.spec, self.recorder)
        except (InputError, OSError) as err:
            self.on_end(f"The camera could not be opened: {err}")
            return
        self.fps_nominal = self.feed.fps
        t0_epoch = self.feed.backend.t0_epoch  # frame timestamps are seconds since the source opened
        self.monitor = StepMonitor(self.step, self.th, self.mailbox, self.on_capture, t0_epoch=t0_epoch)
        options = PoseOptions(model_path=self.model_path, max_people=1)
        message: str | None = None
        try:
            with self.feed.source:
                _, report = extract_landmarks_live(self.feed.source, options=options, hooks=[self.monitor])
            if report.interrupted:
                message = CAMERA_STOPPED
        except SourceInterruptedError:
            message = CAMERA_STOPPED
        except ModelError as err:
            message = f"The pose model could not be loaded: {err}"
        if message is None and not self._stopping.is_set():
            message = CAMERA_STOPPED
        self.on_end(None if self._stopping.is_set() else message)
