"""The Provincial Education Office's register of education units: one CSV file.

`<drop>/registry/units.csv` (shared/sources/peo-registry.md), UTF-8, English
header. Not per term: the current register, loaded by every run (the
Delivery's academic year and term are None); an unchanged file is skipped.

Entity `peo_registry__units`, raw columns = the header's names (values as delivered):
unit_id, affiliation, source_code, name_th, unit_type, tambon_code, opened_on,
closed_on; line_no (header = line 1).

Idempotency: one batch, container `registry/units.csv`, REPLACE, content hash =
the file's sha256: a new version of the register replaces the old one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from edu_platform.landing.entities import Delivery, Entity, Mode
from edu_platform.sources.base import Batch, ExtractContext
from edu_platform.sources.text_files import CsvFile, csv_batch, drop_dir

log = logging.getLogger(__name__)

NAMES = ("unit_id", "affiliation", "source_code", "name_th", "unit_type", "tambon_code",
         "opened_on", "closed_on")
COLUMNS = {name: name for name in NAMES}
UNITS = Entity("peo_registry", "units", (*NAMES, "line_no"))
CONTAINER = "registry/units.csv"


def extract(context: ExtractContext) -> Iterator[Batch]:
    path = drop_dir(context) / CONTAINER
    if not path.is_file():
        log.info("%s: %s not delivered: nothing loaded", context.source_name, path)
        return
    delivery = Delivery(UNITS, None, None, CONTAINER, Mode.REPLACE)
    yield csv_batch(delivery, CsvFile(path, CONTAINER, COLUMNS))
