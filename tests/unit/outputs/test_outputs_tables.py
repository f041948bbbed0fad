"""Landmark tables: column layout, lossless CSV/Parquet round trips, sidecar, bad inputs, atomic writes."""

from __future__ import annotations

import dataclasses
import json
from contextlib import nullcontext as does_not_raise
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import tiltscreen
from tiltscreen.errors import InputError, InputNotFoundError, ValidationError
from tiltscreen.landmarks import Landmarks, Step
from tiltscreen.outputs import tables, tables_write
from tiltscreen.outputs.tables import (
    column_names,
    data_dictionary,
    load_landmarks,
    save_landmarks,
    to_frame_table,
)
from tiltscreen.skeleton import BLAZEPOSE

SUFFIXES = (
    "x_px", "y_px", "x_norm", "y_norm", "z_norm", "visibility", "presence",
    "world_x_m", "world_y_m", "world_z_m",
)  # fmt: skip


@pytest.fixture
def lm(make_landmarks):
    """A 40-frame synthetic recording with gaps (see ``make_landmarks``)."""
    return make_landmarks()


@pytest.fixture
def saved(lm, tmp_path):
    """``lm`` saved as CSV, Parquet and sidecar in ``tmp_path``."""
    return save_landmarks(lm, tmp_path)


def _strip_load(loaded: Landmarks) -> Landmarks:
    """Drop the final ``load_landmarks`` provenance step (checked) to compare with the original."""
    assert loaded.provenance[-1].name == "load_landmarks"
    return dataclasses.replace(loaded, provenance=loaded.provenance[:-1])


# --- layout -------------------------------------------------------------------------------------


def test_column_order():
    names = column_names()
    assert names[:4] == ["frame", "frame_index", "time_s", "detected"]
    assert len(names) == 4 + 33 * 10 == len(set(names))
    expected = [f"{n}_{s}" for n in BLAZEPOSE.names for s in SUFFIXES]
    assert names[4:] == expected


def test_to_frame_table_values(lm):
    table = to_frame_table(lm)
    assert list(table) == column_names()
    assert all(col.shape == (lm.n_frames,) for col in table.values())
    assert table["frame"].dtype == np.int64 and table["detected"].dtype == np.bool_
    np.testing.assert_array_equal(table["frame"], np.arange(lm.n_frames))
    np.testing.assert_array_equal(table["frame_index"], lm.frame_index)
    np.testing.assert_array_equal(table["detected"], lm.detected)
    assert not table["detected"][3] and table["detected"][0]
    k = BLAZEPOSE.index("left_knee")
    np.testing.assert_array_equal(table["left_knee_x_px"], lm.xyz[:, k, 0] * 1080)
    np.testing.assert_array_equal(table["left_knee_y_px"], lm.xyz[:, k, 1] * 1920)
    np.testing.assert_array_equal(table["left_knee_z_norm"], lm.xyz[:, k, 2])
    np.testing.assert_array_equal(table["left_knee_presence"], lm.presence[:, k])
    np.testing.assert_array_equal(table["left_knee_world_y_m"], lm.world[:, k, 1])


def test_frame_table_is_a_copy(lm):
    table = to_frame_table(lm)
    table["time_s"][0] = -1.0
    table["nose_x_norm"][0] = -1.0
    assert lm.timestamps_s[0] > 0 and lm.xyz[0, 0, 0] != -1.0


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_is_exact(fmt, lm, saved, assert_same_landmarks):
    loaded = load_landmarks(saved[fmt])
    *steps, last = loaded.provenance
    assert last == Step("load_landmarks", {"path": str(saved[fmt].resolve()), "format": fmt})
    assert_same_landmarks(lm, dataclasses.replace(loaded, provenance=tuple(steps)))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_edge_cases(fmt, make_landmarks, tmp_path, assert_same_landmarks):
    """No frames; one frame, no fps, no model, empty source and provenance, another stem."""
    cases = [
        Landmarks.empty(0, timestamps_s=np.empty(0), image_size=(640, 480)),
        make_landmarks(1, fps=None, model_sha256=None, source={}, provenance=(), rotation_deg=0),
    ]
    for i, lm in enumerate(cases):
        paths = save_landmarks(lm, tmp_path / "deep" / "er", stem=f"case{i}", formats=(fmt,))
        assert set(paths) == {fmt, "json"}
        loaded = load_landmarks(paths[fmt])
        assert_same_landmarks(lm, _strip_load(loaded))


def test_longer_recording_round_trip(make_landmarks, tmp_path, assert_same_landmarks):
    lm = make_landmarks(230, seed=7)
    paths = save_landmarks(lm, tmp_path)
    for fmt in ("csv", "parquet"):
        loaded = load_landmarks(paths[fmt])
        assert_same_landmarks(lm, _strip_load(loaded))


def test_parquet_falls_back_to_json_beside(lm, saved, tmp_path, assert_same_landmarks):
    table = pq.read_table(saved["parquet"]).replace_schema_metadata(None)
    bare = tmp_path / "landmarks.parquet"
    pq.write_table(table, bare)
    loaded = load_landmarks(bare)
    assert_same_landmarks(lm, _strip_load(loaded))
    saved["json"].unlink()
    with pytest.raises(InputNotFoundError, match=r"sidecar landmarks\.json .* is missing"):
        load_landmarks(bare)


def test_parquet_alone_carries_its_sidecar(lm, saved, assert_same_landmarks):
    saved["json"].unlink()
    loaded = load_landmarks(saved["parquet"])
    assert_same_landmarks(lm, _strip_load(loaded))


def test_numpy_and_path_params_become_plain_json(lm, tmp_path):
    lm = lm.with_step(
        "scale", {"factor": np.float64(0.5), "n": np.int64(3), "out": tmp_path, "v": np.ones(2)}
    )
    loaded = load_landmarks(save_landmarks(lm, tmp_path, formats=("csv",))["csv"])
    assert loaded.provenance[-2].params == {"factor": 0.5, "n": 3, "out": str(tmp_path), "v": [1.0, 1.0]}


# --- file contents ------------------------------------------------------------------------------


def test_csv_is_plain_and_repr_exact(lm, saved):
    lines = saved["csv"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(column_names())
    assert len(lines) == 1 + lm.n_frames
    row3 = lines[1 + 3].split(",")
    assert row3[:4] == ["3", str(lm.frame_index[3]), repr(float(lm.timestamps_s[3])), "false"]
    assert set(row3[4:]) == {""}, "an undetected frame is all empty cells"
    row0 = lines[1].split(",")
    cells = dict(zip(column_names(), row0, strict=True))
    assert cells["detected"] == "true"
    assert cells["nose_world_x_m"] == "", "NaN is an empty cell"
    assert float(cells["left_hip_x_norm"]) == lm.xyz[0, 23, 0]
    assert not any("nan" in c.lower() or ";" in c or '"' in c for c in row0)


def test_sidecar_data_dictionary_covers_every_column(lm, saved):
    side = json.loads(saved["json"].read_text(encoding="utf-8"))
    assert side["format"] == tables.FORMAT_NAME and side["tiltscreen_version"] == tiltscreen.__version__
    assert side["metadata"] == json.loads(json.dumps(lm.metadata()))
    dd = side["data_dictionary"]
    described = [c["name"] for c in dd["columns"]]
    csv_header = saved["csv"].read_text(encoding="utf-8").splitlines()[0].split(",")
    parquet_schema = pq.read_schema(saved["parquet"])
    assert described == csv_header == parquet_schema.names == column_names()
    assert all(c["unit"] and c["description"] and c["dtype"] for c in dd["columns"])
    units = {c["name"]: c["unit"] for c in dd["columns"]}
    assert units["time_s"] == "s" and units["nose_x_px"] == "px" and units["nose_world_z_m"] == "m"
    assert [d["name"] for d in dd["landmarks"]] == list(BLAZEPOSE.names)
    conv = " ".join(dd["conventions"].values())
    assert "top-left" in conv and "downwards" in conv and "hips" in conv and "width" in conv
    assert parquet_schema.field("nose_world_x_m").metadata[b"unit"] == b"m"
    assert json.loads(parquet_schema.metadata[b"tiltscreen"]) == side


def test_data_dictionary_is_pure_json():
    dd = data_dictionary()
    assert json.loads(json.dumps(dd)) == dd


# --- bad inputs ---------------------------------------------------------------------------------


def _rewrite(path: Path, edit) -> None:
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def _edit_cell(text: str, row: int, column: str, value: str) -> str:
    lines = text.splitlines()
    cells = lines[row + 1].split(",")
    cells[column_names().index(column)] = value
    lines[row + 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def _edit_sidecar(key: str, value):
    def edit(text: str) -> str:
        side = json.loads(text)
        side[key] = value
        return json.dumps(side)

    return edit


BAD_CSV = [
    pytest.param("csv", lambda t: t, does_not_raise(), id="untouched"),
    pytest.param(
        "csv", lambda t: t[: len(t) // 2], pytest.raises(InputError, match="truncated"), id="cut-mid-row"
    ),
    pytest.param(
        "csv",
        lambda t: "\n".join(t.splitlines()[:-5]) + "\n",
        pytest.raises(InputError, match=r"35 rows but its sidecar records 40 frames"),
        id="cut-at-row-end",
    ),
    pytest.param("csv", lambda t: "", pytest.raises(InputError, match="is empty"), id="empty-file"),
    pytest.param(
        "csv",
        lambda t: t.replace("nose_x_px", "nose_x", 1),
        pytest.raises(InputError, match="missing nose_x_px; unexpected nose_x"),
        id="renamed-column",
    ),
    pytest.param(
        "csv",
        lambda t: t.replace("frame,frame_index", "frame_index,frame", 1),
        pytest.raises(InputError, match="different order"),
        id="swapped-columns",
    ),
    pytest.param(
        "csv",
        lambda t: t.replace("nose_y_px", "nose_x_px", 1),
        pytest.raises(InputError, match="missing nose_y_px; repeated nose_x_px"),
        id="repeated-column",
    ),
    pytest.param(
        "csv",
        lambda t: _edit_cell(t, 0, "nose_x_px", "12.5"),
        pytest.raises(InputError, match="nose_x_px disagree"),
        id="edited-derived-cell",
    ),
    pytest.param(
        "csv",
        lambda t: _edit_cell(t, 0, "nose_x_norm", "abc"),
        pytest.raises(InputError, match="cannot be read as a landmark table"),
        id="text-in-number",
    ),
    pytest.param(
        "csv",
        lambda t: _edit_cell(t, 1, "frame_index", ""),
        pytest.raises(InputError, match="'frame_index' has empty cells"),
        id="empty-int-cell",
    ),
    pytest.param(
        "csv",
        lambda t: _edit_cell(t, 1, "time_s", "0.0"),
        pytest.raises(InputError, match="strictly increasing"),
        id="time-goes-back",
    ),
    pytest.param(
        "json",
        lambda t: t[:100],
        pytest.raises(InputError, match="not valid JSON"),
        id="sidecar-cut",
    ),
    pytest.param(
        "json",
        _edit_sidecar("format", "something-else"),
        pytest.raises(InputError, match="not a tiltscreen landmarks sidecar"),
        id="sidecar-foreign",
    ),
    pytest.param(
        "json",
        _edit_sidecar("format_version", 99),
        pytest.raises(InputError, match="format version 99"),
        id="sidecar-newer",
    ),
    pytest.param(
        "json",
        _edit_sidecar("metadata", {"fps": 30}),
        pytest.raises(InputError, match="lacks metadata fields: n_frames, image_size"),
        id="sidecar-without-metadata",
    ),
]


@pytest.mark.parametrize(("target", "edit", "expectation"), BAD_CSV)
def test_bad_csv_inputs(target, edit, expectation, saved):
    _rewrite(saved[target], edit)
    with expectation:
        load_landmarks(saved["csv"])


@pytest.mark.parametrize(
    ("make_path", "expectation"),
    [
        pytest.param(
            lambda p: p["csv"].with_name("nothing.csv"),
            pytest.raises(InputNotFoundError, match="not found"),
            id="no-file",
        ),
        pytest.param(
            lambda p: p["json"],
            pytest.raises(InputError, match=r"expected a \.csv or \.parquet"),
            id="wrong-suffix",
        ),
        pytest.param(lambda p: p["csv"].parent, pytest.raises(InputNotFoundError), id="a-folder"),
    ],
)
def test_bad_paths(make_path, expectation, saved):
    with expectation:
        load_landmarks(make_path(saved))


def test_missing_sidecar(saved):
    saved["json"].unlink()
    with pytest.raises(
        InputNotFoundError, match=r"sidecar landmarks\.json .* missing beside .*landmarks\.csv"
    ):
        load_landmarks(saved["csv"])


def test_truncated_parquet(saved):
    data = saved["parquet"].read_bytes()
    saved["parquet"].write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cannot be read as a Parquet file"):
        load_landmarks(saved["parquet"])


def test_parquet_with_wrong_columns(saved):
    table = pq.read_table(saved["parquet"])
    dropped = table.drop_columns(["left_hip_presence"]).replace_schema_metadata(table.schema.metadata)
    pq.write_table(dropped, saved["parquet"])
    with pytest.raises(InputError, match="missing left_hip_presence"):
        load_landmarks(saved["parquet"])


# --- saving: options and atomicity --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"formats": ("xlsx",)}, "formats must be", id="unknown-format"),
        pytest.param({"formats": ()}, "formats must be", id="no-format"),
        pytest.param({"stem": "a/b"}, "stem must be", id="stem-with-folder"),
        pytest.param({"stem": ""}, "stem must be", id="empty-stem"),
    ],
)
def test_save_rejects_bad_options(kwargs, match, lm, tmp_path):
    with pytest.raises(ValidationError, match=match):
        save_landmarks(lm, tmp_path, **kwargs)


def test_save_leaves_no_temp_files(lm, tmp_path):
    paths = save_landmarks(lm, tmp_path, stem="take1")
    save_landmarks(lm, tmp_path, stem="take1")  # overwriting is fine too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take1.csv", "take1.json", "take1.parquet"]
    assert paths == {f: tmp_path / f"take1.{f}" for f in ("csv", "parquet", "json")}


def test_failed_save_leaves_old_files_and_no_temp(lm, tmp_path, monkeypatch):
    old = save_landmarks(lm, tmp_path)
    before = {p.name: p.read_bytes() for p in old.values()}

    def broken_write(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(
        tables_write.pq.ParquetWriter, "write_table", broken_write
    )  # the Parquet write fails mid-way
    with pytest.raises(OSError, match="disk full"):
        save_landmarks(lm.select(slice(0, 5)), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_unserialisable_metadata_is_refused(lm, tmp_path):
    bad = lm.with_step("odd", {"value": object()})
    with pytest.raises(ValidationError, match="Cannot store a 'object' value"):
        save_landmarks(bad, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_batched_writing_round_trips(lm, tmp_path, monkeypatch):
    """With batches of 7 rows the files hold several row groups / appended blocks and still load back
    exactly."""
    monkeypatch.setattr(tables_write, "_BATCH_ROWS", 7)
    saved = save_landmarks(lm, tmp_path)
    for fmt in ("csv", "parquet"):
        back = load_landmarks(saved[fmt])
        np.testing.assert_array_equal(back.xyz, lm.xyz)
        np.testing.assert_array_equal(back.timestamps_s, lm.timestamps_s)
