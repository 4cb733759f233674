"""PEO register of units: drop/registry/units.csv (peo-registry.md)."""

from __future__ import annotations

from ..context import Province, Run
from ..rules import census_date
from .common import csv_text

HEADER = ["unit_id", "affiliation", "source_code", "name_th", "unit_type", "tambon_code",
          "opened_on", "closed_on"]


class RegistryWriter:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.rows: list[list] = []

    def province(self, prov: Province) -> None:
        last_census = prov.years[-1]
        for u in prov.units:
            self.rows.append([u.unit_id, u.affiliation, u.code, u.name_th, u.unit_type, u.tambon,
                              u.opened_on.isoformat(),
                              u.closed_on.isoformat() if u.closed_on else ""])
            if u.open_on(census_date(last_census, 1)):
                self.run.add(f"units_open_{last_census}_{u.affiliation}")

    def finish(self) -> None:
        path = self.run.drop / "registry" / "units.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_text(HEADER, self.rows, "\n").encode("utf-8"))
