"""Extract DAGs generated from the province configuration: one per source, none copied.

Each DAG plans the (academic year, term) pairs to pull (from its params, else
from the run's data interval), extracts each as a mapped task, and, when all
landed, updates the source's Asset so that the warehouse build can start.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, Asset, CronTriggerTimetable, Param, get_current_context, task

from edu_platform.dag_defaults import default_args
from edu_platform.province_config import ProvinceConfig
from edu_platform.thai_calendar import academic_year_and_term

log = logging.getLogger(__name__)
TIMEZONE = "Asia/Bangkok"
START_DATE = pendulum.datetime(2024, 5, 16, tz=TIMEZONE)


def source_asset(province: ProvinceConfig, source_name: str) -> Asset:
    return Asset(name=f"raw_{province.slug}_{source_name}",
                 uri=f"edu-raw://{province.slug}/{source_name}")


def _doc(province: ProvinceConfig, source_name: str, config: dict[str, Any]) -> str:
    needs = sorted(str(v)[4:] for v in config.values() if str(v).startswith("env:"))
    return f"""
### Extract {config.get('title', source_name)} — {province.name_en}

**What it does.** Pulls `{source_name}` for each planned academic year and term
into the raw zone (`raw.{source_name.split('_')[0]}__*`), one batch per file or
pull, each in one transaction: a batch lands whole or not at all. Unreadable
records go to `raw.quarantine` with a reason; every batch reconciles
(received = loaded + quarantined). When all terms landed, the Asset
`{source_asset(province, source_name).name}` is updated and the warehouse build
can start.

**Params.** `academic_years` and `terms` (lists); empty = the year and term of
the run's data interval. Backfill past terms by triggering with
`{{"academic_years": [2565, 2566], "terms": [1, 2]}}` or with
`airflow backfill create --dag-id extract_{source_name} --from-date ... --to-date ...`.

**What it needs.** Environment variables (or the matching Airflow
connections): {', '.join(f'`{n}`' for n in needs) or 'none'}; the
`warehouse_loader` connection (the loader role: it writes the raw zone only).

**When it fails.** The task log's last line names the source and the cause:
`unauthorized`/`invalid_client` = wrong credentials; `rate_limited`,
`unavailable` or a time limit = the source is down or slow (it retries with
backoff; re-run later); `schema drift` = the source changed its format (tell
the data engineers, nothing was loaded); a missing variable = configuration.
The other sources are not affected, and the last published release stays.
"""


def build_extract_dag(province: ProvinceConfig, source_name: str) -> DAG:
    config = province.sources[source_name]
    per_term = config.get("per_term", True)
    asset = source_asset(province, source_name)
    with DAG(
        dag_id=f"extract_{source_name}",
        schedule=CronTriggerTimetable(config["schedule"], timezone=TIMEZONE),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=default_args(owner="data-engineering",
                                  execution_timeout=timedelta(hours=2)),
        doc_md=_doc(province, source_name, config),
        tags=[f"source:{source_name}", "stage:extract", f"province:{province.slug}"],
        params={
            "academic_years": Param(None, type=["null", "array"],
                                    description="B.E. years; empty = from the data interval"),
            "terms": Param(None, type=["null", "array"], description="1 and/or 2"),
        },
    ) as dag:

        @task
        def plan_terms() -> list[dict[str, int]]:
            context = get_current_context()
            params = context["params"]
            if not per_term:
                year, term = academic_year_and_term(context["data_interval_end"].date())
                return [{"academic_year": year, "term": term}]
            if params.get("academic_years"):
                years = [int(y) for y in params["academic_years"]]
                terms = [int(t) for t in params.get("terms") or [1, 2]]
                return [{"academic_year": y, "term": t} for y in years for t in terms]
            year, term = academic_year_and_term(context["data_interval_end"].date())
            return [{"academic_year": year, "term": term}]

        @task(max_active_tis_per_dagrun=1)
        def extract(year_term: dict[str, int]) -> dict[str, Any]:
            from edu_platform.airflow_connections import warehouse_url
            from edu_platform.airflow_env import WAREHOUSE_LOADER_CONN_ID
            from edu_platform.landing.extract import run_extraction

            summary = run_extraction(province, source_name, year_term["academic_year"],
                                     year_term["term"], warehouse_url(WAREHOUSE_LOADER_CONN_ID))
            return summary.as_dict()

        @task(outlets=[asset])
        def mark_landed(summaries: list[dict[str, Any]]) -> dict[str, int]:
            totals = {key: sum(int(s[key]) for s in summaries)
                      for key in ("rows_received", "rows_loaded", "rows_quarantined")}
            log.info("%s landed: %s", source_name, totals)
            return totals

        mark_landed(extract.expand(year_term=plan_terms()))
    return dag
