from __future__ import annotations

from pathlib import Path

import pytest

from tiltscreen.cli.main import main


@pytest.mark.parametrize(
    ("extra", "phrase"),
    [
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--executor", "dask"], "--executor dask needs --scheduler"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler is for --executor dask"),
        (["--baseline", "old.json"], "--baseline compares one recording"),
        (["--export", "nwb,xls"], "--export takes nwb, trc, bids, csv, got xls"),
        (["--subject-height-cm", "-1"], "--subject-height-cm must be positive"),
    ],
)
def test_bad_arguments_exit_2_with_one_sentence(
    tmp_path: Path, capsys, extra: list[str], phrase: str
) -> None:
    (tmp_path / "v.mp4").write_bytes(b"")
    code = main(
        ["-q", "batch", str(tmp_path), "--protocol", "standing", "--out", str(tmp_path / "o"), *extra]
    )
    err = capsys.readouterr().err
    assert code == 2 and phrase in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_no_video_found_exits_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "in").mkdir()
    code = main(["-q", "batch", str(tmp_path / "in"), "--protocol", "auto", "--out", str(tmp_path / "o")])
    assert code == 2 and "No video" in capsys.readouterr().err


def test_bad_manifest_exits_2_naming_the_row(tmp_path: Path, capsys) -> None:
    m = tmp_path / "m.csv"
    m.write_text("path,age\na.mp4,old\n", encoding="utf-8")
    code = main(["-q", "batch", "--manifest", str(m), "--protocol", "auto", "--out", str(tmp_path / "o")])
    assert code == 2 and "m.csv row 2: age must be a number" in capsys.readouterr().err
