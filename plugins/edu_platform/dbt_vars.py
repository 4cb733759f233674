"""The dbt variables a province's configuration sets (include/provinces/<slug>.yaml)."""

from __future__ import annotations

from typing import Any

from edu_platform.province_config import ProvinceConfig


def province_dbt_vars(province: ProvinceConfig) -> dict[str, Any]:
    names = {province.code: {"th": province.name_th, "en": province.name_en}}
    names.update({d.code: {"th": d.name_th, "en": d.name_en} for d in province.districts})
    dbt_vars: dict[str, Any] = {"province_code": province.code, "area_names": names}
    if "ptr_bounds" in province.settings:
        dbt_vars["ptr_bounds"] = province.settings["ptr_bounds"]
    return dbt_vars
