"""feedback/<AFFILIATION>.xlsx: what one affiliation's staff must fix at their source.

Its quarantined and doubtful records under its own record keys, the units that
did not report (coverage), how late its data came (timeliness), its other
scorecard checks and the units whose enrolment changed oddly. These files may
hold clear IDs in record keys: each goes to its own affiliation only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from openpyxl import Workbook

from edu_platform.publication.columns import (
    ACADEMIC_YEAR,
    AREA_CODE,
    DENOMINATOR,
    DETAIL,
    NUMERATOR,
    PROBLEM,
    REASON,
    REASON_TH,
    TERM,
)
from edu_platform.publication.labels import (
    PROBLEMS,
    REASONS,
    Column,
    Label,
    ReleaseLabels,
    named,
)
from edu_platform.publication.sheets import append_table, append_title, write_table_sheet
from edu_platform.publication.tables import Release, ScorecardRow

SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
COVERAGE_LINE = "3.1"
TIMELINESS_LINE = "4.1"

SUMMARY_COLUMNS = (
    ACADEMIC_YEAR, TERM, PROBLEM, REASON, REASON_TH,
    Column("reason_en", "Reason (English)", "คำอธิบายสาเหตุ (ภาษาอังกฤษ)"),
    Column("records", "Records", "จำนวนระเบียน"),
)
RECORD_COLUMNS = (
    Column("source", "Source system", "ระบบต้นทาง"),
    ACADEMIC_YEAR, TERM,
    Column("record_key", "Record key (as delivered)", "รหัสระเบียน (ตามที่ส่งมา)"),
    Column("locator", "File / page / row", "แฟ้ม / หน้า / แถว"),
    PROBLEM, REASON, REASON_TH, DETAIL,
)
SCORECARD_COLUMNS = (
    ACADEMIC_YEAR, TERM, AREA_CODE,
    Column("area_name_th", "Area", "พื้นที่"),
    Column("dqaf_line", "Ed-DQAF line", "ข้อ Ed-DQAF"),
    Column("measure", "Measure", "ตัววัด"),
    NUMERATOR, DENOMINATOR,
    Column("value", "Value", "ค่า"),
    Column("status", "Status (ok, warn)", "สถานะ"),
    DETAIL,
)
OUTLIER_COLUMNS = (
    ACADEMIC_YEAR,
    Column("unit_key", "Unit code", "รหัสสถานศึกษา"),
    Column("unit_name", "Unit name", "ชื่อสถานศึกษา"),
    Column("district_code", "District code", "รหัสอำเภอ"),
    Column("enrolment", "Enrolment", "จำนวนนักเรียน"),
    Column("previous_enrolment", "Enrolment last year", "จำนวนนักเรียนปีก่อน"),
    Column("change", "Change", "การเปลี่ยนแปลง"),
    Column("modified_z", "Modified z-score", "ค่า modified z"),
)


def _summary_order(item: tuple[tuple[int | None, int | None, str, str], int]
                   ) -> tuple[int, int, str, str]:
    (year, term, problem, reason), _ = item
    return year or 0, term or 0, problem, reason


def _scorecard_rows(rows: list[ScorecardRow], labels: ReleaseLabels) -> list[dict[str, object]]:
    return [{**asdict(row), "area_name_th": labels.area(row.area_code).th} for row in rows]


def _write_feedback(release: Release, labels: ReleaseLabels, affiliation: str,
                    path: Path) -> Path:
    records = [r for r in release.feedback_records if r.affiliation == affiliation]
    scorecard = [r for r in release.scorecard if r.affiliation == affiliation]
    counts = Counter((r.academic_year, r.term, r.problem, r.reason) for r in records)

    workbook = Workbook()
    summary = workbook.active
    summary.title = "summary"
    name = labels.affiliation(affiliation)
    append_title(summary, Label(f"Feedback for {name.en} ({affiliation}), {release.schema}",
                                f"รายงานข้อมูลที่ต้องแก้ไข: {name.th} ({affiliation})"))
    summary.append([])
    append_table(summary, SUMMARY_COLUMNS, (
        {"academic_year": year, "term": term, "problem": named(PROBLEMS, problem).th,
         "reason": reason, "reason_th": named(REASONS, reason).th,
         "reason_en": named(REASONS, reason).en, "records": count}
        for (year, term, problem, reason), count in sorted(counts.items(), key=_summary_order)
    ))
    write_table_sheet(workbook.create_sheet("records"), RECORD_COLUMNS, (
        {**asdict(record), "reason_th": named(REASONS, record.reason).th} for record in records
    ))
    for title, selected in (
        ("coverage", [r for r in scorecard if r.dqaf_line == COVERAGE_LINE]),
        ("timeliness", [r for r in scorecard if r.dqaf_line == TIMELINESS_LINE]),
        ("other_checks", [r for r in scorecard
                          if r.dqaf_line not in (COVERAGE_LINE, TIMELINESS_LINE)]),
    ):
        write_table_sheet(workbook.create_sheet(title), SCORECARD_COLUMNS,
                          _scorecard_rows(selected, labels))
    write_table_sheet(workbook.create_sheet("outliers"), OUTLIER_COLUMNS, (
        asdict(outlier) for outlier in release.scorecard_outliers
        if outlier.affiliation == affiliation
    ))
    workbook.save(path)
    return path


def feedback_affiliations(release: Release) -> list[str]:
    """Every affiliation of the code list, and any other that has records to fix."""
    codes = {a.code for a in release.affiliations}
    codes |= {r.affiliation for r in release.feedback_records}
    return sorted(codes)


def write_feedback_workbooks(release: Release, labels: ReleaseLabels, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    unsafe = [code for code in feedback_affiliations(release) if not SAFE_FILE_NAME.match(code)]
    if unsafe:
        raise ValueError(f"affiliation codes unfit for a file name: {unsafe}")
    return [_write_feedback(release, labels, affiliation, folder / f"{affiliation}.xlsx")
            for affiliation in feedback_affiliations(release)]
