"""Test-wide set-up: Airflow is configured through the project's environment.

Airflow reads its configuration when first imported, so the variables are set
here, before any test module imports it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from edu_platform.airflow_env import airflow_environment
from edu_platform.databases import resolve_databases, with_database
from edu_platform.local_secrets import load_secrets
from edu_platform.paths import var_dir, venv_bin

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


@contextmanager
def isolated_edu_environment(runtime, scratch_dir: Path, label: str) -> Iterator[dict[str, str]]:
    """The environment for `edu` commands apart from the developer's: an empty warehouse
    and Airflow metadata database of their own, everything written under `scratch_dir/var`,
    a free UI port (`EDU_AIRFLOW_PORT`). The `tiny` simulators it started are stopped after;
    stopping the services (`edu down`) is the caller's, who may check its output."""
    databases = runtime.databases
    admin = with_database(databases.warehouse_url, "postgres")
    own_var = scratch_dir / "var"  # Airflow home and logs, simulators' files, alerts, releases
    with (scratch_database(admin, f"{label}_wh") as warehouse,
          scratch_database(admin, f"{label}_airflow") as metadata):
        env = {
            # conftest's AIRFLOW_* point at the developer's Airflow home and metadata database
            **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
            # the login roles are the server's: set-up must keep the project's passwords
            **load_secrets(),
            "WAREHOUSE_URL": with_database(databases.warehouse_url, warehouse),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": with_database(databases.airflow_url, metadata),
            "EDU_VAR_DIR": str(own_var),
            "EDU_AIRFLOW_PORT": str(free_port()),
        }
        try:
            yield env
        finally:
            subprocess.run([str(venv_bin() / "edu-sim"), "stop", "--out",
                            str(own_var / "sim" / "tiny")], env=env, capture_output=True)


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
