"""An agreement study: tiltscreen's metrics against a clinic's reference values, matched and checked.

The reference CSV (UTF-8, comma-separated, one header row) has one row per recording, metric and
reference measurement:

``recording_id`` (required)
    the results folder's name, or the input video's file name (with or without its extension);
``metric`` (required)
    a metric key of the summaries, e.g. ``pelvic_tilt_deg``, ``reach_cm``, ``hip_flexion_deg``;
``reference_value`` (required)
    the reference reading in the metric's unit (empty = not measured);
``rater``, ``method``, ``session``, ``unit``, ``notes`` (optional)
    who measured, with what (palpation meter, inclinometer, box...), when; ``unit`` is checked
    against the tool's.

Each (metric, method, rater) is one comparison. Every reference row ends in exactly one
:class:`Pair` status, and every problem is an :class:`Issue`: nothing is dropped silently.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from tiltscreen.errors import InputError, InputNotFoundError
from tiltscreen.export.results import ResultSummary, default_ids, find_result_folders, read_summary

REQUIRED_COLUMNS = ("recording_id", "metric", "reference_value")
OPTIONAL_COLUMNS = ("rater", "method", "session", "unit", "notes")
#: statuses of a pair; only ``used`` pairs enter the statistics
STATUSES = ("used", "no_tool_value", "no_reference_value", "unit_mismatch", "duplicate")


@dataclass(frozen=True)
class ReferenceRow:
    """One row of the reference CSV (``line`` = its line number in the file, header = 1)."""

    line: int
    recording_id: str
    metric: str
    value: float | None
    text: str
    rater: str = ""
    method: str = ""
    session: str = ""
    unit: str = ""


@dataclass(frozen=True)
class ToolValue:
    """One metric of one analysed recording (the value its summary reports)."""

    recording_id: str
    input_name: str | None
    protocol: str | None
    metric: str
    value: float | None
    unit: str
    reason: str | None


@dataclass(frozen=True)
class Pair:
    """A reference row with the tool's value for the same recording and metric, and its status."""

    recording_id: str
    metric: str
    method: str
    rater: str
    session: str
    unit: str
    tool: float | None
    reference: float | None
    status: str
    detail: str = ""


@dataclass(frozen=True)
class Issue:
    """A problem found while matching, for the report: ``kind``, where, and a sentence."""

    kind: str
    where: str
    message: str


def _text(v: object) -> str:
    """Return a cell as stripped text (the extra cells of a too-long row come as a list: joined)."""
    if isinstance(v, list):
        return ",".join(str(x) for x in v).strip()
    return "" if v is None else str(v).strip()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_reference(path: str | os.PathLike[str]) -> tuple[list[ReferenceRow], list[Issue]]:
    """Read the reference CSV (module notes); unparseable values are returned as issues.

    Raises
    ------
    InputNotFoundError
        If the file does not exist.
    InputError
        If it is not a CSV with the required columns.

    """
    p = Path(path)
    if not p.is_file():
        raise InputNotFoundError(f"Reference file not found: {p}.")
    try:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            raw = [{(k or "").strip(): _text(v) for k, v in row.items()} for row in reader]
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"{p} cannot be read as a UTF-8 CSV file ({err}).") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{p} lacks the column(s) {', '.join(missing)} (see 'tiltscreen agreement --template')."
        )
    rows, issues = [], []
    for i, r in enumerate(raw, start=2):
        text = r["reference_value"]
        value = _number(text) if text else None
        if text and value is None:
            issues.append(
                Issue("not_a_number", f"{p.name}:{i}", f"Reference value {text!r} is not a number.")
            )
        extra = (r.get(c, "") for c in ("rater", "method", "session", "unit"))
        rows.append(ReferenceRow(i, r["recording_id"], r["metric"], value, text, *extra))
    return rows, issues


def _tool_values(rid: str, s: ResultSummary) -> list[ToolValue]:
    name = PurePath(s.input).name if s.input else None
    return [ToolValue(rid, name, s.protocol, m.name, m.value, m.unit, m.reason) for m in s.metrics]


def tool_values(results: str | os.PathLike[str]) -> tuple[list[ToolValue], list[str], list[Issue]]:
    """Every metric of every analysed recording under ``results``; also the recording IDs, and issues.

    Only ``summary.json`` is read (no landmark table is needed).
    """
    folders = find_result_folders(results)
    values: list[ToolValue] = []
    ids: list[str] = []
    issues: list[Issue] = []
    for folder, rid in zip(folders, default_ids(folders, Path(results)), strict=True):
        try:
            s = read_summary(folder)
        except InputError as err:
            issues.append(Issue("unreadable_summary", str(folder), str(err)))
            continue
        ids.append(rid)
        values += _tool_values(rid, s)
        if s.kind != "analysis":
            issues.append(Issue("no_metrics", rid, "A landmarks-only folder: it reports no metric."))
    return values, ids, issues


def _keys(values: Iterable[ToolValue]) -> tuple[dict[str, str], list[Issue]]:
    """Map every name a reference may use for a recording (ID, file name, file stem) to its ID."""
    names: dict[str, set[str]] = {}
    for v in values:
        for key in (v.recording_id, v.input_name, PurePath(v.input_name).stem if v.input_name else None):
            if key:
                names.setdefault(key, set()).add(v.recording_id)
    issues = [
        Issue(
            "ambiguous_id",
            key,
            f"{key!r} names several recordings ({', '.join(sorted(ids))}); use folder names.",
        )
        for key, ids in names.items()
        if len(ids) > 1
    ]
    return {k: next(iter(ids)) for k, ids in names.items() if len(ids) == 1}, issues


def _pair(row: ReferenceRow, tool: ToolValue, seen: set) -> Pair:
    key = (tool.recording_id, row.metric, row.method, row.rater)
    status, detail = "used", ""
    if key in seen:
        status, detail = (
            "duplicate",
            "Another reference row for this recording, metric, method and rater came first.",
        )
    elif row.unit and row.unit != tool.unit:
        status, detail = "unit_mismatch", f"Reference unit {row.unit!r}, tool unit {tool.unit!r}."
    elif tool.value is None:
        status, detail = "no_tool_value", tool.reason or "The tool reported no value."
    elif row.value is None:
        status, detail = "no_reference_value", "The reference value is empty or not a number."
    seen.add(key)
    return Pair(tool.recording_id, row.metric, row.method, row.rater, row.session, tool.unit, tool.value,
                row.value, status, detail)  # fmt: skip


def match(
    values: Sequence[ToolValue], refs: Sequence[ReferenceRow], recording_ids: Sequence[str]
) -> tuple[list[Pair], list[Issue]]:
    """Pair every reference row with the tool's value; list rows and recordings that match nothing."""
    keys, issues = _keys(values)
    by_metric = {(v.recording_id, v.metric): v for v in values}
    pairs: list[Pair] = []
    seen: set = set()
    referenced: set[str] = set()
    for row in refs:
        where = f"line {row.line}"
        rid = keys.get(row.recording_id)
        if rid is None:
            issues.append(
                Issue("unmatched_id", where, f"No results folder or video named {row.recording_id!r}.")
            )
            continue
        referenced.add(rid)
        tool = by_metric.get((rid, row.metric))
        if tool is None:
            issues.append(
                Issue("unknown_metric", where, f"Recording {rid!r} reports no metric {row.metric!r}.")
            )
            continue
        pairs.append(_pair(row, tool, seen))
    for rid in recording_ids:
        if rid not in referenced:
            issues.append(Issue("no_reference", rid, f"Recording {rid!r} has no row in the reference file."))
    return pairs, issues


TEMPLATE_COLUMNS = ("recording_id", "input_file", "protocol", "metric", "unit", "reference_value", "rater",
                    "method", "session", "notes")  # fmt: skip


def template_rows(values: Sequence[ToolValue]) -> list[dict[str, str]]:
    """Rows of a reference template: one per recording and metric, reference columns empty.

    The tool's values are left out on purpose, so whoever fills the template in is blind to them.
    """
    return [
        {"recording_id": v.recording_id, "input_file": v.input_name or "", "protocol": v.protocol or "",
         "metric": v.metric, "unit": v.unit, "reference_value": "", "rater": "", "method": "", "session": "",
         "notes": ""}
        for v in values
    ]  # fmt: skip
