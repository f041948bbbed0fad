"""Save and load :class:`~tiltscreen.landmarks.Landmarks` as tidy per-frame tables, without loss.

The columns, their order and units are defined in :mod:`tiltscreen.outputs.table_schema`
(``frame, frame_index, time_s, detected``, then per landmark ``x_px, y_px, x_norm, y_norm,
z_norm, visibility, presence, world_x_m, world_y_m, world_z_m``).

Files written by :func:`save_landmarks` (each one atomically; in
:mod:`tiltscreen.outputs.tables_write`):

``stem.csv``
    plain CSV, ``,`` separator, ``.`` decimal, header of bare names, floats in the shortest
    form that parses back to the same float64 (as Python's ``repr``), an empty cell for
    NaN, ``true``/``false`` for ``detected``.
``stem.parquet``
    the same columns as int64 / float64 / bool (NaN kept as NaN), zstd-compressed; each
    field carries its ``unit`` and ``description``, and the schema metadata key
    ``tiltscreen`` holds the sidecar JSON.
``stem.json``
    the sidecar: format and tiltscreen version, :meth:`Landmarks.metadata` (source, fps,
    image size, rotation, model SHA-256, provenance) and a data dictionary (every column's
    unit, dtype and description, the coordinate conventions and the landmark list).

The pixel columns and ``frame``/``detected`` are derived; :func:`load_landmarks`
(:mod:`tiltscreen.outputs.tables_read`) rebuilds the container from the normalised, world,
visibility and presence columns and checks that the derived ones agree, so a hand-edited
table is refused instead of silently used.
"""

from __future__ import annotations

from tiltscreen.outputs.table_schema import (
    FORMAT_NAME,
    FORMAT_VERSION,
    column_names,
    data_dictionary,
    sidecar,
    to_frame_table,
)
from tiltscreen.outputs.tables_read import load_landmarks
from tiltscreen.outputs.tables_write import FORMATS, save_landmarks

__all__ = [
    "FORMATS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "column_names",
    "data_dictionary",
    "load_landmarks",
    "save_landmarks",
    "sidecar",
    "to_frame_table",
]
