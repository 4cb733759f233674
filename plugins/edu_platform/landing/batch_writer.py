"""Loading one batch into the raw zone: COPY in chunks, one transaction, reconciled.

Rows come by COPY; JSON pages are shaped into rows by the server
(`json_pages`), one statement per page.

A batch is all or nothing. Re-loading the same content changes nothing; a
corrected re-delivery (same container, other content) replaces the batch it
corrects; incremental pulls append. Every item is either loaded or quarantined,
and the batch row records rows received = loaded + quarantined (a CHECK
constraint holds the database to it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

import psycopg
from psycopg import sql

from edu_platform.landing.content_hash import ContentHash
from edu_platform.landing.entities import (
    Delivery,
    Entity,
    JsonPage,
    Mode,
    RawRow,
    Rejected,
)
from edu_platform.landing.json_pages import load_pages
from edu_platform.landing.raw_schema import ensure_entity_table, ensure_raw_zone

log = logging.getLogger(__name__)
PROGRESS_EVERY_ROWS = 100_000


@dataclass(frozen=True)
class BatchResult:
    source: str
    entity: str
    container: str
    status: str  # loaded | replaced | unchanged | empty
    batch_id: int | None
    rows_received: int
    rows_loaded: int
    rows_quarantined: int


def _find_batch(conn: psycopg.Connection, delivery: Delivery, sha256: str | None) -> list[int]:
    query = sql.SQL(
        "SELECT batch_id FROM raw.batches WHERE source = %s AND entity = %s "
        "AND academic_year IS NOT DISTINCT FROM %s AND term IS NOT DISTINCT FROM %s "
        "AND container = %s{}"
    ).format(sql.SQL(" AND content_sha256 = %s") if sha256 else sql.SQL(""))
    params: list[object] = [delivery.entity.source, delivery.entity.name,
                            delivery.academic_year, delivery.term, delivery.container]
    if sha256:
        params.append(sha256)
    return [row[0] for row in conn.execute(query, params).fetchall()]


def _delete_batches(conn: psycopg.Connection, delivery: Delivery, batch_ids: list[int]) -> None:
    if not batch_ids:
        return
    conn.execute(sql.SQL("DELETE FROM {} WHERE _batch_id = ANY(%s)").format(
        delivery.entity.table), [batch_ids])
    conn.execute("DELETE FROM raw.batches WHERE batch_id = ANY(%s)", [batch_ids])


def checked(entity: Entity, items: Iterable[RawRow | Rejected]
            ) -> Iterator[RawRow | Rejected]:
    """Turn readable-looking rows whose codes no crosswalk knows into rejections."""
    if not entity.checks:
        yield from items
        return
    readers = [(check, check.typed_reader(entity.columns)) for check in entity.checks]
    for item in items:
        if isinstance(item, RawRow):
            failed = next((check for check, typed in readers
                           if not check.accepts_typed(typed(item.values))), None)
            if failed is not None:
                record = dict(zip(entity.columns, item.values, strict=False))  # width checked below
                key = "|".join((record.get(name) or "").strip() for name in entity.key_columns)
                item = Rejected(key or None, failed.reason,
                                json.dumps(record, ensure_ascii=False),
                                detail=f"{'+'.join(failed.columns)} = {failed.value(record)!r}")
        yield item


def _copy_rows(conn: psycopg.Connection, delivery: Delivery, batch_id: int,
               items: Iterable[RawRow | Rejected], hasher: ContentHash | None,
               rejected: list[Rejected]) -> int:
    """COPY the readable rows; rejections are kept for quarantine. `hasher` (when the
    source gave no content hash) sees every item."""
    entity = delivery.entity
    lineage_head = (batch_id, entity.source, delivery.academic_year, delivery.term,
                    delivery.container)
    loaded = 0
    with conn.cursor() as cursor, cursor.copy(entity.copy_statement()) as copy:
        for item in checked(entity, items):
            if isinstance(item, Rejected):
                if hasher is not None:
                    hasher.rejected(item.raw_content)
                rejected.append(item)
                continue
            if len(item.values) != len(entity.columns):
                raise ValueError(
                    f"{entity.table_name}: {len(item.values)} values for "
                    f"{len(entity.columns)} columns at {item.locator}"
                )
            if hasher is not None:
                hasher.row(item.values)
            copy.write_row((*item.values, *lineage_head, item.locator, item.sha256))
            loaded += 1
            if loaded % PROGRESS_EVERY_ROWS == 0:
                log.info("%s: %s rows streamed", entity.table_name, f"{loaded:,}")
    return loaded


def _load_items(conn: psycopg.Connection, delivery: Delivery, batch_id: int,
                items: Iterable[RawRow | Rejected | JsonPage], hasher: ContentHash | None,
                rejected: list[Rejected]) -> tuple[int, int]:
    """(rows loaded, rows the server quarantined): rows by COPY, JSON pages by statement."""
    loaded = quarantined = 0
    for are_pages, group in groupby(items, key=lambda item: isinstance(item, JsonPage)):
        if are_pages:
            pages_loaded, pages_quarantined = load_pages(conn, delivery, batch_id, group, hasher)
            loaded, quarantined = loaded + pages_loaded, quarantined + pages_quarantined
        else:
            loaded += _copy_rows(conn, delivery, batch_id, group, hasher, rejected)
    return loaded, quarantined


def load_batch(conn: psycopg.Connection, delivery: Delivery,
               items: Iterable[RawRow | Rejected | JsonPage], content_sha256: str | None = None
               ) -> BatchResult:
    """Load one delivery as one batch. `conn` must not be inside a transaction."""
    entity = delivery.entity
    result = BatchResult(entity.source, entity.name, delivery.container, "unchanged", None,
                         0, 0, 0)
    ensure_raw_zone(conn)
    ensure_entity_table(conn, entity)
    with conn.transaction():  # psycopg.Rollback leaves it quietly, undoing everything
        if content_sha256 and _find_batch(conn, delivery, content_sha256):
            raise psycopg.Rollback()  # already in the raw zone: change nothing
        batch_id = conn.execute(
            "INSERT INTO raw.batches (source, entity, academic_year, term, container, "
            "content_sha256, rows_received, rows_loaded, rows_quarantined, "
            "source_timestamp) VALUES (%s, %s, %s, %s, %s, '', 0, 0, 0, %s) "
            "RETURNING batch_id",
            [entity.source, entity.name, delivery.academic_year, delivery.term,
             delivery.container, delivery.source_timestamp],
        ).fetchone()[0]
        hasher = None if content_sha256 else ContentHash()
        rejected: list[Rejected] = []
        loaded, quarantined = _load_items(conn, delivery, batch_id, items, hasher, rejected)
        quarantined += sum(item.rows for item in rejected)
        sha256 = content_sha256 or hasher.hexdigest()
        if loaded + quarantined == 0 and delivery.mode is Mode.APPEND:
            result = BatchResult(entity.source, entity.name, delivery.container, "empty",
                                 None, 0, 0, 0)
            raise psycopg.Rollback()
        if _find_batch(conn, delivery, sha256):
            raise psycopg.Rollback()  # already in the raw zone: change nothing
        earlier = _find_batch(conn, delivery, None)
        earlier.remove(batch_id)
        replaced = delivery.mode is Mode.REPLACE and bool(earlier)
        if replaced:
            _delete_batches(conn, delivery, earlier)
        _quarantine(conn, delivery, batch_id, rejected)
        conn.execute(
            "UPDATE raw.batches SET content_sha256 = %s, rows_received = %s, "
            "rows_loaded = %s, rows_quarantined = %s WHERE batch_id = %s",
            [sha256, loaded + quarantined, loaded, quarantined, batch_id],
        )
        result = BatchResult(entity.source, entity.name, delivery.container,
                             "replaced" if replaced else "loaded", batch_id,
                             loaded + quarantined, loaded, quarantined)
    log.info("%s %s [%s]: %s (received %s, loaded %s, quarantined %s)", entity.source,
             entity.name, delivery.container, result.status, result.rows_received,
             result.rows_loaded, result.rows_quarantined)
    return result


def _quarantine(conn: psycopg.Connection, delivery: Delivery, batch_id: int,
                rejected: list[Rejected]) -> None:
    if not rejected:
        return
    entity = delivery.entity
    with conn.cursor() as cursor, cursor.copy(
        "COPY raw.quarantine (batch_id, source, entity, academic_year, term, container, "
        "record_key, reason, detail, raw_content, rows_counted) FROM STDIN"
    ) as copy:
        for item in rejected:
            copy.write_row((batch_id, entity.source, entity.name, delivery.academic_year,
                            delivery.term, delivery.container, item.record_key, item.reason,
                            item.detail, item.raw_content, item.rows))
