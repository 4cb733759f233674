"""Formula-injection defence: text that a spreadsheet would run is quoted; numbers are not."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from edu_platform.publication.csv_json import write_csv
from edu_platform.publication.neutralize import neutralize


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx",
                                  '=HYPERLINK("http://x.example","y")'])
def test_formula_looking_text_gets_a_quote(text: str) -> None:
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", ["ระยอง", "a=b", "", "1-2", -1, -2.5, 0.0, None, True])
def test_other_values_are_left_alone(value: object) -> None:
    assert neutralize(value) == value


def test_csv_quotes_text_but_keeps_negative_numbers(scratch_dir: Path) -> None:
    path = write_csv(scratch_dir / "cells.csv", ["key", "value", "note"], [
        {"key": "-1", "value": -2.5, "note": '=HYPERLINK("http://x.example","ดู")'},
        {"key": "ก-1", "value": None, "note": "@cmd"},
    ], excel_bom=True)
    with path.open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert rows == [
        {"key": "'-1", "value": "-2.5", "note": '\'=HYPERLINK("http://x.example","ดู")'},
        {"key": "ก-1", "value": "", "note": "'@cmd"},
    ]
