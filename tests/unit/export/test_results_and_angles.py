"""The results adapter and the per-frame angles recomputed from the saved landmarks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tiltscreen.errors import InputError, InputNotFoundError
from tiltscreen.export.angles import angle_series
from tiltscreen.export.results import find_result_folders, load_all, load_recording, summary_from_dict
from tiltscreen.kinematics import sagittal


def test_summary_is_typed_in_one_place(results_root):
    s = load_recording(results_root / "reach01").summary
    assert (s.kind, s.protocol, s.status, s.side, s.facing) == ("analysis", "sit-and-reach", "ok", "left", 1)
    assert (s.roll_deg, s.px_per_cm, s.scale_source, s.best_trial) == (-1.0, 3.0, "marker", 0)
    assert [t.index for t in s.trials] == [0, 1] and s.trials[1].valid is False
    assert s.trials[0].metric("hold_s").value == 2.5
    reach = s.metric("reach_cm")
    assert (reach.value, reach.unit, reach.ci95_low, reach.ci95_high) == (4.0, "cm", -3.0, 11.0)
    only = load_recording(results_root / "only").summary
    assert (only.kind, only.protocol, only.metrics) == ("landmarks", None, ())


def test_a_missing_metric_keeps_its_reason(synth):
    s = summary_from_dict(synth.standing(input_path="x.mp4", tilt=None))
    tilt = s.metric("pelvic_tilt_deg")
    assert tilt.value is None and tilt.ci95_low is None and tilt.reason == "No skin markers were found."


def test_folders_are_found_below_the_root_and_ids_made_unique(tmp_path, synth):
    for parent in ("a", "b"):
        synth.folder(tmp_path / parent / "standing", synth.standing(input_path="x.mp4"), synth.landmarks())
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "summary.json").write_text("{not json")
    recs, skipped = load_all(tmp_path)
    assert sorted(r.recording_id for r in recs) == ["a-standing", "b-standing"]
    assert [s.folder.name for s in skipped] == ["broken"] and "not valid JSON" in skipped[0].reason
    assert find_result_folders(tmp_path / "a" / "standing") == [tmp_path / "a" / "standing"]


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        pytest.param(lambda p: p / "nothing", InputNotFoundError, "No folder", id="missing"),
        pytest.param(lambda p: p, InputNotFoundError, "holds no results folder", id="empty"),
    ],
)
def test_bad_roots_are_refused(tmp_path, make, error, match):
    with pytest.raises(error, match=match):
        find_result_folders(make(tmp_path))


def test_a_summary_without_landmark_table_is_refused(tmp_path, synth):
    synth.folder(tmp_path / "r", {"status": "unreadable", "protocol": "standing"})
    with pytest.raises(InputNotFoundError, match="no landmark table"):
        load_recording(tmp_path / "r")
    (tmp_path / "r" / "summary.json").write_text(json.dumps(["not", "a", "summary"]))
    with pytest.raises(InputError, match="not a tiltscreen summary"):
        load_recording(tmp_path / "r")


def test_standing_angles_have_their_known_values(results_root, synth):
    """Trunk +10, hip extension -10, knee hyperextension +5 deg (conftest geometry), NaN in the gap."""
    a = angle_series(load_recording(results_root / "standing01"))
    assert a.names == ("trunk_inclination_deg", "hip_extension_deg", "knee_hyperextension_deg")
    ok = np.ones(a.values.shape[0], bool)
    ok[synth.GAP] = False
    np.testing.assert_allclose(a.values[ok], np.tile([10.0, -10.0, 5.0], (ok.sum(), 1)), atol=1e-9)
    assert np.isnan(a.values[synth.GAP]).all()
    assert a.side == "left" and a.roll_deg == 0.0


def test_sit_and_reach_angles_are_the_protocol_functions_with_the_summary_roll(results_root):
    """Knee flexion 5 and hip flexion +10 deg; the trunk is the kinematics function with roll -1 deg."""
    rec = load_recording(results_root / "reach01")
    a = angle_series(rec)
    assert a.names == ("knee_flexion_deg", "hip_flexion_deg", "trunk_inclination_deg")
    assert np.nanmax(np.abs(a.values[:, 0] - 5.0)) < 1e-9 and np.nanmax(np.abs(a.values[:, 1] - 10.0)) < 1e-9
    trunk = sagittal.trunk_inclination_deg(rec.landmarks, "left", 1, roll_deg=-1.0)
    np.testing.assert_array_equal(a.values[:, 2], trunk)
    assert np.nanmax(np.abs(trunk - 10.0)) == pytest.approx(1.0, abs=0.05)


def test_no_angles_without_a_protocol(results_root):
    a = angle_series(load_recording(results_root / "only"))
    assert a.names == () and a.values.shape == (60, 0) and "landmarks only" in a.reason
