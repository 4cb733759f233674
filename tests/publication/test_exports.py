"""The indicator files (CSV, XLSX, JSON, SDMX-CSV) and the manifest against the release tables."""

from __future__ import annotations

import csv
import hashlib
import json

import openpyxl
import pytest

from edu_platform.thai_calendar import ce_year
from tests.publication.conftest import PROVINCE_EN, PROVINCE_TH, Published
from tests.publication.expected import cell_key, published_cells, query
from tests.publication.release_builder import NO_ENGLISH_NAME, NO_THAI_NAME


def _expected_value(row: dict[str, object]) -> float | None:
    return None if row["withheld"] else row["value_published"]


def _csv_number(text: str) -> float | None:
    return float(text) if text else None


def test_csv_has_a_bom_and_every_cell_with_its_published_value(published: Published) -> None:
    path = published.folder / "indicators.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads the Thai only with it
    with path.open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    expected = published_cells(published.warehouse_url)
    assert len(rows) == len(expected)
    for row in rows:
        source = expected[cell_key(row)]
        assert _csv_number(row["value"]) == _expected_value(source)
        assert row["flags"] == (source["flags"] or "")
        assert row["withheld"] == str(source["withheld"]).lower()
        numerator = None if source["withheld"] else source["numerator"]
        assert _csv_number(row["numerator"]) == numerator


def test_csv_names_areas_in_thai_and_english_or_by_code(published: Published) -> None:
    with (published.folder / "indicators.csv").open(encoding="utf-8-sig") as exported:
        names = {row["area_code"]: (row["area_name_th"], row["area_name_en"])
                 for row in csv.DictReader(exported)}
    assert names["21"] == (PROVINCE_TH, PROVINCE_EN)
    assert names["2101"] == ("เมืองระยอง", "Mueang Rayong")
    assert names[NO_THAI_NAME] == (NO_THAI_NAME, "Nikhom Phatthana")
    assert names[NO_ENGLISH_NAME] == ("เขาชะเมา", NO_ENGLISH_NAME)


def test_capped_cells_publish_100_and_withheld_ones_nothing(published: Published) -> None:
    with (published.folder / "indicators.csv").open(encoding="utf-8-sig") as exported:
        rows = list(csv.DictReader(exported))
    capped = [r for r in rows if "capped" in r["flags"]]
    withheld = [r for r in rows if r["withheld"] == "true"]
    assert capped and all(float(r["value"]) == 100.0 for r in capped)
    assert withheld and all(r["value"] == r["numerator"] == r["denominator"] == ""
                            for r in withheld)
    assert {"dirty", "incomplete"} <= {f for r in withheld for f in r["flags"].split(",")}


def test_workbook_has_a_sheet_per_family_matching_the_table(published: Published) -> None:
    workbook = openpyxl.load_workbook(published.folder / "indicators.xlsx")
    expected = published_cells(published.warehouse_url)
    families = {row["family"] for row in expected.values()}
    assert families <= set(workbook.sheetnames)
    assert "notes" in workbook.sheetnames
    seen = 0
    for family in families:
        sheet = workbook[family]
        english, thai = ([cell.value for cell in row] for row in sheet.iter_rows(max_row=2))
        assert english[0] == "Indicator code" and thai[0] == "รหัสตัวชี้วัด"
        for values in sheet.iter_rows(min_row=3, values_only=True):
            row = dict(zip(english, values, strict=True))
            key = cell_key({
                "indicator": row["Indicator code"], "academic_year": row["Academic year (B.E.)"],
                "area_code": row["Area code"], "affiliation": row["Affiliation"],
                "level": row["Level"], "grade": row["Grade"], "age_group": row["Age group"],
                "sex": row["Sex (T total, M, F)"]})
            source = expected[key]
            assert source["family"] == family
            expected_value = _expected_value(source)
            # XLSX keeps 16 significant digits (Excel itself shows 15)
            assert row["Value (published)"] == (
                None if expected_value is None else pytest.approx(expected_value, rel=1e-15))
            assert row["Flags"] == source["flags"]
            seen += 1
    assert seen == len(expected)


def test_negative_numbers_stay_numbers_in_the_workbook(published: Published) -> None:
    sheet = openpyxl.load_workbook(published.folder / "indicators.xlsx")["efficiency"]
    value_column = [c.value for c in sheet[1]].index("Value (published)")
    negatives = [row[value_column] for row in sheet.iter_rows(min_row=3)
                 if isinstance(row[value_column].value, float) and row[value_column].value < 0]
    assert negatives, "the fixture has negative DROP values"
    assert all(cell.data_type == "n" for cell in negatives)


def test_notes_sheet_holds_the_methodology_notes(published: Published) -> None:
    sheet = openpyxl.load_workbook(published.folder / "indicators.xlsx")["notes"]
    texts = {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell}
    for note in query(published.warehouse_url, "SELECT * FROM {schema}.methodology_notes"):
        assert {note["key"], note["description_en"], note["description_th"]} <= texts


def test_json_matches_the_table(published: Published) -> None:
    document = json.loads((published.folder / "indicators.json").read_text(encoding="utf-8"))
    expected = published_cells(published.warehouse_url)
    assert document["release"]["province_name_th"] == PROVINCE_TH
    assert len(document["indicators"]) == len(expected)
    for record in document["indicators"]:
        source = expected[cell_key(record)]
        assert record["value"] == _expected_value(source)
        assert record["flags"] == source["flags"]


def test_sdmx_rows_carry_uis_style_codes(published: Published) -> None:
    with (published.folder / "indicators_sdmx.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = published_cells(published.warehouse_url)
    assert len(rows) == len(expected)
    assert list(rows[0]) == ["DATAFLOW", "REF_AREA", "TIME_PERIOD", "INDICATOR", "EDU_LEVEL",
                             "SEX", "AFFILIATION", "GRADE", "AGE_GROUP", "UNIT_MEASURE",
                             "OBS_VALUE", "OBS_STATUS"]
    years = {ce_year(int(row["academic_year"])) for row in expected.values()}
    assert {int(row["TIME_PERIOD"]) for row in rows} == years
    assert {row["REF_AREA"] for row in rows} == {f"TH-{row['area_code']}"
                                                 for row in expected.values()}
    assert {row["SEX"] for row in rows} == {"_T", "M", "F"}
    withheld = sum(1 for row in expected.values() if row["withheld"])
    assert sum(1 for row in rows if row["OBS_VALUE"] == "") == withheld
    grade_one = [row for row in rows if row["GRADE"] == "G1"]
    assert grade_one and {row["EDU_LEVEL"] for row in grade_one} == {"L1"}


@pytest.mark.parametrize("field", ["sha256", "bytes"])
def test_manifest_lists_every_file_as_written(published: Published, field: str) -> None:
    manifest = json.loads((published.folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    written = {path.relative_to(published.folder).as_posix() for path in published.files}
    assert set(listed) == written - {"manifest.json"}
    for relative, entry in listed.items():
        content = (published.folder / relative).read_bytes()
        actual = hashlib.sha256(content).hexdigest() if field == "sha256" else len(content)
        assert entry[field] == actual
    assert listed["feedback/OBEC.xlsx"]["audience"] == "affiliation:OBEC"
    assert listed["report.html"]["audience"] == "public"
