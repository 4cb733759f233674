"""Reference indicators: an independent pandas computation of every indicator of
``shared/domain/indicators.md`` from the simulator's ground-truth ledger.

It reads only ``ledger/``, ``drop/registry/units.csv``, ``served/onab/`` and (for the
``merged_into`` of closed OBEC schools) ``served/obec/schools.json``, and shares no code
with the dbt models: it is the yardstick they are tested against.

Interpretations
---------------
Where the rules are silent, this module decides as follows.

1. Readability before replacement: only readable records take part; for OPEC and DLA the
   newest *readable* delivery of a file (same ``container``, latest ``source_ts``) replaces
   older ones, so a re-delivery rejected whole leaves the previous delivery standing. Then
   one record per source key, latest ``source_ts`` (an exact tie keeps the later ledger row).
   Teacher records carry no ``source_ts`` in the ledger contract: the last copy of a key wins.
2. Same person: records with a usable ID (``citizen_valid`` or ``gcode``) are linked when
   their ``id_norm`` are equal or one's ``previous_id_norm`` equals another's ``id_norm``;
   links are transitive (connected components). Two records that merely share the same
   ``previous_id_norm`` (which no record carries as its ID) are not linked.
3. A unit is "closed" in the register when ``closed_on`` is on or before the term-1 census
   date of the year counted; it is "expected" for a term when ``opened_on`` <= census date <
   ``closed_on``. A closed OBEC school with ``merged_into`` counts in the district of that
   school (register, else ``schools.json``), else in its own register district. A unit's
   records reported under a closed code count as delivered by the ``merged_into`` school too.
4. A learner or teacher whose unit's district is not in the province (or unknown) is not
   counted. Teacher records have no tambon: a unit the register lacks is placed by the
   tambon its learner records give (most frequent).
5. GIR_LAST = (E(g, Y) - R(g, Y)) / P(11 or 14), E over every formal affiliation and any age,
   R = learners flagged repeating in year Y. DLA records have no repeater column: there
   their learners count as non-repeaters (R = 0); they are left out of the reconstructed
   flows (both years) by rule. ONAB rows: ``repeaters`` of a cell are R, the rest are not;
   an age that is not an integer is unknown; a grade other than ม.1-ม.6 is skipped.
6. Cells of indicators not broken down by a key carry ``affiliation=ALL``, ``sex=T`` (GPI,
   GPIA, teacher indicators), ``level=''`` where ``grade`` is given, ``age_group=''`` except
   NFE_ENR. GER cells exist for ``ALL`` and every formal affiliation present in the register
   (DLA, OBEC, ONAB, OPEC, OVEC), zero numerators included. PTR cells exist where FTE > 0.
7. ANER counts official-age learners in the level or any higher ISCED level, by the order
   01 < 02 < 1 < 24 < 34 < 35 < 55 < 6 (ISCED 01 never counts). OOSR: numerator = population
   minus ANER's numerator, denominator = population, value = 100 - ANER, ANER's flags.
8. TRANS and TRANS_COHORT are labelled ``grade=P6`` (the grade of origin). DROP's numerator is
   E(g,t) - promotees - repeaters, so its value is 100 - PROM - REP.
9. Teachers: staff records of term 1 of Y, directors and staff with no level taught excluded;
   FTE split equally over all levels taught (ECD, ปวส., ป.ตรี included), only the four ratio
   levels published. Staff are not de-duplicated across units. PTR's numerator is E(level)
   of the learners whose kept record is in that affiliation (ALL: every one). ONAB: ``total``,
   ``with_bachelor`` and ``with_license`` are each multiplied by level count / sum of level
   counts (so PTR's FTE, and QUAL/CERT's headcount, add up to the school's total; equal to
   the per-level counts when those add up to the total).
10. Cohort rates: persons are components over the IDs of both censuses (t and t+1, usable IDs
   only, all formal unit-record affiliations incl. DLA), one kept record per person and
   census by the §1.5 tie-breaks; area and sex are those of the census-t record.
11. ``unit_gap`` (literal reading of §6): every cell of the gap unit's district and of the
   province, for ``ALL`` and the unit's affiliation, whatever the indicator; DLP learning
   centres count as units. "Delivered" = at least one readable learner record of term 1
   (any status). Flow rates labelled t take the gaps of both censuses t and t+1.
12. ``incomplete`` (parameter ``failed_affiliations``: codes for every year, or
   ``(code, year)`` pairs): the failed affiliation's data are left out, its units are not
   reported as gaps, and its own cells and the ``ALL`` cells of indicators it feeds are
   flagged (formal indicators: the formal affiliations; reconstructed flows: OBEC, OVEC,
   OPEC, ONAB; cohort flows: unit-record formal ones; NFE_ENR: DLP). Flow rates take
   failures of t and t+1.
13. ``low_n``: denominator < 30 for GER, NER, ANER, OOSR, OVERAGE, GIR_LAST and flow rates
   (population, enrolment or persons); never for PTR, QUAL_TCH, CERT_TCH, GPI, GPIA, NFE_ENR.
14. A year has formal indicators when it has a term-1 census (a formal learner record, or an
   ONAB report with schools); flow rates for t need that census for t+1 too. NFE_ENR cells
   exist for every year with DLP records.
15. Population of C.E. Y-544, else the latest earlier year in ``population.parquet``;
   ``T`` = M + F; the province = the sum of its districts.
16. NFE_ENR: DLP records (latest per ``reg_id``) of term 1 of Y with status ``registered``;
   area = the centre's district (register, else the record's tambon); a learner registered
   in two districts counts in each, and once in the province; age group from ``age``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .cells import COLUMNS, population
from .codes import FORMAL_AFFILIATIONS
from .flags import add_flags
from .flows import cohort_flows, reconstructed_flows
from .inputs import Inputs, read_inputs
from .learners import census_records, enrolment, latest_per_key, unit_gaps
from .nfe import nfe_enrolment
from .ratios import aner, gender_parity, ger, gir_last, ner, oosr, overage
from .teachers import teacher_indicators, teachers

__all__ = ["compute_reference", "write_reference"]

SORT_KEYS = ["indicator", "academic_year", "area_code", "affiliation", "level", "grade",
             "age_group", "sex"]


def parse_failed(failed_affiliations: Iterable[str | tuple[str, int]]) -> set:
    return {(f, None) if isinstance(f, str) else (f[0], int(f[1])) for f in failed_affiliations}


def census_years(records: pd.DataFrame, inputs: Inputs) -> set[int]:
    """Years with a formal term-1 census: a learner record or a non-empty ONAB report."""
    years = set(census_records(records)["academic_year"].astype(int))
    return years | {year for (year, term), report in inputs.onab.items()
                    if term == 1 and report.get("schools")}


def formal_cells(records: pd.DataFrame, inputs: Inputs, year: int,
                 enrolments: dict[int, pd.DataFrame]) -> list[pd.DataFrame]:
    """Every formal-education indicator labelled `year`, before flags (OOSR comes after)."""
    province = inputs.province
    enrolled = enrolments[year]
    pop = population(inputs, year)
    affiliations = sorted(set(inputs.registry["affiliation"]) & set(FORMAL_AFFILIATIONS))
    ger_cells = ger(enrolled, pop, province, year, affiliations)
    cells = [ger_cells, gender_parity(ger_cells), ner(enrolled, pop, province, year),
             aner(enrolled, pop, province, year), overage(enrolled, province),
             gir_last(enrolled, pop, province, year),
             *teacher_indicators(enrolled, teachers(inputs, year), province)]
    if year + 1 in enrolments:
        cells += reconstructed_flows(enrolled, enrolments[year + 1], province, year)
        cells += cohort_flows(records, inputs, year)
    return cells


def compute_reference(sim_dir: Path, province_code: str | None = None,
                      failed_affiliations: Iterable[str | tuple[str, int]] = ()) -> pd.DataFrame:
    """Every published cell of every indicator, unrounded and uncapped, with its flags."""
    inputs = read_inputs(Path(sim_dir), province_code, parse_failed(failed_affiliations))
    records = latest_per_key(inputs.learners)
    formal_years = sorted(census_years(records, inputs))
    dlp_years = sorted(set(records.loc[records["source"] == "DLP", "academic_year"].astype(int)))
    enrolments = {year: enrolment(records, inputs, year) for year in formal_years}
    gaps = {year: unit_gaps(records, inputs, year) for year in {*formal_years, *dlp_years}}

    cells = [cell for year in formal_years
             for cell in formal_cells(records, inputs, year, enrolments)]
    cells += [nfe_enrolment(records, inputs, year) for year in dlp_years]
    cells = [c for c in cells if not c.empty]
    if not cells:
        return pd.DataFrame(columns=COLUMNS)
    flagged = add_flags(pd.concat(cells, ignore_index=True), inputs.province,
                        lambda year: gaps.get(year, set()), inputs.failed_in)
    result = pd.concat([flagged, oosr(flagged)], ignore_index=True)
    result["academic_year"] = result["academic_year"].astype(int)
    return result.sort_values(SORT_KEYS, kind="stable").reset_index(drop=True)[COLUMNS]


def write_reference(sim_dir: Path, **options) -> Path:
    """Write ``sim_dir/reference/indicators.csv`` (UTF-8, sorted) and return its path."""
    path = Path(sim_dir) / "reference" / "indicators.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    compute_reference(Path(sim_dir), **options).to_csv(path, index=False, encoding="utf-8",
                                                      lineterminator="\n")
    return path
