from __future__ import annotations

import hashlib
from pathlib import Path

from tiltscreen.batch.inputs import VideoItem
from tiltscreen.batch.probe import choose
from tiltscreen.batch.tasks import Versions, file_sha256, make_task, task_key, video_options

V = Versions("0.1.0", "model-a")
SHARED = {
    "side": "auto",
    "subject_height_cm": None,
    "age": None,
    "model": Path("/m/pose.task"),
    "max_side": 960,
}


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    p = tmp_path / "v.mp4"
    p.write_bytes(b"abc" * 1000)
    assert file_sha256(p, block=7) == hashlib.sha256(b"abc" * 1000).hexdigest()


def test_key_changes_with_content_options_protocol_version_and_model() -> None:
    base = task_key("c", "standing", SHARED, V)
    assert len(base) == 64 and base == task_key("c", "standing", dict(SHARED), V)
    assert base != task_key("d", "standing", SHARED, V)
    assert base != task_key("c", "sit-and-reach", SHARED, V)
    assert base != task_key("c", "standing", {**SHARED, "max_side": 640}, V)
    assert base != task_key("c", "standing", SHARED, Versions("0.2.0", "model-a"))
    assert base != task_key("c", "standing", SHARED, Versions("0.1.0", "model-b"))
    assert base != task_key("c", "standing", SHARED, V, thresholds_sha256="t")


def test_key_ignores_where_the_model_and_thresholds_lie() -> None:
    moved = {**SHARED, "model": Path("/elsewhere/pose.task"), "thresholds": Path("/x/t.json")}
    assert task_key("c", "standing", SHARED, V) == task_key("c", "standing", moved, V)


def test_manifest_values_override_the_command() -> None:
    item = VideoItem(Path("/v.mp4"), side="right", stature_cm=180.0, marker_size_cm=10.0, sex="F", age=40.0)
    opts = video_options(SHARED, item)
    assert (opts["side"], opts["subject_height_cm"], opts["marker_size_cm"], opts["sex"], opts["age"]) == (
        "right", 180.0, 10.0, "F", 40.0,
    )  # fmt: skip
    assert video_options(SHARED, VideoItem(Path("/v.mp4"))) == SHARED


def test_make_task_uses_the_row_protocol_and_keeps_ids(tmp_path: Path) -> None:
    item = VideoItem(Path("/v.mp4"), subject="P1", session="2", protocol="sit-and-reach", stature_cm=170.0)
    t = make_task(item, "sub-P1_ses-2_v", out_root=tmp_path, protocol="auto", shared=SHARED, versions=V,
                  content_sha256="c")  # fmt: skip
    assert t.protocol == "sit-and-reach" and (t.subject, t.session) == ("P1", "2")
    assert t.folder == tmp_path / "recordings" / "sub-P1_ses-2_v"
    assert t.option_dict()["model"] == Path("/m/pose.task") and t.option_dict()["subject_height_cm"] == 170.0
    assert t.key == task_key("c", "sit-and-reach", {**SHARED, "subject_height_cm": 170.0}, V)


def test_auto_rule() -> None:
    """Long sitting wins (a sit-and-reach may start standing), then standing, else the longer."""
    assert (choose(5.0, 1.0, need_s=1.0).protocol, choose(5.0, 1.0, need_s=1.0).rule) == (
        "sit-and-reach", "long_sitting",
    )  # fmt: skip
    assert choose(1.0, 0.99, need_s=1.0).protocol == "standing"
    assert (choose(0.3, 0.5, need_s=1.0).protocol, choose(0.3, 0.5, need_s=1.0).rule) == (
        "sit-and-reach", "neither",
    )  # fmt: skip
    assert choose(0.0, 0.0, need_s=1.0).protocol == "standing"
    assert choose(2.0, 0.0, need_s=1.0, frames=31).as_dict()["probe_frames"] == 31
