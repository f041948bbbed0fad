"""Tests for facing direction, near side and camera yaw on projected stick figures."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tests.unit.kinematics.figures import MakeFigure

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.view import (
    estimate_yaw_deg,
    expected_near_side,
    facing_direction,
    foot_separation,
    near_side,
    oblique_view_reason,
)
from tiltscreen.landmarks import Landmarks


def _blank(lm: Landmarks, names: list[str], rows: slice | list[int] = slice(None)) -> Landmarks:
    """Copy of ``lm`` with the named landmarks NaN (xyz and world) in ``rows``."""
    xyz, world = lm.xyz.copy(), lm.world.copy()
    for name in names:
        k = lm.skeleton.index(name)
        xyz[rows, k] = np.nan
        world[rows, k] = np.nan
    return dataclasses.replace(lm, xyz=xyz, world=world)


HEAD = ["nose", "left_ear", "right_ear"]
FEET = ["left_heel", "right_heel", "left_foot_index", "right_foot_index"]


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("pose", [{"lean": 5.0}, {"thigh": 90.0, "lean": 40.0}], ids=["standing", "reaching"])
def test_facing_direction(make_figure: MakeFigure, facing: int, pose: dict) -> None:
    assert facing_direction(make_figure(facing=facing, **pose)) == facing


@pytest.mark.parametrize("facing", [1, -1])
def test_facing_direction_from_one_cue_and_with_gaps(make_figure: MakeFigure, facing: int) -> None:
    lm = make_figure(facing=facing, n_frames=10, noise_px=1.0)
    assert facing_direction(_blank(lm, HEAD)) == facing  # feet alone
    assert facing_direction(_blank(lm, FEET)) == facing  # head alone
    assert facing_direction(_blank(lm, HEAD + FEET, rows=[0, 2, 4, 6])) == facing  # NaN frames skipped


@pytest.mark.parametrize(
    ("change", "match"),
    [
        pytest.param({"yaw": 90.0}, "cannot tell which way", id="frontal-view"),
        pytest.param({"blank": HEAD + FEET}, "cannot tell which way", id="no-head-no-feet"),
    ],
)
def test_facing_direction_undeterminable(make_figure: MakeFigure, change: dict, match: str) -> None:
    lm = make_figure(yaw=change.get("yaw", 0.0))
    with pytest.raises(ValidationError, match=match):
        facing_direction(_blank(lm, change.get("blank", [])))


def test_facing_direction_conflicting_cues(make_figure: MakeFigure) -> None:
    right, left = make_figure(facing=1), make_figure(facing=-1)
    xyz = right.xyz.copy()
    for name in FEET:  # feet of the left-facing figure on the right-facing body
        k = right.skeleton.index(name)
        xyz[:, k] = left.xyz[:, k]
    with pytest.raises(ValidationError, match="opposite ways"):
        facing_direction(dataclasses.replace(right, xyz=xyz))


def test_expected_near_side_rule() -> None:
    """Facing image-right, the camera is on the subject's right: the RIGHT side is near."""
    assert expected_near_side(1) == "right"
    assert expected_near_side(-1) == "left"
    with pytest.raises(ValidationError, match="facing must be"):
        expected_near_side(0)


@pytest.mark.parametrize("facing", [1, -1])
def test_near_side_matches_geometry(make_figure: MakeFigure, facing: int) -> None:
    lm = make_figure(facing=facing)
    assert near_side(lm) == expected_near_side(facing)
    # depth alone, then visibility alone
    assert near_side(
        dataclasses.replace(lm, visibility=np.full_like(lm.visibility, 0.9))
    ) == expected_near_side(facing)
    no_depth = dataclasses.replace(
        lm, xyz=np.concatenate([lm.xyz[..., :2], np.zeros_like(lm.xyz[..., :1])], -1)
    )
    assert near_side(no_depth) == expected_near_side(facing)


def test_mirrored_image_keeps_label_geometry(make_figure: MakeFigure) -> None:
    """A selfie-mirrored recording of a subject whose right side faces the camera.

    The image now shows them facing image-left. Our figure keeps its true labels, so the
    near side ("right") contradicts expected_near_side(-1) == "left"; a real pose model
    would instead label the mirrored body "left". A mismatch is therefore the signal of
    swapped labels.
    """
    lm = make_figure(facing=1, mirror=True)
    assert facing_direction(lm) == -1
    assert near_side(lm) == "right" != expected_near_side(-1)


def test_near_side_ambiguous_uses_facing_or_raises(make_figure: MakeFigure) -> None:
    lm = make_figure(facing=-1, near_vis=0.8, far_vis=0.8)
    flat = dataclasses.replace(lm, xyz=np.concatenate([lm.xyz[..., :2], np.zeros_like(lm.xyz[..., :1])], -1))
    assert near_side(flat, facing=-1) == "left"
    with pytest.raises(ValidationError, match="neither depth nor visibility"):
        near_side(flat)


def test_near_side_conflicting_cues_raise(make_figure: MakeFigure) -> None:
    lm = make_figure(facing=1)
    vis = np.full_like(lm.visibility, 0.5)  # the far (left) side made the more visible one
    vis[:, [lm.skeleton.index(f"left_{p}") for p in ("shoulder", "hip", "knee", "ankle")]] = 0.95
    with pytest.raises(ValidationError, match="visibility says the other side"):
        near_side(dataclasses.replace(lm, visibility=vis))


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("yaw", [-20.0, 0.0, 5.0, 10.0, 20.0, 30.0])
def test_yaw_recovered_exactly_without_noise(make_figure: MakeFigure, facing: int, yaw: float) -> None:
    """Proportions as assumed, orthographic, no noise: image and world estimates within 1e-6 deg."""
    lm = make_figure(facing=facing, yaw=yaw)
    est = estimate_yaw_deg(lm, expected_near_side(facing))
    assert est.image_yaw_deg == pytest.approx(yaw, abs=1e-6)
    assert est.world_yaw_deg == pytest.approx(yaw, abs=1e-6)
    assert est.yaw_deg == est.image_yaw_deg
    assert est.n_frames == lm.n_frames


def test_yaw_with_landmark_noise(make_figure: MakeFigure) -> None:
    """2 px noise on a ~176 px trunk, 60 frames: the median is within 1.5 deg and the uncertainty."""
    for yaw in (0.0, 12.0, 25.0):
        est = estimate_yaw_deg(
            make_figure(yaw=yaw, n_frames=60, noise_px=2.0, world=False), "right", facing=1
        )
        assert abs(est.yaw_deg - yaw) < 1.5
        assert abs(est.yaw_deg - yaw) <= est.uncertainty_deg
        assert np.isnan(est.world_yaw_deg)


def test_yaw_model_error_from_body_proportions(make_figure: MakeFigure) -> None:
    """Shoulders 15 % narrower than assumed at 20 deg yaw: biased low, yet inside the stated uncertainty.

    The world estimate (no proportions needed) still reads 20, so the uncertainty widens to cover it.
    """
    est = estimate_yaw_deg(make_figure(yaw=20.0, shoulder_scale=0.85), "right", facing=1)
    assert 16.0 < est.image_yaw_deg < 19.5
    assert est.world_yaw_deg == pytest.approx(20.0, abs=1e-6)
    assert abs(est.yaw_deg - 20.0) <= est.uncertainty_deg


def test_yaw_computes_facing_and_handles_missing(make_figure: MakeFigure) -> None:
    lm = make_figure(facing=-1, yaw=10.0)
    assert estimate_yaw_deg(lm, "left").yaw_deg == pytest.approx(10.0, abs=1e-6)
    gone = _blank(lm, ["left_shoulder", "right_shoulder", "left_hip", "right_hip"])
    est = estimate_yaw_deg(gone, "left", facing=-1)
    assert np.isnan(est.yaw_deg) and est.n_frames == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"side": "front"}, "side must be 'left' or 'right'", id="side"),
        pytest.param({"facing": 3}, "facing must be", id="facing"),
        pytest.param({"ratio_rel_uncertainty": -0.1}, "ratio_rel_uncertainty must be", id="ratio"),
    ],
)
def test_yaw_invalid_inputs(make_figure: MakeFigure, kwargs: dict, match: str) -> None:
    args = {"side": "right", "facing": 1} | kwargs
    side = args.pop("side")
    with pytest.raises(ValidationError, match=match):
        estimate_yaw_deg(make_figure(), side, **args)


@pytest.mark.parametrize(
    ("func", "kwargs", "match"),
    [
        pytest.param(facing_direction, {"min_offset": 0}, "min_offset must be", id="facing-min-offset"),
        pytest.param(near_side, {"facing": 0}, "facing must be", id="near-facing"),
        pytest.param(near_side, {"min_visibility_gap": 2.0}, "min_visibility_gap must be", id="near-gap"),
    ],
)
def test_view_invalid_options(make_figure: MakeFigure, func, kwargs: dict, match: str) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match=match):
        func(make_figure(), **kwargs)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("yaw", [-30.0, -10.0, 0.0, 10.0, 30.0])
def test_foot_separation_follows_yaw_either_way(make_figure: MakeFigure, facing: int, yaw: float) -> None:
    """Feet 2 x 0.09 m apart, trunk 0.288 H upright: separation = 0.18 |sin(yaw)| / (0.288 H) trunk lengths.

    With H = 1.75 m the trunk is 0.504 m, so 0.357 |sin(yaw)|: 0 at 0 degrees, 0.062 at 10 and 0.179 at
    30 degrees. The sign of the yaw (camera towards the back or the front) does not matter. The figure's
    feet are narrower than real stances (renders: 0.26-0.46 at 20-30 degrees), so only the formula is
    checked here, and that a wide apparent stance gives a reason while a square view gives none.
    """
    from tests.unit.kinematics.figures import H

    lm = make_figure(facing=facing, yaw=yaw)
    side = expected_near_side(facing)
    expected = 0.18 * abs(np.sin(np.deg2rad(yaw))) / (0.288 * H)
    assert foot_separation(lm, side, facing=facing) == pytest.approx(expected, abs=1e-9)
    reason = oblique_view_reason(lm, side, facing=facing, max_separation=0.1)  # 0.062 at 10, 0.179 at 30
    assert (reason is None) == (abs(yaw) < 20)
    assert reason is None or "obliquely" in reason
    assert oblique_view_reason(lm, side, facing=facing) is None  # 0.179 < MAX_FOOT_SEPARATION


def test_foot_separation_nan_without_feet(make_figure: MakeFigure) -> None:
    """No foot landmarks at all: NaN, and no reason (the cue cannot refuse what it cannot see)."""
    lm = make_figure(facing=1, yaw=30.0)
    feet = [f"{s}_{p}" for s in ("left", "right") for p in ("ankle", "heel", "foot_index")]
    lm = _blank(lm, feet)
    assert np.isnan(foot_separation(lm, "right", facing=1))
    assert oblique_view_reason(lm, "right", facing=1) is None


@pytest.mark.parametrize("facing", [1, -1])
def test_facing_from_the_legs_in_a_flat_forward_fold(make_figure: MakeFigure, facing: int) -> None:
    """Sitting with the legs along the floor (thigh 90 deg forward of straight down) and the trunk folded
    80 deg: the face and the feet are hidden or give no offset (blanked here), but the ankles lie
    0.491 H = 0.86 m = 1.70 trunk lengths ahead of the hips, far above the legs cue's 0.30 - decisive."""
    lm = make_figure(facing=facing, thigh=90.0, lean=80.0, n_frames=10, noise_px=1.0)
    assert facing_direction(_blank(lm, HEAD + FEET)) == facing


def test_facing_legs_break_a_head_feet_tie(make_figure: MakeFigure) -> None:
    """Seated facing image-right, with the feet of a left-facing figure: head (+1) and feet (-1) tie and the
    legs (+1, 1.7 trunk lengths) break it."""
    right, left = make_figure(facing=1, thigh=90.0, lean=40.0), make_figure(facing=-1, thigh=90.0, lean=40.0)
    xyz = right.xyz.copy()
    for name in FEET:
        k = right.skeleton.index(name)
        xyz[:, k] = left.xyz[:, k]
    assert facing_direction(dataclasses.replace(right, xyz=xyz)) == 1


def test_facing_error_is_a_plain_sentence_with_the_cues(make_figure: MakeFigure) -> None:
    """Standing with head, feet and hands blank: the legs are vertical (cue not applicable, NaN) - no cue."""
    from tiltscreen.kinematics.view import FacingError

    lm = _blank(make_figure(), HEAD + FEET + ["left_wrist", "right_wrist"])
    with pytest.raises(FacingError) as info:
        facing_direction(lm)
    msg = str(info.value)
    assert (
        msg.startswith("tiltscreen cannot tell which way the subject faces") and "facing_direction" not in msg
    )
    assert "{" not in msg and "nan" not in msg.lower()
    assert np.isnan(info.value.cues["feet ahead of the hips (legs along the floor)"])
    assert isinstance(info.value, ValidationError)


def test_facing_from_the_hands_alone(make_figure: MakeFigure) -> None:
    """Head and feet blank, standing, arms reaching forward: the wrists at the figure's default place are
    straight below the shoulders (no cue); shifted 0.3 m forward they are 0.6 trunk lengths ahead (> 0.2)."""
    lm = _blank(make_figure(facing=-1), HEAD + FEET)
    xyz = lm.xyz.copy()
    for name in ("left_wrist", "right_wrist"):
        xyz[:, lm.skeleton.index(name), 0] -= 0.3 * 350.0 / 1280  # 0.3 m at 350 px/m, towards image-left
    assert facing_direction(dataclasses.replace(lm, xyz=xyz)) == -1
