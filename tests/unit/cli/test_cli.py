"""The CLI as a user meets it: bad input gets one clear sentence and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.fixtures.videos import write_video_opencv

from tiltscreen.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        pytest.param(lambda d: d / "missing.mp4", 2, "No file or folder", id="missing-file"),
        pytest.param(
            lambda d: (d / "fake.mp4").write_text("hello") and d / "fake.mp4",
            2,
            "cannot be opened",
            id="text-named-mp4",
        ),
        pytest.param(
            lambda d: (d / "notes.txt").write_text("x") and d / "notes.txt", 2, "not", id="wrong-type"
        ),
        pytest.param(lambda d: (d / "empty").mkdir() or d / "empty", 2, "", id="empty-directory"),
        pytest.param(lambda d: "7", 2, "camera 7 cannot be opened", id="no-camera"),
    ],
)
def test_bad_inputs_give_a_message_and_exit_code(tmp_path, capsys, make, code: int, message: str) -> None:
    target = make(tmp_path)
    got, _, err = run(capsys, "landmarks", str(target), "--out", str(tmp_path / "out"))
    assert got == code
    assert err.startswith("tiltscreen:") and message in err
    assert "Traceback" not in err


def test_missing_model_names_the_fix(tmp_path, capsys) -> None:
    got, _, err = run(
        capsys,
        "landmarks",
        str(write_video_opencv(tmp_path / "v.mp4", 3)),
        "--out",
        str(tmp_path / "o"),
        "--model",
        str(tmp_path / "nope.task"),
    )
    assert got == 3 and "does not exist" in err


def test_unusable_option_is_a_usage_error(tmp_path, capsys) -> None:
    got, _, err = run(capsys, "landmarks", "x.mp4", "--out", str(tmp_path), "--subject", "tallest")
    assert got == 2 and "subject rule must be" in err


def test_info_lists_versions(capsys) -> None:
    got, out, _ = run(capsys, "info")
    assert got == 0
    for key in ("tiltscreen", "mediapipe", "opencv", "numpy", "scipy", "platform", "model"):
        assert f"{key}:" in out


@pytest.mark.model
def test_models_list_and_verify(capsys, model_path: Path) -> None:
    """Without a variant, ``verify`` checks both bundles ``fetch`` gets: the full pose and the hand model."""
    got, out, _ = run(capsys, "models", "list")
    assert got == 0 and "full:" in out and "hand:" in out
    got, out, _ = run(capsys, "models", "verify")
    assert got == 0 and "OK, SHA-256 0034a38d" in out and "OK, SHA-256 c16b39ea" in out
    got, out, _ = run(capsys, "models", "verify", "--variant", "hand")
    assert got == 0 and out.count("OK") == 1 and "hand_landmarker.task: OK" in out


@pytest.mark.model
def test_video_with_nobody_says_so_and_keeps_results(tmp_path, capsys, model_path: Path) -> None:
    """A 30-frame clip of a grey gradient: no person; exit 5, the fraction in the message, files saved."""
    path = tmp_path / "nobody.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15.0, (320, 240))
    for k in range(30):
        writer.write(np.full((240, 320, 3), 60 + 3 * k, np.uint8))
    writer.release()
    got, _, err = run(capsys, "-q", "landmarks", str(path), "--out", str(tmp_path / "out"))
    assert got == 5
    assert "No person found" in err and "0 of 30 frames (0.0%)" in err
    assert (tmp_path / "out" / "landmarks.csv").is_file() and (tmp_path / "out" / "summary.json").is_file()


def test_console_summary_gives_the_reason_of_a_missing_value(capsys) -> None:
    """A null metric is printed as n/a with the first sentence of its reason; a value with its interval."""
    from tiltscreen.cli.analyze_cmd import _print

    metrics = {
        "reach_cm": {"value": None, "unit": "cm", "ci95": None, "reason": "No metric scale. Pass a marker."},
        "hold_s": {"value": 2.5, "unit": "s", "ci95": [1.7, 3.3], "reason": None},
    }
    files = {"plot": "/tmp/out/sit_and_reach.png"}
    _print(
        {
            "protocol": "sit-and-reach",
            "status": "ok",
            "reasons": [],
            "flags": [],
            "files": files,
            "metrics": metrics,
        }
    )
    out = capsys.readouterr().out
    assert "reach_cm: n/a  (No metric scale.)" in out
    assert "hold_s: 2.5 s  (95% 1.7 to 3.3)" in out
