"""The session report: one self-contained HTML file (images as data URIs) that prints cleanly.

Content: the patient's pseudonym and facts, the joint screening reading (as ``tiltscreen screen``
writes it) with its evidence and caveats, each step's metrics with 95% intervals, flags with their
evidence, thresholds and sources, quality notes (the analyses' reasons, manual overrides, corrections),
the key frames (faces blurred) and the analyses' plots.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from tiltscreen.app.capture import STEP_TITLES

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#111;max-width:960px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;border-bottom:1px solid #999;margin-top:24px}
h3{font-size:15px;margin:14px 0 6px} table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
td,th{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
.reading{font-size:16px;background:#f3f6fb;border-left:4px solid #3465a4;padding:8px 12px}
.flag{border-left:4px solid #c4a000;padding:4px 10px;margin:6px 0;background:#fffbea}
.note{color:#444;font-size:12px} img{max-width:100%;height:auto;border:1px solid #ccc}
.figs{display:flex;gap:12px;flex-wrap:wrap} .figs figure{flex:1 1 300px;margin:0}
.step{page-break-inside:avoid;break-inside:avoid}
@media print{body{margin:0;max-width:none} .noprint{display:none} h2{page-break-after:avoid}
 .step,.flag,figure,table{page-break-inside:avoid;break-inside:avoid} a{color:#000;text-decoration:none}}
@page{size:A4;margin:14mm}
"""


def data_uri(path: str | Path | None) -> str | None:
    """Return the image file as a ``data:`` URI, None when it is missing."""
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        return None
    mime = "image/png" if p.suffix.lower() == ".png" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(p.read_bytes()).decode('ascii')}"


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _metric_rows(summary: dict[str, Any], corrections: list[dict[str, Any]]) -> str:
    rows = []
    corrected = {c["metric"]: c for c in corrections}
    for name, m in (summary.get("metrics") or {}).items():
        if not isinstance(m, dict):
            continue
        value = "n/a" if m.get("value") is None else f"{m['value']:g} {_e(m.get('unit'))}"
        ci = m.get("ci95")
        ci_txt = f"{ci[0]:g} to {ci[1]:g}" if ci else ""
        note = m.get("reason") if m.get("value") is None else ""
        if name in corrected:
            c = corrected[name]
            fixed, was = c["corrected_value"], c["original_value"]
            note = f"Corrected by the clinician: {fixed} (original {was}). {note or ''}"
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{value}</td><td>{ci_txt}</td><td>{_e(m.get('method'))}</td>"
            f"<td class=note>{_e(note)}</td></tr>"
        )
    head = "<tr><th>metric</th><th>value</th><th>95% interval</th><th>method</th><th>notes</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else "<p>No metric.</p>"


def _flags(flags: list[dict[str, Any]]) -> str:
    out = []
    for f in flags:
        evidence = json.dumps(f.get("evidence"), ensure_ascii=False) if f.get("evidence") else ""
        out.append(
            f"<div class=flag><b>[{_e(f.get('level'))}] {_e(f.get('code'))}</b>: {_e(f.get('message'))}"
            f"<div class=note>Evidence: {_e(evidence)}</div><div class=note>Source: "
            f"{_e(f.get('source'))}</div></div>"
        )
    return "".join(out)


def _thresholds(summary: dict[str, Any]) -> str:
    ref = summary.get("reference")
    if not ref:
        return ""
    return (
        f"<p class=note>Reference: {_e(ref.get('mean_deg'))} ± {_e(ref.get('sd_deg'))}° "
        f"(anterior limit {_e(ref.get('anterior_limit_deg'))}°). Source: {_e(ref.get('source'))}</p>"
    )


def _step_html(st: dict[str, Any]) -> str:
    s = st["summary"]
    title = STEP_TITLES.get(st["step"], st["step"])
    reasons = "".join(f"<li>{_e(r)}</li>" for r in s.get("reasons") or [])
    quality = [f"Status: {_e(s.get('status'))}."]
    if st.get("override"):
        quality.append("Captured with the clinician's manual override (the set-up checks did not all hold).")
    quality += [_e(n) for n in s.get("tilt_notes") or []]
    figs = []
    key = Path(st["key_frame"]).with_name("key_frame_points.jpg") if st.get("key_frame") else None
    for label, path in (("Key frame with detected points (face blurred)", key), ("Over time", _plot(s))):
        uri = data_uri(path)
        if uri:
            figs.append(
                f"<figure><img alt='{_e(label)}' src='{uri}'><figcaption "
                f"class=note>{_e(label)}</figcaption></figure>"
            )
    return (
        f"<section class=step><h3>{_e(title)}</h3><p class=note>{' '.join(quality)}</p>"
        f"{'<ul>' + reasons + '</ul>' if reasons else ''}{_metric_rows(s, st.get('corrections') or [])}"
        f"{_flags(s.get('flags') or [])}{_thresholds(s)}<div class=figs>{''.join(figs)}</div></section>"
    )


def _plot(summary: dict[str, Any]) -> str | None:
    return (summary.get("files") or {}).get("plot")


def render_report(
    patient: dict[str, Any], session: dict[str, Any], steps: list[dict[str, Any]], reading: dict[str, Any]
) -> str:
    """Return the whole report as one HTML string."""
    facts = ", ".join(
        f"{k} {_e(patient.get(k))}" for k in ("age", "sex", "stature_cm") if patient.get(k) not in (None, "")
    )
    evidence = json.dumps(reading.get("evidence"), ensure_ascii=False, indent=1)
    caveats = "".join(f"<li>{_e(c)}</li>" for c in reading.get("caveats") or [])
    lr = (reading.get("evidence") or {}).get("left_right") or {}
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>tiltscreen report {_e(patient['pseudonym'])}</title><style>{CSS}</style></head><body>"
        f"<h1>Screening report: {_e(patient['pseudonym'])}</h1>"
        f"<p class=note>Session {session['id']}, {_e(session['started_at'])}. {facts}. "
        "Flags are prompts for a clinician's review, never a diagnosis. Accuracy is known on "
        "rendered people only.</p>"
        f"<h2>Joint reading</h2><p class=reading id=reading>{_e(reading.get('reading'))}</p>"
        f"<p>Pelvic tilt: <b>{_e(reading.get('pelvic_tilt'))}</b>; hamstring extensibility: "
        f"<b>{_e(reading.get('hamstring_extensibility'))}</b>.</p>"
        f"{_flags(lr.get('flags') or [])}<ul class=note>{caveats}</ul>"
        f"<h2>Steps</h2>{''.join(_step_html(st) for st in steps)}"
        f"<h2>Evidence</h2><pre class=note style='white-space:pre-wrap'>{_e(evidence)}</pre>"
        "<p class=note>Made by tiltscreen on this computer; no image or video left it.</p></body></html>"
    )


def write_report(
    folder: Path,
    patient: dict[str, Any],
    session: dict[str, Any],
    steps: list[dict[str, Any]],
    reading: dict[str, Any],
) -> Path:
    """Write ``report.html`` into the session's folder; return its path."""
    path = Path(folder) / "report.html"
    path.write_text(render_report(patient, session, steps, reading), encoding="utf-8")
    return path
