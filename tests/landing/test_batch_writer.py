"""The raw-zone batch writer against the real warehouse: all or nothing, reconciled, idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from edu_platform.landing.batch_writer import load_batch
from edu_platform.landing.entities import Delivery, Entity, Mode, RawRow, Rejected


@pytest.fixture
def conn(runtime) -> Iterator[psycopg.Connection]:
    with psycopg.connect(runtime.databases.warehouse_url) as connection:
        yield connection


@pytest.fixture
def entity(conn: psycopg.Connection) -> Iterator[Entity]:
    made = Entity(source=f"test_{uuid.uuid4().hex[:8]}", name="things", columns=("key", "value"))
    yield made
    conn.rollback()
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(made.table))
    conn.execute("DELETE FROM raw.batches WHERE source = %s", [made.source])
    conn.commit()


def rows(*pairs: tuple[str, str | None]) -> list[RawRow]:
    return [RawRow((key, value), locator=f"line {i + 2}", sha256="f" * 64)
            for i, (key, value) in enumerate(pairs)]


def table_state(conn: psycopg.Connection, entity: Entity) -> list[tuple]:
    return conn.execute(sql.SQL("SELECT key, value, _container, _batch_id FROM {} ORDER BY 1"
                                ).format(entity.table)).fetchall()


def test_batch_loads_rows_and_quarantine_and_reconciles(conn, entity) -> None:
    delivery = Delivery(entity, 2567, 1, "things.csv")
    items = [*rows(("a", "1"), ("b", None)),
             Rejected("c", "missing_key", "c,,", detail="no key")]
    result = load_batch(conn, delivery, items)
    assert (result.status, result.rows_received, result.rows_loaded,
            result.rows_quarantined) == ("loaded", 3, 2, 1)
    assert [row[:2] for row in table_state(conn, entity)] == [("a", "1"), ("b", None)]
    batch = conn.execute("SELECT rows_received, rows_loaded, rows_quarantined, content_sha256 "
                         "FROM raw.batches WHERE batch_id = %s", [result.batch_id]).fetchone()
    assert batch[:3] == (3, 2, 1) and len(batch[3]) == 64
    quarantined = conn.execute("SELECT record_key, reason, raw_content FROM raw.quarantine "
                               "WHERE batch_id = %s", [result.batch_id]).fetchall()
    assert quarantined == [("c", "missing_key", "c,,")]


def test_same_content_twice_changes_nothing(conn, entity) -> None:
    delivery = Delivery(entity, 2567, 1, "things.csv")
    first = load_batch(conn, delivery, rows(("a", "1")))
    before = table_state(conn, entity)
    second = load_batch(conn, delivery, rows(("a", "1")))
    assert second.status == "unchanged" and second.batch_id is None
    assert table_state(conn, entity) == before
    assert first.batch_id == before[0][3]


def test_known_file_hash_skips_reading(conn, entity) -> None:
    delivery = Delivery(entity, 2567, 1, "things.csv")
    load_batch(conn, delivery, rows(("a", "1")), content_sha256="1" * 64)

    def must_not_be_read() -> Iterator[RawRow]:
        raise AssertionError("the file was read again")
        yield  # pragma: no cover

    assert load_batch(conn, delivery, must_not_be_read(), content_sha256="1" * 64
                      ).status == "unchanged"


def test_corrected_delivery_replaces_its_batch(conn, entity) -> None:
    delivery = Delivery(entity, 2567, 1, "things.csv")
    old = load_batch(conn, delivery, [*rows(("a", "1")), Rejected("x", "missing_key", "x")])
    new = load_batch(conn, delivery, rows(("a", "2"), ("b", "3")))
    assert new.status == "replaced"
    assert [row[:2] for row in table_state(conn, entity)] == [("a", "2"), ("b", "3")]
    leftovers = conn.execute("SELECT count(*) FROM raw.quarantine WHERE batch_id = %s",
                             [old.batch_id]).fetchone()[0]
    assert leftovers == 0
    other_term = load_batch(conn, Delivery(entity, 2567, 2, "things.csv"), rows(("z", "9")))
    assert other_term.status == "loaded"
    assert len(table_state(conn, entity)) == 3


def test_incremental_pulls_append_and_empty_pull_leaves_no_batch(conn, entity) -> None:
    delivery = Delivery(entity, 2567, 1, "v1/things", mode=Mode.APPEND)
    load_batch(conn, delivery, rows(("a", "1")))
    assert load_batch(conn, delivery, rows(("a", "2"))).status == "loaded"
    assert load_batch(conn, delivery, []).status == "empty"
    assert [row[:2] for row in table_state(conn, entity)] == [("a", "1"), ("a", "2")]


def test_failure_mid_stream_loads_nothing(conn, entity) -> None:
    def breaks_after_one() -> Iterator[RawRow]:
        yield from rows(("a", "1"))
        raise ConnectionError("source went away")

    with pytest.raises(ConnectionError):
        load_batch(conn, Delivery(entity, 2567, 1, "things.csv"), breaks_after_one())
    assert table_state(conn, entity) == []
    batches = conn.execute("SELECT count(*) FROM raw.batches WHERE source = %s",
                           [entity.source]).fetchone()[0]
    assert batches == 0


def test_a_row_of_the_wrong_width_is_a_clear_error(conn, entity) -> None:
    bad = [RawRow(("only-one",), locator="line 2", sha256="f" * 64)]
    with pytest.raises(ValueError, match="1 values for 2 columns at line 2"):
        load_batch(conn, Delivery(entity, 2567, 1, "things.csv"), bad)


def test_a_table_made_before_extracted_at_had_a_default_gets_it(conn, entity) -> None:
    conn.execute(sql.SQL(
        "CREATE TABLE {} (key text, value text, _batch_id bigint NOT NULL, _source text NOT NULL, "
        "_academic_year integer, _term integer, _container text NOT NULL, _locator text, "
        "_content_sha256 text NOT NULL, _extracted_at timestamptz NOT NULL)").format(entity.table))
    conn.commit()
    result = load_batch(conn, Delivery(entity, 2567, 1, "things.csv"), rows(("a", "1")))
    assert result.rows_loaded == 1
    extracted = conn.execute(sql.SQL("SELECT _extracted_at FROM {}").format(entity.table)
                             ).fetchone()[0]
    batch_time = conn.execute("SELECT extracted_at FROM raw.batches WHERE batch_id = %s",
                              [result.batch_id]).fetchone()[0]
    assert extracted == batch_time  # both the batch transaction's time
