"""Airflow + Cosmos + dbt against the real warehouse, and the external-server switch."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from edu_platform.embedded_postgres import EmbeddedPostgres
from edu_platform.paths import REPO_ROOT
from tests.conftest import free_port
from tests.raw_zone import raw_zone_fingerprint

pytestmark = pytest.mark.slow
LOG_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", re.MULTILINE)


def _log_times(log: Path) -> list[str]:
    """The timestamps a DAG's log lines start with (ISO, UTC: they sort as text)."""
    return LOG_TIME.findall(log.read_text())


def test_main_run_on_warehouse_url_is_idempotent_and_starts_no_cluster(scratch_dir) -> None:
    """`edu run` end to end on the `tiny` simulators, against a server given by WAREHOUSE_URL.

    It starts no cluster of its own, and a second run leaves the raw zone identical.
    """
    other = EmbeddedPostgres(scratch_dir / "other-server", free_port(), password="other-pw")
    other.start()
    try:
        other.ensure_database("province_wh")
        own_var = scratch_dir / "var"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
            "WAREHOUSE_URL": other.url("province_wh"),
            "EDU_VAR_DIR": str(own_var),
            "EDU_PG_PORT": str(free_port()),
        }
        fingerprints = []
        # The whole run, then the extraction again: the raw zone must not change.
        for stages in ("extract,build", "extract"):
            result = subprocess.run(
                [sys.executable, "-m", "edu_platform.cli", "run", "--preset", "tiny",
                 "--stages", stages],
                env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1500,
            )
            assert result.returncode == 0, result.stdout + result.stderr[-5000:]
            fingerprints.append(raw_zone_fingerprint(other.url("province_wh")))
            if stages != "extract":
                runs = own_var / "airflow" / "logs" / "runs"
                build_log = runs / "build_warehouse.log"
                assert "build_warehouse.dbt_project_test" in build_log.read_text()
                # the build ran in the first extract process, once every extract DAG ended
                assert not (runs / "batch.log").exists()
                assert _log_times(build_log)[0] > max(
                    _log_times(path)[-1] for path in runs.glob("extract_*.log"))
        assert "starting none" in result.stderr
        assert "extract_obec_dmc" in result.stdout
        assert not (own_var / "pg").exists(), "an embedded cluster was created"
        assert fingerprints[0]["obec_dmc__students"][0] > 0
        assert fingerprints[1] == fingerprints[0]
        with psycopg.connect(other.url("province_wh")) as conn:
            assert conn.execute("select count(*) from audit.dim_level").fetchone()[0] == 25
        with psycopg.connect(other.url("airflow")) as conn:
            assert conn.execute("select count(*) from dag_run").fetchone()[0] >= 17
    finally:
        subprocess.run([sys.executable, "-m", "edu_simulators.cli", "stop", "--out",
                        str(scratch_dir / "var" / "sim" / "tiny")], env=os.environ)
        other.stop()
