"""Airflow DAG file: one extract DAG per source in the province's configuration.

The DAGs are generated (edu_platform.extract_dags), never copied; the province
comes from EDU_PROVINCE (default rayong).
"""

from __future__ import annotations

from edu_platform.extract_dags import build_extract_dag
from edu_platform.province_config import load_province

_province = load_province()
for _source_name in _province.sources:
    globals()[f"extract_{_source_name}"] = build_extract_dag(_province, _source_name)
