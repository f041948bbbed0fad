"""Sit-and-reach: the arm lift that keeps the fingertips out of the box (pure numpy, no torch)."""

import numpy as np
import pytest

from tiltscreen.synth import motion
from tiltscreen.synth.config import SitReachSpec

FACE_Y, TOP_Z, CLEAR = -0.85, 0.32, 0.01
ARM_M = 0.62


def planar_arm(shoulder: np.ndarray, elevation_deg: np.ndarray):
    """Fingertip function of a straight arm of ARM_M from a moving shoulder, at a scripted elevation.

    Elevation in degrees from the forward horizontal; the lift adds to it, as ``motion.lift_arms`` does.
    """

    def fingertip(lift: np.ndarray, frames: np.ndarray) -> np.ndarray:
        e = np.deg2rad(elevation_deg[frames] + lift)
        return shoulder[frames] + ARM_M * np.stack([0 * e, -np.cos(e), np.sin(e)], axis=-1)

    return fingertip


def reach_scene(reach_past_face_m: float, fps: float = 30.0):
    """One trial: the shoulder moves forward and down as the reach fraction s goes 0 -> 1 -> 0.

    The arm tilts from -65 to -20 deg; at s = 1 the scripted fingertip is ``reach_past_face_m`` beyond the
    face and below the box top.
    """
    spec = SitReachSpec(trials=1, rest_s=0.5, reach_s=1.5, hold_s=1.0, return_s=1.0)
    times = np.arange(0.0, spec.duration_s, 1.0 / fps)
    s, _ = motion.reach_profile(spec, times)
    elevation = -65.0 + 45.0 * s
    e1 = np.deg2rad(-20.0)
    shoulder_end = np.array([0.0, FACE_Y - reach_past_face_m + ARM_M * np.cos(e1), 0.25 - ARM_M * np.sin(e1)])
    shoulder_start = shoulder_end + np.array([0.0, 0.30, 0.25])
    shoulder = shoulder_start + s[:, None] * (shoulder_end - shoulder_start)
    return times, planar_arm(shoulder, elevation)


def solve(times, fingertip, **kw):
    return motion.hands_over_box_lift(fingertip, times, face_y=FACE_Y, top_z=TOP_Z, clearance_m=CLEAR, **kw)


def test_fingertips_beyond_the_face_stay_above_the_box_top():
    times, fingertip = reach_scene(0.08)
    every = np.arange(len(times))
    before = fingertip(np.zeros(len(times)), every)
    assert np.any((before[:, 1] < FACE_Y) & (before[:, 2] < TOP_Z))  # the script alone goes into the box
    lift = solve(times, fingertip)
    after = fingertip(lift, every)
    beyond = after[:, 1] < FACE_Y
    assert beyond.any()
    assert np.all(after[beyond, 2] >= TOP_Z + CLEAR - 1e-9)
    # Just enough: the lowest fingertip beyond the face touches the clearance height.
    assert after[beyond, 2].min() == pytest.approx(TOP_Z + CLEAR, abs=1e-6)
    assert np.all(lift >= 0.0) and lift.max() < 45.0


def test_lift_is_eased_and_local():
    times, fingertip = reach_scene(0.08)
    every = np.arange(len(times))
    lift = solve(times, fingertip, ramp_s=0.5)
    beyond = np.flatnonzero(fingertip(lift, every)[:, 1] < FACE_Y)
    far = np.min(np.abs(times[:, None] - times[beyond][None, :]), axis=1) > 0.5 + 1e-9
    assert far.any() and np.all(lift[far] == 0.0)  # far from the box face the reach is exactly as scripted
    # No jump onto the box: at 30 fps the lift changes by a few degrees per frame at most.
    assert np.abs(np.diff(lift)).max() < 0.25 * lift.max()
    # The held maximum keeps one constant lift (a steady hold stays steady).
    hold = (times >= 2.0) & (times < 3.0)
    assert np.ptp(lift[hold]) < 1e-9 and lift[hold][0] > 0.0


def test_reach_short_of_the_face_is_unchanged():
    times, fingertip = reach_scene(-0.03)  # stops 3 cm behind the face
    assert np.all(solve(times, fingertip) == 0.0)


def test_fingertip_above_the_box_needs_no_lift():
    times, _ = reach_scene(0.08)
    n = len(times)
    high = planar_arm(np.tile([0.0, FACE_Y - 0.3, 0.9], (n, 1)), np.full(n, -20.0))  # tip ~0.69 m high
    assert np.all(solve(times, high) == 0.0)


def test_unreachable_height_is_refused():
    times, _ = reach_scene(0.08)
    n = len(times)
    shoulder = np.tile([0.0, FACE_Y - 0.1, -0.5], (n, 1))  # 0.5 m under the floor
    low = planar_arm(shoulder, np.zeros(n))
    with pytest.raises(ValueError, match="does not raise the fingertip"):
        solve(times, low)


def test_lift_arms_raises_elevation_and_keeps_medial_component():
    spec = SitReachSpec(trials=1, uneven_hands_deg=10.0)
    times = np.linspace(0.0, spec.duration_s, 7)
    p, _ = motion.sit_reach_posture(spec, times, thigh_m=0.42, shank_m=0.40)
    lift = np.linspace(0.0, 30.0, len(times))
    q = motion.lift_arms(p, {"L": lift})

    def elevation(d):
        return np.rad2deg(np.arctan2(d[:, 2], -d[:, 1]))

    for before, after in ((p.upper_arm["L"], q.upper_arm["L"]), (p.forearm["L"], q.forearm["L"])):
        np.testing.assert_allclose(elevation(after), elevation(before) + lift, atol=1e-9)
        np.testing.assert_allclose(after[:, 0], before[:, 0])
        np.testing.assert_allclose(np.linalg.norm(after, axis=1), 1.0)
    np.testing.assert_array_equal(q.upper_arm["R"], p.upper_arm["R"])  # side not given: untouched
    np.testing.assert_array_equal(q.pelvis, p.pelvis)
    z = motion.lift_arms(p, {"L": np.zeros(len(times)), "R": np.zeros(len(times))})
    np.testing.assert_array_equal(z.forearm["R"], p.forearm["R"])
