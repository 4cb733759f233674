"""Extract DAGs under Airflow: a failing source fails its own DAG, loudly, and no other."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from edu_platform.airflow_env import warehouse_connections
from edu_platform.airflow_runner import run_dag_in_process
from tests.security.secret_scan import leaked_secrets

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402
from edu_simulators.servers import running_servers  # noqa: E402

pytestmark = pytest.mark.slow
ONE_TERM = {"academic_years": [2567], "terms": [1]}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("tiny", seed=21, out=tmp_path_factory.mktemp("tiny"))


def test_failing_source_fails_its_own_dag_and_no_other(runtime, fresh_warehouse, tiny) -> None:
    with running_servers(tiny) as endpoints:
        sources = endpoints.env(drop_dir=tiny / "drop",
                                dlp_url=f"sqlite:///{tiny / 'dlp' / 'itw.sqlite'}")
        env = {**runtime.airflow_env, **{k: str(v) for k, v in sources.items()},
               "OBEC_DMC_API_KEY": "not-the-key", "EDU_TASK_RETRIES": "0",
               **warehouse_connections(fresh_warehouse)}
        failed = run_dag_in_process("extract_obec_dmc", env, conf=ONE_TERM)
        landed = run_dag_in_process("extract_ovec_vec", env, conf=ONE_TERM)
    log = failed.log_file.read_text()
    assert not failed.succeeded
    assert "SourceError: obec_dmc:" in log and "not-the-key" not in log
    assert landed.succeeded, landed.log_file.read_text()[-3000:]
    # the loader's task output shows none of the project's keys or passwords
    assert leaked_secrets([log, landed.log_file.read_text()]) == []
    with psycopg.connect(fresh_warehouse) as conn:
        sources = dict(conn.execute("SELECT source, sum(rows_loaded) FROM raw.batches "
                                    "GROUP BY 1").fetchall())
    assert "obec_dmc" not in sources or sources["obec_dmc"] == 0
    assert sources["ovec_vec"] > 0
