"""Build a workbook with openpyxl from plain rows, with fixed timestamps.

Kept apart from the DLA writer so that the slow XML serialisation can run in a
worker process while the main process generates the other sources.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from .common import FixedTimeZip

FIXED_CREATED = datetime(2020, 1, 1)


@dataclass
class SheetSpec:
    title: str
    rows: list[list]
    merges: list[str] = field(default_factory=list)


@dataclass
class BookSpec:
    path: Path
    sheets: list[SheetSpec]
    modified: datetime
    truncate: bool = False  # a broken upload: only the first half of the bytes


def build_xlsx(spec: BookSpec) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in spec.sheets:
        ws = wb.create_sheet(sheet.title)
        for row, values in enumerate(sheet.rows, start=1):
            ws.append(values)
            for col, value in enumerate(values, start=1):
                if isinstance(value, str) and value[:1] == "=":
                    ws.cell(row, col).data_type = "s"  # typed text that looks like a formula
                elif isinstance(value, date):
                    ws.cell(row, col).number_format = "dd/mm/yyyy"
        for ref in sheet.merges:
            ws.merge_cells(ref)
    # openpyxl's save() stamps the wall clock into the properties and the zip.
    wb.properties.modified = spec.modified
    wb.properties.created = FIXED_CREATED
    wb.properties.creator = "LEC"
    buf = io.BytesIO()
    archive = FixedTimeZip(buf, "w")
    ExcelWriter(wb, archive).save()
    data = buf.getvalue()
    return data[: len(data) // 2] if spec.truncate else data


def write_xlsx(spec: BookSpec) -> None:
    spec.path.parent.mkdir(parents=True, exist_ok=True)
    spec.path.write_bytes(build_xlsx(spec))
