"""Key frame: reading one frame back (numbered synthetic video), drawing marks, atomic PNG writing."""

from __future__ import annotations

from contextlib import nullcontext as does_not_raise
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.fixtures.videos import HEIGHT, WIDTH, read_frame_number, write_rotated_copy, write_video_opencv

from tiltscreen.errors import InputError, InputNotFoundError, TiltscreenError, ValidationError
from tiltscreen.outputs.keyframe import (
    LINE_BGR,
    POINT_BGR,
    FrameNotFoundError,
    ImageWriteError,
    annotate_key_frame,
    read_frame,
    save_png,
)
from tiltscreen.skeleton import BLAZEPOSE

N_FRAMES = 12
K = len(BLAZEPOSE.names)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 frames (96 x 64 px, mp4v) that carry their number as 8 black/white blocks."""
    return write_video_opencv(tmp_path_factory.mktemp("keyframe") / "numbered.mp4", N_FRAMES)


# --- read_frame ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 5, N_FRAMES - 1])
def test_read_frame_returns_that_frame(clip: Path, index: int) -> None:
    bgr = read_frame(clip, index)
    assert bgr.shape == (HEIGHT, WIDTH, 3) and bgr.dtype == np.uint8
    assert read_frame_number(bgr) == index
    assert bgr[4, 4, 2] > 200 and bgr[4, 4, 0] < 60, "BGR order: the red corner is red"


def test_read_frame_downscales(clip: Path) -> None:
    bgr = read_frame(str(clip), 3, max_side=48)
    assert bgr.shape == (32, 48, 3)
    assert read_frame_number(bgr) == 3


@pytest.mark.parametrize(
    ("index", "expectation"),
    [
        pytest.param(N_FRAMES, pytest.raises(FrameNotFoundError, match=r"Frame 12 .* holds 12 frames"),
                     id="one-past-end"),
        pytest.param(1000, pytest.raises(FrameNotFoundError, match="0 to 11"), id="far-past-end"),
        pytest.param(-1, pytest.raises(ValidationError, match="integer >= 0, got -1"), id="negative"),
        pytest.param(2.0, pytest.raises(ValidationError, match="got 2.0"), id="float"),
        pytest.param(True, pytest.raises(ValidationError, match="got True"), id="bool"),
        pytest.param(np.int64(2), does_not_raise(), id="numpy-int"),
    ],
)  # fmt: skip
def test_read_frame_bad_index(clip: Path, index: object, expectation) -> None:
    with expectation:
        read_frame(clip, index)  # type: ignore[arg-type]


def test_frame_not_found_is_an_input_error() -> None:
    assert issubclass(FrameNotFoundError, InputError) and issubclass(FrameNotFoundError, TiltscreenError)


def test_read_frame_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        read_frame(tmp_path / "none.mp4", 0)


def test_read_frame_honours_rotation(clip: Path, tmp_path: Path) -> None:
    """A copy tagged to display rotated by 90° comes back upright (portrait), as the pipeline saw it."""
    pytest.importorskip("imageio_ffmpeg")
    rotated = write_rotated_copy(clip, tmp_path / "rotated.mp4", display_rotation=90)
    bgr = read_frame(rotated, 4)
    assert bgr.shape == (WIDTH, HEIGHT, 3)
    np.testing.assert_allclose(np.rot90(bgr, k=-1), read_frame(clip, 4), atol=40)


# --- annotate_key_frame ---------------------------------------------------------------------------


@pytest.fixture
def grey() -> np.ndarray:
    """A mid-grey 240 x 320 frame."""
    return np.full((240, 320, 3), 128, np.uint8)


def _changed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return (before.astype(int) - after.astype(int)).any(axis=2)


def test_points_lines_and_text_are_drawn_where_asked(grey: np.ndarray) -> None:
    before = grey.copy()
    out = annotate_key_frame(
        grey,
        xy_px_row=None,
        visibility_row=None,
        points={"fingertip": (250, 150)},
        lines=[((40, 200), (200, 200), "reach 12.0 cm")],
        text_lines=["reach 12.0 cm", "knee 4°"],
    )
    np.testing.assert_array_equal(grey, before)
    assert out.shape == grey.shape and out.dtype == np.uint8
    changed = _changed(grey, out)
    np.testing.assert_allclose(out[200, 120], LINE_BGR, atol=40)  # middle of the line
    np.testing.assert_allclose(out[150, 250 + 6], POINT_BGR, atol=60)  # on the circle (radius 6 px)
    assert changed[5:30, 5:60].any(), "value box at the top-left"
    assert changed[130:150, 250:300].any(), "point label above right of the point"
    assert not changed[100:120, 100:200].any(), "nothing drawn away from the marks"


def test_skeleton_is_drawn(grey: np.ndarray) -> None:
    xy = np.full((K, 2), np.nan)
    vis = np.zeros(K)
    for name, p in {"left_hip": (60.0, 180.0), "left_knee": (160.0, 180.0)}.items():
        xy[BLAZEPOSE.index(name)], vis[BLAZEPOSE.index(name)] = p, 1.0
    out = annotate_key_frame(grey, xy_px_row=xy, visibility_row=vis, side="left")
    changed = _changed(grey, out)
    assert changed[180, 70:150].all()
    assert changed.sum() < 0.05 * changed.size


def test_unknown_points_are_skipped_and_labels_stay_inside(grey: np.ndarray) -> None:
    out = annotate_key_frame(grey, xy_px_row=None, visibility_row=None,
                             points={"toe": (np.nan, 10.0)}, lines=[((0, np.inf), (5, 5), "x")])  # fmt: skip
    np.testing.assert_array_equal(out, grey)
    corner = annotate_key_frame(grey, xy_px_row=None, visibility_row=None, points={"corner marker": (318, 2)})
    changed = _changed(grey, corner)
    assert changed.any() and changed[:, :200].sum() == 0, "label moved left of the point, not off-image"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"points": {"a": (1, 2, 3)}}, "point 'a'", id="point-3d"),
        pytest.param({"points": [(1, 2)]}, "mapping", id="points-list"),
        pytest.param({"lines": [((0, 0), (1, 1))]}, r"lines\[0\]", id="line-no-label"),
        pytest.param({"lines": [((0, 0), "x", "l")]}, r"lines\[0\]", id="line-bad-end"),
        pytest.param({"text_lines": "reach"}, "list of strings", id="text-str"),
        pytest.param({"xy_px_row": np.zeros((K, 2))}, "both be given", id="xy-without-vis"),
        pytest.param({"xy_px_row": np.zeros((3, 2)), "visibility_row": np.ones(3)}, "shape", id="xy-shape"),
        pytest.param({"bgr": np.zeros((4, 4), np.uint8)}, "BGR uint8", id="grey-image"),
    ],
)
def test_annotate_checks(grey: np.ndarray, kwargs: dict, match: str) -> None:
    args = {"bgr": grey, "xy_px_row": None, "visibility_row": None, **kwargs}
    with pytest.raises(ValidationError, match=match):
        annotate_key_frame(args.pop("bgr"), **args)


# --- save_png -------------------------------------------------------------------------------------


def test_save_png_round_trip(tmp_path: Path) -> None:
    image = np.random.default_rng(0).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    path = save_png(tmp_path / "out" / "key.png", image)
    np.testing.assert_array_equal(cv2.imread(str(path), cv2.IMREAD_COLOR), image)
    save_png(path, image[::-1].copy())  # replaces
    np.testing.assert_array_equal(cv2.imread(str(path), cv2.IMREAD_COLOR), image[::-1])
    assert [p.name for p in path.parent.iterdir()] == ["key.png"]


def test_save_png_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="BGR uint8"):
        save_png(tmp_path / "f.png", np.zeros((4, 4, 3)))
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ImageWriteError, match="Cannot write"):
        save_png(tmp_path / "dir.png", np.zeros((4, 4, 3), np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.png"]
