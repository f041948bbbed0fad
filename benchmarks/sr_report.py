"""Aggregates and the Markdown report of ``sit_and_reach_heldout.py`` (numbers only from the records)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

RULES = ("knees_bent", "hold_short", "bouncing", "hands_uneven", "out_of_frame")
#: clips whose requested camera yaw is beyond the set-up's limit are refusal tests, not accuracy clips
MAX_YAW_DEG = 15.0


def _stats(errors: list[float]) -> dict[str, Any]:
    e = np.array([x for x in errors if x is not None and math.isfinite(x)], float)
    if not e.size:
        return {"n": 0}
    return {
        "n": int(e.size),
        "mae": float(np.mean(np.abs(e))),
        "worst": float(np.max(np.abs(e))),
        "bias": float(np.mean(e)),
        "sd": float(np.std(e)),
        "p95": float(np.percentile(np.abs(e), 95)),
    }


def _in_limits(clip: dict[str, Any]) -> bool:
    return abs(clip["yaw_deg"]) <= MAX_YAW_DEG


def reach_stats(clips: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """Reach error (value - truth) over the trials of the clips within the set-up limits."""
    trials = [(c, t) for c in clips if _in_limits(c) for t in c["runs"].get(mode, {}).get("trials", [])]
    reported = [t for _, t in trials if t["reported_cm"] is not None]
    covered = [t["covered"] for t in reported if t["covered"] is not None]
    colours = sorted({c["box_top"] for c, _ in trials})
    split = {
        part: _stats([t["split"][part] for _, t in trials]) for part in ("fingertip", "toe", "projection")
    }
    return {
        "all": _stats([t["error_cm"] for _, t in trials]),
        "reported": _stats([t["error_cm"] for t in reported]),
        "coverage": (sum(covered) / len(covered)) if covered else None,
        "n_covered": [int(sum(covered)), len(covered)],
        "ci_half_cm": float(np.mean([t["ci_half_cm"] for t in reported])) if reported else None,
        "by_box_top": {k: _stats([t["error_cm"] for c, t in trials if c["box_top"] == k]) for k in colours},
        "by_source": {
            k: _stats([t["error_cm"] for _, t in trials if (t.get("fingertip_source") or "outline") == k])
            for k in sorted({t.get("fingertip_source") or "outline" for _, t in trials})
        },
        "split": split,
        "kinds": sorted({t["kind"] for _, t in trials}),
        "hand_ms_per_frame": _hand_ms(clips, mode),
    }


def _hand_ms(clips: list[dict[str, Any]], mode: str) -> dict[str, Any] | None:
    """The hand-model hook's wall-clock cost per frame over the clips (mean and range of the clip means)."""
    ms = [
        f["hand_model_ms_per_frame"]
        for c in clips
        if (f := c["runs"].get(mode, {}).get("fingertips")) and f.get("hand_model_ms_per_frame") is not None
    ]
    return {"mean": float(np.mean(ms)), "min": min(ms), "max": max(ms), "clips": len(ms)} if ms else None


def calibration(clips: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """Interval constants from these clips' errors: per reach method, the bias and the SD beyond the
    trials' geometric SD, and the multiplier that covers 95% of the trials; the hold's 95th-percentile error.

    Steady trials (not ballistic) of the clips within the limits. SD beyond geometry: sqrt(max(var(e) -
    mean(geo^2), 0)); multiplier: max(1.96, the 95th percentile of |e - bias| / hypot(geo, sd)).
    """
    trials = [
        t
        for c in clips
        if _in_limits(c)
        for t in c["runs"].get(mode, {}).get("trials", [])
        if not t["expected"]["bouncing"] and t["error_cm"] is not None and math.isfinite(t["error_cm"])
    ]
    out: dict[str, Any] = {}
    for key in sorted({_source_kind(t) for t in trials}):
        e = np.array([t["error_cm"] for t in trials if _source_kind(t) == key])
        geo = np.array([t["geo_sd_cm"] or 0.0 for t in trials if _source_kind(t) == key])
        if e.size < 3:
            continue
        bias = float(e.mean())
        sd = float(math.sqrt(max(float(e.var()) - float(np.mean(geo**2)), 0.0)))
        z = float(max(1.96, np.percentile(np.abs(e - bias) / np.hypot(geo, max(sd, 1e-6)), 95)))
        out[key] = {
            "n": int(e.size),
            "bias_cm": bias,
            "sd_cm": sd,
            "z": z,
            "mean_geo_sd_cm": float(geo.mean()),
        }
    holds = [abs(t["hold_s"] - t["truth"]["hold_s"]) for t in trials if t["hold_s"] is not None]
    out["hold_p95_s"] = float(np.percentile(holds, 95)) if holds else None
    return out


def _source_kind(t: dict[str, Any]) -> str:
    """Key of a trial's interval constants: fingertip source and reach method, e.g. ``hand model/box_end``."""
    return f"{t.get('fingertip_source') or 'outline'}/{t['kind']}"


def _judged(t: dict[str, Any]) -> dict[str, bool | None]:
    """The rules a trial should fail, without the hands rule when the tool reported it not assessed (the
    far hand hidden: "not assessed" is the expected answer then, not "invalid")."""
    return {k: v for k, v in t["expected"].items() if not (k == "hands_uneven" and t["not_assessed"])}


def validity(clips: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """Per rule, how often the tool flagged it when it should (and should not); overall validity right."""
    trials = [t for c in clips if _in_limits(c) for t in c["runs"].get(mode, {}).get("trials", [])]
    out: dict[str, Any] = {}
    for rule in RULES:
        pos = [t for t in trials if t["expected"][rule] is True]
        neg = [t for t in trials if t["expected"][rule] is False]
        out[rule] = {
            "flagged_when_true": [sum(rule in t["codes"] for t in pos), len(pos)],
            "flagged_when_false": [sum(rule in t["codes"] for t in neg), len(neg)],
        }
    out["hands_not_assessed"] = [sum(bool(t["not_assessed"]) for t in trials), len(trials)]
    steady = [t for t in trials if not t["expected"]["bouncing"] and t["hold_s"] is not None]
    out["hold_error_s"] = _stats([t["hold_s"] - t["truth"]["hold_s"] for t in steady])
    scored = [t for t in trials if None not in t["expected"].values()]
    right = [t for t in scored if t["valid"] == (not any(_judged(t).values()))]
    out["validity_right"] = [len(right), len(scored)]
    out["wrong"] = [
        {
            "expected": t["expected"],
            "codes": t["codes"],
            "hold_s": t["hold_s"],
            "truth_hold_s": t["truth"]["hold_s"],
            "knee": t["truth"]["knee_max_deg"],
        }
        for t in scored
        if t not in right
    ]
    return out


def indeterminate(clips: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """Indeterminate among the clips within the limits that have at least one valid trial by design."""
    with_valid = [
        c
        for c in clips
        if _in_limits(c)
        and any(
            None not in t["expected"].values() and not any(_judged(t).values())
            for t in c["runs"].get(mode, {}).get("trials", [])
        )
    ]
    bad = [c for c in with_valid if c["runs"][mode].get("status") != "ok"]
    return {
        "indeterminate": [len(bad), len(with_valid)],
        "clips": {c["name"]: c["runs"][mode].get("reasons") for c in bad},
    }


def ymca(clips: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """YMCA 'poor' category agreement on trials with a reported reach more than 1 cm from the band edge."""
    trials = [
        t
        for c in clips
        if _in_limits(c)
        for t in c["runs"].get(mode, {}).get("trials", [])
        if t["reported_cm"] is not None
    ]
    far = [t for t in trials if t.get("ymca_edge_cm") is not None and t["ymca_edge_cm"] > 1.0]
    return {"agree": [sum(t["ymca_truth"] == t["ymca_tool"] for t in far), len(far)]}


def aggregate(raw: dict[str, Any]) -> dict[str, Any]:
    """Every aggregate of the report, per mode."""
    clips = raw["clips"]
    return {
        mode: {
            "reach": reach_stats(clips, mode),
            "validity": validity(clips, mode),
            "indeterminate": indeterminate(clips, mode),
            "ymca": ymca(clips, mode),
            "calibration": calibration(clips, mode),
        }
        for mode in raw["modes"]
    }


def _f(x: Any, nd: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{nd}f}"


def _frac(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}"


def _reach_rows(agg: dict[str, Any]) -> list[str]:
    rows = [
        "| mode | method | trials | MAE cm | worst | bias | reported: n, MAE | 95% CI half-width | coverage "
        "|",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, a in agg.items():
        r = a["reach"]
        s, rep = r["all"], r["reported"]
        rows.append(
            f"| {mode} | {', '.join(r['kinds'])} | {s.get('n', 0)} | {_f(s.get('mae'))} | "
            f"{_f(s.get('worst'))} "
            f"| {_f(s.get('bias'))} | {rep.get('n', 0)}, {_f(rep.get('mae'))} | {_f(r['ci_half_cm'])} "
            f"| {_f(r['coverage'])} ({_frac(r['n_covered'])}) |"
        )
    return rows


def _source_lines(agg: dict[str, Any]) -> list[str]:
    """Reach error by the fingertip source of each trial's hold, and the hand hook's cost."""
    lines = [
        "",
        "### By fingertip source (all trials: n, MAE, worst, bias; hand-model hook ms per frame)",
        "",
        "| mode | hand model | outline | hook ms/frame: mean (clip range) |",
        "|---|---|---|---|",
    ]
    for mode, a in agg.items():
        by, ms = a["reach"].get("by_source", {}), a["reach"].get("hand_ms_per_frame")
        cells = [
            f"{v.get('n', 0)}, {_f(v.get('mae'))}, {_f(v.get('worst'))}, {_f(v.get('bias'))}"
            if (v := by.get(k))
            else "–"
            for k in ("hand model", "outline")
        ]
        cost = f"{ms['mean']:.0f} ({ms['min']:.0f}–{ms['max']:.0f})" if ms else "–"
        lines.append(f"| {mode} | " + " | ".join(cells) + f" | {cost} |")
    return lines


def _calibration_lines(agg: dict[str, Any]) -> list[str]:
    """Hold error and the interval constants these clips would give (used only from the calibration set)."""
    lines = [
        "",
        "## Hold time and interval constants from these clips",
        "",
        "| mode | hold - scripted hold: n, MAE, bias, worst (s) | hold 95th pct abs error (s) | reach "
        "method: n, bias, "
        "SD beyond geometry, z for 95% (cm) |",
        "|---|---|---|---|",
    ]
    for mode, a in agg.items():
        h, cal = a["validity"]["hold_error_s"], a["calibration"]
        kinds = "; ".join(
            f"{k}: {v['n']}, {_f(v['bias_cm'])}, {_f(v['sd_cm'])}, {_f(v['z'])}"
            for k, v in cal.items()
            if isinstance(v, dict)
        )
        lines.append(
            f"| {mode} | {h.get('n', 0)}, {_f(h.get('mae'))}, {_f(h.get('bias'))}, {_f(h.get('worst'))} "
            f"| {_f(cal.get('hold_p95_s'))} | {kinds} |"
        )
    return lines


def markdown(result: dict[str, Any]) -> str:
    """The report: reach, split, box-top colour, validity, indeterminate rate, YMCA, per-clip table."""
    agg = result["aggregate"]
    lines = [
        f"# Sit-and-reach on `{result['set']}` (renders)",
        "",
        f"`benchmarks/sit_and_reach_heldout.py --set {' --set '.join(result['set_dir'].split())}` "
        f"at tiltscreen {result['commit']}; "
        f"{len(result['clips'])} clips. **Renders, not patients: optimistic bounds.** Accuracy figures use "
        "the "
        f"clips with camera yaw within {MAX_YAW_DEG:g} deg (the set-up limit); trials whose values the tool "
        "withheld (camera view refused) are scored with the same geometry from their recorded fingertip and "
        "box plane, and listed apart as 'reported'.",
        "",
        "## Reach (value - truth, cm)",
        "",
        *_reach_rows(agg),
        "",
        "Truth: beyond the box end face (`reach_box`) for the box-plane method, beyond the toe tip "
        "otherwise; "
        "medians over the tool's hold frames.",
        "",
        "### Error split (mean, MAE, worst; cm)",
        "",
        "| mode | fingertip | toe | projection |",
        "|---|---|---|---|",
    ]
    for mode, a in agg.items():
        sp = a["reach"]["split"]
        lines.append(
            f"| {mode} | "
            + " | ".join(
                f"{_f(sp[p].get('bias'))}, {_f(sp[p].get('mae'))}, {_f(sp[p].get('worst'))}"
                for p in ("fingertip", "toe", "projection")
            )
            + " |"
        )
    lines += [
        "",
        "### By box-top colour (all trials: n, MAE, worst, bias)",
        "",
        "| mode | " + " | ".join(sorted({k for a in agg.values() for k in a["reach"]["by_box_top"]})) + " |",
        "|---|" + "---|" * len({k for a in agg.values() for k in a["reach"]["by_box_top"]}),
    ]
    for mode, a in agg.items():
        cells = [
            f"{v.get('n', 0)}, {_f(v.get('mae'))}, {_f(v.get('worst'))}, {_f(v.get('bias'))}"
            for _, v in sorted(a["reach"]["by_box_top"].items())
        ]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    lines += _source_lines(agg)
    lines += [
        "",
        "## Trial validity (clips within the limits)",
        "",
        "| mode | "
        + " | ".join(f"{r}: flagged if true / if false" for r in RULES)
        + " | hands not assessed | validity right | indeterminate (clips with a valid trial) | YMCA agrees "
        "(>1 cm from edge) |",
        "|---|" + "---|" * (len(RULES) + 4),
    ]
    for mode, a in agg.items():
        v = a["validity"]
        cells = [f"{_frac(v[r]['flagged_when_true'])} / {_frac(v[r]['flagged_when_false'])}" for r in RULES]
        lines.append(
            f"| {mode} | "
            + " | ".join(cells)
            + f" | {_frac(v['hands_not_assessed'])} | {_frac(v['validity_right'])} "
            f"| {_frac(a['indeterminate']['indeterminate'])} | {_frac(a['ymca']['agree'])} |"
        )
    lines += [
        "",
        "Truth per rule: knees bent if the near knee's largest flexion over the scripted hold is >= 12 deg, "
        "straight if <= 5 deg (between: not scored); hold short if the scripted hold is under 2 s; bouncing "
        "if "
        "the clip is ballistic; hands uneven if the true fingertips are more than 5 cm apart; never out of "
        "frame (renders keep a margin).",
        "",
    ]
    for mode, a in agg.items():
        for w in a["validity"]["wrong"]:
            lines.append(
                f"- {mode}: wrong validity: expected {w['expected']}, codes {w['codes']}, hold "
                f"{_f(w['hold_s'])} s "
                f"(scripted {_f(w['truth_hold_s'])} s), knee {_f(w['knee'], 1)} deg"
            )
        for name, reasons in a["indeterminate"]["clips"].items():
            lines.append(f"- {mode}: {name} indeterminate: {' '.join(reasons or [])}")
    lines += _calibration_lines(agg)
    lines += [
        "",
        "## Per clip",
        "",
        "| clip | yaw | box top (dE) | mode | status | trials: valid, codes, hold s (scripted), reach err "
        "cm (kind, source) |",
        "|---|---|---|---|---|---|",
    ]
    for c in result["clips"]:
        for mode, run in c["runs"].items():
            cells = "; ".join(
                f"{'valid' if t['valid'] else 'invalid'} {','.join(t['codes']) or '-'} {_f(t['hold_s'])} "
                f"({_f(t['truth']['hold_s'])}) {_f(t['error_cm'])} ({t['kind']}, {t['fingertip_source']})"
                for t in run["trials"]
            )
            lines.append(
                f"| {c['name']} | {c['yaw_deg']:g} | {c['box_top']} ({_f(c['delta_e'], 1)}) | {mode} "
                f"| {run.get('status', 'exit ' + str(run['exit_code']))} | {cells} |"
            )
    return "\n".join(lines) + "\n"
