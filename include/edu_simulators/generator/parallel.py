"""Run one source writer for a province in a forked child process.

The OBEC writer has the most records; writing it beside the other sources uses
the second core. The child keeps its own ledger part, which the parent appends
to the ledger at a fixed point, so the output stays byte-identical.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from typing import Protocol

from .context import Province, Run
from .ledger import Ledger


def use_processes() -> bool:
    """Extra processes need fork; EDU_SIM_SERIAL=1 keeps everything in one."""
    return (os.environ.get("EDU_SIM_SERIAL", "") in ("", "0")
            and "fork" in multiprocessing.get_all_start_methods())


class TermWriter(Protocol):
    def term(self, prov: Province, year: int, term: int, records: list, staff: dict) -> None: ...

    def close_files(self) -> None: ...


class ForkedWriter:
    def __init__(self, run: Run, writer: TermWriter, name: str) -> None:
        self.run, self.writer, self.name = run, writer, name
        self.part = run.out / "ledger" / f"_part_{name}"
        self.proc: multiprocessing.process.BaseProcess | None = None

    def start(self, prov: Province, plans: list, staff_by_year: list[dict]) -> None:
        if not use_processes():
            self._write(prov, plans, staff_by_year)  # no fork: write here, then merge
            return
        ctx = multiprocessing.get_context("fork")
        self.proc = ctx.Process(target=self._write, args=(prov, plans, staff_by_year))
        self.proc.start()

    def _write(self, prov: Province, plans: list, staff_by_year: list[dict]) -> None:
        run = self.run
        saved = run.ledger, run.counts, run.notes  # restored when written in-process
        try:
            self._write_part(prov, plans, staff_by_year)
        finally:
            run.ledger, run.counts, run.notes = saved

    def _write_part(self, prov: Province, plans: list, staff_by_year: list[dict]) -> None:
        run = self.run
        run.ledger = Ledger(self.part)
        run.counts, run.notes = {}, {}
        for yi, year in enumerate(prov.years):
            for term, records in ((1, plans[yi].term1), (2, plans[yi].term2)):
                self.writer.term(prov, year, term, records, staff_by_year[yi])
        self.writer.close_files()
        run.ledger.close()
        summary = {"counts": run.counts, "notes": run.notes, "files": run.ledger.files,
                   "defects": run.ledger.defect_counts}
        (self.part / "summary.json").write_text(json.dumps(summary), encoding="utf-8")

    def join(self) -> None:
        """Wait for the child and fold its ledger part and counts into the run."""
        if self.proc is not None:
            self.proc.join()
            if self.proc.exitcode != 0:
                raise RuntimeError(f"{self.name} writer failed (exit {self.proc.exitcode})")
            self.proc = None
        run = self.run
        summary = json.loads((self.part / "summary.json").read_text(encoding="utf-8"))
        run.ledger.merge_part(self.part, summary["files"], summary["defects"])
        for key, n in summary["counts"].items():
            run.add(key, n)
        for key, items in summary["notes"].items():
            for item in items:
                run.note(key, item)
        shutil.rmtree(self.part)
