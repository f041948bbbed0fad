"""Tidy tables (CSV + Parquet) and their sidecar: values, shapes, missing data, provenance, dictionary."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.export.results import load_all, load_recording
from tiltscreen.export.tabular import export_tables
from tiltscreen.export.tidy import events, landmarks_long, trial_metrics


def test_long_landmarks_hold_every_frame_and_landmark(results_root, synth):
    rec = load_recording(results_root / "standing01")
    df = landmarks_long(rec)
    assert len(df) == synth.N * 33 and list(df["landmark"][:2]) == ["nose", "left_eye_inner"]
    hip = df[(df.landmark == "left_hip") & (df.frame == 3)].iloc[0]
    assert hip.x_px == pytest.approx(320.0 + 2 * 3 / (synth.N - 1)) and hip.y_px == pytest.approx(240.0)
    assert hip.visibility == 0.9 and hip.time_s == pytest.approx(0.1)
    gap = df[df.frame.isin(range(10, 15))]
    assert len(gap) == 5 * 33 and gap[["x_px", "y_px", "visibility", "world_x_m"]].isna().all().all()


def test_events_list_trials_maxima_holds_and_the_quiet_window(results_root):
    ev = events(load_recording(results_root / "reach01"))
    assert list(ev.event) == ["trial", "max_reach", "hold", "trial", "max_reach", "hold"]
    first = ev.iloc[0]
    assert (first.start_s, first.end_s, first.duration_s) == (0.2, 1.4, pytest.approx(1.2))
    assert ev.iloc[1].time_s == 0.8 and ev.iloc[2].duration_s == 2.5 and pd.isna(ev.iloc[2].start_s)
    assert ev.iloc[3].detail == "The hold was shorter than 2 s." and not ev.iloc[3].valid
    window = events(load_recording(results_root / "standing01"))
    assert list(window.event) == ["quiet_window"] and (window.start_s[0], window.end_s[0]) == (0.5, 1.9)


def test_metrics_give_one_row_per_trial_and_metric(results_root):
    m = trial_metrics(load_recording(results_root / "reach01"))
    assert list(zip(m.scope, m.trial.astype(object), m.metric, strict=True)) == [
        ("recording", pd.NA, "reach_cm"), ("trial", 0, "reach_cm"), ("trial", 0, "hold_s"),
        ("trial", 1, "reach_cm"), ("trial", 1, "hold_s"),
    ]  # fmt: skip
    assert list(m.best_trial) == [False, True, True, False, False]
    row = m.iloc[3]
    assert (row.value, row.unit, row.ci95_low, row.ci95_high) == (2.0, "cm", -5.0, 9.0)
    s = trial_metrics(load_recording(results_root / "standing01"))
    assert set(s.scope) == {"recording"} and s.trial.isna().all()


def test_export_writes_csv_parquet_and_a_sidecar_that_describes_every_column(results_root, tmp_path, video):
    recs, _ = load_all(results_root)
    files = export_tables(recs, tmp_path / "out")
    assert sorted(files) == sorted(
        [f"{t}.{x}" for t in ("landmarks", "angles", "events", "metrics") for x in ("csv", "parquet")]
        + ["export.json"]
    )
    meta = json.loads(files["export.json"].read_text())
    for table in ("landmarks", "angles", "events", "metrics"):
        csv, pq = pd.read_csv(files[f"{table}.csv"]), pd.read_parquet(files[f"{table}.parquet"])
        assert list(csv.columns) == list(pq.columns) == meta["tables"][table]["columns"]
        assert len(csv) == len(pq) == meta["tables"][table]["rows"]
        described = [c["name"] for c in meta["data_dictionary"]["tables"][table]]
        assert described == list(csv.columns)
    lm_csv, lm_pq = pd.read_csv(files["landmarks.csv"]), pd.read_parquet(files["landmarks.parquet"])
    np.testing.assert_array_equal(lm_csv.x_px.to_numpy(), lm_pq.x_px.to_numpy())  # shortest round-trip floats
    angles = pd.read_csv(files["angles.csv"])
    assert set(angles.recording_id) == {"reach01", "standing01"}  # landmarks only: no protocol angle
    prov = {r["provenance"]["recording_id"]: r["provenance"] for r in meta["recordings"]}
    assert prov["standing01"]["video"]["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert prov["reach01"]["video"]["sha256"] is None and "not found" in prov["reach01"]["video"]["note"]
    assert prov["standing01"]["pose_model"] == {"name": "pose_landmarker_full.task", "sha256": "ab" * 32}
    assert (
        prov["standing01"]["fps_nominal"] == 30.0 and prov["standing01"]["camera_checks"]["roll_deg"] == 0.0
    )
    assert {a["name"] for a in meta["data_dictionary"]["angles"]} >= {
        "hip_flexion_deg",
        "trunk_inclination_deg",
    }


def test_unit_metadata_rides_in_the_parquet_fields(results_root, tmp_path):
    import pyarrow.parquet as pq

    files = export_tables([load_recording(results_root / "standing01")], tmp_path, formats=("parquet",))
    schema = pq.read_schema(files["angles.parquet"])
    assert schema.field("value_deg").metadata[b"unit"] == b"deg" and "angles.csv" not in files


def test_nothing_to_export_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="Nothing to export"):
        export_tables([], tmp_path)


def test_docs_describe_every_column_and_angle():
    from pathlib import Path

    from tiltscreen.export.dictionary import data_dictionary

    text = (Path(__file__).resolve().parents[3] / "docs" / "export.md").read_text()
    d = data_dictionary()
    names = [c["name"] for cols in d["tables"].values() for c in cols] + [a["name"] for a in d["angles"]]
    assert [n for n in names if f"`{n}`" not in text] == []
