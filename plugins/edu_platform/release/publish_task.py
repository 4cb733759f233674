"""The publish step as an Airflow task callable: the last task of the build DAG.

Whether it publishes or refuses, the task logs the run's summary (rows landed, gates,
release) as a table; the summary is its XCom, visible in the UI. A refusal fails the
task with the failing gates named.

Imports happen when the task runs, not when the dag-processor parses the DAG file.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def publish_latest_build(dag_run: Any = None) -> dict[str, Any]:
    """`dag_run` is Airflow's, given by the task's context: only gates recorded since its
    start may publish. Called by hand (no run), the latest gates are taken as they are."""
    from edu_platform.airflow_connections import warehouse_url
    from edu_platform.airflow_env import WAREHOUSE_PUBLISHER_CONN_ID
    from edu_platform.province_config import load_province
    from edu_platform.release.gates import GatesNotRun
    from edu_platform.release.publish import GatesFailed, publish_release
    from edu_platform.release.run_summary import summarize_latest_build

    url = warehouse_url(WAREHOUSE_PUBLISHER_CONN_ID)
    build_started = dag_run.start_date if dag_run is not None else None
    try:
        release = publish_release(url, load_province(), gates_since=build_started)
    except (GatesFailed, GatesNotRun):
        log.error("run summary, nothing published:\n%s", summarize_latest_build(url).as_text())
        raise
    summary = summarize_latest_build(url)
    log.info("run summary:\n%s", summary.as_text())
    return {**summary.as_xcom(), "schema": release.schema,
            "revisions": release.revision_count, "withheld_cells": release.withheld_cells,
            "files": str(release.files_dir)}
