"""Running one source's extraction for a year and term: every batch loaded or quarantined."""

from __future__ import annotations

import importlib
import logging
from dataclasses import asdict, dataclass, field

import psycopg

from edu_platform.landing.batch_writer import BatchResult, load_batch
from edu_platform.landing.watermarks import save_watermark
from edu_platform.province_config import ProvinceConfig
from edu_platform.sources.base import Connector, ExtractContext, SourceError

log = logging.getLogger(__name__)


@dataclass
class ExtractionSummary:
    source: str
    academic_year: int
    term: int
    batches: list[BatchResult] = field(default_factory=list)

    @property
    def rows_received(self) -> int:
        return sum(batch.rows_received for batch in self.batches)

    @property
    def rows_loaded(self) -> int:
        return sum(batch.rows_loaded for batch in self.batches)

    @property
    def rows_quarantined(self) -> int:
        return sum(batch.rows_quarantined for batch in self.batches)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source, "academic_year": self.academic_year, "term": self.term,
            "rows_received": self.rows_received, "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "batches": [asdict(batch) for batch in self.batches],
        }


def connector_for(kind: str) -> Connector:
    """The connector of a source kind: module `edu_platform.sources.<kind>`, function `extract`."""
    try:
        module = importlib.import_module(f"edu_platform.sources.{kind}")
    except ModuleNotFoundError as error:
        raise SourceError(kind, f"no connector module for source kind {kind!r}") from error
    return module.extract


def run_extraction(province: ProvinceConfig, source_name: str, academic_year: int, term: int,
                   warehouse_url: str) -> ExtractionSummary:
    config = province.sources[source_name]
    connector = connector_for(config["kind"])
    summary = ExtractionSummary(source_name, academic_year, term)
    with psycopg.connect(warehouse_url) as state, psycopg.connect(warehouse_url) as target:
        context = ExtractContext(source_name, config, academic_year, term, state,
                                province_code=province.code)
        try:
            for batch in connector(context):
                result = load_batch(target, batch.delivery, batch.items, batch.content_sha256)
                summary.batches.append(result)
                watermark = batch.next_watermark() if batch.next_watermark else None
                if watermark:
                    entity = batch.delivery.entity
                    save_watermark(state, entity.source, entity.name, academic_year, term,
                                   watermark)
        except SourceError:
            raise
        except Exception as error:  # name the source and the cause, keep the chain
            raise SourceError(source_name, f"{type(error).__name__}: {error}") from error
    log.info("%s %s/%s: received %s, loaded %s, quarantined %s in %s batches", source_name,
             term, academic_year, summary.rows_received, summary.rows_loaded,
             summary.rows_quarantined, len(summary.batches))
    return summary
