"""Running Airflow's own commands with the project's environment.

The default run and the tests use `airflow dags test` (a whole DAG in one
process); operators get the long-running services from `start_services`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from edu_platform.airflow_env import API_HOST, UI_USER, api_port, passwords_file
from edu_platform.paths import airflow_home, venv_bin

SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")


class AirflowCommandFailed(RuntimeError):
    """An `airflow` command exited non-zero; the message carries its last output lines."""


def _airflow(args: list[str], env: Mapping[str, str], log_file: Path | None = None,
             timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(venv_bin() / "airflow"), *args]
    full_env = {**os.environ, **env}
    if log_file is None:
        return subprocess.run(command, env=full_env, text=True, capture_output=True,
                              timeout=timeout)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w") as out:
        return subprocess.run(command, env=full_env, text=True, stdout=out,
                              stderr=subprocess.STDOUT, timeout=timeout)


def _check(result: subprocess.CompletedProcess[str], what: str, log_file: Path | None) -> None:
    if result.returncode == 0:
        return
    output = log_file.read_text() if log_file else (result.stdout or "") + (result.stderr or "")
    tail = "\n".join(output.strip().splitlines()[-25:])
    where = f" (full log: {log_file})" if log_file else ""
    raise AirflowCommandFailed(f"{what} failed with exit code {result.returncode}{where}\n{tail}")


def migrate_metadata_db(env: Mapping[str, str]) -> None:
    log_file = airflow_home() / "logs" / "db-migrate.log"
    _check(_airflow(["db", "migrate"], env, log_file), "airflow db migrate", log_file)


@dataclass(frozen=True)
class DagRunOutcome:
    dag_id: str
    succeeded: bool
    seconds: float
    log_file: Path


def run_succeeded(log_file: Path) -> bool:
    """`dags test` can end without an error for a failed run: its closing DagRun line is
    the verdict."""
    if not log_file.exists():
        return False
    finished = [line for line in log_file.read_text(errors="replace").splitlines()
                if "DagRun Finished" in line]
    return bool(finished) and "state=success" in finished[-1]


def _run_batch(dag_ids: Sequence[str], env: Mapping[str, str], conf: Mapping[str, object] | None,
               progress: Callable[[str], None], logs: Path, batch_log: Path,
               seconds: dict[str, float]) -> None:
    """One `dag_test_batch` process for `dag_ids`, in order; their seconds go to `seconds`."""
    command = [str(venv_bin() / "python"), "-m", "edu_platform.dag_test_batch",
               "--logs", str(logs), *(["--conf", json.dumps(conf)] if conf else []), *dag_ids]
    batch_output: list[str] = []
    with subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as batch:
        for line in batch.stdout or ():
            event = json.loads(line) if line.startswith("{") else None
            if event is None:
                batch_output.append(line)
            elif event["event"] == "started":
                progress(f"running DAG {event['dag_id']}")
            else:
                seconds[event["dag_id"]] = event["seconds"]
    batch_log.write_text("".join(batch_output))


def run_dags_in_process(dag_ids: Sequence[str], env: Mapping[str, str],
                        conf: Mapping[str, object] | None = None,
                        progress: Callable[[str], None] = lambda _: None,
                        streams: int = 1) -> list[DagRunOutcome]:
    """Run whole DAGs, each as `airflow dags test` would, in processes of their own
    (edu_platform.dag_test_batch): Airflow starts once per process, not per DAG.

    With `streams` above 1 the DAGs are dealt round-robin to that many processes
    running side by side, as the scheduler would run independent DAGs; only DAGs that
    do not depend on each other (the extract DAGs) may be given together.
    """
    logs = airflow_home() / "logs" / "runs"
    logs.mkdir(parents=True, exist_ok=True)
    lanes = [list(dag_ids[lane::streams]) for lane in range(max(1, min(streams, len(dag_ids))))]
    batch_logs = [logs / ("batch.log" if len(lanes) == 1 else f"batch-{lane + 1}.log")
                  for lane in range(len(lanes))]
    seconds: dict[str, float] = {}
    runners = [threading.Thread(target=_run_batch, args=(lane, env, conf, progress, logs,
                                                         batch_log, seconds))
               for lane, batch_log in zip(lanes, batch_logs, strict=True)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    batch_log_of = {dag_id: batch_log for lane, batch_log in zip(lanes, batch_logs, strict=True)
                    for dag_id in lane}
    outcomes = []
    for dag_id in dag_ids:
        log_file = logs / f"{dag_id}.log"
        ran = dag_id in seconds and log_file.exists()
        outcomes.append(DagRunOutcome(dag_id, ran and run_succeeded(log_file),
                                      seconds.get(dag_id, 0.0),
                                      log_file if ran else batch_log_of[dag_id]))
    return outcomes


def run_dag_in_process(dag_id: str, env: Mapping[str, str],
                       conf: Mapping[str, object] | None = None) -> DagRunOutcome:
    """Run one whole DAG in a process of its own, as `airflow dags test`."""
    return run_dags_in_process([dag_id], env, conf)[0]


# -- long-running services for operators ----------------------------------------------

def _pid_file(service: str) -> Path:
    return airflow_home() / "run" / f"{service}.pid"


def _running_pid(service: str) -> int | None:
    path = _pid_file(service)
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        path.unlink()
        return None
    return pid


def ui_url() -> str:
    return f"http://{API_HOST}:{api_port()}"


def start_services(env: Mapping[str, str], timeout: float = 120) -> list[str]:
    """Start every Airflow service not yet running; returns the ones started."""
    started = []
    for service in SERVICES:
        if _running_pid(service):
            continue
        log_file = airflow_home() / "logs" / f"{service}.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        _pid_file(service).parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a") as out:
            process = subprocess.Popen(
                [str(venv_bin() / "airflow"), service],
                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _pid_file(service).write_text(str(process.pid))
        started.append(service)
    wait_for_api(timeout)
    return started


def wait_for_api(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{ui_url()}/api/v2/monitor/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise AirflowCommandFailed(
                f"the Airflow API server did not answer at {ui_url()} within {timeout:.0f} s; "
                f"see {airflow_home() / 'logs' / 'api-server.log'}"
            )
        time.sleep(1)


def stop_services(timeout: float = 30) -> list[str]:
    stopped = []
    for service in SERVICES:
        pid = _running_pid(service)
        if pid is None:
            continue
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _running_pid(service) and time.monotonic() < deadline:
            time.sleep(0.5)
        if _running_pid(service):
            os.killpg(pid, signal.SIGKILL)
        _pid_file(service).unlink(missing_ok=True)
        stopped.append(service)
    return stopped


def ui_credentials() -> tuple[str, str] | None:
    """The generated UI login, once the API server has written it."""
    path = Path(passwords_file())
    if not path.exists():
        return None
    return UI_USER, json.loads(path.read_text())[UI_USER]
