"""The people of the province: registered children and youths as individuals,
migrant children with G-codes, and DOPA's counts by district, age and sex."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..presets import ProvinceSpec
from .ids import IdAllocator
from .names import NATIONALITIES, draw_name

INDIVIDUAL_MAX_AGE = 25  # DOPA ages above this come from an age profile


@dataclass
class People:
    """Column arrays, one entry per person (index = local person number)."""

    uid: np.ndarray  # int64, unique nationally
    district: np.ndarray  # int16 index into spec.districts
    male: np.ndarray  # bool
    birth: np.ndarray  # int32 date ordinals
    migrant: np.ndarray  # bool: not in the civil register, G-code
    cid: list[str | None]  # citizen ID (for migrants: the one issued later, or None)
    gcode: list[str | None]
    cid_from: np.ndarray  # int16 C.E. year the citizen ID is first used
    first: list[str]
    last: list[str]
    nationality: list[str]
    _dates: list[date] | None = None

    def __len__(self) -> int:
        return len(self.uid)

    def birth_date(self, i: int) -> date:
        if self._dates is None:
            self._dates = [date.fromordinal(o) for o in self.birth.tolist()]
        return self._dates[i]


def build_people(spec: ProvinceSpec, dopa_years: list[int], last_ce: int, uid_base: int,
                 ids: IdAllocator, rng: random.Random, nrng: np.random.Generator) -> People:
    first_birth = dopa_years[0] - INDIVIDUAL_MAX_AGE
    cols: dict[str, list] = {k: [] for k in ("district", "male", "birth", "migrant")}
    for di, d in enumerate(spec.districts):
        for year in range(first_birth, dopa_years[-1] + 1):
            n = int(nrng.poisson(spec.cohort_size * d.weight))
            n_mig = int(nrng.binomial(n, d.migrant_share))
            days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
            start = date(year, 1, 1).toordinal()
            cols["district"].append(np.full(n + n_mig, di, dtype=np.int16))
            cols["male"].append(nrng.random(n + n_mig) < 0.512)
            cols["birth"].append((start + nrng.integers(0, days, n + n_mig)).astype(np.int32))
            cols["migrant"].append(np.arange(n + n_mig) >= n)
    district = np.concatenate(cols["district"])
    male = np.concatenate(cols["male"])
    birth = np.concatenate(cols["birth"])
    migrant = np.concatenate(cols["migrant"])
    count = len(district)
    cid: list[str | None] = []
    gcode: list[str | None] = []
    cid_from = np.zeros(count, dtype=np.int16)
    firsts, lasts, nats = [], [], []
    codes = [d.code for d in spec.districts]
    for i in range(count):
        office = codes[district[i]]
        is_mig = bool(migrant[i])
        f, ln = draw_name(rng, bool(male[i]), is_mig)
        firsts.append(f)
        lasts.append(ln)
        if is_mig:
            gcode.append(ids.gcode(office))
            nats.append(rng.choice(NATIONALITIES))
            # Some migrant children get a 13-digit ID in the last year.
            if rng.random() < 0.15:
                cid.append(ids.citizen("6", office))
                cid_from[i] = last_ce
            else:
                cid.append(None)
                cid_from[i] = 9999
        else:
            cid.append(ids.citizen("1", office))
            gcode.append(None)
            nats.append("ไทย")
    uid = uid_base + np.arange(count, dtype=np.int64)
    return People(uid, district, male, birth, migrant, cid, gcode, cid_from, firsts, lasts,
                  nats)


def age_at(birth_ordinals: np.ndarray, day: date) -> np.ndarray:
    """Completed years on ``day`` for an array of birth ordinals."""
    after = _month_day(birth_ordinals) > day.month * 100 + day.day
    return day.year - _years(birth_ordinals) - after


_EPOCH_CACHE: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def _calendar(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, int]:
    key = (lo, hi)
    if key not in _EPOCH_CACHE:
        days = [date.fromordinal(o) for o in range(lo, hi + 1)]
        _EPOCH_CACHE[key] = (np.array([d.year for d in days], dtype=np.int32),
                             np.array([d.month * 100 + d.day for d in days], dtype=np.int32))
    years, md = _EPOCH_CACHE[key]
    return years, md, lo


def _years(ordinals: np.ndarray) -> np.ndarray:
    years, _, lo = _calendar(int(ordinals.min()), int(ordinals.max()))
    return years[ordinals - lo]


def _month_day(ordinals: np.ndarray) -> np.ndarray:
    _, md, lo = _calendar(int(ordinals.min()), int(ordinals.max()))
    return md[ordinals - lo]


def population_counts(spec: ProvinceSpec, people: People, dopa_years: list[int],
                      nrng: np.random.Generator) -> list[tuple[str, int, int, str, int]]:
    """(district, C.E. year, age 0..100, sex, count), the registered population
    on 31 December: individuals up to INDIVIDUAL_MAX_AGE, an age profile above."""
    rows = []
    registered = ~people.migrant
    byears = _years(people.birth)
    # Older ages: a smooth profile around the cohort size, drawn once per
    # district so that the same cohort ages consistently from year to year.
    for di, d in enumerate(spec.districts):
        base = spec.cohort_size * d.weight
        profile = {}
        for by in range(dopa_years[-1] - 120, dopa_years[-1] - INDIVIDUAL_MAX_AGE):
            age0 = dopa_years[-1] - by
            survival = 1.08 if age0 < 55 else max(0.002, 1.08 * 0.93 ** (age0 - 55))
            profile[by] = (int(nrng.poisson(base * survival * 0.49)),
                           int(nrng.poisson(base * survival * 0.51)))
        mask_d = registered & (people.district == di)
        for year in dopa_years:
            ages = year - byears[mask_d]
            males = people.male[mask_d]
            m_counts = np.bincount(ages[(ages >= 0) & males], minlength=INDIVIDUAL_MAX_AGE + 1)
            f_counts = np.bincount(ages[(ages >= 0) & ~males], minlength=INDIVIDUAL_MAX_AGE + 1)
            for age in range(0, 101):
                if age <= INDIVIDUAL_MAX_AGE:
                    m, f = int(m_counts[age]), int(f_counts[age])
                elif age < 100:
                    m, f = profile.get(year - age, (0, 0))
                else:
                    old = [profile.get(by, (0, 0)) for by in range(year - 120, year - 99)]
                    m, f = sum(o[0] for o in old), sum(o[1] for o in old)
                rows.append((d.code, year, age, "M", m))
                rows.append((d.code, year, age, "F", f))
    return rows
