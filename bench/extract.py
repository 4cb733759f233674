"""Benchmark 2: extraction per source, records/s and peak memory of the extract task.

Every source of the province configuration is extracted from the simulators
(HTTP servers in this process; file drops and the ITw SQLite database read by
the connectors), every configured year and both terms, into a fresh database,
each source in a process of its own (`bench.extract_task`), as an Airflow task
runs it. Its peak resident memory is what the issue bounds: every source is
streamed, so it must not grow with the data.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.provinces import simulated_province
from bench.report import Section, Target
from bench.session import BenchSession, Say
from edu_platform.paths import REPO_ROOT
from edu_platform.province_config import ProvinceConfig, load_province

RSS_LIMIT_MIB = 1536  # 1.5 GiB, the bound at national scale
SLICES = {"tiny": ("tiny", 1.0), "rayong": ("rayong", 1.0), "national": ("national", 0.05)}


def year_terms(province: ProvinceConfig, source: str, years: list[int]) -> list[str]:
    """What `edu run` asks of a source: every year and term, or one run for yearly sources."""
    if province.sources[source].get("per_term", True):
        return [f"{year}:{term}" for year in years for term in (1, 2)]
    return [f"{years[-1]}:1"]


def raw_rows(url: str, source: str) -> int:
    with psycopg.connect(url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' "
            "AND table_name LIKE %s", [f"{source}\\_\\_%"]).fetchall()]
        return sum(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier("raw", table))).fetchone()[0] for table in tables)


def extract_source(url: str, folder: Path, source: str, env: dict[str, str]
                   ) -> dict[str, object]:
    province = load_province()
    years = json.loads((folder / "generation.json").read_text())["academic_years"]
    result = subprocess.run(
        [sys.executable, "-m", "bench.extract_task", source, url,
         *year_terms(province, source, years)],
        cwd=REPO_ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"extracting {source} failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    landed = raw_rows(url, source)
    if landed != figures["rows_loaded"]:
        raise RuntimeError(f"{source}: {landed} rows in the raw zone, "
                           f"{figures['rows_loaded']} reported loaded")
    if figures["rows_received"] != figures["rows_loaded"] + figures["rows_quarantined"]:
        raise RuntimeError(f"{source}: received != loaded + quarantined")
    return figures


def land_every_source(url: str, folder: Path, say: Say) -> list[dict[str, Any]]:
    """Every configured source from the simulators into `url`: one figure row per source."""
    from edu_simulators.servers import running_servers

    province = load_province()
    rows = []
    with running_servers(folder) as endpoints:
        env = endpoints.env(drop_dir=folder / "drop",
                            dlp_url=f"sqlite:///{folder / 'dlp' / 'itw.sqlite'}")
        for source, config in province.sources.items():
            say(f"extracting {source}")
            figures = extract_source(url, folder, source, env)
            rows.append({"source": source, "format": _format(config.get("title", "")),
                         "received": figures["rows_received"],
                         "quarantined": figures["rows_quarantined"],
                         "batches": figures["batches"], "seconds": figures["seconds"],
                         "records/s": figures["rows_received"] / figures["seconds"],
                         "RSS at start MiB": figures["rss_after_imports_mib"],
                         "peak RSS MiB": figures["peak_rss_mib"]})
    return rows


def _format(title: str) -> str:
    """"OPEC PSIS (CSV file drop)" -> "CSV file drop"."""
    found = re.findall(r"\(([^)]*)\)", title)
    return found[-1] if found else title


def run(session: BenchSession) -> list[Section]:
    preset, scale = SLICES[session.preset]
    folder = simulated_province(preset, scale, progress=session.say)
    url = session.database("landed")
    section = Section(
        "extract", f"2. Extraction per source ({folder.name}, every year and term)",
        ["source", "format", "received", "quarantined", "batches", "seconds", "records/s",
         "RSS at start MiB", "peak RSS MiB"])
    section.rows = land_every_source(url, folder, session.say)
    session.landed[folder] = url
    peak = max(row["peak RSS MiB"] for row in section.rows)
    received = sum(row["received"] for row in section.rows)
    seconds = sum(row["seconds"] for row in section.rows)
    section.rows.append({"source": "all sources", "received": received,
                         "quarantined": sum(row["quarantined"] for row in section.rows),
                         "batches": sum(row["batches"] for row in section.rows),
                         "seconds": seconds, "records/s": received / seconds,
                         "peak RSS MiB": peak})
    section.targets = [Target("peak RSS of an extract task", peak, RSS_LIMIT_MIB, "MiB", False)]
    section.details = {"slice": {"preset": preset, "scale": scale}}
    section.notes = [
        "one process per source runs every year and term in turn (as `airflow dags test` "
        "does); seconds exclude the interpreter's start and imports",
        "records/s counts records received (loaded + quarantined); HTTP sources are served "
        "by the simulators on this machine, the ITw database is SQLite",
    ]
    if preset == "national":
        section.notes.append(f"national: a slice (scale {scale:g}) of the national preset; the "
                             "sources stream, so peak RSS hardly moves with size (see rayong)")
    return [section]
