"""Running the dbt CLI outside Airflow (set-up's `dbt parse`, docs, tests).

The pipeline's dbt logs in as the transformer role (`run_dbt_as_transformer`);
`run_dbt` takes any URL (tests of macros on scratch schemas use set-up's).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from urllib.parse import unquote, urlsplit

from edu_platform.dbt_vars import province_dbt_vars
from edu_platform.paths import dbt_project_dir, venv_bin
from edu_platform.province_config import load_province
from edu_platform.security.logins import login_url
from edu_platform.security.roles import TRANSFORMER

# The profile and target names of the profile Cosmos builds (dbt_cosmos.profile_config).
# dbt reuses a saved parse only when the CLI vars and these names are the ones it was
# made with: set-up's parse and the docs run under them, with the province's vars, so
# that the build's dbt (and the docs) re-parse only what changed, not the whole project.
PROFILE_NAME = "edu_warehouse"
TARGET_NAME = "airflow"


def parse_state_args() -> list[str]:
    """The arguments that make a dbt invocation's parse state match Cosmos's: its profile
    and target names, and the vars of the province the environment names."""
    dbt_vars = province_dbt_vars(load_province())
    return ["--profile", PROFILE_NAME, "--target", TARGET_NAME, "--vars", json.dumps(dbt_vars)]


def dbt_environment(warehouse_url: str) -> dict[str, str]:
    """The variables `dbt_project/profiles.yml` reads, from a libpq URL."""
    parts = urlsplit(warehouse_url)
    return {
        "WAREHOUSE_HOST": parts.hostname or "127.0.0.1",
        "WAREHOUSE_PORT": str(parts.port or 5432),
        "WAREHOUSE_USER": unquote(parts.username or ""),
        "WAREHOUSE_PASSWORD": unquote(parts.password or ""),
        "WAREHOUSE_DB": parts.path.lstrip("/"),
        "DBT_PROFILES_DIR": str(dbt_project_dir()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def run_dbt(args: Sequence[str], warehouse_url: str,
            extra_env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **dbt_environment(warehouse_url), **(extra_env or {})}
    return subprocess.run(
        [str(venv_bin() / "dbt"), *args], cwd=dbt_project_dir(), env=env,
        text=True, capture_output=True,
    )


def run_dbt_as_transformer(args: Sequence[str], warehouse_url: str,
                           extra_env: Mapping[str, str] | None = None
                           ) -> subprocess.CompletedProcess[str]:
    """dbt on the database of set-up's `warehouse_url`, logged in as the transformer."""
    return run_dbt(args, login_url(warehouse_url, TRANSFORMER), extra_env)
