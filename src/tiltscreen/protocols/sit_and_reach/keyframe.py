"""The annotated key frame of a sit-and-reach: the best trial at its maximum reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.outputs.keyframe import annotate_key_frame, read_frame, save_png
from tiltscreen.pose.features import for_facing


def _fmt(value: float, unit: str) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.1f} {unit}"


def write_key_frame(job: Any, rec: Any, parts: dict[str, Any]) -> Path:
    """Draw the frame of the best trial's maximum reach with the skeleton, fingertip, toe and values."""
    series, trial = parts["series"], parts["trials"][parts["best"]]
    row = int(np.argmin(np.abs(series.t_s - trial.max_reach_s)))
    lm, side = rec.lm, parts["side"]
    bgr = read_frame(job.input, int(lm.frame_index[row]))
    size = np.array(lm.image_size, float)
    tips, geometry = parts.get("tips"), parts.get("geometry")
    if tips is not None:
        tip = tips.px[row]
    else:
        tip = for_facing(rec.features, f"{side}_fingertip", parts["facing"])[row] * size
    zero_px, zero_name, zero_text = _zero_point(rec, side, geometry)
    unit = series.unit
    lines = [(tuple(zero_px), (float(tip[0]), float(zero_px[1])), "reach")]
    lumbo = parts.get("lumbo")
    back = _back_line(rec, parts, row, size)
    if back is not None and lumbo is not None and lumbo.value is not None:
        lines.append((*back, "back line"))
    text = [
        f"trial {trial.index + 1} at {trial.max_reach_s:.2f} s ({side} side)",
        f"reach {_fmt(trial.reach, unit)} beyond {zero_text}",
        f"hip flexion {_fmt(trial.hip_flexion_at_max_deg, 'deg')}",
        f"trunk inclination {_fmt(trial.trunk_inclination_at_max_deg, 'deg')}",
        f"knee flexion (max in hold) {_fmt(trial.knee_flexion_max_deg, 'deg')}",
        f"hold {trial.hold_s:.1f} s",
        f"fingertip: {trial.tip_source}",
    ]
    if lumbo is not None and lumbo.value is not None:
        text.append(
            f"lumbo-horizontal proxy {lumbo.value:.0f} deg (95% {lumbo.ci95[0]:.0f}-{lumbo.ci95[1]:.0f})"
        )
    img = annotate_key_frame(
        bgr,
        xy_px_row=lm.xy_px[row],
        visibility_row=lm.visibility[row],
        points={f"fingertip ({trial.tip_source})": tuple(tip), zero_name: tuple(zero_px)},
        lines=lines,
        text_lines=text,
        side=side,
    )
    return save_png(job.out_dir / "key_frame.png", img)


def _zero_point(rec: Any, side: str, geometry: Any) -> tuple[np.ndarray, str, str]:
    """Where reach 0 is drawn (pixels), its label and its words: the box's top end edge, or the toe tip."""
    plane = getattr(geometry, "plane", None)
    if plane is not None and plane.placement.anchored:
        from tiltscreen.kinematics.box_plane import project  # noqa: PLC0415

        return project(plane, np.array([[0.0, 0.0, 0.0]]))[0], "box end", "the box end (soles)"
    return np.nanmedian(rec.lm.point(f"{side}_foot_index"), axis=0), "toe", "the toes"


def _back_line(rec: Any, parts: dict[str, Any], row: int, size: np.ndarray) -> tuple | None:
    """End points (pixels) of this frame's back-contour line, 0.1 image heights long; None if not traced."""
    d = for_facing(rec.features, "back_line", parts["facing"])
    mid = for_facing(rec.features, "back_point", parts["facing"])
    if d is None or mid is None or not (np.isfinite(d[row]).all() and np.isfinite(mid[row]).all()):
        return None
    centre, half = mid[row] * size, 0.05 * size[1] * d[row] / np.hypot(*d[row])
    return (tuple(centre - half), tuple(centre + half))
