"""What the files must show, read from the release schema with plain SQL, not the code tested."""

from __future__ import annotations

import psycopg
from psycopg import sql

from tests.publication.release_builder import SCHEMA

CELL_KEY = ("indicator", "academic_year", "area_code", "affiliation", "level", "grade",
            "age_group", "sex")


def query(warehouse_url: str, text: str, *params: object) -> list[dict[str, object]]:
    with psycopg.connect(warehouse_url, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(sql.SQL(text).format(schema=sql.Identifier(SCHEMA)),
                            params).fetchall()


def published_cells(warehouse_url: str) -> dict[tuple[str, ...], dict[str, object]]:
    """Cell key (as text, '' for NULL) -> the row, with its indicator family."""
    rows = query(warehouse_url, """
        SELECT i.*, d.family FROM {schema}.indicators i
        JOIN {schema}.indicator_definitions d ON d.code = i.indicator""")
    return {cell_key(row): row for row in rows}


def cell_key(row: dict[str, object]) -> tuple[str, ...]:
    return tuple("" if row[column] is None else str(row[column]) for column in CELL_KEY)
