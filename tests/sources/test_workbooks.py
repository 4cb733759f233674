"""Sheets read with calamine: positions from A1, blanks as None, merged ranges 1-based."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from edu_platform.sources.workbooks import cell_text, merged_ranges, numbered_rows

SHEET_PART = "xl/worksheets/sheet1.xml"


def _saved(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "s"
    sheet["C3"] = "title"
    sheet["C4"], sheet["D4"] = 12, datetime(2560, 5, 12)
    sheet["C5"] = "merged"
    sheet.merge_cells("C5:D6")
    sheet.merge_cells("A1:B2")  # above the data area
    book.save(path)
    return path


def _prefixed(source: Path, target: Path) -> Path:
    """The same workbook with its sheet's tags written as `x:tag` (some generators do)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for member in original.infolist():
            data = original.read(member.filename)
            if member.filename == SHEET_PART:
                text = re.sub(r"<(/?)([A-Za-z])", r"<\1x:\2", data.decode())
                data = text.replace("<x:worksheet xmlns=", "<x:worksheet xmlns:x=").encode()
            copy.writestr(member, data)
    return target


def _sheet_contents(path: Path) -> tuple[list[tuple[int, tuple[object, ...]]], list[tuple]]:
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_name("s")
    merges = [(m.min_col, m.min_row, m.max_col, m.max_row) for m in merged_ranges(sheet, 2)]
    return list(numbered_rows(sheet)), merges


def test_rows_start_at_a1_with_blanks_as_none_and_merges_below_the_header(tmp_path) -> None:
    rows, merges = _sheet_contents(_saved(tmp_path / "book.xlsx"))
    assert [row_no for row_no, _ in rows] == [1, 2, 3, 4, 5]
    assert rows[2][1] == (None, None, "title", None)
    assert [cell_text(cell) for cell in rows[3][1]] == [None, None, "12", "2560-05-12"]
    assert merges == [(3, 5, 4, 6)]  # A1:B2 starts above row 2: not in the data area


def test_a_sheet_written_with_a_namespace_prefix_reads_the_same(tmp_path) -> None:
    plain = _saved(tmp_path / "book.xlsx")
    assert _sheet_contents(_prefixed(plain, tmp_path / "prefixed.xlsx")) == _sheet_contents(plain)
