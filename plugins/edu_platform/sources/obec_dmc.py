"""OBEC DMC REST API (shared/sources/obec-dmc.md): schools, students, teachers.

- Auth: `X-API-Key` header. Paging: page/page_size, following `next` until null.
- `schools`: the current list (the endpoint takes no year), REPLACE, stored
  without year/term: one snapshot, replaced when it changes.
- `students`: incremental. The first pull (no watermark) is full; later pulls
  ask `updated_since=<watermark>` and APPEND (staging keeps the latest version
  of each `student_key`). The new watermark (latest `updated_at`, compared as
  instants) is saved by the runner only after the batch committed.
- `teachers`: full pull (records carry no timestamp), REPLACE.
Idempotent: identical content is "unchanged"; a pull after the watermark that
finds nothing adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from edu_platform.landing.code_checks import grade_and_status
from edu_platform.landing.entities import Delivery, Entity, Mode
from edu_platform.landing.watermarks import read_watermark
from edu_platform.sources.base import Batch, ExtractContext
from edu_platform.sources.http_session import HeaderAuth, SourceClient, StableTotal, page_size
from edu_platform.sources.json_records import Page, RecordShape, rows_from_pages

SOURCE = "obec_dmc"
SCHOOLS = RecordShape(
    columns=("school_code", "smis_code", "name_th", "area_office", "tambon_code", "status",
             "merged_into", "latitude", "longitude"),
    key=("school_code",))
STUDENTS = RecordShape(
    columns=("student_key", "citizen_id", "previous_id", "prefix", "first_name", "last_name",
             "sex", "birth_date", "grade", "classroom", "school_code", "nationality",
             "disadvantaged", "status", "is_repeater", "updated_at"),
    key=("student_key",))
TEACHERS = RecordShape(
    columns=("teacher_key", "citizen_id", "sex", "birth_date", "position", "highest_degree",
             "has_teaching_license", "levels_taught", "fte", "school_code"),
    key=("teacher_key",), containers=frozenset({"levels_taught"}))
ENTITIES = {name: Entity(SOURCE, name, shape.columns, key_columns=shape.key)
            for name, shape in (("schools", SCHOOLS), ("teachers", TEACHERS))}
ENTITIES["students"] = Entity(SOURCE, "students", STUDENTS.columns, key_columns=STUDENTS.key,
                              checks=grade_and_status("OBEC", ("grade",)))
MAX_PAGE_SIZE = 5000


def extract(context: ExtractContext) -> Iterator[Batch]:
    client = SourceClient.from_context(context)
    client.auth = HeaderAuth({"X-API-Key": context.setting("api_key")})
    try:
        yield _schools(client, context)
        yield _students(client, context)
        yield _teachers(client, context)
    finally:
        client.close()


def _schools(client: SourceClient, context: ExtractContext) -> Batch:
    path = "v1/schools"
    delivery = Delivery(ENTITIES["schools"], None, None, path, Mode.REPLACE)
    return Batch(delivery, rows_from_pages(
        _pages(client, path, {"province": _province_code(context)}), SCHOOLS))


def _students(client: SourceClient, context: ExtractContext) -> Batch:
    path = "v1/students"
    watermark = read_watermark(context.warehouse, SOURCE, "students", context.academic_year,
                               context.term)
    params = _term_params(context)
    if watermark:
        params["updated_since"] = watermark
    latest = LatestInstant(watermark)
    pages = latest.watch(_pages(client, path, params), "updated_at")
    delivery = Delivery(ENTITIES["students"], context.academic_year, context.term, path,
                        Mode.APPEND)
    return Batch(delivery, rows_from_pages(pages, STUDENTS), next_watermark=latest.moved)


def _teachers(client: SourceClient, context: ExtractContext) -> Batch:
    path = "v1/teachers"
    delivery = Delivery(ENTITIES["teachers"], context.academic_year, context.term, path,
                        Mode.REPLACE)
    return Batch(delivery, rows_from_pages(_pages(client, path, _term_params(context)),
                                           TEACHERS))


def _term_params(context: ExtractContext) -> dict[str, Any]:
    return {"academic_year": context.academic_year, "term": context.term, "page": 1,
            "page_size": page_size(context, MAX_PAGE_SIZE)}


def _province_code(context: ExtractContext) -> str:
    """The province whose schools to list: the block's `province`, else the run's province."""
    if context.config.get("province"):
        return context.setting("province")
    return context.province_code


def _pages(client: SourceClient, path: str, params: dict[str, Any]) -> Iterator[Page]:
    """Every page, following `next` (relative to the base URL) until it is null."""
    target: str | None = path
    query: dict[str, Any] | None = params
    followed: set[str] = set()
    totals = StableTotal(client, path)
    number = 1
    while target:
        answer = client.get_json(target, query, label=f"{path} page {number}")
        body = answer.body if isinstance(answer.body, dict) else {}
        records = body.get("data")
        if not isinstance(records, list):
            raise client.error(f"{path} page {number}: answer has no 'data' list "
                               "(schema drift?)")
        totals.check(body.get("total"))
        yield Page(records, str(body.get("page", number)), answer.sha256)
        target = body.get("next")
        if target in followed:  # a server looping on its own links would never end
            raise client.error(f"{path}: 'next' repeats {target}")
        if target:
            followed.add(target)
        query, number = None, number + 1


def parse_instant(text: Any) -> datetime | None:
    """An ISO 8601 timestamp with an offset; anything else (naive, garbage) is None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class LatestInstant:
    """The latest timestamp seen (as an instant), kept as the source wrote it."""

    def __init__(self, start: str | None) -> None:
        self.start = start
        self.text = start
        self.instant = parse_instant(start)

    def see(self, text: Any) -> None:
        moment = parse_instant(text)
        if moment is not None and (self.instant is None or moment > self.instant):
            self.text, self.instant = text, moment

    def watch(self, pages: Iterator[Page], field: str) -> Iterator[Page]:
        for page in pages:
            for record in page.records:
                if isinstance(record, dict):
                    self.see(record.get(field))
            yield page

    def moved(self) -> str | None:
        """The new watermark, or None when nothing later was seen (nothing to save)."""
        return self.text if self.text != self.start else None
