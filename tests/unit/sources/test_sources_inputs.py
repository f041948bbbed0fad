"""open_source: which input becomes which source, and every bad input's error."""

from __future__ import annotations

from contextlib import nullcontext as does_not_raise
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.fixtures.videos import HEIGHT, WIDTH, draw_frame, read_frame_number, run_ffmpeg, write_video_opencv

from tiltscreen.errors import (
    CorruptVideoError,
    EmptyVideoError,
    InputNotFoundError,
    UnsupportedInputError,
)
from tiltscreen.sources import open_source
from tiltscreen.sources.container import count_video_samples


def _make_input(kind: str, tmp_path: Path, mp4_clip: Path) -> Path:
    """Build the file or folder named by ``kind`` in ``tmp_path``."""
    if kind == "video":
        return mp4_clip
    if kind == "missing":
        return tmp_path / "nope.mp4"
    if kind == "empty-dir":
        return tmp_path
    if kind == "dir-without-images":
        (tmp_path / "notes.txt").write_text("x")
        (tmp_path / "clip.mp4").write_bytes(mp4_clip.read_bytes())
        return tmp_path
    if kind == "text-named-mp4":
        path = tmp_path / "fake.mp4"
        path.write_text("this is not a video\n")
        return path
    if kind == "wrong-extension":
        path = tmp_path / "clip.txt"
        path.write_bytes(mp4_clip.read_bytes())
        return path
    if kind == "single-image":
        path = tmp_path / "one.png"
        cv2.imwrite(str(path), draw_frame(1))
        return path
    if kind == "zero-frame-mp4":
        path = tmp_path / "zero.mp4"
        run_ffmpeg(
            "-f", "lavfi", "-i", "color=c=red:s=96x64:r=10:d=1", "-frames:v", "0", "-c:v", "mpeg4", str(path)
        )
        return path
    if kind == "zero-frame-mkv":
        path = tmp_path / "zero.mkv"
        run_ffmpeg(
            "-f", "lavfi", "-i", "color=c=red:s=96x64:r=10:d=1", "-frames:v", "0", "-c:v", "mpeg4", str(path)
        )
        return path
    if kind == "zero-frame-avi":
        return write_video_opencv(tmp_path / "zero.avi", 0, fourcc="MJPG")
    if kind == "truncated-index-at-end":
        full = write_video_opencv(tmp_path / "full.mp4", 20)  # cv2 writes the moov index last
        path = tmp_path / "cut.mp4"
        path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
        return path
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "expectation"),
    [
        pytest.param("video", does_not_raise(), id="video"),
        pytest.param("missing", pytest.raises(InputNotFoundError, match="No file or folder"), id="missing"),
        pytest.param("empty-dir", pytest.raises(UnsupportedInputError, match="holds no"), id="empty-dir"),
        pytest.param(
            "dir-without-images", pytest.raises(UnsupportedInputError, match="holds no"), id="no-images"
        ),
        pytest.param(
            "text-named-mp4", pytest.raises(CorruptVideoError, match="cannot be opened"), id="text-mp4"
        ),
        pytest.param(
            "wrong-extension", pytest.raises(UnsupportedInputError, match="not a supported"), id="ext"
        ),
        pytest.param("single-image", pytest.raises(UnsupportedInputError, match="single image"), id="image"),
        pytest.param("zero-frame-mp4", pytest.raises(EmptyVideoError, match="no frame"), id="zero-mp4"),
        pytest.param("zero-frame-mkv", pytest.raises(EmptyVideoError, match="no frame"), id="zero-mkv"),
        pytest.param("zero-frame-avi", pytest.raises(EmptyVideoError, match="no frame"), id="zero-avi"),
        pytest.param("truncated-index-at-end", pytest.raises(CorruptVideoError), id="cut-before-index"),
    ],
)
def test_open_source_inputs(kind: str, expectation, tmp_path: Path, mp4_clip: Path) -> None:  # noqa: ANN001
    path = _make_input(kind, tmp_path, mp4_clip)
    with expectation:
        open_source(path).close()


@pytest.mark.parametrize("spec", [1.5, None, b"clip.mp4", True])
def test_open_source_rejects_other_types(spec: object) -> None:
    with pytest.raises(UnsupportedInputError):
        open_source(spec)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("option", "value"),
    [("max_side", 0), ("max_side", 2.5), ("queue_size", 0), ("stall_timeout_s", 0.0), ("images_fps", 0.0)],
)
def test_open_source_rejects_bad_options(mp4_clip: Path, tmp_path: Path, option: str, value: object) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), draw_frame(0))
    spec = tmp_path if option == "images_fps" else mp4_clip
    with pytest.raises(ValueError, match=option):
        open_source(spec, **{option: value})


def test_accepts_str_and_pathlike(mp4_clip: Path) -> None:
    for spec in (mp4_clip, str(mp4_clip)):
        with open_source(spec) as source:
            assert source.info.kind == "file"


def test_count_video_samples(mp4_clip: Path, tmp_path: Path) -> None:
    assert count_video_samples(mp4_clip) == 30
    text = tmp_path / "t.mp4"
    text.write_text("hello")
    assert count_video_samples(text) is None


# -- image folders ------------------------------------------------------------------------


def _write_images(folder: Path, numbers: list[int], *, ext: str = ".png") -> None:
    folder.mkdir(exist_ok=True)
    for number in numbers:
        cv2.imwrite(str(folder / f"frame{number}{ext}"), draw_frame(number))


def test_image_folder_in_natural_order_with_given_fps(tmp_path: Path) -> None:
    _write_images(tmp_path / "imgs", [0, 1, 2, 10, 11])
    (tmp_path / "imgs" / "readme.txt").write_text("ignored")
    (tmp_path / "imgs" / ".hidden.png").write_bytes(b"")
    with open_source(tmp_path / "imgs", images_fps=20.0) as source:
        frames = list(source)
    info = source.info
    assert (info.kind, info.width, info.height, info.fps, info.frame_count, info.live) == (
        "images", WIDTH, HEIGHT, 20.0, 5, False
    )  # fmt: skip
    assert [read_frame_number(f.rgb) for f in frames] == [0, 1, 2, 10, 11]
    np.testing.assert_allclose([f.timestamp_s for f in frames], [0.0, 0.05, 0.1, 0.15, 0.2])


@pytest.mark.parametrize("ext", [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".JPG"])
def test_image_formats(tmp_path: Path, ext: str) -> None:
    _write_images(tmp_path / "imgs", [3, 4], ext=ext)
    with open_source(tmp_path / "imgs") as source:
        assert [read_frame_number(f.rgb) for f in source] == [3, 4]
        assert source.info.fps == 30.0


def test_image_folder_with_a_damaged_image_raises_after_good_frames(tmp_path: Path) -> None:
    _write_images(tmp_path / "imgs", [0, 1])
    (tmp_path / "imgs" / "frame2.png").write_bytes(b"not a png")
    seen = []
    with open_source(tmp_path / "imgs") as source, pytest.raises(CorruptVideoError, match="frame2.png"):
        for frame in source:
            seen.append(frame.index)
    assert seen == [0, 1]


def test_image_folder_with_mixed_sizes_raises(tmp_path: Path) -> None:
    _write_images(tmp_path / "imgs", [0])
    cv2.imwrite(str(tmp_path / "imgs" / "frame1.png"), np.zeros((10, 10, 3), np.uint8))
    with open_source(tmp_path / "imgs") as source, pytest.raises(UnsupportedInputError, match="one size"):
        list(source)
