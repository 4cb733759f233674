"""ONAB report connector against the simulated report server (basic auth) and the warehouse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from edu_platform.sources.base import SourceError
from tests.sources.conftest import (
    NOT_HELD_YEAR,
    TERM,
    TEST_YEAR,
    clean_source,
    quarantined,
    raw_state,
    rows_of,
    statuses,
)

SOURCE = "onab_report"


@pytest.fixture(autouse=True)
def clean(warehouse: psycopg.Connection) -> None:
    clean_source(warehouse, SOURCE)


def report_path(sim_dir: Path) -> Path:
    return sim_dir / "served" / "onab" / f"enrolment_{TEST_YEAR}_{TERM}.json"


def edit_report(sim_dir: Path, change) -> dict[str, Any]:
    path = report_path(sim_dir)
    report = json.loads(path.read_text("utf-8"))
    change(report)
    path.write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    return report


def add_schools(report: dict[str, Any]) -> None:
    """An unknown age (it lands as it is) and a school whose enrolment cannot be read."""
    report["schools"].append({
        "school_code": "P2199001", "school_name": "ทดสอบ", "tambon_code": "210101",
        "enrolment": [{"grade": "ม.1", "age": "ไม่ทราบ", "sex": "ชาย", "count": 2,
                       "repeaters": 1}],
        "teachers": {"total": 3, "with_bachelor": 2, "with_license": 1,
                     "levels": {"มัธยมต้น": 3}}})
    report["schools"].append({
        "school_code": "P2199002", "school_name": "ทดสอบ", "tambon_code": "210101",
        "enrolment": "n/a", "teachers": {"total": 0, "with_bachelor": 0, "with_license": 0,
                                         "levels": {}}})


def test_every_fault_on_lands_the_report_as_it_is(servers, extract, warehouse,
                                                  sim_dir) -> None:
    report = edit_report(sim_dir, add_schools)
    servers.set_faults("onab", unavailable_every=2, rate_limit_every=3, retry_after=1,
                       slow_every=4, slow_seconds=1.5)
    # One call per run: this one takes request 1, so the connector meets 503, 429, a
    # slow answer, and then the report (requests 2 to 5).
    requests.get(f"{servers.onab_url}/reports/enrolment", timeout=5)

    summary = extract(SOURCE, timeout_seconds=0.5)

    readable = [s for s in report["schools"] if isinstance(s["enrolment"], list)]
    assert statuses(summary) == {"enrolment": "loaded", "teachers": "loaded"}
    assert rows_of(warehouse, SOURCE, "enrolment") == sum(len(s["enrolment"])
                                                          for s in readable)
    assert quarantined(warehouse, SOURCE, "enrolment") == [("P2199002", "schema_drift")]
    assert rows_of(warehouse, SOURCE, "teachers") == len(report["schools"])
    enrolment = warehouse.execute(
        "SELECT school_name, tambon_code, grade, age, sex, count, repeaters, generated_at, "
        "_locator FROM raw.onab_report__enrolment WHERE school_code = 'P2199001' "
        "AND _academic_year = %s", [TEST_YEAR]).fetchall()
    assert enrolment == [("ทดสอบ", "210101", "ม.1", "ไม่ทราบ", "ชาย", "2", "1",
                          report["generated_at"], f"schools[{len(readable) - 1}].enrolment[0]")]
    teachers = warehouse.execute(
        "SELECT total, with_bachelor, with_license, levels FROM raw.onab_report__teachers "
        "WHERE school_code = 'P2199001' AND _academic_year = %s", [TEST_YEAR]).fetchone()
    assert teachers[:3] == ("3", "2", "1") and json.loads(teachers[3]) == {"มัธยมต้น": 3}
    stamp = warehouse.execute("SELECT source_timestamp = %s::timestamptz FROM raw.batches "
                              "WHERE batch_id = %s",
                              [report["generated_at"], summary.batches[0].batch_id]).fetchone()
    assert stamp == (True,)


def test_same_extraction_twice_leaves_raw_identical(servers, extract, warehouse) -> None:
    extract(SOURCE)
    before = raw_state(warehouse, SOURCE)
    again = extract(SOURCE)
    assert set(statuses(again).values()) == {"unchanged"}
    assert raw_state(warehouse, SOURCE) == before


def test_regenerated_report_replaces_the_earlier_one(servers, extract, warehouse,
                                                     sim_dir) -> None:
    extract(SOURCE)
    count = rows_of(warehouse, SOURCE, "enrolment")

    def correct(report: dict[str, Any]) -> None:
        report["schools"][0]["enrolment"][0]["count"] += 5
    edit_report(sim_dir, correct)
    summary = extract(SOURCE)
    assert statuses(summary) == {"enrolment": "replaced", "teachers": "unchanged"}
    assert rows_of(warehouse, SOURCE, "enrolment") == count


def test_year_not_held_is_an_empty_batch(servers, extract, warehouse) -> None:
    summary = extract(SOURCE, year=NOT_HELD_YEAR)
    assert [(b.entity, b.rows_received) for b in summary.batches] == [("enrolment", 0),
                                                                       ("teachers", 0)]


def test_unavailable_beyond_retries_fails_clearly(servers, extract, warehouse) -> None:
    servers.set_faults("onab", unavailable_every=1)
    with pytest.raises(SourceError, match=r"^onab_report: reports/enrolment: still failing "
                                          r"after 2 retries \(HTTP 503: unavailable\)"):
        extract(SOURCE, retries=2)
    assert raw_state(warehouse, SOURCE)["batches"][0] == 0


def test_slow_beyond_timeout_fails_clearly(servers, extract) -> None:
    servers.set_faults("onab", slow_every=1, slow_seconds=1.5)
    with pytest.raises(SourceError, match=r"^onab_report: reports/enrolment: no answer after "
                                          r"1 retries \(timed out"):
        extract(SOURCE, retries=1, timeout_seconds=0.3)


def test_rate_limit_beyond_the_time_budget_fails_clearly(servers, extract) -> None:
    servers.set_faults("onab", rate_limit_every=1, retry_after=30)
    with pytest.raises(SourceError, match=r"^onab_report: reports/enrolment: extraction "
                                          r"exceeded max_total_seconds=3"):
        extract(SOURCE, max_total_seconds=3)


def test_bad_credentials_name_the_cause(servers, extract, monkeypatch) -> None:
    monkeypatch.setenv("ONAB_REPORT_PASSWORD", "not-the-password")
    with pytest.raises(SourceError, match=r"^onab_report: reports/enrolment: bad credentials "
                                          r"\(HTTP 401: unauthorized\)") as error:
        extract(SOURCE)
    assert "not-the-password" not in str(error.value)
