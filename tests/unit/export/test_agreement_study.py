"""The agreement study end to end: summaries + a reference CSV -> statistics, listed issues, plots."""

from __future__ import annotations

import csv
import math

import pytest

from tiltscreen.cli.main import main

pytest.importorskip("pingouin")

#: reference pelvic tilt (deg) of rec1..rec5, and the tool's difference from it
REF = [10.0, 14.0, 18.0, 22.0, 26.0]
DIFF = [1.0, 3.0, 1.0, 3.0, 2.0]

REFERENCE_CSV = """recording_id,metric,reference_value,rater,method,unit
rec1,pelvic_tilt_deg,10,,palpation meter,deg
p02.mp4,pelvic_tilt_deg,14,,palpation meter,
p03,pelvic_tilt_deg,18,,palpation meter,deg
rec4,pelvic_tilt_deg,22,,palpation meter,deg
rec4,pelvic_tilt_deg,23,,palpation meter,deg
rec5,pelvic_tilt_deg,26,,palpation meter,deg
rec6,pelvic_tilt_deg,15,,palpation meter,deg
ghost,pelvic_tilt_deg,11,,palpation meter,deg
rec1,trunk_inclination_deg,"12,5",,inclinometer,deg
rec2,trunk_inclination_deg,,,inclinometer,deg
rec3,trunk_inclination_deg,9,,inclinometer,deg
rec5,hip_extension_deg,3,,goniometer,cm
"""


@pytest.fixture
def study(tmp_path, synth):
    """rec1..rec5: tool tilt = REF + DIFF (videos p01..p05.mp4); rec6: no tilt; rec7: no reference."""
    root = tmp_path / "results"
    for i, (r, d) in enumerate(zip(REF, DIFF, strict=True), start=1):
        synth.folder(root / f"rec{i}", synth.standing(input_path=f"videos/p0{i}.mp4", tilt=r + d))
    synth.folder(root / "rec6", synth.standing(input_path="videos/p06.mp4", tilt=None))
    synth.folder(root / "rec7", synth.standing(input_path="videos/p07.mp4", tilt=20.0))
    ref = tmp_path / "reference.csv"
    ref.write_text(REFERENCE_CSV)
    return root, ref


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_agreement_reproduces_the_statistics_derived_by_hand(study, tmp_path, capsys):
    """Differences d = 1, 3, 1, 3, 2 (n = 5): bias 2, SD 1 (squares of d - 2 sum to 4, / 4).

    Limits 2 -/+ 1.96 = 0.04, 3.96. Bias CI: t(0.975, 4) = 2.776445, SE = 1 / sqrt 5, so 2 -/+ 1.24166.
    Two-way ANOVA (5 recordings x 2 methods): MSE = var(d) / 2 = 0.5, so SEM = sqrt 0.5 = 0.70711 and
    MDC95 = 1.96 sqrt 2 SEM = 1.96. Pair means 10.5, 15.5, 18.5, 23.5, 27 (mean 19; squared deviations
    sum to 169, variance 42.25): MSR = 2 x 42.25 = 84.5. Method means 20 and 18 around 19: MSC = 5 x (1 + 1)
    = 10. ICC(3,1) = (MSR - MSE) / (MSR + MSE) = 84 / 85; ICC(2,1) = (MSR - MSE) / (MSR + MSE
    + 2 (MSC - MSE) / 5) = 84 / 88.8. Slope of d on the means: sum of cross-deviations 10 / 169.
    """
    root, ref = study
    out = tmp_path / "report"
    assert main(["agreement", str(root), "--reference", str(ref), "--out", str(out)]) == 0
    assert "comparison(s) written" in capsys.readouterr().out
    rows = {(r["metric"], r["method"]): r for r in _rows(out / "agreement.csv")}
    tilt = rows[("pelvic_tilt_deg", "palpation meter")]
    expected = {
        "n": 5, "bias": 2.0, "sd_diff": 1.0, "loa_low": 0.04, "loa_high": 3.96, "bias_ci95_low": 2 - 1.24166,
        "bias_ci95_high": 2 + 1.24166, "sem": math.sqrt(0.5), "mdc95": 1.96, "icc3_1": 84 / 85,
        "icc2_1": 84 / 88.8, "proportional_slope": 10 / 169,
    }  # fmt: skip
    for key, value in expected.items():
        assert float(tilt[key]) == pytest.approx(value, abs=1e-4), key
    assert float(tilt["icc2_1_ci95_low"]) < 84 / 88.8 < float(tilt["icc2_1_ci95_high"])
    assert (tilt["n_used"], tilt["n_no_tool_value"], tilt["n_duplicate"]) == ("5", "1", "1")
    trunk = rows[("trunk_inclination_deg", "inclinometer")]
    assert trunk["n"] == "1" and trunk["bias"] == "" and "Only 1 usable" in trunk["note"]
    assert trunk["n_no_reference_value"] == "2"
    assert rows[("hip_extension_deg", "goniometer")]["n_unit_mismatch"] == "1"
    assert (out / "bland_altman_pelvic_tilt_deg_palpation-meter.png").stat().st_size > 10_000
    assert not list(out.glob("bland_altman_trunk*"))


def test_every_pair_and_problem_is_listed(study, tmp_path):
    root, ref = study
    out = tmp_path / "report"
    main(["-q", "agreement", str(root), "--reference", str(ref), "--out", str(out)])
    pairs = _rows(out / "pairs.csv")
    assert len(pairs) == 11  # 12 reference rows, minus the unmatched "ghost"
    status = {(p["recording_id"], p["metric"], p["reference"]): p["status"] for p in pairs}
    assert status[("rec2", "pelvic_tilt_deg", "14.0")] == "used"  # matched by the video's file name
    assert status[("rec3", "pelvic_tilt_deg", "18.0")] == "used"  # matched by the video's stem
    assert status[("rec4", "pelvic_tilt_deg", "23.0")] == "duplicate"
    assert status[("rec6", "pelvic_tilt_deg", "15.0")] == "no_tool_value"
    md = (out / "agreement.md").read_text()
    expected = ["unmatched_id (line 9)", "'ghost'", "not_a_number", "'12,5'", "no_reference (rec7)",
                "rec6 — no_tool_value: No skin markers were found.", "unit_mismatch", "ICC(2,1)"]  # fmt: skip
    assert [t for t in expected if t not in md] == []


def test_template_lists_every_recording_and_metric_without_the_tool_values(study, tmp_path, capsys):
    root, _ = study
    path = tmp_path / "template.csv"
    assert main(["agreement", str(root), "--template", str(path)]) == 0
    rows = _rows(path)
    assert len(rows) == 7 * 3  # 7 recordings x the 3 metrics of the synthetic standing summary
    assert set(rows[0]) == {"recording_id", "input_file", "protocol", "metric", "unit", "reference_value",
                            "rater", "method", "session", "notes"}  # fmt: skip
    assert {r["reference_value"] for r in rows} == {""} and rows[0]["input_file"] == "p01.mp4"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("id,metric,value\n", "lacks the column(s) recording_id, reference_value", id="columns"),
        pytest.param(None, "Reference file not found", id="missing"),
        pytest.param(b"recording_id,metric,reference_value\n\xff\xfe,x,1\n", "UTF-8 CSV", id="not-utf8"),
    ],
)
def test_bad_reference_files_get_one_sentence(study, tmp_path, capsys, text, message):
    root, _ = study
    ref = tmp_path / "bad.csv"
    if isinstance(text, bytes):
        ref.write_bytes(text)
    elif text is not None:
        ref.write_text(text)
    assert main(["agreement", str(root), "--reference", str(ref)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
