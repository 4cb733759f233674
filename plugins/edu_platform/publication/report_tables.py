"""The report's building blocks: formatted cells, bilingual tables and charts."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from edu_platform.publication.labels import Label
from edu_platform.publication.tables import IndicatorCell

DECIMALS = {"percent": 1, "ratio": 3, "pupils_per_teacher": 1, "count": 0}
WITHHELD_TEXT = "—"


def format_value(value: float, unit: str) -> str:
    return f"{value:,.{DECIMALS.get(unit, 2)}f}"


def plain_number(value: float) -> str:
    """Whole numbers without decimals (counts), others with two (FTE, rates)."""
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


@dataclass(frozen=True)
class CellView:
    text: str
    flags: tuple[str, ...] = ()
    withheld: bool = False
    note: str = ""  # a tooltip: what lies behind the number
    status: str = ""  # scorecard cells: ok | warn


NO_CELL = CellView("")


def cell_view(cell: IndicatorCell | None) -> CellView:
    if cell is None:
        return NO_CELL
    flags = tuple(cell.flag_list)
    if cell.withheld or cell.value_published is None:
        return CellView(WITHHELD_TEXT, flags, withheld=True)
    note = ""
    if cell.numerator is not None and cell.denominator is not None:
        note = f"{plain_number(cell.numerator)} / {plain_number(cell.denominator)}"
    return CellView(format_value(cell.value_published, cell.unit), flags, note=note)


@dataclass(frozen=True)
class TableRow:
    heading: Label
    cells: list[CellView]


@dataclass(frozen=True)
class Table:
    title: Label
    corner: Label
    columns: list[Label]
    rows: list[TableRow]


@dataclass(frozen=True)
class Chart:
    title: Label
    svg: Markup
    small: bool = False


@dataclass
class Figures:
    """Charts and tables of one section, in the order the report shows them."""

    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
