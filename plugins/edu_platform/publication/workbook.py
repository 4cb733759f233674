"""indicators.xlsx: one sheet per indicator family, the definitions, notes and revisions.

Headings are in English and Thai; every text cell is neutralized against formula
injection (numbers stay numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from openpyxl import Workbook

from edu_platform.publication import labels as vocabulary
from edu_platform.publication.columns import (
    ACADEMIC_YEAR,
    AFFILIATION,
    AGE_GROUP,
    AREA_CODE,
    GRADE,
    INDICATOR,
    LEVEL,
    UNIT,
)
from edu_platform.publication.indicator_table import INDICATOR_COLUMNS, Record
from edu_platform.publication.labels import Column, Label
from edu_platform.publication.sheets import append_table, append_title, write_table_sheet
from edu_platform.publication.tables import Release

UNDEFINED_FAMILY = "other"

DEFINITION_COLUMNS = (
    Column("code", "Indicator code", "รหัสตัวชี้วัด"),
    Column("name_en", "Name (English)", "ชื่อ (ภาษาอังกฤษ)"),
    Column("name_th", "Name (Thai)", "ชื่อ (ภาษาไทย)"),
    UNIT,
    Column("family", "Family", "กลุ่มตัวชี้วัด"),
    Column("disaggregation", "Disaggregated by", "จำแนกตาม"),
    Column("formula", "Formula", "สูตรการคำนวณ"),
)
NOTE_COLUMNS = (
    Column("section", "Section", "หมวด"),
    Column("key", "Setting", "รายการ"),
    Column("value", "Value used", "ค่าที่ใช้"),
    Column("description_en", "Description (English)", "คำอธิบาย (ภาษาอังกฤษ)"),
    Column("description_th", "Description (Thai)", "คำอธิบาย (ภาษาไทย)"),
)
CODE_COLUMNS = (
    Column("code", "Code", "รหัส"),
    Column("en", "English", "ภาษาอังกฤษ"),
    Column("th", "Thai", "ภาษาไทย"),
)
REVISION_COLUMNS = (
    INDICATOR, ACADEMIC_YEAR, AREA_CODE, AFFILIATION, LEVEL, GRADE, AGE_GROUP,
    Column("sex", "Sex", "เพศ"),
    Column("change", "Change (added, removed, changed)", "การเปลี่ยนแปลง"),
    Column("previous_value", "Previous value", "ค่าเดิม"),
    Column("new_value", "New value", "ค่าใหม่"),
    Column("previous_flags", "Previous flags", "เครื่องหมายเดิม"),
    Column("new_flags", "New flags", "เครื่องหมายใหม่"),
)
CODE_LISTS = (
    (Label("Flags", "เครื่องหมายคุณภาพข้อมูล"), vocabulary.FLAGS),
    (Label("Indicator families (sheets)", "กลุ่มตัวชี้วัด (แผ่นงาน)"), vocabulary.FAMILIES),
    (Label("Levels", "ระดับการศึกษา"), vocabulary.LEVELS),
    (Label("Grades", "ชั้น"), vocabulary.GRADES),
    (Label("Sex", "เพศ"), vocabulary.SEXES),
    (Label("Age groups", "กลุ่มอายุ"), vocabulary.AGE_GROUPS),
    (Label("Units", "หน่วย"), vocabulary.UNITS),
)


def _code_rows(codes: Mapping[str, Label]) -> list[dict[str, object]]:
    return [{"code": code, "en": label.en, "th": label.th} for code, label in codes.items()]


def records_by_family(records: list[Record], release: Release) -> dict[str, list[Record]]:
    family_of = {definition.code: definition.family for definition in release.indicator_definitions}
    families: dict[str, list[Record]] = {family: [] for family in vocabulary.FAMILIES}
    for record in records:
        family = family_of.get(str(record["indicator"]), UNDEFINED_FAMILY)
        families.setdefault(family, []).append(record)
    return {family: rows for family, rows in families.items() if rows}


def _write_notes(workbook: Workbook, release: Release, title: Label) -> None:
    sheet = workbook.create_sheet("notes")
    append_title(sheet, title)
    sheet.append([])
    append_title(sheet, Label("Methodology notes", "หมายเหตุวิธีการ"))
    append_table(sheet, NOTE_COLUMNS, (asdict(note) for note in release.methodology_notes))
    for heading, codes in CODE_LISTS:
        sheet.append([])
        append_title(sheet, heading)
        append_table(sheet, CODE_COLUMNS, _code_rows(codes))


def write_indicator_workbook(records: list[Record], release: Release, title: Label,
                             path: Path) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for family, rows in records_by_family(records, release).items():
        write_table_sheet(workbook.create_sheet(family), INDICATOR_COLUMNS, rows)
    write_table_sheet(workbook.create_sheet("definitions"), DEFINITION_COLUMNS,
                      (asdict(definition) for definition in release.indicator_definitions))
    _write_notes(workbook, release, title)
    write_table_sheet(workbook.create_sheet("revisions"), REVISION_COLUMNS,
                      (asdict(revision) for revision in release.revisions))
    workbook.save(path)
    return path
