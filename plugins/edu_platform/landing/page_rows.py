"""A JSON page split into COPY rows and the records only the server's statement may judge.

Most records of a page are objects of strings, booleans and nulls whose key is
plainly there and whose codes a crosswalk spells exactly as typed. For those,
`json_pages.page_statement` would load `record ->> column` and quarantine
nothing; they are decoded here (msgspec, in C) into COPY text instead, and the
server's part is a plain COPY. Every other record (a number, a list, an object
or anything but an object; a key that may be blank; a code that needs its
lookup key made) is left, as the JSON text it came in, for the statement, so
what lands and why is decided by one set of rules.

Pages whose text holds an escape the server treats apart (NUL, which jsonb
refuses; a lone surrogate, which msgspec refuses) or that are not valid JSON go
to the statement whole, so they fail or load as they always did.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from edu_platform.landing.entities import Entity, JsonPage

# JSON strings hold a tab, line break or backslash only escaped: a page without a
# backslash needs no COPY escaping at all.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
SERVER_ONLY_ESCAPES = re.compile(rb"\\u(?:0000|[dD][89abAB])")
COPY_NULL = "\\N"
# Values that are not strings, as `record ->> column` writes them, and as `concat` types them.
COPY_TEXTS = {None: COPY_NULL, True: "true", False: "false"}
TYPED_TEXTS = {None: "", True: "true", False: "false"}
PRINTABLE_ASCII = frozenset(map(chr, range(33, 127)))


def copy_text(value: str | int | None) -> str:
    """One value of COPY's text format."""
    return COPY_NULL if value is None else str(value).translate(COPY_ESCAPES)


def copy_texts(column: Sequence[str | bool | None], escaped: bool) -> Sequence[str]:
    """A column's values in COPY's text format; `escaped`: the page's text held a backslash,
    so its strings may hold what COPY must escape."""
    if escaped:
        return [value.translate(COPY_ESCAPES) if type(value) is str else COPY_TEXTS[value]
                for value in column]
    try:
        "".join(column)  # type: ignore[arg-type]  # strings only: they are their own text
        return column  # type: ignore[return-value]
    except TypeError:
        return list(map(COPY_TEXTS.get, column, column))


@dataclass(frozen=True)
class SplitPage:
    rows: str  # COPY text lines, lineage included
    row_count: int
    left: JsonPage | None  # the records for the statement, with the page's locator and hash


class PageRows:
    """Splits an entity's pages; `lineage` are the batch's lineage values before the locator
    (batch, source, year, term, container)."""

    def __init__(self, entity: Entity, lineage: Sequence[str | int | None]) -> None:
        # Attribute names need not be identifiers: columns are named by `rename`.
        names = [f"c{number}" for number in range(len(entity.columns))]
        record = msgspec.defstruct(  # strings and constants only: no cycles for the GC to find
            "Record", [(name, str | bool | None, None) for name in names], gc=False,
            rename=dict(zip(names, entity.columns, strict=True)))
        self._records = msgspec.json.Decoder(list[record])
        # A column read straight off the records, without a tuple per record first.
        self._values = [operator.attrgetter(name) for name in names]
        self._raw_records = msgspec.json.Decoder(list[msgspec.Raw])
        self._record = msgspec.json.Decoder(record)
        self._key_positions = [entity.columns.index(name) for name in entity.key_columns]
        # A check's column the entity lacks types as '' (as `concat` of the statement has it).
        self._checks = [([entity.columns.index(name) if name in entity.columns else None
                          for name in check.columns], check.accepted_as_typed())
                        for check in entity.checks]
        self._nulls = (None,) * len(entity.columns)  # stands for a record that is left whole
        self._lineage_head = "\t".join(copy_text(value) for value in lineage)

    def split(self, page: JsonPage) -> SplitPage:
        text = page.records_json
        escaped = b"\\" in text
        if escaped and SERVER_ONLY_ESCAPES.search(text):
            return SplitPage("", 0, page)
        try:
            records = self._records.decode(text)
            columns = [list(map(value, records)) for value in self._values]
            left: set[int] = set()
        except msgspec.ValidationError:  # some record is not of plain values: one by one
            plain = self._plain_records(text)
            left = {number for number, values in enumerate(plain) if values is None}
            records = [self._nulls if values is None else values for values in plain]
            columns = list(zip(*records, strict=True))
        except msgspec.DecodeError:  # not JSON: the statement fails it as it always has
            return SplitPage("", 0, page)
        if not records:
            return SplitPage("", 0, None)
        left.update(self._left_numbers(columns))
        lines = list(map("\t".join, zip(*(copy_texts(column, escaped) for column in columns),
                                             strict=True)))
        if left:
            lines = [line for number, line in enumerate(lines) if number not in left]
        suffix = f"\t{self._lineage_head}\t{copy_text(page.locator)}\t{page.sha256}\n"
        rows = suffix.join(lines) + suffix if lines else ""
        return SplitPage(rows, len(lines), self._left(page, sorted(left)) if left else None)

    def _left_numbers(self, columns: Sequence[Sequence[str | bool | None]]) -> set[int]:
        """The records the statement would not load as they are: a key that may be blank (one
        that does not start with a printable ASCII character), a code a crosswalk does not
        spell as typed. Whole columns are judged first: nearly always, all is well."""
        left: set[int] = set()
        for position in self._key_positions:
            column = columns[position]
            try:  # the least and the greatest string start with the least and greatest character
                printable = min(column)[:1] >= "!" and max(column)[:1] <= "~"
            except TypeError:  # a null or a boolean among them
                printable = False
            if not printable:
                left.update(number for number, value in enumerate(column)
                            if type(value) is not str or value[:1] not in PRINTABLE_ASCII)
        for positions, accepted in self._checks:
            if len(positions) == 1 and positions[0] is not None:
                column = columns[positions[0]]
            else:
                blanks = ("",) * len(columns[0])
                parts = [blanks if position is None else columns[position]
                         for position in positions]
                column = ["".join(map(TYPED_TEXTS.get, typed, typed))
                          for typed in zip(*parts, strict=True)]
            unknown = {value for value in set(column)
                       if TYPED_TEXTS.get(value, value) not in accepted}
            if unknown:
                left.update(number for number, value in enumerate(column) if value in unknown)
        return left

    def _plain_records(self, text: bytes) -> list[tuple[str | bool | None, ...] | None]:
        """Each record's values, or None where the record is not an object of plain values."""
        records = []
        for raw in self._raw_records.decode(text):
            try:
                records.append(msgspec.structs.astuple(self._record.decode(raw)))
            except msgspec.ValidationError:
                records.append(None)
        return records

    def _left(self, page: JsonPage, numbers: list[int]) -> JsonPage:
        raws = self._raw_records.decode(page.records_json)
        return JsonPage(b"[" + b",".join(bytes(raws[number]) for number in numbers) + b"]",
                        page.locator, page.sha256)
