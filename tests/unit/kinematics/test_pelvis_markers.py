"""ASIS-PSIS tilt from the three pelvis stickers, on a rigid pelvis projected by a pinhole camera.

The pelvis (:func:`pelvis_points`), in the subject frame (forward F, up U, lateral L towards the camera,
metres), for a 1.70 m subject: ASIS (+0.07, 0, 0.1148), PSIS (-0.07, 0, 0.04), iliac crest sticker
(-0.06, 0.045, 0.0808). So the stickers' lateral gaps are 0.044 x 1.70 = 0.0748 m (ASIS vs PSIS) and
0.024 x 1.70 = 0.0408 m (crest vs PSIS), the module's :data:`LATERAL_GAPS`, and at zero tilt the ASIS-PSIS
line is level. An anterior tilt of ``t`` degrees turns every point about L: ``f' = f cos t + u sin t``,
``u' = -f sin t + u cos t`` (the ASIS goes down). The camera (:func:`project`) is
:class:`~tiltscreen.kinematics.side_view.SideView` with focal 1000 px, principal point (640, 360), the
pelvis 1.5 m away and 250 px right of and 120 px below the image centre, so that perspective matters.
The stature in pixels is 1.70 m x 1000 / 1.5 m = 1133 px.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tiltscreen.kinematics import pelvis_markers as pm
from tiltscreen.kinematics.side_view import SideView

STATURE_M, F_PX, DEPTH_M = 1.70, 1000.0, 1.5
OFFSET_M = np.array([250.0, 120.0]) / F_PX * DEPTH_M
POINTS = {
    "asis": (0.07, 0.0, 0.1148),
    "psis": (-0.07, 0.0, 0.04),
    "crest": (-0.06, 0.045, 0.0808),
}


def pelvis_points(tilt_deg: float) -> dict[str, np.ndarray]:
    """The three stickers (subject frame, m) of the module notes' pelvis at an anterior tilt."""
    t = math.radians(tilt_deg)
    out = {}
    for name, (f, u, lat) in POINTS.items():
        out[name] = np.array([f * math.cos(t) + u * math.sin(t), -f * math.sin(t) + u * math.cos(t), lat])
    return out


def project(p: np.ndarray, view: SideView) -> np.ndarray:
    """Image px of a subject-frame point: camera coordinates ``R p + (offset, depth)``, pinhole."""
    x = view.rotation() @ p + np.array([*OFFSET_M, DEPTH_M])
    return np.asarray(view.principal_px) + view.focal_px * x[:2] / x[2]


def view(yaw: float = 0.0, roll: float = 0.0, facing: int = 1) -> SideView:
    return SideView(F_PX, (640.0, 360.0), facing, yaw_deg=yaw, roll_deg=roll)


def tracks(
    tilts: list[float], cam: SideView, *, hidden: dict[str, list[int]] | None = None
) -> pm.PelvisTracks:
    """Tracks of a sequence of tilts; ``hidden`` names the frames where a sticker is not seen (NaN)."""
    n = len(tilts)
    centres = {k: np.array([project(pelvis_points(t)[k], cam) for t in tilts]) for k in POINTS}
    areas = {k: np.ones(n) for k in POINTS}
    for name, rows in (hidden or {}).items():
        centres[name][rows] = np.nan
        areas[name][rows] = np.nan
    stature = np.full(n, STATURE_M * F_PX / DEPTH_M)
    return pm.PelvisTracks(
        centres["asis"],
        centres["psis"],
        centres["crest"],
        areas["asis"],
        areas["psis"],
        areas["crest"],
        stature,
    )


@pytest.mark.parametrize(("yaw", "roll", "facing"), [(0.0, 0.0, 1), (8.0, 1.5, 1), (-6.0, -2.0, -1)])
def test_lines_rotate_with_the_pelvis_and_the_pair_reads_the_tilt(
    yaw: float, roll: float, facing: int
) -> None:
    """Read through the camera that took them, the ASIS-PSIS line gives the tilt, and each crest line turns
    by exactly the tilt (a rigid rotation adds ``t`` to every line's angle below the horizontal). The only
    approximation is the lateral gap expressed at the back point's depth (1.5 m +- 4 cm: under 0.3 deg)."""
    cam = view(yaw, roll, facing)
    tilts = [-10.0, 0.0, 20.0, 40.0]
    ang = pm.line_angles_deg(tracks(tilts, cam), cam)
    assert ang["tilt"] == pytest.approx(tilts, abs=0.3)
    for line in ("anterior", "posterior"):
        assert ang[line] - ang[line][1] == pytest.approx(tilts, abs=0.3)


def test_ignoring_the_crest_sticker_lateral_gap_turns_the_posterior_line() -> None:
    """Without the stature (no lateral gap) the short PSIS-crest line, 250 px off the image centre, is read
    more than 3 deg wrong: the reason the lines go through the camera model."""
    cam = view()
    tr = tracks([30.0], cam)
    flat = pm.PelvisTracks(tr.asis, tr.psis, tr.crest, tr.asis_area, tr.psis_area, tr.crest_area, np.zeros(1))
    with_gap = pm.line_angles_deg(tr, cam)["posterior"][0]
    without = pm.line_angles_deg(flat, cam)["posterior"][0]
    assert abs(with_gap - without) > 3.0


def test_posterior_line_calibrated_at_the_start_gives_the_tilt_at_the_hold() -> None:
    """Frames 0-4 upright (tilt -5) with all three stickers; frames 5-19 bent forward (tilt 35) with the
    ASIS hidden. The posterior constant is calibrated on frames 0-4 (five frames), and frames 5-19 read
    35 deg from the posterior line (within 0.3 deg: the gap approximation)."""
    cam = view(5.0, 1.0)
    tr = tracks([-5.0] * 5 + [35.0] * 15, cam, hidden={"asis": list(range(5, 20))})
    ang = pm.line_angles_deg(tr, cam)
    cal = pm.calibrate_lines(ang, tr)
    assert cal.posterior_frames == 5 and cal.k_posterior is not None and cal.anterior_own
    out = pm.pelvis_tilt(ang, tr, cal)
    assert out.tilt[5:] == pytest.approx(35.0, abs=0.3)
    assert out.tilt[:5] == pytest.approx(-5.0, abs=0.3)
    assert out.sources_in(np.arange(5, 20)) == ["posterior line"]
    assert out.sd[5] == pm.LINE_SD_DEG["posterior line"]


def test_without_a_frame_showing_all_three_the_hold_is_not_measured() -> None:
    """The PSIS hidden while upright and the ASIS hidden bent forward: no frame shows all three, so the
    posterior line is not calibrated and gives nothing; upright frames read the anterior line with the
    population constant (its own SD)."""
    cam = view()
    tr = tracks([-5.0] * 5 + [35.0] * 15, cam, hidden={"psis": list(range(5)), "asis": list(range(5, 20))})
    ang = pm.line_angles_deg(tr, cam)
    cal = pm.calibrate_lines(ang, tr)
    assert cal.k_posterior is None and cal.posterior_frames == 0
    assert cal.k_anterior == pm.K_ANTERIOR_POPULATION and not cal.anterior_own
    out = pm.pelvis_tilt(ang, tr, cal)
    assert np.isnan(out.tilt[5:]).all() and (out.source[5:] == 0).all()
    assert out.sources_in(np.arange(5)) == ["anterior line"]
    assert out.sd[0] == pm.LINE_SD_DEG["anterior line, population"]


def test_partly_hidden_or_disagreeing_psis_is_not_a_calibration_frame() -> None:
    """Four upright frames with all three stickers. Frame 0's PSIS blob is 0.4 of a sticker (partly hidden);
    frame 1's PSIS centre is 25 px low, which turns the ASIS-PSIS line by about atan(25 / 140) = 10 deg,
    beyond the 8 deg agreement with the crest->ASIS line. Two frames remain."""
    cam = view()
    tr = tracks([-5.0] * 4, cam)
    tr.psis_area[0] = 0.4
    tr.psis[1, 1] += 25.0
    cal = pm.calibrate_lines(pm.line_angles_deg(tr, cam), tr)
    assert cal.posterior_frames == 2 and cal.k_posterior is not None


def test_implausible_tilts_are_dropped() -> None:
    """A posterior constant 100 deg off makes the bent-forward frames read 135 deg: outside
    :data:`PLAUSIBLE_TILT_DEG`, so they are dropped rather than reported."""
    cam = view()
    tr = tracks([35.0] * 3, cam, hidden={"asis": [0, 1, 2]})
    ang = pm.line_angles_deg(tr, cam)
    good = pm.LineCalibration(pm.K_ANTERIOR_POPULATION, 0, float(35.0 - ang["posterior"][0]), 5)
    assert pm.pelvis_tilt(ang, tr, good).tilt == pytest.approx(35.0)
    bad = pm.LineCalibration(pm.K_ANTERIOR_POPULATION, 0, good.k_posterior + 100.0, 5)
    assert np.isnan(pm.pelvis_tilt(ang, tr, bad).tilt).all()


def test_lone_posterior_sticker_takes_the_nearer_name() -> None:
    """Frame 0 tells the PSIS (hip-relative (along, ahead) = (0.05, -0.04) statures) from the crest
    ((0.08, -0.04)); frame 1's lone sticker at (0.079, -0.04) is the crest, frame 2's at (0.051, -0.04) the
    PSIS (nearest named position). Statures: 1000 px, trunk up = -y, forward = +x, hip at (500, 500)."""
    n = 4
    arr = {f"{k}_{s}": np.full((n, 2) if s == "px" else n, np.nan) for k in ("asis", "psis", "iliac_crest",
           "posterior") for s in ("px", "area")}  # fmt: skip
    arr.update(hip_px=np.tile([500.0, 500.0], (n, 1)), up=np.tile([0.0, -1.0], (n, 1)),
               forward=np.tile([1.0, 0.0], (n, 1)), stature_px=np.full(n, 1000.0))  # fmt: skip
    arr["psis_px"][0], arr["iliac_crest_px"][0] = (460.0, 450.0), (460.0, 420.0)
    arr["posterior_px"][1], arr["posterior_px"][2] = (460.0, 421.0), (460.0, 449.0)
    arr["posterior_area"][1:3] = 1.0
    out = pm.name_posterior(arr)
    assert out["iliac_crest_px"][1] == pytest.approx([460.0, 421.0])
    assert out["psis_px"][2] == pytest.approx([460.0, 449.0])
    assert np.isnan(out["posterior_px"]).all()
