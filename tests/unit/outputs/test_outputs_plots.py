"""Time-series figures: PNG size and decoding, NaN gaps, phase shading and clipping, sit-and-reach labels."""

from __future__ import annotations

import dataclasses
from contextlib import nullcontext as does_not_raise
from pathlib import Path

import cv2
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from tiltscreen.errors import ValidationError
from tiltscreen.outputs import plots
from tiltscreen.outputs.keyframe import ImageWriteError
from tiltscreen.outputs.plots import (
    PHASE_COLOURS,
    Panel,
    Phase,
    clip_phases,
    plot_time_series,
    time_series_figure,
)
from tiltscreen.protocols.sit_and_reach.figures import plot_sit_and_reach
from tiltscreen.protocols.sit_and_reach.series import ReachSeries, SitAndReachRules
from tiltscreen.protocols.sit_and_reach.trials import detect_trials

#: small figures keep the tests fast: 500 px wide, 120 px per panel (+ 110 px header)
SIZE = {"width_px": 500, "panel_height_px": 120, "dpi": 100}
T = np.linspace(0.0, 10.0, 101)


def _decode(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, f"{path} does not decode as an image"
    return image


def _panels() -> list[Panel]:
    """Two panels: a sine with a NaN gap (t in [4, 6]) and two angles with a reference line."""
    sine = np.sin(T)
    sine[(T >= 4) & (T <= 6)] = np.nan
    return [
        Panel("reach", "cm", {"reach": sine}, {"toes": 0.0}),
        Panel("angle", "°", {"hip": 90 + T, "trunk": 10 + 2 * T}, {"tolerance": 10.0, "zero": 0.0}),
    ]


# --- PNG output ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phases",
    [
        pytest.param([], id="no-phases"),
        pytest.param(
            [
                Phase(1.0, 3.0, "Trial 1: 5.0 cm", "trial"),
                Phase(1.5, 2.5, "hold 1.0 s", "hold"),
                Phase(6.0, 8.0, "Trial 2 invalid: knees bent 17° during the hold", "invalid"),
            ],
            id="all-kinds",
        ),  # fmt: skip
    ],
)
def test_png_has_expected_size_and_decodes(tmp_path: Path, phases: list[Phase]) -> None:
    """Two panels of 120 px plus the 110 px header: 350 x 500 px; nothing else left in the folder."""
    path = plot_time_series(tmp_path / "sub" / "fig.png", t_s=T, panels=_panels(), phases=phases,
                            title="Test", **SIZE)  # fmt: skip
    assert path == tmp_path / "sub" / "fig.png"
    assert _decode(path).shape == (2 * 120 + 110, 500, 3)
    assert [p.name for p in path.parent.iterdir()] == ["fig.png"], "no temp file left behind"


def test_all_nan_series_and_single_panel(tmp_path: Path) -> None:
    """A curve with no known value draws nothing, without a warning (warnings are errors here)."""
    panel = Panel("knee", "°", {"knee": np.full(T.size, np.nan)})
    assert _decode(plot_time_series(tmp_path / "f.png", t_s=T, panels=[panel], **SIZE)).shape == (230, 500, 3)


def test_nan_leaves_a_gap_in_the_curve() -> None:
    """The sine is NaN for 4 <= t <= 6: no curve pixel at t = 5 inside the panel, some at t = 2."""
    fig = time_series_figure(t_s=T, panels=_panels()[:1], **SIZE)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    ax = fig.axes[0]
    line = ax.lines[0]
    assert np.isnan(line.get_ydata()[(T >= 4) & (T <= 6)]).all(), "not interpolated"
    colour = np.array(to_rgb(line.get_color())) * 255
    height = rgb.shape[0]
    bbox = ax.get_window_extent()
    rows = slice(int(height - bbox.y1) + 2, int(height - bbox.y0) - 2)  # display y is upward

    def curve_pixels(t: float) -> int:
        col = int(round(ax.transData.transform((t, 0.0))[0]))
        return int((np.abs(rgb[rows, col - 1 : col + 2] - colour).sum(axis=2) < 40).sum())

    assert curve_pixels(2.0) > 0
    assert curve_pixels(5.0) == 0


def test_phases_shade_every_panel_and_time_axis_is_the_data_range() -> None:
    """Phases beyond the data are clipped; x spans exactly t_s[0]..t_s[-1]; one legend entry per kind."""
    phases = [Phase(-5, 2, "early", "trial"), Phase(9, 20, "late", "invalid"), Phase(30, 40, "x", "hold")]
    fig = time_series_figure(t_s=T, panels=_panels(), phases=phases, **SIZE)
    for ax in fig.axes:
        assert ax.get_xlim() == (0.0, 10.0)
        assert len(ax.patches) == 2, "the hold at 30-40 s lies outside and is dropped"
        spans = [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches]
        np.testing.assert_allclose(spans, [(0.0, 2.0), (9.0, 10.0)])
        colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in ax.patches}
        assert len(colours) == 2, "trial and invalid have distinct colours"
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["trial (valid)", "trial (invalid)"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["early", "late"]


def test_distinct_phase_colours() -> None:
    assert len(set(PHASE_COLOURS.values())) == len(PHASE_COLOURS) == 3


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        pytest.param(Phase(2, 3, "a", "trial"), (2.0, 3.0), id="inside"),
        pytest.param(Phase(-1, 3, "a", "trial"), (0.0, 3.0), id="straddles-start"),
        pytest.param(Phase(8, 12, "a", "hold"), (8.0, 10.0), id="straddles-end"),
        pytest.param(Phase(-5, 15, "a", "invalid"), (0.0, 10.0), id="covers-all"),
        pytest.param(Phase(5, 5, "a", "hold"), (5.0, 5.0), id="zero-length-inside"),
        pytest.param(Phase(-3, -1, "a", "trial"), None, id="before"),
        pytest.param(Phase(11, 12, "a", "trial"), None, id="after"),
        pytest.param(Phase(10, 12, "a", "trial"), None, id="touches-end-only"),
        pytest.param(Phase(12, 12, "a", "hold"), None, id="zero-length-outside"),
    ],
)
def test_clip_phases(phase: Phase, expected: tuple[float, float] | None) -> None:
    clipped = clip_phases([phase], start_s=0.0, end_s=10.0)
    if expected is None:
        assert clipped == []
    else:
        assert clipped == [dataclasses.replace(phase, start_s=expected[0], end_s=expected[1])]


# --- argument checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expectation"),
    [
        pytest.param(lambda: Panel("a", "cm", {"x": [1.0, 2.0]}), does_not_raise(), id="panel-ok"),
        pytest.param(lambda: Panel("a", "cm", {}), pytest.raises(ValidationError, match="non-empty"),
                     id="panel-no-curve"),
        pytest.param(lambda: Panel("a", "cm", {"x": np.ones((2, 2))}),
                     pytest.raises(ValidationError, match="1-D"), id="panel-2d"),
        pytest.param(lambda: Panel("a", "cm", {"x": [True]}), pytest.raises(ValidationError, match="numeric"),
                     id="panel-bool"),
        pytest.param(lambda: Panel("a", 3, {"x": [1.0]}, {"t": np.nan}),  # type: ignore[arg-type]
                     pytest.raises(ValidationError, match=r"unit must be a string.*'t' must be a finite"),
                     id="panel-every-problem"),
        pytest.param(lambda: Phase(1.0, 2.0, "", "trial"), does_not_raise(), id="phase-ok"),
        pytest.param(lambda: Phase(2.0, 1.0, "", "trial"), pytest.raises(ValidationError, match="before"),
                     id="phase-reversed"),
        pytest.param(lambda: Phase(np.nan, 1.0, "", "trial"), pytest.raises(ValidationError, match="finite"),
                     id="phase-nan"),
        pytest.param(lambda: Phase(0.0, 1.0, "", "rest"), pytest.raises(ValidationError, match="'rest'"),
                     id="phase-kind"),
    ],
)  # fmt: skip
def test_panel_and_phase_checks(make, expectation) -> None:
    with expectation:
        make()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"t_s": T[:1]}, "at least 2", id="one-time"),
        pytest.param({"t_s": T[::-1]}, "strictly increasing", id="decreasing"),
        pytest.param({"t_s": T[:50]}, "has 101 values but t_s has 50", id="length-mismatch"),
        pytest.param({"panels": []}, "non-empty list of Panel", id="no-panels"),
        pytest.param({"phases": [(0, 1)]}, "list of Phase", id="bad-phase"),
        pytest.param({"width_px": 0, "dpi": 1.5}, r"width_px must be .*dpi must be", id="sizes"),
    ],
)
def test_plot_time_series_checks(tmp_path: Path, kwargs: dict, match: str) -> None:
    args = {"t_s": T, "panels": _panels(), **SIZE, **kwargs}
    with pytest.raises(ValidationError, match=match):
        plot_time_series(tmp_path / "f.png", **args)
    assert not any(tmp_path.iterdir())


def test_unwritable_target_is_a_specific_error(tmp_path: Path) -> None:
    (tmp_path / "taken.png").mkdir()
    with pytest.raises(ImageWriteError, match="Cannot write"):
        plot_time_series(tmp_path / "taken.png", t_s=T, panels=_panels(), **SIZE)
    assert [p.name for p in tmp_path.iterdir()] == ["taken.png"]


# --- sit-and-reach ------------------------------------------------------------------------------


@pytest.fixture
def reach_recording() -> tuple[ReachSeries, list]:
    """30 fps, 20 s: two reaches from -15 cm up to +5 and +8 cm, each held 3 s; knees 3° bent.

    Reach rises over 1 s, holds 3 s, returns over 1 s (trial 1 from 2 s, trial 2 from 11 s);
    the reach is unknown (NaN) for 0.3 s in the rest between the trials.
    """
    t = np.arange(0, 20, 1 / 30)

    def reach_shape(start: float, top: float) -> np.ndarray:
        up = np.clip(t - start, 0, 1) - np.clip(t - start - 4, 0, 1)
        return up * (top + 15)

    reach = -15 + reach_shape(2, 5) + reach_shape(11, 8)
    reach[(t > 8) & (t < 8.3)] = np.nan
    lean = reach + 15
    series = ReachSeries(
        t_s=t, reach_cm=reach, unit="cm", knee_flexion_deg=np.full(t.size, 3.0),
        hip_flexion_deg=90 + 2 * lean, trunk_inclination_deg=10 + 2.5 * lean,
        hands_gap=np.zeros(t.size), visible_fraction=np.ones(t.size), in_frame=np.ones(t.size, bool),
    )  # fmt: skip
    trials = detect_trials(series, SitAndReachRules())
    assert len(trials) == 2
    return series, trials


def test_sit_and_reach_png(tmp_path: Path, reach_recording) -> None:
    series, trials = reach_recording
    path = plot_sit_and_reach(tmp_path / "sr.png", series, trials, unit_label="cm", knee_tolerance_deg=10.0,
                              width_px=600)  # fmt: skip
    assert _decode(path).shape == (3 * 260 + 110, 600, 3)


def test_sit_and_reach_panels_and_phase_labels(monkeypatch, tmp_path: Path, reach_recording) -> None:
    """Valid trial labelled with its score, invalid one with its first reason; holds span hold frames."""
    series, trials = reach_recording
    reasons = ("knees bent 17° during the hold (tolerance 10°)", "hold 1.0 s, shorter than 2 s")
    trials = [trials[0], dataclasses.replace(trials[1], valid=False, invalid_reasons=reasons)]
    seen = {}
    monkeypatch.setattr(
        plots, "plot_time_series", lambda path, **kw: seen.update(kw) or Path(path)
    )  # used via the module
    plot_sit_and_reach(tmp_path / "sr.png", series, trials, unit_label="cm", knee_tolerance_deg=10.0)
    panels, phases = seen["panels"], seen["phases"]
    assert [p.unit for p in panels] == ["cm", "°", "°"]
    assert panels[0].reference_lines == {"toes": 0.0}
    assert panels[2].reference_lines == {"knee tolerance": 10.0}
    assert [ph.kind for ph in phases] == ["trial", "hold", "invalid", "hold"]
    assert phases[0].label == f"Trial 1: {trials[0].reach:.1f} cm"
    assert phases[2].label == f"Trial 2 invalid: {reasons[0]}"
    hold = series.t_s[trials[1].hold_frames]
    assert (phases[3].start_s, phases[3].end_s) == (hold[0], hold[-1])


def test_sit_and_reach_without_trials_or_tolerance(tmp_path: Path, reach_recording) -> None:
    series, _ = reach_recording
    path = plot_sit_and_reach(tmp_path / "sr.png", series, [], unit_label="px", width_px=400)
    assert _decode(path).shape == (890, 400, 3)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        pytest.param({"series": None}, "series must be a ReachSeries", id="series"),
        pytest.param({"trials": [None]}, "list of Trial", id="trials"),
        pytest.param({"knee_tolerance_deg": float("inf")}, "knee_tolerance_deg", id="tolerance"),
    ],
)
def test_sit_and_reach_checks(tmp_path: Path, reach_recording, args: dict, match: str) -> None:
    series, trials = reach_recording
    call = {"series": series, "trials": trials, "knee_tolerance_deg": 10.0, **args}
    with pytest.raises(ValidationError, match=match):
        plot_sit_and_reach(tmp_path / "sr.png", call["series"], call["trials"], unit_label="cm",
                           knee_tolerance_deg=call["knee_tolerance_deg"])  # fmt: skip


def test_sit_and_reach_lumbo_curve_on_the_angle_panel(monkeypatch, tmp_path: Path, reach_recording) -> None:
    """Given, the back-contour proxy is a third curve of the angle panel; a series of the wrong length is
    refused."""
    series, trials = reach_recording
    seen = {}
    monkeypatch.setattr(plots, "plot_time_series", lambda path, **kw: seen.update(kw) or Path(path))
    lumbo = np.full(series.n_frames, 70.0)
    plot_sit_and_reach(tmp_path / "sr.png", series, trials, unit_label="cm", lumbo_horizontal_deg=lumbo)
    curves = seen["panels"][1].series
    assert list(curves)[-1] == "lumbo-horizontal proxy (back contour)"
    assert np.array_equal(curves["lumbo-horizontal proxy (back contour)"], lumbo)
    with pytest.raises(ValidationError, match="one value per frame"):
        plot_sit_and_reach(
            tmp_path / "sr.png", series, trials, unit_label="cm", lumbo_horizontal_deg=lumbo[:-1]
        )
