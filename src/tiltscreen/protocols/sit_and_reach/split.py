"""How a trial's forward trunk rotation divides between hip and spine, from the landmark angles (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.protocols.sit_and_reach.series import ReachSeries, finite_median
from tiltscreen.protocols.sit_and_reach.trials import Trial


@dataclass(frozen=True)
class HipSpineSplit:
    """How the trunk's forward rotation from rest to the maximum divides between hip and spine.

    Attributes
    ----------
    trunk_rotation_deg : float
        Change of trunk inclination (deg, forward +) from rest to the hold.
    hip_change_deg : float
        Change of hip flexion (deg) over the same interval.
    hip_fraction : float
        ``hip_change_deg / trunk_rotation_deg``; NaN if the rotation is too small or unknown.
    spine_fraction : float
        ``1 - hip_fraction``. Neither fraction is clipped to [0, 1].

    """

    trunk_rotation_deg: float
    hip_change_deg: float
    hip_fraction: float
    spine_fraction: float


def spine_vs_hip_contribution(
    trial: Trial, series: ReachSeries, *, rest_window_s: float = 0.5, min_rotation_deg: float = 5.0
) -> HipSpineSplit:
    """Split the trunk's forward rotation of a trial into a hip part and a spine part (approximation).

    Parameters
    ----------
    trial : Trial
        A trial detected in ``series``.
    series : ReachSeries
        The recording the trial comes from.
    rest_window_s : float, default 0.5
        Rest values are medians over the frames up to this long (s) before the onset.
    min_rotation_deg : float, default 5.0
        Below this trunk rotation (deg) the fractions are NaN (division by ~0).

    Returns
    -------
    HipSpineSplit
        Rest = median over ``rest_window_s`` ending at the onset; maximum =
        median over the hold frames.

    Raises
    ------
    ValidationError
        If the arguments have the wrong types, the trial's frames do not fit
        the series, or an option is not a finite number >= 0.

    Notes
    -----
    Geometry (side view): the hip -> shoulder line leans forward by
    ``trunk_rotation_deg``; that lean is the pelvis rotating forward on the
    femoral heads (anterior tilt, i.e. hip flexion) plus spinal (lumbar and
    thoracic) flexion, which also carries the shoulder forward. The hip part is
    taken as the change of hip flexion and the rest is attributed to the spine.
    Without pelvis markers (ASIS/PSIS or sacrum) this is an approximation: if
    hip flexion is measured against the same hip -> shoulder line (180 - the
    shoulder-hip-knee angle) and the thighs stay flat on the floor, its change
    equals the trunk rotation by construction and ``hip_fraction`` is ~1; the
    split separates pelvis from spine only when hip flexion comes from a
    pelvis segment. Interpret it for clinician review only (cf. Kendall toe-touch:
    hip vs spine contribution; docs/clinical.md §3).

    """
    _check_split_args(trial, series, rest_window_s, min_rotation_deg)
    t = series.t_s
    onset = trial.frames.start
    rest = (t >= t[onset] - rest_window_s) & (np.arange(series.n_frames) <= onset)
    hold = trial.hold_frames
    trunk_deg, hip_deg = series.trunk_inclination_deg, series.hip_flexion_deg
    trunk = finite_median(trunk_deg[hold]) - finite_median(trunk_deg[rest])
    hip = finite_median(hip_deg[hold]) - finite_median(hip_deg[rest])
    if not (math.isfinite(trunk) and math.isfinite(hip) and abs(trunk) >= min_rotation_deg):
        return HipSpineSplit(trunk, hip, math.nan, math.nan)
    return HipSpineSplit(trunk, hip, hip / trunk, 1 - hip / trunk)


def _check_split_args(trial: object, series: object, rest_window_s: object, min_rotation_deg: object) -> None:
    """Raise one ValidationError listing every problem with the arguments of the split."""
    problems = []
    if not isinstance(trial, Trial):
        problems.append(f"trial must be a Trial, got {type(trial).__name__}")
    if not isinstance(series, ReachSeries):
        problems.append(f"series must be a ReachSeries, got {type(series).__name__}")
    elif isinstance(trial, Trial) and not (0 <= trial.frames.start < trial.frames.stop <= series.n_frames):
        problems.append(f"the trial's frames {trial.frames} do not fit a series of {series.n_frames} frames")
    for name, value in (("rest_window_s", rest_window_s), ("min_rotation_deg", min_rotation_deg)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (math.isfinite(value) and value >= 0)
        ):
            problems.append(f"{name} must be a finite number >= 0, got {value!r}")
    if problems:
        raise ValidationError("spine_vs_hip_contribution: " + "; ".join(problems) + ".")
