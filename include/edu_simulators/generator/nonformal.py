"""DLP learners: out-of-school youths, some in-school youths (enrolled twice),
and adults, registered per semester at district offices and tambon centres."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .cohorts import OUT, Careers
from .ids import IdAllocator
from .names import draw_name
from .population import People, age_at
from .units import Unit

LEVELS = ("NFE_P", "NFE_L", "NFE_U")


@dataclass
class NfeLearner:
    learner_id: int
    uid: int
    person: int | None  # index into People, None for adults outside it
    cid: str | None
    male: bool
    birth: date
    first: str
    last: str
    nationality: str
    level: str
    center: int  # unit index


@dataclass
class NfeYear:
    # (learner, semester 1 or 2, status in ledger vocabulary)
    registrations: list[tuple[NfeLearner, int, str]] = field(default_factory=list)


def plan_nonformal(people: People, careers: Careers, units: list[Unit], years: tuple[int, ...],
                   districts: list[str], ids: IdAllocator, uid_base: int, id_base: int,
                   cohort_size: int, rng: random.Random) -> tuple[list[NfeLearner], list[NfeYear]]:
    centres: dict[str, list[int]] = {}
    for u in units:
        if u.affiliation == "DLP":
            centres.setdefault(u.district, []).append(u.idx)
    if not centres:
        return [], [NfeYear() for _ in years]
    learners: dict[tuple[str, int], NfeLearner] = {}
    next_id = [id_base]

    def centre_for(district: str) -> int:
        options = centres.get(district) or rng.choice(list(centres.values()))
        return rng.choice(options)

    def new_learner(key, person, uid, cid, male, birth, first, last, nat, district, level):
        next_id[0] += 1
        learners[key] = NfeLearner(next_id[0], uid, person, cid, male, birth, first, last, nat,
                                   level, centre_for(district))
        return learners[key]

    plans = []
    adults: list[NfeLearner] = []
    for yi, year in enumerate(years):
        ce = year - 543
        plan = NfeYear()
        ages = age_at(people.birth, date(ce, 5, 16))
        grades = careers.grade[yi]
        out = (grades == OUT) & (ages >= 15) & (ages <= 24)
        both = (grades >= 0) & (ages >= 15) & (ages <= 17)
        chosen = np.flatnonzero((out & (np.arange(len(people)) % 100 < 22))
                                | (both & (np.arange(len(people)) % 1000 < 10)))
        active: list[NfeLearner] = []
        for p in chosen.tolist():
            key = ("p", p)
            lr = learners.get(key)
            if lr is None:
                cid = people.cid[p] if people.cid_from[p] <= ce else people.gcode[p]
                level = rng.choices(LEVELS, (1, 5, 4) if ages[p] < 18 else (1, 3, 6))[0]
                lr = new_learner(key, p, int(people.uid[p]), cid, bool(people.male[p]),
                                 people.birth_date(p), people.first[p], people.last[p],
                                 people.nationality[p], districts[people.district[p]], level)
            active.append(lr)
        # Adults: most continue from last year, new ones join.
        adults = [a for a in adults if rng.random() < 0.6]
        target = max(len(centres), int(cohort_size * 0.2))
        while len(adults) < target:
            district = rng.choice(districts)
            male = rng.random() < 0.45
            first, last = draw_name(rng, male, False)
            birth = date(ce - rng.randint(25, 65), rng.randint(1, 12), rng.randint(1, 28))
            uid = uid_base + next_id[0] + 1
            adults.append(new_learner(("a", uid), None, uid, ids.citizen("3", district), male,
                                      birth, first, last, "ไทย", district,
                                      rng.choices(LEVELS, (2, 3, 5))[0]))
        active.extend(adults)
        # Every centre has someone registered each semester.
        served = {lr.center for lr in active}
        for ulist in centres.values():
            for c in ulist:
                if c not in served:
                    lr = rng.choice(adults)
                    lr.center = c
                    served.add(c)
        for lr in active:
            r = rng.random()
            plan.registrations.append((lr, 1, "lapsed" if r < 0.03 else "registered"))
            r = rng.random()
            plan.registrations.append(
                (lr, 2, "completed" if r < 0.1 else "lapsed" if r < 0.15 else "registered"))
        plans.append(plan)
    return sorted(learners.values(), key=lambda x: x.learner_id), plans
