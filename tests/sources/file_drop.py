"""Helpers for the file and database connectors' tests (OPEC, DLA, DLP, DOPA, PEO).

The generated province (`generated`, tests/sources/conftest.py) is copied per
test into a private drop folder, one generated academic year renamed to the
test-only `TEST_YEAR`, so that tests never touch real years in the shared
warehouse. The ledger's containers are renamed the same way for comparison.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
import pytest

from edu_platform.landing.extract import ExtractionSummary, run_extraction
from tests.sources.conftest import TEST_YEAR, province_for

FILE_REASONS = frozenset({"manifest_rows_mismatch", "manifest_sha256_mismatch", "bad_encoding",
                          "schema_drift", "bad_workbook", "renamed_sheet"})
# Unreadable records inside readable files: quarantined one by one at landing.
RECORD_REASONS = frozenset({"missing_key", "unknown_grade", "unknown_status"})


def rejected_files(sim: Path, source: str) -> list[dict[str, str]]:
    with open(sim / "ledger" / "files.csv", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["source"] == source]


def ledger(sim: Path, kind: str, source: str, year: int, term: int) -> list[dict[str, Any]]:
    """Ledger rows (`learner_records` or `teacher_records`) of one source, year and term."""
    table = pq.read_table(sim / "ledger" / f"{kind}_records.parquet")
    return [row for row in table.to_pylist()
            if row["source"] == source and row["academic_year"] == year and row["term"] == term]


def as_test_year(container: str, year: int) -> str:
    return container.replace(f"/{year}/", f"/{TEST_YEAR}/").replace(f"/{year}-", f"/{TEST_YEAR}-")


def copy_tree(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)


def use_drop(monkeypatch: pytest.MonkeyPatch, drop: Path) -> None:
    monkeypatch.setenv("SOURCE_DROP_DIR", str(drop))


def run(runtime, source: str, term: int, year: int = TEST_YEAR, **settings: Any
        ) -> ExtractionSummary:
    return run_extraction(province_for(source, **settings), source, year, term,
                          runtime.databases.warehouse_url)


def reconciled(conn: psycopg.Connection, summary: ExtractionSummary) -> None:
    """Every batch: received = loaded + quarantined, in the summary and in raw.batches."""
    for batch in summary.batches:
        assert batch.rows_received == batch.rows_loaded + batch.rows_quarantined
        if batch.batch_id is not None:
            books = conn.execute("SELECT rows_received, rows_loaded, rows_quarantined FROM "
                                 "raw.batches WHERE batch_id = %s", [batch.batch_id]).fetchone()
            assert books == (batch.rows_received, batch.rows_loaded, batch.rows_quarantined)


def whole_file_rejections(conn: psycopg.Connection, source: str, entities: Iterable[str]
                          ) -> set[tuple[str, str, int]]:
    """(container, reason, rows counted) of the test year's files rejected whole."""
    rows = conn.execute(
        "SELECT container, reason, rows_counted FROM raw.quarantine WHERE source = %s "
        "AND entity = ANY(%s) AND academic_year = %s AND record_key = container",
        [source, list(entities), TEST_YEAR]).fetchall()
    return {tuple(row) for row in rows}


def statuses_by_container(summary: ExtractionSummary) -> dict[tuple[str, str], str]:
    return {(batch.entity, batch.container): batch.status for batch in summary.batches}


def source_timestamps(conn: psycopg.Connection, source: str) -> dict[str, datetime]:
    """Container -> the batch's source timestamp, for the test year's batches."""
    rows = conn.execute("SELECT DISTINCT container, source_timestamp FROM raw.batches "
                        "WHERE source = %s AND academic_year = %s", [source, TEST_YEAR])
    return dict(rows.fetchall())


def ledger_timestamps(records: Iterable[dict[str, Any]], year: int) -> dict[str, datetime]:
    """Container (in the test year) -> the source time the ledger gives its records."""
    return {as_test_year(r["container"], year): r["source_ts"] for r in records}
