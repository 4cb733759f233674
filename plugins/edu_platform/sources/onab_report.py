"""ONAB Phrapariyattidhamma aggregate report (shared/sources/onab-report.md).

One call per year and term (`GET /reports/enrolment`, basic auth) gives counts
only; they land as they are, flattened to rows:
- `enrolment`: one row per school x enrolment row (grade, age, sex, count, repeaters);
- `teachers`: one row per school (total, with_bachelor, with_license, levels as JSON).
Both REPLACE: the report is re-generated whole, so identical content is
"unchanged" and a changed report replaces the earlier one. A year the system
does not hold answers `schools: []`: an empty batch, not an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from edu_platform.landing.entities import Delivery, Entity, Mode, RawRow, Rejected
from edu_platform.sources.base import Batch, ExtractContext
from edu_platform.sources.http_session import BasicAuth, JsonAnswer, SourceClient
from edu_platform.sources.json_records import SCHEMA_DRIFT, RecordShape, json_text, shape_record

SOURCE = "onab_report"
CONTAINER = "reports/enrolment"
SCHOOL_FIELDS = ("school_code", "school_name", "tambon_code")
ENROLMENT = RecordShape(
    columns=(*SCHOOL_FIELDS, "grade", "age", "sex", "count", "repeaters", "generated_at"),
    key=("school_code",))
TEACHERS = RecordShape(
    columns=("school_code", "total", "with_bachelor", "with_license", "levels",
             "generated_at"),
    key=("school_code",), containers=frozenset({"levels"}))
ENTITIES = {"enrolment": Entity(SOURCE, "enrolment", ENROLMENT.columns),
            "teachers": Entity(SOURCE, "teachers", TEACHERS.columns)}


@dataclass(frozen=True)
class Report:
    schools: list[Any]
    generated_at: str | None
    sha256: str  # of the report's body: every row's lineage


def extract(context: ExtractContext) -> Iterator[Batch]:
    client = SourceClient.from_context(context)
    client.auth = BasicAuth(context.setting("user"), context.setting("password"))
    try:
        # The report is one small document (counts per school): read it once,
        # before the first batch, and flatten it into both entities.
        answer = client.get_json(CONTAINER, {"year": context.academic_year,
                                             "term": context.term})
    finally:
        client.close()
    report = _report(client, context, answer)
    yield _batch(context, "enrolment", report, _enrolment_items(report))
    yield _batch(context, "teachers", report, _teacher_items(report))


def _report(client: SourceClient, context: ExtractContext, answer: JsonAnswer) -> Report:
    body = answer.body
    if not isinstance(body, dict) or not isinstance(body.get("schools"), list):
        raise client.error(f"{CONTAINER}: answer has no 'schools' list (schema drift?)")
    served = (str(body.get("year")), str(body.get("term")))
    if served != (str(context.academic_year), str(context.term)):
        raise client.error(f"{CONTAINER}: asked for {context.academic_year}/{context.term}, "
                           f"served {served[0]}/{served[1]}")
    generated_at = body.get("generated_at")
    return Report(body["schools"], generated_at if isinstance(generated_at, str) else None,
                  answer.sha256)


def _batch(context: ExtractContext, name: str, report: Report,
           items: Iterator[RawRow | Rejected]) -> Batch:
    delivery = Delivery(ENTITIES[name], context.academic_year, context.term, CONTAINER,
                        Mode.REPLACE, source_timestamp=report.generated_at)
    return Batch(delivery, items)


def _school_part(school: Any, part: str, kind: type) -> Any:
    """`school[part]` when the school is an object and the part has the expected JSON type."""
    value = school.get(part) if isinstance(school, dict) else None
    return value if isinstance(value, kind) else None


def _unreadable_school(school: Any, locator: str, part: str) -> Rejected:
    code = school.get("school_code") if isinstance(school, dict) else None
    return Rejected(code if isinstance(code, str) else None, SCHEMA_DRIFT, json_text(school),
                    f"{locator}: no readable {part!r}")


def _enrolment_items(report: Report) -> Iterator[RawRow | Rejected]:
    """One row per school x enrolment row, the school's fields repeated on each."""
    for index, school in enumerate(report.schools):
        locator = f"schools[{index}]"
        rows = _school_part(school, "enrolment", list)
        if rows is None:
            yield _unreadable_school(school, locator, "enrolment")
            continue
        head = {name: school.get(name) for name in SCHOOL_FIELDS}
        for number, row in enumerate(rows):
            record = ({**row, **head, "generated_at": report.generated_at}
                      if isinstance(row, dict) else row)
            yield shape_record(record, ENROLMENT, f"{locator}.enrolment[{number}]",
                               report.sha256)


def _teacher_items(report: Report) -> Iterator[RawRow | Rejected]:
    """One row per school: its teacher totals, `levels` kept as JSON text."""
    for index, school in enumerate(report.schools):
        locator = f"schools[{index}]"
        teachers = _school_part(school, "teachers", dict)
        if teachers is None:
            yield _unreadable_school(school, locator, "teachers")
            continue
        record = {**teachers, "school_code": school.get("school_code"),
                  "generated_at": report.generated_at}
        yield shape_record(record, TEACHERS, f"{locator}.teachers", report.sha256)
