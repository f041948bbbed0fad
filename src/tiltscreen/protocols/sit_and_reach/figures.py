"""The sit-and-reach figure: reach, hip and trunk angles and knee flexion over time, trials shaded."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.outputs import plots
from tiltscreen.outputs.plots import Panel, Phase
from tiltscreen.protocols.sit_and_reach.series import ReachSeries
from tiltscreen.protocols.sit_and_reach.trials import Trial


def plot_sit_and_reach(
    path: str | os.PathLike[str],
    series: ReachSeries,
    trials: Sequence[Trial],
    *,
    unit_label: str,
    knee_tolerance_deg: float | None = None,
    title: str = "Sit-and-reach",
    width_px: int = 1400,
    lumbo_horizontal_deg: np.ndarray | None = None,
    zero_label: str = "the toes",
) -> Path:
    """Write the sit-and-reach figure: reach, hip and trunk angles, knee flexion, with the trials.

    Parameters
    ----------
    path : path-like
        Target ``.png`` (see :func:`plot_time_series`).
    series : ReachSeries
        The per-frame series of the recording.
    trials : sequence of Trial
        The trials detected in ``series``; may be empty.
    unit_label : str
        Unit written for the reach axis and trial scores, normally ``series.unit``
        (``"cm"`` or ``"px"``).
    knee_tolerance_deg : float, optional
        Largest knee flexion allowed during a hold, drawn as a dashed line on the knee panel.
    title : str, optional
        Figure title.
    width_px : int, optional
        Width of the PNG in pixels; 3 panels of 260 px plus 110 px make the height.
    lumbo_horizontal_deg : numpy.ndarray, optional
        The lumbo-horizontal proxy per frame (back contour), drawn on the angle panel when given.
    zero_label : str, default "the toes"
        What reach 0 is (e.g. "the box's end face, where the soles rest").

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValidationError
        If ``series`` or ``trials`` have the wrong type, a trial's frames do not fit the
        series, or ``knee_tolerance_deg`` is not a finite number.

    Notes
    -----
    Trials are numbered from 1 (``Trial.index + 1``). A valid trial is labelled with its
    score, an invalid one with its first reason; each hold is shaded over its trial from the
    first to the last hold frame and labelled with its length and the fingertip source of most of
    its frames. Reach 0 is ``zero_label`` (the toes, or the box's end face where the
    soles rest), positive beyond it.

    """
    _check_sit_and_reach_args(series, trials, knee_tolerance_deg, lumbo_horizontal_deg)
    hip, trunk = series.hip_flexion_deg, series.trunk_inclination_deg
    knee_refs = {} if knee_tolerance_deg is None else {"knee tolerance": float(knee_tolerance_deg)}
    panels = [
        Panel(
            f"reach beyond {zero_label}",
            unit_label,
            {"reach": series.reach_cm},
            {"toes" if "toe" in zero_label else "box end": 0.0},
        ),
        Panel(
            "angle",
            "°",
            {
                "hip flexion": hip,
                "trunk inclination (forward +)": trunk,
                **(
                    {}
                    if lumbo_horizontal_deg is None
                    else {"lumbo-horizontal proxy (back contour)": lumbo_horizontal_deg}
                ),
            },
        ),
        Panel("knee flexion (0 = straight)", "°", {"knee flexion": series.knee_flexion_deg}, knee_refs),
    ]
    phases = _trial_phases(series, trials, unit_label)
    return plots.plot_time_series(
        path, t_s=series.t_s, panels=panels, phases=phases, title=title, width_px=width_px
    )


def _trial_phases(series: ReachSeries, trials: Sequence[Trial], unit_label: str) -> list[Phase]:
    """One trial (or invalid) phase and one hold phase per trial."""
    t = series.t_s
    phases = []
    for tr in trials:
        number = tr.index + 1
        if tr.valid:
            score = f"{tr.reach:.1f} {unit_label}" if math.isfinite(tr.reach) else "no score"
            phases.append(Phase(tr.start_s, tr.end_s, f"Trial {number}: {score}", "trial"))
        else:
            reason = tr.invalid_reasons[0] if tr.invalid_reasons else "invalid"
            phases.append(Phase(tr.start_s, tr.end_s, f"Trial {number} invalid: {reason}", "invalid"))
        hold = t[tr.hold_frames]
        if hold.size:
            label = f"hold {tr.hold_s:.1f} s, fingertip: {tr.tip_source}"
            phases.append(Phase(float(hold[0]), float(hold[-1]), label, "hold"))
    return phases


def _check_sit_and_reach_args(
    series: object, trials: object, knee_tolerance_deg: object, lumbo_horizontal_deg: object = None
) -> None:
    """Raise one ValidationError listing every problem with the arguments of :func:`plot_sit_and_reach`."""
    problems = []
    if not isinstance(series, ReachSeries):
        problems.append(f"series must be a ReachSeries, got {type(series).__name__}")
    if not isinstance(trials, Sequence) or not all(isinstance(tr, Trial) for tr in trials):
        problems.append("trials must be a list of Trial")
    elif isinstance(series, ReachSeries):
        n = series.n_frames
        problems += [
            f"trial {tr.index}'s hold frames {tr.hold_frames} do not fit a series of {n} frames"
            for tr in trials
            if not (0 <= tr.hold_frames.start <= tr.hold_frames.stop <= n)
        ]
    if (
        lumbo_horizontal_deg is not None
        and isinstance(series, ReachSeries)
        and (np.shape(lumbo_horizontal_deg) != (series.n_frames,))
    ):
        problems.append(
            f"lumbo_horizontal_deg must have one value per frame ({series.n_frames}), "
            f"got shape {np.shape(lumbo_horizontal_deg)}"
        )
    if knee_tolerance_deg is not None and not plots._finite_number(knee_tolerance_deg):
        problems.append(f"knee_tolerance_deg must be a finite number or None, got {knee_tolerance_deg!r}")
    if problems:
        raise ValidationError("Cannot plot the sit-and-reach figure: " + "; ".join(problems) + ".")
