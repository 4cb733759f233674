"""Benchmark 1b: the project's loader from each file and database format of the sources.

For CSV files (OPEC PSIS), xlsx workbooks (DLA LEC) and an SQL database (DLP
ITw, SQLite), the connector's extraction of the latest academic years (read,
validate, load, reconcile: one batch per file, sheet or chunk) against
`psql \\copy` of the rows it landed, exported as CSV, one file per raw table.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.baselines import psql_copy
from bench.raw_tables import export_raw, raw_rows
from bench.report import Section
from bench.session import Say
from edu_platform.landing.entities import Entity
from edu_platform.landing.extract import run_extraction
from edu_platform.province_config import load_province
from edu_platform.sources import dla_lec, dlp_itw, opec_psis

MIB = 2**20
VS_COPY = "x psql \\copy"


@dataclass(frozen=True)
class SourceFormat:
    label: str
    source: str
    entities: tuple[Entity, ...]
    settings: Callable[[Path], dict[str, str]]


FORMATS = (
    SourceFormat("CSV files", "opec_psis", opec_psis.ENTITIES,
                 lambda folder: {"drop_dir": str(folder / "drop")}),
    SourceFormat("xlsx workbooks", "dla_lec", dla_lec.ENTITIES,
                 lambda folder: {"drop_dir": str(folder / "drop")}),
    SourceFormat("SQL database", "dlp_itw", tuple(dlp_itw.ENTITIES.values()),
                 lambda folder: {"url": f"sqlite:///{folder / 'dlp' / 'itw.sqlite'}"}),
)


def format_figures(url: str, found: SourceFormat, folder: Path, work: Path, year_count: int
                   ) -> dict[str, Any]:
    base = load_province("rayong")
    block = {"kind": found.source, **found.settings(folder)}
    province = dataclasses.replace(base, sources={found.source: block})
    years = json.loads((folder / "generation.json").read_text())["academic_years"][-year_count:]
    started = time.perf_counter()
    loaded = sum(run_extraction(province, found.source, year, term, url).rows_loaded
                 for year in years for term in (1, 2))
    seconds = time.perf_counter() - started
    copy_seconds, size = 0.0, 0
    for entity in found.entities:
        prepared = export_raw(url, entity, work)
        if prepared.rows:
            copy_seconds += psql_copy(url, f"copy_{entity.table_name}", [prepared]).seconds
            size += prepared.size_bytes
    if sum(raw_rows(url, entity) for entity in found.entities) != loaded:
        raise RuntimeError(f"{found.source}: the raw tables do not hold the rows loaded")
    return {"format": found.label, "source": found.source, "rows": loaded,
            "MB (as CSV)": size / MIB, "loader s": seconds, "loader rows/s": loaded / seconds,
            "psql \\copy s": copy_seconds, VS_COPY: copy_seconds / seconds}


def measure(url: str, folder: Path, work: Path, year_count: int, say: Say) -> Section:
    section = Section(
        "loader_formats", f"1b. The project's loader from each source format ({folder.name})",
        ["format", "source", "rows", "MB (as CSV)", "loader s", "loader rows/s",
         "psql \\copy s", VS_COPY])
    for found in FORMATS:
        say(f"loader: {found.label} ({found.source})")
        section.rows.append(format_figures(url, found, folder, work, year_count))
    section.notes = [
        f"loader = the connector's extraction of the latest {year_count} academic year(s), "
        "both terms (read, validate, load, reconcile, one batch per file, sheet or chunk); "
        "psql \\copy = the rows it landed, exported as CSV, one file per raw table",
    ]
    return section
