from __future__ import annotations

from pathlib import Path

import pytest

from tiltscreen.batch.inputs import ManifestError, VideoItem, discover, read_manifest, recording_ids
from tiltscreen.errors import InputNotFoundError


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folder_is_searched_recursively_for_videos_only(tmp_path: Path) -> None:
    a = _touch(tmp_path / "in" / "b.mp4")
    b = _touch(tmp_path / "in" / "sub" / "a.MOV")
    _touch(tmp_path / "in" / "notes.txt")
    _touch(tmp_path / "in" / ".hidden" / "c.mp4")
    items = discover([str(tmp_path / "in")])
    assert [it.path for it in items] == sorted([a.resolve(), b.resolve()])


def test_output_folder_inside_the_input_is_skipped(tmp_path: Path) -> None:
    keep = _touch(tmp_path / "v.mp4")
    _touch(tmp_path / "out" / "recordings" / "v" / "annotated.mp4")
    items = discover([str(tmp_path)], exclude=tmp_path / "out")
    assert [it.path for it in items] == [keep.resolve()]


def test_glob_and_single_file(tmp_path: Path) -> None:
    a = _touch(tmp_path / "x1.mp4")
    b = _touch(tmp_path / "x2.mkv")
    _touch(tmp_path / "y.mp4")
    items = discover([str(tmp_path / "x*"), str(b)])
    assert [it.path for it in items] == [a.resolve(), b.resolve()]  # b once, at its first mention


def test_nothing_found_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="neither a folder"):
        discover([str(tmp_path / "nope*.mp4")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputNotFoundError, match="No video"):
        discover([str(tmp_path / "empty")])


MANIFEST = """path,Subject,session,protocol,side,stature,age,sex,marker_size
clips/a.mp4,P1,1,standing,Left,172,34,f,
/abs/b.mp4,P2,,sit-and-reach,,,,M,10

"""


def test_manifest_rows_become_items(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text(MANIFEST, encoding="utf-8")
    a, b = read_manifest(m)
    assert a == VideoItem(
        path=(tmp_path / "clips" / "a.mp4").resolve(), subject="P1", session="1", protocol="standing",
        side="left", stature_cm=172.0, age=34.0, sex="F", marker_size_cm=None,
    )  # fmt: skip
    assert (b.path, b.protocol, b.sex, b.marker_size_cm, b.session) == (
        Path("/abs/b.mp4"), "sit-and-reach", "M", 10.0, None,
    )  # fmt: skip


def test_manifest_wins_over_a_folder_listing_the_same_video(tmp_path: Path) -> None:
    v = _touch(tmp_path / "clips" / "a.mp4")
    m = tmp_path / "m.csv"
    m.write_text("path,subject\nclips/a.mp4,P9\n", encoding="utf-8")
    items = discover([str(tmp_path / "clips")], manifest=m)
    assert items == [VideoItem(v.resolve(), subject="P9")]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("video,age\na.mp4,abc\n", "row 2: age must be a number"),
        ("path,stature\na.mp4,-3\n", "row 2: stature_cm must be positive"),
        ("path,sex\na.mp4,X\n", "sex must be one of F, M"),
        ("path,protocol\na.mp4,walking\n", "protocol must be one of"),
        ("file,age\n,30\n", "row 2: the path is empty"),
        ("name,age\na.mp4,30\n", "no 'path' column"),
    ],
)
def test_bad_manifests_name_the_row(tmp_path: Path, text: str, match: str) -> None:
    m = tmp_path / "m.csv"
    m.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=match):
        read_manifest(m)


def test_manifest_not_utf8(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_bytes(b"path\n\xff\xfe.mp4\n")
    with pytest.raises(ManifestError, match="not a UTF-8 CSV"):
        read_manifest(m)


def test_recording_ids_are_unique_and_safe() -> None:
    items = [
        VideoItem(Path("/a/clip.mp4")),
        VideoItem(Path("/b/clip.mp4")),
        VideoItem(Path("/c/my clip!.mp4"), subject="P 1", session="2"),
        VideoItem(Path("/d/x/v.mp4")),
        VideoItem(Path("/e/x/v.mp4")),
    ]
    assert recording_ids(items) == ["a-clip", "b-clip", "sub-P-1_ses-2_my-clip", "x-v", "x-v-2"]
