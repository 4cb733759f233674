"""`python -m bench [--preset tiny|rayong|national] [--only loader,extract,dbt,e2e,parse]`.

Runs the benchmarks in one process, one after the other, prints a table per
benchmark and writes every figure to `bench/results/<preset>-<timestamp>.json`
and `bench/results/latest-<preset>.json`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from rich.console import Console

from edu_platform.airflow_env import airflow_environment
from edu_platform.databases import resolve_databases

# Airflow reads its configuration when first imported: the project's settings first.
os.environ.update(airflow_environment(resolve_databases()))

from bench import dag_parse, dbt_build, e2e, extract, loader  # noqa: E402
from bench.machine import BusyMeter, describe_machine  # noqa: E402
from bench.report import Section, print_section, write_results  # noqa: E402
from bench.scratch import project_databases  # noqa: E402
from bench.session import BenchSession  # noqa: E402

Benchmark = Callable[[BenchSession], list[Section]]
BENCHMARKS: dict[str, Benchmark] = {
    "parse": dag_parse.run,
    "loader": loader.run,
    "extract": extract.run,
    "dbt": dbt_build.run,
    "e2e": e2e.run,
}
PRESETS = ("tiny", "rayong", "national")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=PRESETS, default="rayong",
                        help="size of the data (national: slices of the national preset)")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated benchmarks among {', '.join(BENCHMARKS)}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}: "
                         f"choose among {', '.join(BENCHMARKS)}")
    console = Console()
    if not console.is_terminal:  # a log file: wide enough for the tables
        console = Console(width=160)
    started = datetime.now().astimezone()
    machine = describe_machine(project_databases().warehouse_url)
    console.print(f"[bold]benchmarks[/] {', '.join(chosen)} on preset {args.preset}: "
                  f"{machine['cpu_model']}, {machine['cores']} cores, {machine['ram_gib']} GiB")
    sections: list[Section] = []
    # The connectors warn about every file they quarantine: expected here, and noisy.
    logging.getLogger("edu_platform").setLevel(logging.ERROR)
    with BenchSession(args.preset, lambda text: console.print(f"[dim]  {text}[/]")) as session:
        for name in chosen:
            console.rule(name)
            meter, clock = BusyMeter(), time.perf_counter()
            produced = BENCHMARKS[name](session)
            for section in produced:
                section.seconds = time.perf_counter() - clock
                section.machine_busy_percent = meter.read()
                print_section(console, section)
            sections.extend(produced)
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    for path in write_results(args.preset, machine, sections, started):
        console.print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
