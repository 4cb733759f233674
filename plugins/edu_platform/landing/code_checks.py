"""Codes a record must carry to be readable: a grade or status no crosswalk knows.

quality.md makes such records unreadable (quarantined at landing), and the
crosswalks are dbt seeds: the loader reads the same CSV files, so there is one
code list for both, and a spelling added to a seed is accepted everywhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from edu_platform.paths import dbt_project_dir


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
        return "".join((record.get(name) or "").strip() for name in self.columns)

    def accepts(self, record: dict[str, str | None]) -> bool:
        return self.value(record) in known_spellings(self.seed, self.affiliation)


def grade_and_status(affiliation: str, grade_columns: tuple[str, ...],
                     status_column: str = "status") -> tuple[CodeCheck, CodeCheck]:
    return (CodeCheck("unknown_grade", "grade_crosswalk", affiliation, grade_columns),
            CodeCheck("unknown_status", "status_crosswalk", affiliation, (status_column,)))
