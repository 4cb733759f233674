"""Every source of the `rayong` preset, imperfections on, lands as the ledger says.

Per source: rows received = loaded + quarantined, and the quarantined records
and files are exactly those the generator's ledger marks unreadable.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pyarrow.parquet as pq
import pytest

from tests.integration.conftest import land_simulated_province

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402

pytestmark = pytest.mark.slow

# ledger source -> (raw source, learner entity)
LEARNER_ENTITIES = {"OBEC": ("obec_dmc", "students"), "OVEC": ("ovec_vec", "enrollments"),
                    "OPEC": ("opec_psis", "students"), "DLA": ("dla_lec", "learners"),
                    "DLP": ("dlp_itw", "registration")}


@pytest.fixture(scope="module")
def rayong(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("rayong", seed=21, out=tmp_path_factory.mktemp("rayong"))


@pytest.fixture(scope="module")
def landed(rayong: Path, fresh_warehouse: str) -> Iterator[str]:
    land_simulated_province(rayong, fresh_warehouse)
    yield fresh_warehouse


def ledger_learners(sim: Path) -> list[dict]:
    return pq.read_table(sim / "ledger" / "learner_records.parquet").to_pylist()


def test_every_batch_reconciles(landed: str) -> None:
    with psycopg.connect(landed) as conn:
        unbalanced = conn.execute(
            "SELECT count(*) FROM raw.batches "
            "WHERE rows_received <> rows_loaded + rows_quarantined").fetchone()[0]
        per_batch = conn.execute(
            "SELECT count(*) FROM raw.batches b LEFT JOIN (SELECT batch_id, "
            "sum(rows_counted) AS n FROM raw.quarantine GROUP BY 1) q USING (batch_id) "
            "WHERE b.rows_quarantined <> coalesce(q.n, 0)").fetchone()[0]
    assert (unbalanced, per_batch) == (0, 0)


def test_quarantined_files_are_the_ledgers_rejected_files(rayong: Path, landed: str) -> None:
    with (rayong / "ledger" / "files.csv").open(encoding="utf-8") as handle:
        expected = {(row["container"], row["quarantine_reason"])
                    for row in csv.DictReader(handle)}
    with psycopg.connect(landed) as conn:
        # (a bad workbook is rejected in each of its sheets' batches: compare as a set)
        rows = conn.execute("SELECT DISTINCT container, reason FROM raw.quarantine "
                            "WHERE record_key = container").fetchall()
    assert set(map(tuple, rows)) == expected


@pytest.mark.parametrize("ledger_source", sorted(LEARNER_ENTITIES))
def test_learner_records_load_or_quarantine_as_the_ledger_says(
        rayong: Path, landed: str, ledger_source: str) -> None:
    raw_source, entity = LEARNER_ENTITIES[ledger_source]
    records = [r for r in ledger_learners(rayong) if r["source"] == ledger_source]
    files = {r["container"] for r in records if r["quarantine_reason"] and
             r["container"] and r["quarantine_reason"] not in
             ("missing_key", "unknown_grade", "unknown_status")}
    expected_rejects = Counter(
        (r["academic_year"], r["term"], r["record_key"], r["quarantine_reason"])
        for r in records if not r["readable"] and r["container"] not in files)
    expected_loaded = Counter((r["academic_year"], r["term"]) for r in records if r["readable"])
    with psycopg.connect(landed) as conn:
        rejects = conn.execute(
            "SELECT academic_year, term, coalesce(record_key, ''), reason FROM raw.quarantine "
            "WHERE source = %s AND entity = %s AND record_key IS DISTINCT FROM container",
            [raw_source, entity]).fetchall()
        loaded = conn.execute(
            f"SELECT _academic_year, _term, count(*) FROM raw.{raw_source}__{entity} "
            "GROUP BY 1, 2").fetchall()
    assert Counter(map(tuple, rejects)) == expected_rejects
    assert {(y, t): n for y, t, n in loaded} == dict(expected_loaded)
