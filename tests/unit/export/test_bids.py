"""BIDS motion export: file names, channels vs columns, required sidecar fields, and the BIDS validator."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.export.bids import export_bids, label
from tiltscreen.export.results import load_all, load_recording

#: BIDS 1.11 motion file name: sub-, optional ses-, task-, tracksys-, optional run-, suffix
NAME = re.compile(
    r"^sub-[A-Za-z0-9]+(_ses-[A-Za-z0-9]+)?_task-[A-Za-z0-9]+_tracksys-[A-Za-z0-9]+(_run-\d+)?"
    r"_(motion\.tsv|motion\.json|channels\.tsv|channels\.json|events\.tsv|events\.json)$"
)


def _tsv(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh, delimiter="\t"))


def test_dataset_layout_names_and_required_fields(results_root, tmp_path, synth):
    recs, _ = load_all(results_root)
    root = tmp_path / "bids"
    files = export_bids(recs, root, session="01")
    description = json.loads((root / "dataset_description.json").read_text())
    assert description["BIDSVersion"] == "1.11.1" and description["Name"]
    assert _tsv(root / "participants.tsv") == [
        ["participant_id"],
        ["sub-only"],
        ["sub-reach01"],
        ["sub-standing01"],
    ]
    for paths in files.values():
        for p in paths:
            assert NAME.match(p.name), p.name
            assert p.parent.name == "motion" and p.parent.parent.name == "ses-01"
    motion = root / "sub-standing01/ses-01/motion/sub-standing01_ses-01_task-standing_tracksys-mediapipe"
    channels = _tsv(f"{motion}_channels.tsv")
    assert channels[0][:5] == ["name", "component", "type", "tracked_point", "units"]
    rows = _tsv(f"{motion}_motion.tsv")
    assert len(rows) == synth.N and {len(r) for r in rows} == {len(channels) - 1}  # no header row
    types = [c[2] for c in channels[1:]]
    assert types.count("POS") == 66 and types.count("JNTANG") == 2 and types.count("LATENCY") == 1
    sidecar = json.loads(Path(f"{motion}_motion.json").read_text())
    assert sidecar["TaskName"] == "standing" and sidecar["SamplingFrequency"] == 30.0
    assert sidecar["TrackingSystemName"] and sidecar["MissingValues"] == "n/a"
    assert sidecar["POSChannelCount"] == 66 and sidecar["MotionChannelCount"] == len(channels) - 1
    names = [c[0] for c in channels[1:]]
    hip_x, hip_ext = names.index("left_hip_x"), names.index("hip_extension_deg")
    assert float(rows[3][hip_x]) == pytest.approx(synth.NEAR["left_hip"][0] + 2 * 3 / 59)
    assert float(rows[3][hip_ext]) == pytest.approx(-10.0) and rows[12][hip_ext] == "n/a"
    assert [float(r[0]) for r in rows[:3]] == [0.0, 0.033333, 0.066667]  # LATENCY, s[.000000]
    events = _tsv(f"{motion}_events.tsv")
    assert events == [
        ["onset", "duration", "trial_type", "trial", "valid"],
        ["0.5", "1.4", "quiet_window", "n/a", "true"],
    ]


def test_recordings_of_one_subject_and_task_become_runs(tmp_path, synth):
    for name in ("a", "b"):
        synth.folder(tmp_path / "res" / name, synth.standing(input_path="x.mp4"), synth.landmarks())
    recs, _ = load_all(tmp_path / "res")
    files = export_bids(recs, tmp_path / "bids", subjects=["P-1", "P-1"])
    names = sorted(p.name for ps in files.values() for p in ps if p.name.endswith("_motion.tsv"))
    assert names == [
        "sub-P1_task-standing_tracksys-mediapipe_run-1_motion.tsv",
        "sub-P1_task-standing_tracksys-mediapipe_run-2_motion.tsv",
    ]


def test_labels_keep_letters_and_digits_only():
    assert label("clinic 3/visit_2") == "clinic3visit2"
    with pytest.raises(ValidationError, match="letters and digits"):
        label("__")


def test_the_bids_validator_finds_no_error(results_root, tmp_path):
    pytest.importorskip("bids_validator_deno", reason="the BIDS validator (test extra)")
    root = tmp_path / "bids"
    export_bids(
        [load_recording(results_root / n) for n in ("standing01", "reach01", "only")], root, session="1"
    )
    run = subprocess.run(
        [sys.executable, "-c", "from bids_validator_deno import cli; cli()", str(root), "--format", "json",
         "--max-rows", "-1"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(run.stdout)
    errors = [(i["code"], i.get("location")) for i in report["issues"]["issues"] if i["severity"] == "error"]
    assert errors == []
    assert report["summary"]["dataTypes"] == ["motion"] and report["summary"]["schemaVersion"]
    assert sorted(report["summary"]["tasks"]) == ["landmarks", "sit-and-reach", "standing"]  # TaskName
