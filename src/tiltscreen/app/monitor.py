"""Per-frame work of the live view: causal filter, checks, capture state, annotation, JPEG.

:class:`StepMonitor` is the frame hook handed to the live extraction loop
(:func:`tiltscreen.pose.extract.extract_landmarks_live`). It keeps the last second of landmarks, smooths
the drawn points with the causal One-Euro filter, runs the step's checks a few times a second (the
image searches for stickers, the box marker and room verticals less often), moves the capture machine
on, and publishes the newest annotated JPEG to a one-slot mailbox (a slower reader simply misses frames).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from tiltscreen.app.capture import CaptureMachine, plan_for, protocol_of, side_of
from tiltscreen.app.checks import Check, FrameFacts, blocking_pass, step_checks
from tiltscreen.app.overlay import annotate
from tiltscreen.app.thresholds import Thresholds
from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.level import check_level
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.lines import FrameVerticals, find_vertical_segments
from tiltscreen.pose.markers import ArucoFinder
from tiltscreen.pose.sticker_types import StickerSpec
from tiltscreen.pose.stickers import find_sticker_pair
from tiltscreen.signal.one_euro import OneEuroFilter
from tiltscreen.sources import Frame

WINDOW_S = 1.0
CHECK_EVERY_S = 0.2
SEARCH_EVERY_S = 1.0
JPEG_QUALITY = 75


@dataclass(frozen=True)
class LiveFrame:
    """One published frame: the JPEG and what the page shows beside it."""

    seq: int
    jpeg: bytes
    capture_epoch_ms: float
    published_epoch_ms: float
    meta: dict


class Mailbox:
    """The newest :class:`LiveFrame` only; :meth:`wait_newer` blocks until a newer one arrives."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: LiveFrame | None = None

    def put(self, frame: LiveFrame) -> None:
        """Replace the slot's frame (the old one is dropped, never queued)."""
        with self._cond:
            self._frame = frame
            self._cond.notify_all()

    def latest(self) -> LiveFrame | None:
        """Return the newest frame, if any."""
        with self._cond:
            return self._frame

    def wait_newer(self, seq: int, timeout: float) -> LiveFrame | None:
        """Wait up to ``timeout`` s for a frame newer than ``seq``."""
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None and self._frame.seq > seq, timeout)
            f = self._frame
            return f if f is not None and f.seq > seq else None


@dataclass
class _Window:
    t: deque = field(default_factory=lambda: deque())
    xyz: deque = field(default_factory=lambda: deque())
    vis: deque = field(default_factory=lambda: deque())

    def add(self, t: float, xyz: np.ndarray, vis: np.ndarray) -> None:
        self.t.append(t)
        self.xyz.append(xyz)
        self.vis.append(vis)
        while self.t and t - self.t[0] > WINDOW_S:
            for q in (self.t, self.xyz, self.vis):
                q.popleft()

    def landmarks(self, size: tuple[int, int]) -> Landmarks | None:
        if len(self.t) < 3:
            return None
        n = len(self.t)
        return Landmarks(
            xyz=np.array(self.xyz),
            visibility=np.array(self.vis),
            presence=np.array(self.vis),
            world=np.full((n, 33, 3), np.nan),
            timestamps_s=np.array(self.t),
            frame_index=np.arange(n),
            image_size=size,
        )


class StepMonitor:
    """Frame hook of one step's live loop (runs on the loop's thread)."""

    def __init__(
        self,
        step: str,
        th: Thresholds,
        mailbox: Mailbox,
        on_capture: Callable[[str, dict], None],
        *,
        t0_epoch: float,
        sticker_colour: str = "green",
    ) -> None:
        self.step, self.protocol, self.want_side = step, protocol_of(step), side_of(step)
        self.th, self.mailbox, self.on_capture = th, mailbox, on_capture
        self.machine = CaptureMachine(plan_for(step))
        self.t0_epoch = t0_epoch
        self._window = _Window()
        self._filter = OneEuroFilter(min_cutoff=1.0, beta=0.05)
        self._checks: tuple[Check, ...] = ()
        self._facts = FrameFacts()
        self._last_check = self._last_search = -math.inf
        self._spec = StickerSpec(colour_rgb=sticker_colour)
        self._aruco = ArucoFinder()
        self._markers: list[np.ndarray] = []
        self._stickers: dict[str, list[float]] = {}
        self._reach = _HoldTracker()
        self._lock = threading.Lock()
        self._command: str | None = None
        self.seq = 0
        self.fps = _Rate()

    def command(self, name: str) -> None:
        """Queue a clinician command (``override``, ``finish``, ``reset``) for the next frame."""
        with self._lock:
            self._command = name

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Process one analysed frame."""
        now = frame.timestamp_s
        size = (round(frame.rgb.shape[1] / frame.scale), round(frame.rgb.shape[0] / frame.scale))
        xy_px = vis = None
        if subject is not None:
            self._window.add(now, subject.xyz, subject.visibility)
            xy_px = self._smooth(subject.xyz[:, :2], now) * (frame.rgb.shape[1], frame.rgb.shape[0])
            vis = subject.visibility
        else:
            self._filter.reset()
        lm = self._window.landmarks(size) if subject is not None else None
        if now - self._last_check >= CHECK_EVERY_S:
            self._last_check = now
            self._update_checks(frame, subject, lm, size, now)
        passing = subject is not None and bool(self._checks) and blocking_pass(self._checks)
        released = self._reach.update(lm, now) if self.protocol != "standing" and lm is not None else False
        self._drive(now, passing, released)
        self._publish(frame, xy_px, vis, lm)

    def _smooth(self, xy: np.ndarray, t: float) -> np.ndarray:
        if not np.isfinite(xy).all():
            self._filter.reset()
            return xy
        try:
            return self._filter(xy, t_s=t)
        except ValidationError:
            self._filter.reset()
            return xy

    def _drive(self, now: float, passing: bool, released: bool) -> None:
        with self._lock:
            cmd, self._command = self._command, None
        event = None
        if cmd == "override":
            event = self.machine.override(now)
        elif cmd == "finish":
            event = self.machine.finish()
        elif cmd == "reset":
            self.machine.reset()
        if event is None:
            event = self.machine.update(now, checks_pass=passing, hold_released=released)
        if event is not None:
            self.on_capture(event, {"override": self.machine.state.override, "t": now})

    def _update_checks(
        self, frame: Frame, subject: Candidate | None, lm: Landmarks | None, size: tuple[int, int], now: float
    ) -> None:
        if now - self._last_search >= SEARCH_EVERY_S:
            self._last_search = now
            self._facts = self._search(frame, subject, size)
        if lm is None:
            self._checks = (
                Check("in_frame", "Whole body in frame", False, "Ask the patient to step into view."),
            )
            return
        try:
            self._checks = step_checks(
                lm, self._facts, self.th, protocol=self.protocol, want_side=self.want_side
            )
        except ValidationError:
            self._checks = (Check("side_on", "Side-on to the camera", False, "Turn the patient side-on."),)

    def _search(self, frame: Frame, subject: Candidate | None, size: tuple[int, int]) -> FrameFacts:
        """Stickers (standing), box marker (sit-and-reach) and the camera level on this frame."""
        markers = self._aruco.find(frame.rgb, scale=frame.scale)
        self._markers = [m.corners_px * frame.scale for m in markers]
        seg, kinds = find_vertical_segments(frame.rgb, scale=frame.scale)
        verticals = FrameVerticals(frame.index, size, seg, kinds)
        level = check_level(
            verticals,
            [m.corners_px for m in markers],
            size,
            max_roll_deg=self.th.max_roll_deg.value,
            spreads=self.th.level,
        )
        found = None
        self._stickers = {}
        if self.protocol == "standing" and subject is not None:
            found = self._find_stickers(frame, subject)
        return FrameFacts(stickers_found=found, marker_found=bool(markers), level=level)

    def _find_stickers(self, frame: Frame, subject: Candidate) -> bool:
        facing = 1 if subject.xyz[0, 0] > (subject.xyz[7, 0] + subject.xyz[8, 0]) / 2 else -1
        side = self.want_side
        search = find_sticker_pair(
            frame.rgb, subject.xyz, spec=self._spec, side=side, facing=facing, scale=frame.scale
        )
        if search.pair is None:
            return False
        self._stickers = {
            "asis": list(search.pair.asis_px * frame.scale),
            "psis": list(search.pair.psis_px * frame.scale),
        }
        return True

    def _labels(self, lm: Landmarks | None) -> list[str]:
        from tiltscreen.app.live_angles import live_angles

        return live_angles(lm, self.protocol, self.want_side)

    def _publish(
        self, frame: Frame, xy_px: np.ndarray | None, vis: np.ndarray | None, lm: Landmarks | None
    ) -> None:
        bgr = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
        out = annotate(
            bgr,
            xy_px,
            vis,
            side=self.want_side,
            labels=self._labels(lm),
            points=self._stickers,
            markers=self._markers,
        )
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            return
        self.seq += 1
        self.fps.tick()
        state = self.machine.state
        meta = {
            "step": self.step,
            "phase": state.phase,
            "override": state.override,
            "remaining_s": state.remaining_s(frame.timestamp_s, self.machine.plan),
            "holds": state.holds_released,
            "checks": [c.as_dict() for c in self._checks],
            "person": xy_px is not None,
            "fps": round(self.fps.value, 1),
            "size": [int(frame.rgb.shape[1]), int(frame.rgb.shape[0])],
        }
        capture_ms = (self.t0_epoch + frame.timestamp_s) * 1000.0
        self.mailbox.put(LiveFrame(self.seq, buf.tobytes(), capture_ms, time.time() * 1000.0, meta))


class _Rate:
    """Frames per second over the last 2 s."""

    def __init__(self) -> None:
        self._t: deque[float] = deque()

    def tick(self) -> None:
        now = time.monotonic()
        self._t.append(now)
        while self._t and now - self._t[0] > 2.0:
            self._t.popleft()

    @property
    def value(self) -> float:
        if len(self._t) < 2:
            return 0.0
        return (len(self._t) - 1) / max(self._t[-1] - self._t[0], 1e-6)


class _HoldTracker:
    """Sit-and-reach: notice a hold (hands still, reached forward) and its release (hands back).

    The reach is read as the near wrist's distance ahead of the near hip along the facing direction, in
    trunk lengths; a hold is at least 1.5 s within 0.05 trunk lengths after reaching at least 0.6 trunk
    lengths further than the sitting start; it is released when the hands come back by 0.3. These are
    live-guidance choices only: the captured clip is analysed by the sit-and-reach analysis itself.
    """

    def __init__(self) -> None:
        self._base: float | None = None
        self._hold_start: float | None = None
        self._hold_value: float | None = None
        self._held = False

    def update(self, lm: Landmarks, now: float) -> bool:
        reach = _reach(lm)
        if reach is None:
            return False
        self._base = reach if self._base is None else min(self._base, reach)
        if self._held:
            if reach < (self._hold_value or reach) - 0.3:
                self._held, self._hold_start = False, None
                return True
            return False
        if reach - self._base < 0.6:
            self._hold_start = None
            return False
        if self._hold_start is None or abs(reach - (self._hold_value or reach)) > 0.05:
            self._hold_start, self._hold_value = now, reach
        elif now - self._hold_start >= 1.5:
            self._held = True
        return False


def _reach(lm: Landmarks) -> float | None:
    """Near-side wrist ahead of the near-side hip along the legs, trunk lengths (None when not seen)."""
    from tiltscreen.skeleton import BLAZEPOSE

    last, vis = lm.xyz[-1], lm.visibility[-1]
    w, h = lm.image_size

    def near(part: str) -> np.ndarray:
        a, b = BLAZEPOSE.index(f"left_{part}"), BLAZEPOSE.index(f"right_{part}")
        k = a if not vis[b] > vis[a] else b
        return last[k, :2] * (w, h)

    sh, hip, wrist, ankle = near("shoulder"), near("hip"), near("wrist"), near("ankle")
    trunk = float(np.hypot(*(sh - hip)))
    if not (np.isfinite([*wrist, *hip, *ankle]).all() and trunk > 0):
        return None
    direction = 1.0 if ankle[0] > hip[0] else -1.0
    return float((wrist[0] - hip[0]) * direction / trunk)
