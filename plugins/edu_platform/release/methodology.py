"""The methodology notes of a release: settings, code lists, interpretations, and what
this build's data made necessary (population fallbacks, incomplete affiliations)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
import yaml

from edu_platform.paths import dbt_project_dir
from edu_platform.province_config import ProvinceConfig


@dataclass(frozen=True)
class Note:
    section: str
    key: str
    value: str
    description_en: str
    description_th: str


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def setting_notes(province: ProvinceConfig) -> list[Note]:
    project = yaml.safe_load((dbt_project_dir() / "dbt_project.yml").read_text(encoding="utf-8"))
    notes = [Note("settings", f"dbt.{key}", _text(value),
                  "dbt project variable (dbt_project.yml)", "ค่าตั้งของโครงการ dbt")
             for key, value in sorted(project.get("vars", {}).items())]
    notes += [Note("settings", f"province.{key}", _text(value),
                   f"setting of include/provinces/{province.slug}.yaml",
                   "ค่าตั้งของจังหวัด")
              for key, value in sorted(province.settings.items())]
    return notes


def interpretation_notes() -> list[Note]:
    path = dbt_project_dir() / "methodology" / "interpretations.yml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Note("interpretation", entry["key"], "", entry["en"], entry["th"])
            for entry in entries]


def code_list_notes(conn: psycopg.Connection, seeds: list[str]) -> list[Note]:
    notes = []
    for seed in seeds:
        rows = conn.execute(f'SELECT count(*) FROM seeds."{seed}"').fetchone()[0]
        notes.append(Note("code_list", seed, f"{rows} rows",
                          f"code list copied into this release as table {seed}",
                          f"รายการรหัสที่ใช้ อยู่ในตาราง {seed} ของรุ่นนี้"))
    return notes


def data_notes(conn: psycopg.Connection, audit_schema: str) -> list[Note]:
    """Population years used (and fallbacks), and the affiliations flagged incomplete."""
    notes = [
        Note("population", str(year), str(ce_year),
             ("DOPA population of C.E. " + str(ce_year)
              + (" used: the file of Y-544 is absent (fallback)" if fallback else " used")),
             ("ใช้ข้อมูลประชากรปี ค.ศ. " + str(ce_year)
              + (" แทนปีที่ไม่มีข้อมูล" if fallback else "")))
        for year, ce_year, fallback in conn.execute(
            f"SELECT academic_year, population_ce_year, population_fallback "
            f"FROM {audit_schema}.dim_academic_year ORDER BY academic_year")
    ]
    if conn.execute("SELECT to_regclass(%s)",
                    (f"{audit_schema}.int_failed_affiliations",)).fetchone()[0]:
        for affiliation, year in conn.execute(
                f"SELECT affiliation, academic_year FROM {audit_schema}.int_failed_affiliations "
                "ORDER BY 1, 2"):
            when = "every year" if year is None else str(year)
            notes.append(Note("incomplete", affiliation, when,
                              f"no successful extraction ({when}): its cells and the ALL "
                              "cells it feeds are withheld",
                              "ดึงข้อมูลไม่สำเร็จ เซลล์ที่เกี่ยวข้องถูกระงับการเผยแพร่"))
    return notes
