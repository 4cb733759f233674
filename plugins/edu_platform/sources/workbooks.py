"""Reading xlsx workbooks as streams: cell text, merged ranges, document properties.

openpyxl's read-only mode streams rows but does not expose merged cells (the
`<mergeCells>` element sits after the sheet's data, and read-only worksheets
never parse it). Rather than loading a whole workbook in normal mode, the
merged ranges are read here straight from the sheet's XML part, streamed, so
memory stays flat.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

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


# A `<mergeCell ref="A5:A7"/>` tag (any namespace prefix). Found by scanning the
# inflated bytes: parsing every cell of the sheet as XML only to skip it cost more than
# reading the cells themselves (bench/, extraction of DLA).
MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([^"]+)"')
CHUNK_BYTES = 1 << 20


def _merge_refs(part: IO[bytes]) -> Iterator[str]:
    pending = b""
    while chunk := part.read(CHUNK_BYTES):
        data = pending + chunk
        # A tag that starts before the last `<` ends before it (`<` is escaped in values):
        # the bytes from there on wait for the next chunk.
        cut = data.rfind(b"<") if b"<" in data else len(data)
        yield from (match.group(1).decode() for match in MERGE_CELL.finditer(data, 0, cut))
        pending = data[cut:]
    yield from (match.group(1).decode() for match in MERGE_CELL.finditer(pending))


def merged_ranges(path: Path, sheet: ReadOnlyWorksheet, below_row: int = 0
                  ) -> list[MergedRange]:
    """The sheet's merged ranges that start below `below_row` (the data area)."""
    # The part name of a read-only sheet (openpyxl 3.1 keeps it on the worksheet).
    member = sheet._worksheet_path.lstrip("/")
    found: list[MergedRange] = []
    with zipfile.ZipFile(path) as archive, archive.open(member) as part:
        for ref in _merge_refs(part):
            merged = MergedRange(*range_boundaries(ref))  # type: ignore[arg-type]
            if merged.min_row > below_row:
                found.append(merged)
    return found


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


def numbered_rows(sheet: ReadOnlyWorksheet) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number, values) of every row from row 1 (openpyxl yields empty rows for gaps)."""
    for row_no, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        yield row_no, tuple(cells)
