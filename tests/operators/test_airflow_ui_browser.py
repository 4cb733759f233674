"""An operator's session in the Airflow UI, in headless Chromium.

`edu up --preset tiny` starts the services on the `tiny` simulators, with a fresh
warehouse and a fresh Airflow metadata database of their own; the operator logs
in through the login page with the generated password, finds every DAG of the
province listed without import errors, triggers an extract DAG from the list and
watches the run succeed; then `edu down`. Screenshots of the DAG list and of the
run's graph go to var/test-artifacts/ for a person to look at (and of the page,
with the services' logs, when a step fails).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from playwright.sync_api import Page, expect

from edu_platform.airflow_env import UI_USER
from edu_platform.nightly import nightly_dag_ids
from edu_platform.paths import REPO_ROOT, var_dir, venv_bin
from edu_platform.province_config import load_province
from tests.browser import chromium
from tests.conftest import isolated_edu_environment

pytestmark = pytest.mark.slow

ARTIFACTS = var_dir() / "test-artifacts"
FAILURE_SCREENSHOT = ARTIFACTS / "airflow_ui_failure.png"
FAILURE_LOGS = ARTIFACTS / "airflow_ui_failure_logs"
TRIGGERED_DAG = "extract_peo_registry"  # one small file: the run takes seconds
TRIGGERED_TASKS = ("plan_terms", "extract", "mark_landed")
DAGS_PARSED_SECONDS = 120  # the DAG processor's first parse of every DAG file
RUN_FINISHED_MS = 120_000


@dataclass(frozen=True)
class Services:
    base_url: str
    password: str
    warehouse_url: str  # set-up's (superuser) URL of the services' own warehouse
    logs_dir: Path


def _edu(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv_bin() / "edu"), *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def services(runtime, scratch_dir: Path) -> Iterator[Services]:
    """`edu up --preset tiny` on databases of its own, everything it writes under scratch_dir;
    `edu down` and the simulators stopped afterwards."""
    with isolated_edu_environment(runtime, scratch_dir, "ui") as env:
        own_var, port = Path(env["EDU_VAR_DIR"]), env["EDU_AIRFLOW_PORT"]
        try:
            up = _edu("up", "--preset", "tiny", env=env)
            assert up.returncode == 0, up.stdout + up.stderr
            printed = re.search(r"password (\S+)", up.stderr)
            assert printed, f"`edu up` printed no password:\n{up.stderr}"
            passwords = own_var / "airflow" / "simple_auth_manager_passwords.json.generated"
            assert json.loads(passwords.read_text())[UI_USER] == printed.group(1)
            yield Services(f"http://127.0.0.1:{port}", printed.group(1), env["WAREHOUSE_URL"],
                           own_var / "airflow" / "logs")
        finally:
            down = _edu("down", env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "scheduler" in down.stderr


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium() as browser:
        opened = browser.new_page(viewport={"width": 1400, "height": 1000})
        opened.set_default_timeout(15_000)
        yield opened


@contextmanager
def _evidence_on_failure(page: Page, logs_dir: Path) -> Iterator[None]:
    """The page as it was and the services' logs, kept when a step fails (scratch is deleted);
    an earlier failure's are removed first, so that what is there belongs to this run."""
    FAILURE_SCREENSHOT.unlink(missing_ok=True)
    shutil.rmtree(FAILURE_LOGS, ignore_errors=True)
    try:
        yield
    except Exception:
        page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
        shutil.copytree(logs_dir, FAILURE_LOGS)
        raise


def _log_in(page: Page, services: Services) -> None:
    page.goto(f"{services.base_url}/dags")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.get_by_label("Username").fill(UI_USER)
    page.get_by_label("Password").fill(services.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _open_dag_list(page: Page, services: Services, dag_ids: list[str]) -> None:
    """The DAG list once the DAG processor has parsed every file (reloaded until then);
    fails with the import errors the UI was given, if any."""
    deadline = time.monotonic() + DAGS_PARSED_SECONDS
    while True:
        with page.expect_response(lambda r: "/api/v2/importErrors" in r.url) as import_errors:
            page.goto(f"{services.base_url}/dags")
        try:
            expect(page.get_by_role("heading", name=f"{len(dag_ids)} Dags", exact=True)
                   ).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    errors = import_errors.value.json()
    assert errors["total_entries"] == 0, [e["filename"] for e in errors["import_errors"]]


def _trigger_from_list(page: Page, dag_id: str) -> str:
    """Trigger `dag_id` with the row's trigger button; returns the new run's id."""
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=dag_id, exact=True))
    row.get_by_role("button", name="Trigger Dag").click()
    dialog = page.get_by_role("dialog")
    # DAGs are paused when created: a run of a paused DAG would wait forever
    expect(dialog.get_by_role("checkbox", name=f"Unpause {dag_id} on trigger")).to_be_checked()
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith(f"/dags/{dag_id}/dagRuns")) as created:
        dialog.get_by_role("button", name="Trigger", exact=True).click()
    expect(page.get_by_text("Dag Run Triggered")).to_be_visible()
    assert created.value.ok, created.value.text()
    return created.value.json()["dag_run_id"]


def test_operator_logs_in_sees_every_dag_and_runs_one(services: Services, page: Page) -> None:
    dag_ids = nightly_dag_ids(load_province("rayong"))  # extract_<source> per source + build
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with _evidence_on_failure(page, services.logs_dir):
        _log_in(page, services)
        _open_dag_list(page, services, dag_ids)
        page.get_by_role("button", name="Show table view").click()
        for dag_id in dag_ids:
            expect(page.get_by_role("link", name=dag_id, exact=True)).to_be_visible()
        # with an import error the list shows a "Dag Import Error" button beside the count
        expect(page.get_by_role("button", name=re.compile("Import Error"))).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "airflow_ui_dag_list.png"))

        run_id = _trigger_from_list(page, TRIGGERED_DAG)
        page.goto(f"{services.base_url}/dags/{TRIGGERED_DAG}/runs/{quote(run_id, safe='')}")
        run_state = (page.get_by_role("heading", name=run_id, exact=True).locator("..")
                     .get_by_test_id("state-badge"))
        # the run page refreshes itself while the run is queued or running
        expect(run_state).to_have_text(re.compile(r"^(Success|Failed)$"),
                                       timeout=RUN_FINISHED_MS)
        expect(run_state, f"{TRIGGERED_DAG} failed: its task logs are kept in {FAILURE_LOGS}"
               ).to_have_text("Success", timeout=1_000)

        page.get_by_role("button", name=re.compile(r"^Show Graph")).click()
        graph = page.get_by_role("application")
        for task_id in TRIGGERED_TASKS:
            expect(graph.get_by_role("link", name=re.compile(rf"^{task_id}\b"))).to_be_visible()
        expect(graph.get_by_text("success", exact=True)).to_have_count(len(TRIGGERED_TASKS))
        page.screenshot(path=str(ARTIFACTS / "airflow_ui_run_graph.png"))

    with psycopg.connect(services.warehouse_url) as conn:
        landed = conn.execute("SELECT sum(rows_loaded) FROM raw.batches WHERE source = %s",
                              [TRIGGERED_DAG.removeprefix("extract_")]).fetchone()[0]
    assert landed and landed > 0, "the run landed nothing in the services' own warehouse"
