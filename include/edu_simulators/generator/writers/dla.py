"""DLA LEC workbooks (dla-lec.md): lec/<Y>-<term>/<lao_code>.xlsx, one per authority."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date, datetime, timedelta

from .. import imperfections as q
from .. import rules
from ..cohorts import Enrolment
from ..context import Province, Run
from ..ids import to_thai_digits
from ..render import Renderer, missing_key
from ..teachers import Teacher
from ..units import Lao, Unit
from ..vocab import DEGREE_TH, LEVEL_WORD
from .xlsx import BookSpec, SheetSpec, write_xlsx

LEARNER_SHEET, UNIT_SHEET, STAFF_SHEET = "นักเรียน", "ข้อมูลสถานศึกษา", "บุคลากร"
STAFF_HEADER = ["เลขประจำตัวประชาชน", "เพศ", "ตำแหน่ง", "วุฒิ", "ใบอนุญาต", "ระดับที่สอน",
                "รหัสสถานศึกษา"]
UNIT_HEADER = ["รหัสสถานศึกษา", "ชื่อสถานศึกษา", "ประเภท", "รหัสตำบล"]
HEADER_MERGES = ["A1:I1", "A2:A3", "B2:B3", "C2:C3", "D2:G2", "H2:H3", "I2:I3"]


class DlaWriter:
    def __init__(self, run: Run, parallel: bool = True) -> None:
        self.run = run
        self.broken: dict[tuple[str, int, int], str] = {}
        # openpyxl's XML writing is the slowest step: one worker process does it.
        self.pool = (ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
                     if parallel else None)
        self.futures: list[Future] = []

    def _save(self, book: BookSpec) -> None:
        if self.pool is None:
            write_xlsx(book)
        else:
            self.futures.append(self.pool.submit(write_xlsx, book))
            if len(self.futures) > 64:
                self._drain(32)

    def _drain(self, keep: int = 0) -> None:
        while len(self.futures) > keep:
            self.futures.pop(0).result()

    def finish(self) -> None:
        self._drain()
        if self.pool is not None:
            self.pool.shutdown()

    def province(self, prov: Province) -> None:
        """Choose the workbooks that are broken whole: a bad file in the census
        term of the last year, a renamed sheet in a term 2."""
        self.broken.clear()
        rend = self.run.renderer("dla-broken", prov.spec.code)
        laos = [lao.code for lao in prov.laos]
        last = prov.years[-1]
        # The unreadable census-term workbook leaves its units unreported (a
        # coverage gap): pick authorities with a single child centre if any.
        sizes = {c: [u.kind for u in prov.units if u.lao_code == c] for c in laos}
        small = [c for c in laos if sizes[c] == ["dla_cdc"]] or laos
        for name in rend.dice.pick_files("dla_bad_workbook_file", small, rend.rng):
            self.broken[(name, last, 1)] = "bad_workbook"
        rest = [c for c in laos if (c, last, 1) not in self.broken]
        for name in rend.dice.pick_files("dla_renamed_sheet_file", rest, rend.rng):
            self.broken[(name, rend.rng.choice(prov.years), 2)] = "renamed_sheet"

    def term(self, prov: Province, year: int, term: int, records: list[Enrolment],
             staff: dict[int, list[Teacher]]) -> None:
        by_unit: dict[int, list[Enrolment]] = {}
        for r in records:
            if prov.units[r.unit].affiliation == "DLA":
                by_unit.setdefault(r.unit, []).append(r)
        for lao in prov.laos:
            units = [u for u in prov.units if u.lao_code == lao.code and u.reports(year, term)]
            if units:
                self._workbook(prov, lao, units, year, term, by_unit, staff)

    def _workbook(self, prov: Province, lao: Lao, units: list[Unit], year: int, term: int,
                  by_unit: dict[int, list[Enrolment]], staff: dict[int, list[Teacher]]) -> None:
        run = self.run
        rend = run.renderer("dla", prov.spec.code, lao.code, year, term)
        broken = self.broken.get((lao.code, year, term))
        reason = {"bad_workbook": q.BAD_WORKBOOK, "renamed_sheet": q.RENAMED_SHEET}.get(broken)
        container = f"lec/{year}-{term}/{lao.code}.xlsx"
        modified = (datetime(year - 543, 6 if term == 1 else 11, 12, 2)
                    + timedelta(days=rend.rng.randint(0, 14), seconds=rend.rng.randint(0, 36000)))
        unit_rows = [UNIT_HEADER] + [
            [u.code, u.name_th, "ศูนย์พัฒนาเด็กเล็ก" if u.kind == "dla_cdc" else "โรงเรียน",
             u.tambon] for u in units]
        learner_sheet, pending = self._learners(prov, lao, units, year, term, by_unit, rend)
        staff_rows: list[list] = [STAFF_HEADER]
        staff_ledger = []
        for u in units:
            for t in staff.get(u.idx, []):
                defects: list[str] = []
                cid = rend.id(t.cid, defects, formats=("spaces",), blank=None)
                sex = "ช" if t.male else "ญ"
                staff_rows.append([cid, sex, t.position, DEGREE_TH[t.degree],
                                   "มี" if t.licensed else "ไม่มี",
                                   "|".join(LEVEL_WORD[x] for x in t.levels), u.code])
                staff_ledger.append((len(staff_rows), t, u, cid, sex, defects))
        if broken == "renamed_sheet":
            learner_sheet.title = rend.rng.choice(["นักเรียน (2)", "Sheet1", "นร."])
        self._save(BookSpec(run.drop / container,
                            [SheetSpec(UNIT_SHEET, unit_rows), learner_sheet,
                             SheetSpec(STAFF_SHEET, staff_rows)],
                            modified, truncate=broken == "bad_workbook"))
        if broken:
            declared = 1 if broken == "bad_workbook" else len(pending)
            run.ledger.rejected_file("DLA", year, term, container, broken, declared, reason)
        for fields in pending:
            fields["defects"] += [broken] if broken else []
            run.ledger.learner(source="DLA", year=year, term=term, container=container,
                               file_reason=reason, ts_utc=modified, **fields)
        for row, t, u, cid, sex, defects in staff_ledger:
            run.ledger.teacher(
                source="DLA", year=year, term=term, key=f"{lao.code}|{u.code}|{row}",
                container=container, uid=t.uid, defects=defects + ([broken] if broken else []),
                file_reason=reason, unit_code=u.code, id_text=cid, sex=rules.sex_of(sex),
                is_director=t.is_director, degree=t.degree, licensed=t.licensed,
                levels=list(t.levels), fte=1.0)
        run.add("records_DLA", len(pending))
        run.add("dla_workbooks")

    def _learners(self, prov: Province, lao: Lao, units: list[Unit], year: int, term: int,
                  by_unit: dict[int, list[Enrolment]],
                  rend: Renderer) -> tuple[SheetSpec, list[dict]]:
        """The learner sheet (title, two-row header, data, total) and the
        ledger fields of each data row."""
        sheet = SheetSpec(LEARNER_SHEET, [
            [f"ข้อมูลนักเรียน ภาคเรียนที่ {term}/{year} {lao.name}"],
            ["ลำดับ", "รหัสสถานศึกษา", "เลขประจำตัวประชาชน", "ข้อมูลนักเรียน", None, None, None,
             "ชั้น", "สถานะ"],
            [None, None, None, "ชื่อ-สกุล", "เพศ", "วันเกิด", "อายุ (ปี)", None, None],
        ], list(HEADER_MERGES))
        rows = sheet.rows
        pending: list[dict] = []
        seq = 0
        for u in units:
            recs = by_unit.get(u.idx, [])
            merged = len(recs) > 1 and rend.dice("dla_merged_cell")
            start = len(rows) + 1
            for i, r in enumerate(recs):
                if not merged and i > 0 and rend.dice("dla_blank_row"):
                    rows.append([None] * 9)
                    self.run.add("dla_blank_rows")
                seq += 1
                values, fields = self._learner_row(prov, lao, u, r, seq, year, term, rend,
                                                   allow=i > 0, merged=merged, first=i == 0)
                rows.append(values)
                pending.append(fields)
            if merged:
                sheet.merges.append(f"B{start}:B{len(rows)}")
        rows.append(["รวม", seq])
        return sheet, pending

    def _learner_row(self, prov: Province, lao: Lao, unit: Unit, r: Enrolment, seq: int,
                     year: int, term: int, rend: Renderer, allow: bool, merged: bool,
                     first: bool) -> tuple[list, dict]:
        p, ppl = r.person, prov.people
        defects: list[str] = ["merged_cell"] if merged else []
        cur, _prev = prov.current_id(p, year)
        cid = rend.id(cur, defects, formats=("spaces", "thai", "dashes"), blank=None)
        male = bool(ppl.male[p])
        prefix = prov.prefix(p, year)
        sex: str | None = "ช" if male else "ญ"
        name = f"{prefix}{ppl.first[p]} {ppl.last[p]}"
        if rend.dice("sex_unknown"):
            defects.append("sex_unknown")
            sex, name = None, f"{ppl.first[p]} {ppl.last[p]}"
        elif rend.dice("sex_blank"):
            defects.append("sex_blank")
            sex = None
        else:
            name = rend.name(name, defects)  # a formula-looking name hides the prefix
        birth_cell, birth_read = self._birth(prov.birth(p), defects, rend)
        true_age = prov.age(p, year)
        typed_age = true_age
        if rend.dice("age_disagrees"):
            defects.append("age_disagrees")
            typed_age = true_age + rend.rng.choice((-2, -1, 1, 3))
        grade_text, grade = rend.grade(r.grade, "DLA", defects, allow)
        status_text, status = rend.status("DLA", r.status, defects, allow)
        code: str | None = unit.code
        if not merged:
            code = missing_key(rend, rend.trailing(unit.code, defects), defects, allow) or None
        elif not first:
            code = None  # the merged range gives its value to every row it spans
        values = [seq, code, cid, name, sex, birth_cell, typed_age, grade_text, status_text]
        unit_code = unit.code if merged else code
        key = f"{lao.code}|{(unit_code or '').strip()}|{seq}"
        # Without a unit code the record does not say where it belongs.
        return values, {"key": key, "uid": int(ppl.uid[p]),
                "defects": defects, "unit_code": unit_code,
                "tambon": unit.tambon if unit_code else None,
                "id_text": cid, "previous_id": None, "sex": rules.sex_of(sex, name),
                "birth": birth_read, "grade": grade, "status": status, "repeater": None,
                "typed_age": typed_age}

    @staticmethod
    def _birth(birth: date, defects: list[str], rend: Renderer) -> tuple[object, date | None]:
        """(cell value, the date the rules read). Clerks type the B.E. year into
        an Excel date; some type text, some in Thai digits."""
        parts = rend.birth_parts(birth, True, defects, allow_zero=False)
        if parts is None:
            return None, None
        y, m, d = parts
        as_date = rules.build_date(y + 543, m, d)
        if as_date is not None and not rend.dice("birth_text"):
            return as_date, rules.build_date(y, m, d)
        if as_date is not None:
            defects.append("birth_text")
        text = f"{d:02d}/{m:02d}/{y + 543}"
        if rend.dice("birth_thai_digits"):
            defects.append("birth_thai_digits")
            text = to_thai_digits(text)
        return text, rules.parse_dmy_be(text)
