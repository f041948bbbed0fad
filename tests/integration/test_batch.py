"""``tiltscreen batch`` end to end on a folder mixing good, foreign and bad recordings.

The folder is built in a temporary directory (nothing committed): the first 3 s of the standing
and sit-and-reach samples (re-encoded with OpenCV, so the tests stay short), Pose2Sim's one-person
demo (a one-leg balance: neither test), an all-black clip (no person), the first half of an
OpenCV MP4 (its index comes last: cannot be opened) and an empty file.

1. A batch with ``--protocol auto`` is killed (SIGKILL) in a subprocess after three videos; the
   rerun (two worker processes) skips those three, analyses the rest, and the tables hold one
   row per video with the right status.
2. The same videos through Dask's ``LocalCluster`` on loopback give the same rows.
3. Ctrl-C mid-batch: exit 130, the tables of what finished, and a rerun finishes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest
from tests.fixtures.videos import demo_single_person_portrait

import tiltscreen.batch.executors as executors
from tiltscreen.batch.store import RECORD_NAME, read_record
from tiltscreen.cli.main import main

pytestmark = [pytest.mark.model, pytest.mark.realvideo]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
#: recording -> (protocol analysed, statuses accepted); the 3-s sit-and-reach cut holds no whole trial
EXPECTED = {
    "black": ("standing", {"no_person"}),
    "corrupt": (None, {"unreadable"}),
    "empty": (None, {"unreadable"}),
    "pose2sim_cam01": ("standing", {"not_this_protocol"}),
    "sit_and_reach_3s": ("sit-and-reach", {"ok", "indeterminate"}),
    "standing_3s": ("standing", {"ok", "indeterminate"}),
}
#: columns that name where a run wrote, not what it found
WHERE = ("folder",)


def _cut(source: Path, target: Path, seconds: float) -> Path:
    cap = cv2.VideoCapture(str(source))
    fps = cap.get(cv2.CAP_PROP_FPS)
    size = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for _ in range(round(seconds * fps)):
        ok, frame = cap.read()
        if not ok:
            break
        writer.write(frame)
    writer.release()
    cap.release()
    return target


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    _cut(SAMPLES / "standing_markers_left.mp4", folder / "standing_3s.mp4", 3.0)
    _cut(SAMPLES / "sit_and_reach_2trials.mp4", folder / "sit_and_reach_3s.mp4", 3.0)
    (folder / "pose2sim_cam01.mp4").write_bytes(demo_single_person_portrait().read_bytes())
    writer = cv2.VideoWriter(str(folder / "black.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 15, (320, 240))
    for _ in range(30):
        writer.write(np.zeros((240, 320, 3), np.uint8))
    writer.release()
    whole = (folder / "black.mp4").read_bytes()
    (folder / "corrupt.mp4").write_bytes(whole[: len(whole) // 2])
    (folder / "empty.mp4").write_bytes(b"")
    return folder


def _records(out: Path) -> dict[str, str]:
    return {p.parent.name: p.read_text() for p in (out / "recordings").glob(f"*/{RECORD_NAME}")}


def _kill_after(videos: Path, out: Path, n: int) -> dict[str, str]:
    """Run the batch in a subprocess, SIGKILL it once ``n`` videos have records; return those records."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "tiltscreen.cli.main", "-q", "batch", str(videos), "--protocol", "auto",
           "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while len(_records(out)) < n and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return _records(out)


def _rows(out: Path) -> list[dict]:
    return pq.read_table(out / "results.parquet").to_pylist()


def _check_rows(rows: list[dict]) -> None:
    by_id: dict[str, list[dict]] = {}
    for row in rows:
        by_id.setdefault(row["recording_id"], []).append(row)
    assert set(by_id) == set(EXPECTED)
    for rid, (protocol, statuses) in EXPECTED.items():
        for row in by_id[rid]:
            assert row["protocol"] == protocol and row["status"] in statuses, (rid, row["status"])
            assert row["reasons"] or row["status"] == "ok"
        if rid not in ("sit_and_reach_3s",):  # a sit-and-reach gives a row per trial
            assert len(by_id[rid]) == 1
    assert by_id["standing_3s"][0]["pelvic_tilt_deg__unit"] == "deg"


@pytest.fixture(scope="module")
def resumed(videos: Path, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    out = tmp_path_factory.mktemp("batch")
    before = _kill_after(videos, out, 3)
    assert 3 <= len(before) < len(EXPECTED), "the kill came too late to test resuming"
    assert main(["-q", "batch", str(videos), "--protocol", "auto", "--out", str(out), "--jobs", "2"]) == 0
    return out, before


def test_kill_then_rerun_loses_nothing_and_repeats_nothing(resumed) -> None:
    out, before = resumed
    after = _records(out)
    assert set(after) == set(EXPECTED)
    assert all(after[rid] == text for rid, text in before.items())  # finished videos were not redone
    import json

    report = json.loads((out / "batch.json").read_text())
    assert (report["skipped_as_done"], report["ran"], report["done"]) == (
        len(before), len(EXPECTED) - len(before), len(EXPECTED),
    )  # fmt: skip
    _check_rows(_rows(out))
    errors = pq.read_table(out / "errors.parquet").to_pylist()
    assert sorted(e["recording_id"] for e in errors) == ["corrupt", "empty"]
    assert all(e["exit_code"] == 2 and e["message"].endswith(".") for e in errors)
    choice = read_record(out / "recordings" / "sit_and_reach_3s").protocol_choice
    assert choice["rule"] == "long_sitting" and choice["sit_and_reach_s"] >= 1.0


def test_dask_local_cluster_gives_the_same_rows(resumed, videos: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out, _ = resumed
    subset = tmp_path / "in"
    subset.mkdir()
    for name in ("standing_3s.mp4", "empty.mp4", "black.mp4"):
        (subset / name).symlink_to(videos / name)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        args = ["-q", "batch", str(subset), "--protocol", "auto", "--out", str(tmp_path / "out"),
                "--executor", "dask", "--scheduler", cluster.scheduler_address]  # fmt: skip
        assert main(args) == 0
    local = {r["recording_id"]: r for r in _rows(out)}
    for row in _rows(tmp_path / "out"):
        mine = local[row["recording_id"]]
        different = {k for k in row if k not in WHERE and k != "input" and row[k] != mine.get(k)}
        assert not different, (row["recording_id"], different)


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes(videos: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    subset = tmp_path / "in"
    subset.mkdir()
    for name in ("corrupt.mp4", "empty.mp4", "black.mp4"):
        (subset / name).symlink_to(videos / name)
    real, calls = executors.process_task, []

    def ctrl_c_on_second(task):
        calls.append(task.recording_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(executors, "process_task", ctrl_c_on_second)
    args = ["-q", "batch", str(subset), "--protocol", "standing", "--out", str(tmp_path / "out")]
    assert main(args) == 130
    assert "run the same command again" in capsys.readouterr().err
    assert [r["recording_id"] for r in _rows(tmp_path / "out")] == ["black"]
    monkeypatch.setattr(executors, "process_task", real)
    assert main(args) == 0
    assert [r["recording_id"] for r in _rows(tmp_path / "out")] == ["black", "corrupt", "empty"]
