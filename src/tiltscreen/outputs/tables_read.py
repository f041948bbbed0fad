"""Load landmark tables written by :func:`tiltscreen.outputs.tables_write.save_landmarks`.

A ``.csv`` needs its ``.json`` sidecar beside it; a ``.parquet`` carries the sidecar in
its schema metadata (else the ``.json`` beside it is read). The container is rebuilt
from the normalised, world, visibility and presence columns, and the derived columns
(``frame``, ``detected``, pixels) must agree with it, so a hand-edited table is refused
instead of silently used. :mod:`tiltscreen.outputs.tables` re-exports
:func:`load_landmarks`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from tiltscreen.errors import InputError, InputNotFoundError, ValidationError
from tiltscreen.landmarks import Landmarks, Step
from tiltscreen.outputs.table_schema import (
    FORMAT_NAME,
    FORMAT_VERSION,
    column_names,
    landmark_arrays,
    to_frame_table,
)
from tiltscreen.outputs.tables_write import SIDECAR_META_KEY
from tiltscreen.skeleton import BLAZEPOSE, Skeleton

__all__ = ["load_landmarks"]


def load_landmarks(path: str | os.PathLike[str]) -> Landmarks:
    """Load landmarks saved by :func:`~tiltscreen.outputs.tables_write.save_landmarks`.

    Parameters
    ----------
    path : path-like
        A ``.csv`` (its ``.json`` sidecar must sit beside it) or a ``.parquet`` file (sidecar
        from its schema metadata, else the ``.json`` beside it).

    Returns
    -------
    Landmarks
        Equal to the saved object (arrays bit-identical, NaN where they were NaN, metadata
        and provenance as stored), with a final provenance step ``load_landmarks`` recording
        the absolute path and format.

    Raises
    ------
    InputNotFoundError
        The file or the sidecar it needs does not exist.
    InputError
        Unknown suffix, unreadable or truncated file, wrong columns, a sidecar that does not
        describe this table, or derived columns that disagree with the data.

    """
    p = Path(path)
    if not p.is_file():
        raise InputNotFoundError(f"Landmark table not found: {p}.")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        meta = _read_sidecar_file(p)
        columns = _read_csv(p, column_names(_skeleton(meta, p)))
    elif suffix == ".parquet":
        columns, meta = _read_parquet(p)
    else:
        raise InputError(f"Cannot load landmarks from {p}: expected a .csv or .parquet file.")
    lm = _rebuild(columns, meta, p)
    return lm.with_step("load_landmarks", {"path": str(p.resolve()), "format": suffix[1:]})


def _read_sidecar_file(table_path: Path) -> dict[str, Any]:
    """Read and check the ``.json`` sidecar beside ``table_path``."""
    side = table_path.with_suffix(".json")
    if not side.is_file():
        raise InputNotFoundError(
            f"The sidecar {side.name} (metadata and data dictionary) is missing beside {table_path}; "
            "a landmark table cannot be loaded without it."
        )
    return _parse_sidecar(side.read_text(encoding="utf-8"), side)


def _parse_sidecar(text: str, where: Path) -> dict[str, Any]:
    """Parse sidecar JSON and check that it is one this version can read."""
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"The sidecar of {where} is not valid JSON: {err}.") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise InputError(f"{where} is not a tiltscreen landmarks sidecar (no format {FORMAT_NAME!r}).")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InputError(
            f"{where} has table format version {version!r}; this tiltscreen reads up to {FORMAT_VERSION}."
        )
    md = meta.get("metadata")
    needed = ("n_frames", "image_size", "fps", "rotation_deg", "source", "model_sha256", "landmarks")
    needed += ("provenance",)
    missing = [k for k in needed if not isinstance(md, dict) or k not in md]
    if missing:
        raise InputError(f"The sidecar of {where} lacks metadata fields: {', '.join(missing)}.")
    return meta


def _skeleton(meta: dict[str, Any], where: Path) -> Skeleton:
    """Landmark schema recorded in the sidecar (the shared BLAZEPOSE object when it matches)."""
    try:
        names = tuple(meta["metadata"]["landmarks"])
        edges = tuple((str(a), str(b)) for a, b in meta.get("skeleton_edges", BLAZEPOSE.edges))
        skeleton = Skeleton(names=names, edges=edges)
    except (TypeError, ValueError) as err:
        raise InputError(f"The sidecar of {where} has an invalid landmark list: {err}") from None
    return BLAZEPOSE if skeleton == BLAZEPOSE else skeleton


def _few(cols: list[str]) -> str:
    """Name up to five columns, then count the rest."""
    return ", ".join(cols[:5]) + (f" and {len(cols) - 5} more" if len(cols) > 5 else "")


def _check_header(found: Sequence[str], expected: Sequence[str], where: Path) -> None:
    """Raise ``InputError`` naming missing, unexpected, repeated or reordered columns."""
    if list(found) == list(expected):
        return
    found_set, expected_set = set(found), set(expected)
    problems = []
    if missing := [c for c in expected if c not in found_set]:
        problems.append(f"missing {_few(missing)}")
    if extra := [c for c in found if c not in expected_set]:
        problems.append(f"unexpected {_few(extra)}")
    if repeated := sorted(c for c, times in Counter(found).items() if times > 1):
        problems.append(f"repeated {_few(repeated)}")
    detail = "; ".join(problems) or "the columns are in a different order"
    raise InputError(f"{where} does not have the landmark table's columns: {detail}.")


def _read_csv(path: Path, expected: list[str]) -> dict[str, np.ndarray]:
    """Read the CSV with the expected column types; header checked first for a clear message."""
    with open(path, encoding="utf-8", newline="") as fh:
        header = fh.readline().rstrip("\r\n")
    if not header:
        raise InputError(f"{path} is empty.")
    _check_header(header.split(","), expected, path)
    types = {c: pa.float64() for c in expected}
    types.update(frame=pa.int64(), frame_index=pa.int64(), detected=pa.bool_())
    try:
        table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types=types))
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"{path} cannot be read as a landmark table (truncated or edited?): {err}") from None
    return _columns(table, expected, path)


def _read_parquet(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a Parquet table and its sidecar (schema metadata first, else the file beside it)."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"{path} cannot be read as a Parquet file (truncated?): {err}") from None
    stored = (table.schema.metadata or {}).get(SIDECAR_META_KEY)
    if stored is not None:
        meta = _parse_sidecar(stored.decode("utf-8"), path)
    else:
        meta = _read_sidecar_file(path)
    expected = column_names(_skeleton(meta, path))
    _check_header(table.column_names, expected, path)
    return _columns(table, expected, path), meta


def _columns(table: pa.Table, expected: list[str], where: Path) -> dict[str, np.ndarray]:
    """Arrow columns as numpy arrays of the table's dtypes (nulls become NaN in float columns)."""
    out: dict[str, np.ndarray] = {}
    dtypes = {"frame": np.int64, "frame_index": np.int64, "detected": np.bool_}
    for name in expected:
        col = table.column(name)
        dtype = dtypes.get(name, np.float64)
        if dtype is not np.float64 and col.null_count:
            raise InputError(f"{where}: column {name!r} has empty cells.")
        try:
            out[name] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=dtype)
        except (TypeError, ValueError, pa.ArrowException) as err:
            raise InputError(f"{where}: column {name!r} is not {np.dtype(dtype).name}: {err}") from None
    return out


def _rebuild(columns: dict[str, np.ndarray], meta: dict[str, Any], where: Path) -> Landmarks:
    """Build the Landmarks from the source columns and check the derived ones against it."""
    md = meta["metadata"]
    skeleton = _skeleton(meta, where)
    n = len(columns["frame"])
    if n != md["n_frames"]:
        raise InputError(
            f"{where} has {n} rows but its sidecar records {md['n_frames']} frames "
            "(truncated, or the sidecar of another recording?)."
        )
    arrays = landmark_arrays(columns, skeleton)
    try:
        lm = Landmarks(
            **arrays,
            timestamps_s=columns["time_s"],
            frame_index=columns["frame_index"],
            image_size=tuple(md["image_size"]),
            fps=md["fps"],
            rotation_deg=md["rotation_deg"],
            source=md["source"],
            model_sha256=md["model_sha256"],
            provenance=tuple(Step(name=s["step"], params=s["params"]) for s in md["provenance"]),
            skeleton=skeleton,
        )
    except (ValidationError, KeyError, TypeError) as err:
        raise InputError(f"{where} does not hold valid landmarks: {err}") from None
    _check_derived(lm, columns, where)
    return lm


def _check_derived(lm: Landmarks, columns: dict[str, np.ndarray], where: Path) -> None:
    """Refuse a table whose derived columns (frame, detected, pixels) disagree with its data."""
    bad = [
        name
        for name, values in to_frame_table(lm).items()
        if not np.array_equal(values, columns[name], equal_nan=values.dtype.kind == "f")
    ]
    if bad:
        raise InputError(
            f"{where}: columns {_few(bad)} disagree with the values they are derived from "
            "(x_norm, y_norm, image size); was the table edited?"
        )
