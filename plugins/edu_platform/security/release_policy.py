"""Who reads a release: analysts the published tables, each affiliation its own feedback.

`secure_release_schema` is called by the publish step inside its transaction, right
after it filled a new `release_NNNN` schema (default privileges already gave the
analyst SELECT on every table there):

- `feedback_records` may hold source record keys that contain clear IDs: the
  analyst loses SELECT on it;
- every affiliation-scoped table (`feedback_records`, `scorecard`,
  `scorecard_outliers`: those with an `affiliation` column) gets row-level security:
  `affiliation_<code>` reads only the rows of its affiliation, the analyst reads
  every row of those it may read at all. The publisher owns the tables, so it still
  reads (and writes the per-affiliation reports from) every row.

The views in `current` must be created `WITH (security_invoker = true)` (the publish
step does): they are owned by the publisher, whom row-level security does not
restrict, so a plain view would hand every row to whoever may select it. An
affiliation reads its rows from the release schema itself (`release_NNNN.feedback_records`).
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

from edu_platform.security.roles import ANALYST, WarehouseRoles, warehouse_roles

AFFILIATION_SCOPED = ("feedback_records", "scorecard", "scorecard_outliers")
HIDDEN_FROM_ANALYSTS = ("feedback_records",)
ANALYST_POLICY = "analyst_reads_every_row"


def _relations(conn: psycopg.Connection, schema: str, names: Iterable[str]) -> list[str]:
    return [row[0] for row in conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = any(%s) order by 1",
        [schema, list(names)]).fetchall()]


def _province_roles() -> WarehouseRoles:
    from edu_platform.province_config import load_province

    return warehouse_roles(load_province())


def _policy(conn: psycopg.Connection, table: sql.Composable, name: str, role: str,
            rows: sql.Composable) -> None:
    policy = sql.Identifier(name)
    conn.execute(sql.SQL("drop policy if exists {} on {}").format(policy, table))
    conn.execute(sql.SQL("create policy {} on {} for select to {} using ({})").format(
        policy, table, sql.Identifier(role), rows))


def secure_release_schema(conn: psycopg.Connection, schema: str,
                          roles: WarehouseRoles | None = None) -> None:
    """Hide the feedback from analysts and scope each affiliation to its rows; idempotent.

    `roles`: the province's roles (default: from the configured province).
    """
    roles = roles or _province_roles()
    for table_name in _relations(conn, schema, AFFILIATION_SCOPED):
        table = sql.Identifier(schema, table_name)
        conn.execute(sql.SQL("alter table {} enable row level security").format(table))
        if table_name in HIDDEN_FROM_ANALYSTS:
            conn.execute(sql.SQL("revoke all on {} from {}").format(
                table, sql.Identifier(ANALYST)))
        else:
            _policy(conn, table, ANALYST_POLICY, ANALYST, sql.SQL("true"))
        for code, role in roles.affiliation_roles.items():
            conn.execute(sql.SQL("grant select on {} to {}").format(table, sql.Identifier(role)))
            _policy(conn, table, f"{role}_reads_own_rows", role,
                    sql.SQL("affiliation = {}").format(sql.Literal(code)))
