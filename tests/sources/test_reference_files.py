"""DOPA population and PEO register connectors: generated files, the real warehouse.

Both are year-less (academic year and term None): `clean_source` forgets their
rows before each test.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import psycopg
import pytest

from tests.sources.conftest import clean_source, raw_state
from tests.sources.file_drop import reconciled, run, statuses_by_container, use_drop

DOPA, PEO = "dopa_population", "peo_registry"


@pytest.fixture(autouse=True)
def clean(warehouse: psycopg.Connection) -> None:
    for source in (DOPA, PEO):
        clean_source(warehouse, source)


@pytest.fixture
def drop(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "drop"
    for folder in ("dopa", "registry"):
        shutil.copytree(generated / "drop" / folder, root / folder)
    use_drop(monkeypatch, root)
    return root


def data_rows(path: Path, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return [row for row in csv.reader(handle) if row][1:]


def loaded(conn: psycopg.Connection, table: str, columns: str) -> list[tuple]:
    return conn.execute(f"SELECT {columns} FROM raw.{table} WHERE _academic_year IS NULL "
                        "ORDER BY _container, line_no::int").fetchall()


def test_population_files_load_as_delivered(runtime, warehouse, drop) -> None:
    files = sorted((drop / "dopa").glob("population_*.csv"))
    with open(files[-1], "a", encoding="utf-8", newline="") as handle:  # big counts are quoted
        handle.write('9999,ทดสอบ,100 ปีขึ้นไป,"1,234","1,000","2,234"\r\n')
    summary = run(runtime, DOPA, 1)
    reconciled(warehouse, summary)
    assert [b.container for b in summary.batches] == [f"dopa/{p.name}" for p in files]
    expected = [(*row, path.stem.split("_")[1]) for path in files
                for row in data_rows(path, "utf-8-sig")]
    rows = loaded(warehouse, "dopa_population__population",
                  "district_code, district_name, age, male, female, total, ce_year")
    assert rows == expected
    assert any(row[2] == "100 ปีขึ้นไป" for row in rows)  # parsed by dbt, not here
    assert rows[-1][3:6] == ("1,234", "1,000", "2,234")  # thousands separators kept


def test_register_loads_and_a_new_version_replaces_it(runtime, warehouse, drop) -> None:
    first = run(runtime, PEO, 1)
    reconciled(warehouse, first)
    path = drop / "registry" / "units.csv"
    columns = "unit_id, affiliation, source_code, name_th, unit_type, tambon_code, " \
              "opened_on, closed_on"
    assert loaded(warehouse, "peo_registry__units", columns) == [
        tuple(row) for row in data_rows(path, "utf-8")]
    before = raw_state(warehouse, PEO)
    assert {b.status for b in run(runtime, PEO, 2).batches} == {"unchanged"}
    assert raw_state(warehouse, PEO) == before

    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # a unit struck off the register
    replaced = run(runtime, PEO, 1)
    assert statuses_by_container(replaced) == {("units", "registry/units.csv"): "replaced"}
    assert len(loaded(warehouse, "peo_registry__units", "unit_id")) == len(lines) - 2


def test_a_population_file_in_another_encoding_is_quarantined_alone(
        runtime, warehouse, drop) -> None:
    broken = sorted((drop / "dopa").glob("population_*.csv"))[0]
    broken.write_bytes(broken.read_text(encoding="utf-8-sig").encode("utf-16"))
    summary = run(runtime, DOPA, 1)
    reconciled(warehouse, summary)
    by_container = {b.container: b for b in summary.batches}
    bad = by_container.pop(f"dopa/{broken.name}")
    assert (bad.rows_loaded, bad.rows_quarantined) == (0, 1)  # no manifest: one row for the file
    assert all(b.rows_loaded > 0 and b.rows_quarantined == 0 for b in by_container.values())
    reason = warehouse.execute("SELECT reason FROM raw.quarantine WHERE batch_id = %s",
                               [bad.batch_id]).fetchone()[0]
    assert reason == "bad_encoding"
