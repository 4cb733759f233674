"""report.html: one self-contained page (no script, no network) for the province's release.

Charts are inline SVG drawn in Python (svg_charts), styles are inline, and a
Content-Security-Policy forbids the page from loading anything at all, so it
reads the same from a USB stick as from a web server.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from edu_platform.publication import labels as vocabulary
from edu_platform.publication.labels import Label, ReleaseLabels
from edu_platform.publication.report_indicators import IndicatorSection, indicator_sections
from edu_platform.publication.report_quality import (
    outlier_table,
    revisions_table,
    scorecard_figures,
)
from edu_platform.publication.tables import Release

TEMPLATES = Path(__file__).parent / "templates"
FLAG_MARKS = {"capped": "c", "dirty": "d", "incomplete": "i", "low_n": "n",
              "out_of_range": "r", "unit_gap": "u"}


def render_report(release: Release, labels: ReleaseLabels) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    sections = indicator_sections(release, labels)
    families: dict[Label, list[IndicatorSection]] = {}
    for section in sections:
        families.setdefault(section.family, []).append(section)
    return environment.get_template("report.html.j2").render(
        release=release,
        province=labels.province,
        years=sorted({cell.academic_year for cell in release.indicators}),
        families=families,
        sections=sections,
        scorecard=scorecard_figures(release, labels),
        outliers=outlier_table(release, labels),
        revisions=revisions_table(release, labels),
        flags=vocabulary.FLAGS,
        flag_marks=FLAG_MARKS,
        statuses=vocabulary.STATUSES,
    )


def write_report(release: Release, labels: ReleaseLabels, path: Path) -> Path:
    path.write_text(render_report(release, labels), encoding="utf-8")
    return path
