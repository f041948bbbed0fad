"""OpenSim .trc/.mot export: the files parse (a maintained TRC reader, a MOT parser) with the right values."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tiltscreen.export.opensim import export_trc
from tiltscreen.export.results import load_recording

trc = pytest.importorskip("trc", reason="trc-data-reader (test extra)")


def read_mot(path):
    """Parse an OpenSim storage file: header lines up to ``endheader``, then a tab-separated table."""
    lines = path.read_text().splitlines()
    end = lines.index("endheader")
    header = dict(line.split("=", 1) for line in lines[:end] if "=" in line)
    names = lines[end + 1].split("\t")
    values = np.array([[float(x) for x in line.split("\t")] for line in lines[end + 2 :]])
    return lines[0], header, names, values


def test_px_and_m_trc_parse_with_the_landmark_values(results_root, tmp_path):
    """Y is the image v negated; metres = px / (3.0 px/cm * 100); Z = 0; missing frames NaN."""
    rec = load_recording(results_root / "reach01")
    files = export_trc(rec, tmp_path)
    assert sorted(files) == ["m_trc", "mot", "notes", "px_trc"]
    xy = rec.landmarks.xy_px
    for key, units, scale in (("px_trc", "px", 1.0), ("m_trc", "m", 300.0)):
        d = trc.TRCData()
        d.load(str(files[key]))
        assert (d["DataRate"], d["CameraRate"], d["NumFrames"], d["NumMarkers"], d["Units"]) == (
            30.0, 30.0, 60, 33, units,
        )  # fmt: skip
        assert d["Markers"] == list(rec.landmarks.skeleton.names) and d["Frame#"] == list(range(1, 61))
        np.testing.assert_array_equal(d["Time"], rec.landmarks.timestamps_s)
        hip = np.array(d["left_hip"])
        k = rec.landmarks.skeleton.index("left_hip")
        np.testing.assert_allclose(hip[:, 0], xy[:, k, 0] / scale, rtol=1e-15)
        np.testing.assert_allclose(hip[:, 1], -xy[:, k, 1] / scale, rtol=1e-15)
        assert np.all(hip[:10, 2] == 0.0) and np.isnan(hip[10:15]).all()
    notes = json.loads(files["notes"].read_text())
    assert notes["scale"]["plane"].startswith("the printed marker") and notes["missing"] == "NaN"


def test_angles_mot_has_the_opensim_header_and_the_angles(results_root, tmp_path):
    rec = load_recording(results_root / "standing01")
    files = export_trc(rec, tmp_path, name="s1")
    assert files["mot"].name == "s1_angles.mot" and files["m_trc"].name == "s1_m.trc"
    first, header, names, values = read_mot(files["mot"])
    assert first == "Coordinates" and header == {
        "version": "1",
        "nRows": "60",
        "nColumns": "4",
        "inDegrees": "yes",
    }
    assert names == ["time", "trunk_inclination_deg", "hip_extension_deg", "knee_hyperextension_deg"]
    assert values.shape == (60, 4)
    np.testing.assert_allclose(values[0], [0.0, 10.0, -10.0, 5.0], atol=1e-9)
    assert np.isnan(values[10:15, 1:]).all()


def test_no_scale_no_m_file_and_no_protocol_no_mot(results_root, tmp_path):
    files = export_trc(load_recording(results_root / "only"), tmp_path)
    assert sorted(files) == ["notes", "px_trc"]
    assert "landmarks only" in json.loads(files["notes"].read_text())["angles_reason"]
