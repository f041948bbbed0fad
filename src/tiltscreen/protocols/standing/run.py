"""The standing protocol's analysis of a side-view recording: view → measures → validity → flags → summary.

The I/O edge (extraction, files, figures) is :mod:`tiltscreen.run.standing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tiltscreen.config.thresholds import Thresholds
from tiltscreen.kinematics.camera import check_view
from tiltscreen.kinematics.summary import QuietWindow, quiet_window
from tiltscreen.kinematics.yaw import estimate_view_yaw
from tiltscreen.protocols.common import Camera, Metric, Scale, envelope, refuse
from tiltscreen.protocols.level import Roll, widen_for_level
from tiltscreen.protocols.outcome import Outcome, gate, outcome_summary
from tiltscreen.protocols.recording import AnalyzeJob, Recording
from tiltscreen.protocols.standing import analysis, measure
from tiltscreen.protocols.standing.tilt import TiltSources, pelvic_tilt

PLUMB = ("ear", "shoulder", "hip", "knee")


def _setup_reasons(rec: Recording, window: QuietWindow | None, side: str, th: Thresholds) -> list[str]:
    """Whole body in frame, subject still, lens near pelvis height: plain sentences for what to change."""
    reasons = []
    if window is None:
        reasons.append(
            "The subject did not stand still for 1 s: ask them to stand quietly for a few seconds."
        )
        return reasons
    rows = measure.window_rows(window)
    head = rec.features["head_top"][rows]
    heel = rec.features[f"{side}_heel_floor"][rows]
    if not (np.nanmedian(head[:, 1]) > 0.01 and np.nanmedian(heel[:, 1]) < 0.99):
        reasons.append("The whole body must be in the picture, head to feet: move the camera back.")
    hip_y = np.nanmedian(rec.lm.xyz[rows, rec.lm.skeleton.index(f"{side}_hip"), 1])
    stature = np.nanmedian(heel[:, 1] - head[:, 1])
    limit = th.standing.max_camera_height_offset.value
    if np.isfinite(hip_y) and np.isfinite(stature) and stature > 0:
        offset = (0.5 - hip_y) / stature  # image centre row vs hip, in statures (+: lens below the hip)
        if abs(offset) > limit:
            where = "lower" if offset < 0 else "higher"
            reasons.append(
                f"Put the lens at about pelvis height: it is about {abs(offset):.0%} of body height "
                f"{'above' if offset < 0 else 'below'} the hips; move the camera {where}."
            )
    return reasons


def _scale(rec: Recording, job: AnalyzeJob, side: str, rows: slice) -> Scale:
    if job.subject_height_cm:
        size = np.array(rec.lm.image_size, float)
        found = measure.outline_scale(
            rec.features["head_top"][rows] * size,
            rec.features[f"{side}_heel_floor"][rows] * size,
            stature_cm=job.subject_height_cm,
        )
        if found is not None:
            return found
    return Scale("none", None, None, "No scale: pass --subject-height-cm to get plumb-line offsets in cm.")


def _roll(rec: Recording, th: Thresholds) -> Roll:
    return measure.standing_roll(rec.markers, rec.lines.frames, rec.lm.image_size, spreads=th.level)


def _metrics(
    rec: Recording, window: QuietWindow, side: str, facing: int, roll: Roll, scale: Scale, tilt: Metric
) -> dict[str, Metric]:
    rows = measure.window_rows(window)
    d = measure.descriptors(rec.lm, side=side, facing=facing, roll_deg=roll.deg or 0.0)
    span = f"median over the quiet window {window.start_s:.1f}-{window.end_s:.1f} s"
    out = {"pelvic_tilt_deg": tilt}
    for name, values, what in (
        ("trunk_inclination_deg", d.trunk_inclination_deg, "near-side hip-shoulder line from vertical"),
        ("hip_extension_deg", d.hip_extension_deg, "near-side thigh behind the trunk line"),
        ("knee_hyperextension_deg", d.knee_hyperextension_deg, "near-side knee behind the hip-ankle line"),
    ):
        med, _, n = measure.median_iqr(values, rows)
        reason = None
        if name == "trunk_inclination_deg" and roll.deg is None:
            med, reason = float("nan"), "Camera roll was not measured: the true vertical is unknown."
        out[name] = analysis.angle_metric(med, f"{what}, {span}", n=n, reason=reason)
    for part in PLUMB:
        med, _, _ = measure.median_iqr(d.plumb_px[part], rows)
        out[f"plumb_{part}"] = analysis.length_metric(
            med,
            f"{part} in front of the ankle's vertical (+ forward), {span}",
            px_per_cm=scale.px_per_cm,
            rel=scale.rel_uncertainty,
        )
    return out


def _camera(rec: Recording, side: str, facing: int, roll: Roll, th: Thresholds, setup: list[str]) -> Camera:
    yaw = estimate_view_yaw(rec.lm, side, facing=facing, model=th.yaw_standing)
    view = check_view(
        roll.deg, yaw.yaw_deg, max_roll_deg=th.max_roll_deg.value, max_yaw_deg=th.max_yaw_deg.value
    )
    limits = {"max_yaw_deg": th.max_yaw_deg.value, "max_roll_deg": th.max_roll_deg.value}
    reasons = (*view.reasons, *setup)
    return Camera(
        roll.deg,
        roll.method,
        yaw.yaw_deg,
        yaw.half95_deg,
        view.within_limits and not setup,
        reasons,
        limits,
    )


@dataclass(frozen=True)
class _Measured:
    """What the measures step found: the view, the quiet window, scale, camera and metrics."""

    side: str
    facing: int
    window: QuietWindow | None
    scale: Scale
    camera: Camera
    ref: analysis.Reference
    metrics: dict[str, Metric]
    tilt_notes: list[str]


def analyse_standing(rec: Recording, job: AnalyzeJob, th: Thresholds, sources: TiltSources) -> dict[str, Any]:
    """Return the standing summary (result contract); early statuses from ``outcome.gate``.

    Steps: view (:func:`~tiltscreen.protocols.outcome.gate`) -> measures -> validity (camera
    limits, status) -> flags -> summary.
    """
    view = gate(rec, "standing", th, side=job.side)
    if isinstance(view, Outcome):
        return outcome_summary(view, protocol="standing", job=job, th=th, rec=rec)
    found = _measure(rec, job, th, sources, facing=view.facing, side=view.side)
    metrics = _within_camera_limits(found.metrics, found.camera)
    status, reasons = _status(metrics, found.camera)
    flags = _flags(metrics, job, th, found.ref)
    return envelope(
        protocol="standing",
        status=status,
        reasons=reasons,
        side=found.side,
        scale=found.scale,
        camera=found.camera,
        metrics=metrics,
        flags=flags,
        extra=_extra(rec, job, th, found, metrics),
    )


def _measure(
    rec: Recording, job: AnalyzeJob, th: Thresholds, sources: TiltSources, *, facing: int, side: str
) -> _Measured:
    """Quiet window, set-up checks, roll, scale, camera check, pelvic tilt and the window's metrics."""
    window = quiet_window(rec.lm, min_duration_s=1.0)
    setup = _setup_reasons(rec, window, side, th)
    rows = measure.window_rows(window) if window else slice(0, rec.lm.n_frames)
    roll = _roll(rec, th)
    scale = _scale(rec, job, side, rows)
    camera = _camera(rec, side, facing, roll, th, setup)
    ref = analysis.Reference.from_thresholds(th)
    tilt, tilt_notes = pelvic_tilt(
        sources, rec=rec, rows=rows, side=side, facing=facing, roll=roll, yaw_deg=camera.yaw_deg,
        yaw_half95_deg=camera.yaw_uncertainty_deg,
    )  # fmt: skip
    if window is None:
        metrics: dict[str, Metric] = {}
    else:
        metrics = widen_for_level(_metrics(rec, window, side, facing, roll, scale, tilt), roll)
    return _Measured(side, facing, window, scale, camera, ref, metrics, tilt_notes)


def _within_camera_limits(metrics: dict[str, Metric], camera: Camera) -> dict[str, Metric]:
    """Return the metrics, refused with the camera's reasons when the view is outside its limits."""
    return metrics if camera.within_limits else refuse(metrics, camera.reasons)


def _status(metrics: dict[str, Metric], camera: Camera) -> tuple[str, list[str]]:
    """Return the status ("ok" only if pelvic tilt was measured and nothing was wrong) and the reasons."""
    reasons: list[str] = list(camera.reasons)
    status = (
        "ok" if metrics and metrics["pelvic_tilt_deg"].value is not None and not reasons else "indeterminate"
    )
    if status == "indeterminate" and metrics and metrics["pelvic_tilt_deg"].value is None:
        reasons.append("Pelvic tilt: " + (metrics["pelvic_tilt_deg"].reason or "not measurable."))
    return status, reasons


def _flags(metrics: dict[str, Metric], job: AnalyzeJob, th: Thresholds, ref: analysis.Reference) -> list:
    """Pelvic-tilt flags (against the reference and any baseline) and the knee flag; none without metrics."""
    if not metrics:
        return []
    baseline = _baseline_tilt(job)
    return [
        *analysis.tilt_flags(metrics["pelvic_tilt_deg"], ref, baseline=baseline),
        *analysis.knee_flag(metrics["knee_hyperextension_deg"], th),
    ]


def _extra(
    rec: Recording, job: AnalyzeJob, th: Thresholds, found: _Measured, metrics: dict[str, Metric]
) -> dict[str, Any]:
    """Return the standing-only summary fields: facing, quiet window, Kendall type, reference, provenance."""
    window, ref = found.window, found.ref
    return {
        "input": job.input,
        "facing": "image-right" if found.facing > 0 else "image-left",
        "quiet_window": None
        if window is None
        else {"start_s": round(window.start_s, 3), "end_s": round(window.end_s, 3)},
        "kendall_type": analysis.kendall_type(metrics, th, ref) if metrics else None,
        "tilt_notes": found.tilt_notes,
        "reference": {
            "mean_deg": ref.mean,
            "sd_deg": ref.sd,
            "anterior_limit_deg": ref.anterior_limit,
            "source": ref.source,
        },
        "subject_fraction": round(rec.subject_fraction, 4),
        "thresholds": {"file": th.path, "version": th.version},
        "provenance": [s.as_dict() for s in rec.lm.provenance],
    }


def _baseline_tilt(job: AnalyzeJob) -> Metric | None:
    """Return the pelvic tilt of an earlier standing result of the same patient (``--baseline``)."""
    if job.baseline is None:
        return None
    import json

    from tiltscreen.errors import InputError

    try:
        data = json.loads(job.baseline.read_text(encoding="utf-8"))
        m = data["metrics"]["pelvic_tilt_deg"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise InputError(f"{job.baseline} is not a tiltscreen standing summary.json ({err}).") from err
    ci = tuple(m["ci95"]) if m.get("ci95") else None
    return Metric(m["value"], m["unit"], m["method"], ci) if m.get("value") is not None else None
