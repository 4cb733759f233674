"""OPEC PSIS connector: generated CSV drops and hand-made files, against the real warehouse."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import psycopg
import pytest

from edu_platform.sources.base import SourceError
from edu_platform.sources.opec_psis import STUDENT_COLUMNS
from edu_platform.sources.text_files import CsvFile, EncodingProblem, csv_items, detect_encoding
from tests.sources.conftest import TEST_YEAR, clean_source, raw_state
from tests.sources.file_drop import (
    FILE_REASONS,
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

SOURCE = "opec_psis"
ENTITIES = ("schools", "students", "teachers")


@pytest.fixture(autouse=True)
def clean(warehouse: psycopg.Connection) -> None:
    clean_source(warehouse, SOURCE)


@pytest.fixture
def year(generated: Path) -> int:
    """A generated year whose term 2 has every kind of broken file."""
    return int(rejected_files(generated, "OPEC")[0]["academic_year"])


@pytest.fixture
def drop(generated: Path, tmp_path: Path, year: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "drop"
    for term in (1, 2):
        copy_tree(generated / "drop" / "psis" / str(year) / str(term),
                  root / "psis" / str(TEST_YEAR) / str(term))
    use_drop(monkeypatch, root)
    return root


def loaded_keys(conn: psycopg.Connection, entity: str, term: int) -> set[str]:
    rows = conn.execute(f"SELECT file_school_code || '|' || line_no FROM raw.{SOURCE}__{entity} "
                        "WHERE _academic_year = %s AND _term = %s", [TEST_YEAR, term]).fetchall()
    return {row[0] for row in rows}


def test_every_record_loads_or_is_quarantined_as_the_ledger_says(
        runtime, warehouse, generated, drop, year) -> None:
    summaries = {term: run(runtime, SOURCE, term) for term in (1, 2)}
    for summary in summaries.values():
        reconciled(warehouse, summary)
        assert summary.rows_received == summary.rows_loaded + summary.rows_quarantined

    expected = {(as_test_year(row["container"], year), row["quarantine_reason"],
                 int(row["declared_rows"]))
                for row in rejected_files(generated, "OPEC") if int(row["academic_year"]) == year}
    assert whole_file_rejections(warehouse, SOURCE, ENTITIES) == expected
    assert {reason for _, reason, _ in expected} == {
        "manifest_rows_mismatch", "manifest_sha256_mismatch", "bad_encoding", "schema_drift"}
    rejected = {container for container, _, _ in expected}
    for term in (1, 2):
        for kind, entity in (("learner", "students"), ("teacher", "teachers")):
            records = ledger(generated, kind, "OPEC", year, term)
            unreadable = {as_test_year(r["container"], year) for r in records
                          if r["quarantine_reason"] in FILE_REASONS}
            assert unreadable <= rejected
            # Record keys (school code | physical line) of every readable file, re-read exactly.
            assert loaded_keys(warehouse, entity, term) == {
                r["record_key"] for r in records
                if as_test_year(r["container"], year) not in rejected}
            if kind == "learner":  # the time of every record is its file's exported_at
                stamps = source_timestamps(warehouse, SOURCE)
                for container, stamp in ledger_timestamps(records, year).items():
                    assert stamps[container] == stamp


def test_values_are_kept_as_delivered(runtime, warehouse, drop) -> None:
    run(runtime, SOURCE, 1)
    source = next((drop / "psis" / str(TEST_YEAR) / "1").glob("students_*.csv"))
    with open(source, encoding=detect_encoding(source), newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        first = next(cells for cells in reader if cells)
        line = str(reader.line_num)
    row = warehouse.execute(
        f"SELECT {', '.join(STUDENT_COLUMNS.values())}, line_no, _locator, _content_sha256 "
        f"FROM raw.{SOURCE}__students WHERE _container = %s ORDER BY line_no::int LIMIT 1",
        [source.relative_to(drop).as_posix()]).fetchone()
    assert list(row[:-3]) == first
    assert row[-3:] == (line, f"line {line}", hashlib.sha256(source.read_bytes()).hexdigest())
    timestamp = warehouse.execute(
        "SELECT source_timestamp FROM raw.batches WHERE source = %s AND container = %s",
        [SOURCE, source.relative_to(drop).as_posix()]).fetchone()[0]
    assert timestamp is not None


def test_no_manifest_loads_nothing_or_fails_when_required(runtime, warehouse, drop) -> None:
    (drop / "psis" / str(TEST_YEAR) / "1" / "_MANIFEST.csv").unlink()
    assert run(runtime, SOURCE, 1).batches == []
    with pytest.raises(SourceError, match="manifest not yet delivered"):
        run(runtime, SOURCE, 1, require_manifest=True)
    assert warehouse.execute("SELECT count(*) FROM raw.batches WHERE source = %s AND "
                             "academic_year = %s", [SOURCE, TEST_YEAR]).fetchone()[0] == 0


def test_running_twice_changes_nothing(runtime, warehouse, drop) -> None:
    for term in (1, 2):
        run(runtime, SOURCE, term)
    before = raw_state(warehouse, SOURCE)
    # The same file delivered again, in a new export: same content, so nothing loads.
    folder = drop / "psis" / str(TEST_YEAR) / "1"
    path = next(folder.glob("students_*.csv"))
    path.write_bytes(path.read_bytes())
    _rewrite_manifest(folder, path.name, exported_at="2099-01-01T00:00:00+07:00")
    again = [run(runtime, SOURCE, term) for term in (1, 2)]
    assert {batch.status for summary in again for batch in summary.batches} == {"unchanged"}
    assert raw_state(warehouse, SOURCE) == before


def _rewrite_manifest(folder: Path, name: str, **changes: str) -> None:
    manifest = folder / "_MANIFEST.csv"
    with open(manifest, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["file"] == name:
            row.update(changes)
    with open(manifest, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def test_corrected_file_replaces_its_batch(runtime, warehouse, generated, drop, year) -> None:
    run(runtime, SOURCE, 2)
    sha_broken = next(row for row in rejected_files(generated, "OPEC")
                      if int(row["academic_year"]) == year
                      and row["quarantine_reason"] == "manifest_sha256_mismatch")
    container = as_test_year(sha_broken["container"], year)
    path = drop / container
    # PSIS re-exports the file with its manifest entry corrected.
    _rewrite_manifest(path.parent, path.name,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    summary = run(runtime, SOURCE, 2)
    statuses = statuses_by_container(summary)
    entity = path.name.split("_")[0]
    assert statuses[(entity, container)] == "replaced"
    assert {status for key, status in statuses.items() if key[1] != container} == {"unchanged"}
    assert warehouse.execute("SELECT count(*) FROM raw.quarantine WHERE source = %s AND "
                             "container = %s", [SOURCE, container]).fetchone()[0] == 0
    assert warehouse.execute(
        f"SELECT count(*) FROM raw.{SOURCE}__{entity} WHERE _container = %s",
        [container]).fetchone()[0] == int(sha_broken["declared_rows"])
    assert warehouse.execute("SELECT count(*) FROM raw.batches WHERE source = %s AND "
                             "container = %s", [SOURCE, container]).fetchone()[0] == 1


# Hand-made files: each encoding and layout case on its own, without the warehouse.

HEADER = list(STUDENT_COLUMNS)
ROW = ["1 2101 00000 00 1", "ด.ช.", "สมชาย", "ใจดี ", "ชาย", "๑๒/๐๕/๒๕๖๐",
       "ประถมศึกษาปีที่ 1", "1", "ไทย", "กำลังศึกษา", "ไม่ใช่", "2021010001"]


def _csv_text(header: list[str], rows: list[list[str]], blank_after: int | None = None) -> str:
    lines = [",".join(header)]
    for i, row in enumerate(rows):
        lines.append(",".join(row))
        if i == blank_after:
            lines.append("")
    return "\r\n".join(lines) + "\r\n"


def _items(path: Path, rows: int | None = None, sha: str | None = None) -> list:
    file = CsvFile(path, path.name, STUDENT_COLUMNS, ("2021010001",), rows, sha)
    return list(csv_items(file, hashlib.sha256(path.read_bytes()).hexdigest()))


@pytest.mark.parametrize("encoding", ["cp874", "utf-8-sig", "utf-8"])
def test_tis620_and_utf8_files_read_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "students.csv"
    path.write_bytes(_csv_text(HEADER, [ROW, ROW], blank_after=0).encode(encoding))
    items = _items(path, rows=2)
    assert [item.values for item in items] == [(*ROW, "2021010001", "2"),
                                               (*ROW, "2021010001", "4")]
    assert [item.locator for item in items] == ["line 2", "line 4"]  # the blank line 3 is skipped


@pytest.mark.parametrize(("data", "problem"), [
    (_csv_text(HEADER, [ROW]).encode("utf-16"), "UTF-16"),
    (_csv_text(HEADER, [ROW]).encode("cp874").replace(b"\r\n", b"\x00\r\n", 1), "NUL"),
    (_csv_text(HEADER, [ROW]).encode("cp874") + b"\xfc", "not cp874"),
])
def test_other_encodings_reject_the_file_whole(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "students.csv"
    path.write_bytes(data)
    with pytest.raises(EncodingProblem, match=problem):
        detect_encoding(path)
    [item] = _items(path, rows=7)
    assert (item.reason, item.rows, item.record_key) == ("bad_encoding", 7, "students.csv")


def test_drift_cut_short_and_sha_mismatch_are_named(tmp_path: Path) -> None:
    path = tmp_path / "students.csv"
    path.write_bytes(_csv_text([*HEADER, "หมายเหตุ"], [[*ROW, ""]]).encode("cp874"))
    [drift] = _items(path, rows=1)
    assert (drift.reason, drift.detail) == ("schema_drift", "extra columns: หมายเหตุ")
    path.write_bytes(_csv_text(HEADER, [ROW]).encode("cp874"))
    [short] = _items(path, rows=3)
    assert (short.reason, short.rows) == ("manifest_rows_mismatch", 3)
    [mismatch] = _items(path, rows=1, sha="0" * 64)
    assert (mismatch.reason, mismatch.rows) == ("manifest_sha256_mismatch", 1)
