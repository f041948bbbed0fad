"""Tests for facing direction and near side on projected stick figures (kinematics.view_facing)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tests.unit.kinematics.figures import MakeFigure
from tests.unit.kinematics.figures import blank_landmarks as _blank

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.view_facing import (
    expected_near_side,
    facing_direction,
    near_side,
)

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
