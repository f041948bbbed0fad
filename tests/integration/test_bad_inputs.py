"""Bad and foreign recordings through ``tiltscreen analyze``: a status, an exit code, sentences, files kept.

The cases are built here in a temporary folder (nothing is committed): an all-black video, a
one-frame video, a PNG named ``.mp4``, an empty file, a video with no frame, a damaged
container (index cut off) and a truncated file (the standing sample cut at 30% of its bytes;
its index comes first, so the first frames still decode). Then the public demo videos, which
show other activities, through both protocols; and Ctrl-C, sent as a real SIGINT to this
process after a few frames.

Expected statuses and exit codes are those of the README's table.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.fixtures.videos import demo_multi_person, demo_single_person_portrait
from tests.unit.protocols.plain import assert_plain

import tiltscreen.run.extract as extraction
from tiltscreen.cli.main import main

pytestmark = pytest.mark.model

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PROTOCOLS = ("standing", "sit-and-reach")


def _write(path: Path, frames: list[np.ndarray], fps: float = 15.0) -> Path:
    h, w = frames[0].shape[:2] if frames else (240, 320)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def _cut(source: Path, target: Path, fraction: float) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def make_case(name: str, folder: Path) -> Path:
    """Build one bad input in ``folder`` and return its path."""
    black = np.zeros((240, 320, 3), np.uint8)
    if name == "all_black":
        return _write(folder / "black.mp4", [black] * 30)
    if name == "one_frame":
        return _write(folder / "one.mp4", [black + 90])
    if name == "png_named_mp4":
        ok, png = cv2.imencode(".png", black)
        (folder / "photo.mp4").write_bytes(png.tobytes())
        return folder / "photo.mp4"
    if name == "empty_file":
        (folder / "empty.mp4").write_bytes(b"")
        return folder / "empty.mp4"
    if name == "no_frames":
        return _write(folder / "none.mp4", [])
    if name == "damaged_container":  # OpenCV's mp4 writes its index last: cut, nothing can be opened
        return _cut(_write(folder / "whole.mp4", [black] * 30), folder / "damaged.mp4", 0.5)
    if name == "truncated":
        return _cut(SAMPLES / "standing_markers_left.mp4", folder / "truncated.mp4", 0.3)
    raise ValueError(name)


#: case -> (status of summary.json or None when none is written, exit code, phrase of the message)
CASES = {
    "all_black": ("no_person", 5, "No person was found: a person was seen in 0 of 30 frames (0.0%)."),
    "one_frame": ("no_person", 5, "No person was found: a person was seen in 0 of 1 frame (0.0%)."),
    "png_named_mp4": (None, 2, "is a PNG image, not a video"),
    "empty_file": (None, 2, "cannot be opened as a video"),
    "no_frames": ("unreadable", 2, "holds no frame."),
    "damaged_container": (None, 2, "cannot be opened as a video"),
    "truncated": ("interrupted", 4, "the file is probably truncated."),
}


def analyze(capsys, video: Path, protocol: str, out: Path, *extra: str) -> tuple[int, str, dict | None]:
    code = main(["-q", "analyze", str(video), "--protocol", protocol, "--out", str(out), *extra])
    err = capsys.readouterr().err
    path = out / "summary.json"
    return code, err, json.loads(path.read_text()) if path.is_file() else None


def check_message(err: str, video: Path, out: Path) -> None:
    """One line, ``tiltscreen: `` then plain sentences (paths aside), never internal text."""
    assert err.startswith("tiltscreen: ") and err.count("\n") == 1 and "Traceback" not in err
    text = err.removeprefix("tiltscreen: ").strip().replace(f" Results saved in {out}/.", "")
    assert_plain([text], paths=(str(video), video.name))


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(tmp_path: Path, capsys, case: str, protocol: str) -> None:
    status, code, phrase = CASES[case]
    video = make_case(case, tmp_path)
    out = tmp_path / "out"
    got, err, summary = analyze(capsys, video, protocol, out)
    assert got == code and phrase in err
    check_message(err, video, out)
    if status is None:
        assert summary is None
        return
    assert summary["status"] == status and summary["flags"] == [] and summary["metrics"] == {}
    assert_plain(summary["reasons"], paths=(str(video),))
    if summary["frames"]:  # every frame processed is kept
        tables = json.loads((out / "summary.json").read_text())["files"]
        assert Path(tables["landmarks_csv"]).is_file() and Path(tables["landmarks_parquet"]).is_file()
        rows = (out / "landmarks.csv").read_text().count("\n") - 1
        assert rows == summary["frames"]


@pytest.mark.realvideo
@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    "video",
    [
        pytest.param(demo_multi_person, id="sports2d-vault"),
        pytest.param(demo_single_person_portrait, id="pose2sim"),
    ],
)
def test_other_activities_are_not_this_protocol(tmp_path: Path, capsys, video, protocol: str) -> None:
    """Vaulting and walking (Sports2D) and one-leg balance (Pose2Sim) are neither test: they used to end with
    exit 2 and an internal message (``facing_direction: ... {…}``, ``roll_deg must be ... 49.02``)."""
    path, out = video(), tmp_path / "out"
    got, err, summary = analyze(capsys, path, protocol, out)
    assert got == 2 and summary["status"] == "not_this_protocol"
    assert summary["reasons"][0].startswith("This recording does not look like a")
    assert_plain(summary["reasons"])
    check_message(err, path, out)
    assert summary["flags"] == [] and (out / "landmarks.csv").is_file()


def test_arms_hanging_reads_as_sentences(tmp_path: Path, capsys) -> None:
    """The arms-hanging right-side sample (no stickers, arms over the pelvis; the README's markerless
    example before it was re-rendered with the arms folded): every reason a sentence, the sticker and
    outline parts no longer glued together ("...faces the camera Markerless estimate...")."""
    got, _, s = analyze(capsys, SAMPLES / "standing_armshanging_right.mp4", "standing", tmp_path / "out")
    assert got == 0 and s["status"] == "indeterminate"
    assert_plain(s["reasons"] + [m["reason"] for m in s["metrics"].values() if m.get("reason")])
    assert "camera. The markerless estimate is indeterminate: " in s["metrics"]["pelvic_tilt_deg"]["reason"]


class CtrlCAfter:
    """A frame source that sends this process SIGINT (a real Ctrl-C) when frame ``n`` is taken."""

    def __init__(self, source, n: int) -> None:
        self._source, self._n = source, n
        self.info = source.info

    def __enter__(self) -> CtrlCAfter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._source.close()

    def __iter__(self):
        for i, frame in enumerate(self._source):
            if i == self._n:
                os.kill(os.getpid(), signal.SIGINT)
            yield frame


def _ctrl_c_after(module, monkeypatch, n: int) -> None:
    real = module.open_source
    monkeypatch.setattr(module, "open_source", lambda spec, **kw: CtrlCAfter(real(spec, **kw), n))


def test_ctrl_c_during_analyze(tmp_path: Path, capsys, monkeypatch) -> None:
    """Four seconds into the sample, ``analyze`` used to exit 0, indeterminate, with a yaw refusal and
    review flags from the partial clip. Now: exit 130, interrupted, nothing measured, the frames kept."""
    _ctrl_c_after(extraction, monkeypatch, 30)
    out = tmp_path / "out"
    got, err, s = analyze(
        capsys, SAMPLES / "sit_and_reach_2trials.mp4", "sit-and-reach", out, "--marker-size-cm", "10"
    )
    assert got == 130 and "Stopped with Ctrl-C after" in err
    assert (s["status"], s["stopped_by"], s["flags"], s["metrics"]) == ("interrupted", "ctrl_c", [], {})
    assert_plain(s["reasons"])
    rows = (out / "landmarks.csv").read_text().count("\n") - 1
    assert rows == s["frames"] and 25 <= rows <= 40


def test_ctrl_c_during_landmarks(tmp_path: Path, capsys, monkeypatch) -> None:
    """``landmarks`` used to exit 4 on Ctrl-C where the README says 130."""
    _ctrl_c_after(extraction, monkeypatch, 30)
    out = tmp_path / "out"
    got = main(["-q", "landmarks", str(SAMPLES / "sit_and_reach_2trials.mp4"), "--out", str(out)])
    assert got == 130 and "were saved" in capsys.readouterr().err
    s = json.loads((out / "summary.json").read_text())
    assert (s["status"], s["stopped_by"]) == ("interrupted", "ctrl_c")
    assert (out / "landmarks.csv").read_text().count("\n") - 1 == s["frames"]
