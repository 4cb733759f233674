"""Flow rates between the censuses of t and t+1, labelled t: reconstructed and true-cohort."""

from __future__ import annotations

import pandas as pd

from .cells import by_area, by_sex, rate_cells, total
from .codes import PROM_GRADES, REP_GRADES, next_grade, per_value
from .inputs import Inputs
from .learners import (
    census_records,
    failed,
    has_usable_id,
    keep_one_per_person,
    person_labels,
    placed,
)

KEYS = ["area_code", "sex", "grade"]


def grade_counts(frame: pd.DataFrame, province: str, weight: str, name: str) -> pd.DataFrame:
    return total(by_sex(by_area(frame, province)), KEYS, weight, name).set_index(KEYS)[name]


def relabelled(counts: pd.Series, grades: dict[str, str]) -> pd.Series:
    """Counts of the grades in `grades` (keys), re-labelled with the grade they flow from."""
    frame = counts.reset_index()
    frame = frame[frame["grade"].isin(list(grades))]
    return frame.assign(grade=frame["grade"].map(grades)).set_index(KEYS)[counts.name]


def flow_cells(indicator: str, rows: pd.DataFrame, numerator: pd.Series,
               denominator: pd.Series | None = None) -> pd.DataFrame:
    keys = ["academic_year", *KEYS]
    denominator = rows["denominator"] if denominator is None else denominator
    return rate_cells(indicator, rows[keys].assign(denominator=denominator),
                      rows[keys].assign(numerator=numerator), keys)


def reconstructed_flows(now: pd.DataFrame, later: pd.DataFrame, province: str,
                        year: int) -> list[pd.DataFrame]:
    """REP, PROM, DROP, TRANS from E(t), E(t+1) and R(t+1), by grade g of year t; learners
    whose kept record is a DLA one are left out of both years (DLA has no repeater column)."""
    now, later = now[now["affiliation"] != "DLA"], later[later["affiliation"] != "DLA"]
    repeaters = grade_counts(later[later["is_repeater"]], province, "weight", "rep")
    entrants = grade_counts(later[~later["is_repeater"]], province, "weight", "entrants")
    base = pd.concat([
        grade_counts(now, province, "weight", "denominator"),  # E(g, t)
        repeaters,  # R(g, t+1)
        relabelled(entrants, {next_grade(g): g for g in PROM_GRADES}).rename("prom"),
        relabelled(entrants, {"M1": "P6"}).rename("trans"),  # E(M1, t+1) - R(M1, t+1)
    ], axis=1).fillna(0).reset_index().assign(academic_year=year)

    rep = base[base["grade"].isin(REP_GRADES)]
    prom = base[base["grade"].isin(PROM_GRADES)]
    p6 = base[base["grade"] == "P6"]
    return [
        flow_cells("REP", rep, rep["rep"]),
        flow_cells("PROM", prom, prom["prom"]),
        flow_cells("DROP", prom, prom["denominator"] - prom["prom"] - prom["rep"]),
        flow_cells("TRANS", p6, p6["trans"], p6["denominator"] - p6["rep"]),
    ]


def cohort_flows(records: pd.DataFrame, inputs: Inputs, year: int) -> list[pd.DataFrame]:
    """Persons (usable ID) of grade g at the census of t, followed to the census of t+1 in any
    formal unit record (DLA included; ONAB has no persons)."""
    census = census_records(records, [year, year + 1])
    census = census[has_usable_id(census) & ~failed(census, inputs)]
    kept = keep_one_per_person(census.assign(label=person_labels(census)))
    kept = kept.assign(district=placed(kept, inputs))
    kept = kept[kept["district"].str.startswith(inputs.province, na=False)]
    now = kept[kept["academic_year"] == year]
    later_grade = kept[kept["academic_year"] == year + 1].set_index("label")["grade"]
    persons = now.assign(later=now["label"].map(later_grade), weight=1)

    outcomes = {
        "REP_COHORT": (REP_GRADES, persons["later"] == persons["grade"]),
        "PROM_COHORT": (PROM_GRADES, persons["later"] == per_value(persons["grade"], next_grade)),
        "DROP_COHORT": (PROM_GRADES, persons["later"].isna()),
        "TRANS_COHORT": (["P6"], persons["later"] == "M1"),
    }
    cells = []
    for indicator, (grades, outcome) in outcomes.items():
        in_grades = persons["grade"].isin(grades)
        base = pd.concat([grade_counts(persons[in_grades], inputs.province, "weight",
                                       "denominator"),
                          grade_counts(persons[in_grades & outcome], inputs.province, "weight",
                                       "numerator")], axis=1).fillna(0)
        rows = base.reset_index().assign(academic_year=year)
        cells.append(flow_cells(indicator, rows, rows["numerator"]))
    return cells
