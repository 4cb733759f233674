"""
### Build the provincial warehouse (dbt, rendered by Cosmos)

**What it does.** Runs the dbt project in `dbt_project/` into the `audit`
schema: every seed and model is a task of its own; the quality gates (all dbt
tests) run together in `dbt_project_test` once the whole build exists. When every
error-severity gate passed, `publish_release` copies the build into a new
numbered release (`release_NNNN`), repoints the `current` views at it and
writes its files (CSV, XLSX, JSON, SDMX-CSV, HTML report, feedback per
affiliation) under `var/releases/<province>/`. Whatever the outcome, its log
shows the run's summary (rows received, loaded and quarantined per source,
gates passed, warned and failed, the release), and its XCom holds it.

**When it runs.** When every source of the province has landed (the extract
DAGs' Assets), or by hand.

**What it needs.** The `warehouse_transformer` (dbt) and `warehouse_publisher`
(publish) Airflow connections, set by the project's commands from `WAREHOUSE_URL`
or the embedded cluster.

**When it fails.** Open the failed task's log: a failing dbt test prints the
test name and the count of failing rows, and `publish_release` names the failing
gates; nothing is published and the previous release stays current (`edu gates`
says the same from the command line). The failing rows are kept in schema `audit_failures`
and the scorecard in `audit.scorecard`. Failures are also appended to
`var/alerts.log` (and posted to `EDU_ALERT_WEBHOOK_URL` when set). A connection error means the
warehouse database is down: `make db-start` (or check `WAREHOUSE_URL`).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import task
from cosmos import DbtDag

from edu_platform.dag_defaults import default_args
from edu_platform.dbt_cosmos import (
    execution_config,
    profile_config,
    project_config,
    render_config,
    watch_after_the_build,
)
from edu_platform.dbt_vars import province_dbt_vars
from edu_platform.extract_dags import source_asset
from edu_platform.province_config import load_province
from edu_platform.release.publish_task import publish_latest_build

_province = load_province()

build_warehouse = DbtDag(
    dag_id="build_warehouse",
    project_config=project_config,
    profile_config=profile_config,
    execution_config=execution_config,
    render_config=render_config,
    # the province's code, area names and settings, from its configuration file
    operator_args={"vars": province_dbt_vars(_province)},
    # All sources landed: an Asset schedule waits for every one of them.
    schedule=[source_asset(_province, name) for name in _province.sources],
    start_date=pendulum.datetime(2024, 5, 16, tz="Asia/Bangkok"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(owner="data-engineering"),
    doc_md=__doc__,
    tags=["dbt", "stage:build", f"province:{_province.slug}"],
)

watch_after_the_build(build_warehouse)

with build_warehouse:
    # after every model and the gates, whatever their outcome: it publishes only when this
    # build's gates all passed, and otherwise logs the run's summary and fails
    build_leaves = list(build_warehouse.leaves)
    publish = task(task_id="publish_release", trigger_rule="all_done")(publish_latest_build)()
    build_leaves >> publish
