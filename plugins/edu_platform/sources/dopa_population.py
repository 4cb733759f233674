"""DOPA registered population by district, single year of age and sex: one CSV per C.E. year.

`<drop>/dopa/population_<C.E. year>.csv` (shared/sources/dopa-population.md),
UTF-8 with a BOM. Yearly, not per term: every run loads every file present
(the Delivery's academic year and term are None); unchanged files are skipped
by their hash.

Entity `dopa_population__population`, raw columns (values as delivered: `"1,234"` and
`100 ปีขึ้นไป` stay as they are, dbt staging parses them): รหัสพื้นที่
district_code, ชื่อพื้นที่ district_name, อายุ age, ชาย male, หญิง female,
รวม total; ce_year (from the file name); line_no (header = line 1).

Idempotency: one batch per file, container = `dopa/population_<year>.csv`,
REPLACE, content hash = the file's sha256.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from edu_platform.landing.entities import Delivery, Entity, Mode
from edu_platform.sources.base import Batch, ExtractContext
from edu_platform.sources.text_files import CsvFile, csv_batch, drop_dir

log = logging.getLogger(__name__)

COLUMNS = {"รหัสพื้นที่": "district_code", "ชื่อพื้นที่": "district_name", "อายุ": "age",
           "ชาย": "male", "หญิง": "female", "รวม": "total"}
POPULATION = Entity("dopa_population", "population", (*COLUMNS.values(), "ce_year", "line_no"))
FILE_NAME = re.compile(r"^population_(\d{4})\.csv$")


def extract(context: ExtractContext) -> Iterator[Batch]:
    root = drop_dir(context)
    files = sorted((root / "dopa").glob("population_*.csv"))
    if not files:
        log.info("%s: no population_<year>.csv in %s: nothing loaded", context.source_name,
                 root / "dopa")
    for path in files:
        match = FILE_NAME.match(path.name)
        if not match:
            log.warning("%s: %s is not population_<C.E. year>.csv: skipped",
                        context.source_name, path.name)
            continue
        container = path.relative_to(root).as_posix()
        delivery = Delivery(POPULATION, None, None, container, Mode.REPLACE)
        yield csv_batch(delivery, CsvFile(path, container, COLUMNS, (match[1],)))
