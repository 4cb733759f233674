"""Bringing the platform's runtime up: databases, Airflow metadata, dbt manifest.

Every step is idempotent, so the main run calls it every time and a second call
costs seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from edu_platform.airflow_env import airflow_environment
from edu_platform.airflow_runner import migrate_metadata_db
from edu_platform.databases import Databases, resolve_databases
from edu_platform.dbt_runner import parse_state_args, run_dbt_as_transformer
from edu_platform.pseudonym_key import ensure_pseudonym_function
from edu_platform.security.apply import SecuritySetupError, apply_security

Progress = Callable[[str], None]


class SetupFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Runtime:
    databases: Databases
    airflow_env: dict[str, str] = field(repr=False)  # holds every connection's password


def parse_dbt_project(warehouse_url: str) -> None:
    """Precompute `target/manifest.json` so Cosmos renders DAGs without running dbt
    (and the build's dbt starts from this parse: same vars, profile and target)."""
    result = run_dbt_as_transformer(["parse", "--quiet", *parse_state_args()], warehouse_url)
    if result.returncode != 0:
        raise SetupFailed(f"dbt parse failed:\n{result.stdout}{result.stderr}")


def prepare_runtime(progress: Progress = lambda _: None) -> Runtime:
    databases = resolve_databases()
    if databases.embedded is not None:
        progress(f"starting the embedded PostgreSQL on 127.0.0.1:{databases.embedded.port}")
    else:
        progress("using the configured PostgreSQL servers (WAREHOUSE_URL); starting none")
    databases.prepare()
    progress("applying the warehouse roles and grants (loader, transformer, publisher, analyst)")
    try:
        apply_security(databases.warehouse_url)
    except SecuritySetupError as error:
        raise SetupFailed(str(error)) from error
    env = airflow_environment(databases)
    progress("installing the pseudonymization function (key from the secrets, never in dbt)")
    ensure_pseudonym_function(databases.warehouse_url)
    progress("parsing the dbt project (manifest for Cosmos) and, beside it, preparing the "
             "Airflow metadata database (airflow db migrate)")
    # two independent commands, each mostly its own start-up: side by side
    with ThreadPoolExecutor(max_workers=1) as beside:
        migrated = beside.submit(migrate_metadata_db, env)
        parse_dbt_project(databases.warehouse_url)
        migrated.result()
    return Runtime(databases, env)
