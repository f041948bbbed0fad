"""Export end to end on a real analysis of the bundled standing sample (a render, not a patient).

``tiltscreen analyze`` runs once; every export format is then written from its folder and read back:
the per-frame angles recomputed at export reproduce the summary's medians over the quiet window, the
NWB file loads in pynwb (and movement, when installed) with the landmark table's values, the TRC
files parse, and the BIDS validator finds no error.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tiltscreen.cli.main import main
from tiltscreen.export.results import load_recording

pytestmark = pytest.mark.model

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_markers_left.mp4"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory, model_path) -> Path:
    root = tmp_path_factory.mktemp("export")
    out = root / "results" / "standing_left"
    args = [
        "-q",
        "analyze",
        str(SAMPLE),
        "--protocol",
        "standing",
        "--subject-height-cm",
        "175",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    for fmt in ("csv", "nwb", "trc", "bids"):
        assert main(["-q", "export", str(root / "results"), "--format", fmt, "--out", str(root / fmt)]) == 0
    return root


def test_exported_angles_reproduce_the_summary(analysed):
    """Medians of the exported per-frame angles over the quiet window = the summary's metrics (2 dp)."""
    summary = json.loads((analysed / "results" / "standing_left" / "summary.json").read_text())
    window = summary["quiet_window"]
    angles = pd.read_parquet(analysed / "csv" / "angles.parquet")
    inside = angles[(angles.time_s >= window["start_s"] - 1e-6) & (angles.time_s <= window["end_s"] + 1e-6)]
    for name in ("trunk_inclination_deg", "hip_extension_deg", "knee_hyperextension_deg"):
        median = np.nanmedian(inside[inside.angle == name].value_deg)
        assert median == pytest.approx(summary["metrics"][name]["value"], abs=0.011), name
    metrics = pd.read_csv(analysed / "csv" / "metrics.csv")
    tilt = metrics[metrics.metric == "pelvic_tilt_deg"].iloc[0]
    assert tilt.value == summary["metrics"]["pelvic_tilt_deg"]["value"] and tilt.method == "markers"
    sidecar = json.loads((analysed / "csv" / "export.json").read_text())
    video = sidecar["recordings"][0]["provenance"]["video"]
    assert len(video["sha256"]) == 64 and sidecar["recordings"][0]["provenance"]["pose_model"]["sha256"]


def test_nwb_reads_back_with_the_landmark_values(analysed):
    import pynwb

    rec = load_recording(analysed / "results" / "standing_left")
    path = analysed / "nwb" / "standing_left.nwb"
    with pynwb.NWBHDF5IO(path, mode="r") as io:
        pose = io.read().processing["behavior"]["PoseEstimation"]
        k = rec.landmarks.skeleton.index("left_hip")
        np.testing.assert_array_equal(
            pose.pose_estimation_series["left_hip"].data[:], rec.landmarks.xy_px[:, k].astype(np.float32)
        )
    load_poses = pytest.importorskip("movement.io.load_poses", reason="movement is installed with --no-deps")
    ds = load_poses.from_nwb_file(
        path, processing_module_key="behavior", pose_estimation_key="PoseEstimation"
    )
    pos = ds.position.sel(keypoints="left_hip", individuals="standing_left").transpose("time", "space").values
    np.testing.assert_array_equal(pos, rec.landmarks.xy_px[:, k].astype(np.float32))
    assert ds.attrs["fps"] == 30.0


def test_trc_parses_and_bids_validates(analysed):
    import subprocess
    import sys

    trc = pytest.importorskip("trc")
    d = trc.TRCData()
    d.load(str(analysed / "trc" / "standing_left_m.trc"))
    assert (d["NumFrames"], d["NumMarkers"], d["Units"], d["DataRate"]) == (270, 33, "m", 30.0)
    pytest.importorskip("bids_validator_deno")
    validator = [sys.executable, "-c", "from bids_validator_deno import cli; cli()"]
    run = subprocess.run(
        [*validator, str(analysed / "bids"), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    issues = json.loads(run.stdout)["issues"]["issues"]
    assert [i["code"] for i in issues if i["severity"] == "error"] == []
