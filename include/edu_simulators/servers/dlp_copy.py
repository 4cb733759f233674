"""Serve the DLP ITw database from a real server: copy ``dlp/itw.sqlite`` there.

DLP is a SQL source (``shared/sources/dlp-itw.md``); the generator writes it as
an SQLite file, and ``edu-sim start --dlp-url`` copies its tables into the given
database (PostgreSQL in the default run), replacing them, in chunks so a national
table never sits whole in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

TABLES = ("center", "learner", "registration", "facilitator")
CHUNK_ROWS = 20_000


def _typed(value: Any, kind: sa.types.TypeEngine) -> Any:
    """SQLite hands dates over as text and booleans as 0/1; the target wants objects."""
    if isinstance(kind, sa.Boolean) and isinstance(value, int):
        return bool(value)
    if not isinstance(value, str):
        return value
    try:
        if isinstance(kind, sa.DateTime):
            return datetime.fromisoformat(value)
        if isinstance(kind, sa.Date):
            return date.fromisoformat(value)
    except ValueError:
        return value  # let the target judge a date the source got wrong
    return value


def copy_dlp(sqlite_path: Path, target_url: str,
             progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy the DLP tables into ``target_url`` (dropped and re-created); rows per table."""
    if not sqlite_path.exists():
        raise FileNotFoundError(f"no DLP database at {sqlite_path}")
    source = sa.create_engine(f"sqlite:///{sqlite_path}")
    target = sa.create_engine(target_url)
    copied: dict[str, int] = {}
    try:
        reflected = sa.MetaData()
        reflected.reflect(source, only=[t for t in TABLES if sa.inspect(source).has_table(t)])
        # Columns and primary keys only: the copy is a read replica, and without
        # foreign keys the tables can be dropped and loaded in any order.
        out = sa.MetaData()
        tables = [
            sa.Table(table.name, out, *[
                sa.Column(col.name, col.type.as_generic(), primary_key=col.primary_key,
                          nullable=col.nullable)
                for col in table.columns])
            for table in reflected.sorted_tables
        ]
        out.drop_all(target, checkfirst=True)
        out.create_all(target)
        with source.connect() as src, target.begin() as dst:
            for table in tables:
                kinds = {col.name: col.type for col in table.columns}
                raw = src.exec_driver_sql(f'SELECT * FROM "{table.name}"')
                names = list(raw.keys())
                copied[table.name] = 0
                while rows := raw.fetchmany(CHUNK_ROWS):
                    dst.execute(table.insert(), [
                        {n: _typed(v, kinds[n]) for n, v in zip(names, row, strict=True)}
                        for row in rows])
                    copied[table.name] += len(rows)
                    if progress:
                        progress(table.name, copied[table.name])
    finally:
        source.dispose()
        target.dispose()
    return copied
