"""Run several DAGs one after the other in one Python process, as `airflow dags test` does.

`python -m edu_platform.dag_test_batch --logs DIR [--conf JSON]`, DAG ids on stdin,
one per line, run as they arrive until stdin closes.

Each `airflow dags test` process spends seconds starting the interpreter and
importing Airflow before its first task, and its first task seconds more
building the in-process execution API (bench/, end to end). Here that is paid
once: each DAG goes through the same `dags test` command function, its output
going to `<DIR>/<dag_id>.log`. Reading the ids from stdin lets the caller hand
a warm process the DAGs that must wait for others (the build after the
extracts). A failed DAG does not stop the next one: a failing source fails its
own DAG only. Its own output is one JSON line as each DAG starts and ends
(dag_id, event, seconds), for the caller's progress; the verdict is the run's
closing line in the DAG's log (`airflow_runner.run_succeeded`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def output_to(log_file: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors, so every logger's output
    whatever stream object it kept) to `log_file` for the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_file.open("w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def dags_test_args(dag_id: str, conf: str | None) -> argparse.Namespace:
    """The arguments `airflow dags test DAG_ID [--conf JSON]` would give the command."""
    from airflow.cli.cli_parser import get_parser

    return get_parser().parse_args(
        ["dags", "test", dag_id, *(["--conf", conf] if conf else [])])


# Taken while a process parses the DAG folder and writes it to the metadata database:
# two processes inserting the same new assets at once would collide (first run).
DAG_SYNC_LOCK = "edu_platform.dag_test_batch.sync"


def known_dag_file(dag_id: str) -> str | None:
    """The file the DAG came from when it was last written to the metadata database."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalar(select(DagModel.fileloc).where(DagModel.dag_id == dag_id))


def synced_dag(dag_id: str) -> object:
    """The DAG, parsed and written to the metadata database as `dags test` does, one
    process at a time.

    Only the DAG's own file is parsed when the metadata database knows it: parsing the
    whole folder for every extract DAG parsed the dbt DAG (Cosmos) each time. A DAG not
    known yet, or no longer in its file, gets the whole folder.
    """
    from airflow import settings
    from airflow.exceptions import AirflowException
    from airflow.utils.cli import get_bagged_dag
    from sqlalchemy import text

    with settings.engine.begin() as lock:
        if lock.dialect.name == "postgresql":
            lock.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                         {"name": DAG_SYNC_LOCK})
        dag_file = known_dag_file(dag_id)
        if dag_file is not None:
            try:
                return get_bagged_dag(bundle_names=None, dag_id=dag_id, dagfile_path=dag_file)
            except AirflowException:
                pass  # moved or renamed since: the whole folder finds it
        return get_bagged_dag(bundle_names=None, dag_id=dag_id)


def run_one(dag_id: str, conf: str | None, log_file: Path) -> None:
    args = dags_test_args(dag_id, conf)
    with output_to(log_file):
        try:
            args.func(args, dag=synced_dag(dag_id))
        except SystemExit as exit_:  # `dags test` exits for a failed run or a missing DAG
            print(f"dags test {dag_id}: {exit_}", flush=True)
        except Exception:  # noqa: BLE001 - the DAG's own failure; the next DAG still runs
            traceback.print_exc()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, required=True)
    parser.add_argument("--conf")
    options = parser.parse_args(argv)
    options.logs.mkdir(parents=True, exist_ok=True)
    for line in sys.stdin:
        dag_id = line.strip()
        if not dag_id:
            continue
        started = time.monotonic()
        print(json.dumps({"dag_id": dag_id, "event": "started"}), flush=True)
        run_one(dag_id, options.conf, options.logs / f"{dag_id}.log")
        print(json.dumps({"dag_id": dag_id, "event": "finished",
                          "seconds": time.monotonic() - started}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
