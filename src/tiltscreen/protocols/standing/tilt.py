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

import numpy as np

from tiltscreen.kinematics.side_view import ASSUMED_HFOV_DEG, SideView
from tiltscreen.kinematics.sticker_tilt import (
    detection_sd_deg,
    sticker_tilt_deg,
)
from tiltscreen.pose.stickers import StickerRecorder, StickerSpec
from tiltscreen.protocols.common import Metric, sentences

METHOD_MARKERS = "markers"
#: 1-SD allowance for a roll nobody measured (the packaged thresholds' camera.level.assumed_sd_deg)
ASSUMED_LEVEL_SD_DEG = 1.73
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


@dataclass(frozen=True)
class TiltView:
    """What the sticker tilt needs to know about the view (angles in degrees, 1-SD errors).

    Attributes
    ----------
    image_size : (int, int)
        Full-resolution ``(width, height)``, pixels.
    yaw_deg, yaw_sd_deg : float
        The view's estimated yaw and its error (:mod:`tiltscreen.kinematics.yaw`); 0 and 0 when not
        estimated.
    pitch_deg, pitch_sd_deg : float
        The camera's pitch (0 unless the level's verticals measured it) and its error (the set-up
        allowance when assumed).
    hfov_deg : float
        Horizontal field of view assumed for the camera model (:data:`ASSUMED_HFOV_DEG`).

    """

    image_size: tuple[int, int]
    yaw_deg: float = 0.0
    yaw_sd_deg: float = 0.0
    pitch_deg: float = 0.0
    pitch_sd_deg: float = 0.0
    hfov_deg: float = 65.0


#: the field of view's spread for the interval (1 SD, degrees): 50-80 as a uniform range
HFOV_SD_DEG = 8.7


def _median_tilt(pairs: list, facing: int, roll: Any, view: TiltView, **change: float) -> float | None:
    """Median tilt of the window read through the camera model (``change`` overrides one of its angles)."""
    angles = {"yaw_deg": view.yaw_deg, "pitch_deg": view.pitch_deg, "roll_deg": roll.deg or 0.0}
    hfov = change.pop("hfov_deg", view.hfov_deg)
    angles.update(change)
    model = SideView.from_hfov(view.image_size, hfov, facing=facing, **angles)
    return sticker_tilt_deg(pairs, facing, view=model).tilt_deg


def _model_sd(pairs: list, facing: int, roll: Any, view: TiltView, value: float) -> float:
    """Tilt change (1 SD) from the errors of the yaw, the pitch, the field of view and the level."""
    parts = [
        _median_tilt(pairs, facing, roll, view, yaw_deg=view.yaw_deg + view.yaw_sd_deg),
        _median_tilt(pairs, facing, roll, view, pitch_deg=view.pitch_deg + view.pitch_sd_deg),
        _median_tilt(pairs, facing, roll, view, hfov_deg=view.hfov_deg + HFOV_SD_DEG),
    ]
    return math.sqrt(sum((p - value) ** 2 for p in parts if p is not None) + level_sd_deg(roll) ** 2)


def marker_tilt(
    sources: TiltSources, *, rows: slice, facing: int, roll: Any, view: TiltView
) -> tuple[Metric | None, list[str]]:
    """Return the marker measurement over the quiet window, or None with the reasons.

    Each frame's sticker pair is read in the sagittal plane through a pinhole model of the camera
    (:mod:`tiltscreen.kinematics.side_view`: the level's roll, the estimated yaw, the pitch, an
    assumed field of view), which removes the stickers' depth parallax and what yaw and pitch do to
    the ASIS-PSIS line. The 95% interval combines the measured detection error with the tilt change
    over 1 SD of each model input and the level's uncertainty (the detection error falls with the
    stickers' separation in pixels: :func:`~tiltscreen.kinematics.sticker_tilt.detection_sd_deg`).
    """
    if sources.stickers is None:
        return None, ["No sticker search was run."]
    pairs = sources.stickers.searches[rows]
    if not any(s.pair is not None for s in pairs):
        reasons = sorted({s.reason for s in pairs if s.reason})[:2]
        return None, [sentences(["No ASIS/PSIS skin markers were found", *reasons])]
    model = SideView.from_hfov(
        view.image_size, view.hfov_deg, facing=facing, yaw_deg=view.yaw_deg, pitch_deg=view.pitch_deg,
        roll_deg=roll.deg or 0.0,
    )  # fmt: skip
    result = sticker_tilt_deg(pairs, facing, view=model)
    if result.tilt_deg is None:
        return None, [sentences(["The skin markers could not be read", *result.reasons])]
    value = float(result.tilt_deg)
    apart = [float(np.hypot(*(p.pair.asis_px - p.pair.psis_px))) for p in pairs if p.pair is not None]
    sd = math.hypot(detection_sd_deg(float(np.median(apart))), _model_sd(pairs, facing, roll, view, value))
    notes = [
        f"Markers: {result.n_frames} frames, IQR {result.iqr_deg:.1f} deg; level from the {roll.method}; "
        f"read in the sagittal plane with yaw {view.yaw_deg:+.0f} deg.",
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
    sources: TiltSources,
    *,
    rec: Any,
    rows: slice,
    side: str,
    facing: int,
    roll: Any,
    yaw_deg: float | None,
    yaw_half95_deg: float | None = None,
) -> tuple[Metric, list[str]]:
    """``pelvic_tilt_deg`` from markers, else the markerless estimate, else None with the reasons."""
    known = yaw_deg is not None and math.isfinite(yaw_deg)
    view = TiltView(
        rec.lm.image_size,
        yaw_deg if known else 0.0,
        (yaw_half95_deg or 0.0) / 1.96 if known else 0.0,
        roll.pitch_deg or 0.0,
        roll.pitch_sd_deg or 0.0,
        ASSUMED_HFOV_DEG,
    )
    metric, notes = marker_tilt(sources, rows=rows, facing=facing, roll=roll, view=view)
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
    reason = sentences(notes) if notes else "Not measurable."
    if sources.outline is None:
        reason += " The outline-based estimate is not available in this version."
    return Metric.missing("deg", "ASIS-PSIS line vs true horizontal", reason), notes
