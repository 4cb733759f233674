"""DLA LEC: one hand-filled xlsx workbook per local authority (อปท.) and term.

Layout (shared/sources/dla-lec.md): `<drop>/lec/<year B.E.>-<term>/<lao_code>.xlsx`
with three sheets, each one entity. Raw columns (header -> raw column; values as
delivered, as text) after `lao_code` (from the file name) and `row_no` (the
sheet row, 1-based):

- `dla_lec__units` (ข้อมูลสถานศึกษา): รหัสสถานศึกษา unit_code, ชื่อสถานศึกษา unit_name,
  ประเภท unit_type, รหัสตำบล tambon_code. Key: lao_code, unit_code.
- `dla_lec__learners` (นักเรียน; a title row, then a two-row merged header that
  is flattened to its lower cells): ลำดับ seq, รหัสสถานศึกษา unit_code,
  เลขประจำตัวประชาชน citizen_id, ชื่อ-สกุล full_name, เพศ sex, วันเกิด birth_date,
  อายุ (ปี) age_years, ชั้น grade, สถานะ status. Key: lao_code, unit_code, seq.
- `dla_lec__staff` (บุคลากร): เลขประจำตัวประชาชน citizen_id, เพศ sex, ตำแหน่ง position,
  วุฒิ degree, ใบอนุญาต licensed, ระดับที่สอน levels_taught, รหัสสถานศึกษา unit_code.
  Key: lao_code, unit_code, row_no (the sheet has no ลำดับ).

Reading: python-calamine (see `workbooks.py`), each workbook once: the check
that decides whether its sheets can be loaded reads their records, which are
kept until the workbook's three batches are loaded (a workbook is one
authority's term: small). A merged range in the data area gives its value to
every row it spans. Blank rows and total rows
(`รวม` in the first column) are not records.
Excel dates become ISO text of the date the cell holds: a B.E. year typed into a
date cell stays as typed (`2560-05-12`), exactly like the text dates
(`12/05/2560`, Thai digits) of other cells; dbt staging applies the one rule
(year >= 2400 -> minus 543) to both. Nothing is trimmed.

One batch per workbook and entity: container = the path relative to the drop
folder, mode REPLACE, content hash = the workbook's sha256 (the same workbook
never loads twice; a corrected one replaces all three batches), source timestamp
= the workbook's `dcterms:modified`. A workbook that is not a valid xlsx
(`bad_workbook`) or lacks one of the three sheets (`renamed_sheet`) is
quarantined whole: each entity batch gets one rejection counting the data rows
it could read, else 1. A sheet whose header drifted is rejected alone
(`schema_drift`). A record with a blank key field goes to quarantine
(`missing_key`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook

from edu_platform.landing.code_checks import CodeCheck, grade_and_status
from edu_platform.landing.entities import Delivery, Entity, Mode, RawRow, Rejected
from edu_platform.sources.base import Batch, ExtractContext
from edu_platform.sources.text_files import (
    SCHEMA_DRIFT,
    drop_dir,
    file_sha256,
    header_drift,
    normalise_header,
)
from edu_platform.sources.workbooks import (
    cell_text,
    fill_merged,
    is_blank,
    merged_ranges,
    modified_at,
    numbered_rows,
)

log = logging.getLogger(__name__)

SOURCE = "dla_lec"
BAD_WORKBOOK = "bad_workbook"
RENAMED_SHEET = "renamed_sheet"
MISSING_KEY = "missing_key"
TOTAL_LABEL = "รวม"
HEADER_SEARCH_ROWS = 10  # the header sits under a title, never far down


@dataclass(frozen=True)
class SheetLayout:
    sheet: str
    entity: Entity
    columns: dict[str, str]  # header cell (flattened) -> raw column
    anchor: str  # the header cell that marks the (first) header row
    key: tuple[str, ...]  # raw columns of the record key, after lao_code


def _layout(name: str, sheet: str, columns: dict[str, str], anchor: str,
            key: tuple[str, ...], checks: tuple[CodeCheck, ...] = ()) -> SheetLayout:
    entity = Entity(SOURCE, name, ("lao_code", "row_no", *columns.values()),
                    key_columns=("lao_code", *key), checks=checks)
    return SheetLayout(sheet, entity, columns, anchor, key)


UNITS = _layout("units", "ข้อมูลสถานศึกษา",
                {"รหัสสถานศึกษา": "unit_code", "ชื่อสถานศึกษา": "unit_name",
                 "ประเภท": "unit_type", "รหัสตำบล": "tambon_code"},
                anchor="รหัสสถานศึกษา", key=("unit_code",))
LEARNERS = _layout("learners", "นักเรียน",
                   {"ลำดับ": "seq", "รหัสสถานศึกษา": "unit_code",
                    "เลขประจำตัวประชาชน": "citizen_id", "ชื่อ-สกุล": "full_name", "เพศ": "sex",
                    "วันเกิด": "birth_date", "อายุ (ปี)": "age_years", "ชั้น": "grade",
                    "สถานะ": "status"},
                   anchor="ลำดับ", key=("unit_code", "seq"),
                   checks=grade_and_status("DLA", ("grade",)))
STAFF = _layout("staff", "บุคลากร",
                {"เลขประจำตัวประชาชน": "citizen_id", "เพศ": "sex", "ตำแหน่ง": "position",
                 "วุฒิ": "degree", "ใบอนุญาต": "licensed", "ระดับที่สอน": "levels_taught",
                 "รหัสสถานศึกษา": "unit_code"},
                anchor="เลขประจำตัวประชาชน", key=("unit_code", "row_no"))
LAYOUTS = (UNITS, LEARNERS, STAFF)
ENTITIES = tuple(layout.entity for layout in LAYOUTS)


class LayoutProblem(ValueError):
    """A sheet whose header cannot be found or does not match the layout."""


@dataclass(frozen=True)
class Problem:
    reason: str
    detail: str
    rows: int  # rows counted in quarantine


def _name(cell: object) -> str | None:
    text = cell_text(cell)
    return normalise_header(text) if text and text.strip() else None


def _header(rows: Iterator[tuple[int, tuple[object, ...]]], layout: SheetLayout
            ) -> tuple[list[int], int, list[tuple[int, tuple[object, ...]]]]:
    """(position of each layout column, last header row, rows read past the header).

    The header is the first row holding the anchor; the row under it is a second
    header row when its first cell is empty (merged from above) and it names a
    column: the two rows are flattened, the lower cell winning.
    """
    for row_no, cells in rows:
        if row_no > HEADER_SEARCH_ROWS:
            break
        names = [_name(cell) for cell in cells]
        if layout.anchor in names:
            header_end, pending = row_no, []
            below = next(rows, None)
            if below is not None:
                lower = [_name(cell) for cell in below[1]]
                if lower and lower[0] is None and set(lower) & set(layout.columns):
                    names = [low or (names[i] if i < len(names) else None)
                             for i, low in enumerate(lower)] + names[len(lower):]
                    header_end = below[0]
                else:
                    pending = [below]
            drift = header_drift([name for name in names if name], layout.columns)
            if drift:
                raise LayoutProblem(f"sheet {layout.sheet!r}: {drift}")
            return [names.index(name) for name in layout.columns], header_end, pending
    raise LayoutProblem(f"sheet {layout.sheet!r}: no header row with {layout.anchor!r} in "
                        f"its first {HEADER_SEARCH_ROWS} rows")


def _records(sheet: CalamineSheet, layout: SheetLayout, with_merges: bool
             ) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells in layout order) of each data row: not blank, not a total."""
    rows = numbered_rows(sheet)
    positions, header_end, pending = _header(rows, layout)
    merges = merged_ranges(sheet, below_row=header_end) if with_merges else []
    width = max(positions) + 1
    for row_no, raw in chain(pending, rows):
        if is_blank(raw):  # judged before merged values fill it: a blank row stays blank
            continue
        cells = list(raw) + [None] * (width - len(raw))
        fill_merged(row_no, cells, merges)
        if isinstance(cells[0], str) and cells[0].strip() == TOTAL_LABEL:
            continue
        yield row_no, [cells[i] for i in positions]


def _count(book: CalamineWorkbook, sheet_name: str, layout: SheetLayout) -> int:
    return sum(1 for _ in _records(book.get_sheet_by_name(sheet_name), layout,
                                   with_merges=False))


class LecWorkbook:
    """One delivered workbook; checked once (lazily, only if some batch is new)."""

    def __init__(self, root: Path, path: Path) -> None:
        self.path = path
        self.container = path.relative_to(root).as_posix()
        self.lao_code = path.stem
        self.sha256 = file_sha256(path)
        # entity name -> (row number, cells) of each record, read by the check
        self._records: dict[str, list[tuple[int, list[object]]]] = {}

    @cached_property
    def problems(self) -> dict[str, Problem]:
        """Entity name -> why its batch is rejected whole; empty when all three load."""
        try:
            book = CalamineWorkbook.from_path(self.path)
        except Exception as error:  # a broken package fails in the zip or the XML reader
            return self._everywhere(BAD_WORKBOOK, f"not a valid xlsx: {error}", {})
        try:
            return self._check_sheets(book)
        except Exception as error:  # a part that fails while streamed: still a broken file
            return self._everywhere(BAD_WORKBOOK, f"unreadable: {error}", {})
        finally:
            book.close()

    def _everywhere(self, reason: str, detail: str, rows: dict[str, int]) -> dict[str, Problem]:
        log.warning("%s quarantined whole: %s (%s)", self.container, reason, detail)
        return {layout.entity.name: Problem(reason, detail, rows.get(layout.entity.name) or 1)
                for layout in LAYOUTS}

    def _check_sheets(self, book: CalamineWorkbook) -> dict[str, Problem]:
        names = [name.strip() for name in book.sheet_names]
        missing = [layout for layout in LAYOUTS if layout.sheet not in names]
        if missing:
            return self._renamed(book, missing)
        problems: dict[str, Problem] = {}
        for layout in LAYOUTS:
            sheet = book.get_sheet_by_name(book.sheet_names[names.index(layout.sheet)])
            try:
                self._records[layout.entity.name] = list(
                    _records(sheet, layout, with_merges=True))
            except LayoutProblem as error:
                problems[layout.entity.name] = Problem(SCHEMA_DRIFT, str(error), 1)
        return problems

    def _renamed(self, book: CalamineWorkbook, missing: list[SheetLayout]) -> dict[str, Problem]:
        """Every sheet's readable rows are counted; a lone unknown sheet is read as the
        lone missing one (the clerk renamed it)."""
        known = {layout.sheet for layout in LAYOUTS}
        strangers = [name for name in book.sheet_names if name.strip() not in known]
        rows: dict[str, int] = {}
        for layout in LAYOUTS:
            sheet = (layout.sheet if layout not in missing else
                     strangers[0] if len(strangers) == 1 and len(missing) == 1 else None)
            if sheet is None:
                continue
            try:
                rows[layout.entity.name] = _count(book, sheet, layout)
            except LayoutProblem:
                continue
        detail = (f"missing sheet(s) {', '.join(m.sheet for m in missing)}; "
                  f"the workbook has {', '.join(book.sheet_names)}")
        return self._everywhere(RENAMED_SHEET, detail, rows)

    def items(self, layout: SheetLayout) -> Iterator[RawRow | Rejected]:
        problem = self.problems.get(layout.entity.name)
        if problem is not None:
            content = f"{self.container} (sha256 {self.sha256})"
            yield Rejected(self.container, problem.reason, content, problem.detail, problem.rows)
            return
        for row_no, cells in self._records.pop(layout.entity.name):
            yield self._item(layout, row_no, cells)

    def _item(self, layout: SheetLayout, row_no: int, cells: list[object]) -> RawRow | Rejected:
        values = (self.lao_code, str(row_no), *(cell_text(cell) for cell in cells))
        named = dict(zip(layout.entity.columns, values, strict=True))
        key_parts = [(named[column] or "").strip() for column in layout.key]
        blank = [column for column in layout.key if not (named[column] or "").strip()]
        if blank:
            key = "|".join([self.lao_code, *key_parts])
            return Rejected(key, MISSING_KEY, json.dumps(named, ensure_ascii=False),
                            f"row {row_no}: blank {', '.join(blank)}")
        return RawRow(values, f"row {row_no}", self.sha256)


def workbooks(root: Path, academic_year: int, term: int) -> list[Path]:
    folder = root / "lec" / f"{academic_year}-{term}"
    # `~$name.xlsx` are Excel's lock files, left beside a workbook open on a clerk's PC.
    return sorted(path for path in folder.glob("*.xlsx") if not path.name.startswith("~$"))


def extract(context: ExtractContext) -> Iterator[Batch]:
    root = drop_dir(context)
    paths = workbooks(root, context.academic_year, context.term)
    if not paths:
        log.info("%s %s/%s: no workbook in %s: nothing loaded", context.source_name,
                 context.term, context.academic_year,
                 root / "lec" / f"{context.academic_year}-{context.term}")
    for path in paths:
        book = LecWorkbook(root, path)
        modified = modified_at(path)
        for layout in LAYOUTS:
            delivery = Delivery(layout.entity, context.academic_year, context.term,
                                book.container, Mode.REPLACE, source_timestamp=modified)
            yield Batch(delivery, book.items(layout), content_sha256=book.sha256)
