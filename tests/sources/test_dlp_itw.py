"""DLP ITw connector: the generated database (SQLite, PostgreSQL), incremental pulls."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from edu_platform.embedded_postgres import ensure_database
from edu_platform.landing.watermarks import read_watermark
from tests.sources.conftest import SERVED_YEAR, TEST_YEAR, clean_source, raw_state
from tests.sources.file_drop import ledger, reconciled, run

copy_dlp = pytest.importorskip("edu_simulators.servers.dlp_copy").copy_dlp

SOURCE = "dlp_itw"
TERM = 1
SEMESTER = f"{TERM}/{TEST_YEAR}"
PG_DATABASE = "dlp_itw_test"  # not `dlp_itw`, which the main run's simulators use


@pytest.fixture(autouse=True)
def clean(warehouse: psycopg.Connection) -> None:
    clean_source(warehouse, SOURCE)


@pytest.fixture(params=["sqlite", "postgresql"])
def itw(request, runtime, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> Iterator[Engine]:
    """A copy of the generated database (SQLite file, or PostgreSQL as in the main run), the
    served year's term 1 renamed to the test year."""
    path = tmp_path / "itw.sqlite"
    shutil.copyfile(generated / "dlp" / "itw.sqlite", path)
    url = f"sqlite:///{path}"
    if request.param == "postgresql":
        warehouse = make_url(runtime.databases.warehouse_url)
        ensure_database(warehouse.set(drivername="postgresql", database="postgres")
                        .render_as_string(hide_password=False), PG_DATABASE)
        url = warehouse.set(drivername="postgresql+psycopg", database=PG_DATABASE
                            ).render_as_string(hide_password=False)
        copy_dlp(path, url)
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text("UPDATE registration SET semester = :test WHERE semester = :served"),
                   {"test": SEMESTER, "served": f"{TERM}/{SERVED_YEAR}"})
    monkeypatch.setenv("DLP_ITW_URL", url)
    yield engine
    engine.dispose()


def count(db: Engine, query: str) -> int:
    with db.connect() as conn:
        return conn.execute(text(query), {"semester": SEMESTER}).scalar_one()


def raw_keys(conn: psycopg.Connection, entity: str, key: str) -> list[str]:
    return [row[0] for row in conn.execute(
        f"SELECT {key} FROM raw.{SOURCE}__{entity} WHERE _academic_year = %s ORDER BY 1",
        [TEST_YEAR]).fetchall()]


def test_first_pull_loads_the_term_and_the_snapshots(runtime, warehouse, generated, itw) -> None:
    summary = run(runtime, SOURCE, TERM)
    reconciled(warehouse, summary)
    assert summary.rows_quarantined == 0
    registrations = count(itw, "SELECT count(*) FROM registration WHERE semester = :semester")
    learners = count(itw, "SELECT count(DISTINCT learner_id) FROM registration "
                          "WHERE semester = :semester")
    assert registrations > 0
    assert len(raw_keys(warehouse, "registration", "reg_id")) == registrations
    assert len(set(raw_keys(warehouse, "learner", "learner_id"))) == learners
    expected = {r["record_key"] for r in ledger(generated, "learner", "DLP", SERVED_YEAR, TERM)}
    assert set(raw_keys(warehouse, "registration", "reg_id")) == expected
    centers = count(itw, "SELECT count(*) FROM center")
    snapshot = warehouse.execute(f"SELECT count(*) FROM raw.{SOURCE}__center "
                                 "WHERE _academic_year IS NULL").fetchone()[0]
    assert snapshot == centers
    row = warehouse.execute(f"SELECT registered_at, semester FROM raw.{SOURCE}__registration "
                            "WHERE _academic_year = %s LIMIT 1", [TEST_YEAR]).fetchone()
    assert row[1] == SEMESTER and "T" in row[0]


def test_second_pull_finds_nothing_and_a_new_registration_comes_alone(
        runtime, warehouse, itw) -> None:
    run(runtime, SOURCE, TERM)
    before = raw_state(warehouse, SOURCE)
    second = run(runtime, SOURCE, TERM)
    assert {(b.entity, b.status) for b in second.batches} == {("center", "unchanged"),
                                                             ("facilitator", "unchanged")}
    assert raw_state(warehouse, SOURCE) == before

    with itw.begin() as db:
        reg_id, learner_id, center_id, at = db.execute(text(
            "SELECT max(reg_id) + 1, min(learner_id), min(center_id), max(registered_at) "
            "FROM registration")).one()
        db.execute(text("INSERT INTO registration (reg_id, learner_id, center_id, semester, "
                        "level, status, registered_at) VALUES (:reg, :learner, :center, "
                        ":semester, 'ม.ต้น', 'ลงทะเบียน', :at)"),  # same instant as the last
                   {"reg": reg_id, "learner": learner_id, "center": center_id,
                    "semester": SEMESTER, "at": at})
    third = run(runtime, SOURCE, TERM)
    [pulled] = [b for b in third.batches if b.entity == "registration"]
    assert (pulled.status, pulled.rows_loaded) == ("loaded", 1)
    assert warehouse.execute(f"SELECT reg_id FROM raw.{SOURCE}__registration WHERE _batch_id = %s",
                             [pulled.batch_id]).fetchall() == [(str(reg_id),)]
    assert read_watermark(warehouse, SOURCE, "registration", TEST_YEAR, TERM).endswith(
        f"|{reg_id}")


def test_chunks_and_a_full_re_read_give_the_same_state(runtime, warehouse, itw) -> None:
    first = run(runtime, SOURCE, TERM, chunk_rows=7)
    registrations = [b for b in first.batches if b.entity == "registration"]
    assert len(registrations) > 1 and all(b.rows_received <= 7 for b in registrations)
    before = raw_state(warehouse, SOURCE)
    warehouse.execute("DELETE FROM raw.watermarks WHERE source = %s AND academic_year = %s",
                      [SOURCE, TEST_YEAR])
    again = run(runtime, SOURCE, TERM, chunk_rows=7)
    assert {b.status for b in again.batches} == {"unchanged"}
    assert raw_state(warehouse, SOURCE) == before
