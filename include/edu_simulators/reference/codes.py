"""Code lists of the reference computation: levels, grades, ISCED order, ages.

Kept as plain Python data (the dbt models have their own seeds; nothing is shared).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

PERCENT, RATIO, PUPILS_PER_TEACHER, COUNT = "percent", "ratio", "pupils_per_teacher", "count"

# Tie-break order of indicators.md §1.5 (the ledger writes lower secondary as 24).
ISCED_ORDER = ["01", "02", "1", "24", "34", "35", "55", "6"]
ISCED_RANK = {code: rank for rank, code in enumerate(ISCED_ORDER)}

FORMAL_AFFILIATIONS = ["DLA", "OBEC", "ONAB", "OPEC", "OVEC"]
# Affiliations whose records carry a repeater flag (reconstructed flow rates).
FLOW_AFFILIATIONS = ["OBEC", "ONAB", "OPEC", "OVEC"]

# The four levels with published ratios, their official ages and lowest ISCED code.
LEVELS = ["pre_primary", "primary", "lower_secondary", "upper_secondary"]
OFFICIAL_AGES = {
    "pre_primary": range(3, 6),
    "primary": range(6, 12),
    "lower_secondary": range(12, 15),
    "upper_secondary": range(15, 18),
}
LEVEL_ISCED_RANK = {"pre_primary": 1, "primary": 2, "lower_secondary": 3, "upper_secondary": 4}
OOSR_LEVELS = ["primary", "lower_secondary", "upper_secondary"]

REP_GRADES = [f"P{g}" for g in range(1, 7)] + [f"M{g}" for g in range(1, 7)]
PROM_GRADES = [f"P{g}" for g in range(1, 6)] + ["M1", "M2", "M4", "M5"]
GIR_GRADES = {"P6": 11, "M3": 14}

NFE_AGE_GROUPS = [(15, "lt15"), (18, "15-17"), (25, "18-24"), (60, "25-59"), (999, "60+")]

LOW_N_THRESHOLD = 30
DIRTY_THRESHOLD = 105.0


def per_value(series: pd.Series, function: Callable[[str], object]) -> pd.Series:
    """`series.map(function)`, calling the function once per distinct value (it is slow)."""
    return series.map({value: function(value) for value in series.dropna().unique()})


def split_grade(grade: str) -> tuple[str, int]:
    """`P6` -> ("P", 6); `ECD` -> ("ECD", 0); `NFE_P` -> ("NFE_P", 0)."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", grade)
    return (match.group(1), int(match.group(2))) if match else (grade, 0)


def grade_level(grade: str) -> str | None:
    """Indicator level of a ledger grade (None for ECD, ปวส., ป.ตรี, DLP)."""
    prefix, number = split_grade(grade)
    if prefix == "K":
        return "pre_primary"
    if prefix == "P":
        return "primary"
    if prefix == "M":
        return "lower_secondary" if number <= 3 else "upper_secondary"
    if prefix == "V":
        return "upper_secondary"
    return None


def intended_age(grade: str) -> int | None:
    """Intended age of a grade (indicators.md §3); None where no ratio is published."""
    prefix, number = split_grade(grade)
    offsets = {"K": 2, "P": 5, "M": 11, "V": 14}
    return offsets[prefix] + number if prefix in offsets else None


def next_grade(grade: str) -> str | None:
    """The grade after a P, M, K or V grade (None for the others: ECD, ปวส., ป.ตรี)."""
    prefix, number = split_grade(grade)
    return f"{prefix}{number + 1}" if prefix in ("K", "P", "M", "V") else None


def nfe_age_group(age: float) -> str:
    if age != age:  # NaN: unknown age
        return "unknown"
    return next(label for bound, label in NFE_AGE_GROUPS if age < bound)


def census_date(academic_year: int, term: int) -> pd.Timestamp:
    """Census date of a term: 10 June (term 1) or 10 November (term 2) of C.E. Y-543."""
    return pd.Timestamp(academic_year - 543, 6 if term == 1 else 11, 10)


ONAB_SEX = {"ชาย": "M", "หญิง": "F"}


def onab_grade(text: str) -> str | None:
    """ONAB grades are lower and upper secondary: ม.1 .. ม.6 (any spacing) -> M1 .. M6."""
    match = re.fullmatch(r"(?:ม\.?|มัธยมศึกษาปีที่)\s*([1-6])", str(text).strip())
    return f"M{match.group(1)}" if match else None


# ONAB teacher levels -> indicator levels.
ONAB_TEACHER_LEVELS = {"มัธยมต้น": "lower_secondary", "มัธยมปลาย": "upper_secondary",
                       "ประถม": "primary", "อนุบาล": "pre_primary"}
