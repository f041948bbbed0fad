"""``tiltscreen export`` as a user meets it: every format, the default folder, and one-sentence errors."""

from __future__ import annotations

import pytest

from tiltscreen.cli.main import main


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("csv", {"landmarks.csv", "metrics.parquet", "export.json"}, id="csv"),
        pytest.param("nwb", {"standing01.nwb", "reach01.nwb", "only.nwb"}, id="nwb"),
        pytest.param("trc", {"reach01_px.trc", "reach01_m.trc", "standing01_angles.mot"}, id="trc"),
        pytest.param("bids", {"dataset_description.json", "participants.tsv", "sub-reach01"}, id="bids"),
    ],
)
def test_every_format_from_the_command_line(results_root, capsys, fmt, expected):
    assert main(["export", str(results_root), "--format", fmt]) == 0
    out = results_root / "export" / fmt
    assert expected <= {p.name for p in out.iterdir()}
    assert f"Exported 3 recording(s) as {fmt}" in capsys.readouterr().out


def test_one_recording_takes_a_subject_id_and_session_start(results_root, tmp_path):
    import pynwb

    args = ["export", str(results_root / "reach01"), "--format", "nwb", "--out", str(tmp_path)]
    assert main([*args, "--subject-id", "P9", "--session-start", "2026-03-01T09:30:00"]) == 0
    with pynwb.NWBHDF5IO(tmp_path / "reach01.nwb", mode="r") as io:
        nwb = io.read()
        assert (
            nwb.subject.subject_id == "P9"
            and nwb.session_start_time.isoformat() == "2026-03-01T09:30:00+00:00"
        )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--subject-id", "P1"], "names one recording's subject, but 3", id="subject-for-many"),
        pytest.param(["--session-start", "yesterday"], "ISO 8601", id="bad-start"),
        pytest.param(["--table-formats", "xlsx"], "csv and/or parquet", id="bad-tables"),
    ],
)
def test_bad_options_get_one_sentence(results_root, capsys, extra, message):
    assert main(["export", str(results_root), "--format", "csv", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_folder_without_results_is_refused(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "trc"]) == 2
    assert "holds no results folder" in capsys.readouterr().err


def test_unloadable_folders_are_named_and_skipped(results_root, capsys, synth):
    synth.folder(results_root / "empty", {"status": "unreadable", "protocol": "standing"})
    assert main(["export", str(results_root), "--format", "trc"]) == 0
    captured = capsys.readouterr()
    assert "skipped" in captured.err and "empty" in captured.err and "no landmark table" in captured.err
    assert "Exported 3 recording(s)" in captured.out
