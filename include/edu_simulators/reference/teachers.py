"""Teacher indicators: PTR (FTE), QUAL_TCH and CERT_TCH (headcount), sex T only."""

from __future__ import annotations

import pandas as pd

from .cells import by_affiliation, by_area, rate_cells, total
from .codes import LEVELS, ONAB_TEACHER_LEVELS, PUPILS_PER_TEACHER, census_date
from .inputs import Inputs
from .learners import failed, latest_per_key

DEGREES_AT_LEAST_BACHELOR = ["bachelor", "master", "doctorate"]
TEACHER_COLUMNS = ["academic_year", "affiliation", "district", "level", "fte", "head",
                   "qualified", "licensed"]


def unit_tambons(learners: pd.DataFrame) -> pd.DataFrame:
    """The tambon the learner records give for each unit: the teacher ledger has none, and a
    unit the register lacks is placed by the tambon its source gives."""
    tambons = learners.dropna(subset=["tambon_code"])
    tambons = tambons.groupby(["source", "unit_code"])["tambon_code"].agg(
        lambda codes: codes.mode().iloc[0])
    return tambons.reset_index()


def record_teachers(inputs: Inputs, year: int) -> pd.DataFrame:
    """One row per (teacher record, indicator level taught): FTE split equally across all
    the levels the teacher teaches; directors and staff with no level are not teachers."""
    staff = latest_per_key(inputs.teachers)
    of_census = (staff["academic_year"] == year) & (staff["term"] == 1)  # NA year: not ours
    staff = staff[of_census.fillna(False).astype(bool) & (staff["source"] != "DLP")
                  & ~staff["is_director"].fillna(False).astype(bool)]
    staff = staff[~failed(staff, inputs)]
    staff = staff.assign(levels=staff["levels"].map(lambda v: list(v) if v is not None else []))
    staff = staff[staff["levels"].map(len) > 0]
    if "tambon_code" not in staff:
        staff = staff.merge(unit_tambons(inputs.learners), on=["source", "unit_code"],
                            how="left")
    staff = staff.assign(
        district=inputs.placer.place(staff, census_date(year, 1)),
        fte=staff["fte"].fillna(1.0) / staff["levels"].map(len),
    ).explode("levels")
    return pd.DataFrame({
        "academic_year": year,
        "affiliation": staff["source"],
        "district": staff["district"],
        "level": staff["levels"],
        "fte": staff["fte"].astype(float),
        "head": 1.0,
        "qualified": staff["degree"].isin(DEGREES_AT_LEAST_BACHELOR).astype(float),
        "licensed": staff["licensed"].fillna(False).astype(float),
    }, columns=TEACHER_COLUMNS)


def onab_teachers(inputs: Inputs, year: int) -> pd.DataFrame:
    """ONAB per-school totals split across levels in proportion to its per-level counts,
    scaled so that the levels add up to the school's total (each teacher 1.0 FTE)."""
    report = inputs.onab.get((year, 1), {"schools": []})
    rows = []
    for school in [] if inputs.failed_in("ONAB", year) else report.get("schools", []):
        teachers = school.get("teachers") or {}
        per_level = [(ONAB_TEACHER_LEVELS.get(name), count)
                     for name, count in (teachers.get("levels") or {}).items()]
        level_sum = sum(count for _, count in per_level)
        district = inputs.placer.district("ONAB", school["school_code"],
                                          school.get("tambon_code"), census_date(year, 1))
        for level, count in per_level:
            share = count / level_sum if level_sum else 0.0
            total_here = teachers.get("total", 0) * share
            rows.append({
                "academic_year": year, "affiliation": "ONAB", "district": district,
                "level": level, "fte": total_here, "head": total_here,
                "qualified": teachers.get("with_bachelor", 0) * share,
                "licensed": teachers.get("with_license", 0) * share,
            })
    return pd.DataFrame(rows, columns=TEACHER_COLUMNS)


def teachers(inputs: Inputs, year: int) -> pd.DataFrame:
    frame = pd.concat([record_teachers(inputs, year), onab_teachers(inputs, year)],
                      ignore_index=True)
    return frame[frame["level"].isin(LEVELS)
                 & frame["district"].str.startswith(inputs.province, na=False)]


def ptr(enrolment: pd.DataFrame, staff: pd.DataFrame, province: str) -> pd.DataFrame:
    """E(level) / teachers(level) in FTE, by level, area and affiliation (ALL too)."""
    keys = ["academic_year", "area_code", "affiliation", "level"]
    pupils = by_affiliation(by_area(enrolment[enrolment["level"].isin(LEVELS)], province))
    fte = by_affiliation(by_area(staff, province))
    return rate_cells("PTR", total(fte, keys, "fte", "denominator"),
                      total(pupils, keys, "weight", "numerator"), keys, PUPILS_PER_TEACHER)


def share_of_teachers(indicator: str, staff: pd.DataFrame, column: str,
                      province: str) -> pd.DataFrame:
    """Headcount share of teachers with a property, each teacher once in every level taught."""
    keys = ["academic_year", "area_code", "level"]
    expanded = by_area(staff, province)
    return rate_cells(indicator, total(expanded, keys, "head", "denominator"),
                      total(expanded, keys, column, "numerator"), keys)


def teacher_indicators(enrolment: pd.DataFrame, staff: pd.DataFrame,
                       province: str) -> list[pd.DataFrame]:
    return [ptr(enrolment, staff, province),
            share_of_teachers("QUAL_TCH", staff, "qualified", province),
            share_of_teachers("CERT_TCH", staff, "licensed", province)]
