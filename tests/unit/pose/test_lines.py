"""Tests for the near-vertical room lines (synthetic images drawn with known angles)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.level import METHOD_PLUMB, METHOD_ROOM, measure_level
from tiltscreen.pose.lines import KIND_DARK_LINE, KIND_EDGE, LineRecorder, find_vertical_segments, lean_deg
from tiltscreen.sources import Frame

W, H = 640, 360


def _room(roll_deg: float, *, rng: np.random.Generator) -> np.ndarray:
    """A light wall, a dark door frame band (x 80-110), a wall corner (shade step at x 520), a plumb line.

    Everything is drawn upright, then the image is turned by ``roll_deg`` counter-clockwise (y-up) about
    its centre, as a camera rolled by ``roll_deg`` (the tiltscreen convention) would see it; so every
    vertical leans by exactly ``roll_deg``. Noise SD 2 grey levels.
    """
    import cv2

    img = np.full((H, W), 200, np.uint8)
    img[:, 80:110] = 90  # door frame: two edges
    img[:, 520:] = 160  # wall corner: one edge
    img[20:340, 300:302] = 30  # plumb line string, 2 px wide
    rot = cv2.getRotationMatrix2D((W / 2, H / 2), roll_deg, 1.0)  # OpenCV: positive = counter-clockwise
    img = cv2.warpAffine(img, rot, (W, H), borderMode=cv2.BORDER_REPLICATE)
    img = np.clip(img + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)
    return np.repeat(img[..., None], 3, axis=2)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.mark.parametrize("roll", [-2.0, 0.0, 1.5])
def test_room_lines_lean_by_the_roll(roll: float, rng: np.random.Generator) -> None:
    seg, kinds = find_vertical_segments(_room(roll, rng=rng))
    assert len(seg) >= 4
    assert np.all(seg[:, 1] >= seg[:, 3])  # bottom point first
    assert np.median(lean_deg(seg)) == pytest.approx(roll, abs=0.15)
    assert KIND_DARK_LINE in kinds and KIND_EDGE in kinds
    dark = seg[np.array(kinds) == KIND_DARK_LINE]
    assert np.all(np.abs((dark[:, 0] + dark[:, 2]) / 2 - 301) < 12)  # only the string is a dark line


def test_lines_on_the_subject_are_left_out(rng: np.random.Generator) -> None:
    """A mask over the door frame (x 60-130, any resolution) removes its edges; the rest stays."""
    img = _room(0.0, rng=rng)
    mask = np.zeros((H // 2, W // 2), np.float32)
    mask[:, 30:65] = 1.0  # half resolution, like a segmentation mask at inference size
    seg, _ = find_vertical_segments(img, exclude_mask=mask)
    x = (seg[:, 0] + seg[:, 2]) / 2
    assert not np.any((x > 50) & (x < 140))
    assert np.any(x > 500)


def test_downscaled_frames_give_full_resolution_segments(rng: np.random.Generator) -> None:
    import cv2

    img = _room(1.0, rng=rng)
    small = cv2.resize(img, (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    seg, _ = find_vertical_segments(small, scale=0.5)
    assert seg[:, [0, 2]].max() > W / 2 + 100  # the wall corner at x ~520 full size
    assert np.median(lean_deg(seg)) == pytest.approx(1.0, abs=0.3)


def test_recorder_looks_every_nth_frame_and_feeds_the_level(rng: np.random.Generator) -> None:
    img = _room(-1.0, rng=rng)
    rec = LineRecorder(every=3, max_looks=2)
    for i in range(8):
        rec(Frame(i, i / 30, img, 1.0), None)
    assert [f.frame_index for f in rec.frames] == [0, 3]
    assert rec.frames[0].image_size == (W, H)
    level = measure_level(rec.frames, [], (W, H))
    assert level.method in (METHOD_ROOM, METHOD_PLUMB)
    assert level.roll_deg == pytest.approx(-1.0, abs=0.2)


def test_lean_sign_convention() -> None:
    """A segment whose top is left of its bottom leans counter-clockwise (positive), like a roll of +r."""
    r = math.radians(3.0)
    seg = np.array([[100.0, 300.0, 100.0 - 200 * math.tan(r), 100.0]])
    assert lean_deg(seg)[0] == pytest.approx(3.0)


def test_invalid_input() -> None:
    with pytest.raises(ValidationError, match="rgb must be"):
        find_vertical_segments(np.zeros((10, 10)))
    with pytest.raises(ValidationError, match="min_length must be"):
        find_vertical_segments(np.zeros((10, 10, 3), np.uint8), min_length=2.0)
