"""Motion scripts, landmark helpers and configuration (pure; no torch)."""

import numpy as np
import pytest

from tiltscreen.synth import landmarks, motion
from tiltscreen.synth.config import BodySpec, CameraSpec, ClipSpec, SitReachSpec, StandingSpec


def test_knee_bend_keeps_hip_and_ankle_level():
    """thigh*sin(alpha) == shank*sin(beta) and alpha + beta == knee flexion."""
    alpha, beta = motion.knee_bend_angles(30.0, 0.42, 0.40)
    assert alpha + beta == pytest.approx(30.0)
    assert 0.42 * np.sin(np.deg2rad(alpha)) == pytest.approx(0.40 * np.sin(np.deg2rad(beta)))


def test_reach_profile_phases_and_hold():
    """Two trials of rest 1 + reach 2 + hold 2.5 + return 1.5 + rest 1: the first reaches its max at 3 s and
    holds to 5.5 s; the second starts at 1 + 7 = 8 s."""
    spec = SitReachSpec(trials=2, rest_s=1.0, reach_s=2.0, hold_s=2.5, return_s=1.5)
    times = np.arange(0, spec.duration_s, 1 / 30)
    s, phases = motion.reach_profile(spec, times)
    assert [p.start_s for p in phases] == [1.0, 8.0]
    assert phases[0].max_s == 3.0 and phases[0].hold_end_s == 5.5 and phases[0].end_s == 7.0
    assert np.all(s[(times >= 3.0) & (times < 5.5)] == 1.0)
    assert np.all(s[times < 1.0] == 0.0)
    assert s.min() >= 0.0 and s.max() <= 1.0


def test_ballistic_profile_bounces():
    spec = SitReachSpec(trials=1, ballistic=True)
    times = np.arange(0, spec.duration_s, 1 / 60)
    s, phases = motion.reach_profile(spec, times)
    reach = s[(times >= phases[0].start_s) & (times < phases[0].hold_start_s)]
    peaks = np.sum((reach[1:-1] > reach[:-2]) & (reach[1:-1] >= reach[2:]) & (reach[1:-1] > 0.99))
    assert peaks >= 2


def test_standing_pelvis_offset_from_neutral():
    times = np.arange(10) / 30
    p = motion.standing_posture(
        StandingSpec(tilt_deg=20.0), times, neutral_tilt_deg=11.0, rng=np.random.default_rng(0)
    )
    np.testing.assert_allclose(p.pelvis, 9.0)
    np.testing.assert_allclose(p.thorax_up, 0.0)


def test_asis_from_hips_symmetric():
    left, right = landmarks.asis_from_hips(np.array([0.1, 0.0, 0.0]), np.array([-0.1, 0.0, 0.0]), 0.24)
    np.testing.assert_allclose(left * [-1, 1, 1], right)
    assert left[0] == pytest.approx(0.12) and left[2] == pytest.approx(0.072)


def test_find_psis_on_a_box_back():
    """Back surface a flat wall at y = 0.1: the PSIS is 0.1 - (-0.05) = 0.15 m behind the ASIS, so it sits
    0.15*tan(11 deg) = 0.0292 m higher."""
    zs = np.linspace(-0.2, 0.3, 101)
    xs = np.linspace(-0.1, 0.1, 41)
    wall = np.array([[x, 0.1, z] for x in xs for z in zs])
    psis = landmarks.find_psis(wall, np.array([0.1, -0.05, 0.0]), 0.045)
    assert psis[2] == pytest.approx(0.15 * np.tan(np.deg2rad(11.0)), abs=0.006)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"body": BodySpec(sex=1.5)}, "sex", id="sex"),
        pytest.param({"camera": CameraSpec(width=641)}, "even", id="odd-width"),
        pytest.param({"standing": StandingSpec(tilt_deg=80)}, "tilt_deg", id="tilt"),
        pytest.param({"sit_reach": SitReachSpec(trials=0)}, "trials", id="trials"),
    ],
)
def test_clip_spec_rejects(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClipSpec(scene="standing", **kwargs)


def test_clip_spec_frames_and_dict():
    spec = ClipSpec(
        scene="sit-and-reach", sit_reach=SitReachSpec(trials=1, rest_s=1, reach_s=2, hold_s=2, return_s=1)
    )
    assert spec.duration_s == 7.0 and spec.n_frames == 210
    assert spec.to_dict()["sit_reach"]["trials"] == 1


def test_import_tiltscreen_synth_is_light():
    """Importing the synth modules that need no extra must not import torch, anny or pyrender."""
    import subprocess
    import sys

    code = (
        "import sys, tiltscreen, tiltscreen.synth.cli, tiltscreen.synth.pipeline, tiltscreen.synth.body;"
        "print(any(m in sys.modules for m in ('torch', 'anny', 'pyrender')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
