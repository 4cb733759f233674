"""How the counting rules (shared/domain/indicators.md §1-2) read a delivered value.

The ledger is computed by applying these to what the sources actually deliver,
never from the hidden truth, so that it says what a correct pipeline must read.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from .ids import THAI_DIGITS, is_valid_citizen_id
from .vocab import FEMALE_PREFIXES, MALE_PREFIXES

_FROM_THAI = str.maketrans(THAI_DIGITS, "0123456789")
_GCODE = re.compile(r"G\d{12}")
_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SEX_CODES = {"1": "M", "2": "F", "M": "M", "F": "F", "ช": "M", "ญ": "F",
              "ชาย": "M", "หญิง": "F"}
CENSUS = {1: (6, 10), 2: (11, 10)}


def thai_to_ascii(value: str) -> str:
    return value.translate(_FROM_THAI)


def normalize_id(value: str | None) -> str | None:
    if value is None:
        return None
    if value.isascii() and value.isalnum():
        return value  # the common case: nothing to remove or translate
    text = thai_to_ascii(value).strip()
    if text == "" or text.upper() == "NULL":
        return None
    return re.sub(r"[\s\-]", "", text) or None


@lru_cache(maxsize=1 << 20)
def classify_id(norm: str | None) -> str:
    if norm is None:
        return "none"
    if len(norm) == 13 and norm.isascii() and norm.isdigit():
        return "citizen_valid" if is_valid_citizen_id(norm) else "citizen_invalid"
    if _GCODE.fullmatch(norm):
        return "gcode"
    return "malformed"


def sex_of(code: str | None, name_or_prefix: str | None = None) -> str | None:
    if code is not None and code.strip() in _SEX_CODES:
        return _SEX_CODES[code.strip()]
    if name_or_prefix:
        text = name_or_prefix.strip()
        # longest first: นางสาว before นาง
        for prefix in sorted(MALE_PREFIXES + FEMALE_PREFIXES, key=len, reverse=True):
            if text.startswith(prefix):
                return "M" if prefix in MALE_PREFIXES else "F"
    return None


def build_date(year: int, month: int, day: int) -> date | None:
    """Unknown day 00 -> 15th; unknown month 00 -> 1 July; None if impossible."""
    if month == 0:
        month, day = 7, 1
    elif day == 0:
        day = 15
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_ymd(text: str | None, be: bool) -> date | None:
    """``YYYY-MM-DD`` (OBEC: B.E.; OVEC: C.E.)."""
    if not text:
        return None
    m = _YMD.fullmatch(thai_to_ascii(text).strip())
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    return build_date(year - 543 if be else year, month, day)


def parse_dmy_be(text: str | None) -> date | None:
    """``DD/MM/YYYY`` with a B.E. year (OPEC, DLA text dates)."""
    if not text:
        return None
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", thai_to_ascii(text).strip())
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    return build_date(year - 543, month, day)


@lru_cache(maxsize=64)
def census_date(academic_year: int, term: int) -> date:
    month, day = CENSUS[term]
    return date(academic_year - 543, month, day)


def age_on_reference(birth: date, academic_year: int) -> int:
    ref = date(academic_year - 543, 5, 16)
    return ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))


def read_birth(birth: date | None, academic_year: int, term: int,
               typed_age: int | None = None) -> tuple[date | None, int | None]:
    """(birth_date, age) as the rules read them; ``typed_age`` only for DLA."""
    if birth is not None and birth > census_date(academic_year, term):
        birth = None
    age = age_on_reference(birth, academic_year) if birth is not None else None
    if age is not None and not 2 <= age <= 99:
        age = None
    if age is None and typed_age is not None and 2 <= typed_age <= 99:
        age = typed_age
    return birth, age
