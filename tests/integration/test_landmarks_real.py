"""End-to-end runs of the landmarks job on real public videos (fetched once, cached outside the repo)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.fixtures.videos import (
    POSE2SIM_CAM01,
    DemoVideo,
    demo_multi_person,
    demo_single_person_portrait,
    fetch_demo,
    run_ffmpeg,
)

from tiltscreen.cli.main import main
from tiltscreen.pose.estimator import PoseOptions
from tiltscreen.pose.extract import extract_landmarks
from tiltscreen.sources import open_source

pytestmark = [pytest.mark.realvideo, pytest.mark.model]

#: where the man (the subject) and the woman are in every frame of the Sports2D demo, by eye
#: (see the file's "method"); in view = "full" or "partial", i.e. frames 0-227
PEOPLE = json.loads((Path(__file__).parent / "data" / "sports2d_demo_people.json").read_text())["people"]


def torso_centre(xyz: np.ndarray) -> np.ndarray:
    """Mean normalised (x, y) of the shoulders and hips of one row (NaN where the subject is absent)."""
    return np.nanmean(xyz[[11, 12, 23, 24], :2], axis=0)


def who(point: np.ndarray, frame: int, *, pad: float = 0.25) -> str | None:
    """``"man"`` or ``"woman"``: whose annotated box (grown by ``pad`` x its longer side) holds the point.

    The man wins only when the point is outside the woman's own (ungrown) box; a point in
    neither box is None (a stray pose: counted as a switch too).
    """

    def holds(name: str, grow: float) -> bool:
        box = PEOPLE[name]["boxes"][frame]
        if box is None:
            return False
        m = grow * max(box[2] - box[0], box[3] - box[1])
        return box[0] - m <= point[0] <= box[2] + m and box[1] - m <= point[1] <= box[3] + m

    if holds("man", pad) and not holds("woman", 0.0):
        return "man"
    return "woman" if holds("woman", pad) else None


#: torso centres of the two people of Pose2Sim's multi-person demo at key frames, by eye (see "method")
POSE2SIM = json.loads((Path(__file__).parent / "data" / "pose2sim_multiperson_people.json").read_text())


def pose2sim_multi_person(camera: str) -> Path:
    """One camera of Pose2Sim's multi-person demo (same wheel as the single-person one), fetched once."""
    return fetch_demo(
        DemoVideo(
            requirement=POSE2SIM_CAM01.requirement,
            wheel_glob=POSE2SIM_CAM01.wheel_glob,
            member=f"Pose2Sim/Demo_MultiPerson/videos/{camera}.mp4",
            sha256=POSE2SIM["sha256"][camera],
        )
    )


def key_point(keys: dict[str, list[float]], frame: int) -> np.ndarray:
    """A person's torso centre at a frame, linear between the annotated key frames."""
    frames = sorted(int(k) for k in keys)
    xs, ys = zip(*(keys[str(k)] for k in frames), strict=True)
    return np.array([np.interp(frame, frames, xs), np.interp(frame, frames, ys)])


@pytest.fixture(scope="module", params=[1, None], ids=["follow-1-pose", "follow-2-poses"])
def demo_run(request, model_path: Path):
    """The demo through the tracker, following the subject alone with one pose (``tiltscreen
    landmarks``) or with two (the analyses: MediaPipe's two-pose mode, as before)."""
    options = PoseOptions(model_path=model_path, follow_poses=request.param)
    with open_source(demo_multi_person(), max_side=960) as source:
        return extract_landmarks(source, options=options)


def test_multi_person_demo_never_takes_the_woman(demo_run) -> None:
    """Every subject row is the man: its torso lies in his annotated box, never in the woman's.

    She walks right to left below the box from frame 36 to 202 while he stands on it, flips
    (about frames 165-190, much of it in the sun's glare) and lands on her side of the box.
    """
    lm, report = demo_run
    rows = [i for i in range(lm.n_frames) if lm.detected[i]]
    assert [i for i in rows if who(torso_centre(lm.xyz[i]), i) != "man"] == []
    assert report.frames == 230


def test_multi_person_demo_keeps_the_man_in_view(demo_run) -> None:
    """Target: landmarks in >= 95% of the frames where the man is in view (228: all but 228-229).

    Measured 220 of 228 (96.5%; before the window search, the look at the centre before anyone
    is found and the re-acquisition: 180, 78.9%). The misses are six frames of the flip in the
    sun's glare (169-174) and two frames of the flip after it.
    """
    lm, _ = demo_run
    in_view = np.array([s in ("full", "partial") for s in PEOPLE["man"]["state"]])
    assert in_view.sum() == 228
    assert lm.detected[in_view].mean() >= 0.95


@pytest.mark.parametrize("camera", ["cam02", "cam03"])
def test_pose2sim_two_people_no_identity_switch(camera: str, model_path: Path) -> None:
    """Two people on a treadmill: every subject row is the person the first frame's rule picked.

    cam02: the woman (left) is picked; the man balances at the centre. cam03: the man is picked;
    he moves left in front of the standing woman and from frame 80 stands behind her, where
    MediaPipe finds only her (around frame 80 its single pose straddles both). A row whose torso
    is nearer the other person's annotated torso, by more than the annotation's precision
    (0.02 of the image), is a switch. Before the look for people near the subject and the colour
    rule: 7 such rows in cam02 (frames 3-16) and 15 in cam03 (81-99). The woman is never hidden
    in cam02, so she is found on (almost) every frame; the man of cam03 is hidden from 80.
    """
    people = POSE2SIM["cameras"][camera]
    subject = people["subject"]
    other = "man" if subject == "woman" else "woman"
    with open_source(pose2sim_multi_person(camera), max_side=960) as source:
        lm, _ = extract_landmarks(source, options=PoseOptions(model_path=model_path))
    rows = [i for i in range(lm.n_frames) if lm.detected[i]]
    centres = {i: torso_centre(lm.xyz[i]) for i in rows}
    nearer_other = [
        i
        for i in rows
        if np.linalg.norm(centres[i] - key_point(people[other], i)) + 0.02
        < np.linalg.norm(centres[i] - key_point(people[subject], i))
    ]
    assert nearer_other == []
    assert len(rows) >= (95 if camera == "cam02" else 60)


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
    import tiltscreen.run.extract as extraction
    from tiltscreen.run.landmarks import LandmarksJob, run_landmarks

    real_open = open_source

    def as_live(spec, **kw):
        src = real_open(spec, **kw)
        object.__setattr__(src.info, "live", True)
        return src

    monkeypatch.setattr(extraction, "open_source", as_live)
    result = run_landmarks(
        LandmarksJob(input=str(demo_single_person_portrait()), out_dir=tmp_path, max_side=640)
    )
    lm = result.filtered
    steps = [s.name for s in lm.provenance]
    assert "live_stream" in steps and "one_euro" in steps
    assert 10 <= lm.n_frames <= 100 and np.all(np.diff(lm.timestamps_s) > 0)
    assert result.report.frames_with_person >= 0.9 * lm.n_frames
