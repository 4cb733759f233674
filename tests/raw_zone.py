"""A fingerprint of the whole raw zone: row counts and a checksum of every table's contents."""

from __future__ import annotations

import psycopg
from psycopg import sql


def raw_zone_fingerprint(warehouse_url: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(warehouse_url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' "
            "ORDER BY 1").fetchall()]
        return {
            table: conn.execute(sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                "FROM {} AS t").format(sql.Identifier("raw", table))).fetchone()
            for table in tables
        }
