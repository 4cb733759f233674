"""The warehouse URL inside an Airflow task, from one of the warehouse Airflow connections."""

from __future__ import annotations

from airflow.providers.postgres.hooks.postgres import PostgresHook

from edu_platform.airflow_env import WAREHOUSE_CONN_ID
from edu_platform.databases import libpq_url


def warehouse_url(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """A libpq URL (psycopg 3 takes it as is), whatever driver SQLAlchemy's form names."""
    return libpq_url(PostgresHook(postgres_conn_id=conn_id).get_uri())
