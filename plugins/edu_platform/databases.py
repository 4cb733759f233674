"""Which PostgreSQL servers the platform uses: configured ones, or its own cluster.

`WAREHOUSE_URL` (a libpq URL) selects an existing warehouse server; the Airflow
metadata database is then `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN` if set, else a
database `airflow` on the warehouse's server. With neither set, the project
runs its own cluster (`var/pg`) holding `airflow` and one warehouse database per
province, named by its configuration (`warehouse_database`; the province is
`EDU_PROVINCE`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from edu_platform.embedded_postgres import DEFAULT_PORT, EmbeddedPostgres, ensure_database
from edu_platform.local_secrets import load_secrets
from edu_platform.paths import var_dir
from edu_platform.province_config import load_province
from edu_platform.security.redaction import RedactedUrl

AIRFLOW_DB = "airflow"


@dataclass(frozen=True)
class Databases:
    warehouse_url: str
    airflow_url: str  # SQLAlchemy URL, as Airflow wants it
    embedded: EmbeddedPostgres | None
    airflow_db_derived: bool  # Airflow's database is ours to create on the warehouse server

    def prepare(self) -> None:
        """Start the embedded cluster if we own one, and create missing databases."""
        if self.embedded is not None:
            self.embedded.start()
            self.embedded.ensure_database(database_name(self.warehouse_url))
            self.embedded.ensure_database(AIRFLOW_DB)
        elif self.airflow_db_derived:
            ensure_database(with_database(self.warehouse_url, "postgres"), AIRFLOW_DB)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, database: str, scheme: str | None = None) -> str:
    parts = urlsplit(url)
    return RedactedUrl(urlunsplit(parts._replace(path=f"/{database}",
                                                 scheme=scheme or parts.scheme)))


def libpq_url(url: str) -> str:
    """A SQLAlchemy-style URL (postgresql+psycopg2://...) as libpq's (psycopg 3 takes it)."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


def embedded_cluster() -> EmbeddedPostgres:
    return EmbeddedPostgres(
        data_dir=var_dir() / "pg" / "data",
        port=int(os.environ.get("EDU_PG_PORT", DEFAULT_PORT)),
        password=load_secrets()["EDU_PG_SUPERUSER_PASSWORD"],
    )


def resolve_databases() -> Databases:
    configured = os.environ.get("WAREHOUSE_URL")
    airflow_url = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if configured:
        derived = airflow_url is None
        return Databases(
            warehouse_url=RedactedUrl(configured),
            airflow_url=RedactedUrl(airflow_url or with_database(
                configured, AIRFLOW_DB, scheme="postgresql+psycopg2")),
            embedded=None,
            airflow_db_derived=derived,
        )
    cluster = embedded_cluster()
    return Databases(
        warehouse_url=cluster.url(load_province().warehouse_database),
        airflow_url=RedactedUrl(airflow_url or cluster.url(AIRFLOW_DB,
                                                           driver="postgresql+psycopg2")),
        embedded=cluster,
        airflow_db_derived=False,
    )
