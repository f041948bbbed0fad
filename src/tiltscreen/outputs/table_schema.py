"""What a landmark table holds: its columns, their units, the data dictionary and the sidecar.

One row per processed frame. Column order (fixed, see :func:`column_names`):

1. ``frame`` (row number, 0-based), ``frame_index`` (decode order in the source),
   ``time_s``, ``detected``;
2. then, for every landmark in skeleton order (``nose``, ``left_eye_inner``, ...), the ten
   columns ``{name}_x_px``, ``{name}_y_px``, ``{name}_x_norm``, ``{name}_y_norm``,
   ``{name}_z_norm``, ``{name}_visibility``, ``{name}_presence``, ``{name}_world_x_m``,
   ``{name}_world_y_m``, ``{name}_world_z_m``.

For the 33 BlazePose landmarks that is 4 + 33 * 10 = 334 columns. The pixel columns and
``frame``/``detected`` are derived from the others; :func:`landmark_arrays` inverts
:func:`to_frame_table` from the source columns alone.

Examples
--------
>>> names = column_names()
>>> len(names), names[:5]
(334, ['frame', 'frame_index', 'time_s', 'detected', 'nose_x_px'])
>>> names[-1]
'right_foot_index_world_z_m'

"""

from __future__ import annotations

from typing import Any

import numpy as np

import tiltscreen
from tiltscreen.landmarks import Landmarks
from tiltscreen.skeleton import BLAZEPOSE, Skeleton

#: value of the sidecar's ``format`` key
FORMAT_NAME = "tiltscreen-landmarks"
#: version of the table layout; bumped on any incompatible change
FORMAT_VERSION = 1

_FRAME_COLUMNS = (
    ("frame", "1 (row number)", "int64", "Row number in this table, 0-based."),
    ("frame_index", "1 (frame number)", "int64", "Index of the frame in the source's decode order, 0-based."),
    ("time_s", "s", "float64", "Time of the frame from the start of the source (variable frame rate kept)."),
    ("detected", "bool", "bool", "True if the subject was found in the frame (any finite landmark)."),
)

# suffix, unit, description template, (array, component) it is read from; None = derived (pixels)
_LANDMARK_COLUMNS: tuple[tuple[str, str, str, tuple[str, int | None] | None], ...] = (
    ("x_px", "px", "x of {n} in pixels of the upright full-resolution image, from the left edge "
     "(derived: x_norm * width).", None),
    ("y_px", "px", "y of {n} in pixels of the upright full-resolution image, from the top edge, "
     "growing downwards (derived: y_norm * height).", None),
    ("x_norm", "fraction of image width", "x of {n} normalised by the image width "
     "(0 = left edge, 1 = right edge).", ("xyz", 0)),
    ("y_norm", "fraction of image height", "y of {n} normalised by the image height "
     "(0 = top edge, 1 = bottom edge).", ("xyz", 1)),
    ("z_norm", "relative depth (x_norm scale)", "MediaPipe relative depth of {n}: same scale as "
     "x_norm, smaller = nearer the camera, origin at the hips.", ("xyz", 2)),
    ("visibility", "probability 0-1", "MediaPipe probability that {n} is visible (not occluded).",
     ("visibility", None)),
    ("presence", "probability 0-1", "MediaPipe probability that {n} is inside the image.",
     ("presence", None)),
    ("world_x_m", "m", "MediaPipe world x of {n} in metres, origin between the hips.", ("world", 0)),
    ("world_y_m", "m", "MediaPipe world y of {n} in metres, origin between the hips (y down).",
     ("world", 1)),
    ("world_z_m", "m", "MediaPipe world z of {n} in metres, origin between the hips "
     "(smaller = nearer the camera).", ("world", 2)),
)  # fmt: skip

_CONVENTIONS = {
    "image_origin": "top-left corner of the upright (rotation-corrected) full-resolution image",
    "image_axes": "x grows to the right, y grows downwards",
    "normalised": "x_norm = x_px / image width, y_norm = y_px / image height",
    "z_norm": "MediaPipe relative depth, same scale as x_norm, smaller = nearer the camera",
    "world_origin": "between the hips (MediaPipe world landmarks), metres",
    "missing": "NaN (empty cell in CSV); a frame with no subject is NaN everywhere, detected = false",
    "column_order": "frame, frame_index, time_s, detected, then per landmark in skeleton order: "
    + ", ".join(s for s, *_ in _LANDMARK_COLUMNS),
}


def column_names(skeleton: Skeleton = BLAZEPOSE) -> list[str]:
    """Return the table's column names in order (see the module notes)."""
    return [c for c, *_ in _FRAME_COLUMNS] + [
        f"{name}_{suffix}" for name in skeleton.names for suffix, *_ in _LANDMARK_COLUMNS
    ]


def data_dictionary(skeleton: Skeleton = BLAZEPOSE) -> dict[str, Any]:
    """Describe every column (unit, dtype, description), the conventions and the landmarks.

    Returns
    -------
    dict
        ``columns`` (list of ``{name, unit, dtype, description}`` in table order),
        ``conventions`` and ``landmarks`` (list of ``{index, name}``); plain JSON data.

    """
    columns = [{"name": c, "unit": u, "dtype": d, "description": t} for c, u, d, t in _FRAME_COLUMNS]
    for name in skeleton.names:
        for suffix, unit, template, _ in _LANDMARK_COLUMNS:
            columns.append(
                {
                    "name": f"{name}_{suffix}",
                    "unit": unit,
                    "dtype": "float64",
                    "description": template.format(n=name),
                }
            )
    return {
        "columns": columns,
        "conventions": dict(_CONVENTIONS),
        "landmarks": [{"index": i, "name": n} for i, n in enumerate(skeleton.names)],
    }


def to_frame_table(lm: Landmarks, *, first_row: int = 0) -> dict[str, np.ndarray]:
    """Flatten landmarks into a tidy per-frame table (``first_row`` numbers the rows of a batch).

    Parameters
    ----------
    lm : Landmarks
        The recording.
    first_row : int, default 0
        Number of the first row (``frame`` starts here); numbers the rows of a batch.

    Returns
    -------
    dict of str to ndarray
        Column name to 1-D array of length ``lm.n_frames``, in :func:`column_names` order:
        int64 ``frame``/``frame_index``, bool ``detected``, float64 everything else.

    Notes
    -----
    Units are in the column names (``_px``, ``_norm``, ``_m``, ``_s``). Missing values stay
    NaN; nothing is filled or dropped.

    """
    arrays = {"xyz": lm.xyz, "visibility": lm.visibility, "presence": lm.presence, "world": lm.world}
    xy_px = lm.xy_px
    table: dict[str, np.ndarray] = {
        "frame": np.arange(first_row, first_row + lm.n_frames, dtype=np.int64),
        "frame_index": lm.frame_index.copy(),
        "time_s": lm.timestamps_s.copy(),
        "detected": lm.detected,
    }
    for k, name in enumerate(lm.skeleton.names):
        for suffix, _, _, origin in _LANDMARK_COLUMNS:
            if origin is None:
                col = xy_px[:, k, 0 if suffix == "x_px" else 1]
            else:
                arr, comp = arrays[origin[0]], origin[1]
                col = arr[:, k] if comp is None else arr[:, k, comp]
            table[f"{name}_{suffix}"] = np.ascontiguousarray(col)
    return table


def landmark_arrays(columns: dict[str, np.ndarray], skeleton: Skeleton = BLAZEPOSE) -> dict[str, np.ndarray]:
    """Invert :func:`to_frame_table` for the source arrays.

    Parameters
    ----------
    columns : dict of str to ndarray
        Table columns; only the ``_norm``, ``_visibility``, ``_presence`` and ``world_*_m``
        ones are read.
    skeleton : Skeleton, optional
        Landmark schema giving the names and their order.

    Returns
    -------
    dict of str to ndarray
        ``xyz`` and ``world`` ``(frame, landmark, 3)``, ``visibility`` and ``presence``
        ``(frame, landmark)``, float64, ready for :class:`~tiltscreen.landmarks.Landmarks`.

    """
    n, k = len(columns["frame"]), len(skeleton.names)
    arrays = {
        "xyz": np.empty((n, k, 3)),
        "world": np.empty((n, k, 3)),
        "visibility": np.empty((n, k)),
        "presence": np.empty((n, k)),
    }
    for j, name in enumerate(skeleton.names):
        for suffix, _, _, origin in _LANDMARK_COLUMNS:
            if origin is None:
                continue
            target, comp = arrays[origin[0]], origin[1]
            if comp is None:
                target[:, j] = columns[f"{name}_{suffix}"]
            else:
                target[:, j, comp] = columns[f"{name}_{suffix}"]
    return arrays


def sidecar(lm: Landmarks) -> dict[str, Any]:
    """Return the JSON sidecar of ``lm`` (versions, metadata, data dictionary) as plain data."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "tiltscreen_version": tiltscreen.__version__,
        "metadata": lm.metadata(),
        "skeleton_edges": [list(e) for e in lm.skeleton.edges],
        "data_dictionary": data_dictionary(lm.skeleton),
    }
