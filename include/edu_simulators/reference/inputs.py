"""Reading the simulator output: ledger, register, population, ONAB report, OBEC schools."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class Inputs:
    learners: pd.DataFrame
    teachers: pd.DataFrame
    population: pd.DataFrame
    registry: pd.DataFrame
    onab: dict[tuple[int, int], dict]  # (academic year, term) -> the whole report object
    placer: UnitPlacer
    province: str
    failed: set[tuple[str, int | None]] = field(default_factory=set)  # (affiliation, year|None)

    def failed_in(self, affiliation: str, year: int) -> bool:
        return (affiliation, None) in self.failed or (affiliation, year) in self.failed


def read_registry(sim_dir: Path) -> pd.DataFrame:
    registry = pd.read_csv(sim_dir / "drop" / "registry" / "units.csv", dtype=str)
    registry = registry.apply(lambda col: col.str.strip())
    for column in ("opened_on", "closed_on"):
        registry[column] = pd.to_datetime(registry[column].replace("", None))
    return registry


def read_onab(sim_dir: Path) -> dict[tuple[int, int], dict]:
    reports = {}
    for path in sorted((sim_dir / "served" / "onab").glob("enrolment_*_*.json")):
        year, term = re.fullmatch(r"enrolment_(\d+)_(\d+)\.json", path.name).groups()
        reports[int(year), int(term)] = json.loads(path.read_text(encoding="utf-8"))
    return reports


def read_obec_schools(sim_dir: Path) -> list[dict]:
    path = sim_dir / "served" / "obec" / "schools.json"
    if not path.exists():
        return []
    schools = json.loads(path.read_text(encoding="utf-8"))
    return schools["data"] if isinstance(schools, dict) else schools


class UnitPlacer:
    """Where a unit's learners and teachers count (indicators.md §1.8)."""

    def __init__(self, registry: pd.DataFrame, obec_schools: list[dict]) -> None:
        # A code registered twice (re-opened, say): the row opened last describes it.
        latest = registry.sort_values("opened_on", kind="stable")
        self.units = {
            (row.affiliation, row.source_code): row
            for row in latest.itertuples(index=False)
        }
        self.merged_into = {s["school_code"]: s["merged_into"] for s in obec_schools
                            if s.get("merged_into")}
        self.obec_tambon = {s["school_code"]: s.get("tambon_code") for s in obec_schools}

    def reporting_code(self, affiliation: str, code: str, on: pd.Timestamp) -> str:
        """The code a unit's records count under: a closed OBEC school's merged_into, if given."""
        unit = self.units.get((affiliation, code))
        closed = unit is not None and pd.notna(unit.closed_on) and unit.closed_on <= on
        if closed and affiliation == "OBEC" and code in self.merged_into:
            return self.merged_into[code]
        return code

    def district(self, affiliation: str, code: str, source_tambon: str | None,
                 on: pd.Timestamp) -> str | None:
        target = self.reporting_code(affiliation, code, on)
        for candidate in (target, code):
            unit = self.units.get((affiliation, candidate))
            if unit is not None:
                return unit.tambon_code[:4]
            if candidate != code and self.obec_tambon.get(candidate):
                return self.obec_tambon[candidate][:4]
        return source_tambon[:4] if isinstance(source_tambon, str) and source_tambon else None

    def place(self, frame: pd.DataFrame, on: pd.Timestamp) -> pd.Series:
        """District of each row of a frame with columns source, unit_code, tambon_code."""
        keys = frame[["source", "unit_code", "tambon_code"]].drop_duplicates()
        keys["district"] = [self.district(a, c, t, on) for a, c, t in keys.itertuples(index=False)]
        placed = frame[["source", "unit_code", "tambon_code"]].merge(keys, how="left")
        return pd.Series(placed["district"].to_numpy(), index=frame.index, dtype="object")


def province_code(registry: pd.DataFrame) -> str:
    """The province is the 2-digit prefix most of the register's tambon codes share."""
    return registry["tambon_code"].str[:2].mode().iloc[0]


def read_inputs(sim_dir: Path, province: str | None,
                failed: set[tuple[str, int | None]]) -> Inputs:
    ledger = sim_dir / "ledger"
    registry = read_registry(sim_dir)
    return Inputs(
        learners=pd.read_parquet(ledger / "learner_records.parquet"),
        teachers=pd.read_parquet(ledger / "teacher_records.parquet"),
        population=pd.read_parquet(ledger / "population.parquet"),
        registry=registry,
        onab=read_onab(sim_dir),
        placer=UnitPlacer(registry, read_obec_schools(sim_dir)),
        province=province or province_code(registry),
        failed=failed,
    )
