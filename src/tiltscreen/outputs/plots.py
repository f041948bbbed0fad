"""Time-series figures of a recording, written as PNG with matplotlib (drawing at the edge, no analysis).

:func:`plot_time_series` stacks one panel per quantity over a shared time axis and shades
phases (trials, holds, invalid trials) on every panel; :func:`plot_sit_and_reach` builds the
sit-and-reach figure on it from a :class:`~tiltscreen.protocols.sit_and_reach.series.ReachSeries`
and its detected trials.

Only :class:`matplotlib.figure.Figure` with the Agg canvas is used, never ``pyplot``: no
global backend is selected, no figure is registered anywhere, and nothing outlives the call.
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.outputs.files import write_file_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PHASE_COLOURS",
    "PHASE_KINDS",
    "Panel",
    "Phase",
    "clip_phases",
    "plot_time_series",
    "time_series_figure",
]

#: kinds of :class:`Phase`, in drawing order (holds on top of their trial)
PHASE_KINDS = ("trial", "invalid", "hold")
#: fill colour and legend text of each phase kind (colour-blind-safe blue, vermilion, green)
PHASE_COLOURS = {"trial": "#56b4e9", "invalid": "#d55e00", "hold": "#009e73"}
_PHASE_ALPHA = {"trial": 0.18, "invalid": 0.22, "hold": 0.30}
_PHASE_LEGEND = {"trial": "trial (valid)", "invalid": "trial (invalid)", "hold": "hold"}
#: height (px) added to the panels for the title, the phase legend and the time axis
_HEADER_PX = 110


@dataclass(frozen=True, eq=False)
class Panel:
    """One panel of a time-series figure: one or more curves sharing a unit.

    Parameters
    ----------
    label : str
        Quantity shown, e.g. ``"reach beyond the toes"``; the y-axis reads ``"label (unit)"``.
    unit : str
        Unit of every curve, e.g. ``"cm"`` or ``"°"``.
    series : mapping of str to array_like
        Curve name -> values, one per time sample (checked against ``t_s`` when plotted).
        NaN leaves a gap in the curve.
    reference_lines : mapping of str to float, optional
        Name -> value of horizontal dashed lines (thresholds, zero lines), listed in the legend
        as ``"name (value unit)"``.

    Raises
    ------
    ValidationError
        Listing every problem (non-string label, unit or names, no curve, a curve that is not
        a 1-D numeric array, a reference value that is not a finite number).

    """

    label: str
    unit: str
    series: Mapping[str, np.ndarray]
    reference_lines: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be a string, got {getattr(self, name)!r}"
            for name in ("label", "unit")
            if not isinstance(getattr(self, name), str)
        ]
        curves: dict[str, np.ndarray] = {}
        if not isinstance(self.series, Mapping) or not self.series:
            problems.append("series must be a non-empty mapping of name -> values")
        else:
            for name, values in self.series.items():
                arr = np.asarray(values)
                if not isinstance(name, str):
                    problems.append(f"series names must be strings, got {name!r}")
                elif arr.ndim != 1 or arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.number):
                    got = f"{arr.dtype} {arr.shape}"
                    problems.append(f"series {name!r} must be a 1-D numeric array, got {got}")
                else:
                    curves[name] = arr.astype(np.float64)
        refs = self.reference_lines if isinstance(self.reference_lines, Mapping) else {}
        if not isinstance(self.reference_lines, Mapping):
            problems.append("reference_lines must be a mapping of name -> value")
        for name, value in refs.items():
            if not _finite_number(value) or not isinstance(name, str):
                problems.append(f"reference line {name!r} must be a finite number, got {value!r}")
        if problems:
            raise ValidationError(f"Panel {self.label!r}: " + "; ".join(problems) + ".")
        object.__setattr__(self, "series", curves)
        object.__setattr__(self, "reference_lines", {k: float(v) for k, v in refs.items()})


@dataclass(frozen=True)
class Phase:
    """A time span shaded on every panel.

    Parameters
    ----------
    start_s, end_s : float
        Start and end (s), finite, ``end_s >= start_s``; a zero-length phase is drawn as a line.
    label : str
        Text written over the span in the top panel (empty: none).
    kind : {"trial", "invalid", "hold"}
        Chooses the colour (see :data:`PHASE_COLOURS`) and the legend entry.

    Raises
    ------
    ValidationError
        Listing every problem with the fields.

    """

    start_s: float
    end_s: float
    label: str
    kind: str

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be a finite number, got {getattr(self, name)!r}"
            for name in ("start_s", "end_s")
            if not _finite_number(getattr(self, name))
        ]
        if not problems and self.end_s < self.start_s:
            problems.append(f"end_s ({self.end_s!r}) must not be before start_s ({self.start_s!r})")
        if not isinstance(self.label, str):
            problems.append(f"label must be a string, got {self.label!r}")
        if self.kind not in PHASE_KINDS:
            problems.append(f"kind must be one of {list(PHASE_KINDS)}, got {self.kind!r}")
        if problems:
            raise ValidationError("Phase: " + "; ".join(problems) + ".")


def _finite_number(value: object) -> bool:
    """Return True for a real, finite, non-boolean number."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def clip_phases(phases: Sequence[Phase], *, start_s: float, end_s: float) -> list[Phase]:
    """Clip phases to the time range ``[start_s, end_s]``, dropping those outside it.

    Parameters
    ----------
    phases : sequence of Phase
        The phases, in any order.
    start_s, end_s : float
        The time range (s) of the figure.

    Returns
    -------
    list of Phase
        The phases that overlap the range for a positive time (or, when zero-length, lie
        inside it), with their ends moved into the range; order kept.

    Examples
    --------
    >>> clip_phases([Phase(-2.0, 1.0, "a", "trial"), Phase(8.0, 9.0, "b", "hold")], start_s=0.0, end_s=5.0)
    [Phase(start_s=0.0, end_s=1.0, label='a', kind='trial')]

    """
    kept = []
    for ph in phases:
        lo, hi = max(ph.start_s, start_s), min(ph.end_s, end_s)
        if hi > lo or (ph.start_s == ph.end_s and start_s <= ph.start_s <= end_s):
            kept.append(Phase(float(lo), float(hi), ph.label, ph.kind))
    return kept


def _check_figure_args(
    t_s: np.ndarray, panels: object, phases: object, sizes: Mapping[str, object]
) -> list[str]:
    """Sentences for every problem with the arguments of :func:`time_series_figure`."""
    problems = []
    if t_s.ndim != 1 or t_s.shape[0] < 2 or not np.issubdtype(t_s.dtype, np.number):
        problems.append(f"t_s must be a 1-D numeric array of at least 2 times, got {t_s.dtype} {t_s.shape}")
    elif not (np.isfinite(t_s).all() and (np.diff(t_s) > 0).all()):
        problems.append("t_s must be finite and strictly increasing")
    if not isinstance(panels, Sequence) or not panels or not all(isinstance(p, Panel) for p in panels):
        problems.append("panels must be a non-empty list of Panel")
    elif t_s.ndim == 1:
        problems += [
            f"panel {p.label!r}: series {name!r} has {len(v)} values but t_s has {len(t_s)}"
            for p in panels
            for name, v in p.series.items()
            if len(v) != len(t_s)
        ]
    if not isinstance(phases, Sequence) or not all(isinstance(ph, Phase) for ph in phases):
        problems.append("phases must be a list of Phase")
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{name} must be a positive integer, got {value!r}")
    return problems


def time_series_figure(
    *,
    t_s: np.ndarray,
    panels: Sequence[Panel],
    phases: Sequence[Phase] = (),
    title: str = "",
    width_px: int = 1400,
    panel_height_px: int = 260,
    dpi: int = 100,
) -> Figure:
    """Build the stacked time-series figure (not saved; see :func:`plot_time_series`).

    Parameters are those of :func:`plot_time_series`.

    Returns
    -------
    matplotlib.figure.Figure
        A figure on its own Agg canvas, ``width_px`` by ``panel_height_px * len(panels) + 110``
        pixels at ``dpi``; ``fig.axes`` are the panels, top to bottom.

    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    t = np.asarray(t_s)
    sizes = {"width_px": width_px, "panel_height_px": panel_height_px, "dpi": dpi}
    problems = _check_figure_args(t, panels, phases, sizes)
    if problems:
        raise ValidationError("Cannot plot the time series: " + "; ".join(problems) + ".")
    t = t.astype(np.float64)
    height_px = panel_height_px * len(panels) + _HEADER_PX
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    shown = clip_phases(phases, start_s=float(t[0]), end_s=float(t[-1]))
    for ax, panel in zip(axes, panels, strict=True):
        _draw_panel(ax, t, panel)
        _shade_phases(ax, shown)
    _label_phases(axes[0], shown, width_px=width_px, span_s=float(t[-1] - t[0]))
    axes[0].set_xlim(float(t[0]), float(t[-1]))
    axes[-1].set_xlabel("time (s)")
    kinds = [k for k in PHASE_KINDS if any(ph.kind == k for ph in shown)]
    if kinds:
        handles = [
            Patch(facecolor=PHASE_COLOURS[k], alpha=min(1.0, 2 * _PHASE_ALPHA[k]), label=_PHASE_LEGEND[k])
            for k in kinds
        ]
        fig.legend(handles=handles, loc="outside upper right", ncols=len(kinds), frameon=False)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize="large")
    return fig


def _draw_panel(ax: Axes, t: np.ndarray, panel: Panel) -> None:
    """Curves (NaN leaves gaps), reference lines, y label, grid and legend of one panel."""
    for name, values in panel.series.items():
        ax.plot(t, values, label=name, linewidth=1.6)
    for j, (name, value) in enumerate(panel.reference_lines.items()):
        label = f"{name} ({value:g} {panel.unit})".replace(" °", "°")
        ax.axhline(value, color="0.25", linestyle=("--", ":", "-.")[j % 3], linewidth=1.1, label=label)
    ax.set_ylabel(f"{panel.label} ({panel.unit})" if panel.unit else panel.label)
    ax.grid(True, color="0.88", linewidth=0.8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize="small", frameon=False)


def _shade_phases(ax: Axes, phases: Sequence[Phase]) -> None:
    """Shade each phase behind the curves; holds drawn over their trial."""
    for kind in PHASE_KINDS:
        for ph in (p for p in phases if p.kind == kind):
            colour, alpha = PHASE_COLOURS[kind], _PHASE_ALPHA[kind]
            if ph.end_s > ph.start_s:
                ax.axvspan(ph.start_s, ph.end_s, facecolor=colour, alpha=alpha, linewidth=0, zorder=0)
            else:
                ax.axvline(ph.start_s, color=colour, alpha=min(1.0, 3 * alpha), linewidth=2, zorder=0)


def _label_phases(ax: Axes, phases: Sequence[Phase], *, width_px: int, span_s: float) -> None:
    """Write phase labels in the top panel: trials at the top, holds at the bottom, wrapped to the span."""
    labelled = [ph for ph in phases if ph.label]
    if not labelled:
        return
    low, high = ax.get_ylim()  # headroom so labels sit above (holds: below) the curves
    extra_low = 0.12 if any(ph.kind == "hold" for ph in labelled) else 0.0
    extra_high = 0.28 if any(ph.kind != "hold" for ph in labelled) else 0.0
    ax.set_ylim(low - extra_low * (high - low), high + extra_high * (high - low))
    transform = ax.get_xaxis_transform()  # x in data, y in axes fraction
    for ph in labelled:
        span_px = 0.8 * width_px * (ph.end_s - ph.start_s) / span_s
        text = textwrap.fill(ph.label, width=max(14, int(span_px / 6.5)))
        at_top = ph.kind != "hold"
        ax.text(
            (ph.start_s + ph.end_s) / 2,
            0.97 if at_top else 0.03,
            text,
            transform=transform,
            ha="center",
            va="top" if at_top else "bottom",
            fontsize="x-small",
            color="#7a2e00" if ph.kind == "invalid" else "0.15",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.75, "linewidth": 0},
        )


def plot_time_series(
    path: str | os.PathLike[str],
    *,
    t_s: np.ndarray,
    panels: Sequence[Panel],
    phases: Sequence[Phase] = (),
    title: str = "",
    width_px: int = 1400,
    panel_height_px: int = 260,
    dpi: int = 100,
) -> Path:
    """Write stacked time-series panels with shaded phases as a PNG.

    Parameters
    ----------
    path : path-like
        Target ``.png``; its folder is created if missing; written atomically.
    t_s : array_like, shape (time,)
        Sample times (s), finite and strictly increasing, at least 2.
    panels : sequence of Panel
        Top to bottom; every curve has one value per time.
    phases : sequence of Phase, optional
        Spans shaded on every panel, clipped to ``[t_s[0], t_s[-1]]`` (see :func:`clip_phases`);
        one legend entry per kind present.
    title : str, optional
        Written at the top left.
    width_px, panel_height_px, dpi : int, optional
        The PNG is ``width_px`` wide and ``panel_height_px * len(panels) + 110`` pixels high.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValidationError
        Listing every problem with the arguments.
    ImageWriteError
        If the file cannot be written.

    Notes
    -----
    NaN values leave gaps in a curve; nothing is interpolated. The time axis spans exactly
    ``t_s[0]`` to ``t_s[-1]``.

    """
    fig = time_series_figure(
        t_s=t_s,
        panels=panels,
        phases=phases,
        title=title,
        width_px=width_px,
        panel_height_px=panel_height_px,
        dpi=dpi,
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return write_file_atomic(path, buffer.getvalue())
