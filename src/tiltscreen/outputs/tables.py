"""Save and load :class:`~tiltscreen.landmarks.Landmarks` as tidy per-frame tables, without loss.

The columns, their order and units are defined in :mod:`tiltscreen.outputs.table_schema`
(``frame, frame_index, time_s, detected``, then per landmark ``x_px, y_px, x_norm, y_norm,
z_norm, visibility, presence, world_x_m, world_y_m, world_z_m``).

Files written by :func:`save_landmarks` (each one atomically):

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

The pixel columns and ``frame``/``detected`` are derived; :func:`load_landmarks` rebuilds
the container from the normalised, world, visibility and presence columns and checks that
the derived ones agree, so a hand-edited table is refused instead of silently used.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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
    data_dictionary,
    landmark_arrays,
    sidecar,
    to_frame_table,
)
from tiltscreen.skeleton import BLAZEPOSE, Skeleton

__all__ = [
    "FORMATS",
    "column_names",
    "data_dictionary",
    "load_landmarks",
    "save_landmarks",
    "sidecar",
    "to_frame_table",
]

#: table formats :func:`save_landmarks` can write
FORMATS = ("csv", "parquet")
_META_KEY = b"tiltscreen"


def _json_default(obj: Any) -> Any:
    """Turn numpy values and paths into JSON data; refuse anything else."""
    if isinstance(obj, np.generic | np.ndarray):
        return obj.tolist()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise ValidationError(
        f"Cannot store a {type(obj).__name__!r} value in the JSON sidecar; "
        "provenance params and source must be plain JSON data."
    )


@contextmanager
def _atomic_batch() -> Iterator[Callable[[Path], Path]]:
    """Yield ``reserve(final) -> temp``; on success move every temp onto its final path.

    Temp files sit beside their targets (same file system, so ``os.replace`` is atomic) and
    are removed if anything fails, so a crash never leaves a half-written output.
    """
    pending: list[tuple[Path, Path]] = []

    def reserve(final: Path) -> Path:
        tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}.tmp")
        pending.append((tmp, final))
        return tmp

    try:
        yield reserve
        for tmp, _ in pending:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        for tmp, final in pending:
            os.replace(tmp, final)
    finally:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)


def _arrow_table(lm: Landmarks, *, nan_as_null: bool, with_units: bool, first_row: int = 0) -> pa.Table:
    """Build the Arrow table; ``nan_as_null`` for CSV (empty cells), field units for Parquet."""
    columns = to_frame_table(lm, first_row=first_row)
    described = {c["name"]: c for c in data_dictionary(lm.skeleton)["columns"]}
    fields, arrays = [], []
    for name, values in columns.items():
        arr = pa.array(values, from_pandas=nan_as_null)
        meta = None
        if with_units:
            meta = {"unit": described[name]["unit"], "description": described[name]["description"]}
        fields.append(pa.field(name, arr.type, metadata=meta))
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def save_landmarks(
    lm: Landmarks,
    out_dir: str | os.PathLike[str],
    *,
    stem: str = "landmarks",
    formats: Sequence[str] = FORMATS,
) -> dict[str, Path]:
    """Write ``lm`` as tables plus a JSON sidecar, each file atomically.

    Parameters
    ----------
    lm : Landmarks
        The recording to save.
    out_dir : path-like
        Folder to write into; created if missing.
    stem : str, optional
        File name without suffix.
    formats : sequence of {"csv", "parquet"}, optional
        Table formats to write; the ``.json`` sidecar is always written.

    Returns
    -------
    dict of str to Path
        ``{"csv": ..., "parquet": ..., "json": ...}`` for the files written.

    Raises
    ------
    ValidationError
        Unknown format, bad stem, or metadata that is not plain JSON data.

    Notes
    -----
    Every file is first written to a hidden temp file in ``out_dir`` and moved into place
    with :func:`os.replace` only once all of them are complete; existing files of the same
    name are replaced.

    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValidationError(f"formats must be a non-empty subset of {FORMATS}, got {tuple(formats)!r}.")
    if not stem or Path(stem).name != stem or stem.startswith("."):
        raise ValidationError(f"stem must be a plain file name without folders, got {stem!r}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(sidecar(lm), default=_json_default, indent=1, ensure_ascii=False)
    paths = {fmt: out / f"{stem}.{fmt}" for fmt in dict.fromkeys(formats)}
    paths["json"] = out / f"{stem}.json"
    with _atomic_batch() as reserve:
        if "csv" in paths:
            _write_csv(lm, reserve(paths["csv"]))
        if "parquet" in paths:
            _write_parquet(lm, reserve(paths["parquet"]), text)
        reserve(paths["json"]).write_text(text + "\n", encoding="utf-8")
    return paths


#: rows converted to a table at a time, so writing a long recording needs little extra memory
_BATCH_ROWS = 2048


def _batches(lm: Landmarks):
    """Yield the recording in row batches ``(first_row, part)`` (at least one, possibly empty)."""
    if lm.n_frames <= _BATCH_ROWS:
        yield 0, lm
        return
    for start in range(0, lm.n_frames, _BATCH_ROWS):
        yield start, lm.select(slice(start, start + _BATCH_ROWS))


def _write_csv(lm: Landmarks, path: Path) -> None:
    """Write the plain CSV: bare header, shortest round-trip floats, empty cells for NaN (in row batches)."""
    with open(path, "xb") as fh:
        fh.write((",".join(column_names(lm.skeleton)) + "\n").encode("ascii"))
        for first, part in _batches(lm):
            table = _arrow_table(part, nan_as_null=True, with_units=False, first_row=first)
            pcsv.write_csv(table, fh, pcsv.WriteOptions(include_header=False, quoting_style="needed"))


def _write_parquet(lm: Landmarks, path: Path, sidecar_text: str) -> None:
    """Write the Parquet file in row groups of :data:`_BATCH_ROWS`, the sidecar in the schema metadata."""
    writer = None
    try:
        for first, part in _batches(lm):
            table = _arrow_table(part, nan_as_null=False, with_units=True, first_row=first)
            table = table.replace_schema_metadata({_META_KEY: sidecar_text.encode("utf-8")})
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


# --- loading ---------------------------------------------------------------------------------------


def load_landmarks(path: str | os.PathLike[str]) -> Landmarks:
    """Load landmarks saved by :func:`save_landmarks`.

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
    stored = (table.schema.metadata or {}).get(_META_KEY)
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
