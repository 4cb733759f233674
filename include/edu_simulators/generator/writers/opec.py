"""OPEC PSIS CSV drop (opec-psis.md): psis/<Y>/<term>/ with a manifest written last."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .. import imperfections as q
from .. import rules
from ..cohorts import Enrolment
from ..context import Province, Run
from ..ids import to_thai_digits
from ..render import BANGKOK, Renderer
from ..teachers import Teacher
from ..units import Unit
from ..vocab import DEGREE_TH, LEVEL_WORD, VOC_LEVEL_WORD
from .common import csv_text, sha256

STUDENT_HEADER = ["เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "เพศ", "วันเดือนปีเกิด",
                  "ระดับชั้น", "ห้อง", "สัญชาติ", "สถานะ", "ซ้ำชั้น", "รหัสโรงเรียน"]
TEACHER_HEADER = ["เลขประจำตัวประชาชน", "เพศ", "วันเดือนปีเกิด", "ตำแหน่ง", "วุฒิการศึกษา",
                  "ใบอนุญาตประกอบวิชาชีพ", "ระดับที่สอน", "รหัสโรงเรียน"]
SCHOOL_HEADER = ["รหัสโรงเรียน", "ชื่อโรงเรียน", "ประเภท", "รหัสตำบล", "สถานะ"]
# file defect -> (files.csv defect code, quarantine reason)
FILE_DEFECTS = {
    "opec_cut_short_file": ("cut_short", q.MANIFEST_ROWS),
    "opec_sha_mismatch_file": ("manifest_sha256_mismatch", q.MANIFEST_SHA),
    "opec_bad_encoding_file": ("bad_encoding_utf16", q.BAD_ENCODING),
    "opec_schema_drift_file": ("schema_drift", q.SCHEMA_DRIFT),
}


@dataclass
class _Row:
    cells: list[str]
    uid: int
    defects: list[str]
    ledger: dict  # the ledger fields besides the file-level ones


@dataclass
class _Dir:
    schools: list[list[str]] = field(default_factory=list)
    manifest: list[list] = field(default_factory=list)


def _row_line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    return buf.getvalue()


class OpecWriter:
    def __init__(self, run: Run, years: tuple[int, ...]) -> None:
        self.run = run
        self.dirs = {(y, t): _Dir() for y in years for t in (1, 2)}

    def term(self, prov: Province, year: int, term: int, records: list[Enrolment],
             staff: dict[int, list[Teacher]]) -> None:
        run = self.run
        rend = run.renderer("opec", prov.spec.code, year, term)
        folder = f"psis/{year}/{term}"
        d = self.dirs[(year, term)]
        units = [u for u in prov.units if u.affiliation == "OPEC" and u.opened_on
                 <= rules.census_date(year, term)]
        by_unit: dict[int, list[Enrolment]] = {}
        for r in records:
            if prov.units[r.unit].affiliation == "OPEC":
                by_unit.setdefault(r.unit, []).append(r)
        reporting = [u for u in units if u.reports(year, term)]
        # Whole-file defects only in term 2, so that every school has readable
        # census-term records (a rejected census file would be a coverage gap).
        file_defect: dict[str, str] = {}
        if term == 2:
            pick_rng = run.rng("opec-files", prov.spec.code, year)
            # Only files with data rows: a cut-short file must lose some.
            candidates = [f"students_{u.code}.csv" for u in reporting if by_unit.get(u.idx)]
            candidates += [f"teachers_{u.code}.csv" for u in reporting if staff.get(u.idx)]
            for rate_name in FILE_DEFECTS:
                chosen = rend.dice.pick_files(rate_name, candidates, pick_rng)
                for name in chosen:
                    file_defect[name] = rate_name
                    candidates.remove(name)
        for u in units:
            d.schools.append([u.code, u.name_th, u.subtype, u.tambon,
                              "เปิด" if u.reports(year, term) else "ปิด"])
        for u in reporting:
            rows = [self._student(prov, year, term, u, r, rend, i > 0)
                    for i, r in enumerate(by_unit.get(u.idx, []))]
            self._write(prov, folder, f"students_{u.code}.csv", STUDENT_HEADER, rows, u, rend,
                        file_defect, year, term, learners=True)
            trows = [self._teacher(t, u, rend) for t in staff.get(u.idx, [])]
            self._write(prov, folder, f"teachers_{u.code}.csv", TEACHER_HEADER, trows, u, rend,
                        file_defect, year, term, learners=False)

    def _student(self, prov: Province, year: int, term: int, unit: Unit, r: Enrolment,
                 rend: Renderer, allow: bool) -> _Row:
        p, ppl = r.person, prov.people
        defects: list[str] = []
        cur, _prev = prov.current_id(p, year)
        cid = rend.id(cur, defects, formats=("dashes", "spaces", "thai"))
        prefix = prov.prefix(p, year)
        sex = "ชาย" if ppl.male[p] else "หญิง"
        if rend.dice("sex_blank"):
            defects.append("sex_blank")
            sex = ""
        parts = rend.birth_parts(prov.birth(p), True, defects, allow_zero=False)
        birth = "" if parts is None else f"{parts[2]:02d}/{parts[1]:02d}/{parts[0] + 543}"
        if birth and rend.dice("birth_thai_digits"):
            defects.append("birth_thai_digits")
            birth = to_thai_digits(birth)
        grade_text, grade = rend.grade(r.grade, "OPEC", defects, allow)
        status_text, status = rend.status("OPEC", r.status, defects, allow)
        cells = [cid, prefix, rend.name(ppl.first[p], defects),
                 rend.trailing(ppl.last[p], defects), sex, birth, grade_text,
                 str(1 + p % 3), ppl.nationality[p], status_text,
                 "ใช่" if r.repeater else "ไม่ใช่", rend.trailing(unit.code, defects)]
        return _Row(cells, int(ppl.uid[p]), defects, {
            "id_text": cid, "previous_id": None, "sex": rules.sex_of(sex, prefix),
            "birth": rules.parse_dmy_be(birth), "grade": grade, "status": status,
            "repeater": r.repeater})

    @staticmethod
    def _teacher(t: Teacher, unit: Unit, rend: Renderer) -> _Row:
        defects: list[str] = []
        cid = rend.id(t.cid, defects, formats=("dashes", "thai"))
        words = VOC_LEVEL_WORD if unit.kind == "opec_vocational" else LEVEL_WORD
        sex = "ชาย" if t.male else "หญิง"
        cells = [cid, sex, f"{t.birth:%d/%m}/{t.birth.year + 543}", t.position,
                 DEGREE_TH[t.degree], "มี" if t.licensed else "ไม่มี",
                 "|".join(words[x] for x in t.levels), unit.code]
        return _Row(cells, t.uid, defects, {
            "id_text": cid, "sex": rules.sex_of(sex), "is_director": t.is_director,
            "degree": t.degree, "licensed": t.licensed, "levels": list(t.levels), "fte": 1.0})

    def _write(self, prov: Province, folder: str, name: str, header: list[str],
               rows: list[_Row], unit: Unit, rend: Renderer, file_defect: dict[str, str],
               year: int, term: int, learners: bool) -> None:
        run = self.run
        defect_rate = file_defect.get(name)
        defect, reason = FILE_DEFECTS[defect_rate] if defect_rate else (None, None)
        if defect == "schema_drift":
            header = list(header)
            if rend.rng.random() < 0.5:
                header[0] = "เลขบัตรประชาชน"
                defect = "schema_drift_renamed_column"
            else:
                header.append("หมายเหตุ")
                rows = [_Row(r.cells + [""], r.uid, r.defects, r.ledger) for r in rows]
                defect = "schema_drift_extra_column"
        # Physical lines: header = 1; blank lines (not data rows) may sit between rows.
        parts = [_row_line(header)]
        lines: list[int] = []
        for row in rows:
            if rend.dice("opec_blank_line"):
                parts.append("\r\n")
                run.add("opec_blank_lines")
            parts.append(_row_line(row.cells))
            lines.append(len(parts))
        text = "".join(parts)
        full = text.encode("utf-16" if defect == "bad_encoding_utf16" else unit.encoding)
        delivered, manifest_sha = full, sha256(full)
        kept = len(rows)
        if defect == "cut_short":
            kept = max(0, len(rows) - max(1, len(rows) // 3))
            cut = "".join(parts[: lines[kept - 1]]) if kept else parts[0]
            delivered = cut.encode(unit.encoding)
        elif defect == "manifest_sha256_mismatch":
            manifest_sha = sha256(full + b"\r\n")
        path = run.drop / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(delivered)
        local = rend.census_time(year, term, after_days=3)
        exported, ts_utc = local.strftime("%Y-%m-%dT%H:%M:%S+07:00"), local - BANGKOK
        self.dirs[(year, term)].manifest.append([name, len(rows), manifest_sha, exported])
        container = f"{folder}/{name}"
        if defect:
            run.ledger.rejected_file("OPEC", year, term, container, defect, len(rows), reason)
        code_col = len(STUDENT_HEADER if learners else TEACHER_HEADER) - 1
        for row, line in zip(rows[:kept], lines[:kept], strict=True):
            defects = row.defects + ([defect] if defect else [])
            key = f"{unit.code}|{line}"
            if learners:
                run.ledger.learner(source="OPEC", year=year, term=term, key=key,
                                   container=container, uid=row.uid, defects=defects,
                                   file_reason=reason, unit_code=row.cells[code_col],
                                   tambon=unit.tambon, ts_utc=ts_utc, **row.ledger)
            else:
                run.ledger.teacher(source="OPEC", year=year, term=term, key=key,
                                   container=container, uid=row.uid, defects=defects,
                                   file_reason=reason, unit_code=row.cells[code_col], **row.ledger)
        run.add("records_OPEC" if learners else "teacher_records_OPEC", kept)

    def finish(self) -> None:
        for (year, term), d in self.dirs.items():
            folder = self.run.drop / "psis" / str(year) / str(term)
            folder.mkdir(parents=True, exist_ok=True)
            data = csv_text(SCHOOL_HEADER, d.schools).encode("cp874")
            (folder / "schools.csv").write_bytes(data)
            local = f"{year - 543}-{'06-14' if term == 1 else '11-14'}T18:00:00+07:00"
            entries = [["schools.csv", len(d.schools), sha256(data), local]]
            entries += sorted(d.manifest)
            (folder / "_MANIFEST.csv").write_bytes(
                csv_text(["file", "rows", "sha256", "exported_at"], entries).encode("utf-8"))
