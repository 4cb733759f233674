"""Where the project keeps its files: one place, so nothing depends on the cwd."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def var_dir() -> Path:
    """Runtime state (database cluster, Airflow home, secrets, releases); git-ignored."""
    return Path(os.environ.get("EDU_VAR_DIR", REPO_ROOT / "var")).resolve()


def dags_dir() -> Path:
    return REPO_ROOT / "dags"


def plugins_dir() -> Path:
    return REPO_ROOT / "plugins"


def dbt_project_dir() -> Path:
    return REPO_ROOT / "dbt_project"


def provinces_dir() -> Path:
    return REPO_ROOT / "include" / "provinces"


def airflow_home() -> Path:
    return Path(os.environ.get("EDU_AIRFLOW_HOME", var_dir() / "airflow")).resolve()


def venv_bin() -> Path:
    """The virtualenv's bin folder: Airflow and dbt are run from the same interpreter."""
    import sys

    return Path(sys.executable).parent
