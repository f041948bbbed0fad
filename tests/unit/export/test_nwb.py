"""NWB export: pynwb and movement read back the same values, timing, subject and skeleton."""

from __future__ import annotations

import datetime as dt
import struct

import numpy as np
import pytest

import tiltscreen
from tiltscreen.export.nwb import DEFAULT_SESSION_START, export_nwb, timing
from tiltscreen.export.provenance import mp4_creation_time
from tiltscreen.export.results import load_recording

pynwb = pytest.importorskip("pynwb")


def _attr(obj, name: str, generated: str):
    """An attribute by its ndx-pose name, or by the name pynwb generates when ndx_pose is not imported."""
    return getattr(obj, name, None) or getattr(obj, generated)


def test_pynwb_reads_back_every_landmark(results_root, tmp_path):
    rec = load_recording(results_root / "standing01")
    path = export_nwb(rec, tmp_path / "standing01.nwb", subject_id="P07")
    assert pynwb.validate(path=str(path)) == []
    lm = rec.landmarks
    with pynwb.NWBHDF5IO(path, mode="r") as io:
        nwb = io.read()
        pose = nwb.processing["behavior"]["PoseEstimation"]
        assert list(pose.pose_estimation_series) == sorted(lm.skeleton.names)
        for k, name in enumerate(lm.skeleton.names):
            s = pose.pose_estimation_series[name]
            np.testing.assert_array_equal(s.data[:], lm.xy_px[:, k].astype(np.float32))  # NaN where missing
            np.testing.assert_array_equal(s.confidence[:], lm.visibility[:, k].astype(np.float32))
        s = pose.pose_estimation_series["left_hip"]
        assert (s.rate, s.starting_time, s.unit, s.timestamps) == (30.0, 0.0, "pixels", None)
        assert "top-left corner" in s.reference_frame
        assert "visibility" in _attr(s, "confidence_definition", "confidence__definition")
        assert pose.source_software == "tiltscreen"
        assert _attr(pose, "source_software_version", "source_software__version") == tiltscreen.__version__
        skeleton = nwb.processing["behavior"]["Skeletons"]["BlazePose"]
        assert list(skeleton.nodes[:]) == list(lm.skeleton.names)
        np.testing.assert_array_equal(skeleton.edges[:], np.array(lm.skeleton.edge_indices))
        assert skeleton.edges.dtype == np.uint8 and pose.skeleton is skeleton
        assert (nwb.subject.subject_id, nwb.subject.species, nwb.identifier) == ("P07", "Homo sapiens", "P07")
        assert nwb.session_start_time == DEFAULT_SESSION_START
        angles = nwb.processing["behavior"]["JointAngles"]
        np.testing.assert_allclose(angles["hip_extension_deg"].data[:20][:10], -10.0)
        assert '"video"' in nwb.notes


def test_movement_loads_the_file_with_the_same_values(results_root, tmp_path):
    load_poses = pytest.importorskip("movement.io.load_poses", reason="movement is installed with --no-deps")
    rec = load_recording(results_root / "reach01")
    path = export_nwb(rec, tmp_path / "reach01.nwb")
    ds = load_poses.from_nwb_file(
        path, processing_module_key="behavior", pose_estimation_key="PoseEstimation"
    )
    assert ds.attrs["fps"] == 30.0 and list(ds.individuals.values) == ["reach01"]
    assert ds.attrs["source_software"] == "tiltscreen"
    names = [str(k) for k in ds.keypoints.values]
    idx = [rec.landmarks.skeleton.index(n) for n in names]
    pos = ds.position.sel(individuals="reach01").transpose("time", "keypoints", "space").values
    np.testing.assert_array_equal(pos, rec.landmarks.xy_px[:, idx].astype(np.float32))
    conf = ds.confidence.sel(individuals="reach01").transpose("time", "keypoints").values
    np.testing.assert_array_equal(conf, rec.landmarks.visibility[:, idx].astype(np.float32))
    np.testing.assert_allclose(ds.time.values, np.arange(60) / 30.0)
    assert np.isnan(pos[10:15]).all() and not np.isnan(pos[:10]).any()


def test_uneven_frames_are_written_with_their_timestamps(tmp_path, synth):
    t = np.arange(synth.N) / 30.0
    t[30:] += 0.05  # a dropped stretch
    folder = synth.folder(tmp_path / "r", synth.standing(input_path="x.mp4"), synth.landmarks(timestamps=t))
    start = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    path = export_nwb(load_recording(folder), tmp_path / "r.nwb", start=start)
    with pynwb.NWBHDF5IO(path, mode="r") as io:
        nwb = io.read()
        s = nwb.processing["behavior"]["PoseEstimation"].pose_estimation_series["nose"]
        assert s.rate is None
        np.testing.assert_array_equal(s.timestamps[:], t)
        assert nwb.session_start_time == start


def test_timing_tolerates_rounding_but_not_gaps():
    t = np.arange(10) / 30.0 + 1e-5
    assert timing(t, 30.0) == {"rate": 30.0, "starting_time": pytest.approx(1e-5)}
    assert list(timing(t, None)) == ["timestamps"]


def test_mp4_creation_time_is_read_from_mvhd(tmp_path):
    """2026-03-01T08:30:00Z is 1772353800 s after 1970, + 2082844800 s from 1904 = 3855198600."""
    mvhd = struct.pack(">I4sB3xII", 8 + 4 + 8, b"mvhd", 0, 3855198600, 3855198600)
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    p = tmp_path / "v.mp4"
    p.write_bytes(struct.pack(">I4s4s", 12, b"ftyp", b"isom") + moov)
    assert mp4_creation_time(p) == dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    p.write_bytes(b"\x00\x00\x00\x08free")
    assert mp4_creation_time(p) is None
