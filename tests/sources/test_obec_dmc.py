"""OBEC DMC connector against the simulated DMC API and the real warehouse."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import msgspec
import psycopg
import pytest

from edu_platform.landing.entities import JsonPage
from edu_platform.landing.watermarks import read_watermark
from edu_platform.sources.base import SourceError
from edu_platform.sources.http_session import SourceClient
from edu_platform.sources.obec_dmc import LatestInstant, json_page, parse_instant, read_answer
from tests.sources.conftest import (
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

SOURCE = "obec_dmc"
EVERY_FAULT = {"rate_limit_every": 3, "retry_after": 1, "unavailable_every": 5,
               "slow_every": 4, "slow_seconds": 1.5}


@pytest.fixture(autouse=True)
def clean(warehouse: psycopg.Connection) -> None:
    clean_source(warehouse, SOURCE)


def served(sim_dir: Path, entity: str) -> Path:
    return sim_dir / "served" / "obec" / f"{entity}_{TEST_YEAR}_{TERM}.jsonl"


def blank_keys(records: list[dict], key: str) -> int:
    return sum(1 for record in records if not str(record.get(key) or "").strip())


def test_every_fault_on_loads_every_record_once(servers, extract, warehouse, sim_dir,
                                                caplog) -> None:
    caplog.set_level(logging.DEBUG)
    # A teacher whose levels_taught is not a list cannot be read as the contract says;
    # So can a record that is not a JSON object at all.
    with served(sim_dir, "teachers").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"teacher_key": "TBROKEN", "levels_taught": "ประถม"}) + "\n")
        fh.write('"not a record"\n')
    servers.set_faults("obec", **EVERY_FAULT)

    summary = extract(SOURCE, page_size=40, timeout_seconds=0.5)

    students = jsonl_records(served(sim_dir, "students"))
    teachers = jsonl_records(served(sim_dir, "teachers"))
    schools = json.loads((sim_dir / "served" / "obec" / "schools.json").read_text("utf-8"))
    assert len(students) > 120 and blank_keys(students, "student_key") > 0
    assert statuses(summary) == {"schools": "loaded", "students": "loaded",
                                 "teachers": "loaded"}
    missing = blank_keys(students, "student_key")
    reasons = Counter(reason for _, reason in quarantined(warehouse, SOURCE, "students"))
    assert reasons["missing_key"] == missing
    assert set(reasons) <= {"missing_key", "unknown_grade", "unknown_status"}
    assert rows_of(warehouse, SOURCE, "students") == len(students) - reasons.total()
    assert rows_of(warehouse, SOURCE, "teachers") == len(teachers) - 2
    assert quarantined(warehouse, SOURCE, "teachers") == [("", "schema_drift"),
                                                           ("TBROKEN", "schema_drift")]
    assert rows_of(warehouse, SOURCE, "schools", year=None) == len(schools)
    assert summary.rows_received == len(students) + len(teachers) + len(schools)
    assert "Retrying" in caplog.text  # the faults were met...
    assert servers.credentials.obec_api_key not in caplog.text  # ...and the key never logged


def test_raw_columns_are_the_fields_as_delivered(servers, extract, warehouse, sim_dir) -> None:
    extract(SOURCE)
    first = jsonl_records(served(sim_dir, "teachers"))[0]
    row = warehouse.execute(
        "SELECT levels_taught, has_teaching_license, fte, _locator, length(_content_sha256) "
        "FROM raw.obec_dmc__teachers WHERE teacher_key = %s AND _academic_year = %s",
        [first["teacher_key"], TEST_YEAR]).fetchone()
    assert json.loads(row[0]) == first["levels_taught"]
    assert row[1] == ("true" if first["has_teaching_license"] else "false")
    assert float(row[2]) == first["fte"]
    assert row[3:] == ("1", 64)  # page number; sha256 of the page body


def test_same_extraction_twice_leaves_raw_identical(servers, extract, warehouse) -> None:
    extract(SOURCE, page_size=50)
    before = raw_state(warehouse, SOURCE)
    servers.set_faults("obec", **EVERY_FAULT)
    again = extract(SOURCE, page_size=50, timeout_seconds=0.5)
    assert statuses(again) == {"schools": "unchanged", "students": "empty",
                               "teachers": "unchanged"}
    assert raw_state(warehouse, SOURCE) == before


def test_incremental_pull_takes_only_the_changed_record(servers, extract, warehouse,
                                                        sim_dir) -> None:
    path = served(sim_dir, "students")
    records = jsonl_records(path)
    first = extract(SOURCE, page_size=50)
    latest = max(parse_instant(r["updated_at"]) for r in records)
    saved = read_watermark(warehouse, SOURCE, "students", TEST_YEAR, TERM)
    assert parse_instant(saved) == latest
    loaded = first.batches[1].rows_received

    second = extract(SOURCE, page_size=50)
    assert statuses(second)["students"] == "empty"
    assert rows_of(warehouse, SOURCE, "students") + len(
        quarantined(warehouse, SOURCE, "students")) == loaded

    # The source changes one record: a later updated_at, written in UTC (`Z`).
    changed = next(r for r in records if r["student_key"])
    changed.update(updated_at="2099-01-01T00:00:00Z", status="ย้ายออก")
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    third = extract(SOURCE, page_size=50)
    batch = third.batches[1]
    assert (batch.status, batch.rows_received, batch.rows_loaded) == ("loaded", 1, 1)
    pulled = warehouse.execute(
        "SELECT student_key, status FROM raw.obec_dmc__students WHERE _batch_id = %s",
        [batch.batch_id]).fetchall()
    assert pulled == [(changed["student_key"], "ย้ายออก")]
    assert read_watermark(warehouse, SOURCE, "students", TEST_YEAR, TERM) == (
        "2099-01-01T00:00:00Z")
    assert statuses(extract(SOURCE, page_size=50))["students"] == "empty"


def test_source_changing_mid_pull_fails_rather_than_skip(servers, extract, warehouse,
                                                         sim_dir, monkeypatch) -> None:
    # A record added after page 1 shifts the windows of page 2 on: one would be skipped.
    path = served(sim_dir, "students")
    first = jsonl_records(path)[0]
    original = SourceClient.get

    def then_add_a_record(self, target, params=None, label=None):
        answer = original(self, target, params, label)
        if label == "v1/students page 1":
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({**first, "student_key": "0000000000"}) + "\n")
        return answer

    monkeypatch.setattr(SourceClient, "get", then_add_a_record)
    with pytest.raises(SourceError, match=r"obec_dmc: v1/students: the source changed during "
                                          r"the pull \(total \d+ -> \d+\)"):
        extract(SOURCE, page_size=50)
    assert batches_of(warehouse, SOURCE, "students") == 0
    assert read_watermark(warehouse, SOURCE, "students", TEST_YEAR, TERM) is None


def test_watermark_compares_instants_not_text() -> None:
    latest = LatestInstant("2024-06-05T10:00:00+07:00")  # 03:00 UTC
    latest.see("2024-06-05T03:30:00Z")  # later, though it sorts first as text
    latest.see("2024-06-05T09:59:00+07:00")
    latest.see("not a time")
    assert latest.moved() == "2024-06-05T03:30:00Z"


def test_watermark_reads_each_stamp_even_beside_a_record_that_is_not_one() -> None:
    pages = [JsonPage(b'[{"updated_at": "2024-01-01T09:00:00+07:00", "levels": [1]}]', "1", "a"),
             JsonPage(b'["not a record", {"updated_at": "2024-01-01T03:00:00+00:00"}]', "2", "b")]
    latest = LatestInstant("2023-12-31T00:00:00+07:00")
    assert list(latest.watch(iter(pages), "updated_at")) == pages
    assert latest.moved() == "2024-01-01T03:00:00+00:00"


def test_a_page_is_its_data_array_as_sent_or_nothing() -> None:
    assert json_page(read_answer(b'{"page": 3, "data": [ {"a": "\\u0e01"} ]}'), 1, "s") == \
        JsonPage(b'[ {"a": "\\u0e01"} ]', "3", "s")
    assert json_page(read_answer(b'{"data": []}'), 2, "s") == JsonPage(b"[]", "2", "s")
    for no_data in (b'[{"a": 1}]', b'{"data": {"a": 1}}', b'{"page": 1}', b'"text"'):
        assert json_page(read_answer(no_data), 1, "s") is None
    with pytest.raises(msgspec.DecodeError):
        read_answer(b'{"data": [')


def test_unavailable_beyond_retries_fails_clearly_and_loads_nothing(servers, extract,
                                                                     warehouse) -> None:
    servers.set_faults("obec", unavailable_every=1)
    with pytest.raises(SourceError, match=r"^obec_dmc: v1/schools page 1: still failing "
                                          r"after 2 retries \(HTTP 503: unavailable\)"):
        extract(SOURCE, retries=2)
    assert raw_state(warehouse, SOURCE)["batches"][0] == 0


def test_failure_mid_batch_rolls_the_batch_back(servers, extract, warehouse) -> None:
    # Call 1 lists the schools, call 2 is students page 1, call 3 (page 2) fails for good.
    servers.set_faults("obec", unavailable_every=3)
    with pytest.raises(SourceError, match=r"obec_dmc: v1/students page 2: still failing "
                                          r"after 0 retries \(HTTP 503"):
        extract(SOURCE, retries=0, page_size=40)
    assert rows_of(warehouse, SOURCE, "schools", year=None) > 0
    assert batches_of(warehouse, SOURCE, "students") == 0
    assert rows_of(warehouse, SOURCE, "students") == 0


def test_slow_answers_are_retried(servers, extract, warehouse, sim_dir) -> None:
    servers.set_faults("obec", slow_every=2, slow_seconds=1.5)
    extract(SOURCE, timeout_seconds=0.4, page_size=50)
    assert rows_of(warehouse, SOURCE, "teachers") == len(jsonl_records(served(sim_dir,
                                                                               "teachers")))


def test_always_slow_fails_clearly(servers, extract, warehouse) -> None:
    servers.set_faults("obec", slow_every=1, slow_seconds=1.5)
    with pytest.raises(SourceError, match=r"obec_dmc: v1/schools page 1: no answer after "
                                          r"1 retries \(timed out"):
        extract(SOURCE, timeout_seconds=0.3, retries=1)
    assert raw_state(warehouse, SOURCE)["batches"][0] == 0


def test_rate_limit_wait_beyond_the_time_budget_fails_clearly(servers, extract) -> None:
    servers.set_faults("obec", rate_limit_every=1, retry_after=30)
    with pytest.raises(SourceError, match=r"obec_dmc: .*exceeded max_total_seconds=5"):
        extract(SOURCE, max_total_seconds=5)


def test_bad_api_key_names_the_cause(servers, extract, monkeypatch, warehouse) -> None:
    monkeypatch.setenv("OBEC_DMC_API_KEY", "not-the-key")
    with pytest.raises(SourceError,
                       match=r"obec_dmc: v1/schools page 1: bad credentials") as error:
        extract(SOURCE)
    assert "not-the-key" not in str(error.value)
    assert raw_state(warehouse, SOURCE)["batches"][0] == 0


def test_year_not_held_is_empty_not_an_error(servers, extract, warehouse) -> None:
    summary = extract(SOURCE, year=NOT_HELD_YEAR)
    assert statuses(summary)["students"] == "empty"
    assert [b.rows_received for b in summary.batches if b.entity != "schools"] == [0, 0]
