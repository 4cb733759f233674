"""`edu up` starts the Airflow UI with a generated login, and `edu down` stops it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from edu_platform.paths import REPO_ROOT
from tests.conftest import free_port

pytestmark = pytest.mark.slow


def _edu(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edu_platform.cli", *args], env=env,
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_ui_requires_login_and_lists_dags(runtime, scratch_dir) -> None:
    port = free_port()
    env = {**os.environ, "EDU_AIRFLOW_PORT": str(port),
           "EDU_AIRFLOW_HOME": str(scratch_dir / "airflow")}
    up = _edu("up", env=env)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        base = f"http://127.0.0.1:{port}"
        assert requests.get(f"{base}/api/v2/dags", timeout=10).status_code == 401
        refused = requests.post(f"{base}/auth/token", timeout=10,
                                json={"username": "admin", "password": "admin"})
        assert refused.status_code == 401
        password = up.stderr.split("password ")[1].split()[0]
        token = requests.post(f"{base}/auth/token", timeout=10,
                              json={"username": "operator", "password": password})
        assert token.status_code in (200, 201), token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        deadline = time.monotonic() + 120
        dag_ids: set[str] = set()
        while "build_warehouse" not in dag_ids and time.monotonic() < deadline:
            listing = requests.get(f"{base}/api/v2/dags", headers=headers, timeout=10)
            assert listing.ok, listing.text
            dag_ids = {dag["dag_id"] for dag in listing.json()["dags"]}
            time.sleep(2)
        assert "build_warehouse" in dag_ids
    finally:
        down = _edu("down", env=env)
    assert down.returncode == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5)
