"""JSON records to raw rows, shared by the REST connectors.

Connectors are shape-only: a record lands with its fields as delivered (text),
and only what cannot be read at all goes to quarantine here: a record that is
not a JSON object, a missing key field, or a field whose JSON shape is wrong (a
list or object where a plain value belongs, or the reverse). Judging values
(unknown grades or statuses, checksums, dates) is dbt staging's job, where the
crosswalks live; quality.md's "no crosswalk knows it" is decided there.

Connectors that hand over whole pages (`JsonPage`, OBEC DMC) have the same
rules applied by the server, in SQL (`landing.json_pages`); a test holds the
two to the same result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from edu_platform.landing.entities import RawRow, Rejected

MISSING_KEY = "missing_key"
SCHEMA_DRIFT = "schema_drift"  # shared reason code: the record's shape is not the contract's


@dataclass(frozen=True)
class RecordShape:
    """One record type: raw columns (the source's field names), key fields, container fields."""

    columns: tuple[str, ...]
    key: tuple[str, ...]
    containers: frozenset[str] = frozenset()  # fields that hold a JSON list or object


class Page(NamedTuple):
    """Records as one answer delivered them; `sha256` is of the answer's body (lineage)."""

    records: list[Any]
    locator: str
    sha256: str


def json_text(value: Any) -> str:
    """Compact JSON text, Thai kept readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# JSON values that can never be a shape problem where a plain value belongs.
PLAIN_TYPES = frozenset({str, type(None), bool, int, float})


def as_text(value: Any) -> str | None:
    """A field as raw text: strings as they are; bools, numbers, lists, objects as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    # The commonest non-strings, written as json.dumps writes them, without its machinery.
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    return json_text(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def record_key(record: dict[str, Any], key: tuple[str, ...]) -> str | None:
    """The source key as indicators.md §1.2 writes it (parts joined by `|`), if any."""
    parts = ["" if _blank(record.get(name)) else str(record[name]) for name in key]
    return "|".join(parts) if any(parts) else None


def _shape_problem(record: dict[str, Any], shape: RecordShape) -> str | None:
    for name in shape.columns:
        value = record.get(name)
        if value is None:
            continue
        is_container = isinstance(value, (list, dict))
        if is_container != (name in shape.containers):
            expected = "a list or object" if name in shape.containers else "a plain value"
            return f"field {name!r}: expected {expected}, got {type(value).__name__}"
    return None


def shape_record(record: Any, shape: RecordShape, locator: str, sha256: str
                 ) -> RawRow | Rejected:
    """A readable record as a raw row, else the reason it cannot be read."""
    if not isinstance(record, dict):
        return Rejected(None, SCHEMA_DRIFT, json_text(record), "record is not a JSON object")
    missing = [name for name in shape.key if _blank(record.get(name))]
    if missing:
        return Rejected(record_key(record, shape.key), MISSING_KEY, json_text(record),
                        f"{', '.join(missing)} missing at {locator}")
    values = [record.get(name) for name in shape.columns]
    # Only a list or an object can be out of place: records of plain values skip the check.
    if shape.containers or not PLAIN_TYPES.issuperset(map(type, values)):
        problem = _shape_problem(record, shape)
        if problem:
            return Rejected(record_key(record, shape.key), SCHEMA_DRIFT, json_text(record),
                            f"{problem} at {locator}")
    return RawRow(tuple([value if type(value) is str else as_text(value) for value in values]),
                  locator, sha256)


def rows_from_pages(pages: Iterable[Page], shape: RecordShape) -> Iterator[RawRow | Rejected]:
    """Stream raw rows page by page: only one page is ever held in memory."""
    for page in pages:
        for record in page.records:
            yield shape_record(record, shape, page.locator, page.sha256)
