"""Parse one DAG file the way Airflow's dag-processor does, several times; print JSON.

The dag-processor keeps Airflow imported (and pre-imports the `airflow.*`
modules a file names), then forks a child per parse that builds a
`BundleDagBag` of the file and serializes its DAGs. This probe does the same
in a process that has imported nothing of the project, so each parse pays what
a real one pays: the project's imports, reading the dbt manifest, building the
tasks.

    python -m bench.parse_probe FILE [--repeats N] [--profile]
    python -m bench.parse_probe --cosmos-load-mode dbt_manifest|dbt_ls

The second form times rendering the project's dbt DAG with another Cosmos load
mode (the DAG file itself is unchanged).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import importlib
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WARM_UP_IMPORTS = ("airflow", "airflow.dag_processing.dagbag",
                   "airflow.serialization.serialized_objects")
PROFILE_LINES = 80


def parse_file(path: Path) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import BundleDagBag
    from airflow.serialization.serialized_objects import DagSerialization

    started = time.perf_counter()
    bag = BundleDagBag(dag_folder=str(path), bundle_path=path.parent, bundle_name="dags-folder",
                       load_op_links=False)
    parsed = time.perf_counter()
    for dag in bag.dags.values():
        DagSerialization.to_dict(dag)
    return {"parse_s": parsed - started, "serialize_s": time.perf_counter() - parsed,
            "dags": len(bag.dags), "tasks": sum(len(dag.tasks) for dag in bag.dags.values()),
            "import_errors": {str(k): str(v)[-500:] for k, v in bag.import_errors.items()}}


def render_dbt_dag(load_mode: str) -> dict[str, Any]:
    import pendulum
    from cosmos import DbtDag
    from cosmos.constants import LoadMode

    from edu_platform import dbt_cosmos

    started = time.perf_counter()
    dag = DbtDag(dag_id="bench_cosmos_load_mode", project_config=dbt_cosmos.project_config,
                 profile_config=dbt_cosmos.profile_config,
                 execution_config=dbt_cosmos.execution_config,
                 render_config=dataclasses.replace(dbt_cosmos.render_config,
                                                   load_method=LoadMode(load_mode)),
                 schedule=None, start_date=pendulum.datetime(2024, 5, 16))
    return {"parse_s": time.perf_counter() - started, "dags": 1, "tasks": len(dag.tasks)}


def profiled(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    profile = cProfile.Profile()
    result = profile.runcall(work)
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(PROFILE_LINES)
    return {**result, "profile": text.getvalue()}


def forked(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`work()` in a forked child, as the dag-processor parses: its result as JSON."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports and leaves without cleaning up, as the processor's do
        os.close(read)
        try:
            result = work()
        except BaseException as error:  # reported to the parent, which decides
            result = {"error": f"{type(error).__name__}: {error}"}
        with os.fdopen(write, "w") as out:
            out.write(json.dumps(result))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        text = answer.read()
    os.waitpid(pid, 0)
    return json.loads(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parse_probe")
    parser.add_argument("file", nargs="?")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one more parse")
    parser.add_argument("--cosmos-load-mode")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    modules = list(WARM_UP_IMPORTS)
    if args.file:
        from airflow.utils.file import iter_airflow_imports

        modules += iter_airflow_imports(str(Path(args.file).resolve()))
    for module in modules:
        importlib.import_module(module)
    report: dict[str, Any] = {"airflow_import_s": time.perf_counter() - started}
    if args.cosmos_load_mode:
        report["parses"] = [forked(lambda: render_dbt_dag(args.cosmos_load_mode))]
    else:
        path = Path(args.file).resolve()
        report["parses"] = [forked(lambda: parse_file(path)) for _ in range(args.repeats)]
        if args.profile:
            report["profile"] = forked(lambda: profiled(lambda: parse_file(path)))["profile"]
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
