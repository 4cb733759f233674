"""The embedded cluster really starts, accepts connections and stops."""

from __future__ import annotations

import psycopg
import pytest

from edu_platform.embedded_postgres import EmbeddedPostgres, find_bindir
from tests.conftest import free_port


def test_cluster_starts_accepts_connections_and_stops(scratch_dir) -> None:
    cluster = EmbeddedPostgres(scratch_dir / "data", free_port(), password="s3cret-for-test")
    cluster.start()
    try:
        assert cluster.is_running()
        cluster.ensure_database("warehouse")
        cluster.ensure_database("warehouse")  # idempotent
        with psycopg.connect(cluster.url("warehouse")) as conn:
            assert conn.execute("select current_setting('port')::int").fetchone()[0] == cluster.port
            assert conn.execute("show listen_addresses").fetchone()[0] == "127.0.0.1"
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(cluster.url("warehouse").replace("s3cret-for-test", "wrong"))
        cluster.start()  # a second start leaves the running cluster alone
    finally:
        cluster.stop()
    assert not cluster.is_running()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(cluster.url("postgres"), connect_timeout=2)


def test_server_binaries_are_found() -> None:
    assert (find_bindir(install=False) / "initdb").exists()
