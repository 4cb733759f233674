"""Learners' careers: entry, promotion, repetition, dropout and transitions
(P6 -> M1, M3 -> M4 or ปวช.1), year by year, then which unit each attends,
with transfers, mid-year moves and a few double enrolments."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import numpy as np

from .population import People, age_at
from .units import Unit
from .vocab import GRADE_INDEX, GRADES

NOT_YET, OUT, DONE = -1, -2, -3
G = GRADE_INDEX

# Per grade: repetition and dropout probabilities for the year that follows.
REPEAT = np.array([0.0, .005, .005, .005, .04, .015, .015, .015, .015, .01,
                   .015, .015, .012, .01, .01, .008, .02, .02, .015, .02, .015,
                   .01, .01, .01, .01])
DROP = np.array([0.0, .01, .01, .005, .004, .004, .004, .004, .004, .0,
                 .02, .025, .0, .03, .03, .0, .07, .06, .0, .05, .0, .04, .04, .04, .0])


@dataclass
class Careers:
    """Grade (index into GRADES, or NOT_YET/OUT/DONE) and repeater flag per
    person, for each covered academic year plus the following one."""

    grade: np.ndarray  # int8 [n_years + 1, n_people]
    repeater: np.ndarray  # bool [n_years + 1, n_people]


def simulate_careers(people: People, years: tuple[int, ...], nrng: np.random.Generator,
                     has_ecd: bool) -> Careers:
    n = len(people)
    first_ce = date.fromordinal(int(people.birth.min())).year + 2
    last_ce = years[-1] - 543 + 1
    g = np.full(n, NOT_YET, dtype=np.int8)
    rep = np.zeros(n, dtype=bool)
    keep_from = years[0] - 543
    out_g = np.zeros((len(years) + 1, n), dtype=np.int8)
    out_r = np.zeros((len(years) + 1, n), dtype=bool)
    mig = people.migrant
    # Children who are never enrolled (out of school from the start).
    never = nrng.random(n) < np.where(mig, 0.25, 0.06)
    for ce in range(first_ce, last_ce + 1):
        age = age_at(people.birth, date(ce, 5, 16))
        u = nrng.random(n)
        prev = g.copy()
        enrolled = prev >= 0
        gi = np.where(enrolled, prev, 0)
        p_rep, p_drop = REPEAT[gi], DROP[gi]
        rep = enrolled & (u < p_rep)
        drop = enrolled & ~rep & (u < p_rep + p_drop)
        adv = enrolled & ~rep & ~drop
        nxt = np.where(adv, prev + 1, prev).astype(np.int8)
        nxt[drop] = OUT
        v = nrng.random(n)
        # Transitions at the ends of stages.
        nxt[adv & (prev == G["ECD"])] = np.where(v[adv & (prev == G["ECD"])] < 0.85,
                                                 G["K1"], NOT_YET)
        end_p6 = adv & (prev == G["P6"])
        nxt[end_p6] = np.where(v[end_p6] < 0.96, G["M1"], OUT)
        end_m3 = adv & (prev == G["M3"])
        nxt[end_m3] = np.where(v[end_m3] < 0.56, G["M4"],
                               np.where(v[end_m3] < 0.84, G["V1"], OUT))
        nxt[adv & (prev == G["M6"])] = DONE
        end_v3 = adv & (prev == G["V3"])
        nxt[end_v3] = np.where(v[end_v3] < 0.35, G["HV1"], DONE)
        end_hv = adv & (prev == G["HV2"])
        nxt[end_hv] = np.where(v[end_hv] < 0.08, G["B1"], DONE)
        nxt[adv & (prev == G["B4"])] = DONE
        # Entry of children not yet at school, by age (late and lower for migrants).
        waiting = (prev == NOT_YET) & ~never
        w = nrng.random(n) * np.where(mig, 1.6, 1.0)
        entry = [(2, "ECD", 0.30 if has_ecd else 0.0), (3, "K1", 0.72), (4, "K2", 0.5),
                 (5, "K3", 0.5), (6, "P1", 0.86), (7, "P1", 0.5), (8, "P1", 0.3), (9, "P1", 0.2)]
        for a, grade, p in entry:
            sel = waiting & (age == a) & (w < p)
            nxt[sel] = G[grade]
        nxt[((waiting & (age >= 10)) | (never & (prev == NOT_YET) & (age >= 6)))
            & (nxt == NOT_YET)] = OUT
        g = nxt
        if ce >= keep_from:
            yi = ce - keep_from
            out_g[yi] = g
            out_r[yi] = rep & (g >= 0)
    return Careers(out_g, out_r)


@dataclass(frozen=True, slots=True)
class Enrolment:
    person: int
    unit: int
    grade: str
    status: str  # ledger vocabulary: studying, moved, left, graduated, suspended, died
    repeater: bool


class UnitChooser:
    """Weighted choice of a unit offering a grade, mostly in the pupil's district."""

    def __init__(self, units: list[Unit], districts: list[str], rng: random.Random) -> None:
        self.units = units
        self.districts = districts
        self.rng = rng
        self.cache: dict[tuple, tuple[list[int], list[float]]] = {}

    def _candidates(self, district: int | None, grade: str, year: int, male: bool,
                    exclude_aff: str | None) -> tuple[list[int], list[float]]:
        key = (district, grade, year, male, exclude_aff)
        if key not in self.cache:
            code = self.districts[district] if district is not None else None
            idx, cum, total = [], [], 0.0
            for u in self.units:
                if (grade in u.grades and u.open_on(date(year - 543, 6, 10))
                        and (code is None or u.district == code)
                        and (male or u.affiliation != "ONAB")
                        and u.affiliation != exclude_aff):
                    total += u.weight
                    idx.append(u.idx)
                    cum.append(total)
            self.cache[key] = (idx, cum)
        return self.cache[key]

    def choose(self, district: int, grade: str, year: int, male: bool,
               exclude: int | None = None, exclude_aff: str | None = None) -> int | None:
        local = self.rng.random() >= 0.08
        for d in ((district, None) if local else (None,)):
            idx, cum = self._candidates(d, grade, year, male, exclude_aff)
            if idx and idx != [exclude]:
                for _ in range(8):
                    pick = self.rng.choices(idx, cum_weights=cum)[0]
                    if pick != exclude:
                        return pick
                return next(i for i in idx if i != exclude)
        return None


@dataclass
class YearPlan:
    """Who is where in one academic year, term 1 and term 2."""

    term1: list[Enrolment]
    term2: list[Enrolment]
    unit_of: dict[int, int]  # person -> unit at the end of the year


def plan_years(people: People, careers: Careers, units: list[Unit], years: tuple[int, ...],
               districts: list[str], rng: random.Random) -> list[YearPlan]:
    chooser = UnitChooser(units, districts, rng)
    plans: list[YearPlan] = []
    unit_of: dict[int, int] = {}
    prev_grade = np.full(len(people), NOT_YET, dtype=np.int8)
    dead: set[int] = set()
    for yi, year in enumerate(years):
        grades, reps, nxt = careers.grade[yi], careers.repeater[yi], careers.grade[yi + 1]
        t1: list[Enrolment] = []
        t2: list[Enrolment] = []
        new_unit_of: dict[int, int] = {}
        # Last year's finishers: a few still listed as graduated at their old unit.
        for p in np.flatnonzero((prev_grade >= 0) & (grades != prev_grade)).tolist():
            old = unit_of.get(p)
            g_old = GRADES[prev_grade[p]]
            if (old is not None and g_old in ("P6", "M3", "M6", "V3", "HV2")
                    and units[old].affiliation != "ONAB" and units[old].reports(year, 1)
                    and rng.random() < 0.03):
                t1.append(Enrolment(p, old, g_old, "graduated", False))
        for p in np.flatnonzero(grades >= 0).tolist():
            if p in dead:
                continue
            grade = GRADES[grades[p]]
            male = bool(people.male[p])
            u = unit_of.get(p)
            if (u is None or grade not in units[u].grades or not units[u].reports(year, 1)
                    or rng.random() < 0.025):
                u = chooser.choose(int(people.district[p]), grade, year, male, exclude=u)
            if u is None:
                continue
            repeater = bool(reps[p])
            t1.append(Enrolment(p, u, grade, "studying", repeater))
            # Term 2: leave mid-year, move to another unit, or stay.
            unit = units[u]
            r = rng.random()
            if not unit.reports(year, 2) and unit.merged_into_idx is not None:
                u = unit.merged_into_idx
                t2.append(Enrolment(p, u, grade, "studying", repeater))
            elif nxt[p] == OUT and r < 0.4:
                t2.append(Enrolment(p, u, grade, "left", repeater))
            elif r < 0.012:
                target = chooser.choose(int(people.district[p]), grade, year, male, exclude=u)
                if target is not None:
                    t2.append(Enrolment(p, u, grade, "moved", repeater))
                    u = target
                t2.append(Enrolment(p, u, grade, "studying", repeater))
            elif r < 0.014:
                t2.append(Enrolment(p, u, grade, "suspended", repeater))
            elif r < 0.01415:
                t2.append(Enrolment(p, u, grade, "died", repeater))
                dead.add(p)
            else:
                t2.append(Enrolment(p, u, grade, "studying", repeater))
            new_unit_of[p] = u
            # A few are enrolled in a second formal unit at the same time.
            if grades[p] >= G["P1"] and rng.random() < 0.002:
                second = chooser.choose(int(people.district[p]), grade, year, male,
                                        exclude=u, exclude_aff=unit.affiliation)
                if second is not None and second != u:
                    for term in (t1, t2):
                        term.append(Enrolment(p, second, grade, "studying", repeater))
        # A finisher still studying at the same unit is not also listed as graduated.
        studying = {(e.person, e.unit) for e in t1 if e.status == "studying"}
        t1 = [e for e in t1 if e.status != "graduated" or (e.person, e.unit) not in studying]
        plans.append(YearPlan(t1, t2, new_unit_of))
        unit_of = new_unit_of
        prev_grade = grades
    return plans
