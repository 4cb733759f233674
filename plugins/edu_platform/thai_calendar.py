"""Thai academic calendar: B.E. years, academic years and terms, census dates."""

from __future__ import annotations

from datetime import date

BE_OFFSET = 543
ACADEMIC_YEAR_START = (5, 16)  # 16 May
TERM_2_START = (11, 1)  # term 1 runs May-October, term 2 November-March
CENSUS_DAY = {1: (6, 10), 2: (11, 10)}


def academic_year_and_term(day: date) -> tuple[int, int]:
    """The academic year (B.E.) and term a calendar day falls in."""
    starts_this_year = (day.month, day.day) >= ACADEMIC_YEAR_START
    start_ce = day.year if starts_this_year else day.year - 1
    term = 1 if starts_this_year and (day.month, day.day) < TERM_2_START else 2
    return start_ce + BE_OFFSET, term


def census_date(academic_year: int, term: int) -> date:
    month, day = CENSUS_DAY[term]
    return date(academic_year - BE_OFFSET, month, day)


def ce_year(academic_year: int) -> int:
    return academic_year - BE_OFFSET
