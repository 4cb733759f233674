"""One benchmark run: its preset, its messages, and what benchmarks share within it.

The extraction benchmark lands the preset's province into a database of its
own; the dbt benchmark builds on that same raw zone instead of landing it a
second time. Everything the session holds is released (databases dropped,
servers stopped) when it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from bench.scratch import scratch_database

Say = Callable[[str], None]


class BenchSession(ExitStack):
    def __init__(self, preset: str, say: Say) -> None:
        super().__init__()
        self.preset = preset
        self.say = say
        self.landed: dict[Path, str] = {}  # province folder -> database holding its raw zone

    def database(self, label: str) -> str:
        """A scratch database that lives as long as the session."""
        return self.enter_context(scratch_database(label))

    def landed_warehouse(self, folder: Path, land: Callable[[str, Path], None]) -> str:
        """A database holding `folder`'s raw zone: the one already landed, else `land` it."""
        if folder not in self.landed:
            url = self.database("landed")
            land(url, folder)
            self.landed[folder] = url
        return self.landed[folder]
