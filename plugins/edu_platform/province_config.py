"""One YAML file per province (`include/provinces/<slug>.yaml`) configures everything."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from edu_platform.paths import provinces_dir

DEFAULT_PROVINCE = "rayong"
DEFAULT_WAREHOUSE_DATABASE = "warehouse"


@dataclass(frozen=True)
class District:
    code: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class ProvinceConfig:
    code: str
    slug: str
    name_th: str
    name_en: str
    districts: tuple[District, ...]
    academic_years: tuple[int, ...]
    # Provinces share a server, each with a warehouse database of its own.
    warehouse_database: str = DEFAULT_WAREHOUSE_DATABASE
    settings: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


def province_file(slug: str) -> Path:
    return provinces_dir() / f"{slug}.yaml"


def available_provinces() -> list[str]:
    return sorted(path.stem for path in provinces_dir().glob("*.yaml"))


def load_province(slug: str | None = None) -> ProvinceConfig:
    slug = slug or os.environ.get("EDU_PROVINCE", DEFAULT_PROVINCE)
    path = province_file(slug)
    if not path.exists():
        raise FileNotFoundError(
            f"no configuration for province {slug!r}: expected {path} "
            f"(known: {', '.join(available_provinces())})"
        )
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    province = raw["province"]
    return ProvinceConfig(
        code=str(province["code"]),
        slug=province["slug"],
        name_th=province["name_th"],
        name_en=province["name_en"],
        districts=tuple(District(str(d["code"]), d["name_th"], d["name_en"])
                        for d in province["districts"]),
        academic_years=tuple(int(y) for y in raw.get("academic_years", [])),
        warehouse_database=province.get("warehouse_database", DEFAULT_WAREHOUSE_DATABASE),
        settings=raw.get("settings", {}),
        sources=raw.get("sources", {}) or {},
    )
