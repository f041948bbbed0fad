"""One plain-language reading of the standing and sit-and-reach results together (pure functions).

The reading describes patterns for a clinician to review; it never diagnoses. Why the two
tests are read together: an anteriorly tilted pelvis is often assumed to come with short
hamstrings, yet short hamstrings pull the pelvis backwards, so an anterior tilt with normal or
long hamstrings makes "stretch the hamstrings" an unlikely remedy for the tilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tiltscreen.protocols.standing.analysis import asymmetry, asymmetry_flag
from tiltscreen.results import Metric, Result

SR_VALIDITY = (
    "Sit-and-reach correlates only moderately with hamstring length (pooled r 0.46-0.67, Mayorga-Vega "
    "et al. J Sports Sci Med 2014;13:1-14); an angular test such as the passive straight-leg raise "
    "confirms it."
)


def _why_missing(result: Result, metric: Metric | None) -> str | None:
    """Why a recording gave no value: the metric's own reason, else the recording's reasons."""
    if metric is not None and metric.value is not None:
        return None
    if metric is not None and metric.reason:
        return metric.reason
    return " ".join(result.reasons) or None


def _ci(metric: Metric | None) -> list[float] | None:
    """Return the interval as written in ``summary.json`` (None without a value)."""
    return metric.as_dict()["ci95"] if metric is not None else None


def _tilt_state(standing: Sequence[Result]) -> tuple[str, list[dict[str, Any]]]:
    """'anterior', 'not_anterior' or 'unknown', with the evidence of each side."""
    evidence = []
    anterior = measured = False
    for s in standing:
        m = s.metric("pelvic_tilt_deg")
        value = m.value if m else None
        evidence.append(
            {
                "side": s.side,
                "input": s.get("input"),
                "pelvic_tilt_deg": value,
                "method": m.method if m else None,
                "ci95": _ci(m),
                "status": s.status,
                "reason": _why_missing(s, m),
            }
        )
        measured |= value is not None
        anterior |= "anterior_pelvic_tilt_pattern" in s.flag_codes
    return ("anterior" if anterior else "not_anterior" if measured else "unknown"), evidence


def _hamstring_state(sr: Result | None) -> tuple[str, dict[str, Any]]:
    """'limited', 'not_limited' or 'unknown' from the sit-and-reach norms flag."""
    if sr is None:
        return "unknown", {"reason": "No sit-and-reach recording was given."}
    reach, lumbo, codes = sr.metric("reach_cm"), sr.metric("lumbo_horizontal_deg"), sr.flag_codes
    evidence = {
        "reach_cm": reach.value if reach else None,
        "ci95": _ci(reach),
        "status": sr.status,
        "reason": _why_missing(sr, reach),
        "flags": sorted(codes),
        "lumbo_horizontal_deg": lumbo.value if lumbo else None,
        "lumbo_horizontal_ci95": _ci(lumbo),
        "hip_spine_contribution": sr.get("hip_spine_contribution"),
    }
    if "limited_hamstring_extensibility" in codes:
        return "limited", evidence
    if "reach_within_norms" in codes:
        return "not_limited", evidence
    return "unknown", evidence


def left_right(standing: list[Result]) -> dict[str, Any] | None:
    """Left minus right pelvic tilt against the two measurements' error, when both sides were measured."""
    by_side = {s.side: s for s in standing if s.side}
    if not {"left", "right"} <= set(by_side):
        return None

    def metric(s: Result) -> Metric:
        return s.metric("pelvic_tilt_deg") or Metric(None, "deg", "")

    lr = asymmetry(metric(by_side["left"]), metric(by_side["right"]))
    lr["flags"] = [f.as_dict() for f in asymmetry_flag(lr)]
    return lr


def joint_reading(
    standing: Sequence[Result],
    sit_and_reach: Result | None,
    asymmetry: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Read the two tests together: a sentence, its basis and the evidence, for review."""
    tilt, tilt_ev = _tilt_state(standing)
    ham, ham_ev = _hamstring_state(sit_and_reach)
    text = {
        (
            "anterior",
            "not_limited",
        ): "Anterior pelvic tilt pattern with normal or high hamstring extensibility: "
        "short hamstrings are unlikely to explain the tilt, and stretching them may not "
        "address it. For review.",
        (
            "anterior",
            "limited",
        ): "Anterior pelvic tilt pattern together with limited hamstring extensibility: a mixed "
        "picture (short hamstrings usually tilt the pelvis backwards). For review with an "
        "angular hamstring test.",
        (
            "not_anterior",
            "limited",
        ): "Limited hamstring extensibility on the sit-and-reach, without an anterior pelvic "
        "tilt pattern. For review.",
        (
            "not_anterior",
            "not_limited",
        ): "No anterior pelvic tilt pattern and no limited hamstring extensibility flagged.",
    }.get((tilt, ham))
    if text is None:
        missing = [
            name
            for name, state in (("standing pelvic tilt", tilt), ("hamstring extensibility", ham))
            if state == "unknown"
        ]
        known = {
            "anterior": "An anterior pelvic tilt pattern was flagged.",
            "not_anterior": "No anterior pelvic tilt pattern was flagged.",
            "limited": "Hamstring extensibility on the sit-and-reach is limited for age and sex.",
            "not_limited": "Hamstring extensibility on the sit-and-reach is not limited for age and sex.",
        }
        parts = [known[s] for s in (tilt, ham) if s in known]
        text = " ".join(
            [
                "No joint reading: " + " and ".join(missing) + " could not be determined from these "
                "recordings (see each result's reasons).",
                *parts,
            ]
        )
    return {
        "reading": text,
        "pelvic_tilt": tilt,
        "hamstring_extensibility": ham,
        "evidence": {"standing": tilt_ev, "sit_and_reach": ham_ev, "left_right": asymmetry},
        "caveats": [
            SR_VALIDITY,
            "Pelvic shape alone makes the ASIS-PSIS angle range 0-23 deg in healthy pelves (Preece 2008); a "
            "tilt pattern is a prompt for review, not a diagnosis.",
        ],
        "not_a_diagnosis": True,
    }


def reading_markdown(result: dict[str, Any]) -> str:
    """Write a short plain-text report of the joint reading for the clinician."""
    lines = ["# Screening summary (for clinician review; not a diagnosis)", "", result["reading"], ""]
    for side in result["evidence"]["standing"]:
        v = side["pelvic_tilt_deg"]
        where = f"{side['side']} side" if side.get("side") else f"side not known ({side.get('input')})"
        lines.append(
            f"- Standing, {where}: pelvic tilt "
            + (_not_measured(side.get("reason")) if v is None else f"{v:.1f} deg ({side['method']})")
        )
    sr = result["evidence"]["sit_and_reach"]
    if sr.get("reach_cm") is not None:
        lines.append(f"- Sit-and-reach: reach {sr['reach_cm']:.1f} cm beyond the toes")
    else:
        lines.append(f"- Sit-and-reach: reach {_not_measured(sr.get('reason'))}")
    if sr.get("lumbo_horizontal_deg") is not None:
        lo, hi = sr["lumbo_horizontal_ci95"]
        lines.append(
            f"- Sit-and-reach: lumbo-horizontal proxy (back contour) {sr['lumbo_horizontal_deg']:.0f} deg "
            f"(95% {lo:.0f}-{hi:.0f}; L-Hfx-style, provisional categories)"
        )
    split = sr.get("hip_spine_contribution") or {}
    if split.get("spinal_fraction") is not None:
        lo, hi = split["spinal_fraction_ci95"]
        lines.append(
            f"- Sit-and-reach: spine's share of the trunk's forward rotation {split['spinal_fraction']:.0%} "
            f"(95% {lo:.0%}-{hi:.0%}; pelvis from the {split['method'].split(' (pelvis)')[0]})"
        )
    lr = result["evidence"].get("left_right")
    if lr and lr.get("difference_deg") is not None:
        lines.append(
            f"- Left minus right tilt: {lr['difference_deg']:+.1f} deg "
            f"({'beyond' if lr['exceeds_error'] else 'within'} measurement error {lr['limit_deg']:.1f} deg)"
        )
    lines += ["", "Caveats:"] + [f"- {c}" for c in result["caveats"]]
    return "\n".join(lines) + "\n"


def _not_measured(reason: str | None) -> str:
    """``not measured.`` followed by the reason's sentences, when there is one."""
    return "not measured." + (f" {reason}" if reason else "")
