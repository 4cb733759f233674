"""Running the dbt CLI outside Airflow (set-up's `dbt parse`, docs, tests).

The pipeline's dbt logs in as the transformer role (`run_dbt_as_transformer`);
`run_dbt` takes any URL (tests of macros on scratch schemas use set-up's).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from urllib.parse import unquote, urlsplit

from edu_platform.paths import dbt_project_dir, venv_bin
from edu_platform.security.logins import login_url
from edu_platform.security.roles import TRANSFORMER


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
