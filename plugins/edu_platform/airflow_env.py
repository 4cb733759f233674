"""The environment that configures Airflow (and dbt inside it) for this project.

Airflow reads every setting from `AIRFLOW__SECTION__KEY` variables, so the
project needs no airflow.cfg under version control: this module is the one
place where those settings are decided.
"""

from __future__ import annotations

import json
import os
from urllib.parse import unquote, urlsplit

from edu_platform.databases import Databases
from edu_platform.local_secrets import load_secrets
from edu_platform.paths import airflow_home, dags_dir, plugins_dir, venv_bin
from edu_platform.security.logins import login_url
from edu_platform.security.roles import ANALYST, LOADER, PUBLISHER, TRANSFORMER

API_HOST = "127.0.0.1"
UI_USER = "operator"
# Each step reaches the warehouse as its own role (edu_platform.security); the
# set-up's user (the superuser of the embedded cluster) never reaches a task.
WAREHOUSE_CONN_ID = "warehouse"  # read-only: the published releases, as an analyst
WAREHOUSE_LOADER_CONN_ID = "warehouse_loader"
WAREHOUSE_TRANSFORMER_CONN_ID = "warehouse_transformer"
WAREHOUSE_PUBLISHER_CONN_ID = "warehouse_publisher"
CONNECTION_ROLES = {
    WAREHOUSE_CONN_ID: ANALYST,
    WAREHOUSE_LOADER_CONN_ID: LOADER,
    WAREHOUSE_TRANSFORMER_CONN_ID: TRANSFORMER,
    WAREHOUSE_PUBLISHER_CONN_ID: PUBLISHER,
}


def airflow_connection_json(libpq_url: str) -> str:
    """An Airflow connection (JSON form) for a PostgreSQL libpq URL."""
    parts = urlsplit(libpq_url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": parts.hostname,
            "port": parts.port or 5432,
            "login": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "schema": parts.path.lstrip("/"),
        }
    )


def warehouse_connections(warehouse_url: str) -> dict[str, str]:
    """`AIRFLOW_CONN_*` of every warehouse connection: the database of `warehouse_url`
    (set-up's URL), each logging in as its step's role."""
    secrets = load_secrets()
    return {f"AIRFLOW_CONN_{conn_id.upper()}":
            airflow_connection_json(login_url(warehouse_url, role, secrets))
            for conn_id, role in CONNECTION_ROLES.items()}


def api_port() -> int:
    return int(os.environ.get("EDU_AIRFLOW_PORT", "8080"))


def passwords_file() -> str:
    return str(airflow_home() / "simple_auth_manager_passwords.json.generated")


def airflow_environment(databases: Databases) -> dict[str, str]:
    secrets = load_secrets()
    home = airflow_home()
    port = api_port()
    return {
        # Airflow's subprocesses (and Cosmos's dbt) must find the virtualenv's tools.
        "PATH": f"{venv_bin()}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_dir()),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins_dir()),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Bangkok",
        "AIRFLOW__CORE__FERNET_KEY": secrets["AIRFLOW__CORE__FERNET_KEY"],
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{UI_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": passwords_file(),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{API_HOST}:{port}/execution/",
        "AIRFLOW__API__HOST": API_HOST,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets["AIRFLOW__API_AUTH__JWT_SECRET"],
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": databases.airflow_url,
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # Cosmos's watcher producer otherwise rewrites the whole XCom backup Variable,
        # compressed, at every model event (quadratic in the models); it serves a
        # producer retry, which Cosmos skips anyway. A failed producer still saves it.
        "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
        **warehouse_connections(databases.warehouse_url),
    }
