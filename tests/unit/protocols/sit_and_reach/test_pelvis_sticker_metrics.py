"""The sit-and-reach pelvis from the three pelvis stickers: tilt at the hold, hip flexion against the
pelvis, the pelvis share, and 'indeterminate' in words when the stickers do not support them.

Fixture: :func:`tests.unit.protocols.sit_and_reach.synthetic.trial` (start 1.0 s = frame 30, hold frames
90-164) at 30 fps; a per-frame sticker tilt (:class:`~tiltscreen.kinematics.pelvis_markers.PelvisTilt`)
that reads -5 deg from the anterior line up to frame 89 and 30 deg from the posterior line from frame 90
on, the posterior line calibrated on 7 frames.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.unit.protocols.sit_and_reach.synthetic import trial

from tiltscreen.kinematics import pelvis_markers as pm
from tiltscreen.protocols.sit_and_reach import pelvis as pv

T = np.arange(240) / 30.0
ANT, POST = pm.SOURCES.index("anterior line"), pm.SOURCES.index("posterior line")
SD_ANT, SD_POST = pm.LINE_SD_DEG["anterior line, population"], pm.LINE_SD_DEG["posterior line"]


def sticker_tilt(*, calibrated: bool = True) -> pm.PelvisTilt:
    """-5 deg (anterior line, population constant) before frame 90, 30 deg (posterior line) from it on;
    without calibration the posterior frames are unmeasured."""
    before = np.arange(T.size) < 90
    tilt = np.where(before, -5.0, 30.0 if calibrated else np.nan)
    source = np.where(before, ANT, POST if calibrated else 0)
    sd = np.where(before, SD_ANT, SD_POST if calibrated else np.nan)
    cal = pm.LineCalibration(
        pm.K_ANTERIOR_POPULATION, 0, 80.0 if calibrated else None, 7 if calibrated else 0
    )
    return pm.PelvisTilt(tilt, source, sd, cal)


def test_tilt_at_the_hold_from_the_posterior_stickers() -> None:
    """Hold frames all read 30 deg from the posterior line: value 30, 95% interval 30 +/- 1.96 x 4.5; the
    method names the line and its calibration frames."""
    m = pv.pelvic_tilt_metric(trial(), pv.PelvisSeries(stickers=sticker_tilt()))
    assert m.value == pytest.approx(30.0)
    assert m.ci95 == pytest.approx((30.0 - 1.96 * SD_POST, 30.0 + 1.96 * SD_POST))
    assert "PSIS-iliac crest line calibrated on this subject" in m.method and "7 frames" in m.method


def test_uncalibrated_posterior_stickers_are_indeterminate_in_words() -> None:
    """No frame showed the ASIS with the PSIS and crest: no value, and the reason says so plainly."""
    m = pv.pelvic_tilt_metric(trial(), pv.PelvisSeries(stickers=sticker_tilt(calibrated=False)))
    assert m.value is None and m.ci95 is None
    assert m.reason.startswith("Indeterminate.") and "could not be calibrated" in m.reason
    assert "0 of 75 hold frames" in m.reason


def test_hip_flexion_against_the_pelvis() -> None:
    """Tilt 30 at the hold and the thigh 5 deg below the forward horizontal: 90 + 30 - 5 = 115 deg, 95%
    interval +/- 1.96 x hypot(4.5, 2.0) (tilt and thigh errors)."""
    p = pv.PelvisSeries(stickers=sticker_tilt(), thigh_deg=np.full(T.size, -5.0))
    out = pv.hip_flexion_vs_pelvis(trial(), p)
    half = 1.96 * math.hypot(SD_POST, pv.THIGH_SD_DEG)
    assert out["value"] == pytest.approx(115.0)
    assert out["ci95"] == pytest.approx([round(115.0 - half, 1), round(115.0 + half, 1)])
    none = pv.hip_flexion_vs_pelvis(trial(), pv.PelvisSeries(stickers=sticker_tilt(calibrated=False)))
    assert none["value"] is None and none["reason"].startswith("Indeterminate.")


def test_split_uses_the_sticker_tilt_first() -> None:
    """Pelvis -5 at rest (frames 0.5-1.0 s) and 30 at the hold: 35 deg; trunk -5 to 50: 55 deg; pelvis share
    35 / 55 = 0.64. The rotation's 1 SD is hypot(2.5, 4.5) (rest and hold lines), so the pelvis share's
    interval is 1 - the spine share's: (35 -/+ 1.96 x 5.15) / 55 = 0.45-0.82. The back contour (a
    different answer) is not used."""
    p = pv.PelvisSeries(stickers=sticker_tilt(), thigh_deg=np.full(T.size, -5.0),
                        lumbo=np.where(np.arange(T.size) < 90, 95.0, 80.0))  # fmt: skip
    trunk = np.where(np.arange(T.size) < 90, -5.0, 50.0)
    split = pv.hip_spine_split(trial(), T, trunk, p)
    assert split["pelvic_rotation_deg"] == pytest.approx(35.0)
    assert split["pelvic_fraction"] == pytest.approx(0.64)
    half = 1.96 * math.hypot(SD_ANT, SD_POST)
    assert split["pelvic_fraction_ci95"] == pytest.approx(
        [round((35.0 - half) / 55.0, 2), round((35.0 + half) / 55.0, 2)], abs=0.011
    )
    assert split["method"].startswith(pv.STICKERS_METHOD)
    assert split["hip_flexion_vs_pelvis_deg"]["value"] == pytest.approx(115.0)


def test_without_stickers_the_pair_and_contour_rules_stand() -> None:
    """No sticker tilt: the split falls back on the back contour (markerless) as before."""
    p = pv.PelvisSeries(lumbo=np.where(np.arange(T.size) < 90, 95.0, 80.0))
    split = pv.hip_spine_split(trial(), T, np.where(np.arange(T.size) < 90, -5.0, 50.0), p)
    assert split["pelvic_rotation_deg"] == pytest.approx(15.0) and "back contour" in split["method"]
    assert split["hip_flexion_vs_pelvis_deg"]["value"] is None


def test_with_stickers_adds_the_thigh_and_pads_short_sticker_arrays() -> None:
    """Three frames of a subject facing image-right, hip (100, 100) px and knee (200, 110) px: the thigh
    points 10 px down over 100 px forward, atan2(-10, 100) = -5.71 deg. The sticker recorder saw only two
    frames, a lone crest in the first: its arrays are padded to three, and the tilt is NaN in all three (one
    sticker gives no line). With no sticker in any frame, or no recorder, there is no sticker tilt (the
    ASIS/PSIS pair's rules and reasons stand)."""
    from tiltscreen.landmarks import Landmarks

    w, h, n = 640, 360, 3
    lm = Landmarks.empty(n, timestamps_s=np.arange(n) / 30.0, image_size=(w, h), fps=30.0)
    xyz = lm.xyz.copy()
    for name, (x, y) in {"left_hip": (100, 100), "left_knee": (200, 110)}.items():
        xyz[:, lm.skeleton.index(name)] = (x / w, y / h, 0.0)
    lm = Landmarks(xyz, np.ones((n, 33)), np.ones((n, 33)), lm.world, lm.timestamps_s, lm.frame_index, (w, h))
    arrays = {f"{k}_{s}": np.full((2, 2) if s == "px" else 2, np.nan) for k in ("asis", "psis", "iliac_crest",
              "posterior") for s in ("px", "area")}  # fmt: skip
    arrays.update(hip_px=np.zeros((2, 2)), up=np.tile([0.0, -1.0], (2, 1)),
                  forward=np.tile([1.0, 0.0], (2, 1)), stature_px=np.full(2, 300.0))  # fmt: skip
    empty = pv.with_stickers(pv.PelvisSeries(), arrays, lm, side="left", facing=1, roll_deg=0.0, yaw_deg=None)
    assert empty.stickers is None
    arrays["iliac_crest_px"][0], arrays["iliac_crest_area"][0] = (50.0, 60.0), 1.0
    out = pv.with_stickers(pv.PelvisSeries(), arrays, lm, side="left", facing=1, roll_deg=0.0, yaw_deg=None)
    assert out.thigh_deg == pytest.approx(np.full(n, math.degrees(math.atan2(-10, 100))))
    assert out.stickers is not None and out.stickers.tilt.shape == (n,) and np.isnan(out.stickers.tilt).all()
    none = pv.with_stickers(pv.PelvisSeries(), None, lm, side="left", facing=1, roll_deg=None, yaw_deg=None)
    assert none.stickers is None and none.thigh_deg is not None
