"""The one adapter between saved result folders and the exporters.

Every exporter reads a recording through :func:`load_recording` and the frozen classes
below; this is the only module that knows the keys of ``summary.json``
(schema ``tiltscreen-result/1`` of ``tiltscreen analyze``, or the summary of
``tiltscreen landmarks``). When the results become typed, :func:`summary_from_dict` is the
one function to replace.

A *results folder* is one output folder of ``tiltscreen analyze`` or ``tiltscreen
landmarks``: ``summary.json`` plus the landmark tables (``landmarks.parquet`` or
``landmarks.csv`` with ``landmarks.json``). Its name is the recording's ID.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tiltscreen.errors import InputError, InputNotFoundError
from tiltscreen.landmarks import Landmarks

#: file every results folder holds
SUMMARY_NAME = "summary.json"
#: landmark tables looked for, in this order (the filtered landmarks the analysis used)
LANDMARK_TABLES = ("landmarks.parquet", "landmarks.csv")


@dataclass(frozen=True)
class MetricValue:
    """One reported number of a summary (or of one trial).

    Attributes
    ----------
    name : str
        Metric key, e.g. ``"pelvic_tilt_deg"``.
    value : float or None
        None when the recording could not support a number (``reason`` says why).
    unit : str
        ``"deg"``, ``"cm"``, ``"s"`` or ``"px"``.
    method : str
        How the value was obtained.
    ci95_low, ci95_high : float or None
        95% interval, when the tool has an error model for it.
    reason : str or None
        Why the value is missing, or a caveat.

    """

    name: str
    value: float | None
    unit: str
    method: str
    ci95_low: float | None = None
    ci95_high: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Trial:
    """One sit-and-reach trial: its times (s from the start of the recording) and metrics."""

    index: int
    start_s: float | None
    max_reach_s: float | None
    end_s: float | None
    valid: bool | None
    invalid_reasons: tuple[str, ...] = ()
    metrics: tuple[MetricValue, ...] = ()

    def metric(self, name: str) -> MetricValue | None:
        """Return the trial's metric ``name``, or None."""
        return next((m for m in self.metrics if m.name == name), None)


@dataclass(frozen=True)
class ResultSummary:
    """What the exporters need from ``summary.json``, typed.

    Attributes
    ----------
    kind : {"analysis", "landmarks"}
        ``tiltscreen analyze`` (a protocol's result) or ``tiltscreen landmarks``.
    protocol : str or None
        ``"standing"`` or ``"sit-and-reach"``; None for landmarks only.
    status : str
        ``ok``, ``indeterminate``, ``not_this_protocol``, ``no_person``, ``interrupted``, ``unreadable``.
    side : {"left", "right"} or None
        Body side the analysis measured (nearest the camera).
    facing : {+1, -1} or None
        +1 when the subject faces image-right.
    roll_deg : float or None
        Camera roll the analysis removed (degrees, counter-clockwise positive in the y-up image);
        None when it was not measured (the analysis then used 0).
    px_per_cm : float or None
        Scale of the analysis (pixels per centimetre), None without a scale.
    scale_source : {"marker", "height", "none"} or None
        Where the scale came from: the printed marker, the subject's stature, or nothing.
    scale_relative_uncertainty : float or None
        Relative uncertainty of ``px_per_cm`` (e.g. 0.05 = 5%).
    metrics : tuple of MetricValue
        The reported metrics (for the sit-and-reach: those of the best valid trial).
    trials : tuple of Trial
        Sit-and-reach trials (empty otherwise).
    quiet_window_s : (float, float) or None
        Standing: the quiet window's first and last frame times (s).
    raw : mapping
        The whole summary, copied unchanged into export sidecars.

    """

    kind: str
    protocol: str | None
    status: str
    reasons: tuple[str, ...] = ()
    side: str | None = None
    facing: int | None = None
    roll_deg: float | None = None
    px_per_cm: float | None = None
    scale_source: str | None = None
    scale_relative_uncertainty: float | None = None
    scale: Mapping[str, Any] | None = None
    camera: Mapping[str, Any] | None = None
    metrics: tuple[MetricValue, ...] = ()
    trials: tuple[Trial, ...] = ()
    best_trial: int | None = None
    quiet_window_s: tuple[float, float] | None = None
    input: str | None = None
    tiltscreen_version: str | None = None
    thresholds: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def metric(self, name: str) -> MetricValue | None:
        """Return the summary's metric ``name``, or None."""
        return next((m for m in self.metrics if m.name == name), None)


@dataclass(frozen=True, eq=False)
class RecordingResult:
    """One results folder: its ID, the typed summary and the landmarks the analysis used."""

    recording_id: str
    folder: Path
    summary: ResultSummary
    landmarks: Landmarks
    landmarks_file: Path


def _num(x: Any) -> float | None:
    """Return ``x`` as a finite float, or None."""
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _metric(name: str, d: Mapping[str, Any]) -> MetricValue:
    ci = d.get("ci95") or (None, None)
    return MetricValue(
        name=name,
        value=_num(d.get("value")),
        unit=str(d.get("unit", "")),
        method=str(d.get("method", "")),
        ci95_low=_num(ci[0]),
        ci95_high=_num(ci[1]),
        reason=d.get("reason"),
    )


def _metrics(d: Mapping[str, Any] | None) -> tuple[MetricValue, ...]:
    return tuple(_metric(k, v) for k, v in (d or {}).items() if isinstance(v, Mapping))


def _trial(d: Mapping[str, Any]) -> Trial:
    return Trial(
        index=int(d["index"]),
        start_s=_num(d.get("start_s")),
        max_reach_s=_num(d.get("max_reach_s")),
        end_s=_num(d.get("end_s")),
        valid=d.get("valid"),
        invalid_reasons=tuple(d.get("invalid_reasons") or ()),
        metrics=_metrics(d.get("metrics")),
    )


def summary_from_dict(d: Mapping[str, Any]) -> ResultSummary:
    """Type a ``summary.json`` (``tiltscreen-result/1`` or a ``tiltscreen landmarks`` summary).

    Raises
    ------
    InputError
        If ``d`` has no ``status`` (not a tiltscreen summary).

    """
    if not isinstance(d, Mapping) or "status" not in d:
        raise InputError("Not a tiltscreen summary: it has no 'status'.")
    camera, scale, window = d.get("camera"), d.get("scale"), d.get("quiet_window")
    facing = {"image-right": 1, "image-left": -1}.get(str(d.get("facing")))
    return ResultSummary(
        kind="analysis" if "protocol" in d else "landmarks",
        protocol=d.get("protocol"),
        status=str(d["status"]),
        reasons=tuple(d.get("reasons") or ()),
        side=d.get("side"),
        facing=facing,
        roll_deg=_num(camera.get("roll_deg")) if isinstance(camera, Mapping) else None,
        px_per_cm=_num(scale.get("px_per_cm")) if isinstance(scale, Mapping) else None,
        scale_source=scale.get("source") if isinstance(scale, Mapping) else None,
        scale_relative_uncertainty=_num(scale.get("relative_uncertainty"))
        if isinstance(scale, Mapping)
        else None,
        scale=scale if isinstance(scale, Mapping) else None,
        camera=camera if isinstance(camera, Mapping) else None,
        metrics=_metrics(d.get("metrics")),
        trials=tuple(_trial(t) for t in d.get("trials") or ()),
        best_trial=d.get("best_trial"),
        quiet_window_s=(float(window["start_s"]), float(window["end_s"]))
        if isinstance(window, Mapping)
        else None,
        input=d.get("input"),
        tiltscreen_version=d.get("tiltscreen_version"),
        thresholds=d.get("thresholds"),
        raw=dict(d),
    )


def read_summary(folder: str | os.PathLike[str]) -> ResultSummary:
    """Read and type ``folder/summary.json``.

    Raises
    ------
    InputNotFoundError
        If the folder has no ``summary.json``.
    InputError
        If it is not valid JSON or not a tiltscreen summary.

    """
    path = Path(folder) / SUMMARY_NAME
    if not path.is_file():
        raise InputNotFoundError(f"{Path(folder)} is not a results folder: it has no {SUMMARY_NAME}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path} is not valid JSON: {err}.") from None
    try:
        return summary_from_dict(data)
    except (InputError, KeyError, TypeError, ValueError) as err:
        raise InputError(f"{path} is not a tiltscreen summary ({err}).") from None


def landmark_table(folder: str | os.PathLike[str]) -> Path:
    """Return the landmark table of a results folder (Parquet first, else CSV).

    Raises
    ------
    InputNotFoundError
        If neither table exists (e.g. a video that held no frame).

    """
    for name in LANDMARK_TABLES:
        p = Path(folder) / name
        if p.is_file():
            return p
    raise InputNotFoundError(f"{Path(folder)} has no landmark table ({' or '.join(LANDMARK_TABLES)}).")


def load_recording(folder: str | os.PathLike[str], *, recording_id: str | None = None) -> RecordingResult:
    """Load one results folder: its summary and its landmarks.

    Parameters
    ----------
    folder : path-like
        An output folder of ``tiltscreen analyze`` or ``tiltscreen landmarks``.
    recording_id : str, optional
        ID to give the recording; default the folder's name.

    Raises
    ------
    InputNotFoundError, InputError
        The folder, its summary or its landmark table is missing or unreadable.

    """
    from tiltscreen.outputs.tables import load_landmarks

    path = Path(folder)
    summary = read_summary(path)
    table = landmark_table(path)
    return RecordingResult(
        recording_id=recording_id or path.resolve().name,
        folder=path,
        summary=summary,
        landmarks=load_landmarks(table),
        landmarks_file=table,
    )


def find_result_folders(root: str | os.PathLike[str]) -> list[Path]:
    """Results folders at or under ``root`` (``root`` itself if it holds a summary), sorted by path.

    Raises
    ------
    InputNotFoundError
        If ``root`` is not a folder, or holds no results folder.

    """
    base = Path(root)
    if not base.is_dir():
        raise InputNotFoundError(f"No folder {base}.")
    if (base / SUMMARY_NAME).is_file():
        return [base]
    found = sorted(p.parent for p in base.rglob(SUMMARY_NAME))
    if not found:
        raise InputNotFoundError(f"{base} holds no results folder (no {SUMMARY_NAME} in it or below it).")
    return found


def default_ids(folders: Sequence[Path], root: Path) -> list[str]:
    """Each folder's name, or its path below ``root`` joined with ``-`` where two names are the same."""
    names = [f.resolve().name for f in folders]
    out = []
    for f, name in zip(folders, names, strict=True):
        if names.count(name) > 1 and f.resolve() != root.resolve():
            name = "-".join(f.resolve().relative_to(root.resolve()).parts)
        out.append(name)
    return out


@dataclass(frozen=True)
class Skipped:
    """A results folder that could not be loaded, with the reason."""

    folder: Path
    reason: str


def load_all(
    root: str | os.PathLike[str], *, recording_ids: Sequence[str] | None = None
) -> tuple[list[RecordingResult], list[Skipped]]:
    """Load every results folder under ``root``; the ones that fail are returned with their reason.

    Raises
    ------
    InputNotFoundError
        If ``root`` holds no results folder.
    InputError
        If ``recording_ids`` is given with a different length than the folders found.

    """
    folders = find_result_folders(root)
    if recording_ids is not None and len(recording_ids) != len(folders):
        raise InputError(f"{len(recording_ids)} recording IDs given for {len(folders)} results folders.")
    ids = list(recording_ids) if recording_ids is not None else default_ids(folders, Path(root))
    loaded, skipped = [], []
    for folder, rid in zip(folders, ids, strict=True):
        try:
            loaded.append(load_recording(folder, recording_id=rid))
        except InputError as err:
            skipped.append(Skipped(folder, str(err)))
    return loaded, skipped
