"""Benchmark 5: how long the dag-processor takes to parse each DAG file.

Each file is parsed several times, each time as the dag-processor does it (a
fork of a process that has Airflow imported: see `bench.parse_probe`), and the
median of parse + serialization is judged against the 1 s target. A file over
the target is parsed once more under cProfile, and the profile is kept in the
results. The Cosmos load modes are compared on the project's dbt DAG:
rendering from the precomputed manifest against running `dbt ls`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from typing import Any

from bench.report import Section, Target
from bench.session import BenchSession
from edu_platform.paths import REPO_ROOT, dags_dir

PARSE_LIMIT_S = 1.0
REPEATS = {"tiny": 2, "rayong": 5, "national": 5}
# `dbt ls` takes tens of seconds: compared on the real runs, not on the smoke run.
LOAD_MODES = {"tiny": ("dbt_manifest",), "rayong": ("dbt_manifest", "dbt_ls"),
              "national": ("dbt_manifest", "dbt_ls")}


def probe(*args: str) -> dict[str, Any]:
    # Cosmos would cache `dbt ls` in an Airflow Variable: measured cold, and nothing written.
    env = {**os.environ, "AIRFLOW__COSMOS__ENABLE_CACHE_DBT_LS": "False"}
    result = subprocess.run([sys.executable, "-m", "bench.parse_probe", *args], cwd=REPO_ROOT,
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"parse probe {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    errors = [parse["error"] for parse in report["parses"] if "error" in parse]
    if errors:
        raise RuntimeError(f"parse probe {' '.join(args)}: {errors[0]}")
    return report


def _file_row(name: str, report: dict[str, Any]) -> dict[str, Any]:
    parses = report["parses"]
    totals = [parse["parse_s"] + parse["serialize_s"] for parse in parses]
    return {"file": name, "dags": parses[0]["dags"], "tasks": parses[0]["tasks"],
            "parse s (median)": statistics.median(p["parse_s"] for p in parses),
            "serialize s (median)": statistics.median(p["serialize_s"] for p in parses),
            "total s (median)": statistics.median(totals), "total s (max)": max(totals),
            "import errors": len(parses[0]["import_errors"])}


def run(session: BenchSession) -> list[Section]:
    repeats = REPEATS[session.preset]
    files = sorted(dags_dir().glob("*.py"))
    section = Section("parse", "5. DAG file parse time (as the dag-processor parses)",
                      ["file", "dags", "tasks", "parse s (median)", "serialize s (median)",
                       "total s (median)", "total s (max)", "import errors"])
    profiles: dict[str, str] = {}
    for path in files:
        session.say(f"parsing {path.name} x{repeats}")
        report = probe(str(path), "--repeats", str(repeats))
        row = _file_row(path.name, report)
        section.rows.append(row)
        if row["import errors"]:
            raise RuntimeError(f"{path.name} does not import: "
                               f"{report['parses'][0]['import_errors']}")
        if row["total s (median)"] > PARSE_LIMIT_S:
            profiles[path.name] = probe(str(path), "--repeats", "1", "--profile")["profile"]
        section.targets.append(Target(f"parse {path.name}", row["total s (median)"],
                                      PARSE_LIMIT_S, "s", False))
    modes = {}
    for mode in LOAD_MODES[session.preset]:
        session.say(f"rendering the dbt DAG with Cosmos load mode {mode}")
        parse = probe("--cosmos-load-mode", mode)["parses"][0]
        modes[mode] = {"seconds": parse["parse_s"], "tasks": parse["tasks"]}
    section.details = {"repeats": repeats, "profiles_over_target": profiles,
                       "cosmos_load_modes": modes}
    section.notes = [
        "each parse: a fork of a process with Airflow imported and the file's airflow.* "
        "imports pre-imported (as the dag-processor), BundleDagBag + DAG serialization",
        "Cosmos load mode, rendering the dbt DAG: " + ", ".join(
            f"{mode} {figures['seconds']:.2f} s ({figures['tasks']} tasks)"
            for mode, figures in modes.items()) + " (dbt_ls without Cosmos's cache, which "
        "would keep its output in an Airflow Variable read at every parse)",
    ]
    if profiles:
        section.notes.append("profiles of the files over the target: see details."
                             "profiles_over_target in the JSON")
    return [section]
