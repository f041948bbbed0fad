"""The typed results every analysis returns: the ``tiltscreen-result/1`` contract.

Every number an analysis reports is a :class:`Metric` (value or ``None`` with a reason, unit,
method, 95% interval); every flag a :class:`Flag` with its evidence and the source of its
threshold; :class:`Scale` says how pixels became centimetres and :class:`Camera` what the
camera's level and yaw were. A :class:`Result` holds them with the status and the plain
reasons, and ``summary.json`` is :meth:`Result.to_dict`. :meth:`Result.from_dict` reads a
``summary.json`` back so that ``Result.from_dict(d).to_dict() == d`` (keys in the same order):
the CLI, the screening, the app, the batch runner and the exporters consume these types,
never the keys.

Every reason is a plain sentence for a clinician (:func:`sentence`): a capital first letter,
a full stop, one space between sentences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import tiltscreen

SCHEMA = "tiltscreen-result/1"
#: ``status`` of a result: measured; the right test but not measurable as recorded; not the test at
#: all; nobody in view; stopped before the end (Ctrl-C or the source); no frame could be decoded
STATUSES = ("ok", "indeterminate", "not_this_protocol", "no_person", "interrupted", "unreadable")
DISCLAIMER = "Screening output for a clinician's review; not a diagnosis."

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


def _float(x: float | None) -> float:
    """Return a JSON number as a float; None (a non-finite number written as null) as NaN."""
    return math.nan if x is None else float(x)


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

    to_dict = as_dict

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Metric:
        """Inverse of :meth:`as_dict`; ``KeyError`` when ``unit`` or ``method`` is missing."""
        ci = d.get("ci95")
        return cls(
            value=None if d.get("value") is None else float(d["value"]),
            unit=str(d["unit"]),
            method=str(d["method"]),
            ci95=(_float(ci[0]), _float(ci[1])) if ci else None,
            reason=d.get("reason"),
        )


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

    to_dict = as_dict

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Flag:
        """Inverse of :meth:`as_dict`."""
        return cls(str(d["code"]), str(d["level"]), str(d["message"]), dict(d["evidence"]), str(d["source"]))


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

    to_dict = as_dict

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Scale:
        """Inverse of :meth:`as_dict`."""
        return cls(
            str(d["source"]), d.get("px_per_cm"), d.get("relative_uncertainty"), str(d.get("detail", ""))
        )


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

    to_dict = as_dict

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Camera:
        """Inverse of :meth:`as_dict`."""
        return cls(
            roll_deg=d.get("roll_deg"),
            roll_method=str(d.get("roll_method", "")),
            yaw_deg=d.get("yaw_deg"),
            yaw_uncertainty_deg=d.get("yaw_uncertainty_deg"),
            within_limits=bool(d.get("within_limits")),
            reasons=tuple(d.get("reasons") or ()),
            limits=dict(d.get("limits") or {}),
        )


#: the envelope's own keys, in ``summary.json`` order; every other key is protocol-specific (``extra``)
ENVELOPE_KEYS = (
    "schema",
    "tiltscreen_version",
    "protocol",
    "status",
    "reasons",
    "side",
    "scale",
    "camera",
    "metrics",
    "flags",
    "disclaimer",
)


@dataclass(frozen=True)
class Result:
    """One analysis's result (``summary.json``, schema ``tiltscreen-result/1``).

    Attributes
    ----------
    protocol : str
        ``standing`` or ``sit-and-reach``.
    status : str
        One of :data:`STATUSES`.
    reasons : tuple of str
        Plain sentences: why the status is not ``ok``, or caveats.
    side : str or None
        The side facing the camera (``left``/``right``), None when not decided.
    scale, camera : Scale or None, Camera or None
        How pixels became centimetres; the camera's level and yaw (None when the analysis ended early).
    metrics : mapping of str to Metric
        Every reported quantity by name (``pelvic_tilt_deg``, ``reach_cm``, ...).
    flags : tuple of Flag
        Patterns for review, with evidence and sources.
    extra : mapping of str to Any
        The protocol's own sections (``trials``, ``quiet_window``, ``provenance``, ``files``...),
        in ``summary.json`` order.
    tiltscreen_version, schema, disclaimer : str
        Written into every result.

    """

    protocol: str
    status: str
    reasons: tuple[str, ...] = ()
    side: str | None = None
    scale: Scale | None = None
    camera: Camera | None = None
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    tiltscreen_version: str = tiltscreen.__version__
    schema: str = SCHEMA
    disclaimer: str = DISCLAIMER

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def metric(self, name: str) -> Metric | None:
        """Return the metric ``name``, or None when this result does not report it."""
        return self.metrics.get(name)

    @property
    def flag_codes(self) -> frozenset[str]:
        """Codes of the flags raised."""
        return frozenset(f.code for f in self.flags)

    def get(self, key: str, default: Any = None) -> Any:
        """Return a protocol-specific section (``extra``), e.g. ``"trials"`` or ``"input"``."""
        return self.extra.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        """Return ``summary.json``: the envelope's keys in order, then the protocol's sections."""
        out: dict[str, Any] = {
            "schema": self.schema,
            "tiltscreen_version": self.tiltscreen_version,
            "protocol": self.protocol,
            "status": self.status,
            "reasons": plain_reasons(self.reasons),
            "side": self.side,
            "scale": self.scale.as_dict() if self.scale else None,
            "camera": self.camera.as_dict() if self.camera else None,
            "metrics": {k: m.as_dict() for k, m in self.metrics.items()},
            "flags": [f.as_dict() for f in self.flags],
            "disclaimer": self.disclaimer,
        }
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Result:
        """Read a ``summary.json`` back (inverse of :meth:`to_dict`).

        Raises
        ------
        ValueError
            When the schema is not :data:`SCHEMA` or a section is malformed.

        """
        if d.get("schema") != SCHEMA:
            raise ValueError(f"expected a {SCHEMA} result, got schema {d.get('schema')!r}")
        try:
            return cls(
                protocol=str(d["protocol"]),
                status=str(d["status"]),
                reasons=tuple(d.get("reasons") or ()),
                side=d.get("side"),
                scale=Scale.from_dict(d["scale"]) if d.get("scale") else None,
                camera=Camera.from_dict(d["camera"]) if d.get("camera") else None,
                metrics={k: Metric.from_dict(m) for k, m in (d.get("metrics") or {}).items()},
                flags=tuple(Flag.from_dict(f) for f in d.get("flags") or ()),
                extra={k: v for k, v in d.items() if k not in ENVELOPE_KEYS},
                tiltscreen_version=str(d.get("tiltscreen_version", "")),
                disclaimer=str(d.get("disclaimer", DISCLAIMER)),
            )
        except (KeyError, TypeError, IndexError) as err:
            raise ValueError(f"malformed {SCHEMA} result: {err!r}") from err
