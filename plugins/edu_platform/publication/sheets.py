"""Bilingual tables in XLSX worksheets, every text cell neutralized against formula injection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from edu_platform.publication.labels import Column, Label
from edu_platform.publication.neutralize import neutralize

HEADING = Font(bold=True)
TITLE = Font(bold=True, size=13)
WIDEST_COLUMN = 60


def cell_value(value: object) -> object:
    """What a worksheet cell holds: numbers as numbers, text neutralized and XML-safe."""
    if isinstance(value, str):
        # Control characters cannot be stored in the XML of a workbook; source text may hold them.
        return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def append_title(sheet: Worksheet, title: Label) -> None:
    sheet.append([cell_value(title.th), cell_value(title.en)])
    for cell in sheet[sheet.max_row]:
        cell.font = TITLE


def append_table(sheet: Worksheet, columns: Sequence[Column],
                 rows: Iterable[Mapping[str, object]]) -> None:
    """Two heading rows (English, then Thai) and the rows below them."""
    sheet.append([column.en for column in columns])
    sheet.append([column.th for column in columns])
    for heading_row in (sheet.max_row - 1, sheet.max_row):
        for cell in sheet[heading_row]:
            cell.font = HEADING
    for row in rows:
        sheet.append([cell_value(row[column.key]) for column in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        width = max(len(column.en), len(column.th), 8) + 2
        current = sheet.column_dimensions[letter].width or 0
        sheet.column_dimensions[letter].width = min(max(width, current), WIDEST_COLUMN)


def write_table_sheet(sheet: Worksheet, columns: Sequence[Column],
                      rows: Iterable[Mapping[str, object]]) -> None:
    """A sheet that is one table: headings frozen, a filter on the columns."""
    append_table(sheet, columns, rows)
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{sheet.max_row}"
