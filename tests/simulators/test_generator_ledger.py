"""The ledger says what the counting rules read from what was delivered.

These tests re-read the delivered OBEC records and DLA workbooks with their own
small parsers (not the generator's) and compare with the ledger, row by row.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from edu_simulators.generator import generate

THAI = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
PREFIX_SEX = [("นางสาว", "F"), ("นาง", "F"), ("นาย", "M"), ("ด.ช.", "M"), ("ด.ญ.", "F")]
OBEC_STATUS = {"กำลังศึกษา": "studying", "ย้ายออก": "moved", "ลาออก": "left",
               "จบการศึกษา": "graduated", "พักการเรียน": "suspended", "เสียชีวิต": "died"}
DLA_STATUS = {"กำลังศึกษา": "studying", "ย้ายออก": "moved", "ลาออก": "left", "จบ": "graduated"}


def grade_of(text: str) -> str | None:
    t = text.translate(THAI).replace(" ", "").replace(".", "")
    if t in ("ศพด", "เตรียมอนุบาล"):
        return "ECD"
    for stems, code in ((("อ", "อนุบาล", "K"), "K"), (("ป", "ประถมศึกษาปีที่", "P"), "P"),
                        (("ม", "มัธยมศึกษาปีที่", "M"), "M")):
        for stem in stems:
            m = re.fullmatch(re.escape(stem) + r"(\d)", t)
            if m:
                n = int(m[1])
                return f"{code}{n}" if 1 <= n <= (3 if code == "K" else 6) else None
    return None


def sex_of(code, name):
    table = {"1": "M", "2": "F", "ช": "M", "ญ": "F"}
    if code in table:
        return table[code]
    for prefix, sex in PREFIX_SEX:
        if name and name.strip().startswith(prefix):
            return sex
    return None


def make_date(y, m, d):
    if m == 0:
        m, d = 7, 1
    elif d == 0:
        d = 15
    try:
        return date(y, m, d)
    except ValueError:
        return None


def age_rule(birth, year, term, typed=None):
    census = date(year - 543, 6 if term == 1 else 11, 10)
    if birth is not None and birth > census:
        birth = None
    age = None
    if birth is not None:
        ref = date(year - 543, 5, 16)
        age = ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))
        if not 2 <= age <= 99:
            age = None
    if age is None and typed is not None and 2 <= typed <= 99:
        age = typed
    return birth, age


def norm_id(text):
    if text is None:
        return None
    t = str(text).translate(THAI).strip()
    if t == "" or t.upper() == "NULL":
        return None
    return re.sub(r"[\s-]", "", t)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return generate("tiny", seed=7, out=tmp_path_factory.mktemp("ledger"))


@pytest.fixture(scope="module")
def ledger(out) -> pd.DataFrame:
    df = pd.read_parquet(out / "ledger/learner_records.parquet")
    return df.astype(object).where(df.notna(), None)


def _same(row, expected: dict, where: str) -> None:
    for name, value in expected.items():
        got = row[name]
        if isinstance(got, pd.Timestamp):
            got = got.date() if name == "birth_date" else got
        assert got == value, f"{where}: {name} {got!r} != {value!r}"


def test_obec_records_read_as_the_ledger_says(out, ledger):
    obec = ledger[ledger.source == "OBEC"]
    index = {(r.academic_year, r.term, r.record_key, r.source_ts.isoformat()): r
             for r in obec.itertuples()}
    n = 0
    for path in sorted((out / "served/obec").glob("students_*.jsonl")):
        year, term = (int(x) for x in path.stem.split("_")[1:])
        for line in path.read_text("utf-8").splitlines():
            rec = json.loads(line)
            ts = datetime.fromisoformat(rec["updated_at"].replace("Z", "+00:00"))
            row = index[(year, term, rec["student_key"], ts.astimezone(UTC).isoformat())]
            m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", rec["birth_date"])
            birth = make_date(int(m[1]) - 543, int(m[2]), int(m[3])) if m else None
            birth, age = age_rule(birth, year, term)
            grade = grade_of(rec["grade"])
            status = OBEC_STATUS.get(rec["status"])
            readable = bool(rec["student_key"]) and grade is not None and status is not None
            _same(row._asdict(), {
                "id_norm": norm_id(rec["citizen_id"]), "previous_id_norm": rec["previous_id"],
                "sex": sex_of(rec["sex"], rec["prefix"]), "birth_date": birth, "age": age,
                "grade": grade, "status": status, "readable": readable,
                "unit_code": rec["school_code"], "is_repeater": rec["is_repeater"]},
                f"{path.name}:{rec['student_key']}")
            n += 1
    assert n == len(obec)


def test_dla_workbooks_read_as_the_ledger_says(out, ledger):
    dla = ledger[ledger.source == "DLA"]
    index = {(r.container, r.record_key): r for r in dla.itertuples()}
    checked = 0
    for container, group in dla.groupby("container"):
        if not group.readable.any():
            continue
        wb = openpyxl.load_workbook(out / "drop" / container)
        ws = wb["นักเรียน"]
        lao = Path(container).stem
        fill = {}
        for rng in ws.merged_cells.ranges:
            if rng.min_row >= 4:
                top = ws.cell(rng.min_row, rng.min_col).value
                for r in range(rng.min_row, rng.max_row + 1):
                    fill[(r, rng.min_col)] = top
        year, term = (int(x) for x in Path(container).parent.name.split("-"))
        for r, values in enumerate(ws.iter_rows(min_row=4, values_only=True), start=4):
            if all(v is None for v in values) or values[0] == "รวม":
                continue
            seq, code, cid, name, sex, born, typed, grade_text, status_text = values
            code = fill.get((r, 2), code)
            code = code.strip() if isinstance(code, str) else code
            row = index[(container, f"{lao}|{code or ''}|{seq}")]
            if isinstance(born, datetime):
                birth = make_date(born.year - 543, born.month, born.day)
            elif isinstance(born, str):
                d, mth, y = (int(x) for x in born.translate(THAI).split("/"))
                birth = make_date(y - 543, mth, d)
            else:
                birth = None
            birth, age = age_rule(birth, year, term, typed)
            _same(row._asdict(), {"id_norm": norm_id(cid), "sex": sex_of(sex, name),
                                  "birth_date": birth, "age": age,
                                  "grade": grade_of(grade_text),
                                  "status": DLA_STATUS.get(status_text),
                                  "unit_code": code or None}, f"{container}:{seq}")
            checked += 1
    assert checked > 50


def test_unreadable_rows_have_a_reason_and_files_are_listed(out, ledger):
    files = pd.read_csv(out / "ledger/files.csv")
    rejected = set(files.container)
    whole = ledger[ledger.container.isin(rejected)]
    assert not whole.readable.any()
    assert set(whole.quarantine_reason) <= set(files.quarantine_reason)
    for row in files.itertuples():
        delivered = ledger[ledger.container == row.container]
        if row.defect == "cut_short":
            assert len(delivered) < row.declared_rows
        elif row.defect == "bad_workbook":
            assert row.declared_rows == 1
        elif row.container.startswith("psis/") and "/students_" in row.container:
            assert len(delivered) == row.declared_rows


OPEC_STATUS = {"กำลังศึกษา": "studying", "ย้ายออก": "moved", "ลาออก": "left",
               "จบการศึกษา": "graduated"}


def test_opec_rows_read_as_the_ledger_says(out, ledger):
    opec = ledger[ledger.source == "OPEC"]
    index = {(r.academic_year, r.term, r.record_key): r for r in opec.itertuples() if r.readable}
    checked = 0
    for path in sorted((out / "drop/psis").rglob("students_*.csv")):
        container = str(path.relative_to(out / "drop"))
        if not opec[opec.container == container].readable.all():
            continue
        raw = path.read_bytes()
        text = raw[3:].decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp874")
        year, term = int(path.parts[-3]), int(path.parts[-2])
        school = path.stem.split("_")[1]
        lines = text.split("\r\n")
        for number, line in enumerate(lines[1:], start=2):  # physical line; header = 1
            if not line:
                continue
            cells = next(csv.reader([line]))
            row = index[(year, term, f"{school}|{number}")]
            m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", cells[5].translate(THAI))
            birth = make_date(int(m[3]) - 543, int(m[2]), int(m[1])) if m else None
            birth, age = age_rule(birth, year, term)
            sex = {"ชาย": "M", "หญิง": "F"}.get(cells[4]) or sex_of(None, cells[1])
            grade = grade_of(cells[6])
            voc = re.fullmatch(r"(ปวช|ปวส)\.? ?(\d)", cells[6])
            if voc:
                grade = f"{'V' if voc[1] == 'ปวช' else 'HV'}{voc[2]}"
            _same(row._asdict(), {"id_norm": norm_id(cells[0]), "sex": sex,
                                  "birth_date": birth, "age": age, "grade": grade,
                                  "status": OPEC_STATUS.get(cells[9]),
                                  "is_repeater": cells[10] == "ใช่",
                                  "unit_code": cells[11].strip()}, f"{container}:{number}")
            checked += 1
    assert checked > 100
