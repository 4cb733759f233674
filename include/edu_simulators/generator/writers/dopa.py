"""DOPA population by single year of age: drop/dopa/population_<C.E.>.csv."""

from __future__ import annotations

import csv
import io

from ..context import Province, Run

HEADER = ["รหัสพื้นที่", "ชื่อพื้นที่", "อายุ", "ชาย", "หญิง", "รวม"]


class DopaWriter:
    def __init__(self, run: Run, dopa_years: list[int]) -> None:
        self.run = run
        self.handles = {}
        for year in dopa_years:
            path = run.drop / "dopa" / f"population_{year}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 (kept open across provinces)
            csv.writer(fh, lineterminator="\r\n").writerow(HEADER)
            self.handles[year] = fh

    def province(self, prov: Province, counts: list[tuple[str, int, int, str, int]]) -> None:
        run = self.run
        rng = run.rng("dopa", prov.spec.code)
        dice = run.renderer("dopa-defects", prov.spec.code).dice
        names = {d.code: d.name_th for d in prov.spec.districts}
        cells: dict[tuple[int, str, int], dict[str, int]] = {}
        kept_share = 1.0 - run.rates.dopa_undercount
        for district, year, age, sex, n in counts:
            n = round(n * kept_share)
            cells.setdefault((year, district, age), {})[sex] = n
            run.ledger.population.append({"district_code": district, "ce_year": year, "age": age,
                                          "sex": sex, "count": n})
        buffers = {year: io.StringIO() for year in self.handles}
        writers = {year: csv.writer(buf, lineterminator="\r\n") for year, buf in buffers.items()}
        for (year, district, age), mf in cells.items():
            m, f = mf.get("M", 0), mf.get("F", 0)
            total = m + f
            if dice("dopa_total_mismatch"):
                total += rng.choice((-10, -3, -1, 1, 2, 7))
                run.note("dopa_total_mismatch", {"ce_year": year, "district_code": district,
                                                 "age": age})

            def fmt(n: int) -> str:
                return f"{n:,}" if n >= 1000 and rng.random() < 0.5 else str(n)

            writers[year].writerow([district, names[district],
                                    "100 ปีขึ้นไป" if age == 100 else str(age),
                                    fmt(m), fmt(f), fmt(total)])
            if 3 <= age <= 17:
                run.add(f"population_3_17_{year}", m + f)
        for year, buf in buffers.items():
            self.handles[year].write(buf.getvalue())

    def finish(self) -> None:
        for fh in self.handles.values():
            fh.close()
