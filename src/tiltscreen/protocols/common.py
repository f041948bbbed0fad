"""The result envelope shared by every protocol: metrics, flags, scale, camera, status.

The result types themselves live in :mod:`tiltscreen.results` (the ``tiltscreen-result/1``
contract with ``to_dict``/``from_dict``); this module re-exports them for the protocols and
adds what only the protocols need: refusing every metric, and the envelope of a finished analysis.
"""

from __future__ import annotations

from typing import Any

from tiltscreen.results import (
    SCHEMA,
    STATUSES,
    Camera,
    Flag,
    Metric,
    Result,
    Scale,
    clauses,
    plain_reasons,
    sentence,
    sentences,
)

__all__ = [
    "SCHEMA",
    "STATUSES",
    "Camera",
    "Flag",
    "Metric",
    "Result",
    "Scale",
    "clauses",
    "envelope",
    "plain_reasons",
    "refuse",
    "sentence",
    "sentences",
]


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
    result = Result(
        protocol=protocol,
        status=status,
        reasons=tuple(plain_reasons(reasons)),
        side=side,
        scale=scale,
        camera=camera,
        metrics=dict(metrics),
        flags=tuple(flags),
        extra=dict(extra or {}),
    )
    return result.to_dict()
