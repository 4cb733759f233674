"""The release catalog (`releases.catalog`) and the names of release schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

RELEASES_SCHEMA = "releases"
CURRENT_SCHEMA = "current"

CATALOG_DDL = """
CREATE SCHEMA IF NOT EXISTS releases;
CREATE TABLE IF NOT EXISTS releases.catalog (
    release_number    integer PRIMARY KEY,
    schema_name       text NOT NULL UNIQUE,
    province_code     text NOT NULL,
    province_slug     text NOT NULL,
    published_at      timestamptz NOT NULL DEFAULT now(),
    dbt_invocation_id text NOT NULL,
    gates_passed      integer NOT NULL,
    warnings          integer NOT NULL,
    revision_count    integer NOT NULL,
    withheld_cells    integer NOT NULL,
    files_dir         text
);
"""


def release_schema(number: int) -> str:
    return f"release_{number:04d}"


@dataclass(frozen=True)
class CatalogEntry:
    release_number: int
    schema_name: str
    published_at: datetime
    gates_passed: int
    warnings: int
    revision_count: int
    withheld_cells: int
    files_dir: str | None


def ensure_catalog(conn: psycopg.Connection) -> None:
    conn.execute(CATALOG_DDL)


def latest_release(conn: psycopg.Connection) -> CatalogEntry | None:
    if conn.execute("SELECT to_regclass('releases.catalog')").fetchone()[0] is None:
        return None
    row = conn.execute(
        "SELECT release_number, schema_name, published_at, gates_passed, warnings, "
        "revision_count, withheld_cells, files_dir FROM releases.catalog "
        "ORDER BY release_number DESC LIMIT 1"
    ).fetchone()
    return CatalogEntry(*row) if row else None
