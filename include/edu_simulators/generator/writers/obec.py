"""OBEC DMC: what the REST API serves (obec-dmc.md), as files under served/obec/."""

from __future__ import annotations

from datetime import timedelta

from .. import rules
from ..cohorts import Enrolment
from ..context import Province, Run
from ..render import missing_key
from ..teachers import Teacher
from ..vocab import DEGREE_TH, LEVEL_WORD
from .common import JsonlAppender, json_line, write_json


class ObecWriter:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.jsonl = JsonlAppender()
        self.schools: list[dict] = []
        self.keys: dict[tuple[int, int], str] = {}
        self.key_counter: dict[int, int] = {}

    def province(self, prov: Province) -> None:
        self.keys.clear()
        self.key_counter.clear()
        for u in prov.units:
            if u.affiliation != "OBEC":
                continue
            office = (f"สพม.{prov.spec.name_th}" if u.kind == "obec_secondary"
                      else f"สพป.{prov.spec.name_th} เขต {1 + int(u.district[2:]) % 2}")
            self.schools.append({
                "school_code": u.code, "smis_code": u.code[2:], "name_th": u.name_th,
                "area_office": office, "tambon_code": u.tambon, "status": u.obec_status,
                "merged_into": u.merged_into, "latitude": u.latitude, "longitude": u.longitude})

    def _key(self, unit: int, person: int, code: str) -> str:
        key = self.keys.get((unit, person))
        if key is None:
            n = self.key_counter[unit] = self.key_counter.get(unit, 0) + 1
            key = self.keys[(unit, person)] = f"{code}{n:05d}"
        return key

    def term(self, prov: Province, year: int, term: int, records: list[Enrolment],
             staff: dict[int, list[Teacher]]) -> None:
        run = self.run
        rend = run.renderer("obec", prov.spec.code, year, term)
        ppl = prov.people
        rows: list[tuple[str, int, str]] = []
        resubmit: dict[int, bool] = {}
        seen: set[int] = set()
        for r in records:
            unit = prov.units[r.unit]
            if unit.affiliation != "OBEC":
                continue
            if r.unit not in resubmit:
                resubmit[r.unit] = rend.dice("obec_resubmit_school")
            allow = r.unit in seen
            seen.add(r.unit)
            p = r.person
            defects: list[str] = []
            cur, prev = prov.current_id(p, year)
            cid = rend.id(cur, defects, formats=("dashes",))
            prefix = prov.prefix(p, year)
            sex = "1" if ppl.male[p] else "2"
            if rend.dice("sex_blank"):
                defects.append("sex_blank")
                sex = ""
            parts = rend.birth_parts(prov.birth(p), True, defects, allow_zero=True)
            birth = "" if parts is None else f"{parts[0] + 543:04d}-{parts[1]:02d}-{parts[2]:02d}"
            grade_text, grade = rend.grade(r.grade, "OBEC", defects, allow)
            status_text, status = rend.status("OBEC", r.status, defects, allow)
            # A record whose key went missing stays where its key would sort, so
            # that files appended province after province remain in key order.
            true_key = self._key(r.unit, p, unit.code)
            key = missing_key(rend, true_key, defects, allow)
            local = rend.census_time(year, term)
            copies = [local] + ([local + timedelta(days=rend.rng.randint(1, 3))]
                                if resubmit[r.unit] else [])
            for n, when in enumerate(copies):
                rec_defects = [d for d in defects if d != "ts_z"]
                if len(copies) > 1:
                    rec_defects.append("resubmitted")
                ts_text, ts_utc = rend.timestamp(when, rec_defects)
                record = {
                    "student_key": key, "citizen_id": cid, "previous_id": prev,
                    "prefix": prefix, "first_name": ppl.first[p], "last_name": ppl.last[p],
                    "sex": sex, "birth_date": birth, "grade": grade_text,
                    "classroom": f"{r.grade[-1]}/{1 + p % 3}", "school_code": unit.code,
                    "nationality": ppl.nationality[p], "disadvantaged": bool(p % 7 == 0),
                    "status": status_text, "is_repeater": r.repeater, "updated_at": ts_text}
                rows.append((true_key, n, json_line(record)))
                run.ledger.learner(
                    source="OBEC", year=year, term=term, key=key, container=None,
                    uid=int(ppl.uid[p]), defects=rec_defects, file_reason=None,
                    unit_code=unit.code, tambon=unit.tambon, id_text=cid, previous_id=prev,
                    sex=rules.sex_of(sex, prefix), birth=rules.parse_ymd(birth, be=True),
                    grade=grade, status=status, repeater=r.repeater, ts_utc=ts_utc)
        rows.sort(key=lambda x: (x[0], x[1]))
        self.jsonl.write(run.served / "obec" / f"students_{year}_{term}.jsonl",
                         [line for _, _, line in rows])
        run.add("records_OBEC", len(rows))
        self._teachers(prov, year, term, staff, rend)

    def _teachers(self, prov: Province, year: int, term: int, staff: dict[int, list[Teacher]],
                  rend) -> None:
        lines = []
        for unit in prov.units:
            if (unit.affiliation != "OBEC" or unit.idx not in staff
                    or not unit.reports(year, term)):
                continue
            for t in staff[unit.idx]:
                defects: list[str] = []
                cid = rend.id(t.cid, defects, formats=("dashes",))
                key = f"T{unit.code}{t.key_no:04d}"
                sex = "1" if t.male else "2"
                lines.append(json_line({
                    "teacher_key": key, "citizen_id": cid, "sex": sex,
                    "birth_date": f"{t.birth.year + 543:04d}-{t.birth:%m-%d}",
                    "position": t.position, "highest_degree": DEGREE_TH[t.degree],
                    "has_teaching_license": t.licensed,
                    "levels_taught": [LEVEL_WORD[x] for x in t.levels], "fte": t.fte,
                    "school_code": unit.code}))
                self.run.ledger.teacher(
                    source="OBEC", year=year, term=term, key=key, container=None, uid=t.uid,
                    defects=defects, file_reason=None, unit_code=unit.code, id_text=cid,
                    sex=rules.sex_of(sex), is_director=t.is_director, degree=t.degree,
                    licensed=t.licensed, levels=list(t.levels), fte=t.fte)
        self.jsonl.write(self.run.served / "obec" / f"teachers_{year}_{term}.jsonl", lines)

    def close_files(self) -> None:
        self.jsonl.close()

    def finish(self) -> None:
        self.jsonl.close()
        write_json(self.run.served / "obec" / "schools.json", self.schools)
