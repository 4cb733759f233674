"""The data-quality outcome of a build run: rows landed, gates, release, in one place.

The last task of the build logs it as a short table and returns it as its XCom, so an
operator reads the outcome of a run in the Airflow UI without opening the warehouse.
It is read as the publisher, who may not read the raw zone: the batches come from the
build's own copy of `raw.batches` (`audit.int_scorecard__batches`), which holds exactly
the batches the gates judged. A run's batches are those landed since the previous gate
run: the ones this build was the first to judge.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from edu_platform.release.gates import GateOutcome, latest_gate_outcome
from edu_platform.release.publish import AUDIT_SCHEMA

BATCHES_COPY = f"{AUDIT_SCHEMA}.int_scorecard__batches"


@dataclass(frozen=True)
class SourceRows:
    source: str
    batches: int
    received: int
    loaded: int
    quarantined: int

    def as_dict(self) -> dict[str, int]:
        return {"batches": self.batches, "rows_received": self.received,
                "rows_loaded": self.loaded, "rows_quarantined": self.quarantined}


@dataclass(frozen=True)
class GateProblem:
    """A gate that did not pass; its failing rows are in `audit_failures.<name>`."""
    unique_id: str
    severity: str | None
    status: str
    failures: int | None
    message: str | None

    @property
    def name(self) -> str:
        return self.unique_id.split(".")[2]


@dataclass(frozen=True)
class RunSummary:
    gates: GateOutcome
    problems: tuple[GateProblem, ...]  # the gates that failed, warned or did not run
    sources: tuple[SourceRows, ...] | None  # None: the build kept no copy of raw.batches
    release: int | None  # published from this build; None when refused or not yet run
    current_release: int | None  # what analysts read in `current` now

    def total(self, field: str) -> int | None:
        if self.sources is None:
            return None
        return sum(getattr(rows, field) for rows in self.sources)

    def as_xcom(self) -> dict[str, Any]:
        return {
            "dbt_invocation_id": self.gates.invocation_id,
            "rows_received": self.total("received"),
            "rows_loaded": self.total("loaded"),
            "rows_quarantined": self.total("quarantined"),
            "sources": None if self.sources is None else {
                rows.source: rows.as_dict() for rows in self.sources},
            "gates_passed": self.gates.passed,
            "gates_warned": self.gates.warned,
            "gates_failed": len(self.gates.blocking),
            "failing_gates": list(self.gates.blocking),
            "release": self.release,
            "current_release": self.current_release,
        }

    def _landed_table(self, sources: tuple[SourceRows, ...]) -> Table:
        table = Table(title="Rows landed since the previous gate run",
                      caption="received = loaded + quarantined")
        for column in ("source", "batches", "received", "loaded", "quarantined"):
            table.add_column(column, justify="left" if column == "source" else "right")
        for rows in sources:
            table.add_row(rows.source, *(f"{n:,}" for n in (
                rows.batches, rows.received, rows.loaded, rows.quarantined)))
        table.add_section()
        table.add_row("total", *(f"{self.total(field):,}" for field in (
            "batches", "received", "loaded", "quarantined")))
        return table

    def as_text(self) -> str:
        out = io.StringIO()
        console = Console(file=out, width=100, color_system=None)
        if self.sources is None:
            console.print(f"Rows landed: unknown ({BATCHES_COPY} is missing from this build).")
        else:
            console.print(self._landed_table(self.sources))
        console.print(f"Quality gates ({self.gates.invocation_id}): {self.gates.passed} passed, "
                      f"{self.gates.warned} warned, {len(self.gates.blocking)} failed")
        for problem in self.problems:
            if problem.unique_id in self.gates.blocking:
                console.print(f"  {problem.status}: {problem.name} "
                              f"({problem.failures or 0} failing rows)")
        if self.release is not None:
            console.print(f"Published release {self.release}.")
        else:
            kept = (f"release {self.current_release} stays current" if self.current_release
                    else "no release is published yet")
            console.print(f"Nothing published from this build: {kept}.")
        return out.getvalue()


def _landed_since_previous_gate_run(conn: psycopg.Connection,
                                    invocation_id: str) -> tuple[SourceRows, ...] | None:
    if conn.execute("SELECT to_regclass(%s)", (BATCHES_COPY,)).fetchone()[0] is None:
        return None  # a build from before the scorecard models: no copy of the batches
    rows = conn.execute(
        f"""
        WITH this_run AS (
            SELECT min(recorded_at) AS started FROM {AUDIT_SCHEMA}.gate_results
            WHERE invocation_id = %(invocation)s
        ), previous_run AS (
            SELECT max(results.recorded_at) AS ended
            FROM {AUDIT_SCHEMA}.gate_results AS results, this_run
            WHERE results.invocation_id <> %(invocation)s
              AND results.recorded_at < this_run.started
        )
        SELECT batches.source, count(*), sum(batches.rows_received),
               sum(batches.rows_loaded), sum(batches.rows_quarantined)
        FROM {BATCHES_COPY} AS batches, previous_run
        WHERE previous_run.ended IS NULL OR batches.extracted_at > previous_run.ended
        GROUP BY batches.source
        ORDER BY batches.source
        """, {"invocation": invocation_id}).fetchall()
    return tuple(SourceRows(source, *(int(n) for n in counts)) for source, *counts in rows)


def _problems(conn: psycopg.Connection, invocation_id: str) -> tuple[GateProblem, ...]:
    rows = conn.execute(
        f"SELECT unique_id, severity, status, failures, message "
        f"FROM {AUDIT_SCHEMA}.gate_results WHERE invocation_id = %s AND status <> 'pass' "
        "ORDER BY status = 'warn', unique_id", (invocation_id,)).fetchall()
    return tuple(GateProblem(*row) for row in rows)


def _releases(conn: psycopg.Connection, invocation_id: str) -> tuple[int | None, int | None]:
    if conn.execute("SELECT to_regclass('releases.catalog')").fetchone()[0] is None:
        return None, None
    return conn.execute(
        "SELECT max(release_number) FILTER (WHERE dbt_invocation_id = %s), "
        "max(release_number) FROM releases.catalog", (invocation_id,)).fetchone()


def summarize_latest_build(warehouse_url: str) -> RunSummary:
    """Raises `GatesNotRun` when no build has run its gates yet."""
    with psycopg.connect(warehouse_url) as conn:
        gates = latest_gate_outcome(conn, AUDIT_SCHEMA)
        problems = _problems(conn, gates.invocation_id)
        sources = _landed_since_previous_gate_run(conn, gates.invocation_id)
        release, current = _releases(conn, gates.invocation_id)
    return RunSummary(gates, problems, sources, release, current)
