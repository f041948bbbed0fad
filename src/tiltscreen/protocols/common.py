"""The result envelope shared by every protocol: metrics, flags, scale, camera, status.

Every number a protocol reports is a :class:`Metric` (value or ``None`` with a reason,
unit, method, 95% interval); every flag a :class:`Flag` with its evidence and the source
of its threshold. ``summary.json`` is :func:`envelope` of these.

Every reason in the envelope is a plain sentence for a clinician (:func:`sentence`): a
capital first letter, a full stop, one space between sentences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tiltscreen

SCHEMA = "tiltscreen-result/1"

#: ``status`` of a result: measured; the right test but not measurable as recorded; not the test at
#: all; nobody in view; stopped before the end (Ctrl-C or the source); no frame could be decoded
STATUSES = ("ok", "indeterminate", "not_this_protocol", "no_person", "interrupted", "unreadable")

_SPACES = re.compile(r"\s+")


def sentence(text: str) -> str:
    """Return ``text`` as a sentence: single spaces, a capital first letter and a final full stop.

    Text that already ends with ``.``, ``!`` or ``?`` keeps its ending; a trailing ``,``,
    ``;`` or ``:`` is replaced by the full stop. Empty text gives ``""``.

    >>> sentence("  only 0% of frames had a usable outline;")
    'Only 0% of frames had a usable outline.'
    """
    s = _SPACES.sub(" ", str(text)).strip()
    if not s:
        return ""
    s = s[0].upper() + s[1:]
    if s[-1] not in ".!?":
        s = s.rstrip(",;: ") + "."
    return s


def sentences(parts: Iterable[str | None]) -> str:
    """Join fragments as sentences (:func:`sentence`), one space between them, empty ones dropped.

    >>> sentences(["The arms hang over the pelvis", None, "fold them across the chest."])
    'The arms hang over the pelvis. Fold them across the chest.'
    """
    return " ".join(s for s in (sentence(p) for p in parts if p) if s)


def clauses(head: str, parts: Iterable[str | None]) -> str:
    """One sentence: ``head`` then the fragments after a colon, separated by semicolons.

    >>> clauses("The estimate is indeterminate", ["only 0% of frames had an outline", "an arm overlaps it."])
    'The estimate is indeterminate: only 0% of frames had an outline; an arm overlaps it.'
    """
    body = "; ".join(p.strip().rstrip(".;,: ") for p in parts if p and p.strip())
    return sentence(f"{head}: {body}" if body else head)


def plain_reasons(reasons: Iterable[str | None]) -> list[str]:
    """Each reason as a sentence, empty ones and repeats dropped, order kept."""
    out: list[str] = []
    for r in reasons:
        s = sentence(r) if r else ""
        if s and s not in out:
            out.append(s)
    return out


def _num(x: float | None, nd: int = 2) -> float | None:
    """Round a finite number for JSON; None for None/NaN/inf."""
    if x is None or not math.isfinite(float(x)):
        return None
    return round(float(x), nd)


@dataclass(frozen=True)
class Metric:
    """One reported quantity.

    Attributes
    ----------
    value : float or None
        None when the recording cannot support a number (``reason`` says why).
    unit : {"cm", "deg", "s", "px"}
    method : str
        How it was obtained, in words a reader can check.
    ci95 : (float, float) or None
        95% interval, when an error model exists.
    reason : str or None
        Why the value is None (or a caveat).

    """

    value: float | None
    unit: str
    method: str
    ci95: tuple[float, float] | None = None
    reason: str | None = None

    @classmethod
    def missing(cls, unit: str, method: str, reason: str) -> Metric:
        """Return a metric the recording cannot support."""
        return cls(value=None, unit=unit, method=method, reason=reason)

    def as_dict(self) -> dict[str, Any]:
        """Return the contract's ``{"value", "unit", "method", "ci95"}`` (+ ``reason`` when set)."""
        value = _num(self.value)
        out: dict[str, Any] = {
            "value": value,
            "unit": self.unit,
            "method": self.method,
            "ci95": [_num(self.ci95[0]), _num(self.ci95[1])] if (self.ci95 and value is not None) else None,
        }
        if self.reason or value is None:
            out["reason"] = sentence(self.reason or "not measurable in this recording")
        return out


@dataclass(frozen=True)
class Flag:
    """A pattern for the clinician to review — never a diagnosis."""

    code: str
    level: str  # "review" | "info"
    message: str
    evidence: dict[str, Any]
    source: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "code": self.code,
            "level": self.level,
            "message": self.message,
            "evidence": self.evidence,
            "source": self.source,
        }


@dataclass(frozen=True)
class Scale:
    """How pixels became centimetres."""

    source: str  # "marker" | "height" | "none"
    px_per_cm: float | None
    rel_uncertainty: float | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "source": self.source,
            "px_per_cm": _num(self.px_per_cm, 4),
            "relative_uncertainty": _num(self.rel_uncertainty, 4),
            "detail": sentence(self.detail),
        }


@dataclass(frozen=True)
class Camera:
    """Estimated camera roll and yaw and whether they are within the limits."""

    roll_deg: float | None
    roll_method: str
    yaw_deg: float | None
    yaw_uncertainty_deg: float | None
    within_limits: bool
    reasons: tuple[str, ...] = ()
    limits: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "roll_deg": _num(self.roll_deg),
            "roll_method": self.roll_method,
            "yaw_deg": _num(self.yaw_deg),
            "yaw_uncertainty_deg": _num(self.yaw_uncertainty_deg),
            "within_limits": self.within_limits,
            "reasons": plain_reasons(self.reasons),
            "limits": self.limits,
        }


def refuse(metrics: dict[str, Metric], reasons: tuple[str, ...] | list[str]) -> dict[str, Metric]:
    """Every metric set to None with the set-up reasons (camera outside the limits): no number is guessed."""
    why = "Camera set-up outside the limits: " + sentences(reasons)
    return {k: Metric.missing(m.unit, m.method, why) for k, m in metrics.items()}


def envelope(
    *,
    protocol: str,
    status: str,
    reasons: list[str],
    side: str | None,
    scale: Scale | None,
    camera: Camera | None,
    metrics: dict[str, Metric],
    flags: list[Flag],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the versioned result every protocol writes as ``summary.json``.

    Raises
    ------
    ValueError
        If ``status`` is not one of :data:`STATUSES`.

    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "tiltscreen_version": tiltscreen.__version__,
        "protocol": protocol,
        "status": status,
        "reasons": plain_reasons(reasons),
        "side": side,
        "scale": scale.as_dict() if scale else None,
        "camera": camera.as_dict() if camera else None,
        "metrics": {k: m.as_dict() for k, m in metrics.items()},
        "flags": [f.as_dict() for f in flags],
        "disclaimer": "Screening output for a clinician's review; not a diagnosis.",
    }
    out.update(extra or {})
    return out
