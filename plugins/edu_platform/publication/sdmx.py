"""indicators_sdmx.csv: the indicator table as SDMX-CSV, with UIS-style dimensions.

One row per published cell; the codes follow SDMX and UNESCO-UIS conventions
(`_T` total, `_Z` not applicable, `_U` unknown, ISCED 2011 levels):

| column       | from the release                                                          |
|--------------|---------------------------------------------------------------------------|
| DATAFLOW     | `TH_<province code>:EDU_INDICATORS(1.0)`                                  |
| REF_AREA     | `TH-<DOPA code>`: `TH-21` is the ISO 3166-2 code of the province; districts |
|              | have no ISO code and extend it with their DOPA code (`TH-2101`)           |
| TIME_PERIOD  | C.E. year in which the B.E. academic year starts (2567 -> 2024)           |
| INDICATOR    | the platform's indicator code (indicator_definitions.code)                |
| EDU_LEVEL    | ISCED 2011: L01 ECD, L02 pre-primary, L1 primary, L2 lower secondary,     |
|              | L3 upper secondary, L5 short-cycle tertiary, L6 bachelor's; a non-formal  |
|              | equivalency level maps to its ISCED level; a grade cell to its grade's    |
|              | level; `_Z` when neither is given                                         |
| SEX          | `_T` total, `M`, `F`                                                      |
| AFFILIATION  | `_T` for all affiliations, else the affiliation code (OBEC, OVEC...)      |
| GRADE        | `G1`-`G12` counted from the first grade of primary (P1 = G1, M1 = G7); `_Z` |
| AGE_GROUP    | `Y_LT15`, `Y15T17`, `Y18T24`, `Y25T59`, `Y_GE60`, `_U` unknown; `_Z`      |
| UNIT_MEASURE | `PT` percent, `RATIO` ratio (parity indices), `PUPIL_TCH` pupils per      |
|              | teacher, `PS` persons (counts)                                            |
| OBS_VALUE    | the published value (capped where flagged `capped`); empty when withheld |
| OBS_STATUS   | the cell's flags, comma-joined (capped, dirty, incomplete, low_n,         |
|              | out_of_range, unit_gap: indicators.md section 6); empty: a normal value   |

A code the mappings do not know is written as it is.
"""

from __future__ import annotations

from pathlib import Path

from edu_platform.publication.csv_json import write_csv
from edu_platform.publication.tables import IndicatorCell
from edu_platform.thai_calendar import ce_year

SDMX_COLUMNS = (
    "DATAFLOW", "REF_AREA", "TIME_PERIOD", "INDICATOR", "EDU_LEVEL", "SEX", "AFFILIATION",
    "GRADE", "AGE_GROUP", "UNIT_MEASURE", "OBS_VALUE", "OBS_STATUS",
)
NOT_APPLICABLE = "_Z"
TOTAL = "_T"

EDU_LEVELS = {
    "ecd": "L01", "pre_primary": "L02", "primary": "L1", "lower_secondary": "L2",
    "upper_secondary": "L3", "short_cycle": "L5", "bachelor": "L6",
    "NFE_P": "L1", "NFE_L": "L2", "NFE_U": "L3",
}
GRADES = {
    **{f"P{g}": f"G{g}" for g in range(1, 7)},
    **{f"M{g}": f"G{g + 6}" for g in range(1, 7)},
}
GRADE_LEVELS = {
    **{f"P{g}": "L1" for g in range(1, 7)},
    **{f"M{g}": "L2" for g in range(1, 4)},
    **{f"M{g}": "L3" for g in range(4, 7)},
}
AGE_GROUPS = {
    "lt15": "Y_LT15", "15-17": "Y15T17", "18-24": "Y18T24", "25-59": "Y25T59",
    "60+": "Y_GE60", "unknown": "_U",
}
SEXES = {"T": TOTAL, "M": "M", "F": "F"}
UNITS = {"percent": "PT", "ratio": "RATIO", "pupils_per_teacher": "PUPIL_TCH", "count": "PS"}


def _coded(codes: dict[str, str], code: str | None) -> str:
    return codes.get(code, code) if code else NOT_APPLICABLE


def _edu_level(cell: IndicatorCell) -> str:
    if cell.level:
        return _coded(EDU_LEVELS, cell.level)
    return _coded(GRADE_LEVELS, cell.grade)


def sdmx_row(cell: IndicatorCell) -> dict[str, object]:
    return {
        "DATAFLOW": f"TH_{cell.province_code}:EDU_INDICATORS(1.0)",
        "REF_AREA": f"TH-{cell.area_code}",
        "TIME_PERIOD": ce_year(cell.academic_year),
        "INDICATOR": cell.indicator,
        "EDU_LEVEL": _edu_level(cell),
        "SEX": _coded(SEXES, cell.sex),
        "AFFILIATION": TOTAL if cell.affiliation == "ALL" else cell.affiliation,
        "GRADE": _coded(GRADES, cell.grade),
        "AGE_GROUP": _coded(AGE_GROUPS, cell.age_group),
        "UNIT_MEASURE": _coded(UNITS, cell.unit),
        "OBS_VALUE": None if cell.withheld else cell.value_published,
        "OBS_STATUS": cell.flags or None,
    }


def write_sdmx_csv(cells: list[IndicatorCell], path: Path) -> Path:
    # Exchange format for programs, not for Excel: plain UTF-8, no BOM before DATAFLOW.
    return write_csv(path, SDMX_COLUMNS, (sdmx_row(cell) for cell in cells), excel_bom=False)
