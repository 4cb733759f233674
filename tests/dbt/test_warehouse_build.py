"""The warehouse layers (staging, intermediate, marts) built with real dbt on the `tiny` preset.

The `tiny` province is generated, served by the simulator servers, landed through the real
extraction into a fresh warehouse database (the dev warehouse is never touched), and built
with `dbt build` of the seeds, staging, intermediate and marts (and their tests).
Then:

- the build passes its error tests (warn tests may warn);
- staging accounts for every raw row (staging rows + excluded rows = raw rows, per table);
- no column of any mart holds a 13-digit ID with a valid check digit, a G-code, or a name
  from the source data;
- fct_enrolment's term-1 learners per (year, affiliation, district) equal what the
  reference pipeline's de-duplication keeps (`edu_simulators.reference.learners`), and
  fct_cohort_link's persons (year, district, grade, next grade) equal its cohorts.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from psycopg import sql

from edu_platform.dbt_runner import run_dbt
from edu_platform.landing.extract import run_extraction
from edu_platform.province_config import load_province
from edu_platform.pseudonym_key import install_pseudonym_function
from tests.integration.conftest import fresh_warehouse  # noqa: F401  (module fixture)

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402
from edu_simulators.reference.inputs import read_inputs  # noqa: E402
from edu_simulators.reference.learners import (  # noqa: E402
    census_records,
    has_usable_id,
    keep_one_per_person,
    latest_per_key,
    learner_enrolment,
    person_labels,
    placed,
)
from edu_simulators.servers import running_servers  # noqa: E402

pytestmark = pytest.mark.slow

PRESET = "tiny"
SEED = 21

# staging model -> raw table it is 1:1 with
STAGING_OF_RAW = {
    "stg_obec_dmc__schools": "obec_dmc__schools",
    "stg_obec_dmc__students": "obec_dmc__students",
    "stg_obec_dmc__teachers": "obec_dmc__teachers",
    "stg_ovec_vec__colleges": "ovec_vec__colleges",
    "stg_ovec_vec__enrollments": "ovec_vec__enrollments",
    "stg_ovec_vec__teachers": "ovec_vec__teachers",
    "stg_opec_psis__schools": "opec_psis__schools",
    "stg_opec_psis__students": "opec_psis__students",
    "stg_opec_psis__teachers": "opec_psis__teachers",
    "stg_dla_lec__units": "dla_lec__units",
    "stg_dla_lec__learners": "dla_lec__learners",
    "stg_dla_lec__staff": "dla_lec__staff",
    "stg_dlp_itw__center": "dlp_itw__center",
    "stg_dlp_itw__facilitator": "dlp_itw__facilitator",
    "stg_dlp_itw__learner": "dlp_itw__learner",
    "stg_dlp_itw__registration": "dlp_itw__registration",
    "stg_onab_report__enrolment": "onab_report__enrolment",
    "stg_onab_report__teachers": "onab_report__teachers",
    "stg_dopa_population__population": "dopa_population__population",
    "stg_peo_registry__units": "peo_registry__units",
}

# raw tables and columns holding person names (clear), to look for in the marts
NAME_COLUMNS = {
    "obec_dmc__students": ["first_name", "last_name"],
    "ovec_vec__enrollments": ['"firstNameTh"', '"lastNameTh"'],
    "opec_psis__students": ["first_name", "last_name"],
    "dla_lec__learners": ["full_name"],
    "dlp_itw__learner": ["fname", "lname"],
}
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# an ID not part of a longer word (a hex pseudonym or hash may hold 13 digits in a row)
CANDIDATE_ID = re.compile(r"(?<![0-9A-Za-z])(G[0-9]{12}|[0-9]{13})(?![0-9A-Za-z])")


def valid_citizen_id(digits: str) -> bool:
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def clear_ids_in(value: str) -> list[str]:
    text = value.translate(THAI_DIGITS)
    text = re.sub(r"(?<=[0-9])[- ](?=[0-9])", "", text)  # 1-2345-67890-12-1
    return [m for m in CANDIDATE_ID.findall(text)
            if m.startswith("G") or valid_citizen_id(m)]


# -- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(PRESET, seed=SEED, out=tmp_path_factory.mktemp(PRESET))


@pytest.fixture(scope="module")
def built(sim: Path, fresh_warehouse: str,  # noqa: F811
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """Every source landed into a fresh warehouse, then `dbt build --select +marts`."""
    with psycopg.connect(fresh_warehouse) as conn:
        install_pseudonym_function(conn, "test-" + secrets.token_hex(16))
        conn.commit()
    province = load_province("rayong")
    monkey = pytest.MonkeyPatch()
    with running_servers(sim) as endpoints:
        env = endpoints.env(drop_dir=sim / "drop",
                            dlp_url=f"sqlite:///{sim / 'dlp' / 'itw.sqlite'}")
        for key, value in env.items():
            monkey.setenv(key, str(value))
        for source in province.sources:
            for year in province.academic_years:
                for term in (1, 2):
                    run_extraction(province, source, year, term, fresh_warehouse)
    monkey.undo()
    scratch = tmp_path_factory.mktemp("dbt")
    # cautious: tests of models outside the selection (indicators) are not run here
    result = run_dbt(["build", "--select", "+path:models/marts", "path:models/staging",
                      "path:models/intermediate",
                      "--indirect-selection",
                      "cautious",
                      "--target-path", str(scratch / "target"),
                      "--log-path", str(scratch / "logs")], fresh_warehouse)
    yield fresh_warehouse, result


def query(warehouse_url: str, statement: sql.Composable | str) -> list[tuple]:
    with psycopg.connect(warehouse_url) as conn:
        return conn.execute(statement).fetchall()


def marts_schema(warehouse_url: str) -> str:
    """The schema the marts are built in (`marts` by dbt_project.yml; else the target's)."""
    rows = query(warehouse_url, "select table_schema from information_schema.tables "
                                "where table_name = 'fct_enrolment' "
                                "order by table_schema = 'marts' desc limit 1")
    assert rows, "fct_enrolment was not built"
    return rows[0][0]


# -- tests --------------------------------------------------------------------------------

def test_build_passes_its_error_tests(built: tuple[str, object]) -> None:
    _, result = built
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert "ERROR=0" in log, log[-5000:]


def test_staging_accounts_for_every_raw_row(built: tuple[str, object]) -> None:
    warehouse_url, _ = built
    excluded = dict(query(warehouse_url,
                          "select model, sum(excluded_rows) "
                          "from intermediate.int_staging_exclusions group by 1"))
    mismatches = {}
    for model, raw_table in STAGING_OF_RAW.items():
        raw_rows = query(warehouse_url, sql.SQL("select count(*) from raw.{}").format(
            sql.Identifier(raw_table)))[0][0]
        staged = query(warehouse_url, sql.SQL("select count(*) from staging.{}").format(
            sql.Identifier(model)))[0][0]
        if staged + excluded.get(model, 0) != raw_rows:
            mismatches[model] = (raw_rows, staged, excluded.get(model, 0))
    assert mismatches == {}


def mart_text_values(warehouse_url: str) -> dict[tuple[str, str], set[str]]:
    schema = marts_schema(warehouse_url)
    marts = ["dim_area", "dim_unit", "dim_level", "dim_academic_year", "fct_enrolment",
             "fct_enrolment_counts", "fct_teacher", "fct_population", "fct_nfe_registration",
             "fct_cohort_link"]
    columns = query(warehouse_url, sql.SQL(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = {} and table_name = any({}) order by 1, 2").format(
        sql.Literal(schema), sql.Literal(marts)))
    values = {}
    for table, column in columns:
        rows = query(warehouse_url, sql.SQL("select distinct {}::text from {}.{} where {} "
                                            "is not null").format(
            sql.Identifier(column), sql.Identifier(schema), sql.Identifier(table),
            sql.Identifier(column)))
        values[table, column] = {row[0] for row in rows}
    return values


def test_no_clear_identifier_or_name_in_any_mart(built: tuple[str, object]) -> None:
    warehouse_url, _ = built
    names = set()
    for table, columns in NAME_COLUMNS.items():
        for column in columns:
            rows = query(warehouse_url, f"select distinct btrim({column}) from raw.{table}")
            names |= {row[0] for row in rows if row[0]}
    # a full name also shows its parts (prefix + first name, last name)
    names |= {part for name in list(names) for part in name.split() if len(part) > 2}
    findings = {}
    for (table, column), values in mart_text_values(warehouse_url).items():
        ids = [v for v in values if clear_ids_in(v)]
        named = values & names
        if ids or named:
            findings[f"{table}.{column}"] = (len(ids), len(named))
    assert findings == {}


def reference_learners(sim: Path) -> pd.DataFrame:
    inputs = read_inputs(sim, None, set())
    records = latest_per_key(inputs.learners)
    frames = []
    for year in sorted(set(census_records(records)["academic_year"].astype(int))):
        kept = learner_enrolment(records, inputs, year)
        kept = kept[kept["district"].str.startswith(inputs.province, na=False)]
        frames.append(kept.groupby(["academic_year", "affiliation", "district"]).size()
                      .rename("expected").reset_index())
    return pd.concat(frames, ignore_index=True)


def test_enrolment_counts_equal_the_reference_deduplication(
        sim: Path, built: tuple[str, object]) -> None:
    warehouse_url, _ = built
    actual = pd.DataFrame(
        query(warehouse_url, sql.SQL(
            "select academic_year, affiliation, district_code, count(*) "
            "from {}.fct_enrolment where term = 1 group by 1, 2, 3").format(
            sql.Identifier(marts_schema(warehouse_url)))),
        columns=["academic_year", "affiliation", "district", "actual"])
    expected = reference_learners(sim)
    merged = expected.merge(actual, how="outer", on=["academic_year", "affiliation", "district"])
    merged = merged.fillna(0)
    differing = merged[merged["expected"] != merged["actual"]]
    assert len(expected) > 0
    assert differing.empty, differing.to_string()


def reference_cohorts(sim: Path) -> pd.DataFrame:
    """Persons of the census of t with their grade at t+1, as the reference follows them."""
    inputs = read_inputs(sim, None, set())
    records = latest_per_key(inputs.learners)
    years = sorted(set(census_records(records)["academic_year"].astype(int)))
    frames = []
    for year in years[:-1]:
        census = census_records(records, [year, year + 1])
        census = census[has_usable_id(census)]
        kept = keep_one_per_person(census.assign(label=person_labels(census)))
        kept = kept.assign(district=placed(kept, inputs))
        kept = kept[kept["district"].str.startswith(inputs.province, na=False)]
        now = kept[kept["academic_year"] == year]
        later = kept[kept["academic_year"] == year + 1].set_index("label")["grade"]
        persons = now.assign(next_grade=now["label"].map(later).fillna("-"))
        frames.append(persons.groupby(["academic_year", "district", "grade", "next_grade"])
                      .size().rename("expected").reset_index())
    return pd.concat(frames, ignore_index=True)


def test_cohort_links_equal_the_reference_cohorts(sim: Path, built: tuple[str, object]) -> None:
    warehouse_url, _ = built
    expected = reference_cohorts(sim)
    years = sorted(set(expected["academic_year"]))
    actual = pd.DataFrame(
        query(warehouse_url, sql.SQL(
            "select academic_year, district_code, grade, coalesce(next_grade, '-'), count(*) "
            "from {}.fct_cohort_link where academic_year = any({}) group by 1, 2, 3, 4"
        ).format(sql.Identifier(marts_schema(warehouse_url)), sql.Literal(years))),
        columns=["academic_year", "district", "grade", "next_grade", "actual"])
    keys = ["academic_year", "district", "grade", "next_grade"]
    merged = expected.merge(actual, how="outer", on=keys).fillna(0)
    differing = merged[merged["expected"] != merged["actual"]]
    assert len(expected) > 0
    assert differing.empty, differing.to_string()
