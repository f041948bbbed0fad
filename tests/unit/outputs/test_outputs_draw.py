"""Skeleton overlay, labels and the annotated video writer, on small synthetic images."""

from __future__ import annotations

from contextlib import nullcontext as does_not_raise

import cv2
import numpy as np
import pytest

from tiltscreen.errors import TiltscreenError, ValidationError
from tiltscreen.outputs.draw import (
    CENTRE_BGR,
    FAR_SIDE_DIM,
    LEFT_BGR,
    AnnotatedVideoWriter,
    VideoWriteError,
    draw_label,
    draw_skeleton,
    line_width,
)
from tiltscreen.skeleton import BLAZEPOSE

K = len(BLAZEPOSE.names)


def _pose(points: dict[str, tuple[float, float]], *, vis: float = 1.0):
    """Landmark rows with only ``points`` set (NaN elsewhere), all at visibility ``vis``."""
    xy = np.full((K, 2), np.nan)
    v = np.full(K, np.nan)
    for name, p in points.items():
        xy[BLAZEPOSE.index(name)] = p
        v[BLAZEPOSE.index(name)] = vis
    return xy, v


@pytest.fixture
def black():
    """A black 200 x 300 frame."""
    return np.zeros((200, 300, 3), np.uint8)


# --- skeleton -----------------------------------------------------------------------------------


def test_segment_between_two_known_points(black):
    """Left shoulder (50, 100) to left elbow (250, 100): a horizontal orange line at y = 100."""
    xy, vis = _pose({"left_shoulder": (50, 100), "left_elbow": (250, 100)})
    before = black.copy()
    out = draw_skeleton(black, xy, vis)
    np.testing.assert_array_equal(black, before)
    assert out is not black and out.shape == black.shape and out.dtype == np.uint8
    np.testing.assert_allclose(out[100, 150], LEFT_BGR, atol=30)  # 1 px anti-aliased line
    assert (out[100, 50:251, 2] > 200).all(), "the whole segment is drawn"
    assert not out[:80].any() and not out[120:].any(), "nothing drawn away from the segment"


def test_low_visibility_and_nan_are_skipped(black):
    xy, vis = _pose({"left_shoulder": (50, 100), "left_elbow": (250, 100), "left_wrist": (250, 180)})
    vis[BLAZEPOSE.index("left_elbow")] = 0.2
    out = draw_skeleton(black, xy, vis, min_visibility=0.5)
    assert not out[100, 150].any(), "no segment to a low-visibility joint"
    assert out[100, 50].any() and not out[100, 250].any() and out[180, 250].any()
    vis[BLAZEPOSE.index("left_elbow")] = np.nan
    assert not draw_skeleton(black, xy, vis)[100, 250].any(), "NaN visibility is skipped"
    xy[BLAZEPOSE.index("left_shoulder")] = (np.nan, 100)
    assert not draw_skeleton(black, xy, vis)[100, 50].any(), "NaN coordinate is skipped"


def test_all_missing_draws_nothing(black):
    xy, vis = _pose({})
    np.testing.assert_array_equal(draw_skeleton(black, xy, vis), black)


def test_far_side_is_dimmed_and_centre_segments_neutral(black):
    xy, vis = _pose({"left_shoulder": (50, 60), "left_elbow": (250, 60), "right_shoulder": (50, 150)})
    near = draw_skeleton(black, xy, vis, side="left")
    far = draw_skeleton(black, xy, vis, side="right")
    np.testing.assert_allclose(far[60, 150], near[60, 150] * FAR_SIDE_DIM, atol=2)
    np.testing.assert_allclose(near[60, 150], LEFT_BGR, atol=30)
    np.testing.assert_allclose(far[105, 50], CENTRE_BGR, atol=30)  # left shoulder - right shoulder


def test_line_width_grows_with_image():
    assert line_width((360, 640, 3)) == 1 and line_width((1080, 1920, 3)) == 3
    xy, vis = _pose({"left_hip": (10, 100), "left_knee": (290, 100)})
    small = draw_skeleton(np.zeros((200, 300, 3), np.uint8), xy, vis)
    big = draw_skeleton(np.zeros((1200, 1600, 3), np.uint8), xy, vis)
    assert (big[:, 150].any(axis=1)).sum() > (small[:, 150].any(axis=1)).sum()


def test_far_away_points_do_not_crash(black):
    xy, vis = _pose({"left_hip": (1e12, -1e12), "left_knee": (150, 100)})
    out = draw_skeleton(black, xy, vis)
    assert out[100, 150].any()


def _raises(match: str):
    return pytest.raises(ValidationError, match=match)


@pytest.mark.parametrize(
    ("image", "xy_shape", "kwargs", "expectation"),
    [
        pytest.param((10, 10, 3), (K, 2), {}, does_not_raise(), id="valid"),
        pytest.param((10, 10), (K, 2), {}, _raises("BGR uint8 image"), id="gray"),
        pytest.param((0, 10, 3), (K, 2), {}, _raises("non-empty"), id="empty"),
        pytest.param((10, 10, 3), (K, 3), {}, _raises(r"shape \(33, 2\)"), id="xyz"),
        pytest.param((10, 10, 3), (K, 2), {"side": "front"}, _raises("side must"), id="side"),
        pytest.param((10, 10, 3), (K, 2), {"min_visibility": 2}, _raises("within"), id="visibility"),
        pytest.param((10, 10, 3), (K, 2), {"scale": 0}, _raises("scale must"), id="scale"),
    ],
)
def test_skeleton_argument_checks(image, xy_shape, kwargs, expectation):
    with expectation:
        draw_skeleton(np.zeros(image, np.uint8), np.zeros(xy_shape), np.ones(K), **kwargs)


def test_float_image_is_refused():
    with pytest.raises(ValidationError, match="got float64 array"):
        draw_skeleton(np.zeros((10, 10, 3)), np.zeros((K, 2)), np.ones(K))


# --- labels -------------------------------------------------------------------------------------


def test_label_has_dark_box_and_bright_text():
    grey = np.full((200, 300, 3), 128, np.uint8)
    out = draw_label(grey, "hip 12.3°", org=(10, 20))
    assert (grey == 128).all(), "input unchanged"
    changed = np.argwhere((out != 128).any(axis=2))
    (y0, x0), (y1, x1) = changed.min(axis=0), changed.max(axis=0)
    assert (y0, x0) == (20, 10) and x1 > 80 and y1 > 30
    box = out[y0 : y1 + 1, x0 : x1 + 1]
    np.testing.assert_array_equal(out[y0 + 1, x0 + 1], (20, 20, 20))
    assert box.max() == 255, "white text inside the box"
    assert (out[:, x1 + 1 :] == 128).all() and (out[y1 + 1 :] == 128).all()


def test_multiline_label_is_taller():
    black = np.zeros((200, 300, 3), np.uint8)
    one = draw_label(black, "flag", org=(0, 0))
    two = draw_label(black, "flag\nreview", org=(0, 0))
    assert (two.any(axis=2).any(axis=1)).sum() > 1.5 * (one.any(axis=2).any(axis=1)).sum()


def test_label_outside_the_image_is_clipped(black):
    out = draw_label(black, "x", org=(290, 195), background=(50, 50, 50))
    assert out[199, 299].any() and out.shape == black.shape


# --- video --------------------------------------------------------------------------------------


def _frames(n: int, size=(160, 120)):
    """``n`` flat frames whose blue channel steps by 20 (easy to tell apart after compression)."""
    w, h = size
    return [np.full((h, w, 3), (20 * i % 256, 100, 200), np.uint8) for i in range(n)]


def _read_back(path):
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def test_video_round_trip(tmp_path):
    frames = _frames(12)
    with AnnotatedVideoWriter(tmp_path / "out" / "annotated.mp4", fps=25.0) as video:
        for f in frames:
            video.write(f)
    assert video.path == tmp_path / "out" / "annotated.mp4" and video.fourcc == "mp4v"
    assert video.frames_written == 12
    back = _read_back(video.path)
    assert len(back) == 12 and back[0].shape == (120, 160, 3)
    np.testing.assert_allclose(back[5].mean(axis=(0, 1)), frames[5][0, 0], atol=8)


def test_video_falls_back_to_mjpeg_avi(tmp_path):
    codecs = (("ABCD", ""), ("MJPG", ".avi"))
    with AnnotatedVideoWriter(tmp_path / "annotated.mp4", fps=10, codecs=codecs) as video:
        for f in _frames(4):
            video.write(f)
    assert video.path == tmp_path / "annotated.avi" and video.fourcc == "MJPG"
    assert len(_read_back(video.path)) == 4


def test_video_that_cannot_be_opened(tmp_path):
    with pytest.raises(VideoWriteError, match="could open none of ABCD -> x.mp4") as info:
        with AnnotatedVideoWriter(tmp_path / "x.mp4", fps=10, codecs=(("ABCD", ""),)) as video:
            video.write(_frames(1)[0])
    assert isinstance(info.value, TiltscreenError)
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(VideoWriteError, match="Cannot create the folder"):
        AnnotatedVideoWriter(tmp_path / "file" / "x.mp4", fps=10).write(_frames(1)[0])


def test_video_misuse(tmp_path):
    with pytest.raises(ValidationError, match="fps must be"):
        AnnotatedVideoWriter(tmp_path / "x.mp4", fps=0)
    with AnnotatedVideoWriter(tmp_path / "x.mp4", fps=10) as video:
        video.write(_frames(1)[0])
        with pytest.raises(ValidationError, match="Frame 1 is 80x60 px but the video is 160x120 px"):
            video.write(_frames(1, size=(80, 60))[0])
    with pytest.raises(VideoWriteError, match="already closed"):
        video.write(_frames(1)[0])
    with AnnotatedVideoWriter(tmp_path / "never.mp4", fps=10) as unused:
        pass
    assert unused.path is None and not (tmp_path / "never.mp4").exists()
