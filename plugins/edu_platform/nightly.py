"""The main job: the nightly pipeline for one province, end to end, in one process."""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg

from edu_platform.airflow_runner import DagRunOutcome, run_dags_in_process
from edu_platform.dbt_docs import generate_docs
from edu_platform.province_config import ProvinceConfig
from edu_platform.release.catalog import CatalogEntry, latest_release
from edu_platform.setup_runtime import Progress, Runtime

BUILD_DAG_ID = "build_warehouse"


STAGES = ("extract", "build", "docs")
DOCS_STEP = "generating the dbt documentation for analysts (edu docs --serve shows it)"
# The extract DAGs are independent (as the scheduler runs them): this many processes
# run them side by side; 2 measured best on a 2-core machine (bench/, end to end).
EXTRACT_STREAMS = int(os.environ.get("EDU_EXTRACT_STREAMS", "2"))


def nightly_dag_ids(province: ProvinceConfig, stages: tuple[str, ...] = STAGES) -> list[str]:
    """Extract DAGs first (one per configured source), then the warehouse build."""
    extract = [f"extract_{name}" for name in province.sources] if "extract" in stages else []
    return extract + ([BUILD_DAG_ID] if "build" in stages else [])


@dataclass(frozen=True)
class NightlySummary:
    province: ProvinceConfig
    outcomes: list[DagRunOutcome]
    tables: list[tuple[str, str, int]]
    landed: list[tuple[str, int, int, int]]  # source, received, loaded, quarantined
    release: CatalogEntry | None  # the latest published release, after this run

    @property
    def succeeded(self) -> bool:
        return all(outcome.succeeded for outcome in self.outcomes)


def warehouse_tables(warehouse_url: str) -> list[tuple[str, str, int]]:
    """(schema, table, rows) of every table the pipeline wrote; releases are listed apart
    (their tables are copies of the audit build's)."""
    with psycopg.connect(warehouse_url) as conn:
        names = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'audit_failures') "
            "AND table_schema NOT LIKE 'release\\_%' "
            "AND table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        return [
            (schema, table,
             conn.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0])
            for schema, table in names
        ]


def landed_by_source(warehouse_url: str) -> list[tuple[str, int, int, int]]:
    with psycopg.connect(warehouse_url) as conn:
        exists = conn.execute("SELECT to_regclass('raw.batches')").fetchone()[0]
        if not exists:
            return []
        return conn.execute(
            "SELECT source, sum(rows_received)::bigint, sum(rows_loaded)::bigint, "
            "sum(rows_quarantined)::bigint FROM raw.batches GROUP BY source ORDER BY source"
        ).fetchall()


def run_nightly(runtime: Runtime, province: ProvinceConfig, sources_env: dict[str, str],
                progress: Progress = lambda _: None,
                stages: tuple[str, ...] = STAGES) -> NightlySummary:
    """Every extract DAG for all configured years and both terms, then the build."""
    env = {**runtime.airflow_env, **sources_env, "EDU_PROVINCE": province.slug}
    conf = {"academic_years": list(province.academic_years), "terms": [1, 2]}
    # A failed source fails its own DAG; the others and the build still run. The build
    # waits for every extract DAG, then runs in the first extract process, already warm:
    # a process of its own spent seconds starting Airflow again (bench/, end to end).
    extract = [dag_id for dag_id in nightly_dag_ids(province, stages) if dag_id != BUILD_DAG_ID]
    build = [BUILD_DAG_ID] if "build" in stages else []
    outcomes = (run_dags_in_process(extract, env, conf, progress, EXTRACT_STREAMS, then=build)
                if extract or build else [])
    url = runtime.databases.warehouse_url
    if "docs" in stages:
        progress(DOCS_STEP)
        generate_docs(url)
    with psycopg.connect(url) as conn:
        release = latest_release(conn)
    return NightlySummary(province, outcomes, warehouse_tables(url), landed_by_source(url),
                          release)
