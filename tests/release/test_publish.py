"""Write-audit-publish on a real build: releases are numbered, complete and immutable.

The `tiny` province is landed and built with real dbt into a fresh database, then
published twice (release 1, then release 2 with no revisions, the second through the
build DAG's own task callable, whose XCom is the run summary). A second world, generated
with the DOPA register missing half its residents (`dopa_undercount`), is landed and
built into the same warehouse: the province NER gate fails, nothing is published,
release 2, `current`, the catalog and the release files stay byte for byte as they were,
and the publish task fails naming the gate, with the run summary in its log.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from psycopg import sql

from edu_platform.airflow_env import warehouse_connections
from edu_platform.dbt_runner import run_dbt_as_transformer
from edu_platform.province_config import load_province
from edu_platform.release.gates import GatesNotRun, latest_gate_outcome
from edu_platform.release.publish import GatesFailed, PublishedRelease, publish_release
from edu_platform.release.publish_task import publish_latest_build
from edu_platform.release.run_summary import summarize_latest_build
from edu_platform.security.logins import login_url
from edu_platform.security.roles import ANALYST, LOADER, PUBLISHER
from tests.dbt.test_indicators_match_reference import land_and_build
from tests.integration.conftest import (  # noqa: F401  (module fixture)
    fresh_warehouse,
    land_simulated_province,
)

pytest.importorskip("edu_simulators.servers")
from edu_simulators.generator import Imperfections, generate  # noqa: E402

pytestmark = pytest.mark.slow

RELEASE_FILES = ("indicators.csv", "indicators.xlsx", "indicators.json", "indicators_sdmx.csv",
                 "report.html", "manifest.json")


@dataclass(frozen=True)
class Published:
    url: str
    first: PublishedRelease
    second_xcom: dict[str, Any]  # the build DAG's publish task published release 2
    files_root: Path


def as_the_publish_task(monkeypatch: pytest.MonkeyPatch, url: str, files_root: Path) -> None:
    """The environment an Airflow worker gives the publish task, on this warehouse."""
    for name, value in warehouse_connections(url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("EDU_PROVINCE", "rayong")
    monkeypatch.setenv("EDU_RELEASES_DIR", str(files_root))


@pytest.fixture(scope="module")
def published(fresh_warehouse: str,  # noqa: F811
              tmp_path_factory: pytest.TempPathFactory) -> Published:
    sim = generate("tiny", seed=21, out=tmp_path_factory.mktemp("tiny"))
    log = land_and_build(sim, fresh_warehouse, tmp_path_factory.mktemp("dbt"))
    assert "ERROR=0" in log, log[-4000:]
    files_root = tmp_path_factory.mktemp("releases")
    as_publisher = login_url(fresh_warehouse, PUBLISHER)  # as the publish task does
    first = publish_release(as_publisher, load_province("rayong"), files_root)
    with pytest.MonkeyPatch.context() as monkeypatch:
        as_the_publish_task(monkeypatch, fresh_warehouse, files_root)
        second_xcom = publish_latest_build()
    return Published(fresh_warehouse, first, second_xcom, files_root)


def rows(url: str, statement: str | sql.Composable,
         params: tuple | dict[str, Any] = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement, params).fetchall()


def tables_of(url: str, schema: str) -> set[str]:
    return {name for (name,) in rows(
        url, "select table_name from information_schema.tables where table_schema = %s",
        (schema,))}


def fingerprint(url: str, files_dir: Path) -> dict[str, str]:
    """A digest of every table of release_0002, every view of `current` (definition and
    rows), the catalog, and every file of the release folder."""
    digest: dict[str, str] = {}
    for schema in ("release_0002", "current", "releases"):
        for table in sorted(tables_of(url, schema)):
            (value,) = rows(url, sql.SQL(
                "select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) "
                "from {} as t").format(sql.Identifier(schema, table)))[0]
            digest[f"{schema}.{table}"] = value
    for name, definition in rows(url, "select viewname, definition from pg_views "
                                      "where schemaname = 'current' order by 1"):
        digest[f"view current.{name}"] = definition
    for path in sorted(files_dir.rglob("*")):
        if path.is_file():
            digest[str(path.relative_to(files_dir))] = hashlib.sha256(
                path.read_bytes()).hexdigest()
    return digest


# -- tests --------------------------------------------------------------------------------

def test_first_release_holds_marts_indicators_quality_and_notes(published: Published) -> None:
    assert (published.first.number, published.first.schema) == (1, "release_0001")
    audit = tables_of(published.url, "audit")
    release = tables_of(published.url, "release_0001")
    marts = {t for t in audit if t.startswith(("dim_", "fct_"))}
    assert marts and marts <= release
    assert {"indicators", "scorecard", "methodology_notes", "revisions", "quality_gates",
            "indicator_definitions", "grade_crosswalk"} <= release
    sections = {s for (s,) in rows(published.url,
                                   "select distinct section from release_0001.methodology_notes")}
    assert {"settings", "interpretation", "code_list", "population"} <= sections
    (audit_cells,) = rows(published.url, "select count(*) from audit.indicators")[0]
    (release_cells,) = rows(published.url, "select count(*) from release_0001.indicators")[0]
    assert release_cells == audit_cells > 0


def test_release_files_are_written(published: Published) -> None:
    folder = published.files_root / "rayong" / "release_0001"
    assert published.first.files_dir == folder
    for name in RELEASE_FILES:
        assert (folder / name).stat().st_size > 0, name
    assert list((folder / "feedback").glob("*.xlsx"))
    (files_dir,) = rows(published.url, "select files_dir from releases.catalog "
                                       "where release_number = 1")[0]
    assert files_dir == str(folder)


def test_withheld_and_capped_cells_follow_the_flags(published: Published) -> None:
    cells = rows(published.url, """
        select a.indicator, a.flags, a.value, r.value, r.value_published, r.withheld
        from audit.indicators as a
        join release_0001.indicators as r using (indicator, academic_year, area_code,
            affiliation, level, grade, age_group, sex)""")
    assert cells
    for indicator, flags, audit_value, value, published_value, withheld in cells:
        flag_set = set((flags or "").split(","))
        expect_withheld = bool(flag_set & {"dirty", "incomplete"})
        assert withheld is expect_withheld
        if expect_withheld:
            assert value is None and published_value is None
        elif "capped" in flag_set:
            assert published_value == (0 if indicator == "OOSR" else 100)
            assert value == audit_value
        else:
            assert published_value == value == audit_value


def test_second_clean_release_lists_no_revisions(published: Published) -> None:
    assert published.second_xcom["release"] == 2
    assert published.second_xcom["revisions"] == 0
    assert rows(published.url, "select count(*) from release_0002.revisions")[0][0] == 0
    catalog = rows(published.url, "select release_number, revision_count "
                                  "from releases.catalog order by 1")
    assert [number for number, _ in catalog] == [1, 2]


def test_current_points_at_the_latest_release(published: Published) -> None:
    assert rows(published.url, "select release_number from current.release") == [(2,)]
    for (definition,) in rows(published.url, "select definition from pg_views "
                                             "where schemaname = 'current' "
                                             "and viewname <> 'release'"):
        assert "release_0002." in definition
    assert rows(published.url, "select count(*) from current.indicators") == rows(
        published.url, "select count(*) from release_0002.indicators")


def landed_per_source(url: str, since_invocation: str | None = None) -> dict[str, dict]:
    """Rows per source straight from raw.batches, as the superuser: those landed after the
    given gate run ended, or all of them."""
    landed = rows(url, """
        select source, count(*), sum(rows_received), sum(rows_loaded), sum(rows_quarantined)
        from raw.batches
        where %(invocation)s::text is null or extracted_at > (
            select max(recorded_at) from audit.gate_results
            where invocation_id = %(invocation)s)
        group by source""", {"invocation": since_invocation})
    return {source: {"batches": batches, "rows_received": received, "rows_loaded": loaded,
                     "rows_quarantined": quarantined}
            for source, batches, received, loaded, quarantined in landed}


def test_publish_task_returns_the_run_summary(published: Published) -> None:
    """The publish task's XCom: every batch of the first build, its gates, its release."""
    xcom = published.second_xcom
    assert json.loads(json.dumps(xcom)) == xcom
    assert xcom["sources"] == landed_per_source(published.url)
    assert set(xcom["sources"]) == set(load_province("rayong").sources)
    assert xcom["rows_received"] == xcom["rows_loaded"] + xcom["rows_quarantined"]
    assert xcom["rows_quarantined"] > 0  # tiny has its imperfections on
    with psycopg.connect(published.url) as conn:
        gates = latest_gate_outcome(conn)
    assert (xcom["gates_passed"], xcom["gates_warned"]) == (gates.passed, gates.warned)
    assert (xcom["gates_failed"], xcom["failing_gates"]) == (0, [])
    assert (xcom["release"], xcom["current_release"]) == (2, 2)


def test_revisions_name_the_cells_that_changed(published: Published) -> None:
    """A scratch copy of release 2 with one value changed and one cell removed."""
    from edu_platform.release.published_indicators import create_revisions

    with psycopg.connect(published.url) as conn:
        conn.execute("create schema scratch_release")
        conn.execute("create table scratch_release.indicators as "
                     "table release_0002.indicators")
        # delete first: an update writes a new row version, at the end of the table
        conn.execute("delete from scratch_release.indicators where ctid = "
                     "(select max(ctid) from scratch_release.indicators)")
        changed = conn.execute(
            "update scratch_release.indicators set value_published = value_published + 1 "
            "where ctid = (select min(ctid) from scratch_release.indicators "
            "where value_published is not null) returning indicator").fetchone()
        conn.execute(create_revisions("scratch_release", "release_0002"))
        revisions = conn.execute("select change, indicator from scratch_release.revisions "
                                 "order by change").fetchall()
        conn.rollback()
    assert [change for change, _ in revisions] == ["changed", "removed"]
    assert revisions[0][1] == changed[0]


def test_a_build_whose_gates_did_not_run_publishes_nothing(
        published: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model failed before the gates: the passing gates on record are an earlier build's."""
    before = fingerprint(published.url, published.files_root)
    as_the_publish_task(monkeypatch, published.url, published.files_root)
    with psycopg.connect(published.url) as conn:
        build_started = conn.execute("select now()").fetchone()[0]
    with pytest.raises(GatesNotRun, match="have not run since this build started"):
        publish_latest_build(dag_run=SimpleNamespace(start_date=build_started))
    assert fingerprint(published.url, published.files_root) == before


def test_failed_error_gate_publishes_nothing(published: Published,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    before = fingerprint(published.url, published.files_root)
    undercounted = generate("tiny", seed=21, out=tmp_path_factory.mktemp("undercount"),
                            imperfections=Imperfections(dopa_undercount=0.5))
    land_simulated_province(undercounted, login_url(published.url, LOADER))
    scratch = tmp_path_factory.mktemp("dbt-failing")
    result = run_dbt_as_transformer(["build", "--target-path", str(scratch / "target"),
                                     "--log-path", str(scratch / "logs")], published.url)
    assert result.returncode != 0
    assert "indicators_province_ner_aner_at_most_105" in result.stdout

    with psycopg.connect(published.url) as conn:
        outcome = latest_gate_outcome(conn)
    assert any("indicators_province_ner_aner_at_most_105" in gate for gate in outcome.blocking)
    with pytest.raises(GatesFailed, match="indicators_province_ner_aner_at_most_105"):
        publish_release(login_url(published.url, PUBLISHER), load_province("rayong"),
                        published.files_root)

    assert fingerprint(published.url, published.files_root) == before
    assert not (published.files_root / "rayong" / "release_0003").exists()
    # the failing rows and the scorecard are still written for the people who must fix them
    (failing,) = rows(published.url, "select count(*) from audit_failures."
                                     "indicators_province_ner_aner_at_most_105")[0]
    assert failing > 0
    assert rows(published.url, "select count(*) from audit.scorecard")[0][0] > 0


def test_refused_publish_task_logs_the_summary_and_names_the_gate(
        published: Published, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """After the failed build above: the task fails loudly, its log holds the summary."""
    as_the_publish_task(monkeypatch, published.url, published.files_root)
    with caplog.at_level(logging.INFO, logger="edu_platform.release.publish_task"), \
            pytest.raises(GatesFailed, match="indicators_province_ner_aner_at_most_105"):
        publish_latest_build()
    logged = caplog.text
    assert "nothing published" in logged and "release 2 stays current" in logged
    assert "fail: indicators_province_ner_aner_at_most_105 (" in logged

    summary = summarize_latest_build(login_url(published.url, PUBLISHER))
    assert (summary.release, summary.current_release) == (None, 2)
    # only what the failed build was the first to judge: the re-delivered DOPA files
    landed = landed_per_source(published.url, published.second_xcom["dbt_invocation_id"])
    assert {landed_rows.source: landed_rows.as_dict()
            for landed_rows in summary.sources} == landed
    assert "dopa_population" in landed
    assert landed != published.second_xcom["sources"]
    for landed_rows in summary.sources:
        assert f"{landed_rows.source} " in logged


def test_cli_shows_releases_and_quarantine(published: Published, runtime) -> None:
    """`edu status` and `edu quarantine`, pointed at this warehouse by WAREHOUSE_URL."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "WAREHOUSE_URL": published.url,
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": runtime.databases.airflow_url,
           "COLUMNS": "200"}
    shown = subprocess.run([sys.executable, "-m", "edu_platform.cli", "status"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    release_lines = [line for line in shown.stdout.splitlines()
                     if str(published.files_root) in line]
    assert len(release_lines) == 2  # releases 2 and 1, each with its folder
    (reason, count), = rows(published.url, "select reason, count(*) from raw.quarantine "
                                           "where source = 'opec_psis' group by reason "
                                           "order by count(*) desc limit 1")
    listed = subprocess.run([sys.executable, "-m", "edu_platform.cli", "quarantine",
                             "opec_psis", "--limit", "500"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count(reason) >= min(count, 1)


def readme_analyst_queries() -> list[str]:
    from edu_platform.paths import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- analyst-queries -->")[1].split("<!-- /analyst-queries -->")[0]
    return [block.split("```")[0] for block in section.split("```sql")[1:]]


def test_readme_analyst_queries_run_as_the_analyst(published: Published) -> None:
    """The analyst guide's five queries, as the analyst role, on the current release."""
    queries = readme_analyst_queries()
    assert len(queries) == 5
    answered = [rows(login_url(published.url, ANALYST), query) for query in queries]
    ger, out_of_school, ptr, revisions, _not_reporting = answered
    assert ger and out_of_school and ptr
    assert any(row[0].startswith("release 2 of") for row in revisions)
    assert all(population >= 0 and out >= 0 for _, population, _, out in out_of_school)
