from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq

from tiltscreen.batch.store import RECORD_NAME, Record, finished, fresh_folder, read_record, write_record
from tiltscreen.batch.table import error_row, result_rows, write_tables
from tiltscreen.export.results import summary_from_dict


def _record(**kw) -> Record:
    base = dict(
        key="k1", recording_id="r1", input="/v.mp4", content_sha256="c", protocol_requested="auto",
        protocol="standing", status="ok", has_summary=True,
        versions={"tiltscreen": "0.1.0", "pose_model_sha256": "m"},
    )  # fmt: skip
    return Record(**{**base, **kw})


def test_record_round_trip_and_done(tmp_path: Path) -> None:
    rec = _record(protocol_choice={"rule": "upright_standing", "standing_s": 2.0})
    write_record(tmp_path, rec)
    assert read_record(tmp_path) == rec
    assert finished(tmp_path, "k1") == rec and finished(tmp_path, "k2") is None
    write_record(tmp_path, _record(status="error"))
    assert finished(tmp_path, "k1") is None  # unexpected errors are tried again


def test_unreadable_record_is_not_done(tmp_path: Path) -> None:
    (tmp_path / RECORD_NAME).write_text("{not json", encoding="utf-8")
    assert read_record(tmp_path) is None and finished(tmp_path, "k1") is None


def test_fresh_folder_empties_a_half_done_folder(tmp_path: Path) -> None:
    folder = tmp_path / "recordings" / "r1"
    folder.mkdir(parents=True)
    (folder / "landmarks.csv").write_text("partial", encoding="utf-8")
    write_record(folder, _record(key="old"))
    fresh_folder(folder)
    assert folder.is_dir() and list(folder.iterdir()) == []


def _metric(value, unit="deg", ci=None, reason=None, method="m"):
    return {
        "value": value,
        "unit": unit,
        "method": method,
        "ci95": ci,
        **({"reason": reason} if reason else {}),
    }


STANDING = {
    "schema": "tiltscreen-result/1", "protocol": "standing", "status": "ok", "reasons": [], "side": "left",
    "metrics": {"pelvic_tilt_deg": _metric(17.9, ci=[13.8, 22.0]), "plumb_ear": _metric(12.8, unit="px")},
    "flags": [{"code": "anterior_pelvic_tilt", "level": "review"}],
}  # fmt: skip
SIT_AND_REACH = {
    "schema": "tiltscreen-result/1", "protocol": "sit-and-reach", "status": "ok", "reasons": [],
    "side": "left",
    "metrics": {"reach_cm": _metric(5.0, unit="cm", ci=[3.0, 7.0]), "hold_s": _metric(2.5, unit="s")},
    "trials": [
        {"index": 1, "start_s": 1.0, "max_reach_s": 3.0, "end_s": 6.0, "valid": False,
         "invalid_reasons": ["The knees bent."], "metrics": {"reach_cm": _metric(2.0, unit="cm")}},
        {"index": 2, "start_s": 7.0, "max_reach_s": 9.0, "end_s": 12.0, "valid": True, "invalid_reasons": [],
         "metrics": {"reach_cm": _metric(5.0, unit="cm", ci=[3.0, 7.0])}},
    ],
    "best_trial": 2, "flags": [],
}  # fmt: skip


def test_standing_gives_one_row_with_every_metric_field() -> None:
    (row,) = result_rows(_record(), Path("/o/r1"), summary_from_dict(STANDING))
    assert row.get("trial") is None and row["status"] == "ok" and row["flags"] == "anterior_pelvic_tilt"
    assert (row["pelvic_tilt_deg__value"], row["pelvic_tilt_deg__unit"], row["pelvic_tilt_deg__method"]) == (
        17.9, "deg", "m",
    )  # fmt: skip
    assert (row["pelvic_tilt_deg__ci95_low"], row["pelvic_tilt_deg__ci95_high"]) == (13.8, 22.0)
    assert row["plumb_ear__unit"] == "px" and row["plumb_ear__ci95_low"] is None


def test_sit_and_reach_gives_one_row_per_trial() -> None:
    rec = _record(protocol="sit-and-reach")
    first, best = result_rows(rec, Path("/o/r1"), summary_from_dict(SIT_AND_REACH))
    assert (first["trial"], first["best_trial"], first["trial_valid"]) == (1, False, False)
    assert first["reach_cm__value"] == 2.0 and "hold_s__value" not in first
    assert first["trial_invalid_reasons"] == "The knees bent."
    assert (best["trial"], best["best_trial"], best["reach_cm__value"], best["hold_s__value"]) == (
        2,
        True,
        5.0,
        2.5,
    )


def test_unreadable_video_gives_a_row_and_an_error_row() -> None:
    rec = _record(status="unreadable", has_summary=False, protocol=None, error_type="CorruptVideoError",
                  message="The file cannot be opened as a video.", exit_code=2)  # fmt: skip
    (row,) = result_rows(rec, Path("/o/r1"), None)
    assert (row["status"], row["reasons"], row["protocol"]) == ("unreadable", rec.message, None)
    err = error_row(rec, Path("/o/r1"))
    assert (err["error_type"], err["exit_code"], err["has_summary"]) == ("CorruptVideoError", 2, False)


def test_tables_are_written_as_csv_and_typed_parquet(tmp_path: Path) -> None:
    ok = tmp_path / "recordings" / "st"
    ok.mkdir(parents=True)
    (ok / "summary.json").write_text(json.dumps(STANDING), encoding="utf-8")
    bad = tmp_path / "recordings" / "bad"
    bad.mkdir()
    records = [
        (_record(recording_id="st"), ok),
        (
            _record(
                recording_id="bad", status="unreadable", has_summary=False, message="Damaged.", exit_code=2
            ),
            bad,
        ),
    ]
    files = write_tables(records, tmp_path)
    assert [p.name for p in files["results"]] == ["results.csv", "results.parquet"]
    table = pq.read_table(tmp_path / "results.parquet")
    assert table.column("recording_id").to_pylist() == ["st", "bad"]
    assert table.column("pelvic_tilt_deg__value").to_pylist() == [17.9, None]
    assert str(table.schema.field("trial").type) == "int64"
    with open(tmp_path / "results.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["pelvic_tilt_deg__value"] == "17.9" and rows[1]["pelvic_tilt_deg__value"] == ""
    errors = pq.read_table(tmp_path / "errors.parquet")
    assert errors.column("recording_id").to_pylist() == ["bad"] and errors.column(
        "exit_code"
    ).to_pylist() == [2]
