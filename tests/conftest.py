"""Test-wide set-up: Airflow is configured through the project's environment.

Airflow reads its configuration when first imported, so the variables are set
here, before any test module imports it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from edu_platform.airflow_env import airflow_environment
from edu_platform.databases import resolve_databases
from edu_platform.paths import var_dir

os.environ.update(airflow_environment(resolve_databases()))


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A database of its own (`<prefix>_<random>`) on the server of `admin_url`, dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def runtime():
    """The project's databases, Airflow metadata and dbt manifest, prepared once."""
    from edu_platform.setup_runtime import prepare_runtime

    return prepare_runtime()


@pytest.fixture
def scratch_dir() -> Iterator[Path]:
    """A folder under var/ (not /tmp): PostgreSQL's system user must be able to reach it."""
    import shutil

    path = var_dir() / "test-scratch" / uuid.uuid4().hex[:10]
    path.mkdir(parents=True)
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)
