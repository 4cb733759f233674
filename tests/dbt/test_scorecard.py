"""The data-quality scorecard (scorecard, scorecard_outliers, feedback_records) built with real dbt.

The `tiny` province is generated, served by the simulator servers and landed through the
real extraction into a fresh warehouse database, then `dbt build` builds the three models
and everything upstream (with their tests and the modified-z unit test). Each measure is
then worked out again here, from the raw zone, the register, the province configuration
or the marts the measure is defined on, and compared with what the models say:

- units_reporting: register units open on the census date (read from raw) against the
  units with learners; the term-1 gaps are the units int_unit_gaps flags;
- batches_reconciled: every raw batch counted once, reconciled against the rows found in
  every raw table; days_after_census from raw.batches;
- feedback_records: every raw.quarantine row with its key and reason, under the
  affiliation the province configuration gives its source; reasons from a documented
  set; the OBEC ID problems and valid_id_rate from raw citizen IDs;
- modified z of every unit recomputed with pandas; cells over population and the
  year-over-year change from the marts;
- last, a raw row deleted behind the loader's back: the reconciliation gate fails.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import psycopg
import pytest
import yaml

from edu_platform.dbt_runner import run_dbt
from edu_platform.paths import dbt_project_dir
from edu_platform.province_config import load_province
from edu_platform.thai_calendar import academic_year_and_term, census_date
from tests.integration.conftest import fresh_warehouse, land_simulated_province  # noqa: F401

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402
from edu_simulators.generator.ids import is_valid_citizen_id  # noqa: E402

pytestmark = pytest.mark.slow

PRESET = "tiny"
SEED = 21
BANGKOK = ZoneInfo("Asia/Bangkok")
# int_unit_gaps too: the scorecard's term-1 gaps are compared with it
SELECTION = ["+scorecard", "+scorecard_outliers", "+feedback_records", "+int_unit_gaps"]
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ID_REASONS = {"none": "missing_id", "malformed": "malformed_id",
              "citizen_invalid": "invalid_id_checksum"}


# -- fixtures and helpers -----------------------------------------------------------------

def build(warehouse_url: str, scratch: Path, selection: list[str]) -> tuple[int, str, dict]:
    """`dbt build` of the selection: return code, log and the run results by node."""
    result = run_dbt(["build", "--select", *selection, "--indirect-selection", "cautious",
                      "--target-path", str(scratch / "target"),
                      "--log-path", str(scratch / "logs")], warehouse_url)
    run_results = json.loads((scratch / "target" / "run_results.json").read_text())
    statuses = {entry["unique_id"]: entry["status"] for entry in run_results["results"]}
    return result.returncode, result.stdout + result.stderr, statuses


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(PRESET, seed=SEED, out=tmp_path_factory.mktemp(PRESET))


@pytest.fixture(scope="module")
def built(sim: Path, fresh_warehouse: str,  # noqa: F811
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, str, dict]]:
    """Every source landed into a fresh warehouse, then the scorecard and its upstream."""
    land_simulated_province(sim, fresh_warehouse)
    returncode, log, statuses = build(fresh_warehouse, tmp_path_factory.mktemp("dbt"),
                                      SELECTION)
    yield fresh_warehouse, returncode, log, statuses


@pytest.fixture(scope="module")
def warehouse(built: tuple[str, int, str, dict]) -> str:
    return built[0]


def frame(warehouse_url: str, statement: str) -> pd.DataFrame:
    with psycopg.connect(warehouse_url) as conn:
        cursor = conn.execute(statement)
        return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


def scorecard(warehouse_url: str, measure: str) -> pd.DataFrame:
    return frame(warehouse_url, f"select * from audit.scorecard where measure = '{measure}'")


def named(detail: object) -> set[str]:
    """The items a scorecard detail names (comma-joined), none for an empty detail."""
    return set(detail.split(", ")) if isinstance(detail, str) else set()


def bangkok_day(instant: datetime) -> date:
    return instant.astimezone(BANGKOK).date()


def configured_affiliations() -> dict[str, str]:
    """Source -> affiliation, as the province configuration gives it."""
    return {name: source["affiliation"] for name, source in
            load_province("rayong").sources.items() if "affiliation" in source}


def province_code(warehouse_url: str) -> str:
    return frame(warehouse_url, "select province_code from intermediate.int_province")[
        "province_code"].iloc[0]


# -- the build ----------------------------------------------------------------------------

def test_build_passes_its_error_tests_and_the_unit_tests(
        built: tuple[str, int, str, dict]) -> None:
    _, returncode, log, statuses = built
    assert returncode == 0, log[-5000:]
    unit_tests = {uid.rsplit(".", 1)[1]: status for uid, status in statuses.items()
                  if uid.startswith("unit_test.") and "scorecard" in uid}
    assert unit_tests == {name: "pass" for name in (
        "modified_z_by_hand", "duplicate_records_by_hand", "record_checks_by_hand",
        "scorecard_rollup_by_hand")}
    gate = [uid for uid in statuses if uid.startswith("test.edu_warehouse.every_batch_reconciles")]
    assert [statuses[uid] for uid in gate] == ["pass"]


# -- 3.1 coverage -------------------------------------------------------------------------

def expected_units(warehouse_url: str) -> pd.DataFrame:
    """Register units (raw, latest line per code) open on each census date."""
    register = frame(warehouse_url, "select affiliation, source_code, tambon_code, opened_on, "
                                    "closed_on, line_no::int as line_no "
                                    "from raw.peo_registry__units")
    register = (register.sort_values(["opened_on", "line_no"], na_position="first")
                .drop_duplicates(["affiliation", "source_code"], keep="last"))
    years = frame(warehouse_url, "select academic_year from audit.dim_academic_year")
    rows = []
    opened = register["opened_on"].fillna("")
    closed = register["closed_on"].fillna("").replace("", "9999-12-31")
    for year in years["academic_year"]:
        for term in (1, 2):
            census = census_date(int(year), term).isoformat()
            open_units = register[(opened != "") & (opened <= census) & (closed > census)]
            rows += [{"academic_year": int(year), "term": term,
                      "unit_key": f"{unit.affiliation}|{unit.source_code}",
                      "affiliation": unit.affiliation, "district_code": unit.tambon_code[:4]}
                     for unit in open_units.itertuples()]
    return pd.DataFrame(rows)


def delivered_units(warehouse_url: str) -> set[tuple[int, int, str]]:
    """Units with learners (or DLP registrations) in a census, closed codes for their heir."""
    rows = frame(warehouse_url, """
        select academic_year, term, unit_key from audit.fct_enrolment_counts
        union
        select academic_year, term, 'DLP|' || unit_code from staging.stg_dlp_itw__registration
        where status = 'registered'
    """)
    heirs = dict(frame(warehouse_url, "select unit_key, merged_into_unit_key from audit.dim_unit "
                                      "where merged_into_unit_key is not null").values)
    keys = set()
    for row in rows.itertuples():
        keys.add((row.academic_year, row.term, row.unit_key))
        if row.unit_key in heirs:
            keys.add((row.academic_year, row.term, heirs[row.unit_key]))
    return keys


def test_units_reporting_against_the_register(warehouse: str) -> None:
    expected = expected_units(warehouse)
    delivered = delivered_units(warehouse)
    expected["reported"] = [(row.academic_year, row.term, row.unit_key) in delivered
                            for row in expected.itertuples()]
    province = province_code(warehouse)
    by_affiliation = expected.assign(area_code=province)
    by_district = expected.assign(area_code=expected["district_code"], affiliation="ALL")
    everything = expected.assign(area_code=province, affiliation="ALL")
    wanted = (pd.concat([by_affiliation, by_district, everything])
              .groupby(["academic_year", "term", "affiliation", "area_code"])
              .agg(numerator=("reported", "sum"), denominator=("reported", "size"))
              .reset_index())
    actual = scorecard(warehouse, "units_reporting")
    merged = wanted.merge(actual, on=["academic_year", "term", "affiliation", "area_code"],
                          suffixes=("_expected", ""))
    assert len(merged) == len(wanted)
    assert (merged["numerator"] == merged["numerator_expected"]).all()
    assert (merged["denominator"] == merged["denominator_expected"]).all()
    assert ((merged["status"] == "warn") == (merged["value"] < 100)).all()
    # the units named as not reporting, province total of each affiliation
    for row in actual[actual["area_code"] == province].itertuples():
        scope = expected[(expected["academic_year"] == row.academic_year)
                         & (expected["term"] == row.term) & ~expected["reported"]]
        if row.affiliation != "ALL":
            scope = scope[scope["affiliation"] == row.affiliation]
        assert named(row.detail) == set(scope["unit_key"])


def test_term_one_gaps_are_the_units_flagged_unit_gap(warehouse: str) -> None:
    """The scorecard names the units the indicators flag `unit_gap` (no failed source here)."""
    province = province_code(warehouse)
    reported = scorecard(warehouse, "units_reporting")
    reported = reported[(reported["term"] == 1) & (reported["affiliation"] == "ALL")
                        & (reported["area_code"] == province)]
    from_scorecard = {(row.academic_year, key) for row in reported.itertuples()
                      for key in named(row.detail)}
    gaps = frame(warehouse, "select academic_year, unit_key from audit.int_unit_gaps")
    assert from_scorecard == set(gaps.itertuples(index=False, name=None))
    assert from_scorecard, "the tiny preset has gaps (a bad workbook, ONAB's missing school)"


# -- reconciliation and timeliness --------------------------------------------------------

def raw_batches(warehouse_url: str) -> pd.DataFrame:
    batches = frame(warehouse_url, "select * from raw.batches")
    tables = frame(warehouse_url, "select table_name from information_schema.tables "
                                  "where table_schema = 'raw' and table_name like '%\\_\\_%'")
    found = pd.concat([frame(warehouse_url, f"select _batch_id as batch_id, count(*) as rows "
                                            f"from raw.{name} group by 1")
                       for name in tables["table_name"]])
    quarantined = frame(warehouse_url, "select batch_id, sum(rows_counted) as quarantined "
                                       "from raw.quarantine group by 1")
    batches = (batches.merge(found.groupby("batch_id", as_index=False)["rows"].sum(),
                             on="batch_id", how="left")
               .merge(quarantined, on="batch_id", how="left").fillna({"rows": 0,
                                                                      "quarantined": 0}))
    affiliations = {"dopa_population": "DOPA", "peo_registry": "PEO"} | configured_affiliations()
    periods = [academic_year_and_term(bangkok_day(at)) for at in batches["extracted_at"]]
    return batches.assign(
        affiliation=batches["source"].map(affiliations),
        period_year=[int(year) if pd.notna(year) else period[0]
                     for year, period in zip(batches["academic_year"], periods, strict=True)],
        period_term=[int(term) if pd.notna(term) else period[1]
                     for term, period in zip(batches["term"], periods, strict=True)],
        reconciled=(batches["rows_received"] == batches["rows"] + batches["quarantined"])
        & (batches["rows_loaded"] == batches["rows"]))


def test_every_batch_is_counted_once_and_reconciled(warehouse: str) -> None:
    batches = raw_batches(warehouse)
    wanted = (batches.groupby(["period_year", "period_term", "affiliation"])
              .agg(numerator=("reconciled", "sum"), denominator=("reconciled", "size"))
              .reset_index())
    actual = scorecard(warehouse, "batches_reconciled")
    parts = actual[actual["affiliation"] != "ALL"]
    assert parts["denominator"].sum() == len(batches)
    assert actual[actual["affiliation"] == "ALL"]["denominator"].sum() == len(batches)
    merged = wanted.merge(parts, left_on=["period_year", "period_term", "affiliation"],
                          right_on=["academic_year", "term", "affiliation"],
                          suffixes=("_expected", ""))
    assert len(merged) == len(wanted) == len(parts)
    assert (merged["numerator"] == merged["numerator_expected"]).all()
    assert (merged["denominator"] == merged["denominator_expected"]).all()
    assert set(actual["area_code"]) == {province_code(warehouse)}


def test_days_after_census_from_the_batches(warehouse: str) -> None:
    batches = raw_batches(warehouse)
    batches = batches[batches["academic_year"].notna()].astype({"academic_year": int,
                                                               "term": int})
    actual = scorecard(warehouse, "days_after_census").set_index(
        ["academic_year", "term", "affiliation"])
    arrivals = {}
    for (year, term, affiliation), group in batches.groupby(
            ["academic_year", "term", "affiliation"]):
        stamps = group["source_timestamp"].dropna()
        arrived = stamps.max() if len(stamps) else group["extracted_at"].max()
        arrivals[year, term, affiliation] = arrived
        days = (bangkok_day(arrived) - census_date(year, term)).days
        assert actual.loc[(year, term, affiliation), "value"] == days
    for (year, term), _ in batches.groupby(["academic_year", "term"]):
        latest = max(at for key, at in arrivals.items() if key[:2] == (year, term))
        days = (bangkok_day(latest) - census_date(year, term)).days
        assert actual.loc[(year, term, "ALL"), "value"] == days


# -- feedback records ---------------------------------------------------------------------

def feedback(warehouse_url: str, problem: str) -> pd.DataFrame:
    return frame(warehouse_url, f"select * from audit.feedback_records where problem = '{problem}'")


def test_every_quarantined_row_is_fed_back_to_its_affiliation(warehouse: str) -> None:
    keys = ["source", "entity", "academic_year", "term", "record_key", "reason"]
    quarantine = frame(warehouse, "select * from raw.quarantine")
    fed_back = feedback(warehouse, "quarantined")

    def rows(table: pd.DataFrame) -> Counter:
        return Counter(tuple(None if pd.isna(v) else v for v in row)
                       for row in table[keys].itertuples(index=False))

    assert len(quarantine) > 0
    assert rows(fed_back) == rows(quarantine)
    configured = configured_affiliations()
    assert all(configured[row.source] == row.affiliation for row in fed_back.itertuples())


def documented_reasons() -> tuple[set[str], set[str]]:
    """Quarantine codes of docs/simulators.md (+ the loader's malformed_csv); every reason
    the feedback_records YAML accepts."""
    docs = (dbt_project_dir().parent / "docs" / "simulators.md").read_text(encoding="utf-8")
    paragraph = docs.split("Quarantine reason codes", 1)[1].split("\n\n", 1)[0]
    quarantine_codes = set(re.findall(r"`([a-z0-9_]+)`", paragraph)) | {"malformed_csv"}
    models = yaml.safe_load((dbt_project_dir() / "models" / "scorecard" /
                             "_scorecard__models.yml").read_text(encoding="utf-8"))
    feedback_model = next(m for m in models["models"] if m["name"] == "feedback_records")
    reason = next(c for c in feedback_model["columns"] if c["name"] == "reason")
    accepted = next(t["accepted_values"] for t in reason["data_tests"]
                    if isinstance(t, dict) and "accepted_values" in t)
    return quarantine_codes, set(accepted["arguments"]["values"])


def test_every_reason_is_documented(warehouse: str) -> None:
    quarantine_codes, accepted = documented_reasons()
    assert quarantine_codes <= accepted
    assert set(feedback(warehouse, "quarantined")["reason"]) <= quarantine_codes
    doubtful = set(feedback(warehouse, "doubtful")["reason"])
    assert doubtful <= accepted
    assert {"invalid_id_checksum", "missing_id", "unknown_birth_date"} <= doubtful


def id_class(typed: str | None) -> str:
    """Normalized and classified as indicators.md §1 says, written again here."""
    value = re.sub(r"[-\s.\u200b\u2010-\u2015]", "", (typed or "").translate(THAI_DIGITS)).upper()
    if value in ("", "NULL"):
        return "none"
    if re.fullmatch(r"[0-9]{13}", value):
        return "citizen_valid" if is_valid_citizen_id(value) else "citizen_invalid"
    return "gcode" if re.fullmatch(r"G[0-9]{12}", value) else "malformed"


def latest_obec_records(warehouse_url: str) -> pd.DataFrame:
    """OBEC student records as they stand: the latest version of each key per census."""
    raw = frame(warehouse_url, "select btrim(student_key) as record_key, citizen_id, "
                               "updated_at, _batch_id, _academic_year as academic_year, "
                               "_term as term from raw.obec_dmc__students")
    raw["updated"] = pd.to_datetime(raw["updated_at"].str.strip(), utc=True, format="ISO8601")
    raw = raw.sort_values(["updated", "_batch_id"], na_position="first")
    latest = raw.drop_duplicates(["academic_year", "term", "record_key"], keep="last")
    return latest.assign(id_class=latest["citizen_id"].map(id_class))


def test_obec_id_problems_are_fed_back_by_record_key(warehouse: str) -> None:
    records = latest_obec_records(warehouse)
    bad = records[records["id_class"].isin(ID_REASONS)]
    wanted = {(row.academic_year, row.term, row.record_key, ID_REASONS[row.id_class])
              for row in bad.itertuples()}
    fed_back = feedback(warehouse, "doubtful")
    fed_back = fed_back[(fed_back["source"] == "obec_dmc")
                        & fed_back["reason"].isin(ID_REASONS.values())]
    assert wanted
    assert set(fed_back[["academic_year", "term", "record_key", "reason"]]
               .itertuples(index=False, name=None)) == wanted
    assert set(fed_back["entity"]) == {"students"}
    assert fed_back["locator"].str.startswith("v1/students").all()


def test_valid_id_rate_of_obec(warehouse: str) -> None:
    records = latest_obec_records(warehouse)
    valid = records["id_class"].isin(["citizen_valid", "gcode"])
    wanted = (records.assign(valid=valid).groupby(["academic_year", "term"])
              .agg(numerator=("valid", "sum"), denominator=("valid", "size")))
    actual = scorecard(warehouse, "valid_id_rate")
    actual = actual[(actual["affiliation"] == "OBEC")
                    & (actual["area_code"] == province_code(warehouse))]
    actual = actual.set_index(["academic_year", "term"]).sort_index()
    assert (actual["numerator"] == wanted["numerator"]).all()
    assert (actual["denominator"] == wanted["denominator"]).all()
    assert actual["value"].tolist() == pytest.approx(
        (100 * wanted["numerator"] / wanted["denominator"]).tolist())


# -- outliers and consistency -------------------------------------------------------------

def test_modified_z_of_every_unit_recomputed(warehouse: str) -> None:
    counts = frame(warehouse, "select academic_year, affiliation, unit_key, learners "
                              "from audit.fct_enrolment_counts where term = 1")
    enrolment = counts.groupby(["academic_year", "affiliation", "unit_key"])["learners"].sum()
    rows = []
    for (year, affiliation, unit), learners in enrolment.items():
        previous = enrolment.get((year - 1, affiliation, unit))
        if previous:
            rows.append((year, affiliation, unit, 100 * (learners - previous) / previous))
    changes = pd.DataFrame(rows, columns=["academic_year", "affiliation", "unit_key", "change"])
    groups = changes.groupby(["academic_year", "affiliation"])["change"]
    median = groups.transform("median")
    mad = (changes["change"] - median).abs().groupby(
        [changes["academic_year"], changes["affiliation"]]).transform("median")
    changes["modified_z"] = (0.6745 * (changes["change"] - median) / mad).where(mad > 0)
    actual = frame(warehouse, "select * from audit.int_scorecard__unit_enrolment_changes")
    merged = changes.merge(actual, on=["academic_year", "affiliation", "unit_key"],
                           suffixes=("_expected", ""))
    assert len(merged) == len(changes) == len(actual) > 0
    assert merged["change"].tolist() == pytest.approx(merged["change_expected"].tolist())
    known = merged["modified_z_expected"].notna()
    assert merged.loc[known, "modified_z"].tolist() == pytest.approx(
        merged.loc[known, "modified_z_expected"].tolist())
    assert merged.loc[~known, "modified_z"].isna().all()
    outliers = frame(warehouse, "select academic_year, unit_key from audit.scorecard_outliers")
    wanted = changes[changes["modified_z"].abs() > 3.5]
    assert set(outliers.itertuples(index=False, name=None)) == set(
        wanted[["academic_year", "unit_key"]].itertuples(index=False, name=None))
    counted = scorecard(warehouse, "outlier_units")
    counted = counted[(counted["affiliation"] == "ALL")
                      & (counted["area_code"] == province_code(warehouse))]
    assert dict(zip(counted["academic_year"], counted["numerator"], strict=True)) == {
        year: len(wanted[wanted["academic_year"] == year])
        for year in changes["academic_year"].unique()}


def test_cells_enrolled_over_population(warehouse: str) -> None:
    enrolled = frame(warehouse, """
        select counts.academic_year, counts.district_code, counts.age, counts.sex,
            sum(counts.learners) as learners
        from audit.fct_enrolment_counts as counts
        where counts.term = 1 and counts.age is not null and counts.sex is not null
        group by 1, 2, 3, 4
    """)
    population = frame(warehouse, """
        select years.academic_year, population.district_code, population.age, population.sex,
            population.population
        from audit.fct_population as population
        inner join audit.dim_academic_year as years on population.ce_year = years.population_ce_year
    """)
    cells = enrolled.merge(population, how="left",
                           on=["academic_year", "district_code", "age", "sex"]).fillna(
        {"population": 0})
    over = cells[cells["learners"] > cells["population"]]
    actual = scorecard(warehouse, "cells_enrolled_over_population")
    assert set(actual["affiliation"]) == {"ALL"}
    by_area = actual.set_index(["academic_year", "area_code"])["numerator"]
    for (year, district), group in over.groupby(["academic_year", "district_code"]):
        assert by_area[(year, district)] == len(group)
    for year, group in over.groupby("academic_year"):
        assert by_area[(year, province_code(warehouse))] == len(group)
    assert by_area.sum() == 2 * len(over) > 0


def test_year_over_year_change_of_each_affiliation(warehouse: str) -> None:
    totals = frame(warehouse, "select academic_year, term, affiliation, sum(learners) as learners "
                              "from audit.fct_enrolment_counts group by 1, 2, 3")
    learners = totals.set_index(["academic_year", "term", "affiliation"])["learners"]
    actual = scorecard(warehouse, "year_over_year_change")
    actual = actual[actual["area_code"] == province_code(warehouse)]
    checked = 0
    for row in actual[actual["affiliation"] != "ALL"].itertuples():
        now = learners.get((row.academic_year, row.term, row.affiliation), 0)
        before = learners.get((row.academic_year - 1, row.term, row.affiliation), 0)
        assert (row.numerator, row.denominator) == (now - before, before)
        if before:
            assert row.value == pytest.approx(100 * (now - before) / before)
            checked += 1
    assert checked > 0


# -- last: the reconciliation gate (changes the module's database) --------------------------

def test_a_row_lost_from_the_raw_zone_fails_the_reconciliation_gate(
        warehouse: str, tmp_path: Path) -> None:
    with psycopg.connect(warehouse) as conn:
        batch_id = conn.execute("delete from raw.obec_dmc__students where ctid = "
                                "(select min(ctid) from raw.obec_dmc__students) "
                                "returning _batch_id").fetchone()[0]
    returncode, log, statuses = build(warehouse, tmp_path, [
        "int_scorecard__batches", "int_scorecard__reconciliation_items", "scorecard"])
    assert returncode != 0, log[-3000:]
    gate = [uid for uid in statuses if uid.startswith("test.edu_warehouse.every_batch_reconciles")]
    assert [statuses[uid] for uid in gate] == ["fail"]
    actual = scorecard(warehouse, "batches_reconciled")
    obec = actual[actual["affiliation"] == "OBEC"]
    assert (obec["denominator"] - obec["numerator"]).sum() == 1
    assert f"batch {batch_id} obec_dmc students" in " ".join(obec["detail"].dropna())
