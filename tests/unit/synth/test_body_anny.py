"""Tests that need the synth extra (torch + anny); skipped in the main CI."""

import numpy as np
import pytest

anny = pytest.importorskip("anny")

from tiltscreen.synth import geometry as geo  # noqa: E402
from tiltscreen.synth import motion  # noqa: E402
from tiltscreen.synth.body import BodyModel  # noqa: E402
from tiltscreen.synth.config import BodySpec, SitReachSpec, StandingSpec  # noqa: E402
from tiltscreen.synth.landmarks import NEUTRAL_TILT_DEG  # noqa: E402


@pytest.fixture(scope="module")
def body():
    return BodyModel(BodySpec(stature_cm=170.0, sex=1.0))


def test_stature_reached(body):
    assert body.stature_m == pytest.approx(1.70, abs=0.002)


@pytest.mark.parametrize("tilt", [5.0, 11.0, 25.0])
def test_standing_tilt_is_exact_and_trunk_upright(body, tilt):
    times = np.zeros(1)
    p = motion.standing_posture(
        StandingSpec(tilt_deg=tilt, sway_deg=0.0),
        times,
        neutral_tilt_deg=NEUTRAL_TILT_DEG,
        rng=np.random.default_rng(0),
    )
    pts = body.named_points(*body.pose(p))
    assert geo.asis_psis_tilt(pts["left_asis"], pts["left_psis"])[0] == pytest.approx(tilt, abs=1e-6)
    hip = 0.5 * (pts["left_hip"] + pts["right_hip"])
    sh = 0.5 * (pts["left_shoulder"] + pts["right_shoulder"])
    assert abs(geo.inclination_from_vertical(hip, sh)[0]) < 6.0
    assert geo.flexion_angle(pts["left_hip"], pts["left_knee"], pts["left_ankle"])[0] < 3.0


def test_sit_and_reach_knees_and_hips(body):
    spec = SitReachSpec(trials=1, knee_flexion_deg=20.0)
    times = np.array([0.0, spec.rest_s + spec.reach_s + 0.5])
    p, _ = motion.sit_reach_posture(spec, times, thigh_m=body.anchors.thigh_m, shank_m=body.anchors.shank_m)
    pts = body.named_points(*body.pose(p))
    knee = geo.flexion_angle(pts["left_hip"], pts["left_knee"], pts["left_ankle"])
    np.testing.assert_allclose(knee, 20.0, atol=1.0)
    hip = geo.flexion_angle(pts["left_shoulder"], pts["left_hip"], pts["left_knee"])
    assert hip[1] > hip[0] and 60.0 < hip[0] < 110.0


def test_fingertip_under_lift_matches_posing(body):
    """The skeleton-level fingertip of a lifted arm equals the fingertip of the re-posed body."""
    spec = SitReachSpec(trials=1, extensibility=0.9, uneven_hands_deg=10.0)
    times = np.linspace(0.0, spec.duration_s, 9)
    p, _ = motion.sit_reach_posture(spec, times, thigh_m=body.anchors.thigh_m, shank_m=body.anchors.shank_m)
    _, bone_poses = body.pose(p)
    lift = {"L": np.linspace(0.0, 30.0, len(times)), "R": np.linspace(25.0, 0.0, len(times))}
    lifted = body.named_points(*body.pose(motion.lift_arms(p, lift)))
    for side, name in (("L", "left"), ("R", "right")):
        frames = np.arange(len(times))
        tip = body.fingertip_under_lift(p, bone_poses, side, lift[side], frames)
        np.testing.assert_allclose(tip, lifted[f"{name}_fingertip"], atol=1e-6)


def test_sit_and_reach_fingertips_stay_out_of_the_box(body):
    """A reach past the box face keeps both fingertips 1 cm over the box top; a short one is untouched."""
    from tiltscreen.synth.config import ClipSpec  # noqa: PLC0415
    from tiltscreen.synth.pipeline import HAND_CLEARANCE_M, place_sitting, pose_sitting_over_box  # noqa: PLC0415

    for ext, passes in ((1.0, True), (0.1, False)):
        spec = ClipSpec(
            scene="sit-and-reach",
            body=body.spec,
            sit_reach=SitReachSpec(
                trials=1, extensibility=ext, rest_s=0.5, reach_s=1.0, hold_s=0.5, return_s=0.5
            ),
        )
        times = np.arange(0.0, spec.duration_s, 0.1)
        p, _ = motion.sit_reach_posture(
            spec.sit_reach, times, thigh_m=body.anchors.thigh_m, shank_m=body.anchors.shank_m
        )
        raw, bone_poses = body.pose(p)
        _, scripted = place_sitting(raw, body.named_points(raw, bone_poses))
        final, _, pts, box = pose_sitting_over_box(spec, body, p, times)
        top = box["hi"][2]
        for name in ("left", "right"):
            before, after = scripted[f"{name}_fingertip"], pts[f"{name}_fingertip"]
            assert np.any((before[:, 1] < box["face_y"]) & (before[:, 2] < top)) == passes
            beyond = after[:, 1] < box["face_y"]
            assert np.all(after[beyond, 2] >= top + HAND_CLEARANCE_M - 1e-4)
            if not passes:
                np.testing.assert_array_equal(after, before)
        if not passes:
            assert final is p
