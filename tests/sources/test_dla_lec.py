"""DLA LEC connector: generated workbooks and a hand-made one, against the real warehouse."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import psycopg
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from edu_platform.landing.entities import RawRow, Rejected
from edu_platform.sources.dla_lec import LEARNERS, STAFF, UNITS, LecWorkbook
from edu_platform.sources.workbooks import modified_at
from tests.sources.conftest import TEST_YEAR, clean_source, raw_state
from tests.sources.file_drop import (
    RECORD_REASONS,
    as_test_year,
    copy_tree,
    ledger,
    ledger_timestamps,
    reconciled,
    rejected_files,
    run,
    source_timestamps,
    statuses_by_container,
    use_drop,
    whole_file_rejections,
)

SOURCE = "dla_lec"
ENTITIES = ("units", "learners", "staff")


@pytest.fixture(autouse=True)
def clean(warehouse: psycopg.Connection) -> None:
    clean_source(warehouse, SOURCE)


@pytest.fixture
def broken(generated: Path) -> dict[int, dict[str, str]]:
    """The generated broken workbook of each term (a bad file in term 1, a renamed sheet in 2)."""
    return {int(row["term"]): row for row in rejected_files(generated, "DLA")}


@pytest.fixture
def drop(generated: Path, tmp_path: Path, broken, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "drop"
    for term, row in broken.items():
        copy_tree(generated / "drop" / "lec" / f"{row['academic_year']}-{term}",
                  root / "lec" / f"{TEST_YEAR}-{term}")
    use_drop(monkeypatch, root)
    return root


def loaded_keys(conn: psycopg.Connection, entity: str, key: str, term: int) -> set[str]:
    rows = conn.execute(f"SELECT lao_code || '|' || btrim(unit_code) || '|' || {key} "
                        f"FROM raw.{SOURCE}__{entity} WHERE _academic_year = %s AND _term = %s",
                        [TEST_YEAR, term]).fetchall()
    return {row[0] for row in rows}


def record_rejections(conn: psycopg.Connection, term: int) -> set[tuple[str, str]]:
    return {tuple(row) for row in conn.execute(
        "SELECT record_key, reason FROM raw.quarantine WHERE source = %s AND academic_year = %s "
        "AND term = %s AND record_key <> container", [SOURCE, TEST_YEAR, term]).fetchall()}


def matches_ledger(conn: psycopg.Connection, sim: Path, year: int, term: int,
                   bad: str | None) -> None:
    """The term's records: loaded or quarantined exactly as the ledger says (bar `bad`)."""
    learners = [r for r in ledger(sim, "learner", "DLA", year, term) if r["container"] != bad]
    staff = [r for r in ledger(sim, "teacher", "DLA", year, term) if r["container"] != bad]
    assert record_rejections(conn, term) == {
        (r["record_key"], r["quarantine_reason"]) for r in learners
        if r["quarantine_reason"] in RECORD_REASONS}
    # Every other record loads, keyed lao|unit|ลำดับ (merged unit codes filled in);
    # a grade or status no crosswalk knows is quarantined with its reason.
    assert loaded_keys(conn, "learners", "seq", term) == {
        r["record_key"] for r in learners if r["readable"]}
    assert loaded_keys(conn, "staff", "row_no", term) == {r["record_key"] for r in staff}
    stamps = source_timestamps(conn, SOURCE)  # the workbook's last-saved time
    for container, stamp in ledger_timestamps(learners, year).items():
        assert stamps[container] == stamp


def test_every_record_loads_or_is_quarantined_as_the_ledger_says(
        runtime, warehouse, generated, broken, drop) -> None:
    summaries = {term: run(runtime, SOURCE, term) for term in broken}
    for summary in summaries.values():
        reconciled(warehouse, summary)

    learners_rejected = whole_file_rejections(warehouse, SOURCE, ["learners"])
    assert learners_rejected == {
        (as_test_year(row["container"], int(row["academic_year"])), row["quarantine_reason"],
         int(row["declared_rows"])) for row in broken.values()}
    # The workbook is quarantined whole: its other sheets too.
    assert {(c, r) for c, r, _ in whole_file_rejections(warehouse, SOURCE, ENTITIES)} == {
        (c, r) for c, r, _ in learners_rejected}
    for term, row in broken.items():
        matches_ledger(warehouse, generated, int(row["academic_year"]), term, row["container"])


def test_merged_unit_codes_fill_every_row_they_span(
        runtime, warehouse, generated, tmp_path, monkeypatch) -> None:
    records = pq.read_table(generated / "ledger" / "learner_records.parquet").to_pylist()
    year, term = next((r["academic_year"], r["term"]) for r in records
                      if r["source"] == "DLA" and "merged_cell" in r["defects"])
    root = tmp_path / "drop"
    copy_tree(generated / "drop" / "lec" / f"{year}-{term}", root / "lec" / f"{TEST_YEAR}-{term}")
    use_drop(monkeypatch, root)
    reconciled(warehouse, run(runtime, SOURCE, term))
    bad = {row["container"] for row in rejected_files(generated, "DLA")}
    matches_ledger(warehouse, generated, year, term, next(iter(bad & {
        r["container"] for r in records if (r["academic_year"], r["term"]) == (year, term)}),
        None))


def test_running_twice_changes_nothing(runtime, warehouse, broken, drop) -> None:
    for term in broken:
        run(runtime, SOURCE, term)
    before = raw_state(warehouse, SOURCE)
    again = [run(runtime, SOURCE, term) for term in broken]
    assert {batch.status for summary in again for batch in summary.batches} == {"unchanged"}
    assert raw_state(warehouse, SOURCE) == before


def test_corrected_workbook_replaces_its_batches(runtime, warehouse, broken, drop) -> None:
    run(runtime, SOURCE, 1)
    path = next(p for p in sorted((drop / "lec" / f"{TEST_YEAR}-1").glob("*.xlsx"))
                if p.name not in broken[1]["container"])
    book = load_workbook(path)
    sheet = book[LEARNERS.sheet]
    sheet.cell(row=4, column=8).value = "ป.6"
    book.save(path)
    summary = run(runtime, SOURCE, 1)
    container = path.relative_to(drop).as_posix()
    statuses = statuses_by_container(summary)
    assert {statuses[(entity, container)] for entity in ENTITIES} == {"replaced"}
    grade = warehouse.execute(f"SELECT grade FROM raw.{SOURCE}__learners WHERE _container = %s "
                              "AND row_no = '4'", [container]).fetchone()[0]
    assert grade == "ป.6"
    assert warehouse.execute("SELECT count(*) FROM raw.batches WHERE source = %s AND "
                             "container = %s", [SOURCE, container]).fetchone()[0] == 3


# A hand-made workbook: every layout case of the spec, read without the warehouse.

def _learner_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(LEARNERS.sheet)
    sheet.append(["ข้อมูลนักเรียน ภาคเรียนที่ 1/2567 เทศบาลทดสอบ"])
    sheet.merge_cells("A1:I1")
    sheet.append(["ลำดับ", "รหัสสถานศึกษา", "เลขประจำตัวประชาชน", "ข้อมูลนักเรียน", None, None,
                  None, "ชั้น", "สถานะ"])
    sheet.append([None, None, None, "ชื่อ-สกุล", "เพศ", "วันเกิด", "อายุ (ปี)", None, None])
    for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:G2", "H2:H3", "I2:I3"):
        sheet.merge_cells(cells)
    sheet.append([1, "1234567001", "1100000000001", "ด.ช.หนึ่ง ทดสอบ", "ช",
                  datetime(2560, 5, 12), 7, "ป. 1", "กำลังศึกษา"])  # a B.E. year in a date
    sheet.append([2, None, "1100000000002", "ด.ญ.สอง ทดสอบ ", None, "๑๒/๐๕/๒๕๖๐", 7, "ป.1",
                  "กำลังศึกษา"])
    sheet.append([None] * 9)  # a blank row inside the merged range stays blank
    sheet.append([3, None, None, "สาม ทดสอบ", "ญ", "12/05/2560", 7, "ป.1", "ย้ายออก"])
    sheet.merge_cells("B4:B7")  # the unit code typed once over three learners
    sheet.append([4, None, "1100000000004", "ด.ช.สี่ ทดสอบ", "ช", None, 8, "ป.2", "กำลังศึกษา"])
    sheet.append(["รวม", 4])


def _workbook(path: Path, learner_sheet: str = LEARNERS.sheet) -> Path:
    book = Workbook()
    units = book.active
    units.title = UNITS.sheet
    units.append(["รหัสสถานศึกษา", "ชื่อสถานศึกษา", "ประเภท", "รหัสตำบล"])
    units.append(["1234567001", "โรงเรียนทดสอบ", "โรงเรียน", "210101"])
    _learner_sheet(book)
    book[LEARNERS.sheet].title = learner_sheet
    staff = book.create_sheet(STAFF.sheet)
    staff.append(["เลขประจำตัวประชาชน", "เพศ", "ตำแหน่ง", "วุฒิ", "ใบอนุญาต", "ระดับที่สอน",
                  "รหัสสถานศึกษา"])
    staff.append(["3100000000001", "ญ", "ครู", "ปริญญาตรี", "มี", "ประถม", "1234567001"])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _read(root: Path, path: Path) -> dict[str, list[RawRow | Rejected]]:
    book = LecWorkbook(root, path)
    return {layout.entity.name: list(book.items(layout)) for layout in (UNITS, LEARNERS, STAFF)}


def test_hand_made_workbook_reads_every_layout_case(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "lec" / "2567-1" / "1234567.xlsx")
    items = _read(tmp_path, path)
    learners = items["learners"]
    assert [item.locator for item in learners[:3]] == ["row 4", "row 5", "row 7"]
    assert learners[0].values == ("1234567", "4", "1", "1234567001", "1100000000001",
                                  "ด.ช.หนึ่ง ทดสอบ", "ช", "2560-05-12", "7", "ป. 1",
                                  "กำลังศึกษา")
    assert [item.values[3] for item in learners[:3]] == ["1234567001"] * 3  # merged range
    assert learners[1].values[5:8] == ("ด.ญ.สอง ทดสอบ ", None, "๑๒/๐๕/๒๕๖๐")  # as delivered
    missing = learners[3]
    assert isinstance(missing, Rejected)
    assert (missing.record_key, missing.reason, missing.detail) == (
        "1234567||4", "missing_key", "row 8: blank unit_code")
    assert [item.values for item in items["units"]] == [
        ("1234567", "2", "1234567001", "โรงเรียนทดสอบ", "โรงเรียน", "210101")]
    assert items["staff"][0].values[-1] == "1234567001"
    # openpyxl stamps the save time; the raw text of dcterms:modified is kept (UTC).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified_at(path) or "")


def test_broken_and_renamed_workbooks_are_rejected_whole(tmp_path: Path) -> None:
    renamed = _workbook(tmp_path / "lec" / "2567-1" / "1234568.xlsx", learner_sheet="Sheet1")
    items = _read(tmp_path, renamed)
    assert {name: [(i.reason, i.rows) for i in got] for name, got in items.items()} == {
        "units": [("renamed_sheet", 1)], "learners": [("renamed_sheet", 4)],
        "staff": [("renamed_sheet", 1)]}
    bad = tmp_path / "lec" / "2567-1" / "1234569.xlsx"
    bad.write_bytes(renamed.read_bytes()[:2000])
    items = _read(tmp_path, bad)
    assert {name: [(i.reason, i.rows) for i in got] for name, got in items.items()} == {
        name: [("bad_workbook", 1)] for name in ENTITIES}
    assert modified_at(bad) is None
