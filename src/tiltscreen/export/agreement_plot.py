"""The Bland–Altman plot of one comparison, as PNG (matplotlib ``Figure`` on the Agg canvas, no pyplot)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from tiltscreen.export.agreement import Agreement
from tiltscreen.outputs.files import write_file_atomic


def bland_altman_png(
    path: str | os.PathLike[str],
    tool: np.ndarray,
    reference: np.ndarray,
    result: Agreement,
    *,
    title: str,
    unit: str,
) -> Path:
    """Draw differences (tool - reference) against pair means, with the bias, limits and their 95% CIs.

    Parameters
    ----------
    path : path-like
        PNG file to write (atomically).
    tool, reference : ndarray, shape (n,)
        The used pairs, in ``unit``.
    result : Agreement
        Their statistics (:func:`tiltscreen.export.agreement.agreement`).
    title, unit : str
        Plot title and the metric's unit.

    Returns
    -------
    Path
        ``path``.

    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    ba = result.bland_altman
    mean, diff = (tool + reference) / 2.0, tool - reference
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.scatter(mean, diff, s=22, color="#0072b2", zorder=3, label=f"recordings (n = {ba.n})")
    for value, ci, style, text in (
        (ba.bias, ba.bias_ci95, "-", "bias"),
        (ba.loa_low, ba.loa_low_ci95, "--", f"bias − {ba.z:g} SD"),
        (ba.loa_high, ba.loa_high_ci95, "--", f"bias + {ba.z:g} SD"),
    ):
        ax.axhline(value, color="#d55e00", linestyle=style, linewidth=1.2)
        ax.axhspan(ci[0], ci[1], color="#d55e00", alpha=0.12, linewidth=0)
        ax.annotate(f"{text} {value:.2f}", xy=(1.0, value), xycoords=("axes fraction", "data"),
                    xytext=(-4, 3), textcoords="offset points", ha="right", fontsize=8)  # fmt: skip
    ax.axhline(0.0, color="0.5", linewidth=0.8)
    rel = result.reliability
    ax.set_title(
        f"{title}: ICC(2,1) {rel.icc2_1:.2f}, SEM {rel.sem:.2f}, MDC95 {rel.mdc95:.2f} {unit}", fontsize=10
    )
    ax.set_xlabel(f"mean of tiltscreen and reference ({unit})")
    ax.set_ylabel(f"tiltscreen − reference ({unit})")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return write_file_atomic(path, buf.getvalue())
