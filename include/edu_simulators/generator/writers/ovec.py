"""OVEC VEC data center: what the REST API serves (ovec-vec.md); years in C.E."""

from __future__ import annotations

from datetime import timedelta

from .. import rules
from ..cohorts import Enrolment
from ..context import Province, Run
from ..render import missing_key
from ..teachers import Teacher
from .common import JsonlAppender, json_line, write_json

PROGRAM = {"V": "ปวช.", "HV": "ปวส.", "B": "ป.ตรี"}
PROGRAMS = (("20101", "ช่างยนต์"), ("20104", "ช่างไฟฟ้ากำลัง"), ("20105", "อิเล็กทรอนิกส์"),
            ("20201", "การบัญชี"), ("20204", "คอมพิวเตอร์ธุรกิจ"), ("20127", "เมคคาทรอนิกส์"))
EMPLOYMENT = {"ครู": "civil_servant", "ครูผู้ช่วย": "civil_servant",
              "ผู้อำนวยการ": "civil_servant", "พนักงานราชการ": "government_employee",
              "ครูอัตราจ้าง": "contract"}
VOC_LEVEL = {"upper_secondary": "ปวช.", "short_cycle": "ปวส.", "bachelor": "ป.ตรี"}


class OvecWriter:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.jsonl = JsonlAppender()
        self.colleges: list[dict] = []
        self.keys: dict[tuple[int, int], str] = {}

    def province(self, prov: Province) -> None:
        self.keys.clear()
        for u in prov.units:
            if u.affiliation == "OVEC":
                self.colleges.append({"collegeId": u.code, "nameTh": u.name_th,
                                      "nameEn": f"College {u.code}", "tambonCode": u.tambon,
                                      "collegeType": u.subtype})

    def term(self, prov: Province, year: int, term: int, records: list[Enrolment],
             staff: dict[int, list[Teacher]]) -> None:
        run = self.run
        rend = run.renderer("ovec", prov.spec.code, year, term)
        ppl = prov.people
        ce = year - 543
        lines: list[tuple[str, str, int, str]] = []
        seen: set[int] = set()
        for r in records:
            unit = prov.units[r.unit]
            if unit.affiliation != "OVEC":
                continue
            allow = r.unit in seen
            seen.add(r.unit)
            p = r.person
            defects: list[str] = []
            cur, _prev = prov.current_id(p, year)
            nid = rend.id(cur, defects, formats=("dashes", "spaces"), dash_factor=10.0,
                          blank=None)
            gender: str | None = "M" if ppl.male[p] else "F"
            if rend.dice("sex_unknown"):
                defects.append("sex_unknown")
                gender = None
            dob = self._dob(rend, prov.birth(p), defects)
            kind = r.grade.rstrip("0123456789")
            level, year_of_study = PROGRAM[kind], int(r.grade[len(kind):])
            grade: str | None = r.grade
            if allow and rend.dice("unknown_grade"):
                defects.append("unknown_grade")
                level, grade = "ปวท.", None
            status_text, status = rend.status("OVEC", r.status, defects, allow)
            sid = self.keys.get((r.unit, p))
            if sid is None:
                sid = self.keys[(r.unit, p)] = f"{ce % 100:02d}{len(self.keys) + 1:06d}"
            true_sid, sid = sid, missing_key(rend, sid, defects, allow)
            code, name = PROGRAMS[p % len(PROGRAMS)]
            local = rend.census_time(year, term)
            copies = [local]
            if rend.dice("ovec_resubmit"):
                copies.append(local + timedelta(hours=rend.rng.randint(2, 72)))
            for n, when in enumerate(copies):
                rec_defects = list(defects) + (["resubmitted"] if len(copies) > 1 else [])
                ts_text, ts_utc = rend.timestamp(when, rec_defects)
                record = {
                    "studentId": sid, "nationalId": nid, "firstNameTh": ppl.first[p],
                    "lastNameTh": ppl.last[p], "gender": gender, "dateOfBirth": dob,
                    "programLevel": level, "yearOfStudy": year_of_study,
                    "programCode": code, "programName": name,
                    "studyMode": "ทวิภาคี" if p % 5 == 0 else "ปกติ", "collegeId": unit.code,
                    "status": status_text, "repeating": r.repeater, "lastModified": ts_text}
                lines.append((unit.code, true_sid, n, json_line(record)))
                run.ledger.learner(
                    source="OVEC", year=year, term=term, key=f"{sid}|{unit.code}",
                    container=None, uid=int(ppl.uid[p]), defects=rec_defects, file_reason=None,
                    unit_code=unit.code, tambon=unit.tambon, id_text=nid, previous_id=None,
                    sex=rules.sex_of(gender), birth=rules.parse_ymd(dob, be=False), grade=grade,
                    status=status, repeater=r.repeater, ts_utc=ts_utc)
        lines.sort(key=lambda x: x[:3])
        self.jsonl.write(run.served / "ovec" / f"enrollments_{ce}_{term}.jsonl",
                         [x[3] for x in lines])
        run.add("records_OVEC", len(lines))
        self._teachers(prov, year, term, staff, rend)

    @staticmethod
    def _dob(rend, birth, defects: list[str]) -> str | None:
        parts = rend.birth_parts(birth, True, defects, allow_zero=False)
        if parts is None:
            return None
        y, m, d = parts
        if rend.dice("birth_be_ce"):
            defects.append("birth_be_ce")
            y += 543
        return f"{y:04d}-{m:02d}-{d:02d}"

    def _teachers(self, prov: Province, year: int, term: int, staff: dict[int, list[Teacher]],
                  rend) -> None:
        lines = []
        for unit in prov.units:
            if (unit.affiliation != "OVEC" or unit.idx not in staff
                    or not unit.reports(year, term)):
                continue
            for t in staff[unit.idx]:
                defects: list[str] = []
                nid = rend.id(t.cid, defects, formats=("dashes",), dash_factor=10.0, blank=None)
                sid = f"S{t.key_no:05d}"
                gender = "M" if t.male else "F"
                lines.append(json_line({
                    "staffId": sid, "nationalId": nid, "gender": gender,
                    "dateOfBirth": t.birth.isoformat(),
                    "employmentType": EMPLOYMENT.get(t.position, "contract"),
                    "qualification": t.degree, "certified": t.licensed,
                    "levels": [VOC_LEVEL[x] for x in t.levels], "fte": t.fte,
                    "collegeId": unit.code}))
                self.run.ledger.teacher(
                    source="OVEC", year=year, term=term, key=f"{sid}|{unit.code}",
                    container=None, uid=t.uid, defects=defects, file_reason=None,
                    unit_code=unit.code, id_text=nid, sex=rules.sex_of(gender),
                    is_director=False, degree=t.degree, licensed=t.licensed,
                    levels=list(t.levels), fte=t.fte)
        self.jsonl.write(self.run.served / "ovec" / f"teachers_{year - 543}_{term}.jsonl", lines)

    def finish(self) -> None:
        self.jsonl.close()
        write_json(self.run.served / "ovec" / "colleges.json", self.colleges)

