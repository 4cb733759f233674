"""The synthetic-province generator: determinism, layout, encodings, ledger."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from edu_simulators.generator import Imperfections, generate
from edu_simulators.generator.ids import check_digit, is_valid_citizen_id

YEARS = (2565, 2566, 2567)


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return generate("tiny", seed=21, out=tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def tiny_clean(tmp_path_factory) -> Path:
    return generate("tiny", seed=21, out=tmp_path_factory.mktemp("clean"),
                    imperfections=Imperfections.none())


@pytest.fixture(scope="module")
def learners(tiny) -> pd.DataFrame:
    return pd.read_parquet(tiny / "ledger" / "learner_records.parquet")


def test_same_seed_gives_identical_bytes(tiny, tmp_path):
    again = generate("tiny", seed=21, out=tmp_path / "again")
    assert _hashes(tiny) == _hashes(again)


def test_one_process_gives_the_same_bytes(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("EDU_SIM_SERIAL", "1")
    assert _hashes(tiny) == _hashes(generate("tiny", seed=21, out=tmp_path / "serial"))


def test_different_seed_gives_different_files(tiny, tmp_path):
    other = _hashes(generate("tiny", seed=22, out=tmp_path / "other"))
    same = _hashes(tiny)
    assert other.keys() - {"generation.json"} and other != same
    assert other["served/obec/students_2567_1.jsonl"] != same["served/obec/students_2567_1.jsonl"]


def test_layout(tiny):
    for name in ("generation.json", "drop/registry/units.csv", "dlp/itw.sqlite",
                 "served/obec/schools.json", "served/ovec/colleges.json",
                 "ledger/learner_records.parquet", "ledger/teacher_records.parquet",
                 "ledger/population.parquet", "ledger/files.csv"):
        assert (tiny / name).is_file(), name
    for year in YEARS:
        assert (tiny / f"drop/dopa/population_{year - 544}.csv").is_file()
        for term in (1, 2):
            assert (tiny / f"served/obec/students_{year}_{term}.jsonl").is_file()
            assert (tiny / f"served/obec/teachers_{year}_{term}.jsonl").is_file()
            assert (tiny / f"served/ovec/enrollments_{year - 543}_{term}.jsonl").is_file()
            assert (tiny / f"served/ovec/teachers_{year - 543}_{term}.jsonl").is_file()
            assert (tiny / f"served/onab/enrolment_{year}_{term}.json").is_file()
            assert (tiny / f"drop/psis/{year}/{term}/_MANIFEST.csv").is_file()
            assert list((tiny / f"drop/lec/{year}-{term}").glob("*.xlsx"))


def test_dopa_has_bom_and_header(tiny):
    raw = (tiny / "drop/dopa/population_2023.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["รหัสพื้นที่", "ชื่อพื้นที่", "อายุ", "ชาย", "หญิง", "รวม"]
    assert rows[-1][2] == "100 ปีขึ้นไป"


def _manifest(folder: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((folder / "_MANIFEST.csv").read_text("utf-8"))))


def test_psis_encodings_and_manifest(tiny):
    files = pd.read_csv(tiny / "ledger/files.csv", dtype=str)
    rejected = dict(zip(files.container, files.defect, strict=True))
    checked = 0
    for folder in sorted((tiny / "drop/psis").glob("*/*")):
        for entry in _manifest(folder):
            raw = (folder / entry["file"]).read_bytes()
            container = str((folder / entry["file"]).relative_to(tiny / "drop"))
            digest = hashlib.sha256(raw).hexdigest()
            defect = rejected.get(container)
            if defect == "bad_encoding_utf16":
                assert raw.startswith(b"\xff\xfe")
                assert digest == entry["sha256"]
                continue
            text = raw[3:].decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") \
                else raw.decode("cp874")
            assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
            rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r][1:]
            if defect == "cut_short":
                assert len(rows) < int(entry["rows"])
            elif defect == "manifest_sha256_mismatch":
                assert digest != entry["sha256"] and len(rows) == int(entry["rows"])
            else:
                assert digest == entry["sha256"] and len(rows) == int(entry["rows"])
                checked += 1
    assert checked > 10
    assert {"cut_short", "manifest_sha256_mismatch", "bad_encoding_utf16"} <= set(rejected.values())


def test_psis_manifest_written_for_every_file(tiny):
    for folder in sorted((tiny / "drop/psis").glob("*/*")):
        listed = {e["file"] for e in _manifest(folder)}
        present = {p.name for p in folder.iterdir() if p.name != "_MANIFEST.csv"}
        assert listed == present


def test_dla_workbook_layout(tiny):
    files = pd.read_csv(tiny / "ledger/files.csv", dtype=str)
    broken = set(files.container[files.source == "DLA"])
    good = [p for p in sorted((tiny / "drop/lec").rglob("*.xlsx"))
            if str(p.relative_to(tiny / "drop")) not in broken]
    assert good
    for path in good:
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["ข้อมูลสถานศึกษา", "นักเรียน", "บุคลากร"]
        ws = wb["นักเรียน"]
        assert str(ws["A1"].value).startswith("ข้อมูลนักเรียน ภาคเรียนที่")
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert {"A2:A3", "D2:G2", "I2:I3"} <= merged
        assert ws["D3"].value == "ชื่อ-สกุล"
        rows = list(ws.iter_rows(values_only=True))
        last = [r for r in rows if any(v is not None for v in r)][-1]
        assert last[0] == "รวม"
        assert wb.properties.modified is not None
    kinds = set(files.defect[files.source == "DLA"])
    assert {"bad_workbook", "renamed_sheet"} <= kinds


def test_citizen_ids_are_valid_where_not_defective(learners):
    # d_i * (14 - i): 1,1,0,1,7,0,0,2,0,3,4,5 -> 144; (11 - 144 % 11) % 10 = 0
    assert check_digit("110170020345") == 0
    clean = learners[(learners.defects == "") & learners.id_norm.notna()]
    citizen = clean.id_norm[clean.id_norm.str.fullmatch(r"\d{13}")]
    assert len(citizen) > 100
    assert all(is_valid_citizen_id(x) for x in citizen)
    gcodes = clean.id_norm[clean.id_norm.str.startswith("G")]
    assert gcodes.str.fullmatch(r"G\d{12}").all()
    bad = learners[learners.defects.str.contains("id_checksum")]
    assert (bad.id_class == "citizen_invalid").all()


def _served_rows(tiny: Path) -> dict[str, int]:
    obec = sum(len(p.read_text("utf-8").splitlines())
               for p in (tiny / "served/obec").glob("students_*.jsonl"))
    ovec = sum(len(p.read_text("utf-8").splitlines())
               for p in (tiny / "served/ovec").glob("enrollments_*.jsonl"))
    with sqlite3.connect(tiny / "dlp/itw.sqlite") as conn:
        dlp = conn.execute("select count(*) from registration").fetchone()[0]
    return {"OBEC": obec, "OVEC": ovec, "DLP": dlp}


def test_ledger_rows_match_records_delivered(tiny, learners):
    counts = learners.groupby("source").size().to_dict()
    for source, n in _served_rows(tiny).items():
        assert counts[source] == n, source
    # OPEC: data rows physically present in every students file.
    opec = 0
    for path in (tiny / "drop/psis").rglob("students_*.csv"):
        raw = path.read_bytes()
        if raw.startswith(b"\xff\xfe"):
            text = raw.decode("utf-16")
        elif raw.startswith(b"\xef\xbb\xbf"):
            text = raw[3:].decode("utf-8")
        else:
            text = raw.decode("cp874")
        opec += len([r for r in csv.reader(io.StringIO(text, newline="")) if r]) - 1
    assert counts["OPEC"] == opec
    gen = json.loads((tiny / "generation.json").read_text("utf-8"))
    assert counts["DLA"] == gen["counts"]["records_DLA"]


def test_record_keys_unique_but_for_resubmissions(learners):
    keys = ["source", "academic_year", "term", "record_key"]
    dup = learners[learners.duplicated(keys, keep=False)]
    assert dup.defects.str.contains("resubmitted|missing_key").all()


def test_ledger_values_follow_vocabulary(learners):
    assert set(learners.id_class) <= {"citizen_valid", "citizen_invalid", "gcode", "malformed",
                                      "none"}
    assert set(learners.sex.dropna()) <= {"M", "F"}
    known = learners.age.dropna()
    assert known.between(2, 99).all()
    assert set(learners.status.dropna()) <= {"studying", "moved", "left", "graduated",
                                             "suspended", "died", "dropped", "transferred",
                                             "registered", "completed", "lapsed"}
    unreadable = learners[~learners.readable]
    assert unreadable.quarantine_reason.notna().all()
    assert learners[learners.readable].quarantine_reason.isna().all()
    assert str(learners.source_ts.dtype).endswith("UTC]")


def test_no_defects_without_imperfections(tiny_clean):
    learners = pd.read_parquet(tiny_clean / "ledger/learner_records.parquet")
    teachers = pd.read_parquet(tiny_clean / "ledger/teacher_records.parquet")
    assert (learners.defects == "").all() and learners.readable.all()
    assert (teachers.defects == "").all() and teachers.readable.all()
    files = pd.read_csv(tiny_clean / "ledger/files.csv")
    assert files.empty
    assert learners.id_class.isin(["citizen_valid", "gcode"]).all()


def test_obec_previous_id_for_new_citizen_ids(tiny_clean):
    learners = pd.read_parquet(tiny_clean / "ledger/learner_records.parquet")
    moved_on = learners[learners.previous_id_norm.notna()]
    assert (moved_on.source == "OBEC").all()
    assert moved_on.previous_id_norm.str.startswith("G").all()
    assert (moved_on.academic_year == 2567).all()


def test_population_ledger_matches_dopa_files(tiny_clean):
    pop = pd.read_parquet(tiny_clean / "ledger/population.parquet")
    raw = (tiny_clean / "drop/dopa/population_2023.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    total = sum(int(r["ชาย"].replace(",", "")) + int(r["หญิง"].replace(",", "")) for r in rows)
    assert total == pop[pop.ce_year == 2023]["count"].sum()


def test_served_records_in_key_order(tiny):
    for path in sorted((tiny / "served/obec").glob("students_*.jsonl")):
        recs = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
        keys = [r["student_key"] for r in recs if r["student_key"]]
        assert keys == sorted(keys)
        for a, b in zip(recs, recs[1:], strict=False):
            if a["student_key"] and a["student_key"] == b["student_key"]:  # a re-submission
                assert {k: v for k, v in a.items() if k != "updated_at"} == \
                    {k: v for k, v in b.items() if k != "updated_at"}
    years = {int(p.stem.split("_")[1]) for p in (tiny / "served/ovec").glob("enrollments_*")}
    assert years == {y - 543 for y in YEARS}


def test_rates_are_configurable(tmp_path):
    rates = Imperfections.none()
    assert all(v == 0 for v in rates.as_dict().values())
    # every defect is on by default, except the one that would block every release
    defaults = Imperfections().as_dict()
    assert defaults.pop("dopa_undercount") == 0
    assert all(v > 0 for v in defaults.values())
    out = generate("tiny", seed=5, out=tmp_path / "t",
                   imperfections=Imperfections(**{**rates.as_dict(), "id_checksum": 0.5}))
    learners = pd.read_parquet(out / "ledger/learner_records.parquet")
    share = (learners.defects == "id_checksum").mean()
    assert 0.3 < share < 0.7
    assert set(learners.defects) == {"", "id_checksum"}


@pytest.mark.slow
def test_national_slice_streams(tmp_path):
    messages: list[str] = []
    out = generate("national", seed=21, out=tmp_path / "n", scale=0.002, progress=messages.append)
    assert any(m.startswith("peak RSS") for m in messages)
    units = pd.read_csv(out / "drop/registry/units.csv", dtype=str)
    assert units.unit_id.is_unique and units.source_code.is_unique
    assert len({c[:2] for c in units.tambon_code}) == 77
    learners = pd.read_parquet(out / "ledger/learner_records.parquet", columns=["source"])
    lines = sum(1 for p in (out / "served/obec").glob("students_*.jsonl") for _ in p.open())
    assert (learners.source == "OBEC").sum() == lines


@pytest.mark.slow
def test_rayong_totals(tmp_path):
    out = generate("rayong", seed=21, out=tmp_path / "rayong")
    units = pd.read_csv(out / "drop/registry/units.csv", dtype=str)
    census = "2024-06-10"
    open_ = units[(units.opened_on <= census)
                  & (units.closed_on.isna() | (units.closed_on > census))]
    assert len(open_) == 541
    assert set(open_.affiliation) == {"OBEC", "OVEC", "OPEC", "DLA", "DLP", "ONAB"}
    pop = pd.read_parquet(out / "ledger/population.parquet")
    school_age = pop[(pop.ce_year == 2023) & pop.age.between(3, 17)]["count"].sum()
    assert 180_000 <= school_age <= 220_000
