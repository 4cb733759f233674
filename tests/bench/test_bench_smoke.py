"""Every benchmark runs on `tiny` and produces sane figures (speed is never judged here).

One session for the module, as `python -m bench` runs them: the extraction
benchmark's raw zone is the one the dbt benchmark builds on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bench import dag_parse, dbt_build, e2e, extract, loader
from bench.report import Section, write_results
from bench.session import BenchSession

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def session(runtime) -> Iterator[BenchSession]:
    """After the project's set-up (`runtime`): its server runs, its roles exist."""
    with BenchSession("tiny", lambda _: None) as opened:
        yield opened


def only(sections: list[Section], name: str) -> Section:
    return next(section for section in sections if section.name == name)


def test_loader_loads_the_same_rows_with_every_method(session: BenchSession) -> None:
    sections = loader.run(session)
    same = only(sections, "loader")
    rows = same.details["rows"]
    assert rows > 1000
    by_method = {row["method"]: row for row in same.rows}
    for method, row in by_method.items():
        expected = min(rows, loader.PLANS["tiny"].multi_rows) if "multi" in method else rows
        assert row["rows"] == expected, method
        assert row["rows/s"] > 0 and row["MB/s"] > 0
    assert by_method["psql \\copy of the prepared CSV"]["x psql \\copy"] == pytest.approx(1)
    formats = only(sections, "loader_formats")
    assert {row["source"] for row in formats.rows} == {"opec_psis", "dla_lec", "dlp_itw"}
    assert all(row["rows"] > 0 and row["loader rows/s"] > 0 for row in formats.rows)
    assert len(same.targets) == 4


def test_extract_reconciles_every_source(session: BenchSession) -> None:
    section = only(extract.run(session), "extract")
    sources = [row for row in section.rows if row["source"] != "all sources"]
    assert len(sources) == 8
    assert all(row["received"] > 0 and row["seconds"] > 0 for row in sources)
    assert all(0 < row["RSS at start MiB"] <= row["peak RSS MiB"] for row in sources)
    total = section.rows[-1]
    assert total["received"] == sum(row["received"] for row in sources)
    assert session.landed


def test_dbt_builds_full_then_nightly_on_the_landed_raw_zone(session: BenchSession) -> None:
    # the seeds (their tests read one another), OBEC's incremental staging, and one mart:
    # the audit schema the run-end hook writes to
    section = only(dbt_build.measure(
        session, select="resource_type:seed +stg_obec_dmc__students +dim_level"), "dbt")
    details = section.details
    assert details["changed_records"] == round(details["learner_records"] * 0.01)
    full, nightly = section.rows
    assert full["seconds"] > 0 and nightly["seconds"] > 0
    assert full["nodes"] == nightly["nodes"] > 3
    assert "error" not in full["statuses"] and "error" not in nightly["statuses"]
    assert section.targets[0].measured == pytest.approx(nightly["seconds"] / full["seconds"])


def test_parse_times_every_dag_file(session: BenchSession) -> None:
    section = only(dag_parse.run(session), "parse")
    assert {row["file"] for row in section.rows} == {"build_warehouse.py",
                                                      "extract_sources.py"}
    for row in section.rows:
        assert row["dags"] >= 1 and row["tasks"] >= 3
        assert 0 < row["total s (median)"] <= row["total s (max)"]
    assert section.details["cosmos_load_modes"]["dbt_manifest"]["tasks"] > 10


def test_e2e_times_a_stage_dag_by_dag(session: BenchSession, tmp_path) -> None:
    section = only(e2e.measure(session, stages=("extract",), sources=("peo_registry",)), "e2e")
    stage = next(row for row in section.rows if row["step"] == "stage extract")
    dag = next(row for row in section.rows if row["step"].strip() == "extract_peo_registry")
    assert stage["result"] == dag["result"] == "success"
    assert dag["tasks"] == 3  # plan_terms, extract (one mapped pair), mark_landed
    assert dag["task code s"] > 0 and dag["Airflow start-up s"] > 0
    assert stage["seconds"] >= dag["seconds"]
    written = write_results("tiny", {"cores": 2}, [section], __import__("datetime").datetime.now(),
                            results_dir=tmp_path)
    assert json.loads(written[1].read_text())["benchmarks"]["e2e"]["rows"]
