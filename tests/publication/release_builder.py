"""A release schema as the release step leaves it (common contract), filled with realistic rows.

Rayong's districts (one without a name, as dim_area allows), the real indicator
and affiliation seeds, cells that are capped, withheld (dirty, incomplete), of
low n and out of range, and source text that looks like a spreadsheet formula.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence

import psycopg
from psycopg import sql

from edu_platform.paths import dbt_project_dir
from edu_platform.province_config import load_province

SCHEMA = "release_0001"
YEARS = (2565, 2566, 2567)
LEVELS = ("pre_primary", "primary", "lower_secondary", "upper_secondary")
NO_THAI_NAME, NO_ENGLISH_NAME = "2108", "2107"  # dim_area's names may be NULL
FORMULA_DETAIL = '=HYPERLINK("http://attacker.example/x","ดูรายละเอียด")'
NEGATIVE_TEXT_KEY = "-1"

TABLES = {
    "indicators": """indicator text, academic_year integer, area_code text, affiliation text,
        level text, grade text, age_group text, sex text, value double precision,
        numerator double precision, denominator double precision, unit text, flags text,
        province_code text, withheld boolean, value_published double precision""",
    "scorecard": """province_code text, academic_year integer, term integer, affiliation text,
        area_code text, dqaf_line text, measure text, numerator double precision,
        denominator double precision, value double precision, status text, detail text""",
    "scorecard_outliers": """province_code text, academic_year integer, affiliation text,
        unit_key text, unit_name text, district_code text, enrolment double precision,
        previous_enrolment double precision, change double precision,
        modified_z double precision""",
    "feedback_records": """province_code text, affiliation text, source text,
        academic_year integer, term integer, record_key text, locator text, problem text,
        reason text, detail text""",
    "methodology_notes": """section text, key text, value text, description_en text,
        description_th text""",
    "revisions": """indicator text, academic_year integer, area_code text, affiliation text,
        level text, grade text, age_group text, sex text, change text,
        previous_value double precision, new_value double precision, previous_flags text,
        new_flags text""",
    "indicator_definitions": """code text, name_en text, name_th text, unit text, family text,
        disaggregation text, formula text""",
    "affiliations": """code text, name_th text, abbreviation_th text, name_en text,
        source_system text, has_learner_records boolean, reports_repeaters boolean,
        is_formal boolean""",
    "dim_area": """area_code text, area_level text, province_code text, name_th text,
        name_en text""",
}


def _seed(name: str) -> list[tuple[object, ...]]:
    with (dbt_project_dir() / "seeds" / f"{name}.csv").open(encoding="utf-8") as seed:
        rows = list(csv.DictReader(seed))
    return [tuple({"true": True, "false": False}.get(v, v) for v in row.values()) for row in rows]


def _cell(indicator: str, year: int, area: str, sex: str, numerator: float,
          denominator: float, *, level: str | None = None, grade: str | None = None,
          age_group: str | None = None, affiliation: str = "ALL", unit: str = "percent",
          flags: Sequence[str] = (), value: float | None = None, province: str = "21"
          ) -> tuple[object, ...]:
    if value is None:
        value = numerator / denominator * (100 if unit == "percent" else 1)
    flags = sorted(flags)
    withheld = "dirty" in flags or "incomplete" in flags
    published = None if withheld else (min(value, 100.0) if "capped" in flags else value)
    if withheld:
        value = numerator = denominator = None
    return (indicator, year, area, affiliation, level, grade, age_group, sex, value,
            numerator, denominator, unit, ",".join(flags) or None, province, withheld, published)


def indicator_rows(areas: Sequence[str], rng: random.Random) -> list[tuple[object, ...]]:
    rows = []
    for year in YEARS:
        for area in areas:
            for level in LEVELS:
                gap = ["unit_gap"] if area == "2103" else []
                incomplete = ["incomplete"] if (year, level) == (2567, "upper_secondary") else []
                for sex in ("T", "M", "F"):
                    population = rng.randint(800, 9000) if area != "21" else rng.randint(
                        20000, 60000)
                    enrolled = round(population * rng.uniform(0.7, 1.08))
                    rows.append(_cell("GER", year, area, sex, enrolled, population,
                                      level=level, flags=gap + incomplete))
            pupils = rng.randint(2000, 30000)
            rows.append(_cell("PTR", year, area, "T", pupils, pupils / rng.uniform(14, 22),
                              level="primary", unit="pupils_per_teacher"))
        for affiliation in ("OBEC", "OPEC", "DLA"):
            for level in LEVELS:
                population = rng.randint(20000, 60000)
                rows.append(_cell("GER", year, "21", "T", round(population * rng.uniform(
                    0.05, 0.7)), population, level=level, affiliation=affiliation))
        for grade in ("P1", "P2", "P3", "P4", "P5", "P6"):
            for sex in ("T", "M", "F"):
                enrolled = rng.randint(5000, 7000)
                rows.append(_cell("REP", year, "21", sex, rng.randint(20, 200), enrolled,
                                  grade=grade))
                dropped = round(enrolled * rng.uniform(-0.035, 0.02))
                rows.append(_cell("DROP", year, "21", sex, dropped, enrolled, grade=grade,
                                  flags=["out_of_range"] if dropped < 0 else []))
        for level in ("NFE_P", "NFE_L", "NFE_U"):
            for age_group in ("lt15", "15-17", "18-24", "25-59", "60+", "unknown"):
                count = rng.randint(3, 900)
                rows.append(_cell("NFE_ENR", year, "21", "T", count, 1, level=level,
                                  age_group=age_group, unit="count", value=float(count),
                                  flags=["low_n"] if count < 30 else []))
    for area in areas[:3]:
        for level in LEVELS[1:]:
            for sex in ("T", "M", "F"):
                population = rng.randint(900, 5000)
                ratio = {"primary": 1.03, "lower_secondary": 1.12}.get(level, 0.8)
                flags = ["capped"] if ratio == 1.03 else ["dirty"] if ratio > 1.05 else []
                rows.append(_cell("NER", 2567, area, sex, round(population * ratio),
                                  population, level=level, flags=flags))
        rows.append(_cell("GPI_GER", 2567, area, "T", 96.1, 94.2, level="primary",
                          unit="ratio"))
    return rows


def feedback_rows() -> list[tuple[object, ...]]:
    return [
        ("21", "OBEC", "obec_dmc", 2567, 1, "1234567890123", "students?page=3#12", "doubtful",
         "invalid_id_checksum", "เลขประจำตัวประชาชนไม่ถูกต้อง"),
        ("21", "OBEC", "obec_dmc", 2567, 1, NEGATIVE_TEXT_KEY, "students?page=4#2",
         "quarantined", "unknown_grade", FORMULA_DETAIL),
        ("21", "OBEC", "obec_dmc", 2567, 1, None, "students?page=4#7", "quarantined",
         "missing_key", "student_key ว่าง\x07"),
        ("21", "OBEC", "obec_dmc", 2566, 2, "G123456789012", "students?page=1#1", "doubtful",
         "unknown_birth_date", "birth_date 2560-02-30"),
        ("21", "OPEC", "opec_psis", 2567, 1, "21100123|14", "psis_2567_1_21100123.csv:14",
         "quarantined", "unknown_status", "+สถานะ: ลาพัก"),
        ("21", "OPEC", "opec_psis", 2567, 1, "21100123|15", "psis_2567_1_21100123.csv:15",
         "doubtful", "implausible_age_for_grade", "@SUM(1+1)"),
        ("21", "DLA", "dla_lec", 2567, 1, "อบต.บ้านค่าย|1021050101|7", "lec_2567.xlsx:ผู้เรียน!A9",
         "doubtful", "unknown_sex", "\tคำนำหน้า: -"),
        ("21", "OVEC", "ovec_vec", 2567, 1, "S0001|1321010001", None, "quarantined",
         "unknown_grade", "grade ปวช.4"),
    ]


def scorecard_rows(areas: Sequence[str], rng: random.Random) -> list[tuple[object, ...]]:
    rows = []
    for year in (2566, 2567):
        for term in (1, 2):
            for affiliation in ("ALL", "OBEC", "OVEC", "OPEC", "DLA", "ONAB"):
                for area in areas[:3]:
                    expected = rng.randint(10, 120)
                    reported = expected - rng.randint(0, 3)
                    missing = ", ".join(f"RY-{rng.randint(1, 541):04d}"
                                        for _ in range(expected - reported))
                    rows += [
                        ("21", year, term, affiliation, area, "3.1", "units_reporting", reported,
                         expected, reported / expected * 100,
                         "ok" if reported == expected else "warn", missing or None),
                        ("21", year, term, affiliation, area, "3.2", "valid_id_rate", 980.0,
                         1000.0, 98.0, "ok", None),
                        ("21", year, term, affiliation, area, "4.1", "days_after_census", None,
                         None, float(rng.randint(-2, 30)), "ok", None),
                        ("21", year, term, affiliation, area, "4.2", "year_over_year_change",
                         None, None, rng.uniform(-4, 4), "ok",
                         "=1+1" if affiliation == "OBEC" else None),
                    ]
    return rows


def outlier_rows() -> list[tuple[object, ...]]:
    return [
        ("21", 2567, "OBEC", "1021060001", "โรงเรียนบ้านมะขามคู่", "2106", 412.0, 250.0, 162.0,
         5.2),
        ("21", 2567, "OPEC", "21100123", "โรงเรียนอนุบาลระยองวิทยา", "2101", 80.0, 190.0, -110.0,
         -4.1),
    ]


def methodology_rows() -> list[tuple[object, ...]]:
    return [
        ("settings", "age_reference_month_day", "05-16", "Age in completed years on 16 May",
         "อายุเต็มปี ณ วันที่ 16 พฤษภาคม"),
        ("settings", "low_n_threshold", "30", "Denominators under 30 people are flagged low_n",
         "ตัวหารน้อยกว่า 30 คน มีเครื่องหมาย low_n"),
        ("settings", "dirty_threshold", "105", "NER/ANER above 105 withheld",
         "NER/ANER เกิน 105 ไม่เผยแพร่"),
        ("population", "dopa_file", "2566", "DOPA population of 31 December 2023",
         "ประชากรทะเบียนราษฎร์ ณ 31 ธันวาคม 2566"),
        ("incomplete", "OPEC", "2567", "OPEC had no successful extraction in 2567",
         "สช. ไม่มีการดึงข้อมูลสำเร็จในปี 2567"),
    ]


def revision_rows() -> list[tuple[object, ...]]:
    return [
        ("GER", 2566, "21", "ALL", "primary", None, None, "T", "changed", 95.1, 95.6, None,
         None),
        ("GER", 2566, "2101", "ALL", "primary", None, None, "F", "changed", 97.0, 96.2,
         "unit_gap", None),
        ("NER", 2567, "21", "ALL", "primary", None, None, "T", "added", None, 100.0, None,
         "capped"),
        ("PTR", 2565, "2108", "ALL", "primary", None, None, "T", "removed", 18.2, None, None,
         None),
    ]


def _insert(conn: psycopg.Connection, table: str, rows: Iterable[tuple[object, ...]]) -> None:
    rows = list(rows)
    placeholders = sql.SQL(", ").join(sql.Placeholder() * len(rows[0]))
    with conn.cursor() as cursor:
        cursor.executemany(sql.SQL("INSERT INTO {}.{} VALUES ({})").format(
            sql.Identifier(SCHEMA), sql.Identifier(table), placeholders), rows)


def build_release_schema(warehouse_url: str, seed: int = 6) -> None:
    province = load_province("rayong")
    districts = [(d.code, d.name_th, d.name_en) for d in province.districts]
    areas = ["21", *(code for code, _, _ in districts)]
    rng = random.Random(seed)
    with psycopg.connect(warehouse_url) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
        for table, columns in TABLES.items():
            conn.execute(sql.SQL("CREATE TABLE {}.{} ({})").format(
                sql.Identifier(SCHEMA), sql.Identifier(table), sql.SQL(columns)))
        _insert(conn, "dim_area", [("21", "province", "21", None, None)] + [
            (code, "district", "21", None if code == NO_THAI_NAME else name_th,
             None if code == NO_ENGLISH_NAME else name_en)
            for code, name_th, name_en in districts])
        _insert(conn, "indicator_definitions", _seed("indicator_definitions"))
        _insert(conn, "affiliations", _seed("affiliations"))
        _insert(conn, "indicators", indicator_rows(areas, rng))
        _insert(conn, "scorecard", scorecard_rows(areas, rng))
        _insert(conn, "scorecard_outliers", outlier_rows())
        _insert(conn, "feedback_records", feedback_rows())
        _insert(conn, "methodology_notes", methodology_rows())
        _insert(conn, "revisions", revision_rows())

