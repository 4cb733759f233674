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

Pages are not decoded record by record here: each page's `data` array goes to
the loader as the JSON text it came in (`JsonPage`), and the server shapes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import msgspec

from edu_platform.landing.code_checks import grade_and_status
from edu_platform.landing.entities import Delivery, Entity, JsonPage, Mode
from edu_platform.landing.watermarks import read_watermark
from edu_platform.sources.base import Batch, ExtractContext
from edu_platform.sources.http_session import HeaderAuth, SourceClient, StableTotal, page_size
from edu_platform.sources.json_records import RecordShape

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
ENTITIES = {name: Entity(SOURCE, name, shape.columns, key_columns=shape.key,
                         containers=shape.containers)
            for name, shape in (("schools", SCHOOLS), ("teachers", TEACHERS))}
ENTITIES["students"] = Entity(SOURCE, "students", STUDENTS.columns, key_columns=STUDENTS.key,
                              checks=grade_and_status("OBEC", ("grade",)))
MAX_PAGE_SIZE = 5000


class Answer(msgspec.Struct):
    """A page as the API sends it, its records left as the JSON text they came in."""

    data: msgspec.Raw = msgspec.Raw()  # empty when absent
    page: Any = msgspec.UNSET
    next: Any = None
    total: Any = None


ANSWER = msgspec.json.Decoder(Answer)


def read_answer(content: bytes) -> Answer:
    """The page's envelope (decoding no record); one that is not a JSON object has no data.
    Raises `msgspec.DecodeError` when the content is not JSON."""
    try:
        return ANSWER.decode(content)
    except msgspec.ValidationError:  # JSON, but not an object of the contract's shape
        return Answer()


def json_page(answer: Answer, number: int, sha256: str) -> JsonPage | None:
    """The page's records for the loader; None when the answer holds no `data` list."""
    records = bytes(answer.data)
    if not records.startswith(b"["):
        return None
    return JsonPage(records, str(number if answer.page is msgspec.UNSET else answer.page),
                    sha256)


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
    return Batch(delivery, _pages(client, path, {"province": _province_code(context)}))


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
    return Batch(delivery, pages, next_watermark=latest.moved)


def _teachers(client: SourceClient, context: ExtractContext) -> Batch:
    path = "v1/teachers"
    delivery = Delivery(ENTITIES["teachers"], context.academic_year, context.term, path,
                        Mode.REPLACE)
    return Batch(delivery, _pages(client, path, _term_params(context)))


def _term_params(context: ExtractContext) -> dict[str, Any]:
    return {"academic_year": context.academic_year, "term": context.term, "page": 1,
            "page_size": page_size(context, MAX_PAGE_SIZE)}


def _province_code(context: ExtractContext) -> str:
    """The province whose schools to list: the block's `province`, else the run's province."""
    if context.config.get("province"):
        return context.setting("province")
    return context.province_code


def _pages(client: SourceClient, path: str, params: dict[str, Any]) -> Iterator[JsonPage]:
    """Every page, following `next` (relative to the base URL) until it is null."""
    target: str | None = path
    query: dict[str, Any] | None = params
    followed: set[str] = set()
    totals = StableTotal(client, path)
    number = 1
    while target:
        label = f"{path} page {number}"
        response = client.get(target, query, label=label)
        try:
            answer = read_answer(response.content)
        except msgspec.DecodeError as error:
            raise client.not_json(response, label) from error
        page = json_page(answer, number, hashlib.sha256(response.content).hexdigest())
        if page is None:
            raise client.error(f"{label}: answer has no 'data' list (schema drift?)")
        totals.check(answer.total)
        yield page
        target = answer.next
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

    def watch(self, pages: Iterator[JsonPage], field: str) -> Iterator[JsonPage]:
        # Only `field` of each record is decoded: the rest is the server's to read.
        stamped = msgspec.json.Decoder(list[msgspec.defstruct("Stamped", [(field, Any, None)])])
        for page in pages:
            try:
                stamps = [getattr(record, field) for record in stamped.decode(page.records_json)]
            except msgspec.ValidationError:  # a record that is not an object: read them all
                stamps = [record.get(field) for record in json.loads(page.records_json)
                          if isinstance(record, dict)]
            for stamp in stamps:
                self.see(stamp)
            yield page

    def moved(self) -> str | None:
        """The new watermark, or None when nothing later was seen (nothing to save)."""
        return self.text if self.text != self.start else None
