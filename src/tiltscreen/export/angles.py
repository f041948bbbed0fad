"""Per-frame angles of a recording, recomputed from its saved landmarks as its protocol computed them.

The analyses do not save their per-frame angle series; only the summaries (medians over the quiet
window or the hold) are in ``summary.json``. The series are recomputed here with the package's own
functions of :mod:`tiltscreen.kinematics.sagittal`, on the same filtered landmarks the analysis used
(``landmarks.parquet``), with the summary's ``side``, ``facing`` and camera roll. The roll in the
summary is rounded to 0.01 deg, so a roll-corrected angle may differ from the analysis's own series by
up to 0.005 deg; included joint angles do not depend on roll.

Angles per protocol (all in degrees, one value per frame, NaN where a landmark is missing):

sit-and-reach
    ``knee_flexion_deg`` (:func:`~tiltscreen.kinematics.sagittal.knee_flexion_deg`),
    ``hip_flexion_deg`` (:func:`~tiltscreen.kinematics.sagittal.hip_flexion_deg`),
    ``trunk_inclination_deg`` (:func:`~tiltscreen.kinematics.sagittal.trunk_inclination_deg`, roll removed).
standing
    ``trunk_inclination_deg`` (roll removed), ``hip_extension_deg``
    (:func:`~tiltscreen.kinematics.sagittal.hip_extension_deg`), ``knee_hyperextension_deg``
    (:func:`~tiltscreen.kinematics.sagittal.knee_hyperextension_deg`).

Not exported per frame: the reach and the pelvic tilt (they come from image measurements that are
not saved: the fingertip on the outline, the skin stickers, the back contour).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.export.results import RecordingResult
from tiltscreen.kinematics import sagittal


@dataclass(frozen=True)
class AngleDefinition:
    """What one exported angle means."""

    name: str
    definition: str
    sign: str
    function: str
    roll_corrected: bool
    joint: bool


#: every exportable angle, by name
ANGLE_DEFINITIONS = {
    "knee_flexion_deg": AngleDefinition(
        "knee_flexion_deg",
        "180 - included angle hip-knee-ankle of the near side (image plane)",
        "0 = straight knee, positive = bent; unsigned (0 to 180)",
        "tiltscreen.kinematics.sagittal.knee_flexion_deg",
        False,
        True,
    ),
    "hip_flexion_deg": AngleDefinition(
        "hip_flexion_deg",
        "angle from the downward trunk line (shoulder->hip) to the thigh (hip->knee), near side",
        "0 = shoulder, hip and knee in line; positive = flexion (about 90 sitting upright)",
        "tiltscreen.kinematics.sagittal.hip_flexion_deg",
        False,
        True,
    ),
    "hip_extension_deg": AngleDefinition(
        "hip_extension_deg",
        "minus hip_flexion_deg: the thigh behind the shoulder->hip line extended downwards, near side",
        "positive = thigh behind the trunk line (extension), negative = in front",
        "tiltscreen.kinematics.sagittal.hip_extension_deg",
        False,
        True,
    ),
    "knee_hyperextension_deg": AngleDefinition(
        "knee_hyperextension_deg",
        "angle turning the thigh (hip->knee) onto the shank (knee->ankle), near side",
        "positive = knee behind the hip-ankle line (recurvatum), negative = flexed",
        "tiltscreen.kinematics.sagittal.knee_hyperextension_deg",
        False,
        True,
    ),
    "trunk_inclination_deg": AngleDefinition(
        "trunk_inclination_deg",
        "near-side hip->shoulder line from the true vertical (camera roll removed)",
        "0 = upright, positive = leaning forward (towards where the subject faces)",
        "tiltscreen.kinematics.sagittal.trunk_inclination_deg",
        True,
        False,
    ),
}

#: angles each protocol computes per frame, in export order
PROTOCOL_ANGLES = {
    "sit-and-reach": ("knee_flexion_deg", "hip_flexion_deg", "trunk_inclination_deg"),
    "standing": ("trunk_inclination_deg", "hip_extension_deg", "knee_hyperextension_deg"),
}


@dataclass(frozen=True, eq=False)
class AngleSeries:
    """Per-frame angles of one recording.

    Attributes
    ----------
    names : tuple of str
        Angle names (columns of ``values``); empty when none can be computed.
    values : ndarray, shape (frame, len(names))
        Degrees; NaN where a landmark is missing.
    definitions : tuple of AngleDefinition
        One per name.
    side : str or None
        Body side used (the summary's near side).
    roll_deg : float
        Roll removed from the roll-corrected angles (0 when the summary has none).
    reason : str or None
        Why no angle was computed, when ``names`` is empty.

    """

    names: tuple[str, ...]
    values: np.ndarray
    definitions: tuple[AngleDefinition, ...]
    side: str | None
    roll_deg: float
    reason: str | None = None


def _one(rec: RecordingResult, name: str, side: str, facing: int, roll: float) -> np.ndarray:
    lm = rec.landmarks
    if name == "knee_flexion_deg":
        return sagittal.knee_flexion_deg(lm, side)
    if name == "trunk_inclination_deg":
        return sagittal.trunk_inclination_deg(lm, side, facing, roll_deg=roll)
    func = {
        "hip_flexion_deg": sagittal.hip_flexion_deg,
        "hip_extension_deg": sagittal.hip_extension_deg,
        "knee_hyperextension_deg": sagittal.knee_hyperextension_deg,
    }[name]
    return func(lm, side, facing)


def angle_series(rec: RecordingResult) -> AngleSeries:
    """Recompute the per-frame angles the recording's protocol computes (module notes).

    Parameters
    ----------
    rec : RecordingResult
        A loaded results folder.

    Returns
    -------
    AngleSeries
        Empty (with ``reason``) for a landmarks-only folder or an analysis that ended before it
        chose a side (e.g. ``no_person``, ``not_this_protocol``).

    """
    s = rec.summary
    n = rec.landmarks.n_frames
    names = PROTOCOL_ANGLES.get(s.protocol or "", ())
    why = None
    if not names:
        why = "No protocol was analysed (landmarks only), so no protocol angle is defined."
    elif s.side not in ("left", "right") or s.facing is None:
        why = f"The analysis ended '{s.status}' before a side and facing direction were chosen."
    if why:
        return AngleSeries((), np.empty((n, 0)), (), None, 0.0, why)
    roll = s.roll_deg if s.roll_deg is not None else 0.0
    values = np.column_stack([_one(rec, name, s.side, s.facing, roll) for name in names])
    return AngleSeries(names, values, tuple(ANGLE_DEFINITIONS[k] for k in names), s.side, roll)
