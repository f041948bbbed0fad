"""A patient's trends across sessions, changes judged against the minimal detectable change, CSV export.

Only ``docs/clinical.md`` gives the MDC used here: standing ASIS-PSIS tilt, MDC95 = 2.77 x SEM = 3.0°
with the PALM intra-rater SEM of 1.1° (Herrington 2011, as tabulated in Suits 2021). ``docs/clinical.md``
gives no MDC for the sit-and-reach reach or hip flexion, so their changes are shown but never marked.
A change is marked only when its size exceeds the MDC.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from tiltscreen.app.db import History

#: (step, metric, label): the trend lines of the patient page
TREND_SERIES: tuple[tuple[str, str, str], ...] = (
    ("standing_left", "pelvic_tilt_deg", "Pelvic tilt, left side (deg)"),
    ("standing_right", "pelvic_tilt_deg", "Pelvic tilt, right side (deg)"),
    ("sit_and_reach", "reach_cm", "Sit-and-reach reach (cm)"),
    ("sit_and_reach", "hip_flexion_deg", "Hip flexion at maximum reach (deg)"),
)


@dataclass(frozen=True)
class Mdc:
    """A minimal detectable change and where it comes from."""

    value: float
    source: str


MDC: dict[str, Mdc] = {
    "pelvic_tilt_deg": Mdc(
        3.0,
        "MDC95 = 2.77 x SEM 1.1 deg (PALM, Herrington 2011, Man Ther 16(6):646-8; tabulated in Suits 2021, "
        "Int J Sports Phys Ther 16(5):1366-75); docs/clinical.md 'Minimal detectable change'. Camera "
        "error may be larger.",
    ),
}
NO_MDC = "No minimal detectable change for this measure in docs/clinical.md: changes are shown, never marked."


def mark_change(metric: str, previous: float | None, current: float | None) -> dict[str, Any]:
    """Return the change from the previous session and whether it exceeds the metric's MDC."""
    if previous is None or current is None:
        return {"delta": None, "marked": False, "mdc": MDC[metric].value if metric in MDC else None}
    delta = round(current - previous, 2)
    mdc = MDC.get(metric)
    return {
        "delta": delta,
        "marked": bool(mdc is not None and abs(delta) > mdc.value),
        "mdc": mdc.value if mdc else None,
    }


def _value(step: dict[str, Any], metric: str) -> tuple[float | None, bool]:
    """Return the metric's value, or its latest correction's (and whether corrected)."""
    for corr in reversed(step.get("corrections") or []):
        if corr["metric"] == metric and corr["corrected_value"] is not None:
            return float(corr["corrected_value"]), True
    m = (step["summary"].get("metrics") or {}).get(metric)
    if isinstance(m, dict) and m.get("value") is not None:
        return float(m["value"]), False
    return None, False


def trends(history: History, patient_id: int) -> list[dict[str, Any]]:
    """One series per :data:`TREND_SERIES` entry: points by session date with their changes."""
    sessions = history.rows(
        "SELECT * FROM sessions WHERE patient_id = ? ORDER BY started_at, id", (patient_id,)
    )
    steps = {s["id"]: {st["step"]: st for st in history.steps(s["id"])} for s in sessions}
    out = []
    for step_name, metric, label in TREND_SERIES:
        points, previous = [], None
        for s in sessions:
            st = steps[s["id"]].get(step_name)
            if st is None:
                continue
            value, corrected = _value(st, metric)
            m = (st["summary"].get("metrics") or {}).get(metric) or {}
            change = mark_change(metric, previous, value)
            points.append(
                {
                    "session_id": s["id"],
                    "date": s["started_at"],
                    "value": value,
                    "ci95": m.get("ci95"),
                    "corrected": corrected,
                    **change,
                }
            )
            previous = value if value is not None else previous
        mdc = MDC.get(metric)
        out.append(
            {
                "step": step_name,
                "metric": metric,
                "label": label,
                "points": points,
                "mdc": mdc.value if mdc else None,
                "mdc_source": mdc.source if mdc else NO_MDC,
            }
        )
    return out


CSV_FIELDS = (
    "pseudonym",
    "age",
    "sex",
    "stature_cm",
    "session_id",
    "session_started",
    "step",
    "status",
    "override",
    "metric",
    "value",
    "unit",
    "ci_low",
    "ci_high",
    "method",
    "corrected_value",
)


def export_csv(history: History, patient_id: int | None = None) -> str:
    """Every metric of one patient (or of everyone) as CSV, one row per step metric."""
    where, params = (" AND p.id = ?", (patient_id,)) if patient_id is not None else ("", ())
    rows = history.rows(
        "SELECT p.pseudonym, p.age, p.sex, p.stature_cm, s.id AS session_id, s.started_at AS session_started,"
        " st.step, st.status, st.override, m.name AS metric, m.value, m.unit, m.ci_low, m.ci_high, m.method,"
        " (SELECT c.corrected_value FROM corrections c WHERE c.step_id = st.id AND c.metric = m.name"
        "  ORDER BY c.id DESC LIMIT 1) AS corrected_value"
        " FROM patients p JOIN sessions s ON s.patient_id = p.id JOIN steps st ON st.session_id = s.id"
        f" JOIN metrics m ON m.step_id = st.id WHERE st.superseded = 0{where} ORDER BY p.pseudonym, "
        "s.id, st.id, m.id",
        params,
    )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k) for k in CSV_FIELDS})
    return buf.getvalue()
