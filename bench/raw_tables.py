"""An entity's raw table, as the loader benchmarks read it: count, empty, export."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from bench.baselines import PreparedCsv, export_csv
from edu_platform.landing.entities import Entity


def raw_rows(url: str, entity: Entity) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(entity.table)).fetchone()[0]


def forget_raw(url: str, entity: Entity) -> None:
    """Empty the entity's raw table and the books (when a first load created them)."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass(%s)", [f"raw.{entity.table_name}"]).fetchone()[0]:
            conn.execute(sql.SQL("TRUNCATE raw.batches, raw.quarantine, {}").format(
                entity.table))


def export_raw(url: str, entity: Entity, folder: Path) -> PreparedCsv:
    """The source's columns of every row the loader landed, as a CSV file (lineage left out)."""
    query = sql.SQL("SELECT {} FROM {}").format(
        sql.SQL(", ").join(map(sql.Identifier, entity.columns)), entity.table)
    return export_csv(url, query, entity.columns, folder / f"{entity.table_name}.csv")
