"""Data dictionary of the tidy export tables: every column's unit, definition and sign convention.

Written into the export sidecar (``export.json``) and reproduced in ``docs/export.md``.
"""

from __future__ import annotations

from typing import Any

from tiltscreen.export.angles import ANGLE_DEFINITIONS, PROTOCOL_ANGLES

#: (column, unit, dtype, definition) per table
COLUMNS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "landmarks": (
        ("recording_id", "-", "string", "Results folder name (its path below RESULTS joined with - when two "
         "folders share a name)."),
        ("frame", "1", "int64", "Row number of the frame in the landmark table, 0-based."),
        ("frame_index", "1", "int64", "Index of the frame in the source's decode order, 0-based."),
        ("time_s", "s", "float64", "Time of the frame from the start of the source (container timestamps)."),
        ("landmark", "-", "string", "BlazePose landmark name (33 per frame, MediaPipe order)."),
        ("landmark_index", "1", "int64", "BlazePose landmark index 0-32."),
        ("x_px", "px", "float64", "x in pixels of the upright full-resolution image, from the left edge "
         "(grows to the right)."),
        ("y_px", "px", "float64", "y in pixels of the upright full-resolution image, from the top edge "
         "(grows downwards)."),
        ("x_norm", "fraction of image width", "float64", "x_px / image width."),
        ("y_norm", "fraction of image height", "float64", "y_px / image height."),
        ("z_norm", "relative depth (x_norm scale)", "float64", "MediaPipe relative depth: smaller = nearer "
         "the camera, origin at the hips."),
        ("visibility", "probability 0-1", "float64", "MediaPipe probability that the landmark is visible "
         "(not occluded)."),
        ("presence", "probability 0-1", "float64", "MediaPipe probability that the landmark is in "
         "the image."),
        ("world_x_m", "m", "float64", "MediaPipe world x, origin between the hips."),
        ("world_y_m", "m", "float64", "MediaPipe world y, origin between the hips (y down)."),
        ("world_z_m", "m", "float64", "MediaPipe world z, origin between the hips (smaller = nearer the "
         "camera)."),
    ),
    "angles": (
        ("recording_id", "-", "string", "As in the landmarks table."),
        ("frame", "1", "int64", "Row number of the frame in the landmark table, 0-based."),
        ("time_s", "s", "float64", "Time of the frame (s)."),
        ("angle", "-", "string", "Angle name (see 'angles' below for each one's definition and sign)."),
        ("value_deg", "deg", "float64", "The angle in degrees; empty where a landmark it needs is missing."),
        ("side", "-", "string", "Body side whose landmarks were used (the summary's near side)."),
    ),
    "events": (
        ("recording_id", "-", "string", "As in the landmarks table."),
        ("event", "-", "string", "trial (start to end of one sit-and-reach trial), max_reach (time of the "
         "trial's maximum reach), hold (the held reach, duration only), quiet_window (standing: the longest "
         "still stretch, over which the standing metrics are medians)."),
        ("trial", "1", "Int64", "Trial number (0-based) for trial events; empty otherwise."),
        ("start_s", "s", "float64", "Start of an interval event (s from the start of the recording)."),
        ("end_s", "s", "float64", "End of an interval event (s)."),
        ("time_s", "s", "float64", "Time of an instant event (max_reach)."),
        ("duration_s", "s", "float64", "Length of the interval; for hold: the hold_s metric."),
        ("valid", "bool", "boolean", "Whether the trial was valid (quiet_window: always true)."),
        ("detail", "-", "string", "Why a trial is invalid, or a note."),
    ),
    "metrics": (
        ("recording_id", "-", "string", "As in the landmarks table."),
        ("protocol", "-", "string", "standing or sit-and-reach (empty for landmarks only)."),
        ("status", "-", "string", "How the analysis ended: ok, indeterminate, not_this_protocol, no_person, "
         "interrupted, unreadable."),
        ("scope", "-", "string", "recording: the value the summary reports (sit-and-reach: the best valid "
         "trial's); trial: one trial's value."),
        ("trial", "1", "Int64", "Trial number (0-based) for scope trial; empty otherwise."),
        ("best_trial", "bool", "bool", "True for the rows of the best valid trial."),
        ("metric", "-", "string", "Metric name, e.g. pelvic_tilt_deg, reach_cm (definitions in README and "
         "docs/export.md)."),
        ("value", "unit column", "float64", "The value; empty when the recording could not support a number "
         "(reason says why)."),
        ("unit", "-", "string", "deg, cm, s or px."),
        ("method", "-", "string", "How the value was obtained (landmarks, markers, window)."),
        ("ci95_low", "unit column", "float64", "Lower end of the 95% interval (from the "
         "tool's error model)."),
        ("ci95_high", "unit column", "float64", "Upper end of the 95% interval."),
        ("reason", "-", "string", "Why the value is missing, or a caveat."),
    ),
}  # fmt: skip

CONVENTIONS = {
    "image": "Origin at the top-left corner of the upright (rotation-corrected) full-resolution image; x to "
    "the right, y downwards; pixels.",
    "subject_frame": "Angles are measured in a subject frame: x = the subject's forward, y = up, so a "
    "subject facing left gives the same numbers as its mirror image facing right.",
    "roll": "Angles against the vertical or horizontal have the camera roll of the summary removed; joint "
    "angles (between two segments) do not depend on roll.",
    "missing": "NaN / empty cell: a landmark not detected, gated out (visibility < threshold) or in a gap "
    "longer than the gap limit; nothing is filled or dropped by the export.",
    "per_frame_angles": "Recomputed at export time from the saved filtered landmarks with the package's own "
    "kinematics functions (the analyses save only their summaries).",
}


def angle_dictionary() -> list[dict[str, Any]]:
    """Every exportable angle: definition, sign, function and protocols computing it."""
    return [
        {
            "name": d.name,
            "unit": "deg",
            "definition": d.definition,
            "sign": d.sign,
            "function": d.function,
            "roll_corrected": d.roll_corrected,
            "protocols": [p for p, names in PROTOCOL_ANGLES.items() if d.name in names],
        }
        for d in ANGLE_DEFINITIONS.values()
    ]


def data_dictionary() -> dict[str, Any]:
    """Return the whole dictionary as plain JSON data: tables, angles, conventions."""
    return {
        "tables": {
            table: [{"name": c, "unit": u, "dtype": t, "definition": d} for c, u, t, d in cols]
            for table, cols in COLUMNS.items()
        },
        "angles": angle_dictionary(),
        "conventions": dict(CONVENTIONS),
    }
