"""Summary and Markdown report of ``benchmarks/pelvis_benchmark.py`` (errors on rendered clips)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: (key in a run, key in the truth, scale, unit, name)
QUANTITIES = (
    ("tilt_hold", "tilt_hold", "tilt_ci95", 1.0, "deg", "pelvic tilt at the hold (ASIS-PSIS, bone)"),
    (
        "hip_flexion_vs_pelvis",
        "hip_flexion_vs_pelvis",
        "hip_flexion_ci95",
        1.0,
        "deg",
        "hip flexion vs pelvis",
    ),
    (
        "pelvic_fraction",
        "pelvic_fraction",
        "pelvic_fraction_ci95",
        100.0,
        "pp",
        "pelvis share of the rotation",
    ),
)


def _stats(rows: list[dict], run: str, key: str, true_key: str, ci_key: str, scale: float) -> dict:
    errs, inside = [], []
    n = 0
    for r in rows:
        if "truth" not in r:
            continue
        n += 1
        v = r[run].get(key)
        if v is None:
            continue
        t = r["truth"][true_key]
        errs.append((v - t) * scale)
        ci = r[run].get(ci_key)
        if ci:
            inside.append(ci[0] <= t <= ci[1])
    e = np.abs(np.array(errs, float))
    return {
        "n_truth": n,
        "n_value": len(errs),
        "mae": round(float(e.mean()), 2) if e.size else None,
        "worst": round(float(e.max()), 2) if e.size else None,
        "bias": round(float(np.mean(errs)), 2) if errs else None,
        "ci95_coverage": f"{sum(inside)}/{len(inside)}" if inside else None,
    }


def summarise(rows: list[dict]) -> dict:
    """MAE, worst error, bias, coverage and 95% interval coverage per quantity, before and after."""
    out: dict = {}
    for key, true_key, ci_key, scale, unit, name in QUANTITIES:
        out[key] = {
            "name": name,
            "unit": unit,
            **{run: _stats(rows, run, key, true_key, ci_key, scale) for run in ("before", "after")},
        }
    lines: dict[str, list[float]] = {}
    for r in rows:
        for k, v in r.get("lines", {}).items():
            if k != "calibration":
                lines.setdefault(k, []).append(v)
    out["line_errors_deg"] = {
        k: {
            "n": len(v),
            "rms": round(float(np.sqrt(np.mean(np.square(v)))), 2),
            "mean": round(float(np.mean(v)), 2),
        }
        for k, v in sorted(lines.items())
    }
    return out


def _fmt(x, nd: int = 1) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def write_report(path: Path, result: dict) -> None:
    """Write the Markdown table of a benchmark result."""
    s = result["summary"]
    lines = [
        f"# Sit-and-reach pelvis from the posterior stickers ({', '.join(result['sets'])})",
        "",
        "Rendered clips (an optimistic bound: renders are cleaner than life). *Before*: the ASIS/PSIS "
        "pair and the back contour, as on `main`; *after*: with the PSIS and posterior iliac crest "
        "stickers calibrated on the subject. Truth: the bone ASIS-PSIS tilt of the generator, the hip and "
        "knee joint centres, the trunk inclination; hold = the detected trial's hold frames, rest = the "
        "0.5 s before its start.",
        "",
        "| quantity | run | clips with a value / with truth | MAE | worst | bias | truth in 95% interval |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, *_ in ((q[0],) for q in QUANTITIES):
        q = s[key]
        for run in ("before", "after"):
            st = q[run]
            lines.append(
                f"| {q['name']} ({q['unit']}) | {run} | {st['n_value']}/{st['n_truth']} | "
                f"{_fmt(st['mae'])} | {_fmt(st['worst'])} | {_fmt(st['bias'])} | "
                f"{st['ci95_coverage'] or '-'} |"
            )
    lines += ["", "Per-frame error of each sticker line (median per clip, then over clips), degrees:", ""]
    lines += ["| line, where | clips | RMS | mean |", "|---|---|---|---|"]
    for k, v in s["line_errors_deg"].items():
        lines.append(f"| {k} | {v['n']} | {v['rms']} | {v['mean']} |")
    lines += [
        "",
        "| clip | ext. | yaw | true tilt | after | before | true share | after | hip vs pelvis true | after "
        "| calibration frames | reason |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["clips"]:
        t, a, b = r.get("truth", {}), r["after"], r["before"]
        cal = r.get("lines", {}).get("calibration", {})
        lines.append(
            f"| {r['clip']} | {r['extensibility']} | {r['yaw_deg']} | {_fmt(t.get('tilt_hold'))} | "
            f"{_fmt(a['tilt_hold'])} | {_fmt(b['tilt_hold'])} | {_fmt(t.get('pelvic_fraction'), 2)} | "
            f"{_fmt(a['pelvic_fraction'], 2)} | {_fmt(t.get('hip_flexion_vs_pelvis'))} | "
            f"{_fmt(a['hip_flexion_vs_pelvis'])} | {cal.get('posterior_frames', '-')} | "
            f"{(r.get('reason') or a.get('tilt_reason') or '')[:120]} |"
        )
    path.write_text("\n".join(lines) + "\n")
