"""Codes a record must carry to be readable: a grade or status no crosswalk knows.

quality.md makes such records unreadable (quarantined at landing), and the
crosswalks are dbt seeds: the loader reads the same CSV files, so there is one
code list for both, and a spelling added to a seed is accepted everywhere.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from edu_platform.paths import dbt_project_dir

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789", "\u200b")
WHITE_SPACE = re.compile(r"[\s\u00a0]+")


def lookup_key(text: str) -> str:
    """The form a code is looked up in: as the dbt macro `code_lookup_key` makes it."""
    return WHITE_SPACE.sub(" ", text.translate(THAI_DIGITS)).strip()


@cache
def known_spellings(seed: str, affiliation: str) -> frozenset[str]:
    with (dbt_project_dir() / "seeds" / f"{seed}.csv").open(encoding="utf-8") as handle:
        return frozenset(row["spelling"] for row in csv.DictReader(handle)
                         if row["source"] == affiliation)


# A source uses a few dozen spellings for millions of records: each is judged once.
@lru_cache(maxsize=4096)
def is_known(seed: str, affiliation: str, typed: str) -> bool:
    return lookup_key(typed) in known_spellings(seed, affiliation)


@dataclass(frozen=True)
class CodeCheck:
    """The value of `columns` (stripped, joined) must be a spelling of `seed` for the source."""

    reason: str  # quarantine reason code, e.g. unknown_grade
    seed: str  # dbt seed holding (source, spelling, ...)
    affiliation: str  # the seed's `source` value
    columns: tuple[str, ...]

    def typed(self, record: dict[str, str | None]) -> str:
        """The columns' values joined as delivered (before the lookup key is made)."""
        return "".join(record.get(name) or "" for name in self.columns)

    def value(self, record: dict[str, str | None]) -> str:
        return lookup_key(self.typed(record))

    def typed_reader(self, columns: tuple[str, ...]
                     ) -> Callable[[Sequence[str | None]], str]:
        """`typed` for rows given as values in `columns` order (no dict per row)."""
        positions = [columns.index(name) if name in columns else None for name in self.columns]
        if len(positions) == 1 and positions[0] is not None:  # the common case, made cheap
            position = positions[0]
            return lambda values: (values[position] or "") if position < len(values) else ""

        def typed(values: Sequence[str | None]) -> str:
            return "".join((values[i] or "") if i is not None and i < len(values) else ""
                           for i in positions)
        return typed

    def accepts_typed(self, typed: str) -> bool:
        return is_known(self.seed, self.affiliation, typed)

    def accepted_as_typed(self) -> frozenset[str]:
        """The crosswalk's spellings that are accepted as they are typed (their lookup key
        is a spelling too): nearly every value a source sends."""
        return frozenset(spelling for spelling in known_spellings(self.seed, self.affiliation)
                         if self.accepts_typed(spelling))


def grade_and_status(affiliation: str, grade_columns: tuple[str, ...],
                     status_column: str = "status") -> tuple[CodeCheck, CodeCheck]:
    return (CodeCheck("unknown_grade", "grade_crosswalk", affiliation, grade_columns),
            CodeCheck("unknown_status", "status_crosswalk", affiliation, (status_column,)))
