"""Cosmos configuration for rendering the dbt project as Airflow tasks.

Built once at import and shared by every DAG that runs dbt. The manifest is
precomputed (`edu dbt-parse`, run by set-up) so that parsing a DAG file does not
start dbt; without it Cosmos falls back to `dbt ls`.
"""

from __future__ import annotations

import os

from airflow.sdk import DAG
from airflow.task.trigger_rule import TriggerRule
from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import (
    PRODUCER_WATCHER_TASK_ID,
    ExecutionMode,
    InvocationMode,
    LoadMode,
    TestBehavior,
)
from cosmos.profiles import PostgresUserPasswordProfileMapping

from edu_platform.airflow_env import WAREHOUSE_TRANSFORMER_CONN_ID
from edu_platform.dbt_runner import PROFILE_NAME, TARGET_NAME
from edu_platform.paths import dbt_project_dir

AUDIT_SCHEMA = "audit"
MANIFEST = dbt_project_dir() / "target" / "manifest.json"

project_config = ProjectConfig(
    dbt_project_path=dbt_project_dir(),
    manifest_path=MANIFEST if MANIFEST.exists() else None,
)
if project_config.manifest_path is not None:
    # Cosmos wraps the path in Airflow's ObjectStoragePath, whose first read loads every
    # Airflow plugin (Cosmos's own imports FastAPI): a third of each parse of the dbt DAG
    # (bench/, DAG parse). A local file needs none of that.
    project_config.manifest_path = MANIFEST

profile_config = ProfileConfig(
    profile_name=PROFILE_NAME,
    target_name=TARGET_NAME,
    # dbt logs in as the transformer role: it reads raw, owns what it builds
    profile_mapping=PostgresUserPasswordProfileMapping(
        conn_id=WAREHOUSE_TRANSFORMER_CONN_ID,
        profile_args={"schema": AUDIT_SCHEMA, "threads": 4},
    ),
)

# `watcher`: one `dbt build` of every model in a producer task, with dbt's threads, while
# each model's task only watches for its outcome: starting dbt once per model (`local`)
# cost more than the build itself (bench/, end to end). `local` stays a setting because
# Cosmos still calls `watcher` experimental. dbt runs in-process: it shares Airflow's
# virtualenv.
EXECUTION_MODE = ExecutionMode(os.environ.get("EDU_DBT_EXECUTION_MODE", "watcher"))
if EXECUTION_MODE not in (ExecutionMode.WATCHER, ExecutionMode.LOCAL):
    raise ValueError(f"EDU_DBT_EXECUTION_MODE={EXECUTION_MODE.value}: use watcher or local")
execution_config = ExecutionConfig(
    execution_mode=EXECUTION_MODE, invocation_mode=InvocationMode.DBT_RUNNER)

render_config = RenderConfig(
    load_method=LoadMode.DBT_MANIFEST if MANIFEST.exists() else LoadMode.DBT_LS,
    # Every model is a task; the tests (the quality gates) run together once the whole
    # audit build exists, as write-audit-publish wants, and so that a test reading
    # several models (relationships, codes from a seed) never runs before one of them.
    test_behavior=TestBehavior.AFTER_ALL,
)


def watch_after_the_build(dag: DAG) -> None:
    """Start the dbt DAG's watching tasks only once the producer's `dbt build` has finished.

    Cosmos starts the roots alongside the producer (trigger rule `always`), and a model
    that reads only sources gets no upstream task at all. `airflow dags test`, the main
    run, runs one task at a time: a watcher started first would wait for ever for a
    producer that never gets its turn.
    """
    if not dag.has_task(PRODUCER_WATCHER_TASK_ID):
        return  # `local` mode: every model task runs its own model
    producer = dag.get_task(PRODUCER_WATCHER_TASK_ID)
    for task in dag.tasks:
        if task is producer or task.upstream_task_ids - {producer.task_id}:
            continue
        producer >> task
        task.trigger_rule = TriggerRule.ALL_DONE
