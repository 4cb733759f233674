"""DLP ITw: a read-only SQL database (MySQL/MariaDB in production, PostgreSQL or SQLite here).

Connection: the SQLAlchemy URL of the `url` setting. Tables are reflected and
queried with SQLAlchemy Core only (no dialect-specific SQL), streamed with a
server-side cursor (`stream_results`, `yield_per` = `chunk_rows`).

Entities (raw table `dlp_itw__<table>`), raw columns = the table's columns of
shared/sources/dlp-itw.md, as text (dates `YYYY-MM-DD`; timestamps ISO 8601
without offset, as the database holds them; booleans `true`/`false`; the text
`'NULL'` stays distinct from SQL NULL):

- `center` (center_id, center_name, center_type, tambon_code) and `facilitator`
  (fac_id, id_card, gender, birthday, degree, center_id, active): the current
  snapshot, pulled whole by every run as one batch, REPLACE, academic year and
  term None; an identical snapshot changes nothing (content hash of the rows).
- `registration` (reg_id, learner_id, center_id, semester, level, status,
  registered_at): the term's semester `'<term>/<year>'` only; incremental by
  the watermark (registered_at, reg_id).
- `learner` (learner_id, id_card, title, fname, lname, gender, birthday,
  nationality, updated_at): learners registered in the term's semester;
  incremental by the watermark (updated_at, learner_id).

Incremental pulls are APPEND batches of `chunk_rows` rows in (timestamp, key)
order; each batch's watermark is saved once it is committed, so a failed run
resumes where it stopped. The key in the watermark breaks ties between rows of
the same timestamp. A full re-read (watermarks deleted) appends the same
records again: identical chunks are recognised by their content hash, and
staging keeps each record's latest version (by `reg_id` / `learner_id`), so
the warehouse state is the same. A NULL timestamp sorts as 1900-01-01: such
rows are pulled once, by the first (full) read.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    MetaData,
    Row,
    Select,
    Table,
    and_,
    create_engine,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from edu_platform.landing.code_checks import grade_and_status
from edu_platform.landing.entities import Delivery, Entity, Mode, RawRow
from edu_platform.landing.watermarks import read_watermark
from edu_platform.sources.base import Batch, ExtractContext, SourceError

log = logging.getLogger(__name__)

SOURCE = "dlp_itw"
DEFAULT_CHUNK_ROWS = 20_000
NULL_TIMESTAMP = datetime(1900, 1, 1)
CURSOR = "watermark_cursor"  # the label of the (coalesced) timestamp in incremental selects
COLUMNS: dict[str, tuple[str, ...]] = {
    "center": ("center_id", "center_name", "center_type", "tambon_code"),
    "facilitator": ("fac_id", "id_card", "gender", "birthday", "degree", "center_id", "active"),
    "registration": ("reg_id", "learner_id", "center_id", "semester", "level", "status",
                     "registered_at"),
    "learner": ("learner_id", "id_card", "title", "fname", "lname", "gender", "birthday",
                "nationality", "updated_at"),
}
KEYS = {"center": ("center_id",), "facilitator": ("fac_id",), "registration": ("reg_id",),
        "learner": ("learner_id",)}
CHECKS = {"registration": grade_and_status("DLP", ("level",))}
ENTITIES = {table: Entity(SOURCE, table, columns, key_columns=KEYS[table],
                          checks=CHECKS.get(table, ()))
            for table, columns in COLUMNS.items()}
SNAPSHOTS = ("center", "facilitator")


@dataclass(frozen=True)
class Incremental:
    table: str
    cursor: str  # the timestamp column the watermark follows
    key: str  # the primary key: breaks ties between equal timestamps


INCREMENTALS = (Incremental("registration", "registered_at", "reg_id"),
                Incremental("learner", "updated_at", "learner_id"))


def sql_text(value: object) -> str | None:
    """A database value as raw text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def raw_rows(table: str, chunk: Sequence[Row]) -> list[RawRow]:
    """A chunk's rows as raw text; the chunk's hash stands for the "content it came in"."""
    width = len(COLUMNS[table])
    rows = [tuple(sql_text(value) for value in row[:width]) for row in chunk]
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    key = COLUMNS[table][0]
    return [RawRow(values, f"{key}={values[0]}", digest) for values in rows]


def _reflect(conn: Connection, name: str, source_name: str) -> Table:
    try:
        table = Table(name, MetaData(), autoload_with=conn)
    except NoSuchTableError as error:
        raise SourceError(source_name, f"table {name!r} not found in the ITw database") from error
    missing = [column for column in COLUMNS[name] if column not in table.c]
    if missing:
        raise SourceError(source_name, f"table {name!r} lacks columns {', '.join(missing)}")
    return table


class Pull:
    """One extraction's connection and tables (reflected once)."""

    def __init__(self, context: ExtractContext, conn: Connection) -> None:
        self.context = context
        self.conn = conn
        self.semester = f"{context.term}/{context.academic_year}"
        self.chunk_rows = int(context.setting("chunk_rows", str(DEFAULT_CHUNK_ROWS)))
        self.tables = {name: _reflect(conn, name, context.source_name) for name in COLUMNS}

    def _stream(self, statement: Select) -> Iterator[Sequence[Row]]:
        result = self.conn.execution_options(stream_results=True,
                                             yield_per=self.chunk_rows).execute(statement)
        yield from result.partitions()

    def snapshot(self, name: str) -> Batch:
        table = self.tables[name]
        statement = select(*(table.c[c] for c in COLUMNS[name])).order_by(
            table.c[COLUMNS[name][0]])
        rows = (row for chunk in self._stream(statement) for row in raw_rows(name, chunk))
        return Batch(Delivery(ENTITIES[name], None, None, name, Mode.REPLACE), rows)

    def _scope(self, name: str) -> ColumnElement[bool]:
        registration = self.tables["registration"]
        in_semester = registration.c.semester == self.semester
        if name == "registration":
            return in_semester
        learner_ids = select(registration.c.learner_id).where(in_semester)
        return self.tables[name].c.learner_id.in_(learner_ids)

    def incremental(self, spec: Incremental) -> Iterator[Batch]:
        table = self.tables[spec.table]
        cursor = func.coalesce(table.c[spec.cursor],
                               literal(NULL_TIMESTAMP, type_=table.c[spec.cursor].type),
                               type_=table.c[spec.cursor].type)
        key = table.c[spec.key]
        statement = (select(*(table.c[c] for c in COLUMNS[spec.table]), cursor.label(CURSOR))
                     .where(self._scope(spec.table)).order_by(cursor, key))
        context = self.context
        mark = read_watermark(context.warehouse, SOURCE, spec.table, context.academic_year,
                              context.term)
        if mark:
            statement = statement.where(_after(mark, cursor, key))
        pulled = 0
        delivery = Delivery(ENTITIES[spec.table], context.academic_year, context.term,
                            spec.table, Mode.APPEND)
        for chunk in self._stream(statement):
            pulled += len(chunk)
            last = chunk[-1]
            watermark = f"{last._mapping[CURSOR].isoformat()}|{last._mapping[spec.key]}"
            yield Batch(delivery, raw_rows(spec.table, chunk),
                        next_watermark=_constant(watermark))
        log.info("%s %s %s: %s new or changed rows since %s", context.source_name, spec.table,
                 self.semester, pulled, mark or "the start")


def _after(mark: str, cursor: ColumnElement[Any], key: ColumnElement[Any]
           ) -> ColumnElement[bool]:
    """Rows past the watermark `<timestamp>|<key>`: later, or as late with a higher key."""
    stamp, last_key = mark.rsplit("|", 1)
    at, beyond = datetime.fromisoformat(stamp), key.type.python_type(last_key)
    return or_(cursor > at, and_(cursor == at, key > beyond))


def _constant(value: str) -> Callable[[], str | None]:
    return lambda: value


def _batches(pull: Pull) -> Iterable[Batch]:
    for name in SNAPSHOTS:
        yield pull.snapshot(name)
    for spec in INCREMENTALS:
        yield from pull.incremental(spec)


def extract(context: ExtractContext) -> Iterator[Batch]:
    engine = create_engine(context.setting("url"))
    try:
        with engine.connect() as conn:
            yield from _batches(Pull(context, conn))
    except SQLAlchemyError as error:
        # The URL may carry a password: name the driver error only.
        raise SourceError(context.source_name, f"ITw database: {type(error).__name__}: "
                          f"{str(error).splitlines()[0]}") from error
    finally:
        engine.dispose()
