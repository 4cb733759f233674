"""The Cosmos build DAG runs every dbt model and its tests on a landed province."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from edu_platform.airflow_env import warehouse_connections
from edu_platform.airflow_runner import run_dag_in_process
from edu_platform.security.logins import login_url
from edu_platform.security.roles import LOADER
from tests.integration.conftest import land_simulated_province
from tests.security.secret_scan import leaked_secrets

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_landed(tmp_path_factory: pytest.TempPathFactory, fresh_warehouse: str) -> Iterator[str]:
    sim: Path = generate("tiny", seed=21, out=tmp_path_factory.mktemp("tiny"))
    land_simulated_province(sim, login_url(fresh_warehouse, LOADER))  # as the extract DAGs
    yield fresh_warehouse


def test_cosmos_build_dag_runs_models_and_their_tests(runtime, tiny_landed: str) -> None:
    env = {**runtime.airflow_env, **warehouse_connections(tiny_landed)}
    outcome = run_dag_in_process("build_warehouse", env)
    log = outcome.log_file.read_text()
    assert outcome.succeeded, log[-3000:]
    # the dbt test tasks really ran dbt's tests, and they passed
    # the models ran as tasks, then dbt's tests (the gates), and they passed
    assert "build_warehouse.dim_level_run" in log and "build_warehouse.dbt_project_test" in log
    assert leaked_secrets([log]) == []  # dbt ran as the transformer, saying no password
    with psycopg.connect(tiny_landed) as conn:
        grades = conn.execute("select count(*), count(distinct isced) from audit.dim_level")
        assert grades.fetchone() == (25, 8)
