"""Applying the roles and grants to a warehouse database (a set-up step; idempotent)."""

from __future__ import annotations

import psycopg

from edu_platform.databases import with_database
from edu_platform.local_secrets import load_secrets
from edu_platform.province_config import ProvinceConfig, load_province
from edu_platform.security.cluster_roles import ensure_roles
from edu_platform.security.grants import apply_database_grants
from edu_platform.security.roles import (
    LOGIN_GROUPS,
    WarehouseRoles,
    login_role,
    warehouse_roles,
)

MAINTENANCE_DB = "postgres"


class SecuritySetupError(RuntimeError):
    """The set-up's database user may not create the roles the warehouse needs."""


def _check_may_manage_roles(conn: psycopg.Connection, roles: WarehouseRoles) -> bool:
    """Whether the user is a superuser; raises, naming what is missing, if it is not and
    may not create roles either."""
    user = conn.info.user
    superuser, createrole = conn.execute(
        "select rolsuper, rolcreaterole from pg_roles where rolname = current_user").fetchone()
    if superuser or createrole:
        return superuser
    wanted = [*roles.groups, *map(login_role, LOGIN_GROUPS)]
    present = {row[0] for row in conn.execute(
        "select rolname from pg_roles where rolname = any(%s)", [wanted]).fetchall()}
    missing = [role for role in wanted if role not in present]
    raise SecuritySetupError(
        f"the warehouse user {user!r} may not create roles (it needs CREATEROLE or SUPERUSER), "
        f"so the warehouse's least-privilege roles cannot be set up"
        + (f"; missing roles: {', '.join(missing)}" if missing else
           "; the roles exist, but their passwords and grants cannot be kept up to date")
        + f". Grant CREATEROLE to {user!r} and make it the database's owner, "
        "or set WAREHOUSE_URL to a user who is a superuser.")


def apply_security(warehouse_url: str, province: ProvinceConfig | None = None) -> WarehouseRoles:
    """Create the roles (cluster-wide) and grant them on the database of `warehouse_url`.

    `warehouse_url` is set-up's connection (the superuser of the embedded cluster, or the
    configured WAREHOUSE_URL user, which needs CREATEROLE and the database's ownership).
    """
    roles = warehouse_roles(province or load_province())
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        superuser = _check_may_manage_roles(conn, roles)
    ensure_roles(with_database(warehouse_url, MAINTENANCE_DB), roles, load_secrets(),
                 join_groups=not superuser)
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        apply_database_grants(conn, roles)
    return roles
