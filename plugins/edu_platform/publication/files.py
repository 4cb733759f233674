"""Every file of one release, written into the release's own folder."""

from __future__ import annotations

from pathlib import Path

from edu_platform.publication.csv_json import write_indicators_csv, write_indicators_json
from edu_platform.publication.feedback import write_feedback_workbooks
from edu_platform.publication.html_report import write_report
from edu_platform.publication.indicator_table import indicator_records
from edu_platform.publication.labels import Label, ReleaseLabels
from edu_platform.publication.manifest import FEEDBACK_FOLDER, write_manifest
from edu_platform.publication.sdmx import write_sdmx_csv
from edu_platform.publication.tables import read_release
from edu_platform.publication.workbook import write_indicator_workbook


def write_release_files(warehouse_url: str, schema: str, out_dir: Path,
                        province_name_en: str, province_name_th: str) -> list[Path]:
    """Write release `schema`'s files into `out_dir`; returns them, manifest.json last.

    indicators.csv, indicators.xlsx, indicators.json, indicators_sdmx.csv, report.html,
    feedback/<AFFILIATION>.xlsx and manifest.json (each file's SHA-256).
    """
    release = read_release(warehouse_url, schema)
    labels = ReleaseLabels(release, province_name_en, province_name_th)
    records = indicator_records(release.indicators, labels)
    identity: dict[str, object] = {
        "schema": schema, "province_code": labels.province_code,
        "province_name_en": province_name_en, "province_name_th": province_name_th,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    title = Label(f"Education indicators, {province_name_en} ({schema})",
                  f"ตัวชี้วัดการศึกษาจังหวัด{province_name_th} ({schema})")
    files = [
        write_indicators_csv(records, out_dir / "indicators.csv"),
        write_indicator_workbook(records, release, title, out_dir / "indicators.xlsx"),
        write_indicators_json(records, release.indicator_definitions, identity,
                              out_dir / "indicators.json"),
        write_sdmx_csv(release.indicators, out_dir / "indicators_sdmx.csv"),
        write_report(release, labels, out_dir / "report.html"),
        *write_feedback_workbooks(release, labels, out_dir / FEEDBACK_FOLDER),
    ]
    return [*files, write_manifest(out_dir, files, identity)]
