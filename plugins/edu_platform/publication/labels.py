"""Thai and English names for the codes a release uses.

Indicators, affiliations and areas are named by the release's own tables; the
fixed code lists of indicators.md (levels, grades, sexes, age groups, flags,
indicator families) are named here. A code nobody names is shown as itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from edu_platform.publication.tables import Release


@dataclass(frozen=True)
class Label:
    en: str
    th: str

    def both(self) -> str:
        return self.th if self.th == self.en else f"{self.th} / {self.en}"


@dataclass(frozen=True)
class Column:
    """A column of an exported table: its machine name and its bilingual heading."""

    key: str
    en: str
    th: str


LEVELS = {
    "ecd": Label("early childhood development", "พัฒนาเด็กปฐมวัย"),
    "pre_primary": Label("pre-primary", "ก่อนประถมศึกษา"),
    "primary": Label("primary", "ประถมศึกษา"),
    "lower_secondary": Label("lower secondary", "มัธยมศึกษาตอนต้น"),
    "upper_secondary": Label("upper secondary", "มัธยมศึกษาตอนปลาย"),
    "short_cycle": Label("short-cycle tertiary", "อนุปริญญา (ปวส.)"),
    "bachelor": Label("bachelor's", "ปริญญาตรี"),
    "NFE_P": Label("primary equivalency (non-formal)", "ประถมศึกษา (นอกระบบ)"),
    "NFE_L": Label("lower secondary equivalency (non-formal)", "มัธยมศึกษาตอนต้น (นอกระบบ)"),
    "NFE_U": Label("upper secondary equivalency (non-formal)", "มัธยมศึกษาตอนปลาย (นอกระบบ)"),
}

GRADES = {
    **{f"P{g}": Label(f"primary grade {g}", f"ป.{g}") for g in range(1, 7)},
    **{f"M{g}": Label(f"secondary grade {g}", f"ม.{g}") for g in range(1, 7)},
}

SEXES = {
    "T": Label("total", "รวม"),
    "M": Label("male", "ชาย"),
    "F": Label("female", "หญิง"),
}

AGE_GROUPS = {
    "lt15": Label("under 15", "ต่ำกว่า 15 ปี"),
    "15-17": Label("15-17", "15-17 ปี"),
    "18-24": Label("18-24", "18-24 ปี"),
    "25-59": Label("25-59", "25-59 ปี"),
    "60+": Label("60 and over", "60 ปีขึ้นไป"),
    "unknown": Label("age unknown", "ไม่ทราบอายุ"),
}

FLAGS = {
    "capped": Label("NER/ANER between 100 and 105: published as 100 (OOSR as 0)",
                    "NER/ANER เกิน 100 แต่ไม่เกิน 105: เผยแพร่เป็น 100 (OOSR เป็น 0)"),
    "dirty": Label("NER/ANER above 105: withheld",
                   "NER/ANER เกิน 105: ไม่เผยแพร่ค่า"),
    "incomplete": Label("an affiliation feeding the cell has no successful extraction: withheld",
                        "มีสังกัดที่ไม่มีการดึงข้อมูลสำเร็จในภาคเรียนนี้: ไม่เผยแพร่ค่า"),
    "low_n": Label("denominator under 30 people", "ตัวหารน้อยกว่า 30 คน"),
    "out_of_range": Label("reconstructed flow rate outside 0-100",
                          "อัตราจากวิธีสร้างรุ่นจำลองอยู่นอกช่วง 0-100"),
    "unit_gap": Label("a unit expected by the register delivered no readable learner records",
                      "มีสถานศึกษาตามทะเบียนที่ไม่ได้ส่งข้อมูลผู้เรียนที่อ่านได้"),
}

FAMILIES = {
    "participation": Label("participation", "การเข้าเรียน"),
    "equity": Label("equity", "ความเท่าเทียม"),
    "resources": Label("teachers and resources", "ครูและทรัพยากร"),
    "efficiency": Label("internal efficiency", "ประสิทธิภาพภายใน"),
    "completion": Label("completion", "การจบการศึกษา"),
    "non_formal": Label("non-formal education", "การศึกษานอกระบบ"),
}

UNITS = {
    "percent": Label("percent", "ร้อยละ"),
    "ratio": Label("ratio", "อัตราส่วน"),
    "pupils_per_teacher": Label("pupils per teacher", "นักเรียนต่อครู 1 คน"),
    "count": Label("persons", "คน"),
}

PROBLEMS = {
    "quarantined": Label("quarantined: unreadable, not counted", "ถูกกักไว้: อ่านไม่ได้ ไม่นับในสถิติ"),
    "doubtful": Label("doubtful: counted, but needs correcting", "น่าสงสัย: นับในสถิติ แต่ควรแก้ไข"),
}

REASONS = {
    "missing_key": Label("the record's key field is empty", "ไม่มีรหัสอ้างอิงของระเบียน"),
    "unknown_grade": Label("a grade no code list knows", "ชั้นเรียนไม่อยู่ในรายการรหัส"),
    "unknown_status": Label("a status no code list knows", "สถานภาพไม่อยู่ในรายการรหัส"),
    "bad_encoding": Label("file encoding is neither UTF-8 nor TIS-620",
                          "การเข้ารหัสแฟ้มไม่ใช่ UTF-8 หรือ TIS-620"),
    "schema_drift": Label("the file's columns changed", "คอลัมน์ของแฟ้มเปลี่ยนไป"),
    "bad_workbook": Label("not a valid workbook", "แฟ้มไม่ใช่สมุดงานที่ถูกต้อง"),
    "renamed_sheet": Label("a sheet was renamed", "มีการเปลี่ยนชื่อแผ่นงาน"),
    "manifest_rows_mismatch": Label("row count differs from the manifest",
                                    "จำนวนแถวไม่ตรงกับแฟ้มรายการ"),
    "manifest_sha256_mismatch": Label("file content differs from the manifest",
                                      "เนื้อหาแฟ้มไม่ตรงกับแฟ้มรายการ"),
    "invalid_id_checksum": Label("citizen ID check digit is wrong",
                                 "เลขประจำตัวประชาชนหลักตรวจสอบไม่ถูกต้อง"),
    "unknown_birth_date": Label("birth date missing, impossible or after the census",
                                "วันเกิดไม่มี เป็นไปไม่ได้ หรืออยู่หลังวันนับ"),
    "implausible_age_for_grade": Label("age implausible for the grade",
                                       "อายุไม่สอดคล้องกับชั้นเรียน"),
    "unknown_sex": Label("neither the sex code nor the name prefix gives a sex",
                         "ระบุเพศไม่ได้ทั้งจากรหัสเพศและคำนำหน้าชื่อ"),
}

DQAF_LINES = {
    "3.1": Label("3.1 coverage", "3.1 ความครอบคลุม"),
    "3.2": Label("3.2 validity", "3.2 ความถูกต้อง"),
    "3.2-uniqueness": Label("3.2 uniqueness", "3.2 ความไม่ซ้ำซ้อน"),
    "3.4-outliers": Label("3.4 outliers", "3.4 ค่าผิดปกติ"),
    "4.1": Label("4.1 timeliness", "4.1 ความทันเวลา"),
    "4.2": Label("4.2 consistency", "4.2 ความสอดคล้อง"),
    "reconciliation": Label("reconciliation", "การกระทบยอด"),
}

MEASURES = {
    "units_reporting": Label("units reporting (%)", "สถานศึกษาที่ส่งข้อมูล (ร้อยละ)"),
    "valid_id_rate": Label("valid IDs (%)", "เลขประจำตัวถูกต้อง (ร้อยละ)"),
    "known_grade_rate": Label("known grades (%)", "ระบุชั้นได้ (ร้อยละ)"),
    "plausible_birth_date_rate": Label("plausible birth dates (%)", "วันเกิดสมเหตุสมผล (ร้อยละ)"),
    "known_sex_rate": Label("known sex (%)", "ระบุเพศได้ (ร้อยละ)"),
    "duplicate_records_in_source": Label("duplicate records in the source",
                                         "ระเบียนซ้ำในระบบต้นทาง"),
    "persons_in_several_affiliations": Label("persons enrolled in several affiliations",
                                             "ผู้เรียนที่มีชื่อในหลายสังกัด"),
    "outlier_units": Label("units with an odd enrolment change",
                           "สถานศึกษาที่จำนวนนักเรียนเปลี่ยนผิดปกติ"),
    "days_after_census": Label("days after the census date", "จำนวนวันหลังวันนับ"),
    "cells_enrolled_over_population": Label("cells with more enrolled than population",
                                            "ช่องที่ผู้เรียนมากกว่าประชากร"),
    "year_over_year_change": Label("enrolment change from last year (%)",
                                   "การเปลี่ยนแปลงจำนวนผู้เรียนจากปีก่อน (ร้อยละ)"),
    "batches_reconciled": Label("batches reconciled (%)", "ชุดข้อมูลที่กระทบยอดได้ (ร้อยละ)"),
}

STATUSES = {
    "ok": Label("ok", "ผ่าน"),
    "warn": Label("warning", "ควรตรวจสอบ"),
}

CHANGES = {
    "added": Label("added", "เพิ่ม"),
    "removed": Label("removed", "ลบ"),
    "changed": Label("changed", "เปลี่ยนค่า"),
}

ALL_AFFILIATIONS = Label("all affiliations", "ทุกสังกัด")


def named(codes: dict[str, Label], code: str | None) -> Label:
    if code is None or code == "":
        return Label("", "")
    return codes.get(code, Label(code, code))


class ReleaseLabels:
    """Names of the release's indicators, affiliations and areas (a missing name: the code).

    The province's names come from the caller (its configuration): no source delivers them.
    """

    def __init__(self, release: Release, province_name_en: str, province_name_th: str) -> None:
        self._indicators = {d.code: Label(d.name_en, d.name_th)
                            for d in release.indicator_definitions}
        self._affiliations = {
            a.code: Label(a.name_en or a.code, a.name_th or a.name_en or a.code)
            for a in release.affiliations
        }
        self._affiliations["ALL"] = ALL_AFFILIATIONS
        self._affiliation_abbreviations = {a.code: Label(a.code, a.abbreviation_th or a.code)
                                           for a in release.affiliations}
        self._affiliation_abbreviations["ALL"] = ALL_AFFILIATIONS
        self._areas = {a.area_code: Label(a.name_en or a.area_code, a.name_th or a.area_code)
                       for a in release.areas}
        provinces = [a.area_code for a in release.areas if a.area_level == "province"]
        if len(provinces) != 1:
            raise ValueError(f"{release.schema}.dim_area must hold one province row, "
                             f"not {len(provinces)}")
        self.province_code = provinces[0]
        self.province = Label(province_name_en, province_name_th)
        self._areas[self.province_code] = self.province

    def indicator(self, code: str) -> Label:
        return named(self._indicators, code)

    def affiliation(self, code: str) -> Label:
        return named(self._affiliations, code)

    def affiliation_short(self, code: str) -> Label:
        """For chart legends and narrow columns: the Thai abbreviation, the code in English."""
        return named(self._affiliation_abbreviations, code)

    def area(self, code: str | None) -> Label:
        return named(self._areas, code)
