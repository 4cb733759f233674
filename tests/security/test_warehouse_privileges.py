"""Least privilege on a real warehouse: each role reaches what its job needs, nothing more.

One fresh database with the roles applied (as set-up applies them), the `tiny` province
landed by the loader role, built by dbt as the transformer role, and a release made by
the publisher role with the publish step's own code (`publish_release`: a new
`release_0001` schema, `secure_release_schema`, security-invoker views in `current`).
Then every role logs in with its own password (or, for the NOLOGIN
affiliation roles, the superuser sets the role) and tries its luck.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from edu_platform.dbt_runner import run_dbt_as_transformer
from edu_platform.local_secrets import load_secrets
from edu_platform.province_config import load_province
from edu_platform.pseudonym_key import install_pseudonym_function
from edu_platform.release.publish import publish_release
from edu_platform.security.logins import login_url
from edu_platform.security.roles import (
    ANALYST,
    LOADER,
    PUBLISHER,
    TRANSFORMER,
    affiliation_role,
)
from tests.dbt.test_warehouse_build import NAME_COLUMNS, clear_ids_in
from tests.integration.conftest import (  # noqa: F401  (module fixture)
    fresh_warehouse,
    land_simulated_province,
)
from tests.security.secret_scan import files_text, leaked_secrets

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import generate  # noqa: E402

pytestmark = pytest.mark.slow

RELEASE = "release_0001"
DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+(e[-+]?[0-9]+)?")
SECRET_PARTS = ("raw", "staging", "intermediate", "audit", "audit_failures", "seeds",
                "edu_private")


@dataclass(frozen=True)
class Built:
    url: str  # the superuser's (its repr hides the password), to look behind the roles' backs
    outputs: list[str]  # what the loader logged and dbt printed
    dbt_files: Path  # dbt's target/ and logs/


# -- building the warehouse as the pipeline's roles ------------------------------------------

class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _land_as_loader(sim: Path, url: str) -> str:
    """Every source, year and term extracted by the loader; returns everything it logged."""
    captured = _Captured()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(captured)
    root.setLevel(logging.DEBUG)
    try:
        land_simulated_province(sim, login_url(url, LOADER))
    finally:
        root.removeHandler(captured)
        root.setLevel(previous_level)
    return "\n".join(captured.lines)


@pytest.fixture(scope="module")
def built(fresh_warehouse: str,  # noqa: F811
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    sim = generate("tiny", seed=21, out=tmp_path_factory.mktemp("tiny"))
    landing_log = _land_as_loader(sim, fresh_warehouse)
    dbt_files = tmp_path_factory.mktemp("dbt")
    build = run_dbt_as_transformer(["build", "--target-path", str(dbt_files / "target"),
                                    "--log-path", str(dbt_files / "logs")], fresh_warehouse)
    dbt_output = build.stdout + build.stderr
    assert "ERROR=0" in dbt_output, dbt_output[-5000:]
    publish_release(login_url(fresh_warehouse, PUBLISHER), load_province("rayong"),
                    tmp_path_factory.mktemp("releases"))
    yield Built(fresh_warehouse, [landing_log, dbt_output], dbt_files)


def connect_as(built: Built, group: str) -> psycopg.Connection:
    """A session of the group's login role, with its own password."""
    return psycopg.connect(login_url(built.url, group), autocommit=True)


def denied(conn: psycopg.Connection, statement: sql.Composable | str) -> bool:
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def relations(built: Built, schema: str) -> list[str]:
    with psycopg.connect(built.url) as conn:
        return [name for (name,) in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s and c.relkind in ('r', 'v', 'm', 'p') order by 1",
            [schema]).fetchall()]


# -- the analyst -------------------------------------------------------------------------------

def test_analyst_reads_nothing_behind_the_release(built: Built) -> None:
    readable = {}
    with connect_as(built, ANALYST) as conn:
        for schema in SECRET_PARTS:
            tables = relations(built, schema)
            assert tables, f"nothing in {schema} to try"
            readable[schema] = [t for t in tables if not denied(
                conn, sql.SQL("select * from {} limit 1").format(sql.Identifier(schema, t)))]
        assert denied(conn, "select * from raw.quarantine limit 1")
        assert denied(conn, "select edu_private.pseudonym('1234567890121')")
    assert readable == {schema: [] for schema in SECRET_PARTS}


def test_analyst_reads_the_current_release_but_not_the_feedback(built: Built) -> None:
    with connect_as(built, ANALYST) as conn:
        enrolled = conn.execute("select count(*) from current.fct_enrolment").fetchone()[0]
        indicators = conn.execute(sql.SQL("select count(*) from {}").format(
            sql.Identifier(RELEASE, "indicators"))).fetchone()[0]
        assert enrolled > 0 and indicators > 0
        assert denied(conn, sql.SQL("select * from {}").format(
            sql.Identifier(RELEASE, "feedback_records")))
        # the view in `current` checks the reader's rights on the release table
        assert denied(conn, "select * from current.feedback_records")


def analyst_readable_columns(built: Built) -> list[tuple[str, str, str]]:
    with psycopg.connect(built.url) as conn:
        return conn.execute(
            "select c.table_schema, c.table_name, c.column_name"
            " from information_schema.columns c"
            " join pg_class t on t.relname = c.table_name"
            " join pg_namespace n on n.oid = t.relnamespace and n.nspname = c.table_schema"
            " where c.table_schema not in ('pg_catalog', 'information_schema')"
            " and has_schema_privilege(%(role)s, n.oid, 'USAGE')"
            " and has_table_privilege(%(role)s, t.oid, 'SELECT')"
            " order by 1, 2, 3", {"role": ANALYST}).fetchall()


def clear_ids(value: str) -> list[str]:
    """Clear IDs in a value; a decimal number's fraction digits are no ID."""
    return clear_ids_in(value.split(".")[0] if DECIMAL.fullmatch(value) else value)


def test_no_clear_id_or_name_in_anything_the_analyst_reads(built: Built) -> None:
    with psycopg.connect(built.url) as conn:
        names = set()
        for table, columns in NAME_COLUMNS.items():
            for column in columns:
                rows = conn.execute(f"select distinct btrim({column}) from raw.{table}")
                names |= {row[0] for row in rows if row[0]}
    names |= {part for name in list(names) for part in name.split() if len(part) > 2}
    columns = analyst_readable_columns(built)
    assert {schema for schema, _, _ in columns} == {"current", RELEASE, "releases"}
    findings, unreadable = {}, set()
    with connect_as(built, ANALYST) as conn:
        for schema, table, column in columns:
            try:
                values = {row[0] for row in conn.execute(sql.SQL(
                    "select distinct {}::text from {} where {} is not null").format(
                    sql.Identifier(column), sql.Identifier(schema, table),
                    sql.Identifier(column)))}
            except psycopg.errors.InsufficientPrivilege:  # a view over what it may not read
                unreadable.add(f"{schema}.{table}")
                continue
            ids = [value for value in values if clear_ids(value)]
            if ids or values & names:
                findings[f"{schema}.{table}.{column}"] = (ids[:3], sorted(values & names)[:3])
    assert unreadable == {"current.feedback_records"}
    assert findings == {}


# -- the loader and the publisher ------------------------------------------------------------

def test_loader_cannot_write_the_marts(built: Built) -> None:
    with connect_as(built, LOADER) as conn:
        for schema in ("audit", RELEASE, "current"):
            assert denied(conn, sql.SQL("delete from {}").format(
                sql.Identifier(schema, "fct_enrolment"))), schema
        assert denied(conn, "create table audit.planted (x int)")
        assert denied(conn, "select * from staging.stg_obec_dmc__students limit 1")
        # its own zone it writes
        conn.execute("create table raw.loader_scratch (x int)")
        conn.execute("drop table raw.loader_scratch")


def test_publisher_cannot_read_raw_or_the_working_layers(built: Built) -> None:
    with connect_as(built, PUBLISHER) as conn:
        assert denied(conn, "select * from raw.batches limit 1")
        assert denied(conn, "select * from raw.quarantine limit 1")
        assert denied(conn, "select * from staging.stg_obec_dmc__students limit 1")
        assert denied(conn, "select * from intermediate.int_learner_records limit 1")
        assert denied(conn, "delete from audit.fct_enrolment")
        assert conn.execute("select count(*) from audit.fct_enrolment").fetchone()[0] > 0


def test_objects_belong_to_group_roles_never_to_a_login(built: Built) -> None:
    with psycopg.connect(built.url) as conn:
        owners = dict(conn.execute(
            "select n.nspname, array_agg(distinct pg_get_userbyid(c.relowner) order by"
            " pg_get_userbyid(c.relowner)) from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%s) and c.relkind in ('r', 'v', 'm', 'p') group by 1",
            [["raw", "staging", "audit", RELEASE, "current"]]).fetchall())
    assert owners == {"raw": [LOADER], "staging": [TRANSFORMER], "audit": [TRANSFORMER],
                      RELEASE: [PUBLISHER], "current": [PUBLISHER]}


# -- row-level security --------------------------------------------------------------------------

def test_an_affiliation_sees_only_its_own_feedback(built: Built) -> None:
    feedback = sql.Identifier(RELEASE, "feedback_records")
    with psycopg.connect(built.url, autocommit=True) as conn:
        everyone = dict(conn.execute(sql.SQL(
            "select affiliation, count(*) from {} group by 1").format(feedback)).fetchall())
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(affiliation_role("OPEC"))))
        seen = dict(conn.execute(sql.SQL(
            "select affiliation, count(*) from {} group by 1").format(feedback)).fetchall())
        assert denied(conn, sql.SQL("select * from {}").format(
            sql.Identifier(RELEASE, "fct_enrolment")))
    assert everyone.get("OPEC", 0) > 0 and set(everyone) - {"OPEC"}, everyone
    assert seen == {"OPEC": everyone["OPEC"]}


# -- pseudonyms ------------------------------------------------------------------------------------

def _hmac(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def test_pseudonyms_agree_across_sources_and_runs_and_follow_the_key(built: Built) -> None:
    key = load_secrets()["EDU_PSEUDONYM_KEY"]
    with psycopg.connect(built.url) as conn:
        shared = [row[0] for row in conn.execute(
            "select distinct o.citizen_id from raw.obec_dmc__students o"
            " join raw.opec_psis__students p on p.citizen_id = o.citizen_id"
            " where o.citizen_id ~ '^[0-9]{13}$' order by 1 limit 20").fetchall()]
        expected = {_hmac(key, citizen_id) for citizen_id in shared}
        in_obec, in_opec = ({row[0] for row in conn.execute(sql.SQL(
            "select distinct person_key from {} where person_key = any(%s)").format(
            sql.Identifier("staging", model)), [list(expected)]).fetchall()}
            for model in ("stg_obec_dmc__students", "stg_opec_psis__students"))
    assert shared, "no learner in both OBEC and OPEC"
    # each source's staging holds the keyed HMAC of the ID: the same in every source and run
    assert in_obec == in_opec == expected
    citizen_id = shared[0]
    other_key = "another-key-" + key[:8]
    with psycopg.connect(built.url, autocommit=True) as admin:
        try:
            install_pseudonym_function(admin, other_key)
            with connect_as(built, TRANSFORMER) as conn:
                changed = conn.execute("select edu_private.pseudonym(%s)",
                                       [citizen_id]).fetchone()[0]
        finally:
            install_pseudonym_function(admin, key)
    assert changed == _hmac(other_key, citizen_id) != _hmac(key, citizen_id)


# -- secrets in what the run leaves behind ------------------------------------------------

def test_no_generated_secret_in_the_run_logs_or_dbt_files(built: Built, runtime) -> None:
    texts = [*built.outputs, *files_text(built.dbt_files)]
    embedded = runtime.databases.embedded
    if embedded is not None:  # the server's own log (statements of failed commands)
        texts.append(embedded.log_file.read_text(errors="replace"))
    assert len(texts) > 3 and "received" in built.outputs[0]
    assert leaked_secrets(texts) == []
