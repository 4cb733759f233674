"""Formula-injection defence for spreadsheet exports (CSV and XLSX).

A spreadsheet runs a text cell that begins with `=`, `+`, `-` or `@` (and, in
some, after a leading tab or carriage return) as a formula, so source text such
as a record key or a reason detail could run code on a reader's machine. Such
text gets a leading `'`, which shows the text as it is. Numbers stay numbers:
-1.5 is a value, "-1" delivered as text is text.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
