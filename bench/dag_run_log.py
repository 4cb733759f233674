"""Where a DAG run's time went, read from the log `airflow dags test` writes.

`dags test` runs every task in its own process, one after the other, and logs
`[DAG TEST] starting task_id=...` / `[DAG TEST] end task ...` around each; the
task's own code runs between the end of the runner's pre-execute group
(`::endgroup::`) and `::group::Post Execute`. dbt, when a task runs it, logs
`Finished running ... (N.NNs).` with its own time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) ")
TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
DBT_FINISHED = re.compile(r"Finished running .* \((\d+(?:\.\d+)?)s\)\.")


@dataclass
class TaskTime:
    task_id: str
    map_index: int
    started: datetime
    ended: datetime | None = None
    code_started: datetime | None = None
    code_ended: datetime | None = None
    dbt_seconds: float = 0.0

    @property
    def seconds(self) -> float:
        return (self.ended - self.started).total_seconds() if self.ended else 0.0

    @property
    def code_seconds(self) -> float:
        """The task's own code (the operator's execute), without Airflow's runner around it."""
        if self.code_started and self.code_ended:
            return (self.code_ended - self.code_started).total_seconds()
        return 0.0


@dataclass(frozen=True)
class RunTimes:
    tasks: list[TaskTime]

    @property
    def tasks_span(self) -> float:
        """From the first task's start to the last task's end."""
        ended = [task.ended for task in self.tasks if task.ended]
        if not self.tasks or not ended:
            return 0.0
        return (max(ended) - min(task.started for task in self.tasks)).total_seconds()

    @property
    def code_seconds(self) -> float:
        return sum(task.code_seconds for task in self.tasks)

    @property
    def dbt_seconds(self) -> float:
        return sum(task.dbt_seconds for task in self.tasks)


def read_run_times(log_file: Path) -> RunTimes:
    tasks: list[TaskTime] = []
    current: TaskTime | None = None
    for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
        stamped = STAMP.match(line)
        moment = datetime.fromisoformat(stamped[1]) if stamped else None
        if moment and (found := TASK_START.search(line)):
            current = TaskTime(found[1], int(found[2]), moment)
            tasks.append(current)
        elif current is None:
            continue
        elif moment and TASK_END.search(line):
            current.ended = moment
            current = None
        elif moment and "::endgroup::" in line and current.code_started is None:
            current.code_started = moment
        elif moment and "::group::Post Execute" in line:
            current.code_ended = moment
        elif finished := DBT_FINISHED.search(line):
            current.dbt_seconds += float(finished[1])
    return RunTimes(tasks)
