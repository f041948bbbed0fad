"""End-to-end runs of the landmarks job on real public videos (fetched once, cached outside the repo)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.fixtures.videos import demo_multi_person, demo_single_person_portrait, run_ffmpeg

from tiltscreen.cli.main import main
from tiltscreen.pose.estimator import PoseOptions
from tiltscreen.pose.extract import extract_landmarks
from tiltscreen.sources import open_source

pytestmark = [pytest.mark.realvideo, pytest.mark.model]

#: hand-annotated frames of the Sports2D demo in which the man (the subject) is fully in view:
#: on the box 0-168, then on the ground after landing his flip 198-224 (169-197: flipping in the sun's glare)
SUBJECT_IN_VIEW = np.r_[0:169, 198:225]


@pytest.fixture(scope="module")
def demo_run(model_path: Path):
    with open_source(demo_multi_person(), max_side=960) as source:
        return extract_landmarks(source, options=PoseOptions(model_path=model_path))


def test_multi_person_demo_keeps_one_subject(demo_run) -> None:
    """The man stays the subject while the woman walks past below the box and after he lands.

    From frame 59 the woman walks right to left on the ground (hip height > 0.6 of the image)
    while the man is on the box (hips < 0.6); after his landing (>= 198) he is right of x = 0.5
    and she is left of it. Any subject row outside those regions is an identity switch.
    """
    lm, report = demo_run
    hip = lm.xyz[:, [23, 24], :2].mean(axis=1)  # NaN where the subject is absent; NaN compares False
    on_box = hip[59:188]
    landed = hip[198:]
    assert np.sum(on_box[:, 1] > 0.6) == 0
    assert np.sum(landed[:, 0] < 0.5) == 0
    assert report.frames == 230 and report.max_people_seen >= 2


def test_multi_person_demo_detection_rate(demo_run) -> None:
    """Target: >= 95% of frames with the subject in view have landmarks. Measured 90.3% (see README).

    This guards the measured level against regressions; the missing frames are the first three
    (MediaPipe's detector needs a few frames) and the man sprinting out of view at the end.
    """
    lm, _ = demo_run
    assert lm.detected[SUBJECT_IN_VIEW].mean() >= 0.90


def test_rotated_phone_video_gives_upright_landmarks(tmp_path: Path, model_path: Path) -> None:
    """A phone-style copy: pixels stored turned 90 degrees clockwise, with display metadata turning them back.

    OpenCV must apply the metadata, so the copy's frames are upright again and its landmarks
    match the original's within a few pixels (the copy is re-encoded, so not bit-exact).
    """
    original = demo_single_person_portrait()
    sideways = tmp_path / "sideways.mp4"
    run_ffmpeg(
        "-i",
        str(original),
        "-frames:v",
        "40",
        "-vf",
        "transpose=1",
        "-c:v",
        "libx264",
        "-crf",
        "12",
        "-pix_fmt",
        "yuv420p",
        str(sideways),
    )
    phone = tmp_path / "phone.mp4"
    run_ffmpeg("-display_rotation:v:0", "90", "-i", str(sideways), "-c", "copy", str(phone))
    runs = []
    for path in (original, phone):
        with open_source(path, max_side=960) as source:
            assert (source.info.width, source.info.height) == (1080, 1920)
            lm, _ = extract_landmarks(source, options=PoseOptions(model_path=model_path))
        runs.append(lm)
    a, b = runs[0].xy_px[:40], runs[1].xy_px
    assert runs[1].rotation_deg in (90, 270)
    both = runs[0].detected[:40] & runs[1].detected
    assert both.mean() > 0.9
    err = np.linalg.norm(a[both] - b[both], axis=-1)
    body = [11, 12, 23, 24, 25, 26, 27, 28]
    assert np.nanmedian(err[:, body]) < 6.0


def test_truncated_video_keeps_what_was_processed(tmp_path: Path, capsys, model_path: Path) -> None:
    """The demo cut at 60% of its bytes decodes 131 frames, then stops: exit 4, those frames saved."""
    data = demo_multi_person().read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    code = main(["-q", "landmarks", str(cut), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 4 and "were saved" in err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["frames"] > 100
    rows = (tmp_path / "out" / "landmarks.csv").read_text().count("\n") - 1
    assert rows == summary["frames"]


def test_live_source_runs_in_live_stream_mode(tmp_path: Path, model_path: Path, monkeypatch) -> None:
    """A stream is read as a live source; MediaPipe's LIVE_STREAM mode analyses the frames it has time for.

    The portrait demo is served as a live source (decoded frames flagged ``live``); rows are the
    analysed frames in time order, and the causal One-Euro filter is the one recorded.
    """
    import tiltscreen.pipeline as pipeline
    from tiltscreen.pipeline import LandmarksJob, run_landmarks

    real_open = open_source

    def as_live(spec, **kw):
        src = real_open(spec, **kw)
        object.__setattr__(src.info, "live", True)
        return src

    monkeypatch.setattr(pipeline, "open_source", as_live)
    result = run_landmarks(
        LandmarksJob(input=str(demo_single_person_portrait()), out_dir=tmp_path, max_side=640)
    )
    lm = result.filtered
    steps = [s.name for s in lm.provenance]
    assert "live_stream" in steps and "one_euro" in steps
    assert 10 <= lm.n_frames <= 100 and np.all(np.diff(lm.timestamps_s) > 0)
    assert result.report.frames_with_person >= 0.9 * lm.n_frames
