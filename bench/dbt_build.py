"""Benchmark 3: dbt build time, full and after a nightly change of 1% of the learners.

On the raw zone the extraction benchmark landed (or landed now): `dbt build`
in full (seeds, every model, every test), then a nightly delivery where 1% of
the learner records changed arrives through the loader (as OBEC's incremental
pull delivers changes: re-sent records with a later `updated_at`, one APPEND
batch), and `dbt build` runs again. The nightly run should cost in proportion
to the change, not to the warehouse.

dbt writes its artifacts to var/bench/dbt/, never to the project's target/
(Cosmos renders the DAG from that manifest).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.extract import land_every_source
from bench.provinces import simulated_province
from bench.report import Section, Target
from bench.scratch import bench_dir
from bench.session import BenchSession
from edu_platform.dbt_runner import run_dbt
from edu_platform.landing.batch_writer import load_batch
from edu_platform.landing.entities import Delivery, Mode, RawRow
from edu_platform.security.roles import LOGIN_SETTINGS, TRANSFORMER
from edu_platform.sources import obec_dmc

CHANGED_SHARE = 0.01
NIGHTLY_TARGET = 0.10  # the nightly run's share of the full build, at national scale
# Raw tables of learner records, one row per learner per term (indicators.md §1).
LEARNER_TABLES = ("obec_dmc__students", "ovec_vec__enrollments", "opec_psis__students",
                  "dla_lec__learners", "dlp_itw__registration")
# Rayong's learners times this is the national preset at scale 1 (presets.py).
NATIONAL_MULTIPLE = 60.0
# The national build is not run (it would take hours here): measured on Rayong and
# extrapolated, through tiny for what does not grow with the rows.
SLICES = {"tiny": ("tiny", 1.0), "rayong": ("rayong", 1.0), "national": ("rayong", 1.0)}
# dbt here logs in as the scratch database's owner: it gets the settings the pipeline's dbt
# has from the transformer login (no JIT, work_mem) as connection options instead.
TRANSFORMER_OPTIONS = " ".join(f"-c {name}={value}"
                               for name, value in LOGIN_SETTINGS[TRANSFORMER].items())


def learner_records(url: str) -> int:
    with psycopg.connect(url) as conn:
        return sum(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier("raw", table))).fetchone()[0] for table in LEARNER_TABLES
            if conn.execute("SELECT to_regclass(%s)", [f"raw.{table}"]).fetchone()[0])


def deliver_changed_learners(url: str, count: int) -> int:
    """`count` OBEC students of the latest term re-delivered with a later `updated_at`."""
    entity = obec_dmc.ENTITIES["students"]
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    with psycopg.connect(url) as conn:
        year, term = conn.execute(sql.SQL(
            "SELECT _academic_year, _term FROM {} ORDER BY 1 DESC, 2 DESC LIMIT 1").format(
            entity.table)).fetchone()
        # The latest version of `count` students, spread over the schools (md5 order).
        records = conn.execute(sql.SQL(
            "SELECT * FROM (SELECT DISTINCT ON (student_key) {} FROM {} "
            "WHERE _academic_year = %s AND _term = %s ORDER BY student_key, _batch_id DESC) "
            "AS latest ORDER BY md5(student_key) LIMIT %s").format(
            sql.SQL(", ").join(map(sql.Identifier, entity.columns)), entity.table),
            [year, term, count]).fetchall()
        changed_at = entity.columns.index("updated_at")
        rows = [RawRow((*record[:changed_at], stamp, *record[changed_at + 1:]), "page 1",
                       "nightly-change") for record in records]
        delivery = Delivery(entity, year, term, "v1/students", Mode.APPEND)
        return load_batch(conn, delivery, rows).rows_loaded


def dbt_build(url: str, work: Path, select: str | None) -> dict[str, Any]:
    """`dbt build` (of `select`, else everything): wall seconds, statuses, seconds per node."""
    # cautious: a test reading a model outside the selection is not run
    selection = ["--select", select, "--indirect-selection", "cautious"] if select else []
    started = time.perf_counter()
    result = run_dbt(["build", *selection, "--target-path", str(work / "target"),
                      "--log-path", str(work / "logs")], url,
                     extra_env={"PGOPTIONS": TRANSFORMER_OPTIONS})
    seconds = time.perf_counter() - started
    results_file = work / "target" / "run_results.json"
    if not results_file.exists():
        raise RuntimeError(f"dbt build produced no run_results.json:\n{result.stdout[-3000:]}")
    nodes = json.loads(results_file.read_text())["results"]
    statuses: dict[str, int] = defaultdict(int)
    for node in nodes:
        statuses[node["status"]] += 1
    return {"seconds": seconds, "exit_code": result.returncode, "statuses": dict(statuses),
            "nodes": {node["unique_id"]: node["execution_time"] for node in nodes}}


def _layer(unique_id: str) -> str:
    kind, _, name = unique_id.split(".", 2)
    if kind in ("test", "unit_test"):
        return "tests"
    if kind == "seed":
        return "seeds"
    return name.split("_", 1)[0] if name.startswith(("stg_", "int_", "fct_", "dim_")) \
        else "other models"


def _by_layer(nodes: dict[str, float]) -> dict[str, float]:
    layers: dict[str, float] = defaultdict(float)
    for unique_id, seconds in nodes.items():
        layers[_layer(unique_id)] += seconds
    return dict(layers)


def _slowest(nodes: dict[str, float], count: int = 5) -> list[tuple[str, float]]:
    return [(unique_id.split(".")[-1], round(seconds, 2)) for unique_id, seconds in
            sorted(nodes.items(), key=lambda item: -item[1])[:count]]


def full_and_nightly(session: BenchSession, preset: str, scale: float,
                     select: str | None) -> dict[str, Any]:
    """On the landed raw zone of (preset, scale): dbt parse, full build, the nightly change
    delivered, nightly build."""
    folder = simulated_province(preset, scale, progress=session.say)
    url = session.landed_warehouse(
        folder, lambda into, province: land_every_source(into, province, session.say))
    work = bench_dir("dbt", folder.name)
    session.say(f"dbt parse of {folder.name} (artifacts under var/bench/dbt)")
    parse = run_dbt(["parse", "--target-path", str(work / "target"),
                     "--log-path", str(work / "logs")], url)
    if parse.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{parse.stdout[-3000:]}")
    session.say(f"dbt build of {folder.name}, full")
    full = dbt_build(url, work, select)
    learners = learner_records(url)
    changed = deliver_changed_learners(url, max(1, round(CHANGED_SHARE * learners)))
    session.say(f"dbt build of {folder.name}, nightly ({changed:,} changed learner records)")
    nightly = dbt_build(url, work, select)
    return {"province": folder.name, "learner_records": learners, "changed_records": changed,
            "full": {**full, "by_layer": _by_layer(full["nodes"]),
                     "slowest": _slowest(full["nodes"])},
            "nightly": {**nightly, "by_layer": _by_layer(nightly["nodes"]),
                        "slowest": _slowest(nightly["nodes"])}}


def extrapolated(measured: dict[str, Any], reference: dict[str, Any], multiple: float,
                 run: str) -> float:
    """Seconds of `run` with `multiple` times the measured learners: a line through the
    small reference province (which gives the cost that does not grow with the rows: dbt's
    start-up, its work per node) and the measured one."""
    per_learner = ((measured[run]["seconds"] - reference[run]["seconds"])
                   / (measured["learner_records"] - reference["learner_records"]))
    return measured[run]["seconds"] + per_learner * (multiple - 1) * measured["learner_records"]


def measure(session: BenchSession, select: str | None = None) -> list[Section]:
    """Full build then nightly build, of the whole project or of a dbt selection."""
    preset, scale = SLICES[session.preset]
    measured = full_and_nightly(session, preset, scale, select)
    full, nightly = measured["full"], measured["nightly"]
    multiple = NATIONAL_MULTIPLE if preset == "rayong" else None
    reference = full_and_nightly(session, *SLICES["tiny"], select) if multiple else None
    national = {run: extrapolated(measured, reference, multiple, run)
                for run in ("full", "nightly")} if reference else {}
    what = f"selection {select}" if select else "the whole project"
    section = Section("dbt", f"3. dbt build of {what} ({measured['province']}: "
                             f"{measured['learner_records']:,} learners)",
                      ["run", "seconds", "share of full", "nodes", "statuses",
                       "national (extrapolated) s", "national share of full"])
    changed = measured["changed_records"]
    for run, label in (("full", "full build"),
                       ("nightly", f"nightly, {changed:,} learners changed (1%)")):
        build = measured[run]
        section.rows.append({
            "run": label, "seconds": build["seconds"],
            "share of full": build["seconds"] / full["seconds"], "nodes": len(build["nodes"]),
            "statuses": ", ".join(f"{k} {v}" for k, v in sorted(build["statuses"].items())),
            "national (extrapolated) s": national.get(run),
            "national share of full": national[run] / national["full"] if national else None})
    section.targets = [Target("nightly run / full build", nightly["seconds"] / full["seconds"],
                              NIGHTLY_TARGET, "", False)]
    if national:
        section.targets.append(Target("nightly run / full build, national (extrapolated)",
                                      national["nightly"] / national["full"],
                                      NIGHTLY_TARGET, "", False))
    section.details = {"slice": {"preset": preset, "scale": scale}, **measured,
                       "national_multiple": multiple, "reference": reference,
                       "national_seconds": national}
    section.notes = [
        "seconds = wall time of `dbt build` (parse with the partial-parse cache, seeds, "
        "models, tests with stored failures), threads as in profiles.yml, with the "
        f"transformer login's settings ({TRANSFORMER_OPTIONS})",
        "nightly: the change arrives as one OBEC incremental pull (APPEND batch of the latest "
        "census) through the loader; every other source re-delivers unchanged content "
        "(nothing new in raw)",
        "slowest nodes in the nightly run: " + ", ".join(
            f"{name} {seconds}s" for name, seconds in nightly["slowest"]),
        "seconds by layer (sum of node times), full -> nightly: " + ", ".join(
            f"{layer} {seconds:.0f} -> {nightly['by_layer'].get(layer, 0):.0f}"
            for layer, seconds in sorted(full["by_layer"].items())),
    ]
    if reference:
        section.notes.append(
            f"national figures are extrapolated, not measured: {multiple:g} x these learners "
            "(the national preset), on the line through this build and the same build of "
            f"{reference['province']} ({reference['learner_records']:,} learners: full "
            f"{reference['full']['seconds']:.0f} s, nightly {reference['nightly']['seconds']:.0f}"
            " s, the cost that does not grow with the rows); linear in rows, a lower bound "
            "(sorts and joins grow faster)")
    return [section]


def run(session: BenchSession) -> list[Section]:
    return measure(session)


