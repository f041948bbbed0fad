"""The annotated key frame of a sit-and-reach: the best trial at its maximum reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.outputs.keyframe import annotate_key_frame, read_frame, save_png


def _fmt(value: float, unit: str) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.1f} {unit}"


def write_key_frame(job: Any, rec: Any, parts: dict[str, Any]) -> Path:
    """Draw the frame of the best trial's maximum reach with the skeleton, fingertip, toe and values."""
    series, trial = parts["series"], parts["trials"][parts["best"]]
    row = int(np.argmin(np.abs(series.t_s - trial.max_reach_s)))
    lm, side = rec.lm, parts["side"]
    bgr = read_frame(job.input, int(lm.frame_index[row]))
    size = np.array(lm.image_size, float)
    tip = rec.features[f"{side}_fingertip"][row] * size
    toe = np.nanmedian(lm.point(f"{side}_foot_index"), axis=0)
    unit = series.unit
    text = [
        f"trial {trial.index + 1} at {trial.max_reach_s:.2f} s ({side} side)",
        f"reach {_fmt(trial.reach, unit)} beyond the toes",
        f"hip flexion {_fmt(trial.hip_flexion_at_max_deg, 'deg')}",
        f"trunk inclination {_fmt(trial.trunk_inclination_at_max_deg, 'deg')}",
        f"knee flexion (max in hold) {_fmt(trial.knee_flexion_max_deg, 'deg')}",
        f"hold {trial.hold_s:.1f} s",
    ]
    img = annotate_key_frame(
        bgr, xy_px_row=lm.xy_px[row], visibility_row=lm.visibility[row],
        points={"fingertip": tuple(tip), "toe": tuple(toe)},
        lines=[(tuple(toe), (float(tip[0]), float(toe[1])), "reach")],
        text_lines=text, side=side,
    )
    return save_png(job.out_dir / "key_frame.png", img)
