"""A newcomer with only the README runs the pipeline, opens the UI, finds why a gate
failed and queries the warehouse as the analyst.

The shell blocks of the README's section between `<!-- newcomer-walkthrough -->` markers
are run by bash exactly as written, in the README's order: when the README changes, the
test follows. They run on databases of their own (`WAREHOUSE_URL`, Airflow's metadata
database) with everything they write under a scratch `EDU_VAR_DIR`, so the developer's
warehouse and Airflow stay untouched. Before the gates step, the test makes a gate fail
as a bad night would: the DOPA register is delivered again with half its residents
missing (`dopa_undercount`), is landed, and the build runs again.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

from edu_platform.airflow_env import UI_USER
from edu_platform.dbt_runner import run_dbt_as_transformer
from edu_platform.paths import REPO_ROOT, venv_bin
from edu_platform.province_config import load_province
from edu_platform.security.logins import login_url
from edu_platform.security.roles import LOADER
from tests.conftest import isolated_edu_environment
from tests.integration.conftest import land_simulated_province

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import Imperfections, generate  # noqa: E402

pytestmark = pytest.mark.slow

WALKTHROUGH = re.compile(r"<!-- newcomer-walkthrough -->(.*?)<!-- /newcomer-walkthrough -->",
                         re.DOTALL)
SHELL_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
FAILING_GATE = "indicators_province_ner_aner_at_most_105"
SIMULATOR_SEED = 21  # edu-sim's default: the undercounted world differs only in DOPA's files


def readme_walkthrough() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = WALKTHROUGH.search(readme)
    assert section, "README.md has no <!-- newcomer-walkthrough --> section"
    return SHELL_BLOCK.findall(section.group(1))


@dataclass(frozen=True)
class Walk:
    env: dict[str, str]
    warehouse_url: str
    port: int
    scratch: Path


@pytest.fixture
def walk(runtime, scratch_dir: Path) -> Iterator[Walk]:
    with isolated_edu_environment(runtime, scratch_dir, "walk") as isolated:
        env = {**isolated, "COLUMNS": "200"}
        try:
            yield Walk(env, env["WAREHOUSE_URL"], int(env["EDU_AIRFLOW_PORT"]), scratch_dir)
        finally:
            subprocess.run([str(venv_bin() / "edu"), "down"], env=env, capture_output=True)


def shell(block: str, walk: Walk) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=REPO_ROOT,
                          env=walk.env, capture_output=True, text=True, timeout=900)


# -- what each step must show -------------------------------------------------------------

def published_release_one(output: str, walk: Walk) -> None:
    assert re.search(r"Current release: 1\b", output), output[-3000:]
    with psycopg.connect(walk.warehouse_url) as conn:
        assert conn.execute("select count(*) from releases.catalog").fetchone()[0] == 1


def listed_dags(base: str, headers: dict[str, str], awaited: str) -> set[str]:
    """The UI's DAG list, once the dag-processor has (re)parsed the awaited DAG."""
    deadline = time.monotonic() + 120
    while True:
        listing = requests.get(f"{base}/api/v2/dags", headers=headers, timeout=30)
        assert listing.ok, listing.text
        dag_ids = {dag["dag_id"] for dag in listing.json()["dags"]}
        if awaited in dag_ids or time.monotonic() > deadline:
            return dag_ids
        time.sleep(2)


def ui_shows_the_build_and_its_summary(output: str, walk: Walk) -> None:
    password = re.search(r"password (\S+)", output)
    assert password, f"the UI step printed no password:\n{output}"
    base = f"http://127.0.0.1:{walk.port}"
    assert requests.get(f"{base}/api/v2/monitor/health", timeout=10).ok
    # no default login: nothing without the generated password
    assert requests.get(f"{base}/api/v2/dags", timeout=10).status_code == 401
    assert requests.post(f"{base}/auth/token", timeout=10, json={
        "username": "admin", "password": "admin"}).status_code == 401
    token = requests.post(f"{base}/auth/token", timeout=10,
                          json={"username": UI_USER, "password": password.group(1)})
    assert token.status_code in (200, 201), token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert {"build_warehouse", "extract_obec_dmc"} <= listed_dags(base, headers, "build_warehouse")
    runs = requests.get(f"{base}/api/v2/dags/build_warehouse/dagRuns", headers=headers,
                        timeout=30)
    assert runs.ok, runs.text
    # the run of step 1 (a scheduler started since may have queued an Asset-triggered one)
    (run,) = [run for run in runs.json()["dag_runs"] if run["run_type"] == "manual"]
    assert run["state"] == "success"
    xcom = requests.get(f"{base}/api/v2/dags/build_warehouse/dagRuns/{run['dag_run_id']}"
                        "/taskInstances/publish_release/xcomEntries/return_value",
                        headers=headers, timeout=30)
    assert xcom.ok, xcom.text
    summary = xcom.json()["value"]
    assert summary["release"] == 1 and summary["gates_failed"] == 0
    assert summary["rows_received"] == summary["rows_loaded"] + summary["rows_quarantined"] > 0


def make_a_gate_fail(walk: Walk) -> None:
    undercounted = generate("tiny", seed=SIMULATOR_SEED, out=walk.scratch / "undercount",
                            imperfections=Imperfections(dopa_undercount=0.5))
    province = load_province("rayong")
    # the other sources' deliveries are unchanged: only DOPA's files are landed again
    unchanged = frozenset((source, year) for source in province.sources
                          if source != "dopa_population" for year in province.academic_years)
    land_simulated_province(undercounted, login_url(walk.warehouse_url, LOADER), unchanged)
    dbt_dir = walk.scratch / "dbt"
    result = run_dbt_as_transformer(["build", "--target-path", str(dbt_dir / "target"),
                                     "--log-path", str(dbt_dir / "logs")], walk.warehouse_url)
    assert result.returncode != 0 and FAILING_GATE in result.stdout, result.stdout[-3000:]


def names_the_failed_gate(output: str, walk: Walk) -> None:
    assert FAILING_GATE in output, output
    assert "release 1 stays current" in output, output


def analyst_reads_the_release(output: str, walk: Walk) -> None:
    assert re.search(r"^\s*1 \|", output, re.MULTILINE), output  # current.release: 1
    assert re.search(r"^\s*GER\s+\|\s+[1-9]", output, re.MULTILINE), output


def ui_is_stopped(output: str, walk: Walk) -> None:
    assert "scheduler" in output, output
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{walk.port}/api/v2/monitor/health", timeout=5)


@dataclass(frozen=True)
class Step:
    command: str  # what the step's block runs
    check: Callable[[str, Walk], None]
    before: Callable[[Walk], None] | None = None


STEPS = (
    Step(".venv/bin/edu run", published_release_one),
    Step(".venv/bin/edu up", ui_shows_the_build_and_its_summary),
    Step(".venv/bin/edu gates", names_the_failed_gate, before=make_a_gate_fail),
    Step(".venv/bin/edu sql", analyst_reads_the_release),
    Step(".venv/bin/edu down", ui_is_stopped),
)


def test_readme_walkthrough(walk: Walk) -> None:
    blocks = readme_walkthrough()
    step_of_block: dict[int, Step] = {}
    for step in STEPS:
        (index,) = [i for i, block in enumerate(blocks) if step.command in block]
        step_of_block[index] = step
    assert list(step_of_block) == sorted(step_of_block), "the README's steps are out of order"
    for index, block in enumerate(blocks):
        step = step_of_block.get(index)
        if step and step.before:
            step.before(walk)
        result = shell(block, walk)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"README block {index + 1} failed:\n{block}\n{output}"
        if step:
            step.check(output, walk)
