"""Section 6 of indicators.md: the flags of a cell."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .codes import DIRTY_THRESHOLD, FLOW_AFFILIATIONS, FORMAL_AFFILIATIONS, LOW_N_THRESHOLD

RECONSTRUCTED_FLOWS = {"REP", "PROM", "DROP", "TRANS"}
COHORT_FLOWS = {f"{code}_COHORT" for code in RECONSTRUCTED_FLOWS}
NO_LOW_N = {"PTR", "QUAL_TCH", "CERT_TCH", "GPI_GER", "GPIA_GER", "NFE_ENR"}
ADMISSION_BOUNDED = {"NER", "ANER"}


def feeding_affiliations(indicator: str) -> list[str]:
    """The affiliations whose data an indicator uses (for `incomplete` on ALL cells)."""
    if indicator == "NFE_ENR":
        return ["DLP"]
    if indicator in RECONSTRUCTED_FLOWS:
        return FLOW_AFFILIATIONS
    if indicator in COHORT_FLOWS:  # unit records only: ONAB gives no persons
        return [a for a in FORMAL_AFFILIATIONS if a != "ONAB"]
    return FORMAL_AFFILIATIONS


def years_used(indicator: str, year: int) -> list[int]:
    """Flow rates labelled t use the censuses of t and t+1."""
    return [year, year + 1] if indicator in RECONSTRUCTED_FLOWS | COHORT_FLOWS else [year]


def cell_flags(cell: pd.Series, province: str, gaps: Callable[[int], set[tuple[str, str]]],
               failed_in: Callable[[str, int], bool]) -> str:
    flags = set()
    if cell["indicator"] in ADMISSION_BOUNDED and cell["value"] > 100:
        flags.add("dirty" if cell["value"] > DIRTY_THRESHOLD else "capped")
    if cell["indicator"] in RECONSTRUCTED_FLOWS and not 0 <= cell["value"] <= 100:
        flags.add("out_of_range")
    if cell["indicator"] not in NO_LOW_N and cell["denominator"] < LOW_N_THRESHOLD:
        flags.add("low_n")
    affiliation = cell["affiliation"]
    for year in years_used(cell["indicator"], cell["academic_year"]):
        for district, gap_affiliation in gaps(year):
            in_area = cell["area_code"] in (province, district)
            if in_area and affiliation in ("ALL", gap_affiliation):
                flags.add("unit_gap")
        feeding = feeding_affiliations(cell["indicator"]) if affiliation == "ALL" else [affiliation]
        if any(failed_in(a, year) for a in feeding):
            flags.add("incomplete")
    return ",".join(sorted(flags))


def add_flags(cells: pd.DataFrame, province: str, gaps: Callable[[int], set[tuple[str, str]]],
              failed_in: Callable[[str, int], bool]) -> pd.DataFrame:
    if cells.empty:
        return cells
    flags = cells.apply(cell_flags, axis=1, args=(province, gaps, failed_in))
    return cells.assign(flags=flags)
