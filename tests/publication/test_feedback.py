"""Feedback workbooks: each affiliation sees its own records, coverage and timeliness, and no
source text can run as a formula in any exported workbook."""

from __future__ import annotations

import openpyxl
import pytest

from tests.publication.conftest import Published
from tests.publication.expected import query
from tests.publication.release_builder import FORMULA_DETAIL, NEGATIVE_TEXT_KEY

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _as_exported(text: str | None) -> str | None:
    """What a spreadsheet cell must hold for source text: a formula-looking start quoted."""
    if text is None:
        return None
    text = text.replace("\x07", "")
    return "'" + text if text.startswith(TRIGGERS) else text


def _sheet_rows(published: Published, affiliation: str, sheet: str) -> list[dict[str, object]]:
    workbook = openpyxl.load_workbook(published.folder / "feedback" / f"{affiliation}.xlsx")
    rows = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[2:]]


def _affiliations(published: Published) -> list[str]:
    return [row["code"] for row in query(published.warehouse_url, """
        SELECT code FROM {schema}.affiliations UNION SELECT affiliation
        FROM {schema}.feedback_records ORDER BY 1""")]


def test_one_workbook_per_affiliation(published: Published) -> None:
    files = sorted(path.stem for path in (published.folder / "feedback").glob("*.xlsx"))
    assert files == _affiliations(published)


@pytest.mark.parametrize("affiliation", ["OBEC", "OPEC", "DLA", "OVEC", "DLP"])
def test_records_are_the_affiliations_own_under_their_source_keys(
        published: Published, affiliation: str) -> None:
    expected = query(published.warehouse_url, """
        SELECT * FROM {schema}.feedback_records WHERE affiliation = %s""", affiliation)
    exported = _sheet_rows(published, affiliation, "records")
    assert sorted(map(str, (r["Record key (as delivered)"] for r in exported))) == sorted(
        map(str, (_as_exported(r["record_key"]) for r in expected)))
    assert sorted(map(str, (r["Detail"] for r in exported))) == sorted(
        map(str, (_as_exported(r["detail"]) for r in expected)))


@pytest.mark.parametrize(("sheet", "line"), [("coverage", "3.1"), ("timeliness", "4.1")])
def test_coverage_and_timeliness_come_from_the_scorecard(
        published: Published, sheet: str, line: str) -> None:
    expected = query(published.warehouse_url, """
        SELECT academic_year, term, area_code, value, detail FROM {schema}.scorecard
        WHERE affiliation = 'OBEC' AND dqaf_line = %s""", line)
    exported = _sheet_rows(published, "OBEC", sheet)
    assert sorted((r["Academic year (B.E.)"], r["Term"], r["Area code"], r["Value"],
                   r["Detail"]) for r in exported) == sorted(
        (r["academic_year"], r["term"], r["area_code"], r["value"], r["detail"])
        for r in expected)


def test_formula_looking_source_text_is_neutralized(published: Published) -> None:
    sheet = openpyxl.load_workbook(published.folder / "feedback" / "OBEC.xlsx")["records"]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=3) for cell in row}
    assert "'" + FORMULA_DETAIL in cells and FORMULA_DETAIL not in cells
    assert cells["'" + FORMULA_DETAIL].data_type == "s"
    assert cells["'" + NEGATIVE_TEXT_KEY].data_type == "s"  # text "-1" stays text, quoted
    other_checks = _sheet_rows(published, "OBEC", "other_checks")
    assert "'=1+1" in {row["Detail"] for row in other_checks}


def test_no_exported_workbook_holds_a_formula(published: Published) -> None:
    workbooks = [published.folder / "indicators.xlsx",
                 *(published.folder / "feedback").glob("*.xlsx")]
    for path in workbooks:
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{sheet.title}{cell.coordinate}"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(TRIGGERS), (
                            f"{path.name}!{sheet.title}{cell.coordinate}: {cell.value!r}")
