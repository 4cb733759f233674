"""What operators ask first: the latest DAG runs, the releases, and the quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from edu_platform.databases import libpq_url


@dataclass(frozen=True)
class DagRunRow:
    dag_id: str
    run_id: str
    state: str
    started: datetime | None
    ended: datetime | None


def latest_dag_runs(airflow_url: str, limit: int = 20) -> list[DagRunRow]:
    with psycopg.connect(libpq_url(airflow_url)) as conn:
        if conn.execute("SELECT to_regclass('dag_run')").fetchone()[0] is None:
            return []
        rows = conn.execute(
            "SELECT dag_id, run_id, state, start_date, end_date FROM dag_run "
            "ORDER BY coalesce(start_date, queued_at) DESC NULLS LAST LIMIT %s", (limit,))
        return [DagRunRow(*row) for row in rows]


@dataclass(frozen=True)
class ReleaseRow:
    number: int
    published_at: datetime
    gates_passed: int
    warnings: int
    revisions: int
    withheld: int
    files_dir: str | None


def releases(warehouse_url: str, limit: int = 10) -> list[ReleaseRow]:
    with psycopg.connect(warehouse_url) as conn:
        if conn.execute("SELECT to_regclass('releases.catalog')").fetchone()[0] is None:
            return []
        rows = conn.execute(
            "SELECT release_number, published_at, gates_passed, warnings, revision_count, "
            "withheld_cells, files_dir FROM releases.catalog "
            "ORDER BY release_number DESC LIMIT %s", (limit,))
        return [ReleaseRow(*row) for row in rows]


@dataclass(frozen=True)
class QuarantinedRow:
    academic_year: int | None
    term: int | None
    container: str
    record_key: str | None
    reason: str
    detail: str | None
    rows_counted: int


def quarantine(warehouse_url: str, source: str, limit: int = 50) -> list[QuarantinedRow]:
    """The source's quarantined records of its latest batches, newest first."""
    with psycopg.connect(warehouse_url) as conn:
        if conn.execute("SELECT to_regclass('raw.quarantine')").fetchone()[0] is None:
            return []
        rows = conn.execute(
            "SELECT academic_year, term, container, record_key, reason, detail, rows_counted "
            "FROM raw.quarantine WHERE source = %s ORDER BY quarantine_id DESC LIMIT %s",
            (source, limit))
        return [QuarantinedRow(*row) for row in rows]
