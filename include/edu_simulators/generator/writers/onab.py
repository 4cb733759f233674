"""ONAB Phrapariyattidhamma aggregate report: served/onab/enrolment_<Y>_<term>.json."""

from __future__ import annotations

from collections import Counter

from ..cohorts import Enrolment
from ..context import Province, Run
from ..teachers import Teacher
from ..vocab import canonical
from .common import write_json

LEVEL_TH = {"lower_secondary": "มัธยมต้น", "upper_secondary": "มัธยมปลาย"}


class OnabWriter:
    def __init__(self, run: Run, years: tuple[int, ...]) -> None:
        self.run = run
        self.reports = {(y, t): [] for y in years for t in (1, 2)}
        self.missing_done = False

    def term(self, prov: Province, year: int, term: int, records: list[Enrolment],
             staff: dict[int, list[Teacher]]) -> None:
        run = self.run
        rend = run.renderer("onab", prov.spec.code, year, term)
        by_unit: dict[int, list[Enrolment]] = {}
        for r in records:
            if prov.units[r.unit].affiliation == "ONAB" and r.status == "studying":
                by_unit.setdefault(r.unit, []).append(r)
        onab_units = [u for u in prov.units if u.affiliation == "ONAB" and u.reports(year, term)]
        # One school does not report in the census term of the last year.
        skip = None
        if (onab_units and year == prov.years[-1] and term == 1 and not self.missing_done
                and run.rates.onab_missing_school > 0):
            skip = rend.rng.choice(onab_units)
            self.missing_done = True
        for unit in onab_units:
            if unit is skip:
                run.note("onab_missing_school", {"academic_year": year, "term": term,
                                                 "school_code": unit.code})
                continue
            cells: Counter = Counter()
            reps: Counter = Counter()
            for r in by_unit.get(unit.idx, []):
                age: int | str = prov.age(r.person, year)
                if rend.dice("onab_unknown_age"):
                    age = "ไม่ทราบ"
                    run.add("onab_unknown_age")
                key = (r.grade, age)
                cells[key] += 1
                reps[key] += int(r.repeater)
            enrolment = [{"grade": canonical(g, "ONAB"), "age": a, "sex": "ชาย",
                          "count": cells[(g, a)], "repeaters": reps[(g, a)]}
                         for g, a in sorted(cells, key=lambda k: (k[0], str(k[1]).zfill(3)))]
            teachers = [t for t in staff.get(unit.idx, []) if t.levels]
            levels = Counter(LEVEL_TH[t.levels[0]] for t in teachers)
            self.reports[(year, term)].append({
                "school_code": unit.code, "school_name": unit.name_th,
                "tambon_code": unit.tambon, "enrolment": enrolment,
                "teachers": {"total": len(teachers),
                             "with_bachelor": sum(t.degree != "below_bachelor" for t in teachers),
                             "with_license": sum(t.licensed for t in teachers),
                             "levels": dict(sorted(levels.items()))}})

    def finish(self) -> None:
        for (year, term), schools in self.reports.items():
            ce = year - 543
            generated = f"{ce}-{'06-20' if term == 1 else '11-20'}T09:12:00+07:00"
            write_json(self.run.served / "onab" / f"enrolment_{year}_{term}.json",
                       {"year": year, "term": term, "generated_at": generated,
                        "schools": schools})
