"""The deterministic synthetic-province generator (docs/simulators.md).

``generate(preset, seed, out, imperfections, progress)`` writes every source's
files, the HTTP sources' ``served/`` records and the ground-truth ledger.
"""

from .engine import default_out, generate
from .imperfections import Imperfections

__all__ = ["Imperfections", "default_out", "generate"]
