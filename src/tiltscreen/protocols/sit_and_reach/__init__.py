"""Sit-and-reach trial analysis from per-frame series (pure: no video, no pose model, no I/O).

Build a :class:`ReachSeries`, pick :class:`SitAndReachRules`, then
:func:`detect_trials` and :func:`best_trial`; :func:`spine_vs_hip_contribution`
splits a trial's forward trunk rotation into hip and spine parts.
"""

from tiltscreen.protocols.sit_and_reach.series import ReachSeries, SitAndReachRules
from tiltscreen.protocols.sit_and_reach.split import HipSpineSplit, spine_vs_hip_contribution
from tiltscreen.protocols.sit_and_reach.trials import Trial, best_trial, detect_trials
from tiltscreen.protocols.sit_and_reach.validity import REASON_CODES

__all__ = [
    "REASON_CODES",
    "HipSpineSplit",
    "ReachSeries",
    "SitAndReachRules",
    "Trial",
    "best_trial",
    "detect_trials",
    "spine_vs_hip_contribution",
]
