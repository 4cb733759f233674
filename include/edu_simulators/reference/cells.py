"""Shared shapes: areas and sexes of a cell, population, and the output row."""

from __future__ import annotations

import pandas as pd

from .codes import COUNT, PERCENT
from .inputs import Inputs

CELL_KEYS = ["indicator", "academic_year", "area_code", "affiliation", "level", "grade",
             "age_group", "sex"]
COLUMNS = [*CELL_KEYS, "value", "numerator", "denominator", "unit", "flags"]
DEFAULTS = {"affiliation": "ALL", "level": "", "grade": "", "age_group": "", "sex": "T"}


def by_area(frame: pd.DataFrame, province: str) -> pd.DataFrame:
    """Each row once for its district and once for the province."""
    return pd.concat([frame.assign(area_code=frame["district"]),
                      frame.assign(area_code=province)], ignore_index=True)


def by_sex(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row once in sex T and, when its sex is known, once in M or F."""
    known = frame[frame["sex"].isin(["M", "F"])]
    return pd.concat([frame.assign(sex="T"), known], ignore_index=True)


def by_affiliation(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row once in ALL and once in its own affiliation."""
    return pd.concat([frame.assign(affiliation="ALL"), frame], ignore_index=True)


def total(frame: pd.DataFrame, keys: list[str], column: str, name: str) -> pd.DataFrame:
    return frame.groupby(keys, dropna=False)[column].sum().rename(name).reset_index()


def population(inputs: Inputs, year: int) -> pd.DataFrame:
    """DOPA population of 31 December C.E. Y-544 (else the latest earlier year), by
    area_code, sex (T, M, F) and age."""
    pop = inputs.population
    pop = pop[pop["district_code"].astype(str).str.startswith(inputs.province)]
    years = sorted(y for y in pop["ce_year"].unique() if y <= year - 544)
    if not years:
        return pd.DataFrame(columns=["area_code", "sex", "age", "count"])
    pop = pop[pop["ce_year"] == years[-1]].rename(columns={"district_code": "district"})
    expanded = by_sex(by_area(pop.assign(district=pop["district"].astype(str)), inputs.province))
    return total(expanded, ["area_code", "sex", "age"], "count", "count")


def rate_cells(indicator: str, denominator: pd.DataFrame, numerator: pd.DataFrame,
               keys: list[str], unit: str = PERCENT) -> pd.DataFrame:
    """Cells of every combination of the denominator's keys with a denominator above 0;
    a missing numerator is 0."""
    cells = denominator.merge(numerator, on=keys, how="left")
    cells["numerator"] = cells["numerator"].fillna(0)
    return finish(indicator, cells[cells["denominator"] > 0], unit)


def finish(indicator: str, cells: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Fill the key columns an indicator is not broken down by, compute the value."""
    cells = cells.assign(indicator=indicator, unit=unit, flags="")
    for column, default in DEFAULTS.items():
        if column not in cells:
            cells[column] = default
    numerator = cells["numerator"].astype(float)
    denominator = cells["denominator"].astype(float)
    if unit == PERCENT:
        cells["value"] = 100 * numerator / denominator
    elif unit == COUNT:
        cells["value"] = numerator
    else:
        cells["value"] = numerator / denominator
    return cells[COLUMNS].reset_index(drop=True)
