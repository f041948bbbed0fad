"""Write :class:`~tiltscreen.landmarks.Landmarks` as CSV / Parquet tables plus a JSON sidecar.

The file layout is described in :mod:`tiltscreen.outputs.tables`, which re-exports
:func:`save_landmarks`; :mod:`tiltscreen.outputs.tables_read` loads the files back.
Every file is written to a hidden temp file beside its target and moved into place
only once all of them are complete, so a crash never leaves a half-written output.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from tiltscreen.errors import ValidationError
from tiltscreen.landmarks import Landmarks
from tiltscreen.outputs.table_schema import column_names, data_dictionary, sidecar, to_frame_table

__all__ = ["FORMATS", "SIDECAR_META_KEY", "save_landmarks"]

#: table formats :func:`save_landmarks` can write
FORMATS = ("csv", "parquet")
#: Parquet schema-metadata key holding the sidecar JSON
SIDECAR_META_KEY = b"tiltscreen"


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
            table = table.replace_schema_metadata({SIDECAR_META_KEY: sidecar_text.encode("utf-8")})
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


# --- loading ---------------------------------------------------------------------------------------
