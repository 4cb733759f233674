"""DDL of the raw zone's bookkeeping tables (batches, quarantine, watermarks).

Entity tables (`raw.<source>__<entity>`) are created from each connector's
declared columns by `ensure_entity_table`.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from edu_platform.landing.entities import LINEAGE_COLUMNS, Entity

RAW_SCHEMA = "raw"

BOOKKEEPING_DDL = """
CREATE TABLE IF NOT EXISTS raw.batches (
    batch_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source            text NOT NULL,
    entity            text NOT NULL,
    academic_year     integer,
    term              integer,
    container         text NOT NULL,
    content_sha256    text NOT NULL,
    rows_received     bigint NOT NULL,
    rows_loaded       bigint NOT NULL,
    rows_quarantined  bigint NOT NULL,
    source_timestamp  timestamptz,
    extracted_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT batches_reconcile CHECK (rows_received = rows_loaded + rows_quarantined)
);
CREATE INDEX IF NOT EXISTS batches_delivery
    ON raw.batches (source, entity, academic_year, term, container);

CREATE TABLE IF NOT EXISTS raw.quarantine (
    quarantine_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id          bigint NOT NULL REFERENCES raw.batches ON DELETE CASCADE,
    source            text NOT NULL,
    entity            text NOT NULL,
    academic_year     integer,
    term              integer,
    container         text NOT NULL,
    record_key        text,
    reason            text NOT NULL,
    detail            text,
    raw_content       text,
    rows_counted      integer NOT NULL DEFAULT 1,
    quarantined_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS quarantine_batch ON raw.quarantine (batch_id);

CREATE TABLE IF NOT EXISTS raw.watermarks (
    source            text NOT NULL,
    entity            text NOT NULL,
    academic_year     integer NOT NULL,
    term              integer NOT NULL,
    watermark         text NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, entity, academic_year, term)
);
"""


DDL_LOCK = "SELECT pg_advisory_xact_lock(hashtext('edu_platform.raw_zone_ddl'))"


def ensure_raw_zone(conn: psycopg.Connection) -> None:
    """Create the bookkeeping tables if missing, in a transaction of their own.

    Kept out of batch transactions: DDL there (even `IF NOT EXISTS`) takes locks
    that make concurrent loads of different sources deadlock. The schema itself is
    set-up's (owned by the loader role, which may not create schemas); it is only
    created here where set-up has not run (a bare test database).
    """
    if conn.execute("SELECT to_regclass('raw.watermarks')").fetchone()[0] is None:
        with conn.transaction():
            conn.execute(DDL_LOCK)
            if conn.execute("SELECT to_regnamespace('raw')").fetchone()[0] is None:
                conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
            conn.execute(BOOKKEEPING_DDL)
    conn.commit()


def ensure_entity_table(conn: psycopg.Connection, entity: Entity) -> None:
    """Create an entity's raw table if missing, or give a table made before `_extracted_at`
    had a default its default (own transaction, serialized by a lock)."""
    defaulted = conn.execute(
        "SELECT bool_or(atthasdef) FROM pg_attribute WHERE attrelid = to_regclass(%s) "
        "AND attname = '_extracted_at'", [f"raw.{entity.table_name}"]).fetchone()[0]
    if not defaulted:
        with conn.transaction():
            conn.execute(DDL_LOCK)
            if defaulted is None:
                _create_entity_table(conn, entity)
            else:  # a catalogue change only: no row is rewritten
                conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN _extracted_at SET DEFAULT now()"
                                     ).format(entity.table))
    conn.commit()


def _create_entity_table(conn: psycopg.Connection, entity: Entity) -> None:
    columns = [sql.SQL("{} text").format(sql.Identifier(name)) for name in entity.columns]
    lineage = [sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
               for name, kind in LINEAGE_COLUMNS]
    conn.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
            entity.table, sql.SQL(", ").join(columns + lineage)
        )
    )
    # Batches are found by id (a replaced batch's delete, staging's "batches after the last
    # build"), and ids grow as rows are appended: a BRIN index answers both, and costs next
    # to nothing per row loaded, where a B-tree cost about a quarter of COPY's work.
    conn.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING brin (_batch_id) "
                "WITH (autosummarize = on)").format(
            sql.Identifier(f"{entity.table_name}_batch"), entity.table
        )
    )
