"""Set-up's roles and grants on a real server: what exists, that it is idempotent, that
tables made later get their readers, and what a user who may not create roles is told."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import yaml
from psycopg import sql

from edu_platform.airflow_env import CONNECTION_ROLES, warehouse_connections
from edu_platform.databases import with_database
from edu_platform.paths import dbt_project_dir
from edu_platform.security.apply import SecuritySetupError, apply_security
from edu_platform.security.logins import login_url
from edu_platform.security.roles import (
    ANALYST,
    LOADER,
    LOGIN_GROUPS,
    LOGIN_SETTINGS,
    PUBLISHER,
    TRANSFORMER,
    affiliation_role,
    login_role,
)
from edu_platform.security.zones import TRANSFORMER_SCHEMAS
from tests.integration.conftest import fresh_warehouse  # noqa: F401  (module fixture)


def connect_as(url: str, group: str) -> psycopg.Connection:
    return psycopg.connect(login_url(url, group), autocommit=True)


def denied(conn: psycopg.Connection, statement: str) -> bool:
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def grants_snapshot(url: str) -> list[tuple]:
    """Every ACL and owner set-up decides, to compare before and after a second set-up."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select 'schema', nspname, nspowner::regrole::text, nspacl::text from pg_namespace"
            " union all select 'default', defaclrole::regrole::text,"
            "   defaclnamespace::regnamespace::text || defaclobjtype::text, defaclacl::text"
            " from pg_default_acl"
            " union all select 'database', datname, datdba::regrole::text, datacl::text"
            "   from pg_database where datname = current_database()"
            " order by 1, 2, 3").fetchall()


@pytest.fixture
def throwaway_user(runtime) -> Iterator[tuple[str, str]]:
    """(admin URL, role name) of a throwaway login role; dropped afterwards."""
    admin = with_database(runtime.databases.warehouse_url, "postgres")
    name = f"edu_test_user_{uuid.uuid4().hex[:8]}"
    yield admin, name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


def _user_url(admin: str, name: str, password: str) -> str:
    server = admin.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql://{name}:{password}@{server}/{name}"


def test_group_roles_own_and_login_roles_act_as_them(fresh_warehouse: str) -> None:  # noqa: F811
    with psycopg.connect(fresh_warehouse) as conn:
        can_login = dict(conn.execute(
            "select rolname, rolcanlogin from pg_roles where rolname = any(%s)",
            [[*LOGIN_GROUPS, affiliation_role("OPEC"), *map(login_role, LOGIN_GROUPS)]]))
        powerful = conn.execute(
            "select rolname from pg_roles where rolname = any(%s)"
            " and (rolsuper or rolcreaterole or rolcreatedb or rolbypassrls)",
            [list(can_login)]).fetchall()
    assert can_login == {**dict.fromkeys(LOGIN_GROUPS, False), affiliation_role("OPEC"): False,
                         **{login_role(group): True for group in LOGIN_GROUPS}}
    assert powerful == []
    for group in LOGIN_GROUPS:
        with connect_as(fresh_warehouse, group) as conn:
            assert conn.execute("select session_user, current_user").fetchone() == (
                login_role(group), group)
            settings = LOGIN_SETTINGS.get(group, {})
            assert {name: conn.execute(sql.SQL("show {}").format(sql.Identifier(name))
                                       ).fetchone()[0] for name in settings} == settings


def test_each_airflow_connection_logs_in_as_its_step_role(
        fresh_warehouse: str) -> None:  # noqa: F811
    for conn_id, role in CONNECTION_ROLES.items():
        connection = json.loads(warehouse_connections(fresh_warehouse)[
            f"AIRFLOW_CONN_{conn_id.upper()}"])
        with psycopg.connect(host=connection["host"], port=connection["port"],
                             user=connection["login"], password=connection["password"],
                             dbname=connection["schema"]) as conn:
            assert conn.execute("select current_user").fetchone()[0] == role, conn_id


def _configured_schemas(config: object) -> set[str]:
    if isinstance(config, dict):
        return {str(value) for key, value in config.items() if key == "+schema"} | {
            schema for value in config.values() for schema in _configured_schemas(value)}
    return set()


def test_every_dbt_schema_is_made_for_the_transformer() -> None:
    """dbt may not create schemas: set-up makes each one dbt_project.yml names."""
    project = yaml.safe_load((dbt_project_dir() / "dbt_project.yml").read_text())
    profiles = (dbt_project_dir() / "profiles.yml").read_text()
    assert "env_var('WAREHOUSE_SCHEMA', 'audit')" in profiles  # the target schema
    configured = _configured_schemas(project)
    assert {"staging", "seeds"} <= configured
    assert configured | {"audit"} <= set(TRANSFORMER_SCHEMAS)


def test_set_up_again_changes_nothing(fresh_warehouse: str) -> None:  # noqa: F811
    before = grants_snapshot(fresh_warehouse)
    apply_security(fresh_warehouse)
    assert grants_snapshot(fresh_warehouse) == before


def test_tables_made_later_get_their_readers(fresh_warehouse: str) -> None:  # noqa: F811
    with connect_as(fresh_warehouse, LOADER) as conn:
        conn.execute("create table raw.later (id text)")
    with connect_as(fresh_warehouse, TRANSFORMER) as conn:
        assert conn.execute("select count(*) from raw.later").fetchone() == (0,)
        conn.execute("create table audit.later as select 1 as x")
    with connect_as(fresh_warehouse, PUBLISHER) as conn:
        assert denied(conn, "select * from raw.later")
        conn.execute("create schema release_9998")
        conn.execute("create table release_9998.later as table audit.later")
    with connect_as(fresh_warehouse, ANALYST) as conn:
        assert conn.execute("select x from release_9998.later").fetchone() == (1,)
        assert denied(conn, "select * from raw.later")
        assert denied(conn, "select * from audit.later")


def test_only_the_transformer_may_pseudonymize(fresh_warehouse: str) -> None:  # noqa: F811
    with connect_as(fresh_warehouse, TRANSFORMER) as conn:
        assert len(conn.execute("select edu_private.pseudonym('x')").fetchone()[0]) == 64
        assert denied(conn, "select key from edu_private.pseudonym_key")
    for group in (LOADER, PUBLISHER, ANALYST):
        with connect_as(fresh_warehouse, group) as conn:
            assert denied(conn, "select edu_private.pseudonym('x')"), group


def test_a_user_who_may_not_create_roles_is_told_what_is_missing(
        throwaway_user: tuple[str, str]) -> None:
    admin, name = throwaway_user
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password 'pw-for-this-test'").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("create database {} owner {}").format(
            sql.Identifier(name), sql.Identifier(name)))
    with pytest.raises(SecuritySetupError, match=f"{name}.*CREATEROLE"):
        apply_security(_user_url(admin, name, "pw-for-this-test"))


def test_a_createrole_owner_of_the_database_sets_it_up(
        throwaway_user: tuple[str, str]) -> None:
    """An external server's administrator that is no superuser (WAREHOUSE_URL's user)."""
    admin, name = throwaway_user
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login createrole password 'pw-for-this-test'")
                     .format(sql.Identifier(name)))
        conn.execute(sql.SQL("create database {} owner {}").format(
            sql.Identifier(name), sql.Identifier(name)))
    url = _user_url(admin, name, "pw-for-this-test")
    apply_security(url)
    with connect_as(url, LOADER) as conn:
        conn.execute("create table raw.landed (id text)")
    with connect_as(url, ANALYST) as conn:
        assert denied(conn, "select * from raw.landed")
    with connect_as(url, TRANSFORMER) as conn:
        assert conn.execute("select count(*) from raw.landed").fetchone() == (0,)
    with psycopg.connect(admin, autocommit=True) as conn:  # its memberships go with it
        conn.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
