"""Codes a record must carry to be readable: a grade or status no crosswalk knows.

quality.md makes such records unreadable (quarantined at landing), and the
crosswalks are dbt seeds: the loader reads the same CSV files, so there is one
code list for both, and a spelling added to a seed is accepted everywhere.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

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


@dataclass(frozen=True)
class CodeCheck:
    """The value of `columns` (stripped, joined) must be a spelling of `seed` for the source."""

    reason: str  # quarantine reason code, e.g. unknown_grade
    seed: str  # dbt seed holding (source, spelling, ...)
    affiliation: str  # the seed's `source` value
    columns: tuple[str, ...]

    def value(self, record: dict[str, str | None]) -> str:
        return lookup_key("".join(record.get(name) or "" for name in self.columns))

    def accepts(self, record: dict[str, str | None]) -> bool:
        return self.value(record) in known_spellings(self.seed, self.affiliation)


def grade_and_status(affiliation: str, grade_columns: tuple[str, ...],
                     status_column: str = "status") -> tuple[CodeCheck, CodeCheck]:
    return (CodeCheck("unknown_grade", "grade_crosswalk", affiliation, grade_columns),
            CodeCheck("unknown_status", "status_crosswalk", affiliation, (status_column,)))
