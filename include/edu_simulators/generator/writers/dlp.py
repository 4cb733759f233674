"""DLP ITw tables (dlp-itw.md) in dlp/itw.sqlite, written with SQLAlchemy."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    CHAR,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
)

from .. import rules
from ..context import Province, Run
from ..ids import IdAllocator
from ..nonformal import NfeLearner
from ..render import BANGKOK
from ..vocab import DEGREE_TH, STATUS, UNKNOWN_STATUSES

META = MetaData()
CENTER = Table("center", META,
               Column("center_id", String(10), primary_key=True),
               Column("center_name", String), Column("center_type", String),
               Column("tambon_code", CHAR(6)))
LEARNER = Table("learner", META,
                Column("learner_id", Integer, primary_key=True, autoincrement=False),
                Column("id_card", String(13)), Column("title", String),
                Column("fname", String), Column("lname", String), Column("gender", CHAR(1)),
                Column("birthday", Date), Column("nationality", String),
                Column("updated_at", DateTime))
REGISTRATION = Table("registration", META,
                     Column("reg_id", Integer, primary_key=True, autoincrement=False),
                     Column("learner_id", Integer, ForeignKey("learner.learner_id")),
                     Column("center_id", String(10), ForeignKey("center.center_id")),
                     Column("semester", String(6)), Column("level", String),
                     Column("status", String), Column("registered_at", DateTime))
FACILITATOR = Table("facilitator", META,
                    Column("fac_id", Integer, primary_key=True, autoincrement=False),
                    Column("id_card", String(13)), Column("gender", CHAR(1)),
                    Column("birthday", Date), Column("degree", String),
                    Column("center_id", String(10)), Column("active", Boolean))
LEVEL_TH = {"NFE_P": "ประถม", "NFE_L": "ม.ต้น", "NFE_U": "ม.ปลาย"}
UNKNOWN_LEVELS = ("อื่นๆ", "ปวช.", "ป.ตรี")


class DlpWriter:
    def __init__(self, run: Run) -> None:
        self.run = run
        path: Path = run.out / "dlp" / "itw.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        self.engine = create_engine(f"sqlite:///{path}")
        META.create_all(self.engine)
        self.next_reg = 0
        self.next_fac = 0

    def province(self, prov: Province, ids: IdAllocator, uid_base: int) -> None:
        run = self.run
        rend = run.renderer("dlp", prov.spec.code)
        centres = [u for u in prov.units if u.affiliation == "DLP"]
        learner_rows, reg_rows, fac_rows = [], [], []
        shown: dict[int, dict] = {}
        for lr in prov.nfe_learners:
            shown[lr.learner_id] = self._learner(lr, rend)
        last_reg: dict[int, datetime] = {}
        for yi, plan in enumerate(prov.nfe_years):
            year = prov.years[yi]
            for lr, sem, status in plan.registrations:
                self.next_reg += 1
                reg_id = self.next_reg
                unit = prov.units[lr.center]
                when = self._registered_at(year, sem, rend)
                last_reg[lr.learner_id] = max(when, last_reg.get(lr.learner_id, when))
                info = shown[lr.learner_id]
                defects = list(info["defects"])
                level_text, grade = LEVEL_TH[lr.level], lr.level
                if rend.dice("unknown_grade"):
                    defects.append("unknown_grade")
                    level_text, grade = rend.rng.choice(UNKNOWN_LEVELS), None
                status_text, status_read = STATUS["DLP"][status], status
                if rend.dice("unknown_status"):
                    defects.append("unknown_status")
                    status_text, status_read = rend.rng.choice(UNKNOWN_STATUSES), None
                reg_rows.append({"reg_id": reg_id, "learner_id": lr.learner_id,
                                 "center_id": unit.code, "semester": f"{sem}/{year}",
                                 "level": level_text, "status": status_text,
                                 "registered_at": when})
                run.ledger.learner(
                    source="DLP", year=year, term=sem, key=str(reg_id), container=None,
                    uid=lr.uid, defects=defects, file_reason=None, unit_code=unit.code,
                    tambon=unit.tambon, id_text=info["id_card"], previous_id=None,
                    sex=rules.sex_of(info["gender"], info["title"]), birth=info["birthday"],
                    grade=grade, status=status_read, repeater=None, ts_utc=when - BANGKOK,
                    dlp_learner_id=lr.learner_id)
        for lr in prov.nfe_learners:
            row = {k: v for k, v in shown[lr.learner_id].items() if k != "defects"}
            row["updated_at"] = last_reg.get(lr.learner_id, datetime(prov.years[0] - 543, 5, 1))
            learner_rows.append(row)
        for c in centres:
            for n in range(2 + (len(c.code) + int(c.code[-1])) % 2):
                self.next_fac += 1
                male = rend.rng.random() < 0.4
                cid = ids.citizen("3", c.district)
                birth = datetime(prov.years[-1] - 543 - rend.rng.randint(25, 58),
                                 rend.rng.randint(1, 12), rend.rng.randint(1, 28)).date()
                degree = rend.rng.choice(("bachelor", "bachelor", "master", "below_bachelor"))
                active = n < 2 or rend.rng.random() < 0.5
                fac_rows.append({"fac_id": self.next_fac, "id_card": cid,
                                 "gender": "1" if male else "2", "birthday": birth,
                                 "degree": DEGREE_TH[degree], "center_id": c.code,
                                 "active": active})
                run.ledger.teacher(
                    source="DLP", year=None, term=None, key=str(self.next_fac), container=None,
                    uid=uid_base + self.next_fac, defects=[], file_reason=None,
                    unit_code=c.code, id_text=cid, sex="M" if male else "F", is_director=False,
                    degree=degree, licensed=None, levels=[], fte=1.0)
        with self.engine.begin() as conn:
            conn.execute(insert(CENTER), [{"center_id": c.code, "center_name": c.name_th,
                                           "center_type": c.subtype, "tambon_code": c.tambon}
                                          for c in centres])
            for table, rows in ((LEARNER, learner_rows), (REGISTRATION, reg_rows),
                                (FACILITATOR, fac_rows)):
                if rows:
                    conn.execute(insert(table), rows)
        run.add("records_DLP", len(reg_rows))

    @staticmethod
    def _registered_at(year: int, sem: int, rend) -> datetime:
        ce = year - 543
        start = datetime(ce, 5, 1, 8) if sem == 1 else datetime(ce, 11, 1, 8)
        return start + timedelta(days=rend.rng.randint(0, 25), seconds=rend.rng.randint(0, 32400))

    @staticmethod
    def _learner(lr: NfeLearner, rend) -> dict:
        defects: list[str] = []
        id_card = rend.id(lr.cid, defects, blank=None)
        if id_card is not None and rend.dice("id_null_text"):
            defects.append("id_null_text")
            id_card = "NULL"
        title = ("นาย" if lr.male else
                 "นาง" if (lr.birth.toordinal() % 3 == 0 and lr.person is None) else "นางสาว")
        gender: str | None = "1" if lr.male else "2"
        if rend.dice("sex_blank"):
            defects.append("sex_blank")
            gender = None
        birthday = lr.birth
        if rend.dice("birth_blank"):
            defects.append("birth_blank")
            birthday = None
        return {"learner_id": lr.learner_id, "id_card": id_card, "title": title,
                "fname": lr.first, "lname": lr.last, "gender": gender, "birthday": birthday,
                "nationality": lr.nationality, "defects": defects}

    def finish(self) -> None:
        self.engine.dispose()
