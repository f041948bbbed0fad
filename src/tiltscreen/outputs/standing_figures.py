"""Figures of the standing protocol: descriptors over time, and an annotated key frame."""

from __future__ import annotations

from typing import Any

import numpy as np

from tiltscreen.outputs.keyframe import annotate_key_frame, read_frame, save_png
from tiltscreen.outputs.plots import Panel, Phase, plot_time_series
from tiltscreen.protocols.standing import measure


def write_figures(job: Any, rec: Any, summary: dict[str, Any]) -> dict[str, str]:
    """``standing.png`` (angles over time, quiet window shaded) and ``key_frame.png`` (mid-window)."""
    side = summary["side"]
    facing = 1 if summary["facing"] == "image-right" else -1
    roll = summary["camera"]["roll_deg"] or 0.0
    d = measure.descriptors(rec.lm, side=side, facing=facing, roll_deg=roll)
    t = rec.lm.timestamps_s
    qw = summary["quiet_window"]
    phases = [Phase(qw["start_s"], qw["end_s"], "quiet standing", "hold")] if qw else []
    panels = [
        Panel("trunk inclination (forward +)", "°", {"trunk inclination": d.trunk_inclination_deg}),
        Panel(
            "hip extension / knee hyperextension",
            "°",
            {"hip extension": d.hip_extension_deg, "knee hyperextension": d.knee_hyperextension_deg},
        ),
    ]
    files = {
        "plot": str(
            plot_time_series(
                job.out_dir / "standing.png", t_s=t, panels=panels, phases=phases, title="Standing, side view"
            )
        )
    }
    if job.key_frame and qw:
        files["key_frame"] = str(_key_frame(job, rec, summary, side))
    return files


def _fmt(metric: dict[str, Any] | None) -> str:
    if not metric or metric["value"] is None:
        return "n/a"
    return f"{metric['value']:.1f} {metric['unit']}"


def _key_frame(job: Any, rec: Any, summary: dict[str, Any], side: str):
    qw = summary["quiet_window"]
    t = rec.lm.timestamps_s
    row = int(np.argmin(np.abs(t - (qw["start_s"] + qw["end_s"]) / 2)))
    bgr = read_frame(job.input, int(rec.lm.frame_index[row]))
    ankle = rec.lm.point(f"{side}_ankle")[row]
    top = rec.features["head_top"][row] * np.array(rec.lm.image_size, float)
    m = summary["metrics"]
    text = [
        f"pelvic tilt {_fmt(m.get('pelvic_tilt_deg'))} "
        f"({(m.get('pelvic_tilt_deg') or {}).get('method', '')})",
        f"trunk inclination {_fmt(m.get('trunk_inclination_deg'))}",
        f"hip extension {_fmt(m.get('hip_extension_deg'))}",
        f"knee hyperextension {_fmt(m.get('knee_hyperextension_deg'))}",
        f"suggested type: {(summary.get('kendall_type') or {}).get('suggested', 'n/a')}",
    ]
    lines = []
    if np.all(np.isfinite(ankle)) and np.isfinite(top[1]):
        lines.append(((float(ankle[0]), float(ankle[1])), (float(ankle[0]), float(top[1])), "ankle vertical"))
    img = annotate_key_frame(
        bgr,
        xy_px_row=rec.lm.xy_px[row],
        visibility_row=rec.lm.visibility[row],
        lines=lines,
        text_lines=text,
        side=side,
    )
    return save_png(job.out_dir / "key_frame.png", img)
