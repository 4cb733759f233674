"""What users would otherwise use to load the same rows: `psql \\copy` and `DataFrame.to_sql`.

Each baseline loads a prepared CSV file (the rows the project's loader loaded,
exported from the raw zone) into a table of text columns of its own, and the
rows that arrive are counted: a figure whose rows do not match is an error,
not a result.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from edu_platform.embedded_postgres import find_bindir

BASELINE_SCHEMA = "bench_baselines"


@dataclass(frozen=True)
class Timed:
    rows: int
    seconds: float


@dataclass(frozen=True)
class PreparedCsv:
    """The same rows as a CSV file with a header (the columns, all text)."""

    path: Path
    columns: tuple[str, ...]
    rows: int

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


def export_csv(url: str, query: sql.Composable, columns: tuple[str, ...], path: Path
               ) -> PreparedCsv:
    """Write the rows of `query` to `path` as CSV with a header (COPY TO, streamed)."""
    with psycopg.connect(url) as conn, path.open("wb") as out, conn.cursor() as cursor:
        copy_sql = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(query)
        with cursor.copy(copy_sql) as copy:
            for chunk in copy:
                out.write(chunk)
    # Records, not lines: a quoted value may hold a newline.
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    return PreparedCsv(path, columns, rows)


def split_csv(prepared: PreparedCsv, parts: int) -> list[PreparedCsv]:
    """The file cut into `parts` files of whole records, each with the header."""
    with prepared.path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        records = list(reader)
    size = -(-len(records) // parts)
    pieces = []
    for index in range(parts):
        chunk = records[index * size:(index + 1) * size]
        path = prepared.path.with_name(f"{prepared.path.stem}.part{index}.csv")
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(chunk)
        pieces.append(PreparedCsv(path, prepared.columns, len(chunk)))
    return pieces


def create_text_table(url: str, table: str, columns: tuple[str, ...]) -> sql.Composable:
    name = sql.Identifier(BASELINE_SCHEMA, table)
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            sql.Identifier(BASELINE_SCHEMA)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(name, sql.SQL(", ").join(
            sql.SQL("{} text").format(sql.Identifier(column)) for column in columns)))
    return name


def count_rows(url: str, table: sql.Composable) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0]


def _psql() -> str:
    return shutil.which("psql") or str(find_bindir(install=False) / "psql")


def _psql_env(url: str) -> tuple[str, dict[str, str]]:
    """A connection string without the password, which travels in PGPASSWORD instead."""
    parts = urlsplit(url)
    conninfo = (f"host={parts.hostname} port={parts.port or 5432} "
                f"user={unquote(parts.username or '')} dbname={parts.path.lstrip('/')}")
    return conninfo, {**os.environ, "PGPASSWORD": unquote(parts.password or "")}


def psql_copy(url: str, table: str, files: list[PreparedCsv]) -> Timed:
    """`psql \\copy` of every file at once (one psql each: parallel streams when several)."""
    columns = files[0].columns
    name = create_text_table(url, table, columns)
    conninfo, env = _psql_env(url)
    target = name.as_string()
    column_list = ", ".join(f'"{column}"' for column in columns)
    started = time.perf_counter()
    processes = [subprocess.Popen(
        [_psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c",
         f"\\copy {target} ({column_list}) FROM '{file.path}' WITH (FORMAT csv, HEADER true)"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for file in files]
    failures = [process.communicate()[1] for process in processes if process.wait() != 0]
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"psql \\copy failed: {failures[0].strip()}")
    return _checked(url, name, sum(file.rows for file in files), seconds)


def pandas_to_sql(url: str, table: str, prepared: PreparedCsv, rows: int,
                  method: str | None, chunksize: int | None = None) -> Timed:
    """`DataFrame.to_sql` of the first `rows` rows (the frame is built before the clock starts)."""
    import pandas as pd
    from sqlalchemy import create_engine

    frame = pd.read_csv(prepared.path, dtype=str, keep_default_na=False, nrows=rows)
    # The URL users write: SQLAlchemy's default PostgreSQL driver (psycopg2).
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        frame.to_sql(table, engine, schema=BASELINE_SCHEMA, if_exists="replace", index=False,
                     method=method, chunksize=chunksize)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    return _checked(url, sql.Identifier(BASELINE_SCHEMA, table), len(frame), seconds)


def _checked(url: str, table: sql.Composable, expected: int, seconds: float) -> Timed:
    arrived = count_rows(url, table)
    if arrived != expected:
        raise RuntimeError(f"{table.as_string()}: {arrived} rows arrived, {expected} were sent")
    return Timed(arrived, seconds)
