"""
### Build the provincial warehouse (dbt, rendered by Cosmos)

**What it does.** Runs the dbt project in `dbt_project/` against the warehouse:
every seed, model and its tests is a task of its own, so a failing test names
the model it guards.

**When it runs.** When every source of the province has landed (the extract
DAGs' Assets), or by hand.

**What it needs.** The `warehouse` Airflow connection (set by the project's
commands from `WAREHOUSE_URL` or the embedded cluster).

**When it fails.** Open the failed task's log: a failing dbt test prints the
test name and the count of failing rows. A connection error means the
warehouse database is down: `make db-start` (or check `WAREHOUSE_URL`).
"""

from __future__ import annotations

import pendulum
from cosmos import DbtDag

from edu_platform.dag_defaults import default_args
from edu_platform.dbt_cosmos import (
    execution_config,
    profile_config,
    project_config,
    render_config,
)
from edu_platform.extract_dags import source_asset
from edu_platform.province_config import load_province

_province = load_province()

build_warehouse = DbtDag(
    dag_id="build_warehouse",
    project_config=project_config,
    profile_config=profile_config,
    execution_config=execution_config,
    render_config=render_config,
    # All sources landed: an Asset schedule waits for every one of them.
    schedule=[source_asset(_province, name) for name in _province.sources],
    start_date=pendulum.datetime(2024, 5, 16, tz="Asia/Bangkok"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(owner="data-engineering"),
    doc_md=__doc__,
    tags=["dbt", "stage:build", f"province:{_province.slug}"],
)
