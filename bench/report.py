"""What a benchmark returns, and how the figures are printed and written.

A `Section` is one benchmark's table: rows of named figures, the targets it is
judged by, and notes saying how it was measured (and what it does not show).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Target:
    """A goal from the issue and whether this run met it."""

    name: str
    measured: float
    goal: float
    unit: str
    higher_is_better: bool

    @property
    def met(self) -> bool:
        return self.measured >= self.goal if self.higher_is_better else self.measured <= self.goal

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


@dataclass
class Section:
    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    machine_busy_percent: float | None = None  # all cores, whoever used them

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows,
                "targets": [target.as_dict() for target in self.targets],
                "notes": self.notes, "details": self.details,
                "seconds": round(self.seconds, 1),
                "machine_busy_percent": self.machine_busy_percent}


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
    return str(value)


def print_section(console: Console, section: Section) -> None:
    table = Table(title=f"{section.title}  ({section.seconds:.0f} s)", title_justify="left")
    for column in section.columns:
        table.add_column(column, justify="left" if column == section.columns[0] else "right")
    for row in section.rows:
        table.add_row(*(_cell(row.get(column)) for column in section.columns))
    console.print(table)
    for target in section.targets:
        mark = "[green]met[/]" if target.met else "[red]missed[/]"
        relation = ">=" if target.higher_is_better else "<="
        console.print(f"  target {target.name}: {_cell(target.measured)} {target.unit} "
                      f"({relation} {_cell(target.goal)}) {mark}")
    for note in section.notes:
        console.print(f"  [dim]note:[/] {note}")


def write_results(preset: str, machine: dict[str, Any], sections: list[Section],
                  started: datetime, results_dir: Path = RESULTS_DIR) -> list[Path]:
    """`<preset>-<timestamp>.json` (this run; ignored by git) and `latest-<preset>.json`
    (committed): the latest figures of every benchmark, a run with `--only` updating
    just its own."""
    measured_at = started.isoformat(timespec="seconds")
    benchmarks = {section.name: {**section.as_dict(), "measured_at": measured_at,
                                 "git_commit": machine.get("git_commit")}
                  for section in sections}
    document = {"preset": preset, "started_at": measured_at, "machine": machine,
                "benchmarks": benchmarks}
    results_dir.mkdir(parents=True, exist_ok=True)
    stamped = results_dir / f"{preset}-{started.strftime('%Y%m%dT%H%M%S')}.json"
    stamped.write_text(_json(document), encoding="utf-8")
    latest = results_dir / f"latest-{preset}.json"
    if latest.exists():
        earlier = json.loads(latest.read_text(encoding="utf-8"))
        kept = {name: {"measured_at": earlier["started_at"], **entry}
                for name, entry in earlier["benchmarks"].items()}
        document = {**document, "benchmarks": {**kept, **benchmarks}}
    latest.write_text(_json(document), encoding="utf-8")
    return [stamped, latest]


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False, default=str) + "\n"
