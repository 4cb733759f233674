"""Bar charts as inline SVG, drawn in Python: the report needs no script and no network.

Each bar is a `rect.bar` with a `<title>` (the browser's tooltip) holding its
group, series and value. A withheld value draws no bar but a dash on the zero
line, so it is never mistaken for a zero; a value that does not exist (a cell
not produced) draws nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from markupsafe import Markup, escape

from edu_platform.publication.labels import Label

# Okabe-Ito, readable by the colour-blind; more series than colours repeat them.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
CHAR_WIDTH = 6.2  # at the 11px label font: enough to lay labels out without measuring them
PLOT_HEIGHT = 220
LEFT, RIGHT, TOP_PAD = 58, 16, 12
LEGEND_ROW = 18
MIN_WIDTH = 360
WIDEST_FLAT_LABEL = 150  # wider group labels are turned, not given that much room
LABEL_ANGLE = 50
ROTATED_LABEL_SPACING = 40  # two turned lines of text need this much between groups


WITHHELD: Final = "withheld"
BarValue = float | Literal["withheld"] | None


@dataclass(frozen=True)
class Series:
    name: Label
    values: Sequence[BarValue]
    colour: str | None = None


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (steps of 1, 2 or 5 times a power of ten)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    tick = first
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _legend(series: Sequence[Series], width: float) -> tuple[list[str], float]:
    parts, x, y = [], LEFT, TOP_PAD
    for index, item in enumerate(series):
        label = item.name.both()
        item_width = 18 + _text_width(label) + 14
        if x + item_width > width - RIGHT and x > LEFT:
            x, y = LEFT, y + LEGEND_ROW
        colour = item.colour or PALETTE[index % len(PALETTE)]
        parts.append(
            f'<g class="legend-item"><rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" '
            f'fill="{colour}"/><text x="{x + 16:.1f}" y="{y + 1:.1f}">{escape(label)}</text></g>')
        x += item_width
    return parts, y + LEGEND_ROW


def grouped_bar_chart(title: Label, groups: Sequence[Label], series: Sequence[Series],
                      value_text: Callable[[float], str]) -> Markup:
    """Bars of every series side by side within each group; the y axis includes zero."""
    values = [v for s in series for v in s.values if isinstance(v, float | int)]
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]))
    low, high = ticks[0], ticks[-1]

    bar = max(6.0, min(26.0, 720.0 / max(1, len(series) * len(groups))))
    bars_width = bar * len(series) + 14
    label_width = max((_text_width(text) for g in groups for text in (g.th, g.en)), default=0)
    rotate = label_width + 12 > max(bars_width, WIDEST_FLAT_LABEL)
    group_width = max(bars_width, ROTATED_LABEL_SPACING) if rotate else max(
        bars_width, label_width + 12)
    bottom = label_width * math.sin(math.radians(LABEL_ANGLE)) + 40 if rotate else 44
    # A turned label reaches left of its group: the first one must not leave the picture.
    reach = label_width * math.cos(math.radians(LABEL_ANGLE)) - group_width / 2 if rotate else 0
    left = max(LEFT, reach + 8)
    width = max(MIN_WIDTH, left + group_width * len(groups) + RIGHT)
    legend, plot_top = _legend(series, width) if len(series) > 1 else ([], TOP_PAD + 6)
    height = plot_top + PLOT_HEIGHT + bottom

    def y_of(value: float) -> float:
        return plot_top + PLOT_HEIGHT * (high - value) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-label="{escape(title.both())}">',
        f"<title>{escape(title.both())}</title>",
        *legend,
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line class="grid" x1="{left:.1f}" x2="{width - RIGHT:.1f}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="tick" x="{left - 6:.1f}" y="{y + 4:.1f}">'
                     f"{tick:,.6g}</text>")
    zero = y_of(0.0)
    for g_index, group in enumerate(groups):
        x0 = left + 7 + g_index * group_width + (group_width - bars_width) / 2
        for s_index, item in enumerate(series):
            x = x0 + s_index * bar
            value = item.values[g_index]
            tooltip = f"{group.both()} · {item.name.both()}: "
            if value is None:
                continue
            if value == WITHHELD:
                parts.append(f'<text class="withheld-mark" x="{x + bar / 2:.1f}" '
                             f'y="{zero - 3:.1f}">–<title>{escape(tooltip)}–</title></text>')
                continue
            colour = item.colour or PALETTE[s_index % len(PALETTE)]
            top, bottom_y = sorted((y_of(value), zero))
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{top:.1f}" width="{bar - 1:.1f}" '
                f'height="{max(bottom_y - top, 0.5):.1f}" fill="{colour}">'
                f"<title>{escape(tooltip + value_text(value))}</title></rect>")
        centre = x0 + bar * len(series) / 2
        label_y = plot_top + PLOT_HEIGHT + 14
        transform = (f' transform="rotate(-{LABEL_ANGLE} {centre:.1f} {label_y:.1f})"'
                     if rotate else "")
        anchor = "end" if rotate else "middle"
        parts.append(
            f'<text class="group" x="{centre:.1f}" y="{label_y:.1f}" text-anchor="{anchor}"'
            f"{transform}>{escape(group.th)}"
            f'<tspan class="group-en" x="{centre:.1f}" dy="12">{escape(group.en)}</tspan></text>')
    parts.append(f'<line class="axis" x1="{left:.1f}" x2="{width - RIGHT:.1f}" '
                 f'y1="{zero:.1f}" y2="{zero:.1f}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
