"""Which quality gates the latest dbt test run passed, from `audit.gate_results`.

The dbt on-run-end hook `record_gate_results` writes one row per test; publishing reads
the newest invocation that ran tests. Error-severity failures block the release
(quality.md, gate policy); warnings are counted and published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

BLOCKING_STATUSES = ("fail", "error", "skipped", "runtime error")


@dataclass(frozen=True)
class GateOutcome:
    invocation_id: str
    recorded_at: datetime
    passed: int
    warned: int
    blocking: tuple[str, ...]  # unique ids of the gates that failed, errored or did not run

    @property
    def publishable(self) -> bool:
        return not self.blocking


class GatesNotRun(RuntimeError):
    """No dbt test run is on record: nothing can be published."""


def latest_gate_outcome(conn: psycopg.Connection, audit_schema: str = "audit") -> GateOutcome:
    if conn.execute("SELECT to_regclass(%s)", (f"{audit_schema}.gate_results",)
                    ).fetchone()[0] is None:
        raise GatesNotRun(f"no quality gate has run yet ({audit_schema}.gate_results is "
                          "missing): run the build with its tests first")
    rows = conn.execute(
        f"""
        WITH latest AS (
            SELECT invocation_id FROM {audit_schema}.gate_results
            GROUP BY invocation_id ORDER BY max(recorded_at) DESC LIMIT 1
        )
        SELECT results.invocation_id, results.unique_id, results.status,
               max(results.recorded_at) OVER ()
        FROM {audit_schema}.gate_results AS results JOIN latest USING (invocation_id)
        ORDER BY results.unique_id
        """
    ).fetchall()
    statuses = [status for _, _, status, _ in rows]
    return GateOutcome(
        invocation_id=rows[0][0],
        recorded_at=rows[0][3],
        passed=statuses.count("pass"),
        warned=statuses.count("warn"),
        blocking=tuple(uid for _, uid, status, _ in rows if status in BLOCKING_STATUSES),
    )
