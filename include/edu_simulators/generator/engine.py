"""generate(): build each province of a preset and write it through every source."""

from __future__ import annotations

import json
import resource
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..presets import Preset, ProvinceSpec, get_preset
from .cohorts import plan_years, simulate_careers
from .context import Province, Run, derive_seed
from .ids import IdAllocator
from .imperfections import Imperfections
from .ledger import Ledger
from .nonformal import plan_nonformal
from .parallel import ForkedWriter, use_processes
from .population import build_people, population_counts
from .teachers import Staffing
from .units import build_units
from .writers.dla import DlaWriter
from .writers.dlp import DlpWriter
from .writers.dopa import DopaWriter
from .writers.obec import ObecWriter
from .writers.onab import OnabWriter
from .writers.opec import OpecWriter
from .writers.ovec import OvecWriter
from .writers.registry import RegistryWriter

REPO_ROOT = Path(__file__).resolve().parents[3]
# Ranges of person ids within a province (uid = province code * 10**9 + offset).
UID_CHILDREN, UID_TEACHERS, UID_ADULTS, UID_FACILITATORS = 0, 900_000_000, 800_000_000, 950_000_000


def default_out(preset: str) -> Path:
    return REPO_ROOT / "var" / "sim" / preset


def generate(preset: str = "rayong", seed: int = 21, out: Path | None = None,
             imperfections: Imperfections | None = None,
             progress: Callable[[str], None] | None = None, scale: float = 1.0) -> Path:
    """Write the synthetic province(s) of ``preset`` to ``out``; return ``out``.

    The same preset, seed, rates and scale give byte-identical files.
    ``scale`` (national only) generates that fraction of the country.
    """
    spec = get_preset(preset, scale)
    out = Path(out) if out is not None else default_out(preset)
    rates = imperfections if imperfections is not None else Imperfections()
    say = progress or (lambda _msg: None)
    if out.exists():
        # Everything a previous run wrote, including a now stale reference.
        for name in ("drop", "served", "ledger", "dlp", "reference", "generation.json"):
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    run = Run(out, seed, rates, Ledger(out / "ledger"), say)
    _generate(spec, run)
    summary = {"preset": preset, "seed": seed, "scale": scale if preset == "national" else 1.0,
               "academic_years": list(spec.academic_years), "imperfections": rates.as_dict(),
               "counts": dict(sorted(run.counts.items())),
               "defects": dict(sorted(run.ledger.defect_counts.items())),
               "notes": run.notes}
    (out / "generation.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if spec.streaming:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        (progress or print)(f"peak RSS {peak:.0f} MiB (largest child process {child:.0f} MiB)")
    say(f"done: {out}")
    return out


def _generate(preset: Preset, run: Run) -> None:
    years = preset.academic_years
    dopa_years = [y - 544 for y in years]
    registry, dopa = RegistryWriter(run), DopaWriter(run, dopa_years)
    obec, ovec, opec = ObecWriter(run), OvecWriter(run), OpecWriter(run, years)
    dla, dlp, onab = DlaWriter(run, use_processes()), DlpWriter(run), OnabWriter(run, years)
    for pi, spec in enumerate(preset.provinces):
        prov, plans, counts, ids, staffing = _build_province(spec, years, dopa_years, run, pi)
        registry.province(prov)
        dopa.province(prov, counts)
        obec.province(prov)
        ovec.province(prov)
        dla.province(prov)
        staff_by_year = []
        for yi, year in enumerate(years):
            staff_by_year.append(_staff_for_year(prov, plans[yi].term1, staffing, year))
            run.add(f"teachers_{year}", sum(len(v) for v in staff_by_year[-1].values()))
        forked = ForkedWriter(run, obec, "obec")
        forked.start(prov, plans, staff_by_year)
        for yi, year in enumerate(years):
            plan, staff = plans[yi], staff_by_year[yi]
            for term, records in ((1, plan.term1), (2, plan.term2)):
                run.add(f"enrolments_{year}_{term}", len(records))
                for writer in (ovec, opec, dla, onab):
                    writer.term(prov, year, term, records, staff)
            run.progress(f"{spec.slug}: academic year {year} written")
        dlp.province(prov, ids, int(spec.code) * 10**9 + UID_FACILITATORS)
        forked.join()
        run.progress(f"{spec.slug}: done ({len(prov.people)} people, {len(prov.units)} units)")
        del prov, plans, counts
    for writer in (registry, dopa, obec, ovec, opec, dla, onab, dlp):
        writer.finish()
    run.ledger.close()


def _build_province(spec: ProvinceSpec, years: tuple[int, ...], dopa_years: list[int],
                    run: Run, index: int):
    seed = run.seed
    rng = run.rng("province", spec.code)
    nrng = np.random.default_rng(derive_seed(seed, "numpy", spec.code))
    ids = IdAllocator(derive_seed(seed, "ids", spec.code))
    id_prefix = "RY" if spec.code == "21" else f"P{spec.code}"
    units, laos = build_units(spec, years, run.rng("units", spec.code), id_prefix)
    base = int(spec.code) * 10**9
    people = build_people(spec, dopa_years, years[-1] - 543, base + UID_CHILDREN, ids,
                          run.rng("people", spec.code), nrng)
    counts = population_counts(spec, people, dopa_years, nrng)
    run.progress(f"{spec.slug}: {len(units)} units, {len(people)} people")
    has_ecd = any(u.kind == "dla_cdc" for u in units)
    careers = simulate_careers(people, years, nrng, has_ecd)
    districts = [d.code for d in spec.districts]
    plans = plan_years(people, careers, units, years, districts, rng)
    nfe_learners, nfe_years = plan_nonformal(
        people, careers, units, years, districts, ids, base + UID_ADULTS, index * 10**7,
        spec.cohort_size, run.rng("nfe", spec.code))
    prov = Province(spec, years, units, laos, people, nfe_learners, nfe_years)
    staffing = Staffing(ids, base + UID_TEACHERS, run.rng("staff", spec.code))
    return prov, plans, counts, ids, staffing


def _staff_for_year(prov: Province, term1, staffing: Staffing, year: int) -> dict:
    grade_counts: dict[int, Counter] = {}
    for r in term1:
        if r.status == "studying":
            grade_counts.setdefault(r.unit, Counter())[r.grade] += 1
    staff = {}
    for u in prov.units:
        if u.affiliation in ("DLP",) or not u.reports(year, 1):
            continue
        staff[u.idx] = staffing.for_year(u, grade_counts.get(u.idx, Counter()), year - 543)
    return staff
