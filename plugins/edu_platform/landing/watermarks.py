"""Incremental-pull watermarks, kept in the warehouse beside the batches they describe."""

from __future__ import annotations

import psycopg

from edu_platform.landing.raw_schema import ensure_raw_zone


def read_watermark(conn: psycopg.Connection, source: str, entity: str, academic_year: int,
                   term: int) -> str | None:
    ensure_raw_zone(conn)
    row = conn.execute(
        "SELECT watermark FROM raw.watermarks WHERE source = %s AND entity = %s "
        "AND academic_year = %s AND term = %s",
        [source, entity, academic_year, term],
    ).fetchone()
    conn.commit()
    return row[0] if row else None


def save_watermark(conn: psycopg.Connection, source: str, entity: str, academic_year: int,
                   term: int, watermark: str) -> None:
    with conn.transaction():
        conn.execute(
            "INSERT INTO raw.watermarks (source, entity, academic_year, term, watermark) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (source, entity, academic_year, term) "
            "DO UPDATE SET watermark = EXCLUDED.watermark, updated_at = now()",
            [source, entity, academic_year, term, watermark],
        )
