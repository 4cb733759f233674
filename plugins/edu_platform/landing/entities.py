"""What a connector delivers: entities (raw tables), deliveries (batches) and items."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from psycopg import sql

from edu_platform.landing.code_checks import CodeCheck

# Lineage every raw row carries, after the source's own fields.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_batch_id", "bigint NOT NULL"),
    ("_source", "text NOT NULL"),
    ("_academic_year", "integer"),
    ("_term", "integer"),
    ("_container", "text NOT NULL"),
    ("_locator", "text"),
    ("_content_sha256", "text NOT NULL"),
    # The batch transaction's time: left to the default, it costs the server no parsing.
    ("_extracted_at", "timestamptz NOT NULL DEFAULT now()"),
)
# The lineage a loader writes: the rest is the columns' defaults.
WRITTEN_LINEAGE: tuple[str, ...] = tuple(name for name, kind in LINEAGE_COLUMNS
                                         if "DEFAULT" not in kind)


@dataclass(frozen=True)
class Entity:
    """One raw table: `raw.<source>__<name>` with the source's fields as delivered (text)."""

    source: str
    name: str
    columns: tuple[str, ...]
    # The source's own record key (joined with `|` in quarantine), and the codes a
    # record must carry to be readable.
    key_columns: tuple[str, ...] = ()
    checks: tuple[CodeCheck, ...] = ()
    # Fields a JSON source delivers as a list or an object (kept as their JSON text).
    containers: frozenset[str] = frozenset()

    @property
    def table_name(self) -> str:
        return f"{self.source.lower()}__{self.name}"

    @property
    def table(self) -> sql.Composable:
        return sql.Identifier("raw", self.table_name)

    def copy_statement(self) -> sql.Composed:
        """COPY of the entity's columns, then the written lineage, in text format."""
        names = [*self.columns, *WRITTEN_LINEAGE]
        return sql.SQL("COPY {} ({}) FROM STDIN").format(
            self.table, sql.SQL(", ").join(map(sql.Identifier, names)))


class Mode(Enum):
    """How a new batch relates to earlier batches of the same delivery."""

    REPLACE = "replace"  # a (corrected) re-delivery replaces the earlier batch
    APPEND = "append"  # incremental pulls add to what is there; staging keeps the latest


@dataclass(frozen=True)
class Delivery:
    """One batch: an entity's records for one year/term from one container (file or pull)."""

    entity: Entity
    academic_year: int | None
    term: int | None
    container: str
    mode: Mode = Mode.REPLACE
    source_timestamp: str | None = None  # e.g. the manifest's exported_at, a workbook's modified


class RawRow(NamedTuple):
    """A readable record: its field values as delivered, in `Entity.columns` order."""

    values: tuple[str | None, ...]
    locator: str  # where in the container: a page, a line, a row
    sha256: str  # of the content it came in: the file, or the API page's body


class JsonPage(NamedTuple):
    """Records as one JSON text (an array of objects), shaped into rows by the server."""

    records_json: bytes  # the array as the source sent it
    locator: str  # which answer: a page number, an offset
    sha256: str  # of the answer's body (lineage)


class Rejected(NamedTuple):
    """A record (or a whole file) that cannot be read: it goes to quarantine with its reason."""

    record_key: str | None
    reason: str
    raw_content: str
    detail: str = ""
    rows: int = 1  # a file rejected whole counts the rows its manifest declares
