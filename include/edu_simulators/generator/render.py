"""How a true value is typed into a source, with the defects it may carry.

Every function returns what the source delivers plus the defect codes added;
the ledger then reads the delivered value back with ``rules``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from .ids import break_checksum, malform, to_thai_digits, with_dashes, with_spaces
from .imperfections import Dice
from .vocab import UNKNOWN_GRADES, UNKNOWN_STATUSES, canonical, status_word, variants

BANGKOK = timedelta(hours=7)
FORMULA_STARTS = ("=", "+", "-", "@")


class Renderer:
    def __init__(self, dice: Dice, rng: random.Random) -> None:
        self.dice = dice
        self.rng = rng

    # identifiers -----------------------------------------------------------
    def id(self, true_id: str | None, defects: list[str], *, formats: tuple[str, ...] = (),
           dash_factor: float = 1.0, blank: str | None = "") -> str | None:
        """``formats``: which of dashes/spaces/thai the source's typists use."""
        d = self.dice
        if true_id is None or d("id_blank"):
            if true_id is not None:
                defects.append("id_blank")
            return blank
        if d("id_malformed"):
            defects.append("id_malformed")
            return malform(true_id, self.rng)
        value = true_id
        if not value.startswith("G") and d("id_checksum"):
            defects.append("id_checksum")
            value = break_checksum(value)
        if not value.startswith("G"):
            if "dashes" in formats and d("id_dashes", dash_factor):
                defects.append("id_dashes")
                value = with_dashes(value)
            elif "spaces" in formats and d("id_spaces"):
                defects.append("id_spaces")
                value = with_spaces(value)
        if "thai" in formats and d("id_thai_digits"):
            defects.append("id_thai_digits")
            value = to_thai_digits(value)
        return value

    # birth dates -----------------------------------------------------------
    def birth_parts(self, birth: date, grade_age_shift: bool, defects: list[str],
                    allow_zero: bool) -> tuple[int, int, int] | None:
        """(year C.E., month, day) as typed, 0 for unknown parts; None if blank.
        An impossible date is returned as parts that do not form a date."""
        d = self.dice
        if d("birth_blank"):
            defects.append("birth_blank")
            return None
        y, m, dd = birth.year, birth.month, birth.day
        if grade_age_shift and d("birth_implausible_grade"):
            defects.append("birth_implausible_grade")
            y += self.rng.choice((-6, -5, 5, 6))
        if d("birth_impossible"):
            defects.append("birth_impossible")
            return (y, 2, 30 + self.rng.randint(0, 1)) if self.rng.random() < 0.5 else (y, 13, dd)
        if allow_zero and d("birth_month_00"):
            defects.append("birth_month_00")
            return y, 0, 0
        if allow_zero and d("birth_day_00"):
            defects.append("birth_day_00")
            return y, m, 0
        return y, m, dd

    # codes -----------------------------------------------------------------
    def grade(self, grade: str, source: str, defects: list[str],
              allow_unknown: bool = True) -> tuple[str, str | None]:
        """(text, grade the crosswalk reads or None)."""
        if allow_unknown and self.dice("unknown_grade"):
            defects.append("unknown_grade")
            return self.rng.choice(UNKNOWN_GRADES), None
        if self.dice("grade_spelling"):
            defects.append("grade_spelling")
            return self.rng.choice(variants(grade)), grade
        return canonical(grade, source), grade

    def status(self, source: str, status: str, defects: list[str],
               allow_unknown: bool = True) -> tuple[str, str | None]:
        if allow_unknown and self.dice("unknown_status"):
            defects.append("unknown_status")
            return self.rng.choice(UNKNOWN_STATUSES), None
        return status_word(source, status)

    # text ------------------------------------------------------------------
    def name(self, text: str, defects: list[str]) -> str:
        if self.dice("formula_name"):
            defects.append("formula_name")
            return self.rng.choice(FORMULA_STARTS) + text
        return self.trailing(text, defects)

    def trailing(self, text: str, defects: list[str]) -> str:
        if self.dice("trailing_space"):
            if "trailing_space" not in defects:
                defects.append("trailing_space")
            return text + " " * self.rng.randint(1, 3)
        return text

    # time ------------------------------------------------------------------
    def census_time(self, academic_year: int, term: int, after_days: int = 0) -> datetime:
        """A local (Bangkok) time in the census window of the term."""
        ce = academic_year - 543
        start = datetime(ce, 6, 1, 8) if term == 1 else datetime(ce, 11, 1, 8)
        # Office hours on one of nine days, to the second, from a single draw.
        slot = int(self.rng.random() * 9 * 36_000)
        return start + timedelta(days=after_days + slot // 36_000, seconds=slot % 36_000)

    def timestamp(self, local: datetime, defects: list[str]) -> tuple[str, datetime]:
        """(ISO 8601 text, the instant in UTC as a naive datetime)."""
        utc = local - BANGKOK
        if self.dice("ts_z"):
            defects.append("ts_z")
            return utc.strftime("%Y-%m-%dT%H:%M:%SZ"), utc
        return local.strftime("%Y-%m-%dT%H:%M:%S+07:00"), utc


def missing_key(self_: Renderer, key: str, defects: list[str], allow: bool) -> str:
    if allow and self_.dice("missing_key"):
        defects.append("missing_key")
        return ""
    return key
