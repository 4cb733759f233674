"""The published indicator table, as every file format shows it: the same columns, the same rows.

A withheld cell keeps its row and flags but shows no value, numerator or
denominator; a capped one shows its published (capped) value.
"""

from __future__ import annotations

from edu_platform.publication.columns import (
    ACADEMIC_YEAR,
    AFFILIATION,
    AGE_GROUP,
    AREA_CODE,
    DENOMINATOR,
    GRADE,
    INDICATOR,
    LEVEL,
    NUMERATOR,
    UNIT,
)
from edu_platform.publication.labels import Column, ReleaseLabels
from edu_platform.publication.tables import IndicatorCell

Record = dict[str, object]

INDICATOR_COLUMNS = (
    INDICATOR,
    Column("indicator_name_en", "Indicator (English)", "ชื่อตัวชี้วัด (ภาษาอังกฤษ)"),
    Column("indicator_name_th", "Indicator (Thai)", "ชื่อตัวชี้วัด (ภาษาไทย)"),
    ACADEMIC_YEAR, AREA_CODE,
    Column("area_name_en", "Area (English)", "พื้นที่ (ภาษาอังกฤษ)"),
    Column("area_name_th", "Area (Thai)", "พื้นที่ (ภาษาไทย)"),
    AFFILIATION, LEVEL, GRADE, AGE_GROUP,
    Column("sex", "Sex (T total, M, F)", "เพศ (T รวม, M ชาย, F หญิง)"),
    Column("value", "Value (published)", "ค่าที่เผยแพร่"),
    NUMERATOR, DENOMINATOR, UNIT,
    Column("flags", "Flags", "เครื่องหมายคุณภาพข้อมูล"),
    Column("withheld", "Withheld", "งดเผยแพร่ค่า"),
)


def indicator_record(cell: IndicatorCell, labels: ReleaseLabels) -> Record:
    indicator = labels.indicator(cell.indicator)
    area = labels.area(cell.area_code)
    shown = not cell.withheld
    return {
        "indicator": cell.indicator,
        "indicator_name_en": indicator.en,
        "indicator_name_th": indicator.th,
        "academic_year": cell.academic_year,
        "area_code": cell.area_code,
        "area_name_en": area.en,
        "area_name_th": area.th,
        "affiliation": cell.affiliation,
        "level": cell.level or None,
        "grade": cell.grade or None,
        "age_group": cell.age_group or None,
        "sex": cell.sex,
        "value": cell.value_published if shown else None,
        "numerator": cell.numerator if shown else None,
        "denominator": cell.denominator if shown else None,
        "unit": cell.unit,
        "flags": cell.flags or None,
        "withheld": cell.withheld,
    }


def indicator_records(cells: list[IndicatorCell], labels: ReleaseLabels) -> list[Record]:
    return [indicator_record(cell, labels) for cell in cells]
