"""Benchmark 1: raw loading throughput, the project's loader against what users would use.

The rows are the OBEC learner records of a slice of the `national` preset
(`tiny` for a smoke run). The project's loader reads them as the API serves
them, cut into its pages (5,000 records, each page's envelope read and the page
hashed as the connector does, but without HTTP: the extraction benchmark
measures the wire), and loads them with `load_batch` (records decoded into COPY
rows, the few others judged by the server; one transaction per term,
reconciled, hashed, code-checked).
The other formats are in `bench.loader_formats`.

The baselines load the same rows, exported from the raw zone into a CSV file:
`psql \\copy` (one stream and two), `DataFrame.to_sql` with its default method
and with `method='multi'` (on the first rows only: they are slow; rows/s is
what is compared).
"""

from __future__ import annotations

import cProfile
import hashlib
import io
import os
import pstats
import re
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psycopg

from bench import loader_formats
from bench.baselines import Timed, pandas_to_sql, psql_copy, split_csv
from bench.machine import BusyMeter
from bench.provinces import simulated_province
from bench.raw_tables import export_raw, forget_raw, raw_rows
from bench.report import Section, Target
from bench.scratch import bench_dir, scratch_database
from bench.session import BenchSession
from edu_platform.landing.batch_writer import load_batch
from edu_platform.landing.entities import Delivery, JsonPage, Mode
from edu_platform.sources import obec_dmc

MIB = 2**20
PROFILE_LINES = 25
STREAMS = 2
VS_COPY = loader_formats.VS_COPY  # column names: ratios to the baselines' rows/s
VS_TO_SQL = "x to_sql"
LOADER = "project loader (JSON pages, 1 stream)"  # the methods the ratios refer to
COPY = "psql \\copy of the prepared CSV"
TO_SQL = "pandas to_sql (default method)"
OBEC_PAGE_SIZE = 5000  # the province config's page_size for OBEC DMC
# One INSERT of every row fails beyond some thousands of rows: `multi` needs a chunk size.
MULTI_CHUNK_ROWS = 1000
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
STUDENTS_FILE = re.compile(r"^students_(\d{4})_([12])\.jsonl$")


@dataclass(frozen=True)
class LoaderPlan:
    preset: str  # generator preset the rows come from
    scale: float  # national slice
    to_sql_rows: int  # rows sent through to_sql (default method)
    multi_rows: int  # rows sent through to_sql(method='multi')
    rounds: int  # every method this many times, interleaved; the best attempt counts
    format_years: int  # academic years (the latest) the per-format loads read


PLANS = {
    "tiny": LoaderPlan("tiny", 1.0, 5_000, 2_000, rounds=1, format_years=3),
    "rayong": LoaderPlan("national", 0.03, 200_000, 20_000, rounds=2, format_years=1),
    "national": LoaderPlan("national", 0.05, 300_000, 30_000, rounds=2, format_years=1),
}


@dataclass(frozen=True)
class Loaded:
    rows_loaded: int
    rows_quarantined: int
    started: float  # perf_counter (system-wide monotonic clock: comparable across processes)
    ended: float
    python_cpu: float  # seconds of CPU of the loading process
    server_cpu: float | None  # of its PostgreSQL server process, where /proc shows it


def server_cpu_seconds(conn: psycopg.Connection) -> float | None:
    """CPU time so far of the connection's server process, when it runs on this machine."""
    stat = Path(f"/proc/{conn.info.backend_pid}/stat")
    if conn.info.host not in LOCAL_HOSTS or not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()  # utime and stime: fields 14, 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def served_pages(path: Path, page_size: int) -> Iterator[JsonPage]:
    """The served records as the API's pages, each read and hashed as the connector does."""
    with path.open("rb") as handle:
        number = 0
        while lines := list(islice(handle, page_size)):
            number += 1
            # Each record keeps its line break: white space between JSON values.
            body = b'{"page":%d,"data":[%s]}' % (number, b",".join(lines))
            page = obec_dmc.json_page(obec_dmc.read_answer(body), number,
                                      hashlib.sha256(body).hexdigest())
            if page is None:
                raise ValueError(f"{path}: page {number} has no data list")
            yield page


def _student_files(folder: Path) -> list[tuple[Path, int, int]]:
    """(file, academic year, term) of every served OBEC students file."""
    files = []
    for path in sorted((folder / "served" / "obec").glob("students_*.jsonl")):
        if match := STUDENTS_FILE.match(path.name):
            files.append((path, int(match[1]), int(match[2])))
    return files


def load_students_file(url: str, path: Path, year: int, term: int) -> Loaded:
    """One term's OBEC pull (pages) as one APPEND batch, as the connector delivers it."""
    delivery = Delivery(obec_dmc.ENTITIES["students"], year, term, "v1/students", Mode.APPEND)
    with psycopg.connect(url) as conn:
        started, python, server = time.perf_counter(), time.process_time(), \
            server_cpu_seconds(conn)
        result = load_batch(conn, delivery, served_pages(path, OBEC_PAGE_SIZE))
        ended, server_ended = time.perf_counter(), server_cpu_seconds(conn)
        return Loaded(result.rows_loaded, result.rows_quarantined, started, ended,
                      time.process_time() - python,
                      None if server is None or server_ended is None else server_ended - server)


def _load_students(url: str, files: list[tuple[Path, int, int]], streams: int) -> Loaded:
    if streams == 1:
        parts = [load_students_file(url, *file) for file in files]
    else:  # separate processes, as separate Airflow tasks would be
        with ProcessPoolExecutor(streams, mp_context=get_context("spawn")) as pool:
            parts = list(pool.map(load_students_file, [url] * len(files),
                                  *zip(*files, strict=True)))
    servers = [p.server_cpu for p in parts if p.server_cpu is not None]
    return Loaded(sum(p.rows_loaded for p in parts), sum(p.rows_quarantined for p in parts),
                  min(p.started for p in parts), max(p.ended for p in parts),
                  sum(p.python_cpu for p in parts),
                  sum(servers) if len(servers) == len(parts) else None)


def _figure(method: str, attempts: list[Attempt], bytes_per_row: float) -> dict[str, object]:
    best = min(attempts, key=lambda attempt: attempt.timed.seconds)
    per_second = best.timed.rows / best.timed.seconds
    return {"method": method, "rows": best.timed.rows, "seconds": best.timed.seconds,
            "rows/s": per_second, "MB/s": per_second * bytes_per_row / MIB,
            "machine busy %": best.busy_percent,
            "attempts s": [round(attempt.timed.seconds, 2) for attempt in attempts]}


@dataclass(frozen=True)
class Attempt:
    timed: Timed
    busy_percent: float  # every core, every process: how contended the attempt was


def _attempt(method: Callable[[], Timed]) -> Attempt:
    meter = BusyMeter()
    timed = method()
    return Attempt(timed, meter.read())


def _same_rows_comparison(url: str, plan: LoaderPlan, folder: Path, work: Path,
                          say: Callable[[str], None]) -> tuple[list[dict[str, object]], dict]:
    """Every method on the same rows, in `plan.rounds` interleaved rounds; the best counts."""
    files = _student_files(folder)
    entity = obec_dmc.ENTITIES["students"]

    def project_loader(streams: int) -> Callable[[], Timed]:
        def load() -> Timed:
            forget_raw(url, entity)
            loaded = _load_students(url, files, streams)
            if raw_rows(url, entity) != loaded.rows_loaded:
                raise RuntimeError("the raw table does not hold the rows the loader reported")
            return Timed(loaded.rows_loaded, loaded.ended - loaded.started)
        return load

    say("loader: OBEC JSON pages, one stream (then the prepared CSV of its rows)")
    first = _attempt(project_loader(1))
    prepared = export_raw(url, entity, work)
    if prepared.rows != first.timed.rows:
        raise RuntimeError(f"exported {prepared.rows} rows of {first.timed.rows} loaded")
    pieces = split_csv(prepared, STREAMS)
    methods: dict[str, Callable[[], Timed]] = {
        LOADER: project_loader(1),
        f"project loader (JSON pages, {STREAMS} streams)": project_loader(STREAMS),
        COPY: lambda: psql_copy(url, "copy_one", [prepared]),
        f"psql \\copy, {STREAMS} streams": lambda: psql_copy(url, "copy_many", pieces),
        TO_SQL: lambda: pandas_to_sql(url, "to_sql_default", prepared, plan.to_sql_rows,
                                      method=None),
        f"pandas to_sql (method='multi', chunksize={MULTI_CHUNK_ROWS})":
            lambda: pandas_to_sql(url, "to_sql_multi", prepared, plan.multi_rows,
                                  method="multi", chunksize=MULTI_CHUNK_ROWS),
    }
    attempts: dict[str, list[Attempt]] = {name: [] for name in methods}
    attempts[LOADER].append(first)
    names = list(methods)
    for round_no in range(plan.rounds):
        say(f"round {round_no + 1} of {plan.rounds}: every method")
        for name in names[round_no % len(names):] + names[:round_no % len(names)]:
            if len(attempts[name]) <= round_no:
                attempts[name].append(_attempt(methods[name]))
    for name in (LOADER, *names[1:2]):
        if attempts[name][-1].timed.rows != prepared.rows:
            raise RuntimeError(f"{name}: not the same rows")
    per_row = prepared.size_bytes / prepared.rows
    rows = [_figure(name, attempts[name], per_row) for name in names]
    copy_rate, to_sql_rate = rows[2]["rows/s"], rows[4]["rows/s"]
    for row in rows:
        row[VS_COPY] = row["rows/s"] / copy_rate
        row[VS_TO_SQL] = row["rows/s"] / to_sql_rate
    details = {"rows": prepared.rows, "columns": len(entity.columns),
               "csv_bytes": prepared.size_bytes,
               "json_bytes": sum(path.stat().st_size for path, _, _ in files),
               "rounds": plan.rounds}
    return rows, details


def _targets(rows: list[dict[str, Any]]) -> list[Target]:
    single, parallel = rows[0], rows[1]
    return [
        Target("loader vs psql \\copy (1 stream)", single[VS_COPY], 0.5, "x", True),
        Target("loader vs to_sql default (1 stream)", single[VS_TO_SQL], 6.0, "x", True),
        Target(f"loader vs psql \\copy ({STREAMS} streams)", parallel[VS_COPY], 0.5, "x", True),
        Target(f"loader vs to_sql default ({STREAMS} streams)", parallel[VS_TO_SQL], 6.0, "x",
               True),
    ]


def profile_load(url: str, file: tuple[Path, int, int]) -> dict[str, Any]:
    """Where one term's load spends its time, where the target is missed: CPU per row of the
    loading process and of its server process, and a cProfile of the loading process."""
    entity = obec_dmc.ENTITIES["students"]
    forget_raw(url, entity)
    loaded = load_students_file(url, *file)
    forget_raw(url, entity)
    profile = cProfile.Profile()
    profile.runcall(load_students_file, url, *file)
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(PROFILE_LINES)
    rows = loaded.rows_loaded + loaded.rows_quarantined
    return {"rows": rows, "wall µs/row": (loaded.ended - loaded.started) / rows * 1e6,
            "python CPU µs/row": loaded.python_cpu / rows * 1e6,
            "server CPU µs/row": None if loaded.server_cpu is None
            else loaded.server_cpu / rows * 1e6,
            "cprofile": text.getvalue()}


def run(session: BenchSession) -> list[Section]:
    plan, say = PLANS[session.preset], session.say
    folder = simulated_province(plan.preset, plan.scale, progress=say)
    work = bench_dir("loader", folder.name)
    same = Section(
        "loader", f"1. Raw loading throughput: the same rows, every method ({folder.name})",
        ["method", "rows", "seconds", "rows/s", "MB/s", VS_COPY, VS_TO_SQL, "machine busy %"])
    with scratch_database("loader") as url:
        same.rows, same.details = _same_rows_comparison(url, plan, folder, work, say)
        same.targets = _targets(same.rows)
        if not all(target.met for target in same.targets):
            say("loader: a target is missed: profiling one term's load")
            same.details["profile"] = profile_load(url, _student_files(folder)[-1])
    with scratch_database("loader_formats") as url:
        formats = loader_formats.measure(url, folder, work, plan.format_years, say)
    shutil.rmtree(work)  # the prepared CSV files: exported again by every run
    same.details["slice"] = formats.details["slice"] = {"preset": plan.preset,
                                                        "scale": plan.scale}
    same.notes = [
        f"same rows: {same.details['rows']:,} OBEC student records "
        f"({same.details['columns']} columns, {same.details['csv_bytes'] / MIB:,.0f} MB as "
        "CSV); MB/s counts those CSV bytes for every method",
        "the project's loader also reads and hashes each JSON page, decodes its records into "
        "COPY rows (msgspec; the few it cannot load as they are go to PostgreSQL's JSON "
        "statement), checks grade and status codes and writes 8 lineage columns and an "
        "index; the baselines load text columns of a CSV only",
        f"to_sql rates are measured on the first {plan.to_sql_rows:,} (default) and "
        f"{plan.multi_rows:,} (multi) rows",
        f"every method ran {plan.rounds} time(s), interleaved; the best attempt is shown (all "
        "are in the JSON), with how busy the whole machine was meanwhile",
        "where a target is missed, one term's load is profiled in the JSON (details.profile): "
        "CPU per row of the loading process and of its PostgreSQL process, and a cProfile",
    ]
    if profile := same.details.get("profile"):
        same.notes.append(
            f"one term's load ({profile['rows']:,} rows): {profile['wall µs/row']:.1f} µs/row "
            f"of wall time; CPU {profile['python CPU µs/row']:.1f} µs/row in the loading "
            f"process, {profile['server CPU µs/row'] or float('nan'):.1f} in PostgreSQL's")
    return [same, formats]
