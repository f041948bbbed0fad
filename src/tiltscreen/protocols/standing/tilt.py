"""Standing pelvic tilt: skin markers when present (the measurement), else the outline estimate.

The marker method measures the ASIS–PSIS line directly (stickers on the near-side ASIS and
PSIS); the markerless method estimates it from the side-view outline and is always labelled
an estimate. Either says indeterminate, with the reason, rather than guess.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tiltscreen.kinematics.sticker_tilt import (
    MARKER_DETECTION_SD_DEG,
    MARKER_PARALLAX_SD_DEG,
    sticker_tilt_deg,
)
from tiltscreen.pose.stickers import StickerRecorder, StickerSpec
from tiltscreen.protocols.common import Metric

METHOD_MARKERS = "markers"
#: 1-SD allowance for a roll nobody measured (the packaged thresholds' camera.level.assumed_sd_deg)
ASSUMED_LEVEL_SD_DEG = 1.7
METHOD_ESTIMATE = "markerless-estimate"


@dataclass
class TiltSources:
    """Per-frame hooks that collect what the tilt methods need, and the collectors themselves."""

    hooks: list[Callable[..., None]] = field(default_factory=list)
    stickers: StickerRecorder | None = None
    outline: Any = None


def make_sources(job: Any) -> TiltSources:
    """Return the collectors for this job: skin stickers of ``job.marker_colour`` and the outline features."""
    stickers = StickerRecorder(spec=StickerSpec(colour_rgb=job.marker_colour))
    sources = TiltSources(hooks=[stickers], stickers=stickers)
    outline = _outline_recorder()
    if outline is not None:
        sources.outline = outline
        sources.hooks.append(outline)
    return sources


def _outline_recorder() -> Any:
    """Return the outline-feature collector of the markerless estimate (None while it is not available)."""
    try:
        from tiltscreen.protocols.standing.markerless import OutlineRecorder
    except ImportError:
        return None
    return OutlineRecorder()


def marker_tilt(
    sources: TiltSources, *, rows: slice, facing: int, roll: Any
) -> tuple[Metric | None, list[str]]:
    """Return the marker measurement over the quiet window, or None with the reasons."""
    if sources.stickers is None:
        return None, ["No sticker search was run."]
    pairs = sources.stickers.searches[rows]
    if not any(s.pair is not None for s in pairs):
        reasons = sorted({s.reason for s in pairs if s.reason})[:2]
        return None, ["No ASIS/PSIS skin markers were found: " + "; ".join(reasons)] if reasons else [
            "No ASIS/PSIS skin markers were found."
        ]
    result = sticker_tilt_deg(pairs, facing, roll.deg or 0.0)
    if result.tilt_deg is None:
        return None, ["Skin markers: " + " ".join(result.reasons)]
    sd = math.sqrt(MARKER_DETECTION_SD_DEG**2 + MARKER_PARALLAX_SD_DEG**2 + level_sd_deg(roll) ** 2)
    value = float(result.tilt_deg)
    notes = [
        f"Markers: {result.n_frames} frames, IQR {result.iqr_deg:.1f} deg; level from the {roll.method}.",
        *([roll.detail] if roll.assumed and roll.detail else []),
    ]
    return Metric(value, "deg", METHOD_MARKERS, (value - 1.96 * sd, value + 1.96 * sd)), notes + list(
        result.reasons
    )


def level_sd_deg(roll: Any) -> float:
    """1-SD uncertainty of the roll a tilt was corrected with (the assumed allowance when unknown)."""
    if roll.deg is not None and roll.uncertainty_deg is not None:
        return float(roll.uncertainty_deg) / 1.96
    return ASSUMED_LEVEL_SD_DEG


def pelvic_tilt(
    sources: TiltSources, *, rec: Any, rows: slice, side: str, facing: int, roll: Any, yaw_deg: float | None
) -> tuple[Metric, list[str]]:
    """``pelvic_tilt_deg`` from markers, else the markerless estimate, else None with the reasons."""
    metric, notes = marker_tilt(sources, rows=rows, facing=facing, roll=roll)
    if metric is not None:
        return metric, notes
    if sources.outline is not None:
        from tiltscreen.protocols.standing.markerless import outline_tilt

        estimate, more = outline_tilt(
            sources.outline, rec=rec, rows=rows, side=side, facing=facing, roll=roll, yaw_deg=yaw_deg
        )
        notes += more
        if estimate is not None:
            return estimate, notes
    reason = " ".join(notes) if notes else "Not measurable."
    if sources.outline is None:
        reason += " The outline-based estimate is not available in this version."
    return Metric.missing("deg", "ASIS-PSIS line vs true horizontal", reason), notes
