"""Columns that several exported tables show: defined once, so every file heads them alike."""

from __future__ import annotations

from edu_platform.publication.labels import Column

INDICATOR = Column("indicator", "Indicator code", "รหัสตัวชี้วัด")
ACADEMIC_YEAR = Column("academic_year", "Academic year (B.E.)", "ปีการศึกษา (พ.ศ.)")
TERM = Column("term", "Term", "ภาคเรียน")
AREA_CODE = Column("area_code", "Area code", "รหัสพื้นที่")
AFFILIATION = Column("affiliation", "Affiliation", "สังกัด")
LEVEL = Column("level", "Level", "ระดับการศึกษา")
GRADE = Column("grade", "Grade", "ชั้น")
AGE_GROUP = Column("age_group", "Age group", "กลุ่มอายุ")
NUMERATOR = Column("numerator", "Numerator", "ตัวตั้ง")
DENOMINATOR = Column("denominator", "Denominator", "ตัวหาร")
UNIT = Column("unit", "Unit", "หน่วย")
PROBLEM = Column("problem", "Problem", "ประเภทปัญหา")
REASON = Column("reason", "Reason", "สาเหตุ")
REASON_TH = Column("reason_th", "Reason (Thai)", "คำอธิบายสาเหตุ")
DETAIL = Column("detail", "Detail", "รายละเอียด")
