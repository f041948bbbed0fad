"""Options added for level references, posterior stickers, richer looks, codecs and the box (no torch)."""

import json

import numpy as np
import pytest

from tiltscreen.synth import look as lk
from tiltscreen.synth import room, scenery, truth
from tiltscreen.synth.cli import build_parser, spec_from_args
from tiltscreen.synth.config import ClipSpec, LevelRefSpec, RealismSpec, SitReachSpec
from tiltscreen.synth.geometry import camera_rotation, focal_px, intrinsics_matrix
from tiltscreen.synth.pipeline import sticker_plan
from tiltscreen.synth.video import codec_args

FIRST_GENERATOR_KEYS = {
    "scene",
    "seed",
    "body",
    "camera",
    "realism",
    "standing",
    "sit_reach",
    "stickers",
    "sticker_diameter_cm",
    "sticker_rgb",
}


def test_new_options_at_defaults_keep_the_first_generators_config_dict():
    """Benchmark render caches hash ``to_dict()``: later options must not change it at their defaults."""
    d = ClipSpec("sit-and-reach").to_dict()
    assert set(d) == FIRST_GENERATOR_KEYS
    assert set(d["realism"]) == {"noise_sigma", "blur_sigma_px", "crf", "vary_scene"}
    assert "box_length_cm" not in d["sit_reach"] and "marker_along_cm" not in d["sit_reach"]


def test_new_options_appear_in_the_config_dict_when_set():
    spec = ClipSpec(
        "standing",
        posterior_stickers=("psis", "s4"),
        level=LevelRefSpec(plumb_line=True),
        realism=RealismSpec(look="rich", codec="vp9"),
    )
    d = json.loads(json.dumps(spec.to_dict()))
    assert d["posterior_stickers"] == ["psis", "s4"]
    assert d["level"] == {"plumb_line": True}
    assert d["realism"]["look"] == "rich" and d["realism"]["codec"] == "vp9"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"posterior_stickers": ("s3",)}, "posterior_stickers"),
        ({"level": LevelRefSpec(wall_marker_id=0)}, "wall_marker_id"),
        ({"realism": RealismSpec(codec="h265")}, "codec"),
        ({"realism": RealismSpec(box_top="wood")}, "box_top"),
        ({"sit_reach": SitReachSpec(marker_along_cm=3.0)}, "printed marker"),
    ],
)
def test_invalid_new_options_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ClipSpec("sit-and-reach", **kwargs)


def test_cli_maps_new_options():
    a = build_parser().parse_args(
        "sit-and-reach --out x --posterior-stickers --wall-marker --plumb-line --look rich --shadows "
        "--clutter 3 --box-top skin --codec mjpeg --box-cm 50,40,30 --marker-along-cm 15".split()
    )
    spec = spec_from_args(a)
    assert spec.posterior_stickers == ("psis", "s2", "s4")
    assert spec.level.wall_marker and spec.level.plumb_line and not spec.level.door_frame
    assert spec.realism.suffix == ".avi" and spec.realism.shadows and spec.realism.clutter == 3
    assert (spec.sit_reach.box_length_cm, spec.sit_reach.box_width_cm, spec.sit_reach.box_height_cm) == (
        50,
        40,
        30,
    )


def test_sticker_plan_puts_the_psis_once_and_colours_posterior_stickers():
    spec = ClipSpec(
        "sit-and-reach",
        stickers=True,
        posterior_stickers=("psis", "s2", "iliac_crest"),
        posterior_rgb=(0, 0, 255),
        camera=ClipSpec("standing").camera.__class__(side="right"),
    )
    plan = sticker_plan(spec)
    assert [n for n, _, _ in plan] == [
        "right_asis_sticker",
        "right_psis_sticker",
        "s2_sticker",
        "right_iliac_crest_sticker",
    ]
    assert [rgb for _, _, rgb in plan] == [(0, 200, 0), (0, 200, 0), (0, 0, 255), (0, 0, 255)]


def test_codec_args():
    assert codec_args("h264", 26)[:2] == ["-c:v", "libx264"]
    assert "libvpx-vp9" in codec_args("vp9", 26)
    # MJPEG quality q = (crf - 14) / 2 within 2..31: crf 10 -> 2 (best), 26 -> 6, 51 -> 18
    assert [codec_args("mjpeg", c)[3] for c in (10, 26, 51)] == ["2", "6", "18"]


def test_delta_e_and_box_top_rules():
    """White vs black is 100 units of L*; a skin-like top stays within 12, a contrasting one at least 40."""
    assert lk.delta_e((1, 1, 1), (0, 0, 0)) == pytest.approx(100.0, abs=0.1)
    rng = np.random.default_rng(0)
    for skin in lk.SKIN_RAMP:
        assert lk.delta_e(lk.skin_like(skin, rng), skin) < 12.0
        assert lk.delta_e(lk.contrasting(skin, rng), skin) >= 40.0


def test_finish_look_overrides_and_box_top():
    base = lk.rich_look(np.random.default_rng(3))
    assert 0.6 <= base.wall_distance_m <= 2.5 and -70 <= base.key_yaw_deg <= 70
    out = lk.finish_look(
        base, RealismSpec(skin_rgb=(255, 0, 0), box_top="contrast"), np.random.default_rng(1)
    )
    assert out.skin == (1.0, 0.0, 0.0)
    assert lk.delta_e(out.box_top, out.skin) >= 40.0
    boxed = lk.finish_look(base, RealismSpec(box_rgb=(0, 0, 255), box_top="skin"), np.random.default_rng(1))
    assert boxed.box_top == boxed.box == (0.0, 0.0, 1.0)


def _view(side=1.0, yaw=0.0):
    """A level camera 3 m from the sagittal plane at 1 m, 960x540, 60 deg hfov; a 0.6 x 1.8 m subject."""
    aim = np.array([0.0, 0.0, 1.0])
    rot = camera_rotation(aim + np.array([side, 0.0, 0.0]), aim, yaw_deg=yaw)
    eye = aim - 3.0 * rot[2]
    k = intrinsics_matrix(focal_px(960, 60.0), focal_px(960, 60.0), 480.0, 270.0)
    lo, hi = np.array([-0.25, -0.3, 0.0]), np.array([0.25, 0.3, 1.8])
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    from tiltscreen.synth.geometry import project

    px = project(corners, rot, eye, k)
    bbox = [px[:, 0].min(), px[:, 1].min(), px[:, 0].max(), px[:, 1].max()]
    return scenery.View(k, rot, eye, 960, 540, side, bbox, lo, hi)


@pytest.mark.parametrize("side", [1.0, -1.0])
def test_level_references_are_placed_in_view_beside_the_subject(side):
    view = _view(side)
    level = LevelRefSpec(wall_marker=True, plumb_line=True, door_frame=True)
    wall_x = -side * 1.5
    out = room.plan_scenery(level, 2, view, wall_x, (0.8, 0.8, 0.8), np.random.default_rng(5))
    marker = out.truth["wall_marker"]
    assert marker["clear_of_subject"] and marker["id"] == 1
    corners = np.array(marker["corners_world_m"])
    np.testing.assert_allclose(corners[:, 0], wall_x + side * 0.002)  # flat on the wall
    np.testing.assert_allclose(np.linalg.norm(corners[1] - corners[0]), 0.15, atol=1e-9)
    assert corners[0, 2] > corners[3, 2]  # top-left above bottom-left: edges vertical
    px = np.array(marker["corners_px"])
    u0, _, u1, _ = view.subject_px
    assert np.all((px[:, 0] < u0) | (px[:, 0] > u1))
    plumb = out.truth["plumb_line"]
    assert plumb["top_px"][1] < 0  # hangs from above the image
    assert plumb["bottom_m"][0] == plumb["top_m"][0] and plumb["bottom_m"][1] == plumb["top_m"][1]
    assert len(plumb["balls"]) == 2
    assert len(out.truth["door_frame"]["verticals"]) == 4
    assert set(out.edges) >= {"plumb_line", "wall_marker_edge_0", "door_near_post_inner"}
    assert len(out.props) >= 8


@pytest.mark.parametrize("side", [1.0, -1.0])
def test_corner_and_cabinet_stay_clear_of_subject_and_camera(side):
    view = _view(side, yaw=10.0)
    level = LevelRefSpec(wall_corner=True, furniture=True)
    out = room.plan_scenery(level, 0, view, -side * 1.2, (0.8, 0.8, 0.8), np.random.default_rng(2))
    corner = out.truth["wall_corner"]["verticals"][0]
    y = corner["bottom_m"][1]
    ys = [view.subject_lo[1], view.subject_hi[1], view.eye[1]]
    assert not min(ys) < y < max(ys)  # the side wall hides neither the subject nor the camera
    cabinet = out.truth["furniture"]["verticals"]
    assert len(cabinet) == 2 and all(v["in_image_fraction"] > 0 for v in cabinet)
    beyond = out.truth["wall_corner"]["beyond_y_sign"]
    assert all((v["bottom_m"][1] - y) * beyond < 0 for v in cabinet)  # in front of the corner


def test_a_crowded_room_reports_what_could_not_be_placed():
    level = LevelRefSpec(wall_marker=True, plumb_line=True, door_frame=True, wall_corner=True, furniture=True)
    out = room.plan_scenery(level, 0, _view(), -1.5, (0.8, 0.8, 0.8), np.random.default_rng(5))
    for name in ("wall_marker", "plumb_line", "door_frame", "wall_corner", "furniture"):
        assert name in out.truth
        assert out.truth[name].get("placed", True) or out.truth[name]["reason"]


def test_occlusion_counts_hidden_and_outside_samples():
    """Depth map: a surface 1 m in front of the camera covering the left half of the image."""
    view = _view()
    edge = {"e": scenery.edge_points(np.array([-1.0, 0.0, 0.2]), np.array([-1.0, 0.0, 1.2]))}
    far = np.zeros((540, 960))
    assert scenery.occlusion(edge, view, far)["e"] == 1.0
    near = np.full((540, 960), 1.0)
    assert scenery.occlusion(edge, view, near)["e"] == 0.0


def test_posterior_lines_follow_a_pelvic_rotation():
    """Rotating the posterior points by +10 deg anterior (rot_x(10) about the PSIS) lowers each line by 10."""
    from tiltscreen.synth.geometry import rot_x

    pts0 = {
        "left_psis": np.array([0.045, 0.08, 1.0]),
        "s2": np.array([0.0, 0.085, 0.995]),
        "s4": np.array([0.0, 0.09, 0.955]),
        "left_iliac_crest": np.array([0.075, 0.07, 1.045]),
    }
    pts0.update({f"{k}_skin": v for k, v in list(pts0.items())})
    rotated = {k: (rot_x(10.0) @ (v - pts0["left_psis"]) + pts0["left_psis"]) for k, v in pts0.items()}
    both = {k: np.stack([pts0[k], rotated[k]]) for k in pts0}
    lines = truth.posterior_lines(both, "left")
    for key in ("line_left_psis_s4_deg", "line_s2_s4_deg", "line_left_iliac_crest_left_psis_deg"):
        assert lines[key][1] - lines[key][0] == pytest.approx(-10.0, abs=0.01)
    sep = truth.posterior_separation(both, "left")
    assert sep["left_psis_s4"]["sagittal_cm"] == pytest.approx(np.hypot(0.01, 0.045) * 100, abs=0.01)
    assert sep["left_psis_s2"]["full_cm"] > 4.5 > sep["left_psis_s2"]["sagittal_cm"]


def test_marker_corners_in_the_box_frame():
    """A 10 cm marker centred 20 cm along and 16 cm below the top: corners at 15/25 cm along, 11/21 below."""
    face_y, h = -0.9, 0.32
    centre = np.array([0.221, face_y - 0.20, h - 0.16])
    right, up = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    corners = np.stack(
        [centre + s * 0.05 * right + t * 0.05 * up for s, t in ((-1, 1), (1, 1), (1, -1), (-1, -1))]
    )
    box = {"marker_corners": corners, "face_y": face_y, "hi": np.array([0.22, face_y, h])}
    assert truth.marker_in_box_frame(box) == [[25.0, 11.0], [15.0, 11.0], [15.0, 21.0], [25.0, 21.0]]


def test_vertical_vanishing_point_of_a_level_camera_is_at_infinity():
    aim = np.array([0.0, 0.0, 1.0])
    k = intrinsics_matrix(500.0, 500.0, 320.0, 180.0)
    level = camera_rotation(aim + np.array([1.0, 0, 0]), aim)
    assert truth.vertical_vanishing_point(k, level)[2] == pytest.approx(0.0, abs=1e-8)
    down = camera_rotation(aim + np.array([1.0, 0, 0]), aim, pitch_deg=5.0)
    h = truth.vertical_vanishing_point(k, down)
    assert h[1] / h[2] > 180.0  # looking down: verticals meet below the image centre


def test_sacral_vertices_pick_midline_back_vertices_below_the_psis():
    """Midline back vertices every 3.5 cm (..., 0.04, 0.075, 0.11 m); PSIS at z = 0.10, segment 2.2 cm.

    Only vertices below 0.098 count, so S2 (target 0.095) is at 0.075, not the nearer 0.11 above the PSIS;
    S4 (target 0.095 - 0.044 = 0.051) is at 0.04.
    """
    from tiltscreen.synth.landmarks import sacral_vertices

    zs = np.arange(-0.1, 0.2, 0.035)
    back = np.stack([np.zeros_like(zs), np.full_like(zs, 0.08), zs], axis=1)
    front = back * np.array([1.0, -1.0, 1.0])
    lateral = back + np.array([0.05, 0.0, 0.0])
    verts = np.vstack([back, front, lateral])
    out = sacral_vertices(verts, 0.10, 0.022)
    assert verts[out["s2"], 2] == pytest.approx(0.075)
    assert verts[out["s4"], 2] == pytest.approx(0.04)
    assert all(verts[i, 1] > 0 and verts[i, 0] == 0 for i in out.values())


def test_iliac_crest_vertex_is_lateral_and_above_the_psis():
    """A flat back (y = 0.08) sampled every cm: the crest point is 3 cm out and 4.5 cm x 1.75/1.75 up."""
    from tiltscreen.synth.landmarks import iliac_crest_vertex

    xs, zs = np.meshgrid(np.arange(-0.15, 0.151, 0.01), np.arange(0.0, 0.3, 0.01))
    verts = np.stack([xs.ravel(), np.full(xs.size, 0.08), zs.ravel()], axis=1)
    psis = np.array([0.045, 0.08, 0.10])
    v = verts[iliac_crest_vertex(verts, psis, 1.0, 1.75)]
    assert abs(v[0] - 0.075) <= 0.02 and abs(v[2] - 0.145) <= 0.02 and v[0] > psis[0] and v[2] > psis[2]
