"""OVEC VEC connector against the simulated VEC API (OAuth2, C.E. years) and the warehouse."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from edu_platform.sources.base import SourceError
from tests.sources.conftest import (
    BE_TO_CE,
    NOT_HELD_YEAR,
    TERM,
    TEST_YEAR,
    batches_of,
    clean_source,
    jsonl_records,
    quarantined,
    raw_state,
    rows_of,
    statuses,
)

SOURCE = "ovec_vec"
EVERY_FAULT = {"rate_limit_every": 4, "retry_after": 1, "unavailable_every": 5,
               "slow_every": 7, "slow_seconds": 1.5, "token_max_uses": 2,
               "short_page_every": 2}


@pytest.fixture(autouse=True)
def clean(warehouse: psycopg.Connection) -> None:
    clean_source(warehouse, SOURCE)


def served(sim_dir: Path, entity: str) -> Path:
    # The API counts C.E. years: the served file of the B.E. test year.
    return sim_dir / "served" / "ovec" / f"{entity}_{TEST_YEAR - BE_TO_CE}_{TERM}.jsonl"


def keyed(records: list[dict], key: tuple[str, str]) -> Counter:
    return Counter("|".join(str(r.get(part) or "") for part in key) for r in records
                   if all(str(r.get(part) or "").strip() for part in key))


def loaded_keys(conn: psycopg.Connection, table: str, key: tuple[str, str]) -> Counter:
    rows = conn.execute(f'SELECT "{key[0]}" || \'|\' || "{key[1]}" FROM raw.{table} '
                        "WHERE _academic_year = %s", [TEST_YEAR]).fetchall()
    return Counter(row[0] for row in rows)


def test_every_fault_on_loads_every_record_once(servers, extract, warehouse, sim_dir,
                                                caplog) -> None:
    caplog.set_level(logging.DEBUG)
    servers.set_faults("ovec", **EVERY_FAULT)
    summary = extract(SOURCE, page_size=4, timeout_seconds=0.5)

    enrollments = jsonl_records(served(sim_dir, "enrollments"))
    teachers = jsonl_records(served(sim_dir, "teachers"))
    colleges = json.loads((sim_dir / "served" / "ovec" / "colleges.json").read_text("utf-8"))
    assert len(enrollments) > 8  # several pages of 4, some of them short
    assert statuses(summary) == {"colleges": "loaded", "enrollments": "loaded",
                                 "teachers": "loaded"}
    enrollment_key = ("studentId", "collegeId")
    assert loaded_keys(warehouse, "ovec_vec__enrollments", enrollment_key) == keyed(
        enrollments, enrollment_key)
    missing = len(enrollments) - sum(keyed(enrollments, enrollment_key).values())
    assert [reason for _, reason in quarantined(warehouse, SOURCE, "enrollments")] == [
        "missing_key"] * missing
    assert rows_of(warehouse, SOURCE, "teachers") == len(teachers)
    assert rows_of(warehouse, SOURCE, "colleges", year=None) == len(colleges)
    assert summary.rows_received == len(enrollments) + len(teachers) + len(colleges)
    assert "Retrying" in caplog.text
    assert servers.credentials.ovec_client_secret not in caplog.text


def test_same_extraction_twice_leaves_raw_identical(servers, extract, warehouse) -> None:
    extract(SOURCE, page_size=4)
    before = raw_state(warehouse, SOURCE)
    servers.set_faults("ovec", unavailable_every=3, token_max_uses=2)  # retries add nothing
    again = extract(SOURCE, page_size=4)
    assert set(statuses(again).values()) == {"unchanged"}
    assert raw_state(warehouse, SOURCE) == before


def test_token_expiring_mid_run_is_renewed(servers, extract, warehouse, sim_dir) -> None:
    servers.set_faults("ovec", token_max_uses=1)
    extract(SOURCE, page_size=3)
    records = jsonl_records(served(sim_dir, "enrollments"))
    assert rows_of(warehouse, SOURCE, "enrollments") + len(
        quarantined(warehouse, SOURCE, "enrollments")) == len(records)


def test_short_pages_do_not_end_the_pull(servers, extract, warehouse, sim_dir) -> None:
    servers.set_faults("ovec", short_page_every=1)
    extract(SOURCE, page_size=4)
    records = jsonl_records(served(sim_dir, "enrollments"))
    key = ("studentId", "collegeId")
    assert loaded_keys(warehouse, "ovec_vec__enrollments", key) == keyed(records, key)
    locators = warehouse.execute("SELECT DISTINCT _locator FROM raw.ovec_vec__enrollments "
                                 "WHERE _academic_year = %s ORDER BY 1", [TEST_YEAR]).fetchall()
    assert ("offset=2",) in locators  # the first window came back with 2 of 4


def test_changed_api_version_fails_as_schema_drift_before_loading(servers, extract,
                                                                  warehouse) -> None:
    servers.set_faults("ovec", api_version="3")
    with pytest.raises(SourceError, match=r"^ovec_vec: schema drift: api/colleges answered "
                                          r"X-Api-Version '3'.*not reading it"):
        extract(SOURCE)
    assert raw_state(warehouse, SOURCE)["batches"][0] == 0


def test_drifted_version_leaves_earlier_load_untouched(servers, extract, warehouse,
                                                       sim_dir) -> None:
    extract(SOURCE)
    before = raw_state(warehouse, SOURCE)
    path = served(sim_dir, "enrollments")  # the source changes, and so does its shape
    path.write_text("".join(path.read_text("utf-8").splitlines(keepends=True)[1:]), "utf-8")
    servers.set_faults("ovec", api_version="3")
    with pytest.raises(SourceError, match="schema drift"):
        extract(SOURCE)
    assert raw_state(warehouse, SOURCE) == before


def test_failure_mid_batch_rolls_the_batch_back(servers, extract, warehouse) -> None:
    # Calls: 1 token, 2 colleges, 3 enrollments offset 0, 4 offset 4 fails for good.
    servers.set_faults("ovec", unavailable_every=4)
    with pytest.raises(SourceError, match=r"ovec_vec: api/enrollments offset=4: still failing "
                                          r"after 0 retries \(HTTP 503: unavailable\)"):
        extract(SOURCE, retries=0, page_size=4)
    assert rows_of(warehouse, SOURCE, "colleges", year=None) > 0
    assert batches_of(warehouse, SOURCE, "enrollments") == 0
    assert rows_of(warehouse, SOURCE, "enrollments") == 0


def test_rate_limit_waits_as_told(servers, extract, warehouse, sim_dir) -> None:
    servers.set_faults("ovec", rate_limit_every=2, retry_after=1)
    started = time.monotonic()
    extract(SOURCE, page_size=10, backoff_seconds=0.01)
    # Backoff alone would take a few hundredths of a second: the waits are Retry-After's.
    assert time.monotonic() - started >= 2
    assert rows_of(warehouse, SOURCE, "teachers") == len(jsonl_records(served(sim_dir,
                                                                               "teachers")))


def test_slow_answers_are_retried_or_fail_clearly(servers, extract, warehouse) -> None:
    servers.set_faults("ovec", slow_every=2, slow_seconds=1.5)
    extract(SOURCE, timeout_seconds=0.4, page_size=5)
    assert rows_of(warehouse, SOURCE, "enrollments") > 0
    servers.set_faults("ovec", slow_every=1, slow_seconds=1.5)
    with pytest.raises(SourceError, match=r"ovec_vec: oauth/token: no answer after 1 retries "
                                          r"\(timed out"):
        extract(SOURCE, timeout_seconds=0.3, retries=1)


def test_bad_client_credentials_name_the_cause(servers, extract, monkeypatch,
                                               warehouse) -> None:
    monkeypatch.setenv("OVEC_VEC_CLIENT_SECRET", "not-the-secret")
    with pytest.raises(SourceError, match=r"^ovec_vec: bad credentials: .*invalid_client"
                       ) as error:
        extract(SOURCE)
    assert "not-the-secret" not in str(error.value)
    assert raw_state(warehouse, SOURCE)["batches"][0] == 0


def test_year_not_held_is_empty_not_an_error(servers, extract) -> None:
    summary = extract(SOURCE, year=NOT_HELD_YEAR)
    assert [(b.entity, b.rows_received) for b in summary.batches if b.entity != "colleges"
            ] == [("enrollments", 0), ("teachers", 0)]
