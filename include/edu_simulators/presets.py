"""Presets of the synthetic province generator: how big, which provinces, which units.

A preset scales one template (Rayong's unit mix and cohort size) to a province or
to the whole country; province facts come from ``include/provinces/<name>.yaml``
where such a file exists, else from the built-in national table below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

PROVINCES_DIR = Path(__file__).resolve().parents[1] / "provinces"


@dataclass(frozen=True)
class District:
    code: str
    name_th: str
    tambons: int
    weight: float  # share of the province's people
    migrant_share: float  # share of children who are migrants (G-codes)


@dataclass(frozen=True)
class ProvinceSpec:
    code: str
    slug: str
    name_th: str
    districts: tuple[District, ...]
    cohort_size: int  # registered children born per year, whole province
    # Units open in the last academic year, by kind (see units.py)
    units: dict[str, int] = field(default_factory=dict)
    dla_laos: int = 0
    special_events: bool = True  # a merge, a closure and openings


@dataclass(frozen=True)
class Preset:
    name: str
    provinces: tuple[ProvinceSpec, ...]
    academic_years: tuple[int, ...] = (2565, 2566, 2567)
    streaming: bool = False  # national: flush per province, print peak RSS


# Rayong: 541 units open in 2567. Kinds: OBEC primary/extended/secondary schools,
# OVEC colleges, OPEC general/vocational schools, DLA schools and CDCs,
# DLP district offices and subdistrict centres (one per tambon), ONAB schools.
RAYONG_UNITS = {
    "obec_primary": 190, "obec_extended": 40, "obec_secondary": 29,
    "ovec_college": 8,
    "opec_general": 46, "opec_vocational": 9,
    "dla_school": 20, "dla_cdc": 130,
    "dlp_district": 8, "dlp_tambon": 58,
    "onab_school": 3,
}
TINY_UNITS = {
    "obec_primary": 3, "obec_extended": 1, "obec_secondary": 1,
    "ovec_college": 1, "opec_general": 1, "opec_vocational": 1,
    "dla_school": 1, "dla_cdc": 2, "dlp_district": 1, "dlp_tambon": 2, "onab_school": 1,
}
# Tambons per district, share of people and share of migrant children, from the
# real provinces' shapes.
RAYONG_SHAPE = {
    "2101": (15, 0.36, 0.05), "2102": (3, 0.10, 0.05), "2103": (15, 0.15, 0.01),
    "2104": (4, 0.05, 0.01), "2105": (7, 0.08, 0.01), "2106": (6, 0.12, 0.07),
    "2107": (4, 0.04, 0.01), "2108": (4, 0.10, 0.05),
}
RAYONG_COHORT = 13_400
SUKHOTHAI_SHAPE = {
    "6401": (9, 0.14, 0.01), "6402": (5, 0.10, 0.01), "6403": (10, 0.12, 0.01),
    "6404": (11, 0.12, 0.01), "6405": (11, 0.14, 0.01), "6406": (13, 0.13, 0.01),
    "6407": (14, 0.12, 0.01), "6408": (5, 0.05, 0.01), "6409": (5, 0.08, 0.01),
}
# Sukhothai as a small province: every district with one tambon, tiny's unit mix
# plus a few primary schools, so that an end-to-end run stays short.
SUKHOTHAI_COHORT = 90
SUKHOTHAI_UNITS = dict(TINY_UNITS, obec_primary=6)


def _load_yaml_province(slug: str) -> dict:
    with open(PROVINCES_DIR / f"{slug}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["province"]


def _normalized(districts: Sequence[District]) -> tuple[District, ...]:
    total = sum(d.weight for d in districts)
    return tuple(District(d.code, d.name_th, d.tambons, d.weight / total, d.migrant_share)
                 for d in districts)


def _with_dlp_offices(units: dict[str, int], districts: tuple[District, ...]) -> dict[str, int]:
    """One DLP district office per district and one centre per tambon."""
    return dict(units, dlp_district=len(districts),
                dlp_tambon=sum(d.tambons for d in districts))


def configured_spec(slug: str, shape: dict[str, tuple[int, float, float]], cohort_size: int,
                    units: dict[str, int], dla_laos: int,
                    tambon_cap: int | None = None) -> ProvinceSpec:
    """A province of ``include/provinces/<slug>.yaml`` with its districts shaped by
    ``shape`` (district code: tambons, share of people, share of migrants)."""
    prov = _load_yaml_province(slug)
    districts = []
    for d in prov["districts"]:
        tambons, weight, migrants = shape.get(d["code"], (5, 0.1, 0.02))
        if tambon_cap is not None:
            tambons = min(tambons, tambon_cap)
        districts.append(District(d["code"], d["name_th"], tambons, weight, migrants))
    return ProvinceSpec(str(prov["code"]), prov["slug"], prov["name_th"],
                        _normalized(districts), cohort_size, dict(units), dla_laos)


def rayong_spec(cohort_size: int = RAYONG_COHORT, units: dict[str, int] | None = None,
                dla_laos: int = 58, tambon_cap: int | None = None) -> ProvinceSpec:
    return configured_spec("rayong", RAYONG_SHAPE, cohort_size, units or RAYONG_UNITS,
                           dla_laos, tambon_cap)


def tiny_spec() -> ProvinceSpec:
    base = rayong_spec(cohort_size=30, units=TINY_UNITS, dla_laos=2, tambon_cap=1)
    # Two districts are enough to exercise cross-district choices.
    keep = _normalized(base.districts[:2])
    return replace(base, slug="tiny", districts=keep, units=_with_dlp_offices(base.units, keep))


def sukhothai_spec() -> ProvinceSpec:
    spec = configured_spec("sukhothai", SUKHOTHAI_SHAPE, SUKHOTHAI_COHORT, SUKHOTHAI_UNITS,
                           dla_laos=3, tambon_cap=1)
    return replace(spec, units=_with_dlp_offices(spec.units, spec.districts))


# (code, Thai name, population in 10,000s, districts); approximate, enough to
# spread ~12 million learners over the country the way people are spread.
NATIONAL = [
    ("10", "กรุงเทพมหานคร", 550, 50), ("11", "สมุทรปราการ", 140, 6),
    ("12", "นนทบุรี", 130, 6), ("13", "ปทุมธานี", 120, 7),
    ("14", "พระนครศรีอยุธยา", 82, 16), ("15", "อ่างทอง", 28, 7), ("16", "ลพบุรี", 76, 11),
    ("17", "สิงห์บุรี", 21, 6), ("18", "ชัยนาท", 33, 8), ("19", "สระบุรี", 65, 13),
    ("20", "ชลบุรี", 160, 11), ("21", "ระยอง", 75, 8), ("22", "จันทบุรี", 54, 10),
    ("23", "ตราด", 23, 7), ("24", "ฉะเชิงเทรา", 73, 11), ("25", "ปราจีนบุรี", 50, 7),
    ("26", "นครนายก", 26, 4), ("27", "สระแก้ว", 57, 9), ("30", "นครราชสีมา", 264, 32),
    ("31", "บุรีรัมย์", 159, 23), ("32", "สุรินทร์", 139, 17), ("33", "ศรีสะเกษ", 147, 22),
    ("34", "อุบลราชธานี", 187, 25), ("35", "ยโสธร", 54, 9), ("36", "ชัยภูมิ", 114, 16),
    ("37", "อำนาจเจริญ", 38, 7), ("38", "บึงกาฬ", 42, 8), ("39", "หนองบัวลำภู", 51, 6),
    ("40", "ขอนแก่น", 180, 26), ("41", "อุดรธานี", 159, 20), ("42", "เลย", 64, 14),
    ("43", "หนองคาย", 52, 9), ("44", "มหาสารคาม", 96, 13), ("45", "ร้อยเอ็ด", 131, 20),
    ("46", "กาฬสินธุ์", 98, 18), ("47", "สกลนคร", 115, 18), ("48", "นครพนม", 72, 12),
    ("49", "มุกดาหาร", 35, 7), ("50", "เชียงใหม่", 180, 25), ("51", "ลำพูน", 40, 8),
    ("52", "ลำปาง", 73, 13), ("53", "อุตรดิตถ์", 45, 9), ("54", "แพร่", 44, 8),
    ("55", "น่าน", 48, 15), ("56", "พะเยา", 47, 9), ("57", "เชียงราย", 130, 18),
    ("58", "แม่ฮ่องสอน", 29, 7), ("60", "นครสวรรค์", 106, 15), ("61", "อุทัยธานี", 33, 8),
    ("62", "กำแพงเพชร", 73, 11), ("63", "ตาก", 67, 9), ("64", "สุโขทัย", 59, 9),
    ("65", "พิษณุโลก", 86, 9), ("66", "พิจิตร", 54, 12), ("67", "เพชรบูรณ์", 99, 11),
    ("70", "ราชบุรี", 87, 10), ("71", "กาญจนบุรี", 89, 13), ("72", "สุพรรณบุรี", 85, 10),
    ("73", "นครปฐม", 92, 7), ("74", "สมุทรสาคร", 59, 3), ("75", "สมุทรสงคราม", 19, 3),
    ("76", "เพชรบุรี", 48, 8), ("77", "ประจวบคีรีขันธ์", 55, 8),
    ("80", "นครศรีธรรมราช", 155, 23), ("81", "กระบี่", 48, 8), ("82", "พังงา", 27, 8),
    ("83", "ภูเก็ต", 42, 3), ("84", "สุราษฎร์ธานี", 107, 19), ("85", "ระนอง", 19, 5),
    ("86", "ชุมพร", 51, 8), ("90", "สงขลา", 143, 16), ("91", "สตูล", 32, 7),
    ("92", "ตรัง", 64, 10), ("93", "พัทลุง", 52, 11), ("94", "ปัตตานี", 72, 12),
    ("95", "ยะลา", 54, 8), ("96", "นราธิวาส", 81, 13),
]
# Rayong's ~200,000 learners a year times this gives ~12 million nationally.
NATIONAL_LEARNER_MULTIPLE = 60.0


def national_specs(scale: float = 1.0) -> tuple[ProvinceSpec, ...]:
    total = sum(p[2] for p in NATIONAL)
    specs = []
    for code, name, pop, n_districts in NATIONAL:
        factor = pop / total * NATIONAL_LEARNER_MULTIPLE * scale
        n_d = max(1, min(n_districts, round(n_districts * min(1.0, factor * 2))))
        districts = tuple(
            District(f"{code}{i:02d}", f"อำเภอที่ {i}", 6, 1.0 / n_d, 0.02)
            for i in range(1, n_d + 1))
        # At least one unit of each kind (ONAB schools only where the scale gives one).
        units = {k: max(0 if k == "onab_school" else 1, round(v * factor))
                 for k, v in RAYONG_UNITS.items()}
        units["dlp_district"] = n_d
        units["dlp_tambon"] = 6 * n_d
        specs.append(ProvinceSpec(code, f"p{code}", name, districts,
                                  max(20, round(RAYONG_COHORT * factor)), units,
                                  max(1, round(58 * factor)), special_events=False))
    return tuple(specs)


def get_preset(name: str, scale: float = 1.0) -> Preset:
    if name == "tiny":
        return Preset("tiny", (tiny_spec(),))
    if name == "rayong":
        return Preset("rayong", (rayong_spec(),))
    if name == "sukhothai":
        return Preset("sukhothai", (sukhothai_spec(),))
    if name == "national":
        return Preset("national", national_specs(scale), streaming=True)
    raise ValueError(f"unknown preset {name!r}: choose {', '.join(PRESETS)}")


PRESETS = ("tiny", "rayong", "sukhothai", "national")
