"""When a recording cannot be read as its test: the early statuses, their reasons and their summaries.

Before measuring anything a protocol checks, in this order, that the recording

1. ran to its end (else ``interrupted``: Ctrl-C or a source that stopped; nothing is measured
   or flagged from part of a recording),
2. shows a person (else ``no_person``),
3. shows the test's posture for long enough (else ``not_this_protocol``,
   :mod:`tiltscreen.protocols.evidence`), and
4. shows the subject from the side, so that the facing direction and the near side can be
   told (else ``indeterminate``: the test's posture was seen, so the recording is the test, filmed
   from where it cannot be read; e.g. a standing subject filmed from the front).

Each check gives an :class:`Outcome` (a status and plain sentences) or lets the analysis go
on; :func:`outcome_summary` turns an outcome into the same ``summary.json`` envelope as a
full analysis, with no metric and no flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tiltscreen.config.thresholds import Thresholds
from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.view import facing_direction, near_side
from tiltscreen.pose.extract import MIN_SUBJECT_FRACTION
from tiltscreen.protocols.common import envelope
from tiltscreen.protocols.evidence import long_sitting_frames, longest_run_s, upright_still_frames
from tiltscreen.protocols.recording import AnalyzeJob, Recording

#: what each protocol's recording must show, in words (completes "the subject is never seen ...")
EXPECTED_POSTURE = {
    "sit-and-reach": "sitting on the floor with the legs straight along it, from the side,",
    "standing": "standing upright and still",
}
TEST_NAME = {"sit-and-reach": "a sit-and-reach test", "standing": "a standing posture test"}
NOTHING_FROM_PART = (
    "Nothing is measured or flagged from part of a recording; the landmark tables keep the frames processed."
)


@dataclass(frozen=True)
class Outcome:
    """How an analysis ended early: one of the statuses of :data:`~tiltscreen.protocols.common.STATUSES`.

    Attributes
    ----------
    status : str
    reasons : tuple of str
        Plain sentences for the clinician.
    stopped_by : {"ctrl_c", "source"} or None
        For ``interrupted``: who stopped the recording.
    diagnostics : str or None
        A technical message for a bug report (kept out of ``reasons``).

    """

    status: str
    reasons: tuple[str, ...]
    stopped_by: str | None = None
    diagnostics: str | None = None


@dataclass(frozen=True)
class View:
    """Which way the subject faces (+1 image-right, -1 image-left) and the body side nearer the camera."""

    facing: int
    side: str


def stop_outcome(rec: Recording) -> Outcome | None:
    """``interrupted`` when the recording did not run to its end (Ctrl-C or the source stopped)."""
    if not rec.interrupted and not rec.stopped_by_ctrl_c:
        return None
    if rec.stopped_by_ctrl_c:
        t = rec.raw.timestamps_s
        seen = float(t[-1] - t[0]) if rec.raw.n_frames > 1 else 0.0
        first = f"Stopped with Ctrl-C after {rec.raw.n_frames} frames ({seen:.1f} s of the recording)."
        return Outcome("interrupted", (first, NOTHING_FROM_PART), stopped_by="ctrl_c")
    return Outcome("interrupted", (str(rec.interrupted), NOTHING_FROM_PART), stopped_by="source")


def person_outcome(rec: Recording) -> Outcome | None:
    """``no_person`` when the subject was found in fewer than 5% of the frames."""
    if rec.subject_fraction >= MIN_SUBJECT_FRACTION:
        return None
    n = rec.raw.n_frames
    seen, pct = round(rec.subject_fraction * n), 100 * rec.subject_fraction
    frames = f"{n} frame{'' if n == 1 else 's'}"
    return Outcome(
        "no_person",
        (
            f"No person was found: a person was seen in {seen} of {frames} ({pct:.1f}%).",
            "Film the whole body from the side, in good light.",
        ),
    )


def posture_seconds(rec: Recording, protocol: str, th: Thresholds) -> float:
    """Longest unbroken time (s) in which the subject holds the posture of ``protocol``'s test."""
    ev = {k: t.value for k, t in th.evidence.items()}
    if protocol == "sit-and-reach":
        mask = long_sitting_frames(
            rec.lm,
            max_incline_deg=ev["sitting_max_leg_incline_deg"],
            min_leg_ratio=ev["sitting_min_leg_trunk_ratio"],
        )
    else:
        mask = upright_still_frames(
            rec.lm,
            max_trunk_lean_deg=ev["standing_max_trunk_lean_deg"],
            max_leg_lean_deg=ev["standing_max_leg_lean_deg"],
            max_motion=ev["standing_max_motion"],
        )
    return longest_run_s(mask, rec.lm.timestamps_s)


def posture_outcome(rec: Recording, protocol: str, th: Thresholds) -> Outcome | None:
    """``not_this_protocol`` when the test's posture never lasts ``min_posture_s``."""
    need = th.evidence["min_posture_s"].value
    found = posture_seconds(rec, protocol, th)
    if found >= need:
        return None
    longest = f" (at most {found:.1f} s)" if found > 0 else ""
    return Outcome(
        "not_this_protocol",
        (
            f"This recording does not look like {TEST_NAME[protocol]}: the subject is never seen "
            f"{EXPECTED_POSTURE[protocol]} for at least {need:g} s{longest}.",
        ),
    )


def _diagnostics(err: ValidationError) -> str:
    """Return the error's message plus the numbers behind a view decision (diagnostics, never reasons)."""
    cues = getattr(err, "cues", None)
    if not cues:
        return str(err)
    numbers = "; ".join(f"{name} {value:.3f}" for name, value in cues.items())
    return f"{err} Cues (median offsets in trunk lengths, nan = not seen): {numbers}."


def view_or_outcome(rec: Recording, *, side: str = "auto") -> View | Outcome:
    """Return the facing direction and the near side (``side`` unless ``"auto"``), or why not."""
    try:
        facing = facing_direction(rec.lm)
    except ValidationError as err:  # no side view: neither the head nor the feet show a direction
        return Outcome(
            "indeterminate",
            (
                "Which way the subject faces could not be told: neither the head nor the feet point clearly "
                "to one side.",
                "Both tests need a side view with the head and the feet in the picture.",
            ),
            diagnostics=_diagnostics(err),
        )
    if side != "auto":
        return View(facing, side)
    try:
        return View(facing, near_side(rec.lm, facing=facing))
    except ValidationError as err:
        return Outcome(
            "indeterminate",
            (
                "Which side of the body faces the camera could not be told; run the analysis again with the "
                "side given (left or right).",
            ),
            diagnostics=_diagnostics(err),
        )


def gate(rec: Recording, protocol: str, th: Thresholds, *, side: str = "auto") -> View | Outcome:
    """Run the checks of the module notes in order: the first :class:`Outcome`, else the :class:`View`."""
    for check in (stop_outcome, person_outcome):
        found = check(rec)
        if found is not None:
            return found
    found = posture_outcome(rec, protocol, th)
    return found if found is not None else view_or_outcome(rec, side=side)


def outcome_summary(
    outcome: Outcome, *, protocol: str, job: AnalyzeJob, th: Thresholds | None, rec: Recording | None
) -> dict[str, Any]:
    """Return the ``summary.json`` envelope of an analysis that ended early: no metric and no flag."""
    extra: dict[str, Any] = {
        "input": job.input,
        "frames": rec.raw.n_frames if rec is not None else 0,
        "subject_fraction": round(rec.subject_fraction, 4) if rec is not None else 0.0,
        "stopped_by": outcome.stopped_by,
        "thresholds": {"file": th.path, "version": th.version} if th is not None else None,
        "provenance": [s.as_dict() for s in rec.lm.provenance] if rec is not None else [],
    }
    if outcome.diagnostics:
        extra["diagnostics"] = outcome.diagnostics
    return envelope(
        protocol=protocol,
        status=outcome.status,
        reasons=list(outcome.reasons),
        side=None,
        scale=None,
        camera=None,
        metrics={},
        flags=[],
        extra=extra,
    )
