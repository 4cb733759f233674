"""The pseudonym key lives in the warehouse, out of dbt's reach.

Personal identifiers leave the raw zone only as a keyed pseudonym, HMAC-SHA256 with
the secret `EDU_PSEUDONYM_KEY` (education-th.md, "Identifiers"). dbt must never see
the key: whatever dbt renders is written to `target/` (compiled and run SQL,
`run_results.json`) and its logs, and a key passed through `env_var()`,
`on-run-start` or the profile would land there. So the project's Python set-up, not
dbt, installs it:

- table `edu_private.pseudonym_key` (one row) holds the key; PUBLIC has no right on
  the schema's table, only the installing role (the function's owner) reads it;
- function `edu_private.pseudonym(text) returns text` = hex HMAC-SHA256 of the UTF-8
  value under the key, null for null; SECURITY DEFINER, so a role allowed to execute it
  gets pseudonyms without being able to read the key.

The dbt macro `pseudonymize()` only calls the function. Pseudonyms are therefore the
same across sources and runs, and all change when the key changes (the models that
hold them must then be rebuilt in full).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import psycopg
from psycopg import sql

from edu_platform.security.roles import TRANSFORMER

SCHEMA = "edu_private"
KEY_TABLE = "pseudonym_key"
FUNCTION = "pseudonym"
# Serializes concurrent installs (CREATE EXTENSION and CREATE OR REPLACE race otherwise).
_LOCK_ID = int.from_bytes(hashlib.sha256(b"edu_private.pseudonym").digest()[:4], "big")


def key_fingerprint(key: str) -> str:
    """A short, non-reversible label of the key (for methodology notes and logs)."""
    return hashlib.sha256(b"edu-pseudonym-key:" + key.encode()).hexdigest()[:16]


def _pgcrypto_schema(conn: psycopg.Connection) -> str:
    row = conn.execute(
        "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace"
        " where e.extname = 'pgcrypto'"
    ).fetchone()
    if row is None:  # pragma: no cover - CREATE EXTENSION just ran
        raise RuntimeError("pgcrypto is not installed")
    return row[0]


def install_pseudonym_function(conn: psycopg.Connection, key: str,
                               grant_to: Sequence[str] = (), schema_name: str = SCHEMA) -> bool:
    """Create or update `edu_private.pseudonym(text)` and its key; idempotent.

    Returns True when the stored key was created or replaced, False when it was already
    this key. `grant_to`: roles (besides the installing one) that may call the function.
    `schema_name`: another schema than `edu_private` (tests; the dbt var
    `pseudonym_function` then names it). The key is sent as a bound parameter, never as
    SQL text. On a connection with a transaction already open, the caller commits.
    """
    if not key:
        raise ValueError("the pseudonym key is empty")
    schema, table, function = (sql.Identifier(schema_name), sql.Identifier(KEY_TABLE),
                               sql.Identifier(FUNCTION))
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [_LOCK_ID])  # concurrent installs
        conn.execute("create extension if not exists pgcrypto")
        hmac_function = sql.Identifier(_pgcrypto_schema(conn), "hmac")
        conn.execute(sql.SQL("create schema if not exists {}").format(schema))
        conn.execute(sql.SQL("revoke all on schema {} from public").format(schema))
        conn.execute(sql.SQL(
            "create table if not exists {}.{} ("
            " singleton boolean primary key default true check (singleton),"
            " key bytea not null,"
            " fingerprint text not null,"
            " installed_at timestamptz not null default now())"
        ).format(schema, table))
        conn.execute(sql.SQL("revoke all on {}.{} from public").format(schema, table))
        changed = conn.execute(
            sql.SQL(
                "insert into {}.{} as stored (singleton, key, fingerprint) values (true, %s, %s)"
                " on conflict (singleton) do update"
                " set key = excluded.key, fingerprint = excluded.fingerprint, installed_at = now()"
                " where stored.key is distinct from excluded.key"
                " returning fingerprint"
            ).format(schema, table),
            [key.encode(), key_fingerprint(key)],
        ).fetchone() is not None
        conn.execute(sql.SQL(
            "create or replace function {schema}.{function}(value text) returns text"
            " language sql stable strict parallel safe security definer"
            " set search_path = pg_catalog, pg_temp"
            " as $body$"
            " select encode({hmac}(convert_to(value, 'UTF8'), stored.key, 'sha256'), 'hex')"
            " from {schema}.{table} as stored"
            " $body$"
        ).format(schema=schema, function=function, hmac=hmac_function, table=table))
        conn.execute(sql.SQL("revoke all on function {}.{}(text) from public")
                     .format(schema, function))
        for role in grant_to:
            conn.execute(sql.SQL("grant usage on schema {} to {}")
                         .format(schema, sql.Identifier(role)))
            conn.execute(sql.SQL("grant execute on function {}.{}(text) to {}")
                         .format(schema, function, sql.Identifier(role)))
    return changed


def ensure_pseudonym_function(warehouse_url: str, key: str | None = None) -> bool:
    """Install the function on the warehouse with the project's key (set-up step).

    Only the transformer role (dbt) may call it; the roles exist already (set-up
    applies them first, edu_platform.security).
    """
    if key is None:
        from edu_platform.local_secrets import load_secrets

        key = load_secrets()["EDU_PSEUDONYM_KEY"]
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        return install_pseudonym_function(conn, key, grant_to=[TRANSFORMER])
