"""report.html in headless Chromium: no console error, no request outside the file, charts drawn.

Screenshots go to var/test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from edu_platform.paths import var_dir
from tests.browser import chromium
from tests.publication.conftest import PROVINCE_EN, PROVINCE_TH, Published
from tests.publication.expected import query

# Per chart: its size and how many bars and withheld marks have a visible size.
CHART_GEOMETRY = """section => [...section.querySelectorAll('svg.chart')].map(svg => {
    const visible = el => {
        const b = el.getBoundingClientRect();
        return b.width > 0 && b.height > 0;
    };
    const box = svg.getBoundingClientRect();
    return {width: box.width, height: box.height,
            bars: [...svg.querySelectorAll('rect.bar')].filter(visible).length,
            withheld: svg.querySelectorAll('.withheld-mark').length};
})"""


@dataclass
class OpenedReport:
    page: Page
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as opened:
        yield opened


@pytest.fixture(scope="module")
def report(published: Published, browser: Browser) -> Iterator[OpenedReport]:
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    opened = OpenedReport(page, (published.folder / "report.html").as_uri())
    page.on("console", lambda message: opened.console_errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: opened.console_errors.append(str(error)))
    page.on("request", lambda request: opened.requests.append(request.url))
    page.goto(opened.url, wait_until="load")
    yield opened
    page.close()


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_opens_with_no_console_error_and_no_request_outside_the_file(
        report: OpenedReport) -> None:
    assert report.console_errors == []
    outside = [url for url in report.requests if url != report.url and not url.startswith("data:")]
    assert outside == []


def test_screenshots_for_a_person_to_check(report: OpenedReport) -> None:
    folder = var_dir() / "test-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    top = folder / "publication_report.png"
    report.page.screenshot(path=str(top))
    first_indicator = folder / "publication_report_indicator.png"
    report.page.locator("section.indicator").first.screenshot(path=str(first_indicator))
    scorecard = folder / "publication_report_scorecard.png"
    report.page.locator("#scorecard").screenshot(path=str(scorecard))
    assert _png_size(top) == (1400, 1800)
    for element_shot in (first_indicator, scorecard):
        width, height = _png_size(element_shot)
        assert width > 600 and height > 300


def _trend_cells(published: Published, indicator: str) -> list[dict[str, object]]:
    """The cells the first chart of a section draws: province, all affiliations, sex T (every
    indicator of the fixture has a total)."""
    return query(published.warehouse_url, """
        SELECT withheld FROM {schema}.indicators
        WHERE indicator = %s AND area_code = province_code AND affiliation = 'ALL'
          AND sex = 'T'""", indicator)


def test_every_indicator_has_charts_with_its_bars_drawn(
        report: OpenedReport, published: Published) -> None:
    indicators = [row["indicator"] for row in query(
        published.warehouse_url, "SELECT DISTINCT indicator FROM {schema}.indicators")]
    assert len(indicators) > 5
    for indicator in indicators:
        section = report.page.locator(f"#ind-{indicator}")
        charts = section.evaluate(CHART_GEOMETRY)
        assert charts, indicator
        assert all(chart["width"] > 100 and chart["height"] > 100 for chart in charts)
        assert all(chart["bars"] + chart["withheld"] > 0 for chart in charts), indicator
        cells = _trend_cells(published, indicator)
        assert charts[0]["bars"] == sum(1 for cell in cells if not cell["withheld"]), indicator
        assert charts[0]["withheld"] == sum(1 for cell in cells if cell["withheld"]), indicator


def test_scorecard_and_methodology_are_there_in_both_languages(
        report: OpenedReport, published: Published) -> None:
    text = report.page.inner_text("body")
    assert PROVINCE_TH in text and PROVINCE_EN in text
    scorecard = report.page.locator("#scorecard")
    assert scorecard.locator("svg.chart rect.bar").count() > 0
    warnings = query(published.warehouse_url, """SELECT count(*) AS n FROM {schema}.scorecard
        WHERE status = 'warn' AND area_code = province_code""")[0]["n"]
    assert scorecard.locator("td.status-warn").count() == warnings
    methodology = report.page.inner_text("#methodology")
    for note in query(published.warehouse_url, "SELECT * FROM {schema}.methodology_notes"):
        assert note["description_th"] in methodology and note["description_en"] in methodology
