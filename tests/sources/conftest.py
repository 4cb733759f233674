"""REST connectors against the real simulator servers and the real warehouse.

The simulated province (`tiny`) is generated once per session. Each test gets
its own copy of what the servers serve, with the academic year 2566 (C.E. 2023)
renamed to a test-only year, so that tests never touch rows of real years in
the shared warehouse; the rows a test relies on are deleted before it runs.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from edu_platform.databases import resolve_databases
from edu_platform.landing.extract import ExtractionSummary, run_extraction
from edu_platform.province_config import ProvinceConfig, load_province

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import Imperfections, generate  # noqa: E402
from edu_simulators.servers import Endpoints, Faults, running_servers  # noqa: E402

SERVED_YEAR = 2566  # the generated year the tests serve, renamed to TEST_YEAR
TEST_YEAR = 2599  # B.E.; no real pipeline run ever loads it
NOT_HELD_YEAR = 2598  # nothing served for it
TERM = 1
LISTS = ("schools.json", "colleges.json")  # served whatever the year
BE_TO_CE = 543
# Settings that keep fault tests fast: short backoff, short timeouts.
FAST = {"timeout_seconds": 5, "connect_timeout_seconds": 2, "retries": 4,
        "backoff_seconds": 0.05, "backoff_max_seconds": 0.5, "max_total_seconds": 60}


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # More missing keys and merged cells than the default, so that quarantine and
    # merged ranges are exercised on `tiny` whatever the seed draws.
    rates = dataclasses.replace(Imperfections(), missing_key=0.05, dla_merged_cell=0.5)
    return generate("tiny", seed=11, out=tmp_path_factory.mktemp("sim"), imperfections=rates)


def _test_name(name: str) -> str:
    """served/<system>/<entity>_<year>_<term>.<ext> with SERVED_YEAR moved to the test year."""
    for served, test in ((SERVED_YEAR, TEST_YEAR), (SERVED_YEAR - BE_TO_CE, TEST_YEAR - BE_TO_CE)):
        name = name.replace(f"_{served}_", f"_{test}_")
    return name


@pytest.fixture
def sim_dir(generated: Path, tmp_path: Path) -> Path:
    """This test's own served/ folder: only the served year (as TEST_YEAR) and the lists."""
    out = tmp_path / "sim"
    for source in (generated / "served").iterdir():
        target = out / "served" / source.name
        target.mkdir(parents=True)
        for path in source.iterdir():
            name = _test_name(path.name)
            if name != path.name or path.name in LISTS:  # other years are not served
                shutil.copyfile(path, target / name)
    onab = out / "served" / "onab" / f"enrolment_{TEST_YEAR}_{TERM}.json"
    report = json.loads(onab.read_text(encoding="utf-8"))
    onab.write_text(json.dumps({**report, "year": TEST_YEAR}, ensure_ascii=False),
                    encoding="utf-8")
    return out


@pytest.fixture
def servers(sim_dir: Path) -> Iterator[Endpoints]:
    with running_servers(sim_dir, faults=Faults()) as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def warehouse_url() -> str:
    """The project's warehouse (the `runtime` fixture's, started the same way).

    Not `runtime` itself: these tests need neither Airflow's metadata database
    nor the dbt manifest, and should not fail when the dbt project does not parse.
    """
    databases = resolve_databases()
    databases.prepare()
    return databases.warehouse_url


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, servers: Endpoints, sim_dir: Path) -> dict[str, str]:
    values = servers.env(sim_dir / "drop", "sqlite:///unused")
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def clean_source(conn: psycopg.Connection, source: str) -> None:
    """Forget the test years (and the year-less lists) of one source in the raw zone.

    Also takes a session advisory lock, held until `conn` closes (the end of the
    test): two test runs against the shared warehouse (two engineers, a watcher)
    then take turns test by test instead of cleaning each other's rows, or
    deadlocking in concurrent batch loads.
    """
    conn.execute("SELECT pg_advisory_lock(hashtext('tests.sources: raw zone'))")
    years = [TEST_YEAR, NOT_HELD_YEAR]
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for table in entity_tables(conn, source):
        conn.execute(sql.SQL("DELETE FROM {} WHERE _academic_year = ANY(%s) "
                             "OR _academic_year IS NULL").format(sql.Identifier("raw", table)),
                     [years])
    if conn.execute("SELECT to_regclass('raw.batches')").fetchone()[0]:
        conn.execute("DELETE FROM raw.batches WHERE source = %s AND (academic_year = ANY(%s) "
                     "OR academic_year IS NULL)", [source, years])
        conn.execute("DELETE FROM raw.watermarks WHERE source = %s AND academic_year = ANY(%s)",
                     [source, years])


def entity_tables(conn: psycopg.Connection, source: str) -> list[str]:
    rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE "
                        "table_schema = 'raw' AND table_name LIKE %s ORDER BY 1",
                        [f"{source}\\_\\_%"]).fetchall()
    return [row[0] for row in rows]


def raw_state(conn: psycopg.Connection, source: str) -> dict[str, tuple[int, str]]:
    """(rows, checksum of every column) per table of the source's test years, and its books."""
    state: dict[str, tuple[int, str]] = {}
    scope = "(_academic_year = %s OR _academic_year IS NULL)"
    for table in entity_tables(conn, source):
        state[table] = conn.execute(sql.SQL(
            "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') "
            "FROM {} t WHERE " + scope).format(sql.Identifier("raw", table)),
            [TEST_YEAR]).fetchone()
    for books in ("batches", "quarantine"):
        state[books] = conn.execute(sql.SQL(
            "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') "
            "FROM raw.{} t WHERE source = %s AND (academic_year = %s OR academic_year IS NULL)"
        ).format(sql.Identifier(books)), [source, TEST_YEAR]).fetchone()
    return state


def rows_of(conn: psycopg.Connection, source: str, entity: str, year: int | None = TEST_YEAR
            ) -> int:
    table = sql.Identifier("raw", f"{source}__{entity}")
    if year is None:
        return conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE _academic_year IS NULL"
                                    ).format(table)).fetchone()[0]
    return conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE _academic_year = %s"
                                ).format(table), [year]).fetchone()[0]


def quarantined(conn: psycopg.Connection, source: str, entity: str) -> list[tuple[str, str]]:
    return conn.execute("SELECT coalesce(record_key, ''), reason FROM raw.quarantine "
                        "WHERE source = %s AND entity = %s AND academic_year = %s ORDER BY 1",
                        [source, entity, TEST_YEAR]).fetchall()


def batches_of(conn: psycopg.Connection, source: str, entity: str) -> int:
    return conn.execute("SELECT count(*) FROM raw.batches WHERE source = %s AND entity = %s "
                        "AND academic_year = %s", [source, entity, TEST_YEAR]).fetchone()[0]


def jsonl_records(path: Path) -> list[Any]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def province_for(source: str, **settings: Any) -> ProvinceConfig:
    """Rayong's config with this source's block (env: credentials) plus test settings."""
    base = load_province("rayong")
    block = {**base.sources[source], **FAST, **settings}
    return dataclasses.replace(base, sources={**base.sources, source: block})


Extract = Callable[..., ExtractionSummary]


@pytest.fixture
def extract(warehouse_url: str, env: dict[str, str]) -> Extract:
    """run_extraction for one source with settings, for the test year unless told."""
    def run(source: str, year: int = TEST_YEAR, **settings: Any) -> ExtractionSummary:
        return run_extraction(province_for(source, **settings), source, year, TERM,
                              warehouse_url)
    return run


def statuses(summary: ExtractionSummary) -> dict[str, str]:
    return {batch.entity: batch.status for batch in summary.batches}
