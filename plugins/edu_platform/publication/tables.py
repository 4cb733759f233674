"""A release schema read into typed rows: the only module of publication that queries PostgreSQL.

Each dataclass names exactly the columns it reads, so a release schema may hold
more (every audit mart is copied into it) without the publication noticing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import class_row


@dataclass(frozen=True)
class IndicatorCellKey:
    """What names one cell of the indicator table; a revision names its cell the same way."""

    indicator: str
    academic_year: int
    area_code: str
    affiliation: str
    level: str | None
    grade: str | None
    age_group: str | None
    sex: str


@dataclass(frozen=True)
class IndicatorCell(IndicatorCellKey):
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    flags: str | None
    province_code: str
    withheld: bool
    value_published: float | None

    @property
    def flag_list(self) -> list[str]:
        return [flag for flag in (self.flags or "").split(",") if flag]


@dataclass(frozen=True)
class ScorecardRow:
    province_code: str
    academic_year: int
    term: int
    affiliation: str
    area_code: str
    dqaf_line: str
    measure: str
    numerator: float | None
    denominator: float | None
    value: float | None
    status: str
    detail: str | None


@dataclass(frozen=True)
class ScorecardOutlier:
    province_code: str
    academic_year: int
    affiliation: str
    unit_key: str
    unit_name: str | None
    district_code: str | None
    enrolment: float | None
    previous_enrolment: float | None
    change: float | None
    modified_z: float | None


@dataclass(frozen=True)
class FeedbackRecord:
    province_code: str
    affiliation: str
    source: str
    academic_year: int | None
    term: int | None
    record_key: str | None
    locator: str | None
    problem: str
    reason: str
    detail: str | None


@dataclass(frozen=True)
class MethodologyNote:
    section: str
    key: str
    value: str | None
    description_en: str | None
    description_th: str | None


@dataclass(frozen=True)
class Revision(IndicatorCellKey):
    change: str
    previous_value: float | None
    new_value: float | None
    previous_flags: str | None
    new_flags: str | None


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name_en: str
    name_th: str
    unit: str
    family: str
    disaggregation: str | None
    formula: str | None


@dataclass(frozen=True)
class Affiliation:
    code: str
    name_th: str | None
    abbreviation_th: str | None
    name_en: str | None


@dataclass(frozen=True)
class Area:
    area_code: str
    area_level: str
    province_code: str
    name_th: str | None
    name_en: str | None


@dataclass(frozen=True)
class Release:
    schema: str
    indicators: list[IndicatorCell]
    scorecard: list[ScorecardRow]
    scorecard_outliers: list[ScorecardOutlier]
    feedback_records: list[FeedbackRecord]
    methodology_notes: list[MethodologyNote]
    revisions: list[Revision]
    indicator_definitions: list[IndicatorDefinition]
    affiliations: list[Affiliation]
    areas: list[Area]


_CELL_ORDER = tuple(field.name for field in fields(IndicatorCellKey))

# The order every export shows: stable across runs, so releases diff cleanly.
_TABLES: dict[str, tuple[str, type, tuple[str, ...]]] = {
    "indicators": ("indicators", IndicatorCell, _CELL_ORDER),
    "scorecard": ("scorecard", ScorecardRow, (
        "academic_year", "term", "affiliation", "area_code", "dqaf_line", "measure")),
    "scorecard_outliers": ("scorecard_outliers", ScorecardOutlier, (
        "academic_year", "affiliation", "unit_key")),
    "feedback_records": ("feedback_records", FeedbackRecord, (
        "affiliation", "source", "academic_year", "term", "problem", "reason", "record_key",
        "locator")),
    "methodology_notes": ("methodology_notes", MethodologyNote, ("section", "key")),
    "revisions": ("revisions", Revision, _CELL_ORDER),
    # Physical order of the seed copy = the seed file's order, which reads as indicators.md.
    "indicator_definitions": ("indicator_definitions", IndicatorDefinition, ("ctid",)),
    "affiliations": ("affiliations", Affiliation, ("code",)),
    "areas": ("dim_area", Area, ("area_level DESC", "area_code")),
}


def _order_by(keys: tuple[str, ...]) -> sql.Composable:
    parts = []
    for key in keys:
        column, _, direction = key.partition(" ")
        parts.append(sql.SQL("{} {}").format(
            sql.Identifier(column), sql.SQL(direction or "ASC")))
    return sql.SQL(" ORDER BY ") + sql.SQL(", ").join(parts)


def _read_table(conn: psycopg.Connection[Any], schema: str, table: str, row_type: type,
                order: tuple[str, ...]) -> list[Any]:
    columns = sql.SQL(", ").join(sql.Identifier(field.name) for field in fields(row_type))
    query = sql.SQL("SELECT {} FROM {}.{}").format(
        columns, sql.Identifier(schema), sql.Identifier(table)) + _order_by(order)
    with conn.cursor(row_factory=class_row(row_type)) as cursor:
        return cursor.execute(query).fetchall()


def read_release(warehouse_url: str, schema: str) -> Release:
    """Every published table of one release schema, in one read-only snapshot."""
    with psycopg.connect(warehouse_url) as conn:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        tables = {
            name: _read_table(conn, schema, table, row_type, order)
            for name, (table, row_type, order) in _TABLES.items()
        }
    return Release(schema=schema, **tables)
