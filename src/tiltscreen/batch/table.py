"""The batch's results table (one row per video and trial) and its errors table.

Results: a standing recording gives one row (``trial`` empty); a sit-and-reach recording one
row per trial, with that trial's metrics, and ``best_trial`` true on the row of the trial the
summary reports (its row also carries any summary metric the trial lacks); a recording with no
analysis (unreadable, no trial) one row with no metric. For every metric ``M`` the columns are
``M__value``, ``M__unit``, ``M__method``, ``M__ci95_low``, ``M__ci95_high``, ``M__reason``;
columns of metrics a protocol does not report are empty. ``reasons`` joins the summary's
sentences with a space (each ends with a full stop).

Errors: one row per video that gave no analysis (``unreadable``, ``error``): its status, the
exception's class, the sentence, the exit code ``tiltscreen analyze`` would have given, and
for unexpected failures the traceback.

Summaries are read through :func:`tiltscreen.export.results.read_summary` (the one adapter of
``summary.json``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tiltscreen.batch.store import Record
from tiltscreen.errors import InputError
from tiltscreen.export.results import MetricValue, ResultSummary, Trial, read_summary
from tiltscreen.outputs.files import write_file_atomic

#: columns every results row has, in order (metric columns follow, sorted by metric name)
ID_COLUMNS = (
    "recording_id", "subject", "session", "input", "content_sha256", "protocol_requested", "protocol",
    "status", "reasons", "side", "trial", "best_trial", "trial_valid", "trial_invalid_reasons",
    "trial_start_s", "trial_max_reach_s", "trial_end_s", "flags", "auto_rule", "folder", "key",
    "tiltscreen_version", "pose_model_sha256",
)  # fmt: skip
METRIC_FIELDS = ("value", "unit", "method", "ci95_low", "ci95_high", "reason")
ERROR_COLUMNS = (
    "recording_id", "subject", "session", "input", "status", "error_type", "message", "exit_code",
    "has_summary", "folder", "traceback",
)  # fmt: skip
#: fields that are numbers (float64 in Parquet; everything else is text, or bool/int as named here)
FLOAT_COLUMNS = ("trial_start_s", "trial_max_reach_s", "trial_end_s")
INT_COLUMNS = ("trial", "exit_code")
BOOL_COLUMNS = ("best_trial", "trial_valid", "has_summary")
NO_ANALYSIS = ("unreadable", "error")


def _metric_cells(metrics: Sequence[MetricValue]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in metrics:
        for f in METRIC_FIELDS:
            out[f"{m.name}__{f}"] = getattr(m, f)
    return out


def _base(record: Record, folder: Path, summary: ResultSummary | None) -> dict[str, Any]:
    choice = record.protocol_choice or {}
    flags = [f.get("code", "") for f in (summary.raw.get("flags") or [])] if summary else []
    reasons = summary.reasons if summary else ((record.message,) if record.message else ())
    return {
        "recording_id": record.recording_id,
        "subject": record.subject,
        "session": record.session,
        "input": record.input,
        "content_sha256": record.content_sha256,
        "protocol_requested": record.protocol_requested,
        "protocol": (summary.protocol if summary else None) or record.protocol,
        "status": summary.status if summary else record.status,
        "reasons": " ".join(reasons),
        "side": summary.side if summary else None,
        "flags": " ".join(c for c in flags if c),
        "auto_rule": choice.get("rule"),
        "folder": str(folder),
        "key": record.key,
        "tiltscreen_version": record.versions.get("tiltscreen"),
        "pose_model_sha256": record.versions.get("pose_model_sha256"),
    }


def _trial_cells(trial: Trial, best: int | None) -> dict[str, Any]:
    return {
        "trial": trial.index,
        "best_trial": best is not None and trial.index == best,
        "trial_valid": trial.valid,
        "trial_invalid_reasons": " ".join(trial.invalid_reasons),
        "trial_start_s": trial.start_s,
        "trial_max_reach_s": trial.max_reach_s,
        "trial_end_s": trial.end_s,
    }


def result_rows(record: Record, folder: Path, summary: ResultSummary | None) -> list[dict[str, Any]]:
    """Rows of one video (module notes); ``summary`` None when the video gave no ``summary.json``."""
    base = _base(record, folder, summary)
    if summary is None or not summary.trials:
        return [{**base, **_metric_cells(summary.metrics if summary else ())}]
    rows = []
    for trial in summary.trials:
        cells = _metric_cells(trial.metrics)
        if summary.best_trial is not None and trial.index == summary.best_trial:
            cells = {**_metric_cells(summary.metrics), **cells}
        rows.append({**base, **_trial_cells(trial, summary.best_trial), **cells})
    return rows


def error_row(record: Record, folder: Path) -> dict[str, Any]:
    """Return the errors-table row of a video that gave no analysis."""
    return {
        "recording_id": record.recording_id,
        "subject": record.subject,
        "session": record.session,
        "input": record.input,
        "status": record.status,
        "error_type": record.error_type,
        "message": record.message,
        "exit_code": record.exit_code,
        "has_summary": record.has_summary,
        "folder": str(folder),
        "traceback": record.traceback,
    }


def collect(records: Sequence[tuple[Record, Path]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the result rows and error rows of finished videos, in the order given."""
    results, errors = [], []
    for record, folder in records:
        summary = None
        if record.has_summary:
            try:
                summary = read_summary(folder)
            except InputError:  # a summary damaged after the run: the row keeps the record's status
                summary = None
        results.extend(result_rows(record, folder, summary))
        if record.status in NO_ANALYSIS:
            errors.append(error_row(record, folder))
    return results, errors


def columns_of(rows: Sequence[dict[str, Any]], first: Sequence[str]) -> list[str]:
    """``first``, then every other key of the rows, sorted."""
    extra = sorted({k for r in rows for k in r} - set(first))
    return [*first, *extra]


def _arrow_type(name: str):
    import pyarrow as pa

    if name in INT_COLUMNS:
        return pa.int64()
    if name in BOOL_COLUMNS:
        return pa.bool_()
    if name in FLOAT_COLUMNS or name.endswith(("__value", "__ci95_low", "__ci95_high")):
        return pa.float64()
    return pa.string()


def to_arrow(rows: Sequence[dict[str, Any]], columns: Sequence[str]):
    """Return a :class:`pyarrow.Table` with typed columns (missing cells are null)."""
    import pyarrow as pa

    arrays = {c: pa.array([r.get(c) for r in rows], type=_arrow_type(c)) for c in columns}
    return pa.table(arrays)


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return v


def write_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], stem: Path) -> list[Path]:
    """Write ``stem.csv`` and ``stem.parquet`` atomically (a header-only table when there is no row)."""
    import pyarrow.parquet as pq

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(r.get(c)) for c in columns] for r in rows)
    csv_path = write_file_atomic(stem.with_suffix(".csv"), text.getvalue().encode("utf-8"))
    sink = io.BytesIO()
    pq.write_table(to_arrow(rows, columns), sink)
    pq_path = write_file_atomic(stem.with_suffix(".parquet"), sink.getvalue())
    return [csv_path, pq_path]


def write_tables(records: Sequence[tuple[Record, Path]], out: Path) -> dict[str, list[Path]]:
    """Write ``results`` and ``errors`` (CSV and Parquet) into ``out``; return the files."""
    results, errors = collect(records)
    return {
        "results": write_table(results, columns_of(results, ID_COLUMNS), out / "results"),
        "errors": write_table(errors, list(ERROR_COLUMNS), out / "errors"),
    }
