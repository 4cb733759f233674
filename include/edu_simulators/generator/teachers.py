"""Teaching staff per unit and year: directors, teachers, degrees, licences,
levels taught, FTE; kept from year to year with some turnover."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .ids import IdAllocator
from .units import Unit
from .vocab import LEVEL_OF_GRADE

PUPILS_PER_TEACHER = {"OBEC": 17, "OPEC": 20, "OVEC": 22, "DLA": 18, "ONAB": 10}
CDC_RATIO = 12
POSITIONS = ("ครู", "ครู", "ครู", "ครู", "ครูผู้ช่วย", "ครูอัตราจ้าง", "พนักงานราชการ")


@dataclass
class Teacher:
    uid: int
    key_no: int  # number within its unit, for source keys
    cid: str
    male: bool
    birth: date
    position: str
    degree: str
    licensed: bool
    levels: list[str] = field(default_factory=list)  # ledger level codes
    fte: float = 1.0

    @property
    def is_director(self) -> bool:
        return self.position == "ผู้อำนวยการ"


class Staffing:
    """Keeps each unit's staff list across years."""

    def __init__(self, ids: IdAllocator, uid_base: int, rng: random.Random) -> None:
        self.ids = ids
        self.rng = rng
        self.next_uid = uid_base
        self.staff: dict[int, list[Teacher]] = {}
        self.key_counter: dict[int, int] = {}

    def _new(self, unit: Unit, levels: list[str], director: bool, year_ce: int) -> Teacher:
        rng = self.rng
        self.next_uid += 1
        n = self.key_counter[unit.idx] = self.key_counter.get(unit.idx, 0) + 1
        age = rng.randint(45, 59) if director else rng.randint(23, 59)
        birth = date(year_ce - age, rng.randint(1, 12), rng.randint(1, 28))
        r = rng.random()
        degree = ("master" if director and r < 0.8 else
                  "below_bachelor" if r < 0.04 else "bachelor" if r < 0.68 else
                  "master" if r < 0.98 else "doctorate")
        position = "ผู้อำนวยการ" if director else rng.choice(POSITIONS)
        if unit.kind == "dla_cdc":
            degree = "below_bachelor" if r < 0.3 else "bachelor"
            position = "ครูผู้ดูแลเด็ก"
        fte = 1.0 if position != "ครูอัตราจ้าง" else rng.choice([0.5, 0.75, 1.0])
        return Teacher(self.next_uid, n, self.ids.citizen("3", unit.district), rng.random() < 0.3,
                       birth, position, degree, director or rng.random() < 0.9,
                       levels, fte)

    def _levels(self, weights: Counter) -> list[str]:
        levels = list(weights)
        first = self.rng.choices(levels, [weights[x] for x in levels])[0]
        chosen = [first]
        if len(levels) > 1 and self.rng.random() < 0.15:
            other = self.rng.choice([x for x in levels if x != first])
            chosen.append(other)
        return sorted(chosen, key=levels.index)

    def for_year(self, unit: Unit, grade_counts: Counter, year_ce: int) -> list[Teacher]:
        """This year's staff of a unit, sized to its learners (term 1)."""
        weights: Counter = Counter()
        for grade, n in grade_counts.items():
            weights[LEVEL_OF_GRADE[grade]] += n
        if not weights:
            weights[LEVEL_OF_GRADE[unit.grades[0]]] = 1
        pupils = sum(grade_counts.values())
        ratio = CDC_RATIO if unit.kind == "dla_cdc" else PUPILS_PER_TEACHER[unit.affiliation]
        need = max(1, math.ceil(pupils / ratio))
        kept = [t for t in self.staff.get(unit.idx, []) if self.rng.random() < 0.92]
        teachers = [t for t in kept if not t.is_director][:need]
        directors = [t for t in kept if t.is_director]
        while len(teachers) < need:
            teachers.append(self._new(unit, self._levels(weights), False, year_ce))
        for t in teachers:  # levels must exist in the unit this year
            t.levels = [x for x in t.levels if x in weights] or self._levels(weights)
        if unit.unit_type in ("school", "college") and unit.affiliation != "ONAB":
            if not directors:
                d = self._new(unit, [], True, year_ce)
                # Some directors also teach a level; they are still not counted.
                d.levels = self._levels(weights) if self.rng.random() < 0.3 else []
                directors = [d]
            teachers = directors[:1] + teachers
        self.staff[unit.idx] = teachers
        return teachers
