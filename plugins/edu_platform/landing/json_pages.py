"""JSON pages into raw rows: plain records by COPY, the others judged by one statement.

`page_rows.PageRows` decodes the records the statement would load unchanged
(objects of strings, booleans and nulls with their key and known codes) into
COPY rows. The others go to the server as one JSON value per page; the
statement reads each record's fields as text, judges it as
`json_records.shape_record` and `batch_writer.checked` do (same reasons, same
details), writes the readable ones to the entity's raw table and the others to
quarantine. Those pages are sent in pipeline mode.

Texts as PostgreSQL's jsonb writes them: the same as Python's for strings,
booleans and integers; other numbers keep the digits the source wrote (1.50,
not Python's 1.5); lists and objects (and the raw content of a rejected record)
come with jsonb's spacing and key order.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import psycopg
from psycopg import postgres, sql
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.types.json import Jsonb

from edu_platform.landing.code_checks import CodeCheck, known_spellings
from edu_platform.landing.content_hash import ContentHash
from edu_platform.landing.entities import WRITTEN_LINEAGE, Delivery, Entity, JsonPage
from edu_platform.landing.page_rows import PageRows

SCHEMA_DRIFT = "schema_drift"
MISSING_KEY = "missing_key"
# Records left to the statement are sent when this much JSON has gathered (memory stays bounded).
LEFT_BYTES_PER_ROUND = 8 * 2**20
# Python's type names for what json.loads makes of each JSON kind (details name them).
PYTHON_TYPES = "CASE jsonb_typeof({v}) WHEN 'array' THEN 'list' WHEN 'object' THEN 'dict' " \
    "WHEN 'string' THEN 'str' WHEN 'boolean' THEN 'bool' " \
    "WHEN 'number' THEN CASE WHEN {v}::text ~ '[.eE]' THEN 'float' ELSE 'int' END END"


def _field(name: str) -> sql.Composable:
    return sql.SQL("(record -> {})").format(sql.Literal(name))


def _text(name: str) -> sql.Composable:
    """A field as text: read once per record (`fields`), then used by name."""
    return sql.Identifier(name)


def _blank(name: str) -> sql.Composable:
    """Null, absent, or a string of white space only (as `json_records._blank`)."""
    return sql.SQL(
        "CASE WHEN {t} IS NULL THEN true WHEN ascii({t}) BETWEEN 33 AND 126 THEN false "
        "ELSE {t} !~ '[^[:space:]]' AND jsonb_typeof({f}) = 'string' END"
    ).format(t=_text(name), f=_field(name))


def _python_repr(text: sql.Composable) -> sql.Composable:
    """`repr()` of a printable str: single quotes unless it holds one and no double quote."""
    return sql.SQL(
        "CASE WHEN strpos({t}, '''') > 0 AND strpos({t}, '\"') = 0 "
        "THEN '\"' || replace({t}, '\\', '\\\\') || '\"' "
        "ELSE '''' || replace(replace({t}, '\\', '\\\\'), '''', '\\''') || '''' END"
    ).format(t=text)


def _lookup_key(text: sql.Composable) -> sql.Composable:
    """`code_checks.lookup_key` (the dbt macro `code_lookup_key`, blank kept as '')."""
    return sql.SQL(
        "btrim(regexp_replace(regexp_replace(translate({t}, '๐๑๒๓๔๕๖๗๘๙', '0123456789'), "
        "'\\u200b', '', 'g'), '[[:space:]\\u00a0]+', ' ', 'g'))").format(t=text)


def _missing_key(entity: Entity) -> tuple[sql.Composable, sql.Composable, sql.Composable]:
    """(condition, detail, record key) of a record lacking a key field."""
    if not entity.key_columns:
        return sql.SQL("false"), sql.SQL("NULL"), sql.SQL("NULL")
    blanks = [_blank(name) for name in entity.key_columns]
    named = sql.SQL(", ").join(sql.SQL("CASE WHEN {} THEN {} END").format(blank, sql.Literal(name))
                               for blank, name in zip(blanks, entity.key_columns, strict=True))
    parts = sql.SQL(", ").join(sql.SQL("CASE WHEN {} THEN '' ELSE {} END").format(
        blank, _text(name)) for blank, name in zip(blanks, entity.key_columns, strict=True))
    key = sql.SQL("nullif(concat_ws('|', {}), {})").format(
        parts, sql.Literal("|" * (len(entity.key_columns) - 1)))
    detail = sql.SQL("concat_ws(', ', {}) || ' missing at ' || %(locator)s").format(named)
    return sql.SQL(" OR ").join(blanks), detail, key


def _shape_problem(entity: Entity) -> sql.Composable:
    """The first field whose JSON kind is not the contract's (`json_records._shape_problem`)."""
    whens = []
    for name in entity.columns:
        field = _field(name)
        if name in entity.containers:
            wrong, expected = sql.SQL("jsonb_typeof({}) NOT IN ('array', 'object', 'null')"
                                      ).format(field), "a list or object"
        else:
            wrong, expected = sql.SQL("jsonb_typeof({}) IN ('array', 'object')").format(
                field), "a plain value"
        got = sql.SQL(PYTHON_TYPES).format(v=field)
        whens.append(sql.SQL("WHEN {} THEN {} || {} || ' at ' || %(locator)s").format(
            wrong, sql.Literal(f"field {name!r}: expected {expected}, got "), got))
    return sql.SQL("CASE {} END").format(sql.SQL(" ").join(whens))


def _suspect(entity: Entity) -> sql.Composable:
    """A cheap test that is true for every record with a shape problem (and a few others):
    a list or an object as text starts with `[` or `{`."""
    tests = [sql.SQL("jsonb_typeof({}) NOT IN ('array', 'object', 'null')").format(_field(name))
             if name in entity.containers else
             sql.SQL("ascii({}) IN (91, 123)").format(_text(name))
             for name in entity.columns]
    # Null fields make the OR null, which would not spare the exact test: false instead.
    return sql.SQL("coalesce({}, false)").format(sql.SQL(" OR ").join(tests))


def _check_failure(check: CodeCheck, number: int, entity: Entity
                   ) -> tuple[sql.Composable, sql.Composable]:
    """(condition, detail) of a record whose code no crosswalk knows (`batch_writer.checked`);
    the known spellings are parameter `known_<number>`."""
    typed = sql.SQL("concat({})").format(sql.SQL(", ").join(
        _text(name) if name in entity.columns else sql.Literal("") for name in check.columns))
    key = _lookup_key(typed)
    # Values typed as a crosswalk spells them (nearly all) skip making the lookup key; they
    # are the keys of a jsonb object, found by binary search.
    condition = sql.SQL("CASE WHEN {}::jsonb ? {} THEN false "
                        "ELSE NOT ({} = ANY({}::text[])) END").format(
        sql.Placeholder(f"accepted_{number}"), typed, key, sql.Placeholder(f"known_{number}"))
    detail = sql.SQL("{} || {}").format(sql.Literal(f"{'+'.join(check.columns)} = "),
                                        _python_repr(key))
    return condition, detail


def _checked_key(entity: Entity) -> sql.Composable:
    """The record key of a rejected readable row: fields stripped, joined by `|`."""
    stripped = [sql.SQL("regexp_replace(coalesce({}, ''), "
                        "'^[[:space:]]+|[[:space:]]+$', '', 'g')").format(_text(name))
                for name in entity.key_columns]
    return sql.SQL("nullif(concat_ws('|', {}), '')").format(
        sql.SQL(", ").join(stripped) if stripped else sql.Literal(""))


def _verdict(entity: Entity) -> sql.Composable:
    """ARRAY[reason, detail, record key, raw content] of a record that cannot be loaded, else
    null; a null raw content is the record's."""
    missing, missing_detail, missing_key = _missing_key(entity)
    whens = [
        sql.SQL("WHEN jsonb_typeof(record) <> 'object' THEN ARRAY[{}, "
                "'record is not a JSON object', NULL]").format(sql.Literal(SCHEMA_DRIFT)),
        sql.SQL("WHEN {} THEN ARRAY[{}, {}, {}]").format(
            missing, sql.Literal(MISSING_KEY), missing_detail, missing_key),
        sql.SQL("WHEN {suspect} AND {problem} IS NOT NULL THEN ARRAY[{reason}, {problem}, {key}]"
                ).format(suspect=_suspect(entity), problem=_shape_problem(entity),
                         reason=sql.Literal(SCHEMA_DRIFT), key=missing_key),
    ]
    # A readable row's raw content is its columns, as `batch_writer.checked` writes it.
    row = sql.SQL("jsonb_build_object({})::text").format(sql.SQL(", ").join(
        sql.SQL("{}, {}").format(sql.Literal(name), _text(name)) for name in entity.columns))
    for number, check in enumerate(entity.checks):
        condition, detail = _check_failure(check, number, entity)
        whens.append(sql.SQL("WHEN {} THEN ARRAY[{}, {}, {}, {}]").format(
            condition, sql.Literal(check.reason), detail, _checked_key(entity), row))
    return sql.SQL("CASE {} END").format(sql.SQL(" ").join(whens))


def _code_lists(entity: Entity) -> dict[str, list[str] | Jsonb]:
    """The parameters of the code checks: the lookup keys a crosswalk knows (`known_<n>`),
    and the typed values accepted as they are (`accepted_<n>`, keys of an object)."""
    lists = {}
    for number, check in enumerate(entity.checks):
        known = known_spellings(check.seed, check.affiliation)
        lists[f"known_{number}"] = sorted(known)
        lists[f"accepted_{number}"] = Jsonb(dict.fromkeys(sorted(check.accepted_as_typed()),
                                                           True))
    return lists


@cache
def page_statement(entity: Entity) -> sql.Composed:
    """The statement that loads one page: its parameters are the page and the batch's lineage;
    it answers (rows loaded, rows quarantined)."""
    names = [*entity.columns, *WRITTEN_LINEAGE]
    texts = [sql.SQL("record ->> {} AS {}").format(sql.Literal(name), sql.Identifier(name))
             for name in entity.columns]
    return sql.SQL("""
WITH shaped AS MATERIALIZED (
    -- the record itself is kept only where quarantine needs it
    SELECT {columns}, verdict, CASE WHEN verdict IS NOT NULL THEN record END AS record
    FROM (SELECT *, {verdict} AS verdict
          FROM (SELECT record, {texts}
                FROM jsonb_array_elements(%(records)s::jsonb) AS records(record)
                OFFSET 0) AS fields  -- each field read once, not once per use
          OFFSET 0) AS judged
), quarantined AS (
    INSERT INTO raw.quarantine (batch_id, source, entity, academic_year, term, container,
                                record_key, reason, detail, raw_content, rows_counted)
    SELECT %(batch_id)s, %(source)s, %(entity)s, %(academic_year)s, %(term)s, %(container)s,
           verdict[3], verdict[1], verdict[2], coalesce(verdict[4], record::text), 1
    FROM shaped WHERE verdict IS NOT NULL
    RETURNING 1
), loaded AS (
    INSERT INTO {table} ({names})
    SELECT {columns}, %(batch_id)s, %(source)s, %(academic_year)s, %(term)s, %(container)s,
           %(locator)s, %(sha256)s
    FROM shaped WHERE verdict IS NULL
    RETURNING 1
)
SELECT (SELECT count(*) FROM loaded), (SELECT count(*) FROM quarantined)
""").format(verdict=_verdict(entity), texts=sql.SQL(", ").join(texts), table=entity.table,
            names=sql.SQL(", ").join(map(sql.Identifier, names)),
            columns=sql.SQL(", ").join(map(sql.Identifier, entity.columns)))


class PageText(bytes):
    """A page's JSON text, sent as the bytes it came in (never decoded into a str and back)."""


class PageTextDumper(Dumper):
    format = Format.BINARY  # the binary form of `text` is its UTF-8 bytes, checked by the server
    oid = postgres.types["text"].oid

    def dump(self, obj: bytes) -> bytes:
        return obj


def load_pages(conn: psycopg.Connection, delivery: Delivery, batch_id: int,
               pages: Iterable[JsonPage], hasher: ContentHash | None) -> tuple[int, int]:
    """Load pages into the batch (inside its transaction): (rows loaded, rows quarantined).

    The records `PageRows` can decode go by COPY; the others are gathered and, every
    `LEFT_BYTES_PER_ROUND`, judged by the statement (the COPY ends for it and starts again).
    Entities with list or object fields go by the statement whole."""
    if delivery.entity.containers:
        return _judge_pages(conn, delivery, batch_id, pages, hasher)
    entity = delivery.entity
    rows = PageRows(entity, (batch_id, entity.source, delivery.academic_year, delivery.term,
                             delivery.container))
    pages = iter(pages)
    loaded = quarantined = 0
    more = True
    while more:
        left: list[JsonPage] = []
        left_bytes, more = 0, False
        with conn.cursor() as cursor, cursor.copy(entity.copy_statement()) as copy:
            for page in pages:
                if hasher is not None:
                    hasher.page(page.sha256)
                split = rows.split(page)
                if split.rows:
                    copy.write(split.rows)
                    loaded += split.row_count
                if split.left is not None:
                    left.append(split.left)
                    left_bytes += len(split.left.records_json)
                    if left_bytes >= LEFT_BYTES_PER_ROUND:
                        more = True
                        break
        judged_loaded, judged_quarantined = _judge_pages(conn, delivery, batch_id, left, None)
        loaded, quarantined = loaded + judged_loaded, quarantined + judged_quarantined
    return loaded, quarantined


def _judge_pages(conn: psycopg.Connection, delivery: Delivery, batch_id: int,
                 pages: Iterable[JsonPage], hasher: ContentHash | None) -> tuple[int, int]:
    """Every record of the pages judged and written by the statement, pages pipelined."""
    statement = page_statement(delivery.entity).as_bytes(conn)  # composed once, not per page
    lineage = {"batch_id": batch_id, "source": delivery.entity.source,
               "entity": delivery.entity.name, "academic_year": delivery.academic_year,
               "term": delivery.term, "container": delivery.container,
               **_code_lists(delivery.entity)}
    conn.adapters.register_dumper(PageText, PageTextDumper)
    cursors = []
    with conn.pipeline():
        for page in pages:
            if hasher is not None:
                hasher.page(page.sha256)
            cursors.append(conn.execute(statement, {
                **lineage, "records": PageText(page.records_json), "locator": page.locator,
                "sha256": page.sha256}, prepare=True))
    counts = [cursor.fetchone() for cursor in cursors]
    return sum(loaded for loaded, _ in counts), sum(quarantined for _, quarantined in counts)
