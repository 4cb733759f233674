"""JSON pages land as the Python shaping lands the same records, whether their records go by
COPY (`page_rows`) or are judged by the server's statement."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from edu_platform.databases import with_database
from edu_platform.landing.batch_writer import load_batch
from edu_platform.landing.code_checks import grade_and_status
from edu_platform.landing.entities import Delivery, Entity, JsonPage, Mode
from edu_platform.landing.page_rows import PageRows
from edu_platform.sources.json_records import Page, RecordShape, rows_from_pages

SHAPE = RecordShape(columns=("key", "name", "grade", "status", "count", "flag", "levels"),
                    key=("key",), containers=frozenset({"levels"}))
PLAIN = {"name": "ด.ญ. กมล", "grade": "ป.1", "status": "กำลังศึกษา"}
# Every way a record can land or be rejected, each once.
RECORDS: list[Any] = [
    {"key": "1", **PLAIN, "count": 3, "flag": True, "levels": ["p1", "p2"]},
    {"key": "2", **PLAIN, "count": -0.5, "flag": False, "levels": {"p": 1}},
    {"key": "3", "name": None, "grade": "ป. ๒", "status": "กำลังศึกษา", "levels": None},
    {"key": "4", **PLAIN, "grade": "  ป.3\u00a0"},  # accepted once its lookup key is made
    {"key": 5, **PLAIN, "extra": [1]},  # a number as key; a field no column holds
    "not a record",
    ["neither"],
    7,
    {**PLAIN},  # no key at all
    {"key": None, **PLAIN},
    {"key": " \t", **PLAIN},
    {"key": "", **PLAIN, "levels": 3},
    {"key": "8", **PLAIN, "levels": "ประถม"},  # a plain value where a list belongs
    {"key": "9", **PLAIN, "levels": 2.5},
    {"key": "10", **PLAIN, "levels": True},
    {"key": "11", **PLAIN, "name": ["a list"]},  # a list where a plain value belongs
    {"key": "12", **PLAIN, "count": {"an": "object"}},
    {"key": " 13 ", **PLAIN, "grade": "ป.9"},  # no crosswalk knows it
    {"key": "14", **PLAIN, "grade": "it's"},
    {"key": "15", **PLAIN, "grade": None},
    {"key": "16", **PLAIN, "status": "รอจำหน่าย"},
    {"key": "17", **PLAIN, "grade": "ป.9", "status": "รอจำหน่าย"},  # the first check decides
]


@pytest.fixture(scope="module")
def conn(runtime) -> Iterator[psycopg.Connection]:
    """A database of this module's own."""
    name = f"test_pages_{uuid.uuid4().hex[:10]}"
    admin = with_database(runtime.databases.warehouse_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(with_database(runtime.databases.warehouse_url, name)) as made:
            yield made
    finally:
        with psycopg.connect(admin, autocommit=True) as server:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


# Without list or object fields, plain records go by COPY: every kind of text it must carry.
PLAIN_SHAPE = RecordShape(columns=SHAPE.columns[:-1], key=SHAPE.key)
COPIED: list[Any] = [
    {"key": "c1", **PLAIN, "flag": True, "count": None},
    {"key": "c2", **PLAIN, "name": "tab\tline\nreturn\rslash\\ \"quoted\" 😀"},
    {"key": "c3", "grade": "ป.1", "status": "กำลังศึกษา", "name": "", "extra": {"x": 1}},
    {"key": "c4", **PLAIN, "name": "\\N"},  # COPY's null marker, as text
    {"key": "c5", **PLAIN, "name": "ไม่มี", "name ": "a look-alike field"},
]
LEFT: list[Any] = [  # loaded, but only the statement may judge them
    {"key": "ก1", **PLAIN},  # a key that does not start with printable ASCII
    {"key": "c6", **PLAIN, "grade": "ป. ๒"},  # a code that needs its lookup key
    {"key": "c7", **PLAIN, "count": 7},  # a number
]
PLAIN_RECORDS = [*COPIED, *LEFT, *(record for record in RECORDS
                                   if not isinstance(record, dict) or "levels" not in record)]


def entity(source: str, shape: RecordShape = SHAPE) -> Entity:
    return Entity(source, "learners", shape.columns, key_columns=shape.key,
                  checks=grade_and_status("OBEC", ("grade",)), containers=shape.containers)


def json_page(records: list[Any], locator: str = "1", ascii_only: bool = False) -> JsonPage:
    text = json.dumps(records, ensure_ascii=ascii_only).encode()
    return JsonPage(text, locator, hashlib.sha256(text).hexdigest())


def landed(conn: psycopg.Connection, source: str, shape: RecordShape = SHAPE
           ) -> tuple[list[tuple], list[tuple]]:
    """Raw rows (lists and objects as JSON values) and quarantine (raw content as JSON)."""
    made = entity(source, shape)
    rows = conn.execute(sql.SQL("SELECT {}, _locator FROM {} ORDER BY key").format(
        sql.SQL(", ").join(map(sql.Identifier, shape.columns)), made.table)).fetchall()
    if shape.containers:
        rows = [(*row[:-2], json.loads(row[-2]) if row[-2] else None, row[-1])
                for row in rows]
    rejected = conn.execute(
        "SELECT record_key, reason, detail, raw_content FROM raw.quarantine q "
        "JOIN raw.batches USING (batch_id) WHERE q.source = %s "
        "ORDER BY detail, record_key, raw_content",
        [source]).fetchall()
    return rows, [(*row[:3], json.loads(row[3])) for row in rejected]


def test_server_shaping_lands_what_python_shaping_lands(conn) -> None:
    by_python, by_server = f"py_{uuid.uuid4().hex[:8]}", f"sql_{uuid.uuid4().hex[:8]}"
    python_rows = rows_from_pages([Page(RECORDS, "1", "f" * 64)], SHAPE)
    expected = load_batch(conn, Delivery(entity(by_python), 2567, 1, "v1/learners"),
                          python_rows)
    result = load_batch(conn, Delivery(entity(by_server), 2567, 1, "v1/learners"),
                        [json_page(RECORDS)])
    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (
        expected.rows_received, expected.rows_loaded, expected.rows_quarantined)
    assert result.rows_loaded == 5 and result.rows_received == len(RECORDS)
    assert landed(conn, by_server) == landed(conn, by_python)


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf8", "escaped"])
def test_copied_records_land_what_python_shaping_lands(conn, ascii_only: bool) -> None:
    by_python, by_copy = f"py_{uuid.uuid4().hex[:8]}", f"copy_{uuid.uuid4().hex[:8]}"
    python_rows = rows_from_pages([Page(PLAIN_RECORDS, "1", "f" * 64)], PLAIN_SHAPE)
    expected = load_batch(conn, Delivery(entity(by_python, PLAIN_SHAPE), 2567, 1, "v1/l"),
                          python_rows)
    pages = [json_page(PLAIN_RECORDS[:4], "1", ascii_only),
             json_page(PLAIN_RECORDS[4:], "1", ascii_only)]
    result = load_batch(conn, Delivery(entity(by_copy, PLAIN_SHAPE), 2567, 1, "v1/l"), pages)
    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (
        expected.rows_received, expected.rows_loaded, expected.rows_quarantined)
    assert result.rows_loaded == len(COPIED) + len(LEFT) + 2
    assert landed(conn, by_copy, PLAIN_SHAPE) == landed(conn, by_python, PLAIN_SHAPE)
    extracted_at = conn.execute(sql.SQL("SELECT DISTINCT _extracted_at, _batch_id FROM {}").format(
        entity(by_copy, PLAIN_SHAPE).table)).fetchall()
    assert len(extracted_at) == 1  # one batch, one instant, by COPY and by statement alike


def test_only_plain_records_skip_the_statement() -> None:
    rows = PageRows(entity("split", PLAIN_SHAPE), (1, "split", 2567, 1, "v1/l"))
    split = rows.split(json_page([*COPIED, *LEFT]))
    assert split.row_count == len(COPIED) == split.rows.count("\n")
    assert split.left is not None and json.loads(split.left.records_json) == LEFT
    assert split.left.locator == "1"
    copied = [line.split("\t") for line in split.rows.splitlines()]
    assert [line[0] for line in copied] == [record["key"] for record in COPIED]
    assert copied[0][-2:] == ["1", json_page([*COPIED, *LEFT]).sha256]
    nul = json_page([{"key": "1", **PLAIN, "name": "\u0000"}])
    assert rows.split(nul).left == nul  # jsonb refuses it: the statement says so, as before
    assert rows.split(json_page(COPIED)).left is None


def test_pages_are_hashed_as_received(conn) -> None:
    made = entity(f"sql_{uuid.uuid4().hex[:8]}")
    delivery = Delivery(made, 2567, 1, "v1/learners", Mode.REPLACE)
    pages = [json_page(RECORDS[:3], "1"), json_page(RECORDS[3:], "2")]
    first = load_batch(conn, delivery, pages)
    assert first.status == "loaded"
    assert load_batch(conn, delivery, pages).status == "unchanged"
    corrected = [pages[0], json_page([*RECORDS[3:], {"key": "18", **PLAIN}], "2")]
    second = load_batch(conn, delivery, corrected)
    assert (second.status, second.rows_loaded) == ("replaced", first.rows_loaded + 1)
    assert landed(conn, made.source)[0][-1][-1] == "2"


def test_a_page_that_is_not_json_loads_nothing(conn) -> None:
    made = entity(f"sql_{uuid.uuid4().hex[:8]}")
    broken = JsonPage(b'[{"key": "1"', "2", "0" * 64)
    with pytest.raises(psycopg.DataError):
        load_batch(conn, Delivery(made, 2567, 1, "v1/learners"), [json_page(RECORDS), broken])
    assert conn.execute("SELECT count(*) FROM raw.batches WHERE source = %s",
                        [made.source]).fetchone()[0] == 0


def test_columns_named_in_thai_and_a_check_on_a_column_the_entity_lacks(conn) -> None:
    shape = RecordShape(columns=("key", "ชื่อ", "grade", "status"), key=("key",))
    checks = grade_and_status("OBEC", ("grade", "ระดับ"))  # the entity has no `ระดับ`
    records = [{"key": "1", "ชื่อ": "กมล", "grade": "ป.1", "status": "กำลังศึกษา"},
               {"key": "2", "ชื่อ": None, "grade": "ป.9", "status": "กำลังศึกษา"},
               {"key": "3", "grade": "ป.2", "status": "กำลังศึกษา", "ระดับ": "x"}]
    results = {}
    for source, items in ((f"py_{uuid.uuid4().hex[:8]}",
                           rows_from_pages([Page(records, "1", "f" * 64)], shape)),
                          (f"copy_{uuid.uuid4().hex[:8]}", [json_page(records)])):
        made = Entity(source, "learners", shape.columns, key_columns=shape.key, checks=checks)
        result = load_batch(conn, Delivery(made, 2567, 1, "v1/l"), items)
        rows = conn.execute(sql.SQL("SELECT key, {}, grade, status FROM {} ORDER BY key").format(
            sql.Identifier("ชื่อ"), made.table)).fetchall()
        results[source[:2]] = (result.rows_loaded, result.rows_quarantined, rows)
    assert results["co"] == results["py"] == (2, 1, [("1", "กมล", "ป.1", "กำลังศึกษา"),
                                                      ("3", None, "ป.2", "กำลังศึกษา")])
