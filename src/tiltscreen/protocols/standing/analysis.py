"""Standing pelvic tilt and posture: metrics, a suggested Kendall type, flags for review (pure functions).

Sign conventions: ``pelvic_tilt_deg`` is the ASIS–PSIS line against the true horizontal,
positive when the ASIS is lower than the PSIS (anterior tilt); ``trunk_inclination_deg``
hip→shoulder from vertical, forward positive; ``hip_extension_deg`` positive when the
thigh is behind the trunk line; ``knee_hyperextension_deg`` positive when the knee is
behind the hip–ankle line; plumb offsets are the ear, shoulder, hip and knee in front of
the vertical through the ankle (positive forward).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tiltscreen.config.thresholds import Thresholds
from tiltscreen.protocols.common import Flag, Metric

#: half-widths of 95% intervals for the 2-D posture angles (renders: 1.5-3 deg joint-angle error;
#: a window median reduces jitter but not landmark placement bias), degrees
ANGLE_CI_DEG = 4.0


@dataclass(frozen=True)
class Reference:
    """The healthy ASIS–PSIS reference and the tool's flag margin (from the thresholds file)."""

    mean: float
    sd: float
    flag_sd: float
    source: str

    @classmethod
    def from_thresholds(cls, th: Thresholds) -> Reference:
        """Read ``standing.reference_tilt_deg`` and ``standing.anterior_flag_sd``."""
        ref, margin = th.standing.reference_tilt_deg, th.standing.anterior_flag_sd
        return cls(ref.mean, ref.sd, margin.value, f"{ref.source} Margin: {margin.source}")

    @property
    def anterior_limit(self) -> float:
        """Mean + flag_sd × SD (23° with 13 ± 5° and 2 SD)."""
        return self.mean + self.flag_sd * self.sd


def angle_metric(value: float, method: str, *, n: int, reason: str | None = None) -> Metric:
    """Return a window-median angle with the stated 95% half-width (None with a reason if not measurable)."""
    if not math.isfinite(value) or n == 0:
        return Metric.missing(
            "deg", method, reason or "The landmarks needed were not seen in the quiet window."
        )
    return Metric(value, "deg", method, (value - ANGLE_CI_DEG, value + ANGLE_CI_DEG))


def length_metric(value_px: float, method: str, *, px_per_cm: float | None, rel: float | None) -> Metric:
    """Return a plumb-line offset in cm when a scale exists, else in px."""
    if not math.isfinite(value_px):
        return Metric.missing("cm", method, "The landmarks needed were not seen in the quiet window.")
    if px_per_cm is None:
        return Metric(value_px, "px", method + " (no scale: pass --subject-height-cm for cm)")
    cm = value_px / px_per_cm
    half = 1.96 * math.hypot(abs(cm) * (rel or 0.0), 1.0)  # 1 cm (1 SD) landmark placement, stated assumption
    return Metric(cm, "cm", method, (cm - half, cm + half))


def _se(metric: Metric) -> float | None:
    if metric.value is None or metric.ci95 is None:
        return None
    return (metric.ci95[1] - metric.ci95[0]) / (2 * 1.96)


def kendall_type(metrics: dict[str, Metric], th: Thresholds, ref: Reference) -> dict[str, Any]:
    """Return a suggested postural type in Kendall's terms, with the rules that gave it.

    Rules (provisional translations of Kendall's descriptions, thresholds in the file):
    sway-back when the shoulder is behind the hip by more than ``sway_shoulder_behind_hip_cm``
    and the hip is extended by at least ``sway_hip_extension_deg``; otherwise
    kyphotic-lordotic when the pelvic tilt is above mean + ``lordotic_tilt_above_mean_sd`` SD;
    flat-back when below mean − ``flat_tilt_below_mean_sd`` SD; ideal otherwise. Without a
    tilt value only sway-back can be decided.
    """
    k = th.standing.kendall
    tilt, hip_ext = metrics["pelvic_tilt_deg"].value, metrics["hip_extension_deg"].value
    shoulder, hip = metrics["plumb_shoulder"], metrics["plumb_hip"]
    behind = None
    if shoulder.value is not None and hip.value is not None and shoulder.unit == "cm":
        behind = hip.value - shoulder.value
    rules = (
        f"sway-back: shoulder > {k.sway_shoulder_behind_hip_cm} cm behind the hip and hip extension >= "
        f"{k.sway_hip_extension_deg} deg; kyphotic-lordotic: tilt > {ref.mean} + "
        f"{k.lordotic_tilt_above_mean_sd} x {ref.sd} deg; flat-back: tilt < {ref.mean} - "
        f"{k.flat_tilt_below_mean_sd} x {ref.sd} deg; ideal otherwise"
    )
    evidence = {"pelvic_tilt_deg": tilt, "hip_extension_deg": hip_ext, "shoulder_behind_hip_cm": behind}
    label = "indeterminate"
    if (
        behind is not None
        and hip_ext is not None
        and behind > k.sway_shoulder_behind_hip_cm
        and (hip_ext >= k.sway_hip_extension_deg)
    ):
        label = "sway-back"
    elif tilt is not None:
        if tilt > ref.mean + k.lordotic_tilt_above_mean_sd * ref.sd:
            label = "kyphotic-lordotic"
        elif tilt < ref.mean - k.flat_tilt_below_mean_sd * ref.sd:
            label = "flat-back"
        else:
            label = "ideal"
    return {
        "suggested": label,
        "rules": rules,
        "evidence": evidence,
        "status": k.status,
        "source": k.source,
    }


def tilt_flags(tilt: Metric, ref: Reference, *, baseline: Metric | None = None) -> list[Flag]:
    """Anterior-tilt pattern (statistical) and change from the patient's own baseline."""
    if tilt.value is None:
        return []
    flags: list[Flag] = []
    lo = tilt.ci95[0] if tilt.ci95 else tilt.value
    evidence = {
        "pelvic_tilt_deg": round(tilt.value, 1),
        "ci95": tilt.ci95 and [round(v, 1) for v in tilt.ci95],
        "method": tilt.method,
        "limit_deg": ref.anterior_limit,
    }
    if tilt.value > ref.anterior_limit:
        sure = lo > ref.anterior_limit
        flags.append(
            Flag(
                "anterior_pelvic_tilt_pattern",
                "review",
                f"Pelvic tilt {tilt.value:.1f}° ({tilt.method}) is above the healthy reference mean + "
                f"{ref.flag_sd:g} SD ({ref.anterior_limit:.0f}°)"
                + ("" if sure else "; the 95% interval reaches below that limit")
                + ". An anterior tilt pattern for review, not a diagnosis: pelvic shape alone spans 0-23°.",
                evidence,
                ref.source,
            )
        )
    if baseline is not None and baseline.value is not None:
        se_now, se_then = _se(tilt), _se(baseline)
        if se_now is not None and se_then is not None:
            mdc = 1.96 * math.hypot(se_now, se_then)
            change = tilt.value - baseline.value
            if abs(change) > mdc:
                flags.append(
                    Flag(
                        "tilt_change_from_baseline",
                        "review",
                        f"Pelvic tilt changed by {change:+.1f}° since the baseline, more than the smallest "
                        "detectable "
                        f"change of these two measurements ({mdc:.1f}°).",
                        {
                            "baseline_deg": round(baseline.value, 1),
                            "now_deg": round(tilt.value, 1),
                            "mdc95_deg": round(mdc, 1),
                        },
                        "MDC95 = 1.96 x sqrt(SE_now^2 + SE_baseline^2), from each measurement's 95% interval",
                    )
                )
    return flags


def knee_flag(metric: Metric, th: Thresholds) -> list[Flag]:
    """Knee hyperextension beyond the review threshold."""
    entry = th.standing.knee_hyperextension_review_deg
    if metric.value is None or metric.value <= entry.value:
        return []
    return [
        Flag(
            "knee_hyperextension",
            "review",
            f"Knee hyperextended {metric.value:.1f}° (behind the hip-ankle line; review threshold "
            f"{entry.value:g}°, provisional).",
            {"knee_hyperextension_deg": round(metric.value, 1), "threshold_deg": entry.value},
            entry.source,
        )
    ]


def asymmetry(left: Metric, right: Metric) -> dict[str, Any]:
    """Left minus right pelvic tilt and whether it exceeds the two measurements' combined error."""
    if left.value is None or right.value is None:
        return {
            "difference_deg": None,
            "exceeds_error": None,
            "reason": "Pelvic tilt was not measured on both sides.",
        }
    se_l, se_r = _se(left), _se(right)
    limit = 1.96 * math.hypot(se_l or 0.0, se_r or 0.0)
    diff = left.value - right.value
    return {
        "difference_deg": round(diff, 1),
        "limit_deg": round(limit, 1),
        "exceeds_error": abs(diff) > limit,
        "caveat": "Bony asymmetry alone can make the two sides differ by up to 11 deg (Preece 2008); a "
        "difference is a pattern for review (e.g. the Postural Restoration Institute's 'left AIC' "
        "describes a left pelvis more anterior), never a diagnosis.",
    }


def asymmetry_flag(result: dict[str, Any]) -> list[Flag]:
    """Return a review flag when the left-right difference exceeds measurement error."""
    if not result.get("exceeds_error"):
        return []
    more = "left" if result["difference_deg"] > 0 else "right"
    return [
        Flag(
            "left_right_tilt_asymmetry",
            "review",
            f"The {more} side reads {abs(result['difference_deg']):.1f}° more anterior than the other, more "
            f"than the combined measurement error ({result['limit_deg']:.1f}°). " + result["caveat"],
            result,
            "Preece SJ et al. J Man Manip Ther 2008;16(2):113-7 (bony asymmetry up to 11 deg); "
            "Herrington L. Man Ther 2011;16(6):646-8 (L-R differences below the smallest detectable "
            "difference)",
        )
    ]
