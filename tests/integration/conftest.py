"""Integration fixtures: a fresh warehouse database per module, a generated province."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from edu_platform.databases import with_database


@pytest.fixture(scope="module")
def fresh_warehouse(runtime) -> Iterator[str]:
    """A database of its own on the project's server: integration runs never mix state."""
    name = f"it_{uuid.uuid4().hex[:10]}"
    admin = with_database(runtime.databases.warehouse_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield with_database(runtime.databases.warehouse_url, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
