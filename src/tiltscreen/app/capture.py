"""When a step records: a pure state machine fed with the time and the live checks.

States, in order: ``setup`` (a blocking check fails) → ``countdown`` (every check holds and the
subject has been still for :attr:`CapturePlan.still_s`; any failure returns to ``setup``) →
``recording`` (a fixed length for standing; for the sit-and-reach until the wanted holds were seen and
released, the clinician's "finish", or a maximum) → ``done``. A manual override jumps straight to
``recording`` and is remembered (``override``); the clinician's redo returns to ``setup``.

Nothing here reads a clock or a frame: :meth:`CaptureMachine.update` is given ``now`` (seconds) and the
checks' outcome, so the behaviour is tested exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: the step names, in the order the guided session runs them, and the protocol each one analyses
STEPS: tuple[tuple[str, str, str], ...] = (
    ("standing_left", "standing", "left"),
    ("standing_right", "standing", "right"),
    ("sit_and_reach", "sit-and-reach", "auto"),
)
STEP_TITLES = {
    "standing_left": "Standing, left side to the camera",
    "standing_right": "Standing, right side to the camera",
    "sit_and_reach": "Sit-and-reach",
}


def protocol_of(step: str) -> str:
    """``standing`` or ``sit-and-reach`` for a step name."""
    return next(p for s, p, _ in STEPS if s == step)


def side_of(step: str) -> str:
    """Return the side that must face the camera (``auto`` for the sit-and-reach)."""
    return next(side for s, _, side in STEPS if s == step)


@dataclass(frozen=True)
class CapturePlan:
    """Timing of one step's capture (seconds); tool-design choices, documented in ``docs/app.md``.

    Attributes
    ----------
    still_s : float
        How long every check must hold before the countdown starts (standing: the subject still).
    countdown_s : float
        The countdown shown before recording.
    record_s : float
        Standing: the clip's length (the analysis needs at least 1 s of quiet standing).
    max_record_s : float
        Sit-and-reach: the longest clip (recording stops here even without holds).
    holds_wanted : int
        Sit-and-reach: recording stops once this many holds were seen and released ...
    tail_s : float
        ... and this long after the last release (the analysis needs the hands' whole return).

    """

    still_s: float = 1.0
    countdown_s: float = 3.0
    record_s: float = 4.0
    max_record_s: float = 40.0
    holds_wanted: int = 2
    tail_s: float = 2.5


STANDING_PLAN = CapturePlan()
SIT_AND_REACH_PLAN = CapturePlan(still_s=0.5, countdown_s=2.0, record_s=0.0)


def plan_for(step: str) -> CapturePlan:
    """Return the capture plan of a step."""
    return STANDING_PLAN if protocol_of(step) == "standing" else SIT_AND_REACH_PLAN


@dataclass(frozen=True)
class CaptureState:
    """Where a step's capture stands.

    Attributes
    ----------
    phase : str
        ``setup``, ``countdown``, ``recording`` or ``done``.
    since : float
        When the current phase (or, in ``setup``, the current run of passing checks) began, seconds;
        None while checks fail.
    override : bool
        True when the clinician started the recording by hand, bypassing the checks.
    holds_released : int
        Sit-and-reach holds seen and released during the recording.
    stop_reason : str or None
        Why recording stopped (``length``, ``holds``, ``maximum``, ``clinician``).

    """

    phase: str = "setup"
    since: float | None = None
    override: bool = False
    holds_released: int = 0
    stop_reason: str | None = None
    tail_from: float | None = None

    def remaining_s(self, now: float, plan: CapturePlan) -> float | None:
        """Seconds left in the countdown (or in a fixed-length recording), None otherwise."""
        if self.since is None:
            return None
        if self.phase == "countdown":
            return max(plan.countdown_s - (now - self.since), 0.0)
        if self.phase == "recording" and plan.record_s > 0:
            return max(plan.record_s - (now - self.since), 0.0)
        return None


class CaptureMachine:
    """The capture state of one step; :meth:`update` moves it on and says what to start or stop."""

    def __init__(self, plan: CapturePlan) -> None:
        self.plan = plan
        self.state = CaptureState()

    def update(self, now: float, *, checks_pass: bool, hold_released: bool = False) -> str | None:
        """Advance with this frame's checks; return ``"start"``, ``"stop"`` or None.

        Parameters
        ----------
        now : float
            Seconds (any monotonic clock).
        checks_pass : bool
            Every blocking check holds (standing: including stillness) on this frame.
        hold_released : bool
            Sit-and-reach: a hold ended on this frame (the hands came back after holding).

        """
        s, plan = self.state, self.plan
        if s.phase == "setup":
            if not checks_pass:
                self.state = replace(s, since=None)
            elif s.since is None:
                self.state = replace(s, since=now)
            elif now - s.since >= plan.still_s:
                self.state = CaptureState("countdown", now)
            return None
        if s.phase == "countdown":
            if not checks_pass:
                self.state = CaptureState("setup", None)
                return None
            if now - s.since >= plan.countdown_s:
                self.state = CaptureState("recording", now)
                return "start"
            return None
        if s.phase == "recording":
            return self._recording(now, hold_released)
        return None

    def _recording(self, now: float, hold_released: bool) -> str | None:
        s, plan = self.state, self.plan
        held = s.holds_released + int(hold_released)
        self.state = replace(s, holds_released=held)
        elapsed = now - (s.since if s.since is not None else now)
        if plan.record_s > 0 and elapsed >= plan.record_s:
            return self._stop("length")
        if plan.record_s <= 0 and held >= plan.holds_wanted:
            tail_from = s.tail_from if s.tail_from is not None else now
            self.state = replace(self.state, tail_from=tail_from)
            if now - tail_from >= plan.tail_s:
                return self._stop("holds")
        if elapsed >= plan.max_record_s:
            return self._stop("maximum")
        return None

    def _stop(self, reason: str) -> str:
        self.state = replace(self.state, phase="done", stop_reason=reason)
        return "stop"

    def override(self, now: float) -> str | None:
        """Start recording now whatever the checks say (recorded as the clinician's override)."""
        if self.state.phase in ("setup", "countdown"):
            self.state = CaptureState("recording", now, override=True)
            return "start"
        return None

    def finish(self) -> str | None:
        """End the recording for the clinician (sit-and-reach: after the trials)."""
        if self.state.phase == "recording":
            return self._stop("clinician")
        return None

    def reset(self) -> None:
        """Back to set-up (redo, or after a camera failure)."""
        self.state = CaptureState()
