"""Running Airflow's own commands with the project's environment.

The default run and the tests use `airflow dags test` (a whole DAG in one
process); operators get the long-running services from `start_services`.
"""

from __future__ import annotations

import contextlib
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


class _Lane:
    """One `dag_test_batch` process: DAG ids go to its stdin, its events come back."""

    def __init__(self, env: Mapping[str, str], conf: Mapping[str, object] | None,
                 logs: Path, batch_log: Path, progress: Callable[[str], None],
                 seconds: dict[str, float]) -> None:
        command = [str(venv_bin() / "python"), "-m", "edu_platform.dag_test_batch",
                   "--logs", str(logs), *(["--conf", json.dumps(conf)] if conf else [])]
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.batch_log = batch_log
        self.given: list[str] = []
        self._progress = progress
        self._seconds = seconds
        self._finished = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def give(self, dag_ids: Sequence[str]) -> None:
        self.given += dag_ids
        try:
            self.process.stdin.write("".join(f"{dag_id}\n" for dag_id in dag_ids))  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass  # the process died: its DAGs are reported as never run, with its log

    def wait_for(self, dag_ids: Sequence[str]) -> None:
        """Until each of `dag_ids` has finished, or the process has ended."""
        with self._finished:
            self._finished.wait_for(lambda: not self._reader.is_alive()
                                    or all(dag_id in self._seconds for dag_id in dag_ids))

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()  # type: ignore[union-attr]
        self._reader.join()
        self.process.wait()

    def _read(self) -> None:
        output: list[str] = []
        for line in self.process.stdout or ():
            event = json.loads(line) if line.startswith("{") else None
            if event is None:
                output.append(line)
            elif event["event"] == "started":
                self._progress(f"running DAG {event['dag_id']}")
            else:
                with self._finished:
                    self._seconds[event["dag_id"]] = event["seconds"]
                    self._finished.notify_all()
        self.batch_log.write_text("".join(output))
        with self._finished:
            self._finished.notify_all()


def run_dags_in_process(dag_ids: Sequence[str], env: Mapping[str, str],
                        conf: Mapping[str, object] | None = None,
                        progress: Callable[[str], None] = lambda _: None,
                        streams: int = 1, then: Sequence[str] = ()) -> list[DagRunOutcome]:
    """Run whole DAGs, each as `airflow dags test` would, in processes of their own
    (edu_platform.dag_test_batch): Airflow starts once per process, not per DAG.

    With `streams` above 1 the DAGs are dealt round-robin to that many processes
    running side by side, as the scheduler would run independent DAGs; only DAGs that
    do not depend on each other (the extract DAGs) may be given together. The DAGs of
    `then` run after all of `dag_ids` have finished (whatever their outcome), one after
    the other in the first process, already warm.
    """
    logs = airflow_home() / "logs" / "runs"
    logs.mkdir(parents=True, exist_ok=True)
    count = max(1, min(streams, len(dag_ids)))
    seconds: dict[str, float] = {}
    lanes = [_Lane(env, conf, logs, logs / ("batch.log" if count == 1 else f"batch-{n + 1}.log"),
                   progress, seconds) for n in range(count)]
    for n, lane in enumerate(lanes):
        lane.give(dag_ids[n::count])
    for lane in lanes[1:]:
        lane.close()
    if then:
        lanes[0].wait_for(lanes[0].given)
        lanes[0].give(then)
    lanes[0].close()
    batch_log_of = {dag_id: lane.batch_log for lane in lanes for dag_id in lane.given}
    outcomes = []
    for dag_id in [*dag_ids, *then]:
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
