"""The indicator table as published: dirty and incomplete cells withheld, capped cells at
their cap (indicators.md §6), every flag kept; and the revisions against the previous release."""

from __future__ import annotations

from psycopg import sql

CELL_KEYS = ("indicator", "academic_year", "area_code", "affiliation", "level", "grade",
             "age_group", "sex")
WITHHOLDING_FLAGS = ("dirty", "incomplete")
# A revision is a change beyond floating-point noise of re-summing the same numbers.
REVISION_TOLERANCE = 1e-9

_WITHHELD = sql.SQL("string_to_array(coalesce(flags, ''), ',') && {}::text[]").format(
    sql.Literal(list(WITHHOLDING_FLAGS)))


def create_published_indicators(audit_schema: str, release: str) -> sql.Composed:
    """`capped` publishes 100 (OOSR, which takes ANER's flag, publishes 0)."""
    return sql.SQL("""
        CREATE TABLE {target} AS
        SELECT
            indicator, academic_year, area_code, affiliation, level, grade, age_group, sex,
            CASE WHEN withheld THEN NULL ELSE value END AS value,
            CASE WHEN withheld THEN NULL ELSE numerator END AS numerator,
            CASE WHEN withheld THEN NULL ELSE denominator END AS denominator,
            unit, flags, province_code, withheld,
            CASE
                WHEN withheld THEN NULL
                WHEN 'capped' = ANY (string_to_array(coalesce(flags, ''), ','))
                    THEN CASE WHEN indicator = 'OOSR' THEN 0 ELSE 100 END
                ELSE value
            END AS value_published
        FROM (SELECT *, {withheld} AS withheld FROM {source}) AS cells
        ORDER BY indicator, academic_year, area_code, affiliation, level, grade, age_group, sex
    """).format(target=sql.Identifier(release, "indicators"),
                source=sql.Identifier(audit_schema, "indicators"), withheld=_WITHHELD)


def _numbers_differ(column: str) -> sql.Composed:
    new, old = sql.Identifier("new", column), sql.Identifier("old", column)
    return sql.SQL("(({new} IS NULL) <> ({old} IS NULL) OR abs({new} - {old}) > {tol})").format(
        new=new, old=old, tol=sql.Literal(REVISION_TOLERANCE))


def create_revisions(release: str, previous: str | None) -> sql.Composed:
    """Cells added, removed or changed (published value, numerator, denominator or flags)
    against the previous release; empty for the first release."""
    target = sql.Identifier(release, "revisions")
    if previous is None:
        return sql.SQL("""
            CREATE TABLE {target} AS
            SELECT {keys}, ''::text AS change, NULL::double precision AS previous_value,
                   NULL::double precision AS new_value, NULL::text AS previous_flags,
                   NULL::text AS new_flags
            FROM {cells} WHERE false
        """).format(target=target, cells=sql.Identifier(release, "indicators"),
                    keys=sql.SQL(", ").join(map(sql.Identifier, CELL_KEYS)))
    join = sql.SQL(" AND ").join(
        sql.SQL("coalesce({n}::text, '') = coalesce({o}::text, '')").format(
            n=sql.Identifier("new", key), o=sql.Identifier("old", key))
        for key in CELL_KEYS)
    keys = sql.SQL(", ").join(
        sql.SQL("coalesce({n}, {o}) AS {k}").format(
            n=sql.Identifier("new", key), o=sql.Identifier("old", key), k=sql.Identifier(key))
        for key in CELL_KEYS)
    changed = sql.SQL(" OR ").join(
        [_numbers_differ(c) for c in ("value_published", "numerator", "denominator")]
        + [sql.SQL("new.flags IS DISTINCT FROM old.flags")])
    return sql.SQL("""
        CREATE TABLE {target} AS
        SELECT {keys},
            CASE WHEN old.indicator IS NULL THEN 'added'
                 WHEN new.indicator IS NULL THEN 'removed'
                 ELSE 'changed' END AS change,
            old.value_published AS previous_value, new.value_published AS new_value,
            old.flags AS previous_flags, new.flags AS new_flags
        FROM {new_cells} AS new
        FULL JOIN {old_cells} AS old ON {join}
        WHERE old.indicator IS NULL OR new.indicator IS NULL OR {changed}
    """).format(target=target, keys=keys, join=join, changed=changed,
                new_cells=sql.Identifier(release, "indicators"),
                old_cells=sql.Identifier(previous, "indicators"))
