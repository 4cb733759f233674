"""Benchmark 4: the main run (`edu run`) end to end, stage by stage, and where the time goes.

What `edu run` does, in this process, against a fresh warehouse database
(`WAREHOUSE_URL`, as an operator with their own server would run it) and
simulators of the benchmark's own: set-up (`prepare_runtime`), then
`run_nightly` once per stage of `nightly.STAGES` (whatever stages the main run
has: extract, build, publish...), timed one by one. Each DAG's log is read to
split its time into Airflow's process start-up, Airflow's per-task overhead and
the tasks' own code (and, for dbt tasks, dbt's own time: the rest is the cost
of starting dbt once per task).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.dag_run_log import read_run_times
from bench.provinces import simulated_province
from bench.report import Section, Target
from bench.scratch import bench_dir
from bench.session import BenchSession
from edu_platform import nightly
from edu_platform.airflow_runner import DagRunOutcome
from edu_platform.paths import venv_bin
from edu_platform.province_config import load_province
from edu_platform.setup_runtime import prepare_runtime
from edu_platform.source_endpoints import read_env_file

TARGET_SECONDS = 180.0
PRESETS = {"tiny": "tiny", "rayong": "rayong", "national": "rayong"}  # the main run's sizes


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def simulators(folder: Path) -> Iterator[dict[str, str]]:
    """The simulators of `folder`, started by their own command as `edu run` starts them."""
    command = [str(venv_bin() / "edu-sim")]
    result = subprocess.run([*command, "start", "--out", str(folder)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the simulators did not start: {result.stderr.strip()}")
    try:
        yield read_env_file(folder / "sources.env")
    finally:
        subprocess.run([*command, "stop", "--out", str(folder)], capture_output=True)


class StepClock:
    """A progress callback that times the steps between the messages it is given."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.durations: list[tuple[str, float]] = []
        self._current: tuple[str, float] | None = None
        self._started = time.perf_counter()

    def __call__(self, message: str) -> None:
        self._close()
        self._current = (message, time.perf_counter())
        self.say(message)

    def _close(self) -> None:
        if self._current is not None:
            message, started = self._current
            self.durations.append((message, time.perf_counter() - started))
        self._current = None

    def stop(self) -> float:
        """Close the last step; the seconds since the clock started."""
        self._close()
        return time.perf_counter() - self._started


def _stage_of_dag(dag_id: str) -> str:
    return "build" if dag_id == nightly.BUILD_DAG_ID else "extract"


class StageMarks:
    """A progress callback for one `run_nightly` of every stage: when each stage began
    (its first DAG started, or the docs step), so each stage is timed on its own."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.began: dict[str, float] = {}
        self.ended = 0.0
        self._started = time.perf_counter()

    def __call__(self, message: str) -> None:
        dag_id = message.removeprefix("running DAG ")
        stage = ("docs" if message == nightly.DOCS_STEP
                 else _stage_of_dag(dag_id) if dag_id != message else None)
        if stage is not None:
            self.began.setdefault(stage, time.perf_counter())
        self.say(message)

    def stop(self) -> None:
        self.ended = time.perf_counter()

    def walls(self) -> list[tuple[str, float]]:
        """(stage, seconds) in the order they ran; the first from the call's start."""
        order = sorted(self.began, key=self.began.__getitem__)
        starts = [self._started, *(self.began[stage] for stage in order[1:])]
        ends = [*starts[1:], self.ended]
        return [(stage, end - start) for stage, start, end in zip(order, starts, ends,
                                                                  strict=True)]


def _dag_row(stage: str, outcome: DagRunOutcome) -> dict[str, Any]:
    times = read_run_times(outcome.log_file)
    code = times.code_seconds
    return {"step": f"  {outcome.dag_id}", "stage": stage, "seconds": outcome.seconds,
            "result": "success" if outcome.succeeded else "failed",
            "Airflow start-up s": outcome.seconds - times.tasks_span,
            "Airflow task overhead s": times.tasks_span - code,
            "task code s": code, "of which dbt s": times.dbt_seconds or None,
            "tasks": len(times.tasks)}


def measure(session: BenchSession, stages: Sequence[str] = nightly.STAGES,
            sources: Sequence[str] | None = None) -> list[Section]:
    preset = PRESETS[session.preset]
    folder = simulated_province(preset, progress=session.say)
    url = session.database("e2e")
    province = load_province()
    if sources is not None:
        province = dataclasses.replace(province, sources={
            name: province.sources[name] for name in sources})
    section = Section("e2e", f"4. The main run end to end ({preset}, fresh warehouse)",
                      ["step", "seconds", "result", "Airflow start-up s",
                       "Airflow task overhead s", "task code s", "of which dbt s", "tasks"])
    airflow_home = bench_dir("airflow")
    with environment(WAREHOUSE_URL=url, EDU_AIRFLOW_HOME=str(airflow_home)):
        steps = StepClock(session.say)
        runtime = prepare_runtime(steps)
        setup = steps.stop()
        section.rows.append({"step": "set-up (prepare_runtime)", "seconds": setup})
        section.rows.extend({"step": f"  {message}", "seconds": seconds}
                            for message, seconds in steps.durations)
        clock = time.perf_counter()
        with simulators(folder) as sources_env:
            started_sources = time.perf_counter() - clock
            marks = StageMarks(session.say)
            summary = nightly.run_nightly(runtime, province, sources_env, marks,
                                          stages=tuple(stages))
            marks.stop()
        for stage, wall in marks.walls():
            dags = [_dag_row(stage, outcome) for outcome in summary.outcomes
                    if _stage_of_dag(outcome.dag_id) == stage]
            section.rows.append({
                "step": f"stage {stage}", "seconds": wall,
                "result": "success" if all(row["result"] == "success" for row in dags)
                else "failed",
                **{column: sum(row[column] or 0 for row in dags) or None for column in (
                    "Airflow start-up s", "Airflow task overhead s", "task code s",
                    "of which dbt s", "tasks")}})
            section.rows.extend(dags)
            # DAGs run side by side overlap: then this is negative, the time saved
            outside = wall - sum(row["seconds"] for row in dags)
            section.rows.append({"step": "  outside DAGs (in-process steps, row counts)"
                                 if outside >= 0 else "  DAGs side by side (overlap)",
                                 "stage": stage, "outside": True, "seconds": outside})
    stage_rows = [row for row in section.rows if str(row["step"]).startswith("stage ")]
    total = setup + sum(row["seconds"] for row in stage_rows)
    section.rows.append({"step": "edu run (set-up + stages)", "seconds": total,
                         "result": "success" if all(row["result"] == "success"
                                                    for row in stage_rows) else "failed"})
    section.targets = [Target("main run, set-up to last stage", total, TARGET_SECONDS, "s",
                              False)]
    section.details = {"preset": preset, "stages": list(stages),
                       "extract_streams": nightly.EXTRACT_STREAMS,
                       "sources": list(province.sources), "simulators_start_s": started_sources,
                       "where_the_time_goes": _where(section.rows, setup)}
    section.notes = [
        f"simulators started in {started_sources:.1f} s (not counted: a real night has its "
        "sources); DLP's database is their SQLite file, as `edu run` with WAREHOUSE_URL",
        "where the time goes: " + ", ".join(
            f"{name} {seconds:.0f} s" for name, seconds in
            section.details["where_the_time_goes"].items()),
        "Airflow start-up = each `airflow dags test` process: interpreter, Airflow, DAG parse, "
        "run creation, exit; task overhead = the task runner around each task's code; "
        "dbt s = dbt's own time in dbt tasks (task code - dbt s = starting dbt per task)",
    ]
    return [section]


def _where(rows: list[dict[str, Any]], setup: float) -> dict[str, float]:
    """Seconds by kind of work, over every stage."""
    dags = [row for row in rows if "stage" in row and not row.get("outside")]
    spent: dict[str, float] = defaultdict(float)
    spent["set-up"] = setup
    for row in dags:
        spent["Airflow start-up"] += row["Airflow start-up s"]
        spent["Airflow task overhead"] += row["Airflow task overhead s"]
        dbt = row["of which dbt s"] or 0.0
        if dbt:
            spent["dbt (its own time)"] += dbt
            spent[f"{row['stage']} tasks: starting dbt, Cosmos"] += row["task code s"] - dbt
        else:
            spent[f"{row['stage']} tasks"] += row["task code s"]
    for row in rows:
        if row.get("outside"):
            kind = "outside DAGs" if row["seconds"] >= 0 else "DAGs side by side (overlap)"
            spent[f"{row['stage']}: {kind}"] += row["seconds"]
    return {name: round(seconds, 1) for name, seconds in spent.items()}


def run(session: BenchSession) -> list[Section]:
    return measure(session)
