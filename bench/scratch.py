"""Databases and folders of the benchmarks' own: the project's warehouse is never touched.

Every benchmark writes into a database created for it on the project's server
(`bench_<label>_<random>`), dropped when it ends. Cached inputs (generated
provinces, prepared CSV files) live under `var/bench/`, where PostgreSQL's
system user can read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from edu_platform.databases import Databases, resolve_databases, with_database
from edu_platform.paths import var_dir
from edu_platform.pseudonym_key import ensure_pseudonym_function
from edu_platform.security.apply import apply_security


def bench_dir(*parts: str) -> Path:
    path = var_dir().joinpath("bench", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def project_databases() -> Databases:
    """The project's server (the embedded cluster started if it is the one used)."""
    databases = resolve_databases()
    databases.prepare()
    return databases


@contextmanager
def scratch_database(label: str) -> Iterator[str]:
    """A fresh warehouse database (roles and pseudonym function, as set-up does); dropped after."""
    server = project_databases().warehouse_url
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = with_database(server, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(server, name)
    try:
        apply_security(url)  # the roles are the server's: a fresh one has none yet
        ensure_pseudonym_function(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
