"""Simulated provinces for the benchmarks, generated once and cached under var/bench/sim/.

The generator is deterministic (same preset, seed and scale: same bytes), so a
cached folder is reused whenever its `generation.json` says it was made with the
same inputs. The national preset is generated as a slice (`scale`): the whole
country (about 12 million learners a year) would not fit the time budget of a
benchmark run, and every figure taken from it is a rate (per row, per second).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bench.scratch import bench_dir

SEED = 21


def _made_with(folder: Path, preset: str, scale: float) -> bool:
    summary = folder / "generation.json"
    if not summary.exists():
        return False
    made = json.loads(summary.read_text(encoding="utf-8"))
    return (made.get("preset"), made.get("seed"), made.get("scale")) == (preset, SEED, scale)


def simulated_province(preset: str, scale: float = 1.0,
                       progress: Callable[[str], None] = lambda _: None) -> Path:
    """The folder of a generated province (preset `national`: the slice `scale`)."""
    from edu_simulators.generator import generate  # heavy; only when a folder is missing

    scale = scale if preset == "national" else 1.0
    name = f"national-{scale:g}" if preset == "national" else preset
    folder = bench_dir("sim") / name
    if not _made_with(folder, preset, scale):
        progress(f"generating {name} into {folder} (once; cached)")
        generate(preset, seed=SEED, out=folder, scale=scale, progress=progress)
    return folder
