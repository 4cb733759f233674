"""Enrolment ratios against population, and OVERAGE (indicators.md §5)."""

from __future__ import annotations

import pandas as pd

from .cells import by_affiliation, by_area, by_sex, finish, rate_cells, total
from .codes import (
    GIR_GRADES,
    ISCED_RANK,
    LEVEL_ISCED_RANK,
    LEVELS,
    OFFICIAL_AGES,
    OOSR_LEVELS,
    RATIO,
    intended_age,
    per_value,
)

AREA_SEX = ["academic_year", "area_code", "sex"]


def official_population(pop: pd.DataFrame, year: int) -> pd.DataFrame:
    """P(official ages of each level) by area and sex."""
    parts = [pop[pop["age"].isin(ages)].assign(level=level)
             for level, ages in OFFICIAL_AGES.items()]
    official = total(pd.concat(parts), ["level", "area_code", "sex"], "count", "denominator")
    return official.assign(academic_year=year)


def counted(enrolment: pd.DataFrame, province: str, keys: list[str],
            affiliations: bool = False) -> pd.DataFrame:
    """Sum of learner weights by keys + area + sex (+ affiliation incl. ALL)."""
    expanded = by_sex(by_area(enrolment, province))
    if affiliations:
        expanded = by_affiliation(expanded)
    return total(expanded, keys, "weight", "numerator")


def ger(enrolment: pd.DataFrame, pop: pd.DataFrame, province: str, year: int,
        affiliations: list[str]) -> pd.DataFrame:
    """E(level, any age) / P(official ages) by level, area, sex and affiliation (ALL too)."""
    keys = [*AREA_SEX, "level", "affiliation"]
    denominator = official_population(pop, year).merge(
        pd.DataFrame({"affiliation": ["ALL", *affiliations]}), how="cross")
    numerator = counted(enrolment[enrolment["level"].isin(LEVELS)], province, keys, True)
    return rate_cells("GER", denominator, numerator, keys)


def ner(enrolment: pd.DataFrame, pop: pd.DataFrame, province: str, year: int) -> pd.DataFrame:
    """E(level, official ages) / P(official ages); unknown ages never count here."""
    in_level_and_age = pd.concat([
        enrolment[(enrolment["level"] == level) & enrolment["age"].isin(ages)]
        for level, ages in OFFICIAL_AGES.items()])
    keys = [*AREA_SEX, "level"]
    return rate_cells("NER", official_population(pop, year),
                      counted(in_level_and_age, province, keys), keys)


def aner_numerator_rows(enrolment: pd.DataFrame) -> pd.DataFrame:
    """Learners of a level's official ages enrolled in that level or any higher ISCED level
    (ECD, ISCED 01, is below pre-primary and never counts)."""
    rank = enrolment["isced"].map(ISCED_RANK)
    return pd.concat([
        enrolment[enrolment["age"].isin(ages) & (rank >= LEVEL_ISCED_RANK[level])]
        .assign(level=level)
        for level, ages in OFFICIAL_AGES.items()])


def aner(enrolment: pd.DataFrame, pop: pd.DataFrame, province: str, year: int) -> pd.DataFrame:
    keys = [*AREA_SEX, "level"]
    return rate_cells("ANER", official_population(pop, year),
                      counted(aner_numerator_rows(enrolment), province, keys), keys)


def oosr(aner_cells: pd.DataFrame) -> pd.DataFrame:
    """100 - the unrounded, uncapped ANER; numerator = population not enrolled; ANER's flags."""
    cells = aner_cells[(aner_cells["indicator"] == "ANER")
                       & aner_cells["level"].isin(OOSR_LEVELS)].copy()
    cells["indicator"] = "OOSR"
    cells["value"] = 100 - cells["value"]
    cells["numerator"] = cells["denominator"] - cells["numerator"]
    return cells.reset_index(drop=True)


def gender_parity(ger_cells: pd.DataFrame) -> pd.DataFrame:
    """GPI_GER = GER(F) / GER(M) and its adjusted form GPIA_GER, by level and area."""
    keys = ["academic_year", "area_code", "level"]
    all_affiliations = ger_cells[ger_cells["affiliation"] == "ALL"]
    female = all_affiliations[all_affiliations["sex"] == "F"][[*keys, "value"]]
    male = all_affiliations[all_affiliations["sex"] == "M"][[*keys, "value"]]
    pairs = female.rename(columns={"value": "numerator"}).merge(
        male.rename(columns={"value": "denominator"}), on=keys)
    pairs = pairs[pairs["denominator"] > 0]
    gpi = finish("GPI_GER", pairs, RATIO)
    gpia = gpi.assign(indicator="GPIA_GER")
    gpia["value"] = gpia["value"].where(gpia["value"] <= 1, 2 - 1 / gpia["value"])
    return pd.concat([gpi, gpia], ignore_index=True)


def overage(enrolment: pd.DataFrame, province: str) -> pd.DataFrame:
    """Pupils of known age 2+ years above their grade's intended age / E(level, known age)."""
    known = enrolment[enrolment["level"].isin(LEVELS) & enrolment["age"].notna()]
    known = known.assign(over=known["age"] >= per_value(known["grade"], intended_age) + 2)
    keys = [*AREA_SEX, "level"]
    denominator = counted(known, province, keys).rename(columns={"numerator": "denominator"})
    return rate_cells("OVERAGE", denominator, counted(known[known["over"]], province, keys), keys)


def gir_last(enrolment: pd.DataFrame, pop: pd.DataFrame, province: str,
             year: int) -> pd.DataFrame:
    """(E(last grade) - R(last grade)) / P(intended age of the last grade), P6 and M3."""
    keys = [*AREA_SEX, "grade"]
    entrants = enrolment[enrolment["grade"].isin(GIR_GRADES) & ~enrolment["is_repeater"]]
    denominator = pd.concat([
        pop[pop["age"] == age].assign(grade=grade) for grade, age in GIR_GRADES.items()])
    denominator = total(denominator, ["area_code", "sex", "grade"], "count", "denominator")
    return rate_cells("GIR_LAST", denominator.assign(academic_year=year),
                      counted(entrants, province, keys), keys)
