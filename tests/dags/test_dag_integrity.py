"""Every DAG imports cleanly and carries what operators rely on."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from airflow.dag_processing.dagbag import DagBag

from edu_platform.paths import dags_dir


@pytest.fixture(scope="module")
def dagbag(runtime) -> DagBag:
    # `runtime` precomputes the dbt manifest, as set-up does before Airflow parses DAGs.
    return DagBag(dag_folder=str(dags_dir()))


def test_every_dag_imports_without_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert dagbag.dags, "no DAG was found"


def test_build_dag_renders_dbt_models_and_tests_as_tasks(dagbag: DagBag) -> None:
    task_ids = set(dagbag.dags["build_warehouse"].task_ids)
    assert {"dim_level_run", "dbt_project_test"} <= task_ids


def test_build_dag_runs_dbt_once_and_watches_every_model(dagbag: DagBag) -> None:
    dag = dagbag.dags["build_warehouse"]
    (producer,) = dag.roots
    assert producer.task_id == "dbt_producer_watcher"
    models = [task for task in dag.tasks if task.task_id.endswith("_run")]
    assert models and all(type(task).__name__ == "DbtRunWatcherOperator" for task in models)


def test_build_dag_in_local_mode_runs_dbt_in_every_model_task(runtime) -> None:
    """`EDU_DBT_EXECUTION_MODE=local`: no producer, each model task runs dbt itself."""
    script = ("from airflow.dag_processing.dagbag import DagBag; "
              f"bag = DagBag(dag_folder={str(dags_dir())!r}); "
              "assert not bag.import_errors, bag.import_errors; "
              "dag = bag.dags['build_warehouse']; "
              "print(sorted({type(t).__name__ for t in dag.tasks}))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={**os.environ, "EDU_DBT_EXECUTION_MODE": "local"}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    kinds = result.stdout.strip().splitlines()[-1]
    assert "DbtRunLocalOperator" in kinds and "Watcher" not in kinds


def test_every_dag_is_documented_owned_tagged_and_retried(dagbag: DagBag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md and len(dag.doc_md) > 100, f"{dag_id}: doc_md missing or too thin"
        assert dag.tags, f"{dag_id}: no tags"
        assert dag.max_active_runs and dag.max_active_runs <= 2, dag_id
        start = dag.start_date
        assert start is not None and start.tzinfo is not None, f"{dag_id}: naive start_date"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id}: no owner"
            assert task.retries >= 1, f"{dag_id}.{task.task_id}: no retries"
            assert task.execution_timeout and task.execution_timeout <= timedelta(hours=6), (
                f"{dag_id}.{task.task_id}: no execution timeout"
            )


def test_one_extract_dag_per_configured_source_each_updating_its_asset(dagbag: DagBag) -> None:
    from edu_platform.extract_dags import source_asset
    from edu_platform.province_config import load_province

    province = load_province()
    for source in province.sources:
        dag = dagbag.dags[f"extract_{source}"]
        assert {f"source:{source}", "stage:extract"} <= set(dag.tags)
        outlets = [outlet for task in dag.tasks for outlet in task.outlets]
        assert outlets == [source_asset(province, source)], source
        assert dag.timetable.expression == province.sources[source]["schedule"]
        assert str(dag.timetable.timezone) == "Asia/Bangkok"
    build_schedule = dagbag.dags["build_warehouse"].timetable.asset_condition
    assert set(build_schedule.objects) == {source_asset(province, s) for s in province.sources}
