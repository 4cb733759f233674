"""Publish the audit build as release N+1, atomically, when its error gates passed.

One transaction copies the marts, the published indicators, the scorecard, the code
lists, the methodology notes, the gate results and the revisions into `release_NNNN`,
records it in `releases.catalog` and repoints the views of `current`: analysts see the
old release or the new one, never a mix. A failed gate raises `GatesFailed` before
anything is written, so the previous release and `current` stay exactly as they were.
The release's files (CSV, XLSX, JSON, SDMX, HTML, feedback) are written afterwards into
`<releases dir>/<province>/release_NNNN/`.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql

from edu_platform.paths import var_dir
from edu_platform.province_config import ProvinceConfig
from edu_platform.release.catalog import (
    CURRENT_SCHEMA,
    ensure_catalog,
    latest_release,
    release_schema,
)
from edu_platform.release.gates import GateOutcome, GatesNotRun, latest_gate_outcome
from edu_platform.release.methodology import (
    Note,
    code_list_notes,
    data_notes,
    interpretation_notes,
    setting_notes,
)
from edu_platform.release.published_indicators import (
    create_published_indicators,
    create_revisions,
)

log = logging.getLogger(__name__)

AUDIT_SCHEMA = "audit"
SEEDS_SCHEMA = "seeds"
# Quality tables the scorecard models build; published when present.
QUALITY_TABLES = ("scorecard", "scorecard_outliers", "feedback_records")
PUBLISH_LOCK = "edu_platform.publish_release"


class GatesFailed(RuntimeError):
    def __init__(self, outcome: GateOutcome) -> None:
        self.outcome = outcome
        super().__init__(
            f"{len(outcome.blocking)} error gate(s) failed, nothing was published: "
            + ", ".join(outcome.blocking))


@dataclass(frozen=True)
class PublishedRelease:
    number: int
    schema: str
    gates: GateOutcome
    revision_count: int
    withheld_cells: int
    files_dir: Path | None


def releases_dir() -> Path:
    return Path(os.environ.get("EDU_RELEASES_DIR", var_dir() / "releases")).resolve()


def _tables(conn: psycopg.Connection, schema: str) -> list[str]:
    return [name for (name,) in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_type = 'BASE TABLE' ORDER BY 1", (schema,))]


def _copy(conn: psycopg.Connection, source: str, table: str, release: str) -> None:
    conn.execute(sql.SQL("CREATE TABLE {} AS TABLE {}").format(
        sql.Identifier(release, table), sql.Identifier(source, table)))


def _write_notes(conn: psycopg.Connection, release: str, notes: list[Note]) -> None:
    target = sql.Identifier(release, "methodology_notes")
    conn.execute(sql.SQL(
        "CREATE TABLE {} (section text NOT NULL, key text NOT NULL, value text NOT NULL, "
        "description_en text NOT NULL, description_th text NOT NULL)").format(target))
    with conn.cursor() as cur, cur.copy(sql.SQL(
            "COPY {} (section, key, value, description_en, description_th) FROM STDIN"
    ).format(target)) as copy:
        for note in notes:
            copy.write_row((note.section, note.key, note.value, note.description_en,
                            note.description_th))


def _repoint_current(conn: psycopg.Connection, release: str, tables: list[str]) -> None:
    # security_invoker: a reader's own grants and row-level policies apply through the view
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
        sql.Identifier(CURRENT_SCHEMA)))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(CURRENT_SCHEMA)))
    for table in tables:
        conn.execute(sql.SQL(
            "CREATE VIEW {} WITH (security_invoker = true) AS SELECT * FROM {}").format(
            sql.Identifier(CURRENT_SCHEMA, table), sql.Identifier(release, table)))
    conn.execute(sql.SQL(
        "CREATE VIEW {} WITH (security_invoker = true) AS "
        "SELECT * FROM releases.catalog WHERE schema_name = {}").format(
        sql.Identifier(CURRENT_SCHEMA, "release"), sql.Literal(release)))


def _secure(conn: psycopg.Connection, release: str) -> None:
    """Grants and row-level security of the release (issue 7's roles), when installed."""
    try:
        from edu_platform.security import secure_release_schema
    except ImportError:  # roles not set up in this checkout
        return
    secure_release_schema(conn, release)


def _publish_tables(conn: psycopg.Connection, province: ProvinceConfig,
                    gates: GateOutcome) -> tuple[int, str, int, int]:
    ensure_catalog(conn)
    previous = latest_release(conn)
    number = previous.release_number + 1 if previous else 1
    release = release_schema(number)
    log.info("publishing release %s (gates: %d passed, %d warned)",
             number, gates.passed, gates.warned)
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(release)))
    audit_tables = set(_tables(conn, AUDIT_SCHEMA))
    marts = sorted(t for t in audit_tables if t.startswith(("dim_", "fct_")))
    for table in [*marts, *(t for t in QUALITY_TABLES if t in audit_tables)]:
        _copy(conn, AUDIT_SCHEMA, table, release)
    seeds = _tables(conn, SEEDS_SCHEMA)
    for seed in seeds:
        _copy(conn, SEEDS_SCHEMA, seed, release)
    conn.execute(create_published_indicators(AUDIT_SCHEMA, release))
    conn.execute(sql.SQL(
        "CREATE TABLE {} AS SELECT unique_id, resource_type, severity, status, failures, "
        "message FROM {} WHERE invocation_id = {} ORDER BY unique_id").format(
        sql.Identifier(release, "quality_gates"),
        sql.Identifier(AUDIT_SCHEMA, "gate_results"), sql.Literal(gates.invocation_id)))
    _write_notes(conn, release, [*setting_notes(province), *interpretation_notes(),
                                 *code_list_notes(conn, seeds),
                                 *data_notes(conn, AUDIT_SCHEMA)])
    conn.execute(create_revisions(release, previous.schema_name if previous else None))
    revisions = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
        sql.Identifier(release, "revisions"))).fetchone()[0]
    withheld = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE withheld").format(
        sql.Identifier(release, "indicators"))).fetchone()[0]
    _secure(conn, release)
    conn.execute(
        "INSERT INTO releases.catalog (release_number, schema_name, province_code, "
        "province_slug, dbt_invocation_id, gates_passed, warnings, revision_count, "
        "withheld_cells) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (number, release, province.code, province.slug, gates.invocation_id, gates.passed,
         gates.warned, revisions, withheld))
    _repoint_current(conn, release, _tables(conn, release))
    return number, release, revisions, withheld


FilesWriter = Callable[[str, str, Path, ProvinceConfig], object]


def write_files(warehouse_url: str, release: str, out_dir: Path,
                province: ProvinceConfig) -> None:
    from edu_platform.publication import write_release_files

    write_release_files(warehouse_url, release, out_dir, province.name_en, province.name_th)


def publish_release(warehouse_url: str, province: ProvinceConfig,
                    files_root: Path | None = None,
                    files_writer: FilesWriter = write_files,
                    gates_since: datetime | None = None) -> PublishedRelease:
    """Raises GatesFailed (nothing written) when an error gate of the latest test run failed,
    and GatesNotRun when no test run ended after `gates_since` (the build's start: a model
    that failed first leaves only an earlier build's gates on record)."""
    with psycopg.connect(warehouse_url) as conn:  # one transaction: commit at the end
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (PUBLISH_LOCK,))
        gates = latest_gate_outcome(conn, AUDIT_SCHEMA)
        if gates_since is not None and gates.recorded_at < gates_since:
            raise GatesNotRun(f"the quality gates have not run since this build started "
                              f"({gates_since:%Y-%m-%d %H:%M:%S %Z}): a model failed before "
                              "them (see the build's failed task); nothing published")
        if not gates.publishable:
            raise GatesFailed(gates)
        number, release, revisions, withheld = _publish_tables(conn, province, gates)
    folder = (files_root or releases_dir()) / province.slug / release
    # files appear whole or not at all: written aside, then renamed into place
    staging = folder.with_name(f".{release}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    files_writer(warehouse_url, release, staging, province)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    with psycopg.connect(warehouse_url) as conn:
        conn.execute("UPDATE releases.catalog SET files_dir = %s WHERE release_number = %s",
                     (str(folder), number))
    log.info("release %s published: %d revisions, %d withheld cells, files in %s",
             number, revisions, withheld, folder)
    return PublishedRelease(number, release, gates, revisions, withheld, folder)
