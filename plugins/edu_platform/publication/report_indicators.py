"""The report's indicator sections: each indicator by year, sex, affiliation and district.

A cell's *category* is what the indicator is broken down by besides area, sex
and affiliation: its level, grade or age group (NFE_ENR has a level and an age
group). The *headline sex* is the total (T) where the indicator has one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from edu_platform.publication import labels as vocabulary
from edu_platform.publication.labels import Label, ReleaseLabels
from edu_platform.publication.report_tables import (
    CellView,
    Chart,
    Figures,
    Table,
    TableRow,
    cell_view,
    format_value,
    plain_number,
)
from edu_platform.publication.svg_charts import WITHHELD, BarValue, Series, grouped_bar_chart
from edu_platform.publication.tables import IndicatorCell, IndicatorDefinition, Release

Category = tuple[str, str, str]  # level, grade, age group ('' where not given)
CellKey = tuple[int, str, str, Category, str]  # year, area, affiliation, category, sex
ALL = "ALL"
SEX_ORDER = ("T", "M", "F")
PROVINCE_COLOUR = "#CC79A7"


def category_of(cell: IndicatorCell) -> Category:
    return cell.level or "", cell.grade or "", cell.age_group or ""


def category_label(category: Category) -> Label:
    parts = [vocabulary.named(codes, code) for codes, code in
             zip((vocabulary.LEVELS, vocabulary.GRADES, vocabulary.AGE_GROUPS), category,
                 strict=True) if code]
    if not parts:
        return Label("all", "ทั้งหมด")
    return Label(" · ".join(p.en for p in parts), " · ".join(p.th for p in parts))


def _position(codes: dict[str, Label], code: str) -> tuple[int, str]:
    order = list(codes)
    return (order.index(code), code) if code in order else (len(order), code)


def category_order(category: Category) -> tuple[tuple[int, str], ...]:
    level, grade, age_group = category
    return (_position(vocabulary.LEVELS, level), _position(vocabulary.GRADES, grade),
            _position(vocabulary.AGE_GROUPS, age_group))


def _sex_label(sex: str) -> Label:
    return vocabulary.named(vocabulary.SEXES, sex)


@dataclass(frozen=True)
class CellRow:
    """A line of the section's full table (every published cell of the indicator)."""

    year: int
    area: Label
    affiliation: str
    category: Label
    sex: Label
    view: CellView
    numerator: str
    denominator: str


@dataclass
class IndicatorSection:
    code: str
    name: Label
    family: Label
    unit: Label
    formula: str
    disaggregation: str
    latest_year: int
    figures: Figures = field(default_factory=Figures)
    cell_rows: list[CellRow] = field(default_factory=list)


class _IndicatorCells:
    """One indicator's cells, indexed for the charts and tables."""

    def __init__(self, cells: list[IndicatorCell], province_code: str) -> None:
        self.province = province_code
        self.by_key = {(c.academic_year, c.area_code, c.affiliation, category_of(c), c.sex): c
                       for c in cells}
        self.areas = {c.area_code for c in cells}
        self.years = sorted({c.academic_year for c in cells})
        self.latest = self.years[-1]
        self.categories = sorted({category_of(c) for c in cells}, key=category_order)
        sexes = {c.sex for c in cells}
        self.sexes = [s for s in SEX_ORDER if s in sexes] + sorted(sexes - set(SEX_ORDER))
        self.headline_sex = self.sexes[0]
        affiliations = {c.affiliation for c in cells} - {ALL}
        self.affiliations = ([ALL] if any(c.affiliation == ALL for c in cells) else []) + sorted(
            affiliations)
        self.unit = cells[0].unit

    def value(self, key: CellKey) -> BarValue:
        cell = self.by_key.get(key)
        if cell is None:
            return None
        return WITHHELD if cell.withheld else cell.value_published


def _value_text(unit: str) -> Callable[[float], str]:
    return lambda value: format_value(value, unit)


def _province_chart(data: _IndicatorCells, title: Label,
                    series: list[tuple[Label, int, str, str]]) -> Chart:
    """A group of bars per category at province level; a series per (year, affiliation, sex)."""
    return Chart(title, grouped_bar_chart(
        title, [category_label(c) for c in data.categories],
        [Series(name, [data.value((year, data.province, affiliation, category, sex))
                       for category in data.categories])
         for name, year, affiliation, sex in series],
        _value_text(data.unit)))


def _trend(data: _IndicatorCells, name: Label) -> Chart:
    title = Label(f"{name.en}: province by year", f"{name.th}: ระดับจังหวัด รายปี")
    return _province_chart(data, title, [(Label(str(year), str(year)), year, ALL,
                                          data.headline_sex) for year in data.years])


def _by_sex(data: _IndicatorCells, name: Label) -> Chart:
    title = Label(f"{name.en}: province by sex, {data.latest}",
                  f"{name.th}: ระดับจังหวัด จำแนกตามเพศ ปี {data.latest}")
    return _province_chart(data, title, [(_sex_label(sex), data.latest, ALL, sex)
                                         for sex in ("M", "F")])


def _by_affiliation(data: _IndicatorCells, name: Label, labels: ReleaseLabels) -> Chart:
    title = Label(f"{name.en}: province by affiliation, {data.latest}",
                  f"{name.th}: ระดับจังหวัด จำแนกตามสังกัด ปี {data.latest}")
    return _province_chart(data, title, [
        (labels.affiliation_short(affiliation), data.latest, affiliation, data.headline_sex)
        for affiliation in data.affiliations])


def _by_district(data: _IndicatorCells, areas: list[str], labels: ReleaseLabels
                 ) -> list[Chart]:
    """Small multiples: a chart per level or grade, a bar per area (the province first) and
    age group (NFE_ENR)."""
    charts = []
    for level_and_grade in dict.fromkeys(category[:2] for category in data.categories):
        categories = [c for c in data.categories if c[:2] == level_and_grade]
        series = [Series(vocabulary.named(vocabulary.AGE_GROUPS, category[2])
                         if category[2] else Label("value", "ค่า"),
                         [data.value((data.latest, area, ALL, category, data.headline_sex))
                          for area in areas])
                  for category in categories]
        name = category_label((*level_and_grade, ""))
        title = Label(f"{name.en}, {data.latest}", f"{name.th} ปี {data.latest}")
        charts.append(Chart(title, grouped_bar_chart(
            title, [labels.area(area) for area in areas], series, _value_text(data.unit)),
            small=True))
    return charts


def _province_table(data: _IndicatorCells) -> Table:
    rows = [
        TableRow(Label(f"{category_label(category).en}, {_sex_label(sex).en}",
                       f"{category_label(category).th} {_sex_label(sex).th}"),
                 [cell_view(data.by_key.get((year, data.province, ALL, category, sex)))
                  for year in data.years])
        for category in data.categories for sex in data.sexes
    ]
    return Table(Label("Province by year", "ระดับจังหวัด รายปี"),
                 Label("breakdown, sex", "จำแนก เพศ"),
                 [Label(str(year), str(year)) for year in data.years], rows)


def _pivot_table(data: _IndicatorCells, title: Label, corner: Label,
                 rows: list[tuple[Label, str, str]]) -> Table:
    """Rows of (heading, area, affiliation) for the latest year, a column per category."""
    return Table(title, corner, [category_label(c) for c in data.categories], [
        TableRow(heading, [
            cell_view(data.by_key.get((data.latest, area, affiliation, category,
                                       data.headline_sex)))
            for category in data.categories])
        for heading, area, affiliation in rows
    ])


def _cell_row(cell: IndicatorCell, labels: ReleaseLabels) -> CellRow:
    shown = not cell.withheld
    return CellRow(
        year=cell.academic_year, area=labels.area(cell.area_code),
        affiliation=cell.affiliation, category=category_label(category_of(cell)),
        sex=_sex_label(cell.sex), view=cell_view(cell),
        numerator=plain_number(cell.numerator) if shown and cell.numerator is not None else "",
        denominator=(plain_number(cell.denominator)
                     if shown and cell.denominator is not None else ""))


def _section(definition: IndicatorDefinition | None, code: str, cells: list[IndicatorCell],
             areas: list[str], labels: ReleaseLabels) -> IndicatorSection:
    data = _IndicatorCells(cells, labels.province_code)
    areas = [area for area in areas if area in data.areas]
    name = labels.indicator(code)
    family = definition.family if definition else ""
    section = IndicatorSection(
        code=code, name=name, family=vocabulary.named(vocabulary.FAMILIES, family),
        unit=vocabulary.named(vocabulary.UNITS, data.unit),
        formula=(definition.formula or "") if definition else "",
        disaggregation=(definition.disaggregation or "") if definition else "",
        latest_year=data.latest, cell_rows=[_cell_row(cell, labels) for cell in cells])
    figures = section.figures
    figures.charts.append(_trend(data, name))
    if {"M", "F"} <= set(data.sexes):
        figures.charts.append(_by_sex(data, name))
    if len(data.affiliations) > 1:
        figures.charts.append(_by_affiliation(data, name, labels))
    figures.charts.extend(_by_district(data, areas, labels))
    figures.tables.append(_province_table(data))
    sex = _sex_label(data.headline_sex)
    figures.tables.append(_pivot_table(
        data, Label(f"Districts, {data.latest}, sex {sex.en}",
                    f"รายอำเภอ ปี {data.latest} เพศ{sex.th}"),
        Label("area", "พื้นที่"), [(labels.area(area), area, ALL) for area in areas]))
    if len(data.affiliations) > 1:
        figures.tables.append(_pivot_table(
            data, Label(f"Affiliations, province, {data.latest}, sex {sex.en}",
                        f"รายสังกัด ระดับจังหวัด ปี {data.latest} เพศ{sex.th}"),
            Label("affiliation", "สังกัด"),
            [(labels.affiliation(a), labels.province_code, a) for a in data.affiliations]))
    return section


def indicator_sections(release: Release, labels: ReleaseLabels) -> list[IndicatorSection]:
    """One section per indicator that has cells, in the order of the definitions."""
    cells_of: dict[str, list[IndicatorCell]] = defaultdict(list)
    for cell in release.indicators:
        cells_of[cell.indicator].append(cell)
    definitions = {d.code: d for d in release.indicator_definitions}
    codes = [d.code for d in release.indicator_definitions if d.code in cells_of]
    codes += sorted(set(cells_of) - set(codes))
    areas = [area.area_code for area in release.areas]
    return [_section(definitions.get(code), code, cells_of[code], areas, labels)
            for code in codes]
