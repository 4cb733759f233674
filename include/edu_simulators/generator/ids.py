"""Thai citizen IDs and G-codes: valid ones, and the ways clerks mistype them."""

from __future__ import annotations

import operator
import random

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)


_WEIGHTS = tuple(range(13, 1, -1))  # d_i * (14 - i) for i = 1..12


def check_digit(first12: str) -> int:
    total = sum(map(operator.mul, map(int, first12), _WEIGHTS))
    return (11 - total % 11) % 10


def is_valid_citizen_id(value: str) -> bool:
    return (len(value) == 13 and value.isascii() and value.isdigit()
            and check_digit(value[:12]) == int(value[12]))


class IdAllocator:
    """Unique IDs without a set of used ones: serial i maps to a scrambled
    7-digit number by a bijection (multiplying by a unit modulo 10**7)."""

    _MULT = 7_654_321  # odd, not a multiple of 5: invertible mod 10**7

    def __init__(self, salt: int) -> None:
        self.salt = salt % 10**7
        self.counters: dict[str, int] = {}

    def _serial(self, space: str) -> int:
        n = self.counters.get(space, 0)
        self.counters[space] = n + 1
        if n >= 10**7:
            raise OverflowError(f"ID space {space} exhausted")
        return (n * self._MULT + self.salt) % 10**7

    def citizen(self, first_digit: str, office: str) -> str:
        """``office``: 4 digits (the registering district)."""
        body = f"{first_digit}{office}{self._serial(first_digit + office):07d}"
        return body + str(check_digit(body))

    def gcode(self, office: str) -> str:
        return f"G{office}{self._serial('G' + office):07d}0"[:13]


def with_dashes(cid: str) -> str:
    return f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"


def with_spaces(cid: str) -> str:
    return f"{cid[0]} {cid[1:5]} {cid[5:10]} {cid[10:12]} {cid[12]}"


def to_thai_digits(value: str) -> str:
    return value.translate(_TO_THAI)


def break_checksum(cid: str) -> str:
    """Change the check digit so the ID fails the checksum (a typing slip)."""
    wrong = (int(cid[12]) + 1 + (int(cid[11]) % 8)) % 10
    return cid[:12] + str(wrong)


def malform(value: str, rng: random.Random) -> str:
    """An ID with a digit missing: neither 13 digits nor a well-formed G-code."""
    i = rng.randrange(1, len(value))
    return value[:i] + value[i + 1:]
