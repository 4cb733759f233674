"""The publish step as an Airflow task callable: the last task of the build DAG.

Imports happen when the task runs, not when the dag-processor parses the DAG file.
"""

from __future__ import annotations

from typing import Any


def publish_latest_build() -> dict[str, Any]:
    """Publishes the audit build; the summary becomes the task's XCom (visible in the UI)."""
    from edu_platform.airflow_connections import warehouse_url
    from edu_platform.airflow_env import WAREHOUSE_PUBLISHER_CONN_ID
    from edu_platform.province_config import load_province
    from edu_platform.release.publish import publish_release

    release = publish_release(warehouse_url(WAREHOUSE_PUBLISHER_CONN_ID), load_province())
    return {
        "release": release.number,
        "schema": release.schema,
        "gates_passed": release.gates.passed,
        "gates_warned": release.gates.warned,
        "revisions": release.revision_count,
        "withheld_cells": release.withheld_cells,
        "files": str(release.files_dir),
    }
