"""``--format csv``: the tidy tables as CSV and Parquet, with a JSON sidecar (provenance, dictionary).

Files written into the output folder (each atomically):

``landmarks``, ``angles``, ``events``, ``metrics`` (``.csv`` and ``.parquet``)
    the tables of :mod:`tiltscreen.export.tidy`, all recordings one after the other;
``export.json``
    format and version, the data dictionary, and per recording its provenance
    (:func:`tiltscreen.export.provenance.provenance`) and its whole ``summary.json``.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import tiltscreen
from tiltscreen.errors import ValidationError
from tiltscreen.export.dictionary import data_dictionary
from tiltscreen.export.provenance import provenance, video_facts
from tiltscreen.export.results import RecordingResult
from tiltscreen.export.tidy import build_tables
from tiltscreen.outputs.files import write_file_atomic

#: value of the sidecar's ``format`` key
FORMAT_NAME = "tiltscreen-export"
FORMAT_VERSION = 1
TABLE_FORMATS = ("csv", "parquet")


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with a bare header, ``.`` decimals, shortest round-trip floats, empty cells for missing values."""
    buf = io.StringIO()
    df.to_csv(buf, index=False, na_rep="", lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def parquet_bytes(df: pd.DataFrame, units: Mapping[str, str]) -> bytes:
    """Parquet (zstd) with each column's unit in its field metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = [f.with_metadata({"unit": units.get(f.name, "")}) for f in table.schema]
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def sidecar(
    recs: Sequence[RecordingResult], *, video_dir: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """Return the export sidecar: versions, data dictionary, each recording's provenance and summary."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "tiltscreen_version": tiltscreen.__version__,
        "data_dictionary": data_dictionary(),
        "recordings": [
            {"provenance": provenance(r, video_facts(r, video_dir)), "summary": dict(r.summary.raw)}
            for r in recs
        ],
    }


def export_tables(
    recs: Sequence[RecordingResult],
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = TABLE_FORMATS,
    video_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Path]:
    """Write the tidy tables of ``recs`` and ``export.json`` into ``out_dir``.

    Parameters
    ----------
    recs : sequence of RecordingResult
        Loaded results folders (:func:`tiltscreen.export.results.load_all`); at least one.
    out_dir : path-like
        Folder to write into (created if missing); files of the same names are replaced.
    formats : sequence of {"csv", "parquet"}
        Table formats.
    video_dir : path-like, optional
        Where to look for the input videos by name (for their SHA-256) if not at their recorded path.

    Returns
    -------
    dict of str to Path
        ``{"landmarks.csv": path, ..., "export.json": path}``.

    Raises
    ------
    ValidationError
        No recording, or an unknown format.

    """
    if not recs:
        raise ValidationError("Nothing to export: no recording was loaded.")
    if not formats or any(f not in TABLE_FORMATS for f in formats):
        raise ValidationError(
            f"formats must be a non-empty subset of {TABLE_FORMATS}, got {tuple(formats)!r}."
        )
    out = Path(out_dir)
    tables = build_tables(recs)
    meta = sidecar(recs, video_dir=video_dir)
    units = {t: {c["name"]: c["unit"] for c in cols} for t, cols in meta["data_dictionary"]["tables"].items()}
    written: dict[str, Path] = {}
    for stem, df in tables.items():
        if "csv" in formats:
            written[f"{stem}.csv"] = write_file_atomic(out / f"{stem}.csv", csv_bytes(df))
        if "parquet" in formats:
            data = parquet_bytes(df, units[stem])
            written[f"{stem}.parquet"] = write_file_atomic(out / f"{stem}.parquet", data)
    meta["tables"] = {stem: {"rows": len(df), "columns": list(df.columns)} for stem, df in tables.items()}
    text = json.dumps(meta, indent=1, ensure_ascii=False, allow_nan=False, default=str)
    written["export.json"] = write_file_atomic(out / "export.json", (text + "\n").encode("utf-8"))
    return written
