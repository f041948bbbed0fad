"""Run a sit-and-reach analysis on a recording and write its results (the I/O edge of the protocol)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from tiltscreen.config.thresholds import Thresholds, load_thresholds
from tiltscreen.kinematics.back_contour import lumbo_horizontal_deg
from tiltscreen.kinematics.camera import check_view
from tiltscreen.kinematics.sticker_tilt import (
    MARKER_DETECTION_SD_DEG,
    MARKER_PARALLAX_SD_DEG,
    tilt_series_deg,
)
from tiltscreen.kinematics.yaw import estimate_view_yaw
from tiltscreen.landmarks import Landmarks
from tiltscreen.outputs.files import write_json  # noqa: F401 -- benchmarks import it from here
from tiltscreen.pose.features import for_facing
from tiltscreen.pose.pelvis_stickers import PelvisStickerRecorder, PelvisStickerSpecs
from tiltscreen.pose.stickers import StickerRecorder, StickerSpec
from tiltscreen.protocols.common import Camera, Scale, envelope, refuse
from tiltscreen.protocols.level import Roll, roll_estimate, widen_for_level
from tiltscreen.protocols.outcome import Outcome, gate, outcome_summary
from tiltscreen.protocols.recording import AnalyzeJob, Recording
from tiltscreen.protocols.sit_and_reach import analysis, pelvis
from tiltscreen.protocols.sit_and_reach.hand_tips import (
    HAND_SOURCE,
    fingertip_summary,
    hand_points_px,
    open_hand_hook,
)
from tiltscreen.protocols.sit_and_reach.measure import build_series, height_scale, marker_scale
from tiltscreen.protocols.sit_and_reach.pelvis import PelvisSeries
from tiltscreen.protocols.sit_and_reach.reach import hold_point, reach_geometry
from tiltscreen.protocols.sit_and_reach.recorder import SitReachRecorder
from tiltscreen.protocols.sit_and_reach.trials import best_trial, detect_trials

#: stature assumed only to size the trial rules' tolerances in pixels when no scale exists
_RULES_STATURE_CM = 170.0


def _scale(rec: Recording, job: AnalyzeJob, side: str) -> Scale:
    if job.marker_size_cm:
        found = marker_scale(rec.markers, size_cm=job.marker_size_cm)
        if found is not None:
            return found
    if job.subject_height_cm:
        found = height_scale(rec.lm, side, stature_cm=job.subject_height_cm, rows=slice(None))
        if found is not None:
            return found
    why = "no marker size given" if not job.marker_size_cm else "the marker was not found"
    return Scale(
        "none", None, None, f"No scale: {why} and no --subject-height-cm; distances cannot be given in cm."
    )


def _roll(rec: Recording, th: Thresholds) -> Roll:
    return roll_estimate(rec.markers, rec.lines.frames, rec.lm.image_size, spreads=th.level)


def _widen(metrics: dict[str, Any], roll: Roll, th: Thresholds) -> dict[str, Any]:
    # the angles' intervals were measured with the roll from the box marker: add what this level lacks
    return widen_for_level(metrics, roll, included_sd_deg=th.level.marker_sd_deg)


def _camera(rec: Recording, side: str, facing: int, roll, th: Thresholds) -> Camera:
    yaw = estimate_view_yaw(rec.lm, side, facing=facing, model=th.yaw_sit_and_reach)
    limits = {"max_yaw_deg": th.max_yaw_deg.value, "max_roll_deg": th.max_roll_deg.value}
    view = check_view(
        roll.deg, yaw.yaw_deg, max_roll_deg=th.max_roll_deg.value, max_yaw_deg=th.max_yaw_deg.value
    )
    reasons = view.reasons
    return Camera(
        roll.deg,
        roll.method,
        yaw.yaw_deg,
        yaw.half95_deg,
        view.within_limits,
        reasons,
        limits,
    )


def _pelvis_series(rec: Recording, stickers, facing: int, roll) -> PelvisSeries:
    """Per-frame sticker tilt (with its 1 SD error) and the back-contour proxy, roll-corrected."""
    tilt, sd = None, 1.5
    if stickers is not None and any(s.pair is not None for s in stickers.searches):
        roll_sd = (roll.uncertainty_deg or 0.0) / 1.96 if roll.deg is not None else 1.5
        sd = float(np.sqrt(MARKER_DETECTION_SD_DEG**2 + MARKER_PARALLAX_SD_DEG**2 + roll_sd**2))
        tilt = tilt_series_deg(stickers.searches, facing=facing, roll_deg=roll.deg or 0.0)
    if roll.deg is None:
        return PelvisSeries(
            tilt,
            sd,
            None,
            "Camera roll was not measured: an angle against the horizontal needs "
            "the printed marker on the box or a level camera.",
        )
    line = for_facing(rec.features, "back_line", facing)
    lumbo = None if line is None else lumbo_horizontal_deg(line, facing=facing, roll_deg=roll.deg)
    return PelvisSeries(tilt, sd, lumbo, None if lumbo is not None else "The back contour was not recorded.")


def analyse(
    rec: Recording,
    job: AnalyzeJob,
    th: Thresholds,
    stickers=None,
    extras: dict[str, Any] | None = None,
    pelvis_stickers=None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Return the summary (contract) and the figures' pieces (None after an early status: ``gate``)."""
    view = gate(rec, "sit-and-reach", th, side=job.side)
    if isinstance(view, Outcome):
        return outcome_summary(view, protocol="sit-and-reach", job=job, th=th, rec=rec), None
    facing, side = view.facing, view.side
    roll = _roll(rec, th)
    scale = _scale(rec, job, side)
    camera = _camera(rec, side, facing, roll, th)
    geometry, tips, series = _series(rec, job, th, extras, side=side, facing=facing, roll=roll, scale=scale)
    rules_px = scale.px_per_cm or _rules_scale(rec.lm, side)
    rules = analysis.rules_from(th, unit=series.unit, px_per_cm=rules_px)
    trials = detect_trials(series, rules)
    best = best_trial(trials, rules)
    ctx = _context(rec, job, stickers, facing=facing, roll=roll, scale=scale, geometry=geometry)
    ctx = dataclasses.replace(
        ctx,
        pelvis=pelvis.with_stickers(
            ctx.pelvis,
            pelvis_stickers.arrays() if pelvis_stickers else None,
            rec.lm,
            side=side,
            facing=facing,
            roll_deg=roll.deg,
            yaw_deg=camera.yaw_deg,
        ),
    )
    metrics = _widen(
        analysis.trial_metrics(trials[best] if best is not None else None, series, ctx), roll, th
    )
    refused = () if camera.within_limits else camera.reasons
    metrics = refuse(metrics, refused) if refused else metrics
    reasons = [*refused, *_no_trial(trials, best)]
    split = (
        pelvis.hip_spine_split(trials[best], series.t_s, series.trunk_inclination_deg, ctx.pelvis)
        if best is not None and camera.within_limits
        else None
    )
    flags = (
        analysis.flags(trials, best, metrics, ctx, th)
        + pelvis.spinal_flag(split, th)
        + pelvis.lumbo_flag(metrics["lumbo_horizontal_deg"], th)
    )
    summary = envelope(
        protocol="sit-and-reach",
        status="ok" if not reasons else "indeterminate",
        reasons=reasons,
        side=side,
        scale=scale,
        camera=camera,
        metrics=metrics,
        flags=flags,
        extra={
            "input": job.input,
            "facing": "image-right" if facing > 0 else "image-left",
            "trials": [_trial_dict(t, series, ctx, roll, th, refused=refused, tips=tips) for t in trials],
            "best_trial": best,
            "reach_conventions": analysis.reach_conventions(metrics["reach_cm"], job.zero_offset_cm),
            "reach_geometry": geometry.as_dict(),
            "fingertips": fingertip_summary(tips, extras),
            "hip_spine_contribution": split if split is not None else {"reason": NO_SPLIT},
            "subject_fraction": round(rec.subject_fraction, 4),
            "thresholds": {"file": th.path, "version": th.version},
            "provenance": [s.as_dict() for s in rec.lm.provenance],
        },
    )
    return summary, {
        "series": series,
        "trials": trials,
        "best": best,
        "side": side,
        "facing": facing,
        "roll": roll,
        "scale": scale,
        "pelvis": ctx.pelvis,
        "camera_ok": camera.within_limits,
        "geometry": geometry,
        "tips": tips,
        "lumbo": metrics["lumbo_horizontal_deg"],  # the best trial's (null when refused), for the key frame
    }


def _no_trial(trials: list, best: int | None) -> list[str]:
    """Return the reason when there is no best trial (none at all, or none valid); empty otherwise."""
    if best is not None:
        return []
    return ["No valid trial was found." if trials else "No sit-and-reach trial was found in the recording."]


#: why the hip/spine split is missing
NO_SPLIT = (
    "Needs the pelvis at rest and during the hold: skin markers on the ASIS and PSIS "
    "or a traced back contour (the pelvis is not visible in the landmarks), and a valid trial."
)


def _series(rec: Recording, job: AnalyzeJob, th: Thresholds, extras, *, side, facing, roll, scale):
    """Return the reach geometry, the fingertips (hand model first, outline fallback) and the series."""
    hand = hand_points_px(
        extras, side=side, facing=facing, frame_index=rec.lm.frame_index, image_size=rec.lm.image_size,
        t_s=rec.lm.timestamps_s,
    )  # fmt: skip
    geometry, tips = reach_geometry(
        rec, job, side=side, facing=facing, roll_deg=roll.deg or 0.0, scale=scale,
        tip_sources=[(HAND_SOURCE, hand.tip)] if hand is not None else (),
    )  # fmt: skip
    series = build_series(
        rec.lm, geometry, tips, side=side, facing=facing, roll_deg=roll.deg or 0.0, px_per_cm=scale.px_per_cm,
        raw=rec.raw, contacts=(extras or {}).get("border_contacts"),
        hands_gap_error_cm=th.hands_gap_error_cm.value, knuckle_px=hand.knuckle if hand is not None else None,
    )  # fmt: skip
    return geometry, tips, series


def _context(rec: Recording, job: AnalyzeJob, stickers, *, facing, roll, scale, geometry) -> analysis.Context:
    return analysis.Context(
        scale=scale,
        roll_corrected=roll.deg is not None,
        angles_vs_horizontal_ok=roll.deg is not None,
        age=job.age,
        sex=job.sex,
        zero_offset_cm=job.zero_offset_cm,
        pelvis=_pelvis_series(rec, stickers, facing, roll),
        reach_method=geometry.method,
        reach_zero=geometry.zero,
        reach_kind=geometry.kind,
    )


def _rules_scale(lm: Landmarks, side: str) -> float | None:
    found = height_scale(lm, side, stature_cm=_RULES_STATURE_CM, rows=slice(None))
    return found.px_per_cm if found else None


def _trial_dict(t, series, ctx, roll, th, *, refused: tuple[str, ...] = (), tips=None) -> dict[str, Any]:
    metrics = _widen(analysis.trial_metrics(t, series, ctx), roll, th)
    if refused:  # a set-up outside the limits refuses every number, the trials' included
        metrics = refuse(metrics, refused)
    return {
        "index": t.index,
        "start_s": round(t.start_s, 3),
        "max_reach_s": round(t.max_reach_s, 3),
        "end_s": round(t.end_s, 3),
        "hold_s": round(t.hold_s, 3),
        "hold_start_s": round(float(series.t_s[t.hold_frames.start]), 3),
        "hold_end_s": round(float(series.t_s[t.hold_frames.stop - 1]), 3),
        "fingertip_px": hold_point(tips.px if tips is not None else None, t.hold_frames),
        "reach_sd_cm": round(t.reach_sd, 3) if np.isfinite(t.reach_sd) else None,
        "valid": t.valid,
        "invalid_reasons": list(t.invalid_reasons),
        "invalid_codes": list(t.invalid_codes),
        "not_assessed": list(t.notes),
        "fingertip_source": t.tip_source,
        "bouncing": t.bouncing,
        "metrics": {k: m.as_dict() for k, m in metrics.items()},
    }


def run_sit_and_reach(job: AnalyzeJob) -> dict[str, Any]:
    """Extract, analyse and write ``summary.json``, the landmark tables, the plot and the key frame."""
    from tiltscreen.run.analyze import run_recording

    th = load_thresholds(job.thresholds)
    stickers = StickerRecorder(spec=StickerSpec(colour_rgb=job.marker_colour))
    extras = SitReachRecorder()
    hands = open_hand_hook()
    spec = StickerSpec(colour_rgb=job.marker_colour)
    pelvis_stickers = PelvisStickerRecorder(specs=PelvisStickerSpecs(spec, spec))
    hooks = [stickers, extras, pelvis_stickers, *([hands.recorder] if hands.recorder is not None else [])]
    try:
        return run_recording(
            job,
            protocol="sit-and-reach",
            th=th,
            hooks=hooks,
            analyse=lambda rec: analyse(
                rec,
                job,
                th,
                stickers,
                {**extras.arrays(), **hands.arrays(), "hand_reason": hands.reason},
                pelvis_stickers,
            ),
            figures=lambda rec, _, parts: _figures(job, rec, parts, th),
        )
    finally:
        hands.close()


def _figures(job: AnalyzeJob, rec: Recording, parts: dict[str, Any], th: Thresholds) -> dict[str, str]:
    from tiltscreen.protocols.sit_and_reach.figures import plot_sit_and_reach

    series = parts["series"]
    lumbo = parts["pelvis"].lumbo if parts["camera_ok"] else None
    out = {
        "plot": str(
            plot_sit_and_reach(
                job.out_dir / "sit_and_reach.png",
                series,
                parts["trials"],
                unit_label=series.unit,
                knee_tolerance_deg=th.knee_tolerance_deg.value,
                lumbo_horizontal_deg=lumbo,
                zero_label=parts["geometry"].zero,
            )
        )
    }
    if job.key_frame and parts["best"] is not None:
        from tiltscreen.protocols.sit_and_reach.keyframe import write_key_frame

        out["key_frame"] = str(write_key_frame(job, rec, parts))
    return out
