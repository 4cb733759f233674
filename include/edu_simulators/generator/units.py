"""The province's education units: codes, places, grades offered, open/close dates."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from ..presets import ProvinceSpec
from .vocab import GRADES

PLACES = ("หนองกระบอก", "มาบตาพุด", "ทับมา", "เนินพระ", "ตะพง", "ปากน้ำ", "บ้านแลง", "กะเฉด",
          "นาตาขวัญ", "เพ", "ห้วยโป่ง", "สำนักทอง", "ชากบก", "หนองละลอก", "ตาขัน", "บางบุตร",
          "พลา", "สำนักท้อน", "ชากโดน", "ทางเกวียน", "วังหว้า", "กองดิน", "ห้วยยาง", "ปากน้ำกระแส",
          "ชุมแสง", "ป่ายุบใน", "พลงตาเอี่ยม", "หนองตะพาน", "บางบุตร", "ละหาร", "แม่น้ำคู้",
          "มาบยางพร", "หนองไร่", "น้ำเป็น", "ห้วยทับมอญ", "มะขามคู่", "พนานิคม", "หนองบัว",
          "คลองปูน", "เขาน้อย", "ดอนมะกอก", "ท่าเรือ", "โขดหิน", "สระแก้ว", "หนองแฟบ")

KIND_INFO = {  # kind: (affiliation, unit_type, base weight, grades offered)
    "obec_primary": ("OBEC", "school", 1.0, GRADES[1:10]),
    "obec_extended": ("OBEC", "school", 1.0, GRADES[1:13]),
    "obec_secondary": ("OBEC", "school", 4.0, GRADES[10:16]),
    "ovec_college": ("OVEC", "college", 10.0, GRADES[16:21]),
    "opec_general": ("OPEC", "school", 2.4, GRADES[1:10]),
    "opec_vocational": ("OPEC", "school", 3.0, GRADES[16:21]),
    "dla_school": ("DLA", "school", 1.5, GRADES[1:10]),
    "dla_cdc": ("DLA", "child_development_centre", 1.0, GRADES[0:1]),
    "dlp_district": ("DLP", "district_office", 1.0, ()),
    "dlp_tambon": ("DLP", "learning_centre", 1.0, ()),
    "onab_school": ("ONAB", "school", 0.5, GRADES[10:16]),
}
LONG_AGO = date(1990, 5, 16)


@dataclass
class Unit:
    idx: int
    kind: str
    affiliation: str
    code: str
    unit_id: str
    name_th: str
    unit_type: str
    district: str
    tambon: str
    grades: tuple[str, ...]
    weight: float
    opened_on: date
    closed_on: date | None = None
    merged_into: str | None = None
    merged_into_idx: int | None = None
    lao_code: str | None = None
    lao_name: str | None = None
    encoding: str = "utf-8"
    subtype: str = ""  # OPEC ประเภท, OVEC collegeType, DLP center_type
    latitude: float = 0.0
    longitude: float = 0.0

    def open_on(self, day: date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)

    def reports(self, academic_year: int, term: int) -> bool:
        """Open on the census date, or merged this year and still reporting
        under its old code for the first term (obec-dmc.md)."""
        census = date(academic_year - 543, 6 if term == 1 else 11, 10)
        if self.open_on(census):
            return True
        return (self.merged_into is not None and term == 1 and self.closed_on is not None
                and self.closed_on == date(academic_year - 543, 5, 16))

    @property
    def obec_status(self) -> str:
        if self.merged_into:
            return "ยุบรวม"
        return "ปิด" if self.closed_on else "เปิด"


@dataclass
class Lao:
    code: str
    name: str
    district: str


def tambons_of(spec: ProvinceSpec) -> dict[str, list[str]]:
    return {d.code: [f"{d.code}{i:02d}" for i in range(1, d.tambons + 1)]
            for d in spec.districts}


def build_units(spec: ProvinceSpec, years: tuple[int, ...], rng: random.Random,
                id_prefix: str) -> tuple[list[Unit], list[Lao]]:
    tambons = tambons_of(spec)
    dists = [d.code for d in spec.districts]
    dweights = [d.weight for d in spec.districts]
    seq: dict[tuple[str, str], int] = {}
    units: list[Unit] = []
    last_ce = years[-1] - 543

    def next_seq(prefix: str, district: str) -> int:
        seq[(prefix, district)] = seq.get((prefix, district), 0) + 1
        return seq[(prefix, district)]

    def place() -> str:
        return rng.choice(PLACES)

    def add(kind: str, district: str, tambon: str, code: str, name: str, **kw) -> Unit:
        aff, utype, base, grades = KIND_INFO[kind]
        unit = Unit(idx=len(units), kind=kind, affiliation=aff, code=code, unit_id="",
                    name_th=name, unit_type=utype, district=district, tambon=tambon,
                    grades=tuple(kw.pop("grades", grades)),
                    weight=base * rng.lognormvariate(0, 0.45),
                    opened_on=kw.pop("opened_on", LONG_AGO), **kw)
        unit.latitude = round(12.6 + rng.random() * 0.5, 5)
        unit.longitude = round(101.0 + rng.random() * 0.8, 5)
        units.append(unit)
        return unit

    def district_and_tambon() -> tuple[str, str]:
        d = rng.choices(dists, dweights)[0]
        return d, rng.choice(tambons[d])

    prov = spec.code
    for kind in ("obec_primary", "obec_extended", "obec_secondary"):
        for _ in range(spec.units.get(kind, 0)):
            d, t = district_and_tambon()
            n = next_seq("10", d)
            name = (f"โรงเรียน{place()}วิทยา" if kind == "obec_secondary"
                    else f"โรงเรียน{rng.choice(['บ้าน', 'วัด'])}{place()}")
            add(kind, d, t, f"10{prov}{d[2:]}{n:04d}", name)
    for _ in range(spec.units.get("ovec_college", 0)):
        d, t = district_and_tambon()
        n = next_seq("ov", d)
        ctype = rng.choice(["วิทยาลัยเทคนิค", "วิทยาลัยการอาชีพ", "วิทยาลัยอาชีวศึกษา"])
        grades = GRADES[16:] if ctype == "วิทยาลัยเทคนิค" else GRADES[16:21]
        add("ovec_college", d, t, f"21{prov}{d[2:]}{n:04d}", f"{ctype}{place()}",
            subtype=ctype, grades=grades)
    for kind in ("opec_general", "opec_vocational"):
        for i in range(spec.units.get(kind, 0)):
            d, t = district_and_tambon()
            n = next_seq("20", d)
            if kind == "opec_vocational":
                subtype, grades, name = "อาชีวศึกษา", GRADES[16:21], f"วิทยาลัยเทคโนโลยี{place()}"
            elif i == 0 and spec.units[kind] > 3:
                subtype, grades, name = "นานาชาติ", GRADES[1:16], f"โรงเรียนนานาชาติ{place()}"
            else:
                subtype = "สามัญ"
                grades = GRADES[1:16] if rng.random() < 0.4 else GRADES[1:10]
                name = f"โรงเรียน{place()}ศึกษา"
            add(kind, d, t, f"20{prov}{d[2:]}{n:04d}", name, subtype=subtype, grades=grades,
                encoding="utf-8-sig" if rng.random() < 0.3 else "cp874")
    laos = _build_laos(spec, tambons, rng)
    _add_dla_units(spec, laos, tambons, rng, add)
    for d in dists:
        if spec.units.get("dlp_district", 0):
            add("dlp_district", d, tambons[d][0], f"K{d}00",
                f"สกร.อำเภอ{next(x.name_th for x in spec.districts if x.code == d)}",
                subtype="สกร.อำเภอ")
    tambon_list = [t for d in dists for t in tambons[d]]
    for t in tambon_list[: spec.units.get("dlp_tambon", 0)]:
        add("dlp_tambon", t[:4], t, f"K{t}", f"ศกร.ตำบล{place()}", subtype="ศกร.ตำบล")
    for _ in range(spec.units.get("onab_school", 0)):
        d, t = district_and_tambon()
        n = next_seq("P", d)
        add("onab_school", d, t, f"P{d}{n:03d}", f"โรงเรียนพระปริยัติธรรมวัด{place()}")
    if spec.special_events:
        _special_events(units, last_ce, rng, add)
    for i, unit in enumerate(units, start=1):
        unit.unit_id = f"{id_prefix}-{i:04d}"
    return units, laos


def _build_laos(spec: ProvinceSpec, tambons: dict[str, list[str]],
                rng: random.Random) -> list[Lao]:
    dists = [d.code for d in spec.districts]
    laos = [Lao(f"1{dists[0]}00", f"องค์การบริหารส่วนจังหวัด{spec.name_th}", dists[0])]
    per_district: dict[str, int] = {}
    for i in range(1, spec.dla_laos):
        d = dists[i % len(dists)]
        n = per_district[d] = per_district.get(d, 0) + 1
        kind = (("3", "เทศบาลเมือง"), ("4", "เทศบาลตำบล"), ("5", "องค์การบริหารส่วนตำบล"))[
            0 if i < len(dists) // 2 + 1 else (1 if i < len(dists) * 2 else 2)]
        laos.append(Lao(f"{kind[0]}{d}{n:02d}", f"{kind[1]}{rng.choice(PLACES)}", d))
    return laos


def _add_dla_units(spec, laos, tambons, rng, add) -> None:
    per_lao: dict[str, int] = {}
    n_school, n_cdc = spec.units.get("dla_school", 0), spec.units.get("dla_cdc", 0)
    # Schools go to the provincial authority and the municipalities; every
    # authority gets at least one centre, the rest are spread at random.
    school_laos = [laos[i % min(len(laos), max(1, len(laos) // 4))] for i in range(n_school)]
    cdc_laos = [laos[i] for i in range(len(laos)) if laos[i] not in school_laos][:n_cdc]
    cdc_laos += [rng.choice(laos) for _ in range(n_cdc - len(cdc_laos))]
    for kind, owners in (("dla_school", school_laos), ("dla_cdc", cdc_laos)):
        for lao in owners:
            d = lao.district
            n = per_lao[lao.code] = per_lao.get(lao.code, 0) + 1
            grades = None
            if kind == "dla_school":
                name = f"โรงเรียนเทศบาล {n} ({rng.choice(PLACES)})"
                grades = GRADES[1:16] if rng.random() < 0.4 else GRADES[1:10]
            else:
                name = f"ศูนย์พัฒนาเด็กเล็ก{rng.choice(PLACES)}"
            kw = {"grades": grades} if grades else {}
            add(kind, d, rng.choice(tambons[d]), f"{lao.code}{n:03d}", name,
                lao_code=lao.code, lao_name=lao.name, **kw)


def _special_events(units: list[Unit], last_ce: int, rng: random.Random, add) -> None:
    """One school merged into another at the start of the last year (it keeps
    reporting under its old code for a term), one closed a year earlier, and a
    centre and a private school that opened during the covered years."""
    primaries = [u for u in units if u.kind == "obec_primary"]
    if len(primaries) >= 2:
        target = primaries[0]
        merged = add("obec_primary", target.district, target.tambon,
                     target.code[:-4] + "9001", f"โรงเรียนบ้าน{rng.choice(PLACES)}เก่า",
                     closed_on=date(last_ce, 5, 16))
        merged.merged_into, merged.merged_into_idx = target.code, target.idx
        closed = add("obec_primary", target.district, target.tambon,
                     target.code[:-4] + "9002", f"โรงเรียนวัด{rng.choice(PLACES)}",
                     closed_on=date(last_ce - 1, 5, 16))
        closed.weight *= 0.6
    cdcs = [u for u in units if u.kind == "dla_cdc"]
    if len(cdcs) >= 2:
        cdcs[-1].opened_on = date(last_ce - 1, 5, 16)
    opecs = [u for u in units if u.kind == "opec_general"]
    if len(opecs) >= 2:
        opecs[-1].opened_on = date(last_ce, 5, 16)
