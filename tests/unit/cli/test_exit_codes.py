"""Each summary status ends the command with the README's exit code and one sentence; Ctrl-C is 130.

The protocols are replaced by canned summaries here (no model, no video); the end-to-end runs
are in tests/integration/test_bad_inputs.py.
"""

from __future__ import annotations

import json
import os
import signal
from types import SimpleNamespace

import pytest

import tiltscreen.cli.analyze_cmd as analyze_cmd
import tiltscreen.cli.screen_cmd as screen_cmd
import tiltscreen.run.landmarks as pipeline
from tiltscreen.cli.main import main
from tiltscreen.errors import UnsupportedInputError
from tiltscreen.interrupt import CtrlCWatch


def summary(status: str, *reasons: str, stopped_by: str | None = None, **extra) -> dict:
    return {
        "protocol": "standing",
        "status": status,
        "reasons": list(reasons),
        "stopped_by": stopped_by,
        "metrics": {},
        "flags": [],
        "side": None,
        "input": "clip.mp4",
        "files": {},
        **extra,
    }


@pytest.mark.parametrize(
    ("status", "stopped_by", "code"),
    [
        pytest.param("ok", None, 0, id="ok"),
        pytest.param("indeterminate", None, 0, id="indeterminate"),
        pytest.param("not_this_protocol", None, 2, id="not-this-protocol"),
        pytest.param("unreadable", None, 2, id="unreadable"),
        pytest.param("no_person", None, 5, id="no-person"),
        pytest.param("interrupted", "source", 4, id="source-stopped"),
        pytest.param("interrupted", "ctrl_c", 130, id="ctrl-c"),
    ],
)
def test_status_gives_the_exit_code(tmp_path, capsys, monkeypatch, status, stopped_by, code) -> None:
    canned = summary(status, "First reason.", "Second reason.", stopped_by=stopped_by)
    monkeypatch.setattr(analyze_cmd, "run_protocol", lambda protocol, job: canned)
    got = main(["analyze", "clip.mp4", "--protocol", "standing", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert got == code
    assert f"standing: {status}" in out and "  - First reason." in out
    if code:
        assert err == f"tiltscreen: First reason. Results saved in {tmp_path}/.\n"
    else:
        assert err == ""


def test_ctrl_c_watch_notes_the_key_and_still_interrupts() -> None:
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), CtrlCWatch() as watch:
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs at the next bytecode
        raise AssertionError("Ctrl-C did not interrupt")
    assert watch.pressed
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_watch_leaves_an_ignored_sigint_alone() -> None:
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with CtrlCWatch() as watch:
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert not watch.pressed
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize(("stopped_by", "code"), [("ctrl_c", 130), ("source", 4)])
def test_landmarks_stopped_early(tmp_path, capsys, monkeypatch, stopped_by: str, code: int) -> None:
    """Ctrl-C on a file exits 130 (it was 4); a source that stops by itself stays 4. Both saved."""
    message = "Stopped with Ctrl-C before the end of the video."
    result = SimpleNamespace(
        summary={"status": "interrupted", "stopped_by": stopped_by, "frames": 40, "frames_with_subject": 40,
                 "subject_fraction": 1.0},
        report=SimpleNamespace(interrupted=message),
        files={},
    )  # fmt: skip
    monkeypatch.setattr(pipeline, "run_landmarks", lambda job, progress, on_open: result)
    got = main(["-q", "landmarks", "clip.mp4", "--out", str(tmp_path)])
    assert got == code
    assert (
        capsys.readouterr().err
        == f"tiltscreen: {message} The 40 frames processed were saved in {tmp_path}.\n"
    )


def _standing(side: str, tilt: float) -> dict:
    m = {"value": tilt, "unit": "deg", "method": "markers", "ci95": [tilt - 3, tilt + 3]}
    return summary("ok", side=side, metrics={"pelvic_tilt_deg": m})


def test_screen_survives_a_bad_recording(tmp_path, capsys, monkeypatch) -> None:
    """The right-side file is an image named .mp4: stated, and the other two are still read. Exit 2
    (the first recording that did not end ok), after the reading was written."""

    def fake(protocol: str, job) -> dict:
        if "right" in job.input:
            raise UnsupportedInputError(f"The file {job.input} is a PNG image, not a video.")
        if protocol == "standing":
            return _standing("left", 18.0)
        return summary("not_this_protocol", "This recording does not look like a sit-and-reach test.")

    monkeypatch.setattr(screen_cmd, "run_protocol", fake)
    argv = ["screen", "--standing", "left.mp4", "--standing-right", "right.mp4", "--sit-and-reach", "sr.mp4"]
    got = main([*argv, "--out", str(tmp_path)])
    _, err = capsys.readouterr()
    assert got == 2
    result = json.loads((tmp_path / "screening.json").read_text())
    assert [(r["role"], r["status"]) for r in result["recordings"]] == [
        ("standing", "ok"),
        ("standing_other_side", "unreadable"),
        ("sit_and_reach", "not_this_protocol"),
    ]
    assert result["pelvic_tilt"] == "not_anterior" and result["hamstring_extensibility"] == "unknown"
    assert (
        json.loads((tmp_path / "standing_other_side" / "summary.json").read_text())["status"] == "unreadable"
    )
    text = (tmp_path / "screening.md").read_text()
    assert "pelvic tilt not measured. The file right.mp4 is a PNG image, not a video." in text
    assert (
        "Sit-and-reach: reach not measured. This recording does not look like a sit-and-reach test." in text
    )
    assert "standing other side (right.mp4): The file right.mp4 is a PNG image" in err


def test_screen_stops_at_ctrl_c(tmp_path, capsys, monkeypatch) -> None:
    """Ctrl-C during the second recording: the third is never started; the reading covers the first."""
    started = []

    def fake(protocol: str, job) -> dict:
        started.append(job.input)
        if job.input == "right.mp4":
            raise KeyboardInterrupt
        return _standing("left", 18.0)

    monkeypatch.setattr(screen_cmd, "run_protocol", fake)
    argv = ["screen", "--standing", "left.mp4", "--standing-right", "right.mp4", "--sit-and-reach", "sr.mp4"]
    got = main(["-q", *argv, "--out", str(tmp_path)])
    assert got == 130 and started == ["left.mp4", "right.mp4"]
    result = json.loads((tmp_path / "screening.json").read_text())
    assert [r["status"] for r in result["recordings"]] == ["ok", "interrupted"]
    assert result["reading"].startswith("Stopped with Ctrl-C before every recording was read. ")
    assert "Stopped with Ctrl-C" in capsys.readouterr().err
