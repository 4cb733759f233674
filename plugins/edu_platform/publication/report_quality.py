"""The report's quality sections: the Ed-DQAF scorecard, units to follow up, revisions."""

from __future__ import annotations

from collections import Counter

from edu_platform.publication import labels as vocabulary
from edu_platform.publication.labels import Label, ReleaseLabels
from edu_platform.publication.report_tables import (
    CellView,
    Chart,
    Figures,
    Table,
    TableRow,
    plain_number,
)
from edu_platform.publication.svg_charts import Series, grouped_bar_chart
from edu_platform.publication.tables import Release, ScorecardRow

RATE_MEASURES = ("units_reporting", "valid_id_rate", "known_grade_rate",
                 "plausible_birth_date_rate", "known_sex_rate", "batches_reconciled")


def _scorecard_text(row: ScorecardRow) -> str:
    if row.value is None:
        return ""
    if row.numerator is not None and row.denominator is not None:
        return f"{row.value:.1f}"
    return plain_number(row.value)


def _scorecard_cell(row: ScorecardRow | None) -> CellView:
    if row is None:
        return CellView("")
    note = row.detail or ""
    if row.numerator is not None and row.denominator is not None:
        note = f"{plain_number(row.numerator)} / {plain_number(row.denominator)} {note}".strip()
    return CellView(_scorecard_text(row), note=note, status=row.status)


def _term_table(rows: list[ScorecardRow], year: int, term: int, labels: ReleaseLabels
                ) -> Table:
    affiliations = list(dict.fromkeys(r.affiliation for r in rows))
    measures = list(dict.fromkeys((r.dqaf_line, r.measure) for r in rows))
    by_key = {(r.dqaf_line, r.measure, r.affiliation): r for r in rows}
    return Table(
        Label(f"Academic year {year}, term {term}: province",
              f"ปีการศึกษา {year} ภาคเรียนที่ {term}: ระดับจังหวัด"),
        Label("Ed-DQAF line · measure", "ข้อ Ed-DQAF · ตัววัด"),
        [labels.affiliation_short(a) for a in affiliations],
        [TableRow(_measure_label(line, measure),
                  [_scorecard_cell(by_key.get((line, measure, a))) for a in affiliations])
         for line, measure in measures])


def _measure_label(line: str, measure: str) -> Label:
    dqaf = vocabulary.named(vocabulary.DQAF_LINES, line)
    name = vocabulary.named(vocabulary.MEASURES, measure)
    return Label(f"{dqaf.en} · {name.en}", f"{dqaf.th} · {name.th}")


def _rates_chart(rows: list[ScorecardRow], year: int, term: int, labels: ReleaseLabels
                 ) -> Chart | None:
    affiliations = list(dict.fromkeys(r.affiliation for r in rows))
    by_key = {(r.measure, r.affiliation): r.value for r in rows}
    measures = [m for m in RATE_MEASURES if any(r.measure == m for r in rows)]
    if not measures:
        return None
    title = Label(f"Completeness and validity, {year} term {term} (%)",
                  f"ความครบถ้วนและความถูกต้อง ปี {year} ภาคเรียนที่ {term} (ร้อยละ)")
    series = [Series(vocabulary.named(vocabulary.MEASURES, m),
                     [by_key.get((m, a)) for a in affiliations]) for m in measures]
    return Chart(title, grouped_bar_chart(
        title, [labels.affiliation_short(a) for a in affiliations], series,
        lambda value: f"{value:.1f}"))


def scorecard_figures(release: Release, labels: ReleaseLabels) -> Figures:
    """The province's scorecard, latest term first, and a chart of the latest term's rates."""
    province_rows = [r for r in release.scorecard if r.area_code == labels.province_code]
    terms = sorted({(r.academic_year, r.term) for r in province_rows}, reverse=True)
    figures = Figures()
    for index, (year, term) in enumerate(terms):
        rows = [r for r in province_rows if (r.academic_year, r.term) == (year, term)]
        chart = _rates_chart(rows, year, term, labels) if index == 0 else None
        if chart is not None:
            figures.charts.append(chart)
        figures.tables.append(_term_table(rows, year, term, labels))
    return figures


def outlier_table(release: Release, labels: ReleaseLabels) -> Table:
    return Table(
        Label("Units to follow up: enrolment change with |modified z| > 3.5",
              "สถานศึกษาที่ควรติดตาม: จำนวนนักเรียนเปลี่ยนแปลงผิดปกติ (|modified z| > 3.5)"),
        Label("unit", "สถานศึกษา"),
        [Label("year", "ปี"), Label("affiliation", "สังกัด"), Label("district", "อำเภอ"),
         Label("enrolment", "นักเรียน"), Label("last year", "ปีก่อน"),
         Label("change", "เปลี่ยนแปลง"), Label("modified z", "modified z")],
        [TableRow(Label(o.unit_name or o.unit_key, o.unit_name or o.unit_key), [
            CellView(str(o.academic_year)), CellView(o.affiliation),
            CellView(labels.area(o.district_code).th),
            *(CellView("" if number is None else plain_number(number))
              for number in (o.enrolment, o.previous_enrolment, o.change)),
            CellView("" if o.modified_z is None else f"{o.modified_z:.2f}"),
        ]) for o in release.scorecard_outliers])


def revisions_table(release: Release, labels: ReleaseLabels) -> Table:
    counts = Counter((r.indicator, r.change) for r in release.revisions)
    indicators = list(dict.fromkeys(r.indicator for r in release.revisions))
    changes = list(vocabulary.CHANGES)
    return Table(
        Label("Changes from the previous release (cells)",
              "การเปลี่ยนแปลงจากการเผยแพร่ครั้งก่อน (จำนวนช่อง)"),
        Label("indicator", "ตัวชี้วัด"),
        [vocabulary.CHANGES[change] for change in changes],
        [TableRow(labels.indicator(indicator),
                  [CellView(str(counts[(indicator, change)])) for change in changes])
         for indicator in indicators])
