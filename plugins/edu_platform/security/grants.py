"""The grants of one warehouse database: schemas, their owners, readers and defaults.

Idempotent and serialized per database. Objects made before the roles existed (a
warehouse built by an earlier version as the superuser) are handed to their zone's
owner, so that the loader and dbt can keep replacing them.
"""

from __future__ import annotations

import hashlib

import psycopg
from psycopg import sql

from edu_platform.security.release_policy import HIDDEN_FROM_ANALYSTS, secure_release_schema
from edu_platform.security.roles import (
    ANALYST,
    LOADER,
    PUBLISHER,
    TRANSFORMER,
    WarehouseRoles,
)
from edu_platform.security.zones import (
    PUBLISHED_BY_TRANSFORMER,
    PUBLISHER_SCHEMAS,
    RAW_SCHEMA,
    RELEASE_SCHEMA,
    SCHEMA_OWNERS,
)

_LOCK_ID = int.from_bytes(hashlib.sha256(b"edu_platform.security.grants").digest()[:4], "big")
# relkind -> the ALTER command that changes its owner (identity sequences follow their table)
_ALTER_OWNER = {"r": "table", "p": "table", "f": "foreign table", "v": "view",
                "m": "materialized view"}


def _roles(*names: str) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, names))


def _database_rights(conn: psycopg.Connection, roles: WarehouseRoles) -> None:
    database = sql.Identifier(conn.info.dbname)
    conn.execute(sql.SQL("revoke all on database {} from public").format(database))
    conn.execute(sql.SQL("grant connect on database {} to {}").format(
        database, _roles(*roles.groups)))
    # dbt's incremental models stage rows in temporary tables
    conn.execute(sql.SQL("grant temporary on database {} to {}").format(
        database, sql.Identifier(TRANSFORMER)))
    # each release is a new schema
    conn.execute(sql.SQL("grant create on database {} to {}").format(
        database, sql.Identifier(PUBLISHER)))
    conn.execute("revoke create on schema public from public")


def _own_schema(conn: psycopg.Connection, schema: str, owner: str) -> None:
    """The schema and every relation in it owned by `owner`; PUBLIC has no right on it."""
    name, role = sql.Identifier(schema), sql.Identifier(owner)
    conn.execute(sql.SQL("create schema if not exists {} authorization {}").format(name, role))
    conn.execute(sql.SQL("alter schema {} owner to {}").format(name, role))
    conn.execute(sql.SQL("revoke all on schema {} from public").format(name))
    others = conn.execute(
        "select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind = any(%s) and pg_get_userbyid(c.relowner) <> %s",
        [schema, list(_ALTER_OWNER), owner]).fetchall()
    for relation, kind in others:
        conn.execute(sql.SQL("alter {} {} owner to {}").format(
            sql.SQL(_ALTER_OWNER[kind]), sql.Identifier(schema, relation), role))


def _usage(conn: psycopg.Connection, schema: str, *users: str) -> None:
    if users:
        conn.execute(sql.SQL("grant usage on schema {} to {}").format(
            sql.Identifier(schema), _roles(*users)))


def _reader(conn: psycopg.Connection, schema: str, reader: str,
            hidden: tuple[str, ...] = ()) -> None:
    """`reader` may use the schema and select every table and view in it but `hidden`.

    Only missing grants are made: a GRANT rewrites the table's catalog row, which would
    collide with a concurrent ALTER of the table (dbt renaming it) for nothing.
    """
    _usage(conn, schema, reader)
    ungranted = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind = any(%s) and c.relname <> all(%s)"
        " and not has_table_privilege(%s, c.oid, 'SELECT')",
        [schema, list(_ALTER_OWNER), list(hidden), reader]).fetchall()
    for (table,) in ungranted:
        conn.execute(sql.SQL("grant select on {} to {}").format(
            sql.Identifier(schema, table), sql.Identifier(reader)))


def _default_privileges(conn: psycopg.Connection, roles: WarehouseRoles) -> None:
    """Tables made later get their readers: raw for dbt, the audit marts for the publisher,
    every release for the analyst (release_policy then takes the feedback away)."""
    statements = [
        ("for role {} in schema {} grant select on tables to {}",
         [sql.Identifier(LOADER), sql.Identifier(RAW_SCHEMA), sql.Identifier(TRANSFORMER)]),
        ("for role {} in schema {} grant select on tables to {}",
         [sql.Identifier(TRANSFORMER), _roles(*PUBLISHED_BY_TRANSFORMER),
          sql.Identifier(PUBLISHER)]),
        ("for role {} grant usage on schemas to {}",
         [sql.Identifier(PUBLISHER), _roles(ANALYST, *roles.affiliation_roles.values())]),
        ("for role {} grant select on tables to {}",
         [sql.Identifier(PUBLISHER), sql.Identifier(ANALYST)]),
    ]
    for statement, parts in statements:
        conn.execute(sql.SQL("alter default privileges " + statement).format(*parts))


def release_schemas(conn: psycopg.Connection) -> list[str]:
    names = conn.execute("select nspname from pg_namespace order by 1").fetchall()
    return [name for (name,) in names if RELEASE_SCHEMA.fullmatch(name)]


def apply_database_grants(conn: psycopg.Connection, roles: WarehouseRoles) -> None:
    """Every grant of the warehouse database `conn` is connected to (as set-up's role)."""
    affiliations = roles.affiliation_roles.values()
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [_LOCK_ID])
        _database_rights(conn, roles)
        for schema, owner in SCHEMA_OWNERS.items():
            _own_schema(conn, schema, owner)
        _reader(conn, RAW_SCHEMA, TRANSFORMER)
        for schema in PUBLISHED_BY_TRANSFORMER:
            _reader(conn, schema, PUBLISHER)
        _default_privileges(conn, roles)
        releases = release_schemas(conn)  # made before these grants (or by hand)
        for schema in (*PUBLISHER_SCHEMAS, *releases):
            _own_schema(conn, schema, PUBLISHER)
            _reader(conn, schema, ANALYST, hidden=HIDDEN_FROM_ANALYSTS)
            _usage(conn, schema, *affiliations)
        for schema in releases:
            secure_release_schema(conn, schema, roles)
