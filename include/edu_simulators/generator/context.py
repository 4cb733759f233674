"""What the writers share: output folders, the ledger, the province being written."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..presets import ProvinceSpec
from .imperfections import Dice, Imperfections
from .ledger import Ledger
from .names import prefix_for
from .nonformal import NfeLearner, NfeYear
from .population import People
from .render import Renderer
from .rules import age_on_reference
from .units import Lao, Unit


def derive_seed(*parts: object) -> int:
    """A stable seed for one stream (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


@dataclass
class Run:
    out: Path
    seed: int
    rates: Imperfections
    ledger: Ledger
    progress: Callable[[str], None]
    counts: dict[str, int] = field(default_factory=dict)
    notes: dict[str, list] = field(default_factory=dict)

    @property
    def drop(self) -> Path:
        return self.out / "drop"

    @property
    def served(self) -> Path:
        return self.out / "served"

    def renderer(self, *parts: object) -> Renderer:
        rng = random.Random(derive_seed(self.seed, *parts))
        return Renderer(Dice(self.rates, rng), rng)

    def rng(self, *parts: object) -> random.Random:
        return random.Random(derive_seed(self.seed, "rng", *parts))

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def note(self, key: str, item: object) -> None:
        self.notes.setdefault(key, []).append(item)


@dataclass
class Province:
    spec: ProvinceSpec
    years: tuple[int, ...]
    units: list[Unit]
    laos: list[Lao]
    people: People
    nfe_learners: list[NfeLearner]
    nfe_years: list[NfeYear]

    def current_id(self, p: int, academic_year: int) -> tuple[str | None, str | None]:
        """(ID the person holds this year, previous G-code once replaced)."""
        ppl = self.people
        if ppl.cid[p] is not None and ppl.cid_from[p] <= academic_year - 543:
            return ppl.cid[p], ppl.gcode[p]
        return ppl.gcode[p], None

    def age(self, p: int, academic_year: int) -> int:
        return age_on_reference(self.people.birth_date(p), academic_year)

    def prefix(self, p: int, academic_year: int) -> str:
        return prefix_for(bool(self.people.male[p]), self.age(p, academic_year))

    def birth(self, p: int) -> date:
        return self.people.birth_date(p)
