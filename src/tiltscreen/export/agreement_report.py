"""The agreement report: per comparison (metric, method, rater) the statistics, as CSV, Markdown and plots.

Files written into the output folder (each atomically):

``agreement.csv``
    one row per comparison: n, Bland–Altman bias, SD, limits of agreement with 95% CIs, proportional
    bias (slope, p), ICC(2,1) and ICC(3,1) with 95% CIs, SEM, MDC95, and the count of each pair status;
``agreement.md``
    the same as a Markdown table, then every issue (unmatched IDs, missing values, ...) and the methods;
``pairs.csv``
    every reference row matched to a recording, with both values and its status (``used`` or why not);
``bland_altman_<metric>[_<method>][_<rater>].png``
    the Bland–Altman plot of each comparison with at least 3 pairs.

Statistics come from :mod:`tiltscreen.export.agreement` (differences are tool - reference).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.export.agreement import MIN_PAIRS, Agreement, agreement
from tiltscreen.export.agreement_study import STATUSES, Issue, Pair
from tiltscreen.outputs.files import write_file_atomic


@dataclass(frozen=True)
class Comparison:
    """One comparison's pairs and statistics (``result`` None when fewer than 3 pairs are usable)."""

    metric: str
    method: str
    rater: str
    unit: str
    pairs: tuple[Pair, ...]
    result: Agreement | None
    note: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """File-name-safe label: metric, then method and rater when given."""
        parts = [self.metric, self.method, self.rater]
        return "_".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p) for p in parts if p)


def compare(pairs: Sequence[Pair]) -> list[Comparison]:
    """Group pairs by (metric, method, rater) and compute the agreement of each group's used pairs."""
    groups: dict[tuple[str, str, str], list[Pair]] = {}
    for p in pairs:
        groups.setdefault((p.metric, p.method, p.rater), []).append(p)
    out = []
    for (metric, method, rater), ps in sorted(groups.items()):
        used = [p for p in ps if p.status == "used"]
        counts = {s: sum(p.status == s for p in ps) for s in STATUSES}
        result, note = None, ""
        if len(used) >= MIN_PAIRS:
            try:
                result = agreement([p.tool for p in used], [p.reference for p in used])
            except ValidationError as err:
                note = str(err)
        else:
            note = f"Only {len(used)} usable pair(s); at least {MIN_PAIRS} are needed."
        out.append(Comparison(metric, method, rater, used[0].unit if used else ps[0].unit, tuple(ps), result,
                              note, counts))  # fmt: skip
    return out


#: columns of agreement.csv
COLUMNS = (
    "metric", "method", "rater", "unit", "n", "bias", "bias_ci95_low", "bias_ci95_high", "sd_diff",
    "loa_low", "loa_low_ci95_low", "loa_low_ci95_high", "loa_high", "loa_high_ci95_low", "loa_high_ci95_high",
    "proportional_slope", "proportional_p", "icc2_1", "icc2_1_ci95_low", "icc2_1_ci95_high", "icc3_1",
    "icc3_1_ci95_low", "icc3_1_ci95_high", "sem", "mdc95", *[f"n_{s}" for s in STATUSES], "note",
)  # fmt: skip


def row(c: Comparison) -> dict[str, object]:
    """One comparison as a flat row of :data:`COLUMNS` (statistics empty without a result)."""
    out: dict[str, object] = {"metric": c.metric, "method": c.method, "rater": c.rater, "unit": c.unit}
    out.update({f"n_{s}": c.counts.get(s, 0) for s in STATUSES})
    out["note"] = c.note
    if c.result is None:
        out["n"] = c.counts.get("used", 0)
        return {k: out.get(k, "") for k in COLUMNS}
    ba, rel = c.result.bland_altman, c.result.reliability
    out.update(n=c.result.n, bias=ba.bias, sd_diff=ba.sd, loa_low=ba.loa_low, loa_high=ba.loa_high)
    out.update(proportional_slope=ba.slope, proportional_p=ba.slope_p, icc2_1=rel.icc2_1, icc3_1=rel.icc3_1)
    out.update(sem=rel.sem, mdc95=rel.mdc95)
    for name, ci in (("bias", ba.bias_ci95), ("loa_low", ba.loa_low_ci95), ("loa_high", ba.loa_high_ci95),
                     ("icc2_1", rel.icc2_1_ci95), ("icc3_1", rel.icc3_1_ci95)):  # fmt: skip
        out[f"{name}_ci95_low"], out[f"{name}_ci95_high"] = ci
    return {k: out.get(k, "") for k in COLUMNS}


def _csv(rows: Sequence[dict[str, object]], columns: Sequence[str]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()})
    return buf.getvalue().encode("utf-8")


def _f(x: object, nd: int = 2) -> str:
    return f"{x:.{nd}f}" if isinstance(x, float) and math.isfinite(x) else "—"


def _ci(lo: object, hi: object, nd: int = 2) -> str:
    return f"({_f(lo, nd)} to {_f(hi, nd)})" if isinstance(lo, float) and math.isfinite(lo) else ""


def _md_line(r: dict[str, object]) -> str:
    unit = r["unit"]
    label = " / ".join(str(x) for x in (r["metric"], r["method"], r["rater"]) if x)
    return (
        f"| {label} | {unit} | {r['n']} | {_f(r['bias'])} {_ci(r['bias_ci95_low'], r['bias_ci95_high'])} "
        f"| {_f(r['loa_low'])} to {_f(r['loa_high'])} | {_f(r['proportional_slope'], 3)} "
        f"(p {_f(r['proportional_p'], 3)}) "
        f"| {_f(r['icc2_1'])} {_ci(r['icc2_1_ci95_low'], r['icc2_1_ci95_high'])} "
        f"| {_f(r['icc3_1'])} {_ci(r['icc3_1_ci95_low'], r['icc3_1_ci95_high'])} | {_f(r['sem'])} "
        f"| {_f(r['mdc95'])} | {r['note']} |"
    )


METHODS_TEXT = (
    "Differences are tiltscreen minus reference, in the metric's unit. Bland–Altman: bias = mean difference, "
    "limits = bias ± 1.96 SD, approximate 95% CIs with SE(bias) = SD/√n and SE(limit) = √(3 SD²/n) "
    "(Bland & Altman 1986, 1999); proportional bias = least-squares slope of the differences on the pair "
    "means. ICC(2,1) (two-way random, absolute agreement) and ICC(3,1) (two-way mixed, consistency) with "
    "95% CIs (Shrout & Fleiss 1979; pingouin). SEM = √(residual mean square of the two-way ANOVA); "
    "MDC95 = 1.96 · √2 · SEM (Weir 2005)."
)


def markdown(comparisons: Sequence[Comparison], issues: Sequence[Issue]) -> str:
    """Return the Markdown report: the table, the issues (none dropped silently) and the methods."""
    lines = [
        "# Agreement with the reference values",
        "",
        "| metric / method / rater | unit | n | bias (95% CI) | limits of agreement | proportional bias "
        "| ICC(2,1) (95% CI) | ICC(3,1) (95% CI) | SEM | MDC95 | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[_md_line(row(c)) for c in comparisons],
        "",
        "## Pairs not used and other issues",
        "",
    ]
    for c in comparisons:
        label = " ".join(x for x in (c.metric, c.method, c.rater) if x)
        lines += [
            f"- {label}: {p.recording_id} — {p.status}: {p.detail}" for p in c.pairs if p.status != "used"
        ]
    lines += [f"- {i.kind} ({i.where}): {i.message}" for i in issues]
    if lines[-1] == "":
        lines.append("None.")
    return "\n".join([*lines, "", "## Methods", "", METHODS_TEXT, ""])


def write_report(
    out_dir: str | os.PathLike[str], comparisons: Sequence[Comparison], issues: Sequence[Issue]
) -> dict[str, Path]:
    """Write ``agreement.csv``, ``agreement.md``, ``pairs.csv`` and one plot per comparison with a result."""
    from tiltscreen.export.agreement_plot import bland_altman_png

    out = Path(out_dir)
    written = {
        "agreement.csv": write_file_atomic(
            out / "agreement.csv", _csv([row(c) for c in comparisons], COLUMNS)
        ),
        "agreement.md": write_file_atomic(
            out / "agreement.md", markdown(comparisons, issues).encode("utf-8")
        ),
    }
    pair_cols = ("recording_id", "metric", "method", "rater", "session", "unit", "tool", "reference",
                 "status", "detail")  # fmt: skip
    pair_rows = [{k: getattr(p, k) for k in pair_cols} for c in comparisons for p in c.pairs]
    written["pairs.csv"] = write_file_atomic(out / "pairs.csv", _csv(pair_rows, pair_cols))
    for c in comparisons:
        if c.result is not None:
            used = [p for p in c.pairs if p.status == "used"]
            tool = np.array([p.tool for p in used], float)
            ref = np.array([p.reference for p in used], float)
            name = f"bland_altman_{c.name}.png"
            written[name] = bland_altman_png(out / name, tool, ref, c.result, title=c.name, unit=c.unit)
    return written


@dataclass(frozen=True)
class StudyReport:
    """What :func:`run_agreement` found and wrote."""

    comparisons: tuple[Comparison, ...]
    issues: tuple[Issue, ...]
    files: dict[str, Path]


def run_agreement(
    results: str | os.PathLike[str], reference: str | os.PathLike[str], out_dir: str | os.PathLike[str]
) -> StudyReport:
    """Match the results under ``results`` with the reference CSV and write the report into ``out_dir``.

    Raises
    ------
    InputNotFoundError, InputError
        No results folder, or a reference file that is missing or lacks the required columns.

    """
    from tiltscreen.export.agreement_study import match, read_reference, tool_values

    values, ids, issues = tool_values(results)
    refs, ref_issues = read_reference(reference)
    pairs, match_issues = match(values, refs, ids)
    comparisons = compare(pairs)
    all_issues = (*issues, *ref_issues, *match_issues)
    return StudyReport(tuple(comparisons), all_issues, write_report(out_dir, comparisons, all_issues))


def write_template(results: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Write a reference template for every recording and metric under ``results`` (tool values left out)."""
    from tiltscreen.export.agreement_study import TEMPLATE_COLUMNS, template_rows, tool_values

    values, _, _ = tool_values(results)
    return write_file_atomic(path, _csv(template_rows(values), TEMPLATE_COLUMNS))
