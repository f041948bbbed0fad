"""Tidy tables of one or many recordings: landmarks (long), angles (long), events, trial metrics.

Every table starts with ``recording_id``; the columns, units, definitions and sign conventions are
in :mod:`tiltscreen.export.dictionary` (and in the sidecar written with the tables). Missing values
are NaN / null (an empty cell in CSV), never dropped: a frame without the subject keeps its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tiltscreen.export.angles import angle_series
from tiltscreen.export.results import MetricValue, RecordingResult

#: per-landmark quantities of the long landmark table, with the array and component they come from
_LANDMARK_FIELDS = (
    ("x_px", "px", 0),
    ("y_px", "px", 1),
    ("x_norm", "xyz", 0),
    ("y_norm", "xyz", 1),
    ("z_norm", "xyz", 2),
    ("visibility", "visibility", None),
    ("presence", "presence", None),
    ("world_x_m", "world", 0),
    ("world_y_m", "world", 1),
    ("world_z_m", "world", 2),
)


def landmarks_long(rec: RecordingResult) -> pd.DataFrame:
    """One row per frame and landmark (frame-major, landmarks in BlazePose order)."""
    lm = rec.landmarks
    n, k = lm.n_frames, len(lm.skeleton.names)
    arrays = {"px": lm.xy_px, "xyz": lm.xyz, "visibility": lm.visibility, "presence": lm.presence}
    arrays["world"] = lm.world
    cols: dict[str, object] = {
        "recording_id": np.full(n * k, rec.recording_id, dtype=object),
        "frame": np.repeat(np.arange(n, dtype=np.int64), k),
        "frame_index": np.repeat(lm.frame_index, k),
        "time_s": np.repeat(lm.timestamps_s, k),
        "landmark": np.tile(np.array(lm.skeleton.names, dtype=object), n),
        "landmark_index": np.tile(np.arange(k, dtype=np.int64), n),
    }
    for name, source, comp in _LANDMARK_FIELDS:
        arr = arrays[source]
        cols[name] = (arr if comp is None else arr[..., comp]).reshape(-1)
    return pd.DataFrame(cols)


def angles_long(rec: RecordingResult) -> pd.DataFrame:
    """One row per frame and angle the protocol computes (see :mod:`tiltscreen.export.angles`)."""
    series = angle_series(rec)
    lm = rec.landmarks
    n, m = lm.n_frames, len(series.names)
    return pd.DataFrame(
        {
            "recording_id": np.full(n * m, rec.recording_id, dtype=object),
            "frame": np.repeat(np.arange(n, dtype=np.int64), m),
            "time_s": np.repeat(lm.timestamps_s, m),
            "angle": np.tile(np.array(series.names, dtype=object), n),
            "value_deg": series.values.reshape(-1),
            "side": np.full(n * m, series.side, dtype=object),
        }
    )


def _event(rid: str, event: str, **values: object) -> dict[str, object]:
    row = dict.fromkeys(("trial", "start_s", "end_s", "time_s", "duration_s", "valid", "detail"))
    row.update(recording_id=rid, event=event, **values)
    return row


def _trial_events(rec: RecordingResult) -> list[dict[str, object]]:
    rows = []
    for t in rec.summary.trials:
        dur = t.end_s - t.start_s if t.end_s is not None and t.start_s is not None else None
        rows.append(
            _event(rec.recording_id, "trial", trial=t.index, start_s=t.start_s, end_s=t.end_s, duration_s=dur,
                   valid=t.valid, detail=" ".join(t.invalid_reasons) or None)
        )  # fmt: skip
        rows.append(_event(rec.recording_id, "max_reach", trial=t.index, time_s=t.max_reach_s, valid=t.valid))
        hold = t.metric("hold_s")
        rows.append(
            _event(rec.recording_id, "hold", trial=t.index, duration_s=hold.value if hold else None,
                   valid=t.valid, detail="Hold start and end are not saved by the analysis; duration only.")
        )  # fmt: skip
    return rows


def events(rec: RecordingResult) -> pd.DataFrame:
    """Trials (start, maximum reach, hold, end) and the standing quiet window, one row per event."""
    rows = _trial_events(rec)
    window = rec.summary.quiet_window_s
    if window is not None:
        rows.append(
            _event(rec.recording_id, "quiet_window", start_s=window[0], end_s=window[1],
                   duration_s=window[1] - window[0], valid=True)
        )  # fmt: skip
    columns = ["recording_id", "event", "trial", "start_s", "end_s", "time_s", "duration_s", "valid",
               "detail"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).astype(
        {"trial": "Int64", "start_s": float, "end_s": float, "time_s": float, "duration_s": float,
         "valid": "boolean"}
    )  # fmt: skip


def _metric_row(rec: RecordingResult, m: MetricValue, *, scope: str, trial: int | None) -> dict:
    s = rec.summary
    return {
        "recording_id": rec.recording_id,
        "protocol": s.protocol,
        "status": s.status,
        "scope": scope,
        "trial": trial,
        "best_trial": trial is not None and trial == s.best_trial,
        "metric": m.name,
        "value": m.value,
        "unit": m.unit,
        "method": m.method,
        "ci95_low": m.ci95_low,
        "ci95_high": m.ci95_high,
        "reason": m.reason,
    }


def trial_metrics(rec: RecordingResult) -> pd.DataFrame:
    """One row per reported metric (``scope`` ``recording``) and per trial and metric (``trial``)."""
    rows = [_metric_row(rec, m, scope="recording", trial=None) for m in rec.summary.metrics]
    for t in rec.summary.trials:
        rows += [_metric_row(rec, m, scope="trial", trial=t.index) for m in t.metrics]
    columns = ["recording_id", "protocol", "status", "scope", "trial", "best_trial", "metric", "value",
               "unit", "method", "ci95_low", "ci95_high", "reason"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).astype(
        {"trial": "Int64", "value": float, "ci95_low": float, "ci95_high": float, "best_trial": bool}
    )


#: the tidy tables: file stem and the function building one recording's part
TABLES = {
    "landmarks": landmarks_long,
    "angles": angles_long,
    "events": events,
    "metrics": trial_metrics,
}


def build_tables(recs: Sequence[RecordingResult]) -> dict[str, pd.DataFrame]:
    """All tidy tables of ``recs``, each the recordings' parts one after the other."""
    out = {}
    for stem, build in TABLES.items():
        parts = [build(r) for r in recs]
        nonempty = [p for p in parts if len(p)]
        out[stem] = pd.concat(nonempty, ignore_index=True) if nonempty else parts[0]
    return out
