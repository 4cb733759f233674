"""The reference indicators on a tiny hand-made ledger whose values are worked out by hand.

The world (province 21, population of C.E. 2022 only, so 2567 falls back to it):

register: OBEC A 1021010001 (tambon 210101, district 2101), DLA C DLA01 (210102, 2101),
          OPEC B 2021020001 (210201, 2102), ONAB P P2102001 (210202, 2102).

Population by district, age, sex (ages not listed are 0):
  2101: ages 3-5 and 12-17 one M and one F each; ages 6-11 two M and two F each.
  2102: ages 6-11 three M and three F each; 12-14 one each; 15-16 seven M, 17 six M,
        15-17 one F each.
So P(primary) 2101 = 12 M + 12 F = 24, 2102 = 18 + 18 = 36, province 60;
P(lower) 3 + 3 per district; P(upper) 2101 3 + 3, 2102 20 M + 3 F; P(pre) 2101 3 + 3.

Learner records of 2566, term 1 (age, sex, ID):
  OBEC records are timed 06-01 unless said; OPEC's and DLA's files were delivered 06-03.
  OBEC A: A-1 P1 6 M C1 (ts 06-05; an older copy with the same key says P2), A-2 P1 6 F C2,
          A-3 P6 11 M C3, A-4 P6 13 F C4 (repeater), A-5 M1 12 M G1 (G-code), A-6 P1 no age,
          no sex, no ID, A-7 P1 moved (not enrolled), A-8 unreadable, A-9 M3 14 M G2
          (ts 06-02), A-10 P1 6 F C9 (ts 06-03), A-11 M1 11 F C12.
  OPEC B: B|2 P1 6 M C1 (A-1 is later, kept), B|3 P6 11 F C5, B|4 M1 12 M C6,
          B|5 M4 15 F C8 with previous ID G2 (later than A-9: kept),
          B|6 P6 12 M with a checksum-failing ID X, B|b00..b20 21 boys M4 15.
  DLA C:  C|1 P1 7 F C7, C|2 P6 11 M C6 (same ts as B|4; M1 is the higher ISCED: B|4 kept),
          C|3 P1 6 F C9 (same ts and ISCED as A-10; DLA < OBEC: C|3 kept),
          C|4 P6 12 M with the same failing ID X (counted apart from B|6), C|5 K2 4 F C11;
          C|9 P1 6 M C20 is in an older delivery (06-02) of the same file: replaced.
  ONAB P: M1 age 12 boys 3 (1 repeater), M1 age unknown boys 1.
Kept: 2101 primary A-1 A-2 A-3 A-4 A-6 C|1 C|3 C|4 (3 M, 4 F, 1 unknown), lower A-5 A-11,
pre-primary C|5; 2102 primary B|3 B|6, lower B|4 + 4 ONAB, upper B|5 + 21 boys.

2567, term 1: A-1 P2 C1, A-2 P1 C2 repeater, A-3 M1 C3, A-5 M2 C13 with previous ID G1,
A-6 P2 no ID, A-11 M2 C12; B|3 M1 C5, B|4 M1 C6 repeater; DLA C delivers nothing (a gap);
ONAB M2 age 13 boys 7, M1 age 12 boys 1 (a repeater).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from edu_simulators.reference import compute_reference, write_reference
from edu_simulators.reference.codes import census_date
from edu_simulators.reference.inputs import UnitPlacer
from edu_simulators.reference.learners import person_labels

A, B, C, P = "1021010001", "2021020001", "DLA01", "P2102001"
TAMBON = {A: "210101", B: "210201", C: "210102", P: "210202"}
SOURCE = {A: "OBEC", B: "OPEC", C: "DLA"}
FILE_TS = "06-03"  # OPEC's and DLA's files of 2566 were delivered on 3 June
ISCED = {"K": "02", "P": "1", "NFE_P": "1", "NFE_L": "24", "NFE_U": "34"}


def isced(grade: str) -> str:
    if grade in ISCED:
        return ISCED[grade]
    if grade[0] == "M":
        return "24" if int(grade[1]) <= 3 else "34"
    return ISCED[grade[0]]


def learner(key: str, unit: str, grade: str, age: int | None, sex: str | None,
            pid: str | None = None, *, year: int = 2566, ts: str = "06-01",
            status: str = "studying", repeater: bool | None = False, prev: str | None = None,
            id_class: str | None = None, readable: bool = True, source: str | None = None,
            dlp_id: int | None = None) -> dict:
    source = source or SOURCE[unit]
    if source in ("OPEC", "DLA") and ts == "06-01":
        ts = FILE_TS  # every record of a file carries the file's delivery time
    if id_class is None:
        id_class = "none" if pid is None else ("gcode" if pid.startswith("G") else "citizen_valid")
    return {
        "source": source, "academic_year": year, "term": 1, "record_key": key,
        "container": f"{source}/{year}/{unit}" if source in ("OPEC", "DLA") else None,
        "person_uid": 0, "defects": "", "readable": readable,
        "quarantine_reason": None if readable else "missing_key",
        "unit_code": unit, "tambon_code": TAMBON.get(unit, "210101"), "id_norm": pid,
        "id_class": id_class, "previous_id_norm": prev, "sex": sex, "birth_date": None,
        "age": age, "grade": grade, "isced": isced(grade), "status": status,
        "is_repeater": None if source in ("DLA", "DLP") else repeater,
        "source_ts": pd.Timestamp(f"{year - 543}-{ts}T00:00:00Z"), "dlp_learner_id": dlp_id,
    }


def learners_2566() -> list[dict]:
    return [
        learner("A-1", A, "P2", 6, "M", "C1", ts="06-01"),  # older copy: replaced
        learner("A-1", A, "P1", 6, "M", "C1", ts="06-05"),
        learner("A-2", A, "P1", 6, "F", "C2"),
        learner("A-3", A, "P6", 11, "M", "C3"),
        learner("A-4", A, "P6", 13, "F", "C4", repeater=True),
        learner("A-5", A, "M1", 12, "M", "G1"),
        learner("A-6", A, "P1", None, None),
        learner("A-7", A, "P1", 6, "M", "C10", status="moved"),
        learner("A-8", A, "P1", 6, "F", "C14", readable=False),
        learner("A-9", A, "M3", 14, "M", "G2", ts="06-02"),
        learner("A-10", A, "P1", 6, "F", "C9", ts="06-03"),
        learner("A-11", A, "M1", 11, "F", "C12"),
        learner("B|2", B, "P1", 6, "M", "C1"),
        learner("B|3", B, "P6", 11, "F", "C5"),
        learner("B|4", B, "M1", 12, "M", "C6"),
        learner("B|5", B, "M4", 15, "F", "C8", prev="G2"),
        learner("B|6", B, "P6", 12, "M", "X", id_class="citizen_invalid"),
        *[learner(f"B|b{i:02}", B, "M4", 15, "M", f"BOY{i:02}") for i in range(21)],
        learner("C|1", C, "P1", 7, "F", "C7"),
        learner("C|2", C, "P6", 11, "M", "C6"),
        learner("C|3", C, "P1", 6, "F", "C9"),
        learner("C|4", C, "P6", 12, "M", "X", id_class="citizen_invalid"),
        learner("C|5", C, "K2", 4, "F", "C11"),
        learner("C|9", C, "P1", 6, "M", "C20", ts="06-02"),  # an older delivery of C's file
        # DLP: learner 101 registered twice (counts once), 103 completed (not counted).
        learner("1", "DLPC1", "NFE_P", 14, "M", source="DLP", status="registered", dlp_id=101),
        learner("2", "DLPC1", "NFE_P", 14, "M", source="DLP", status="registered", dlp_id=101),
        learner("3", "DLPC1", "NFE_L", 16, "F", source="DLP", status="registered", dlp_id=102),
        learner("4", "DLPC1", "NFE_L", 30, "F", source="DLP", status="completed", dlp_id=103),
        learner("5", "DLPC2", "NFE_U", None, None, source="DLP", status="registered",
                dlp_id=104),
    ]


def learners_2567() -> list[dict]:
    return [
        learner("A-1", A, "P2", 7, "M", "C1", year=2567),
        learner("A-2", A, "P1", 7, "F", "C2", year=2567, repeater=True),
        learner("A-3", A, "M1", 12, "M", "C3", year=2567),
        learner("A-5", A, "M2", 13, "M", "C13", year=2567, prev="G1"),
        learner("A-6", A, "P2", None, None, year=2567),
        learner("A-11", A, "M2", 12, "F", "C12", year=2567),
        learner("B|3", B, "M1", 12, "F", "C5", year=2567),
        learner("B|4", B, "M1", 13, "M", "C6", year=2567, repeater=True),
    ]


def teacher(key: str, unit: str, levels: list[str], fte: float, degree: str,
            licensed: bool, director: bool = False, year: int = 2566) -> dict:
    return {
        "source": SOURCE[unit], "academic_year": year, "term": 1, "record_key": key,
        "container": None, "person_uid": 0, "defects": "", "readable": True,
        "quarantine_reason": None, "unit_code": unit, "id_norm": None, "id_class": "none",
        "sex": "M", "is_director": director, "degree": degree, "licensed": licensed,
        "levels": levels, "fte": fte,
    }


TEACHERS = [
    teacher("TA1", A, ["primary"], 1.0, "bachelor", True),
    teacher("TA2", A, ["primary", "lower_secondary"], 0.5, "below_bachelor", False),
    teacher("TA3", A, ["primary"], 1.0, "master", True, director=True),  # not counted
    teacher("TA4", A, [], 1.0, "master", True),  # no level taught: not counted
    teacher("TB1", B, ["primary", "lower_secondary", "upper_secondary"], 1.0, "master", True),
    teacher("TC1", C, ["pre_primary", "ecd"], 1.0, "bachelor", False),
]


def onab_report(year: int, enrolment: list[dict], reported: bool = True) -> dict:
    school = {
        "school_code": P, "school_name": "พระปริยัติธรรม", "tambon_code": TAMBON[P],
        "enrolment": enrolment,
        "teachers": {"total": 2, "with_bachelor": 2, "with_license": 1,
                     "levels": {"มัธยมต้น": 2, "มัธยมปลาย": 1}},
    }
    return {"year": year, "term": 1, "schools": [school] if reported else []}


def population() -> pd.DataFrame:
    rows = []
    for age in range(3, 18):
        two_in_2101 = 2 if 6 <= age <= 11 else 1
        rows += [("2101", age, "M", two_in_2101), ("2101", age, "F", two_in_2101)]
        if 6 <= age <= 11:
            rows += [("2102", age, "M", 3), ("2102", age, "F", 3)]
        elif 12 <= age <= 14:
            rows += [("2102", age, "M", 1), ("2102", age, "F", 1)]
        elif age >= 15:
            rows += [("2102", age, "M", 6 if age == 17 else 7), ("2102", age, "F", 1)]
    frame = pd.DataFrame(rows, columns=["district_code", "age", "sex", "count"])
    return frame.assign(ce_year=2022)


def build_world(root: Path, onab_2567_reported: bool = True) -> Path:
    (root / "ledger").mkdir(parents=True)
    (root / "drop" / "registry").mkdir(parents=True)
    (root / "served" / "onab").mkdir(parents=True)
    records = pd.DataFrame(learners_2566() + learners_2567())
    records["age"] = records["age"].astype("Int64")
    records["is_repeater"] = records["is_repeater"].astype("boolean")
    records["dlp_learner_id"] = records["dlp_learner_id"].astype("Int64")
    records.to_parquet(root / "ledger" / "learner_records.parquet")
    pd.DataFrame(TEACHERS).to_parquet(root / "ledger" / "teacher_records.parquet")
    population().to_parquet(root / "ledger" / "population.parquet")
    units = pd.DataFrame({
        "unit_id": ["RY-0001", "RY-0002", "RY-0003", "RY-0004"],
        "affiliation": ["OBEC", "DLA", "OPEC", "ONAB"],
        "source_code": [A, C, B, P], "name_th": ["a", "c", "b", "p"],
        "unit_type": ["school"] * 4, "tambon_code": [TAMBON[u] for u in (A, C, B, P)],
        "opened_on": ["2000-01-01"] * 4, "closed_on": [""] * 4,
    })
    units.to_csv(root / "drop" / "registry" / "units.csv", index=False)
    onab = {
        2566: [{"grade": "ม.1", "age": 12, "sex": "ชาย", "count": 3, "repeaters": 1},
               {"grade": "ม.1", "age": "ไม่ทราบ", "sex": "ชาย", "count": 1, "repeaters": 0}],
        2567: [{"grade": "ม.2", "age": 13, "sex": "ชาย", "count": 7, "repeaters": 0},
               {"grade": "ม. 1", "age": 12, "sex": "ชาย", "count": 1, "repeaters": 1}],
    }
    for year, enrolment in onab.items():
        report = onab_report(year, enrolment, reported=year == 2566 or onab_2567_reported)
        path = root / "served" / "onab" / f"enrolment_{year}_1.json"
        path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def ref(world: Path) -> pd.DataFrame:
    return compute_reference(world)


def cell(ref: pd.DataFrame, indicator: str, area: str, year: int = 2566, *, level: str = "",
         grade: str = "", sex: str = "T", affiliation: str = "ALL",
         age_group: str = "") -> pd.Series:
    found = ref[(ref["indicator"] == indicator) & (ref["academic_year"] == year)
                & (ref["area_code"] == area) & (ref["level"] == level) & (ref["grade"] == grade)
                & (ref["sex"] == sex) & (ref["affiliation"] == affiliation)
                & (ref["age_group"] == age_group)]
    assert len(found) == 1, f"{indicator} {area} {level}{grade} {sex} {affiliation}: {len(found)}"
    return found.iloc[0]


def check(row: pd.Series, numerator: float, denominator: float | None, value: float,
          flags: str = "") -> None:
    assert row["numerator"] == pytest.approx(numerator)
    if denominator is not None:
        assert row["denominator"] == pytest.approx(denominator)
    assert row["value"] == pytest.approx(value)
    assert row["flags"] == flags


def has_cell(ref: pd.DataFrame, indicator: str, area: str, **keys: str) -> bool:
    found = ref[(ref["indicator"] == indicator) & (ref["area_code"] == area)]
    for column, wanted in keys.items():
        found = found[found[column] == wanted]
    return not found.empty


def test_columns_and_sorting(ref: pd.DataFrame) -> None:
    assert list(ref.columns) == ["indicator", "academic_year", "area_code", "affiliation",
                                 "level", "grade", "age_group", "sex", "value", "numerator",
                                 "denominator", "unit", "flags"]
    keys = ["indicator", "academic_year", "area_code", "affiliation", "level", "grade",
            "age_group", "sex"]
    assert not ref.duplicated(keys).any()
    assert ref.equals(ref.sort_values(keys).reset_index(drop=True))


def test_ger_counts_one_person_once_and_every_age(ref: pd.DataFrame) -> None:
    # 2101 primary: A-1 A-2 A-3 A-4 A-6 (unknown age and sex) C|1 C|3 C|4 = 8 of 24 people;
    # M: A-1 A-3 C|4 = 3 of 12; F: A-2 A-4 C|1 C|3 = 4 of 12 (A-6 only in T).
    check(cell(ref, "GER", "2101", level="primary"), 8, 24, 100 * 8 / 24, "low_n")
    check(cell(ref, "GER", "2101", level="primary", sex="M"), 3, 12, 25, "low_n")
    check(cell(ref, "GER", "2101", level="primary", sex="F"), 4, 12, 100 * 4 / 12, "low_n")
    # 2102 primary: B|3 and B|6 (the failing ID X is not matched with C|4) of 36.
    check(cell(ref, "GER", "2102", level="primary"), 2, 36, 100 * 2 / 36)
    check(cell(ref, "GER", "21", level="primary"), 10, 60, 100 * 10 / 60)
    check(cell(ref, "GER", "21", level="primary", sex="M"), 4, 30, 100 * 4 / 30)
    # By affiliation: OBEC keeps A-1 (latest ts over B|2) and loses A-10 to C|3 (DLA < OBEC).
    check(cell(ref, "GER", "2101", level="primary", affiliation="OBEC"), 5, 24, 100 * 5 / 24,
          "low_n")
    check(cell(ref, "GER", "2101", level="primary", affiliation="DLA"), 3, 24, 12.5, "low_n")
    # A zero numerator is a value: no OPEC learner in 2101.
    check(cell(ref, "GER", "2101", level="primary", affiliation="OPEC"), 0, 24, 0, "low_n")
    # 2102 lower: B|4 (kept over C|2: M1 is a higher ISCED than P6) + 4 ONAB boys (1 of
    # unknown age) = 5 of 6; boys 5 of 3; ONAB alone 4 of 6.
    check(cell(ref, "GER", "2102", level="lower_secondary"), 5, 6, 100 * 5 / 6, "low_n")
    check(cell(ref, "GER", "2102", level="lower_secondary", sex="M"), 5, 3, 100 * 5 / 3,
          "low_n")
    check(cell(ref, "GER", "2102", level="lower_secondary", affiliation="ONAB"), 4, 6,
          100 * 4 / 6, "low_n")
    # Upper: B|5 (linked to A-9 by previous ID G2, later ts, so in 2102 and M4) + 21 boys.
    check(cell(ref, "GER", "2102", level="upper_secondary"), 22, 23, 100 * 22 / 23, "low_n")
    assert not has_cell(ref, "GER", "2101", level="lower_secondary", sex="T",
                        affiliation="OVEC")  # OVEC has no unit in the register


def test_no_cell_where_the_denominator_is_zero(ref: pd.DataFrame) -> None:
    # Nobody aged 3-5 lives in 2102; 2101 has 3 + 3 (C|5, K2, 4, F).
    assert not has_cell(ref, "GER", "2102", level="pre_primary")
    check(cell(ref, "GER", "2101", level="pre_primary", sex="F"), 1, 3, 100 / 3, "low_n")


def test_ner_aner_oosr_and_their_flags(ref: pd.DataFrame) -> None:
    # NER primary 2101: ages 6-11 in primary: A-1 A-2 A-3 C|1 C|3 = 5 (A-4 13, C|4 12 and
    # A-6 unknown are out); ANER adds A-11 (11, in M1): 6 of 24.
    check(cell(ref, "NER", "2101", level="primary"), 5, 24, 100 * 5 / 24, "low_n")
    check(cell(ref, "ANER", "2101", level="primary"), 6, 24, 25, "low_n")
    check(cell(ref, "OOSR", "2101", level="primary"), 18, 24, 75, "low_n")
    # NER lower 2102 boys: B|4 + 3 ONAB aged 12 = 4 of 3 -> dirty (unknown age not counted).
    check(cell(ref, "NER", "2102", level="lower_secondary", sex="M"), 4, 3, 400 / 3,
          "dirty,low_n")
    check(cell(ref, "OOSR", "2102", level="lower_secondary", sex="M"), -1, 3, -100 / 3,
          "dirty,low_n")
    # NER upper 2102 boys: 21 of 20 = 105 -> capped; its OOSR -5 takes the flag.
    check(cell(ref, "NER", "2102", level="upper_secondary", sex="M"), 21, 20, 105,
          "capped,low_n")
    check(cell(ref, "OOSR", "2102", level="upper_secondary", sex="M"), -1, 20, -5,
          "capped,low_n")
    # No OOSR for pre-primary.
    assert not has_cell(ref, "OOSR", "2101", level="pre_primary")


def test_gender_parity(ref: pd.DataFrame) -> None:
    # Primary 2101: GER F 33.33 / GER M 25 = 1.333; adjusted 2 - 1/1.333 = 1.25 (no low_n).
    check(cell(ref, "GPI_GER", "2101", level="primary"), 100 * 4 / 12, 25, 4 / 3)
    check(cell(ref, "GPIA_GER", "2101", level="primary"), 100 * 4 / 12, 25, 1.25)
    # Province primary: 16.67 / 13.33 = 1.25 -> 2 - 0.8 = 1.2. Lower 2102: 0 / 166.7 = 0.
    check(cell(ref, "GPIA_GER", "21", level="primary"), 100 * 5 / 30, 100 * 4 / 30, 1.2)
    check(cell(ref, "GPIA_GER", "2102", level="lower_secondary"), 0, 500 / 3, 0)


def test_ptr_splits_fte_across_levels(ref: pd.DataFrame) -> None:
    # 2101 primary FTE: TA1 1.0 + TA2 0.5/2 = 1.25 (director TA3, level-less TA4 out): 8/1.25.
    check(cell(ref, "PTR", "2101", level="primary"), 8, 1.25, 6.4)
    check(cell(ref, "PTR", "2101", level="primary", affiliation="OBEC"), 5, 1.25, 4)
    assert not has_cell(ref, "PTR", "2101", level="primary", affiliation="DLA")  # no FTE
    # Province primary: 10 / (1.25 + TB1's 1/3).
    check(cell(ref, "PTR", "21", level="primary"), 10, 1.25 + 1 / 3, 10 / (1.25 + 1 / 3))
    # 2102 lower: TB1 1/3 + ONAB 2 x 2/3 = 5/3 FTE for B|4 + 4 ONAB novices.
    check(cell(ref, "PTR", "2102", level="lower_secondary"), 5, 5 / 3, 3)
    check(cell(ref, "PTR", "2102", level="lower_secondary", affiliation="ONAB"), 4, 4 / 3, 3)
    # Pre-primary 2101: TC1 1.0 split over pre_primary and ecd = 0.5 for C|5.
    check(cell(ref, "PTR", "2101", level="pre_primary", affiliation="DLA"), 1, 0.5, 2)


def test_qualified_and_certified_teachers(ref: pd.DataFrame) -> None:
    # Primary 2101: TA1 (bachelor, licensed), TA2 (neither): 1 of 2 each.
    check(cell(ref, "QUAL_TCH", "2101", level="primary"), 1, 2, 50)
    check(cell(ref, "CERT_TCH", "2101", level="primary"), 1, 2, 50)
    # Lower 2102: TB1 (master, licensed) + ONAB 2 x 2/3 = 4/3 teachers, 4/3 with bachelor,
    # 1 x 2/3 with licence: QUAL 7/3 of 7/3, CERT 5/3 of 7/3.
    check(cell(ref, "QUAL_TCH", "2102", level="lower_secondary"), 7 / 3, 7 / 3, 100)
    check(cell(ref, "CERT_TCH", "2102", level="lower_secondary"), 5 / 3, 7 / 3, 500 / 7)
    # Province lower adds TA2 (counted once in each level it teaches): 7/3 of 10/3.
    check(cell(ref, "QUAL_TCH", "21", level="lower_secondary"), 7 / 3, 10 / 3, 70)


def test_overage_counts_known_ages_only(ref: pd.DataFrame) -> None:
    # 2101 primary known ages: 7 (A-6 left out); over-age: A-4 (P6 at 13 = 11 + 2).
    check(cell(ref, "OVERAGE", "2101", level="primary"), 1, 7, 100 / 7, "low_n")
    check(cell(ref, "OVERAGE", "2101", level="primary", sex="F"), 1, 4, 25, "low_n")
    # 2102 lower: B|4 + 3 ONAB of known age (the unknown-age novice out): 0 of 4.
    check(cell(ref, "OVERAGE", "2102", level="lower_secondary"), 0, 4, 0, "low_n")


def test_gross_intake_to_the_last_grade(ref: pd.DataFrame) -> None:
    # P6 2101: A-3, A-4 (a repeater: out), C|4 (DLA: no repeater column) -> 2 of 4 aged 11.
    check(cell(ref, "GIR_LAST", "2101", grade="P6"), 2, 4, 50, "low_n")
    check(cell(ref, "GIR_LAST", "2101", grade="P6", sex="F"), 0, 2, 0, "low_n")
    check(cell(ref, "GIR_LAST", "21", grade="P6"), 4, 10, 40, "low_n")
    check(cell(ref, "GIR_LAST", "21", grade="M3"), 0, 4, 0, "low_n")


def test_reconstructed_flow_rates(ref: pd.DataFrame) -> None:
    gap = "low_n,unit_gap"  # DLA C did not report in 2567: 2101 and province flows flagged
    # P1 2101 without DLA learners, A-6 = 3. In 2567: A-2 repeats P1, A-1 and A-6
    # are in P2 (not repeating).
    check(cell(ref, "REP", "2101", grade="P1"), 1, 3, 100 / 3, gap)
    check(cell(ref, "PROM", "2101", grade="P1"), 2, 3, 200 / 3, gap)
    check(cell(ref, "DROP", "2101", grade="P1"), 0, 3, 0, gap)
    check(cell(ref, "REP", "2101", grade="P1", sex="F"), 1, 1, 100, gap)
    # M1 2102: B|4 + 4 ONAB = 5; 2567: B|4 + 1 ONAB repeat M1, 7 ONAB novices in M2.
    check(cell(ref, "REP", "2102", grade="M1"), 2, 5, 40, "low_n")
    check(cell(ref, "PROM", "2102", grade="M1"), 7, 5, 140, "low_n,out_of_range")
    check(cell(ref, "DROP", "2102", grade="M1"), -4, 5, -80, "low_n,out_of_range")
    # Province M1: 2101 A-5, A-11 (both in M2 in 2567) + 5 = 7; promoted 2 + 7; repeated 2.
    check(cell(ref, "DROP", "21", grade="M1"), -4, 7, -400 / 7, "low_n,out_of_range,unit_gap")
    # TRANS 2101: A-3 in M1 in 2567 over P6 A-3, A-4 (C|4 is DLA): 1 of 2.
    check(cell(ref, "TRANS", "2101", grade="P6"), 1, 2, 50, gap)
    # TRANS 2102: B|3 in M1 over B|3, B|6.
    check(cell(ref, "TRANS", "2102", grade="P6"), 1, 2, 50, "low_n")
    check(cell(ref, "TRANS", "2102", grade="P6", sex="F"), 1, 1, 100, "low_n")
    # Flow rates need t+1: none labelled 2567.
    assert ref[(ref["indicator"] == "REP") & (ref["academic_year"] == 2567)].empty


def test_true_cohort_flow_rates(ref: pd.DataFrame) -> None:
    gap = "low_n,unit_gap"
    # P1 2101 persons with a usable ID: C1 (P2 in 2567), C2 (P1 again), C7 and C9 (DLA, gone).
    check(cell(ref, "REP_COHORT", "2101", grade="P1"), 1, 4, 25, gap)
    check(cell(ref, "PROM_COHORT", "2101", grade="P1"), 1, 4, 25, gap)
    check(cell(ref, "DROP_COHORT", "2101", grade="P1"), 2, 4, 50, gap)
    # M1 2101: G1 is C13 in 2567 (previous ID G1) in M2, C12 in M2: both promoted.
    check(cell(ref, "PROM_COHORT", "2101", grade="M1"), 2, 2, 100, gap)
    # P6: C3 -> M1, C4 gone (2101); C5 -> M1 (2102); B|6 and C|4 (failing ID) not followed.
    check(cell(ref, "TRANS_COHORT", "2101", grade="P6"), 1, 2, 50, gap)
    check(cell(ref, "TRANS_COHORT", "21", grade="P6"), 2, 3, 200 / 3, gap)
    check(cell(ref, "REP_COHORT", "2102", grade="M1"), 1, 1, 100, "low_n")


def test_nfe_enrolment_counts_distinct_registered_learners(ref: pd.DataFrame) -> None:
    # DLPC1 (tambon 210101, not in the register): learner 101 twice -> 1; 103 completed.
    check(cell(ref, "NFE_ENR", "2101", level="NFE_P", age_group="lt15"), 1, None, 1)
    check(cell(ref, "NFE_ENR", "2101", level="NFE_P", age_group="lt15", sex="M"), 1, None, 1)
    check(cell(ref, "NFE_ENR", "21", level="NFE_L", age_group="15-17", sex="F"), 1, None, 1)
    check(cell(ref, "NFE_ENR", "2101", level="NFE_U", age_group="unknown"), 1, None, 1)
    assert not has_cell(ref, "NFE_ENR", "2101", level="NFE_L", age_group="25-59")
    assert not has_cell(ref, "NFE_ENR", "2101", level="NFE_P", age_group="lt15", sex="F")
    nfe = ref[ref["indicator"] == "NFE_ENR"]
    assert (nfe["unit"] == "count").all() and nfe["denominator"].isna().all()


def test_unit_gap_flags_district_and_province_for_all_and_own_affiliation(
        ref: pd.DataFrame) -> None:
    # 2567: DLA C delivered nothing. 2101 primary: of 24 (population of 2022).
    check(cell(ref, "GER", "2101", 2567, level="primary"), 3, 24, 12.5, "low_n,unit_gap")
    check(cell(ref, "GER", "21", 2567, level="primary", affiliation="DLA"), 0, 60, 0,
          "unit_gap")
    check(cell(ref, "GER", "21", 2567, level="primary", affiliation="OBEC"), 3, 60, 5)
    check(cell(ref, "GER", "2102", 2567, level="primary"), 0, 36, 0)
    check(cell(ref, "PTR", "2102", 2567, level="lower_secondary", affiliation="ONAB"),
          8, 4 / 3, 6)


def test_onab_school_absent_from_the_report_is_a_gap(tmp_path: Path) -> None:
    ref = compute_reference(build_world(tmp_path, onab_2567_reported=False))
    row = cell(ref, "GER", "2102", 2567, level="lower_secondary", affiliation="ONAB")
    assert row["flags"] == "low_n,unit_gap" and row["numerator"] == 0
    assert cell(ref, "GER", "2102", 2567, level="primary", affiliation="OPEC")["flags"] == ""


def test_failed_affiliation_is_incomplete(tmp_path: Path) -> None:
    ref = compute_reference(build_world(tmp_path), failed_affiliations=["OPEC"])
    opec = cell(ref, "GER", "2102", level="primary", affiliation="OPEC")
    assert opec["numerator"] == 0 and opec["flags"] == "incomplete"
    assert cell(ref, "GER", "2102", level="primary")["flags"] == "incomplete"
    assert cell(ref, "GER", "2102", level="primary", affiliation="OBEC")["flags"] == ""
    assert cell(ref, "NFE_ENR", "2101", level="NFE_P", age_group="lt15")["flags"] == ""


def test_closed_units_are_placed_through_merged_into() -> None:
    registry = pd.DataFrame({
        "affiliation": ["OBEC", "OBEC", "OBEC"], "source_code": ["OLD", "NEW", "SHUT"],
        "tambon_code": ["210101", "210201", "210301"],
        "opened_on": pd.to_datetime(["2000-01-01"] * 3),
        "closed_on": pd.to_datetime(["2023-05-01", None, "2023-05-01"]),
    })
    placer = UnitPlacer(registry, [{"school_code": "OLD", "merged_into": "NEW",
                                    "tambon_code": "210101"}])
    on = census_date(2566, 1)
    assert placer.district("OBEC", "OLD", "210101", on) == "2102"
    assert placer.district("OBEC", "OLD", "210101", census_date(2565, 1)) == "2101"  # open
    assert placer.district("OBEC", "SHUT", "210301", on) == "2103"
    assert placer.district("OBEC", "UNKNOWN", "210801", on) == "2108"


def test_same_person_is_transitive_and_needs_a_carried_id() -> None:
    records = pd.DataFrame({
        "source": ["OBEC"] * 6, "record_key": list("abcdef"),
        "id_norm": ["G1", "C1", "C1", "C2", "C3", None],
        "previous_id_norm": [None, "G1", None, "G9", "G9", "G1"],
        "id_class": ["gcode", "citizen_valid", "citizen_valid", "citizen_valid",
                     "citizen_valid", "none"],
    })
    labels = person_labels(records).tolist()
    # a-b linked by b's previous ID, b-c by equal IDs: one person. d and e only share a
    # previous ID that no record carries: two persons. f has no usable ID: its own person.
    assert labels[0] == labels[1] == labels[2]
    assert len({labels[0], labels[3], labels[4], labels[5]}) == 4
    assert labels[5] == "key:OBEC|f"


def test_write_reference(world: Path) -> None:
    path = write_reference(world)
    assert path == world / "reference" / "indicators.csv"
    written = pd.read_csv(path, dtype={"area_code": str}, keep_default_na=False)
    assert len(written) == len(compute_reference(world))
    assert path.read_bytes() == write_reference(world).read_bytes()  # deterministic
