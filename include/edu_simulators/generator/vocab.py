"""Grades, levels, statuses and sex codes: the ledger's vocabulary and each
source's own spellings of it (shared/domain/education-th.md, docs/simulators.md)."""

from __future__ import annotations

# Grade index used by the cohort model; order = progression.
GRADES = (["ECD", "K1", "K2", "K3"] + [f"P{i}" for i in range(1, 7)]
          + [f"M{i}" for i in range(1, 7)] + ["V1", "V2", "V3", "HV1", "HV2"]
          + [f"B{i}" for i in range(1, 5)])
GRADE_INDEX = {g: i for i, g in enumerate(GRADES)}

ISCED = {"ECD": "01", **{f"K{i}": "02" for i in range(1, 4)},
         **{f"P{i}": "1" for i in range(1, 7)}, **{f"M{i}": "24" for i in range(1, 4)},
         **{f"M{i}": "34" for i in range(4, 7)}, **{f"V{i}": "35" for i in range(1, 4)},
         "HV1": "55", "HV2": "55", **{f"B{i}": "6" for i in range(1, 5)},
         "NFE_P": "1", "NFE_L": "24", "NFE_U": "34"}

# Official entry age of each grade (age on 16 May).
INTENDED_AGE = {"ECD": 2, **{f"K{i}": 2 + i for i in range(1, 4)},
                **{f"P{i}": 5 + i for i in range(1, 7)}, **{f"M{i}": 11 + i for i in range(1, 7)},
                **{f"V{i}": 14 + i for i in range(1, 4)}, "HV1": 18, "HV2": 19,
                **{f"B{i}": 19 + i for i in range(1, 5)}}

_THAI_SHORT = {"K": "อ.", "P": "ป.", "M": "ม."}
_THAI_LONG = {"K": "อนุบาล ", "P": "ประถมศึกษาปีที่ ", "M": "มัธยมศึกษาปีที่ "}


def canonical(grade: str, source: str) -> str:
    """The spelling a source uses when its clerks type it the documented way."""
    if grade == "ECD":
        return "ศพด."
    kind, n = grade.rstrip("0123456789"), grade.lstrip("KPMVHB")
    if kind == "V":
        return f"ปวช. {n}" if source == "OPEC" else f"ปวช.{n}"
    if kind == "HV":
        return f"ปวส. {n}" if source == "OPEC" else f"ปวส.{n}"
    if source == "OPEC":
        return _THAI_LONG[kind] + n
    return _THAI_SHORT[kind] + n


def variants(grade: str) -> list[str]:
    """Other spellings seen in the sources; the pipeline's crosswalk knows all."""
    if grade == "ECD":
        return ["เตรียมอนุบาล", "ศพด"]
    kind, n = grade.rstrip("0123456789"), grade.lstrip("KPMVHB")
    if kind in ("V", "HV"):
        stem = "ปวช" if kind == "V" else "ปวส"
        return [f"{stem}.{n}", f"{stem}. {n}", f"{stem} {n}"]
    short, long_ = _THAI_SHORT[kind], _THAI_LONG[kind]
    return [f"{short} {n}", f"{short[0]}{n}", long_ + n, long_.strip() + n, f"{kind}{n}"]


UNKNOWN_GRADES = ["ป.7", "ชั้นพิเศษ", "ม.7", "อ.4", "?"]

# Status: source spelling -> ledger vocabulary.
STATUS = {
    "OBEC": {"studying": "กำลังศึกษา", "moved": "ย้ายออก", "left": "ลาออก",
             "graduated": "จบการศึกษา", "suspended": "พักการเรียน", "died": "เสียชีวิต"},
    "OPEC": {"studying": "กำลังศึกษา", "moved": "ย้ายออก", "left": "ลาออก",
             "graduated": "จบการศึกษา"},
    "DLA": {"studying": "กำลังศึกษา", "moved": "ย้ายออก", "left": "ลาออก", "graduated": "จบ"},
    "OVEC": {"studying": "studying", "graduated": "graduated", "dropped": "dropped",
             "transferred": "transferred"},
    "DLP": {"registered": "ลงทะเบียน", "completed": "จบ", "lapsed": "พ้นสภาพ"},
}
# A model status a source cannot say is written as its nearest word.
STATUS_FALLBACK = {"OVEC": {"moved": "transferred", "left": "dropped", "suspended": "dropped",
                            "died": "dropped"},
                   "OPEC": {"suspended": "left", "died": "left"},
                   "DLA": {"suspended": "left", "died": "left"}}
UNKNOWN_STATUSES = ["รอจำหน่าย", "ไม่ทราบ", "pending", "-"]


def status_word(source: str, status: str) -> tuple[str, str]:
    """(source spelling, ledger status) for a model status."""
    status = STATUS_FALLBACK.get(source, {}).get(status, status)
    return STATUS[source][status], status


# Levels taught: ledger codes and each source's words.
LEVEL_OF_GRADE = {"ECD": "ecd", **{f"K{i}": "pre_primary" for i in range(1, 4)},
                  **{f"P{i}": "primary" for i in range(1, 7)},
                  **{f"M{i}": "lower_secondary" for i in range(1, 4)},
                  **{f"M{i}": "upper_secondary" for i in range(4, 7)},
                  **{f"V{i}": "upper_secondary" for i in range(1, 4)},
                  "HV1": "short_cycle", "HV2": "short_cycle",
                  **{f"B{i}": "bachelor" for i in range(1, 5)}}
LEVEL_WORD = {"ecd": "ศพด.", "pre_primary": "อนุบาล", "primary": "ประถม",
              "lower_secondary": "มัธยมต้น", "upper_secondary": "มัธยมปลาย",
              "short_cycle": "ปวส.", "bachelor": "ป.ตรี"}
VOC_LEVEL_WORD = {"upper_secondary": "ปวช.", "short_cycle": "ปวส.", "bachelor": "ป.ตรี"}

DEGREES = ("below_bachelor", "bachelor", "master", "doctorate")
DEGREE_TH = {"below_bachelor": "ต่ำกว่าปริญญาตรี", "bachelor": "ปริญญาตรี",
             "master": "ปริญญาโท", "doctorate": "ปริญญาเอก"}

MALE_PREFIXES = ("ด.ช.", "นาย")
FEMALE_PREFIXES = ("ด.ญ.", "นางสาว", "นาง")
