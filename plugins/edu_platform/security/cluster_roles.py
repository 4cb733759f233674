"""Creating the roles on the server (roles are cluster-wide; grants are per database).

Idempotent: a missing role is created, an existing one is brought back to what the
project wants (its password, its group, its `role` and session settings). Passwords travel as
SCRAM verifiers computed by libpq on this side, so the clear password is in no SQL
text the server could log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import psycopg
from psycopg import sql

from edu_platform.security.roles import (
    LOGIN_GROUPS,
    LOGIN_SETTINGS,
    WarehouseRoles,
    login_role,
    password_secret,
)

# One set-up at a time per server: concurrent ALTER ROLE on one role fails in PostgreSQL
# ("tuple concurrently updated"). The lock is taken in the maintenance database, which
# every caller connects to whatever warehouse database it prepares.
_LOCK_ID = int.from_bytes(hashlib.sha256(b"edu_platform.security.roles").digest()[:4], "big")


def _existing_roles(conn: psycopg.Connection) -> dict[str, bool]:
    """Role name -> whether it may log in."""
    return dict(conn.execute("select rolname, rolcanlogin from pg_roles").fetchall())


def _scram_verifier(conn: psycopg.Connection, role: str, password: str) -> str:
    return conn.pgconn.encrypt_password(password.encode(), role.encode(),
                                        b"scram-sha-256").decode()


def _is_member(conn: psycopg.Connection, member: str, group: str) -> bool:
    return conn.execute(
        "select exists (select from pg_auth_members m"
        " join pg_roles g on g.oid = m.roleid join pg_roles u on u.oid = m.member"
        " where g.rolname = %s and u.rolname = %s)", [group, member]).fetchone()[0]


def _acts_as(conn: psycopg.Connection, login: str, group: str) -> bool:
    """Whether `login` has the per-role setting `role = group` (in every database)."""
    return conn.execute(
        "select exists (select from pg_db_role_setting s join pg_roles r on r.oid = s.setrole"
        " where s.setdatabase = 0 and r.rolname = %s and %s = any(s.setconfig))",
        [login, f"role={group}"]).fetchone()[0]


def _ensure_login(conn: psycopg.Connection, group: str, password: str,
                  existing: dict[str, bool]) -> None:
    login = login_role(group)
    name = sql.Identifier(login)
    verifier = sql.Literal(_scram_verifier(conn, login, password))
    if login in existing:
        conn.execute(sql.SQL("alter role {} login inherit password {}").format(name, verifier))
    else:
        conn.execute(sql.SQL("create role {} login inherit password {}").format(name, verifier))
    if not _is_member(conn, login, group):
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), name))
    if not _acts_as(conn, login, group):
        conn.execute(sql.SQL("alter role {} set role = {}").format(name, sql.Literal(group)))
    for setting, value in LOGIN_SETTINGS.get(group, {}).items():
        conn.execute(sql.SQL("alter role {} set {} = {}").format(
            name, sql.Identifier(setting), sql.Literal(value)))


def ensure_roles(maintenance_url: str, roles: WarehouseRoles, secrets: Mapping[str, str],
                 join_groups: bool = False) -> None:
    """Create the group roles (NOLOGIN) and the login roles, each acting as its group.

    `join_groups`: make the connecting user a member of every group, which a user
    without SUPERUSER needs to hand objects to them and set their default privileges.
    """
    with psycopg.connect(maintenance_url, autocommit=True) as conn, conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [_LOCK_ID])
        existing = _existing_roles(conn)
        for group in roles.groups:
            if group not in existing:
                conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(group)))
            elif existing[group]:  # an owner role nobody may log in with
                conn.execute(sql.SQL("alter role {} nologin").format(sql.Identifier(group)))
        for group in LOGIN_GROUPS:
            _ensure_login(conn, group, secrets[password_secret(group)], existing)
        if join_groups:
            for group in roles.groups:
                if not _is_member(conn, conn.info.user, group):
                    conn.execute(sql.SQL("grant {} to current_user").format(
                        sql.Identifier(group)))
