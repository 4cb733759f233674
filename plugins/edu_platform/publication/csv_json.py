"""indicators.csv (UTF-8 with a BOM, so that Excel reads the Thai) and indicators.json."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from edu_platform.publication.indicator_table import INDICATOR_COLUMNS, Record
from edu_platform.publication.neutralize import neutralize
from edu_platform.publication.tables import IndicatorDefinition


def csv_text(value: object) -> str:
    """A value as CSV text: empty for missing, lower-case booleans, full-precision numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(neutralize(value))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, object]],
              *, excel_bom: bool) -> Path:
    with path.open("w", encoding="utf-8-sig" if excel_bom else "utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_text(row[key]) for key in header])
    return path


def write_indicators_csv(records: list[Record], path: Path) -> Path:
    return write_csv(path, [column.key for column in INDICATOR_COLUMNS], records,
                     excel_bom=True)


def write_indicators_json(records: list[Record], definitions: list[IndicatorDefinition],
                          release: Mapping[str, object], path: Path) -> Path:
    document = {
        "release": release,
        "columns": [asdict(column) for column in INDICATOR_COLUMNS],
        "indicator_definitions": [asdict(definition) for definition in definitions],
        "indicators": records,
    }
    # allow_nan=False: a NaN would make the file invalid JSON; better to fail loudly.
    path.write_text(json.dumps(document, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return path
