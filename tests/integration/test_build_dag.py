"""The Cosmos build DAG runs every dbt model and its tests on a landed province."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from edu_platform.airflow_env import WAREHOUSE_CONN_ID, airflow_connection_json
from edu_platform.airflow_runner import run_dag_in_process
from tests.integration.conftest import land_simulated_province

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_landed(tmp_path_factory: pytest.TempPathFactory, fresh_warehouse: str) -> Iterator[str]:
    sim: Path = generate("tiny", seed=21, out=tmp_path_factory.mktemp("tiny"))
    land_simulated_province(sim, fresh_warehouse)
    yield fresh_warehouse


def test_cosmos_build_dag_runs_models_and_their_tests(runtime, tiny_landed: str) -> None:
    env = {**runtime.airflow_env,
           f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}": airflow_connection_json(tiny_landed)}
    outcome = run_dag_in_process("build_warehouse", env)
    log = outcome.log_file.read_text()
    assert outcome.succeeded, log[-3000:]
    # the dbt test tasks really ran dbt's tests, and they passed
    # the models ran as tasks, then dbt's tests (the gates), and they passed
    assert "build_warehouse.dim_level_run" in log and "build_warehouse.dbt_project_test" in log
    with psycopg.connect(tiny_landed) as conn:
        grades = conn.execute("select count(*), count(distinct isced) from marts.dim_level")
        assert grades.fetchone() == (25, 8)
