"""NFE_ENR: DLP equivalency learners registered in semester 1 of Y (a count)."""

from __future__ import annotations

import pandas as pd

from .cells import by_area, by_sex, finish
from .codes import COUNT, nfe_age_group
from .inputs import Inputs
from .learners import failed, placed


def nfe_enrolment(records: pd.DataFrame, inputs: Inputs, year: int) -> pd.DataFrame:
    """Distinct DLP learner_ids by DLP level, age group, area and sex; cells with a count."""
    registered = records[(records["source"] == "DLP") & (records["academic_year"] == year)
                         & (records["term"] == 1) & (records["status"] == "registered")]
    registered = registered[~failed(registered, inputs)]
    registered = registered.assign(
        district=placed(registered, inputs),
        level=registered["grade"],
        age_group=pd.to_numeric(registered["age"]).astype("float64").map(nfe_age_group),
    )
    registered = registered[registered["district"].str.startswith(inputs.province, na=False)]
    keys = ["academic_year", "area_code", "level", "age_group", "sex"]
    counts = by_sex(by_area(registered, inputs.province)).groupby(keys)["dlp_learner_id"]
    cells = counts.nunique().rename("numerator").reset_index()
    cells = cells[cells["numerator"] > 0].assign(denominator=float("nan"))
    return finish("NFE_ENR", cells, COUNT)
