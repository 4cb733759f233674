"""Reading xlsx workbooks: cell values, merged ranges, document properties.

Sheets are read with python-calamine (Rust): a sheet's cells come back as one
list, about 25 times faster than openpyxl's read-only stream, which parsed every
cell through Python (bench/, extraction of DLA). A sheet is held whole while it
is read; a workbook is one authority's term, so memory stays small.
calamine gives an empty cell as "" and an error value (#N/A) as ""; both are
read as no value, as a clerk's blank cell is.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from xml.etree.ElementTree import iterparse

from python_calamine import CalamineSheet

CORE_PROPERTIES = "docProps/core.xml"
DCTERMS_MODIFIED = "{http://purl.org/dc/terms/}modified"


def cell_text(value: object) -> str | None:
    """A cell as text, as delivered. Dates become ISO text exactly as the cell holds them
    (a B.E. year typed into a date stays 25xx: dbt staging corrects it, with text dates)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a double: 12.0 was typed 12
    return str(value)


def is_blank(cells: tuple[object, ...]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def modified_at(path: Path) -> str | None:
    """The workbook's last-saved time (`dcterms:modified`, UTC in OOXML), or None."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(CORE_PROPERTIES) as part:
            for _event, element in iterparse(part):
                if element.tag == DCTERMS_MODIFIED and element.text:
                    return element.text.strip()
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError):
        return None  # a broken workbook is reported by the check, not here
    return None


@dataclass
class MergedRange:
    min_col: int
    min_row: int
    max_col: int
    max_row: int
    value: object = field(default=None)

    def covers_row(self, row: int) -> bool:
        return self.min_row <= row <= self.max_row


def merged_ranges(sheet: CalamineSheet, below_row: int = 0) -> list[MergedRange]:
    """The sheet's merged ranges that start below `below_row` (the data area)."""
    # calamine gives ((first row, first column), (last row, last column)), 0-based
    return [MergedRange(first[1] + 1, first[0] + 1, last[1] + 1, last[0] + 1)
            for first, last in sheet.merged_cell_ranges or ()
            if first[0] + 1 > below_row]


def fill_merged(row_no: int, cells: list[object], merges: list[MergedRange]) -> None:
    """Give a merged range's value (its top-left cell) to every cell it spans, in place."""
    for merged in merges:
        if not merged.covers_row(row_no):
            continue
        if row_no == merged.min_row:
            merged.value = cells[merged.min_col - 1] if merged.min_col <= len(cells) else None
        for col in range(merged.min_col, min(merged.max_col, len(cells)) + 1):
            if (row_no, col) != (merged.min_row, merged.min_col):
                cells[col - 1] = merged.value


def numbered_rows(sheet: CalamineSheet) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number, values) of every row from row 1, empty cells as None."""
    for row_no, cells in enumerate(sheet.to_python(skip_empty_area=False), start=1):
        yield row_no, tuple(None if cell == "" else cell for cell in cells)
