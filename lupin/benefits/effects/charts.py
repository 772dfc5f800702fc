"""The geometry of the effect report's charts, drawn by the template as inline SVG.

Pure arithmetic: a chart is a list of groups (a year, a partner...) with one value per series;
this module turns them into rectangles and text positions in a fixed coordinate system (the
SVG's viewBox), so the page needs no JavaScript. Coordinates are Decimal rounded to a tenth of a
unit. Each chart also carries its figures as text, for the table beside it: the table, not the
picture, is what a screen reader reads.

Series are told apart by fill pattern and a legend in words, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

WIDTH = Decimal(640)
LABEL_WIDTH = Decimal(210)  # bar charts: the group names left of the bars
VALUE_WIDTH = Decimal(90)  # bar charts: room right of the longest bar for its figure
BAR = Decimal(16)
GAP = Decimal(10)
LEGEND = Decimal(28)
PLOT_HEIGHT = Decimal(200)  # column charts
AXIS_WIDTH = Decimal(84)  # column charts: the tick labels left of the plot
AXIS_FOOT = Decimal(24)  # column charts: the group names under the plot
TICKS = 4
MAX_LABEL = 30


def _unit(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


@dataclass(frozen=True)
class Bar:
    series: int
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    text: str  # the figure, written next to the bar
    text_x: Decimal
    text_y: Decimal


@dataclass(frozen=True)
class Group:
    label: str
    short_label: str
    label_x: Decimal
    label_y: Decimal
    bars: list[Bar]
    values: list[str]  # the figures per series, for the table


@dataclass(frozen=True)
class Tick:
    text: str
    position: Decimal  # y of a column chart's gridline


@dataclass(frozen=True)
class Legend:
    series: int
    label: str
    x: Decimal
    text_x: Decimal


@dataclass(frozen=True)
class Chart:
    """`kind` is "bar" (horizontal) or "column" (vertical, for time)."""

    kind: str
    title: str
    description: str
    group_heading: str
    series: list[str]
    width: Decimal
    height: Decimal
    groups: list[Group]
    legend: list[Legend]
    zero: Decimal  # x of the zero line (bar) or its y (column)
    ticks: list[Tick]
    plot_start: Decimal
    plot_end: Decimal

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def is_empty(self) -> bool:
        return not self.groups


def _scale(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """The value range the axis covers: it always includes 0, and never has width 0."""
    low = min([Decimal(0), *values])
    high = max([Decimal(0), *values])
    if high == low:
        high = low + 1
    return low, high


def _nice_scale(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(low, high, step) for a labelled axis: `TICKS` steps of 1, 2, 2.5 or 5 times a power
    of ten, so the gridlines fall on round figures."""
    low, high = _scale(values)
    raw = (high - low) / TICKS
    power = Decimal(10) ** raw.adjusted()
    step = next(
        m * power
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if m * power >= raw
    )
    low = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    high = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    return low, high, step


def _legend(series: Sequence[str]) -> list[Legend]:
    legend = []
    x = Decimal(0)
    for index, label in enumerate(series):
        legend.append(Legend(index, label, x, x + BAR + 6))
        x += BAR + 12 + Decimal(len(label) * 7)
    return legend


def bar_chart(
    *,
    title: str,
    description: str,
    group_heading: str,
    series: Sequence[str],
    groups: Sequence[tuple[str, Sequence[Decimal]]],
    fmt: Callable[[Decimal], str],
) -> Chart:
    """Horizontal bars, one row per group and one bar per series in it. Negative values extend
    left of the zero line."""
    values = [value for _, row in groups for value in row]
    low, high = _scale(values)
    top = LEGEND if len(series) > 1 else Decimal(0)
    plot_start, plot_end = LABEL_WIDTH, WIDTH - VALUE_WIDTH

    def x(value: Decimal) -> Decimal:
        return _unit(plot_start + (value - low) / (high - low) * (plot_end - plot_start))

    zero = x(Decimal(0))
    row_height = BAR * len(series) + GAP
    laid_out = []
    for index, (label, row) in enumerate(groups):
        y0 = top + row_height * index + GAP / 2
        bars = []
        for number, value in enumerate(row):
            end = x(value)
            y = y0 + BAR * number
            bars.append(
                Bar(
                    series=number,
                    x=min(zero, end),
                    y=y,
                    width=abs(end - zero),
                    height=BAR - 2,
                    text=fmt(value),
                    text_x=max(zero, end) + 4,
                    text_y=y + BAR - 4,
                )
            )
        laid_out.append(
            Group(
                label=label,
                short_label=_short(label),
                label_x=plot_start - 8,
                label_y=y0 + BAR * len(series) / 2 + 4,
                bars=bars,
                values=[fmt(value) for value in row],
            )
        )
    return Chart(
        kind="bar",
        title=title,
        description=description,
        group_heading=group_heading,
        series=list(series),
        width=WIDTH,
        height=top + row_height * len(groups) + GAP,
        groups=laid_out,
        legend=_legend(series) if len(series) > 1 else [],
        zero=zero,
        ticks=[],
        plot_start=plot_start,
        plot_end=plot_end,
    )


def column_chart(
    *,
    title: str,
    description: str,
    group_heading: str,
    series: Sequence[str],
    groups: Sequence[tuple[str, Sequence[Decimal]]],
    fmt: Callable[[Decimal], str],
) -> Chart:
    """Vertical columns, one cluster per group (a year), with a labelled value axis; the chart
    widens with the number of groups rather than squeezing them."""
    values = [value for _, row in groups for value in row]
    low, high, step = _nice_scale(values)
    top = LEGEND + 8
    cluster = BAR * len(series) + GAP * 2
    plot_start = AXIS_WIDTH
    width = max(WIDTH, plot_start + cluster * len(groups) + GAP)

    def y(value: Decimal) -> Decimal:
        return _unit(top + (high - value) / (high - low) * PLOT_HEIGHT)

    zero = y(Decimal(0))
    laid_out = []
    for index, (label, row) in enumerate(groups):
        x0 = plot_start + cluster * index + GAP
        bars = []
        for number, value in enumerate(row):
            end = y(value)
            bars.append(
                Bar(
                    series=number,
                    x=x0 + BAR * number,
                    y=min(zero, end),
                    width=BAR - 2,
                    height=abs(end - zero),
                    text=fmt(value),
                    text_x=x0 + BAR * number,
                    text_y=min(zero, end) - 4,
                )
            )
        laid_out.append(
            Group(
                label=label,
                short_label=_short(label),
                label_x=x0 + BAR * len(series) / 2,
                label_y=top + PLOT_HEIGHT + AXIS_FOOT - 6,
                bars=bars,
                values=[fmt(value) for value in row],
            )
        )
    count = int((high - low) / step)
    ticks = [Tick(fmt(low + step * n), y(low + step * n)) for n in range(count + 1)]
    return Chart(
        kind="column",
        title=title,
        description=description,
        group_heading=group_heading,
        series=list(series),
        width=width,
        height=top + PLOT_HEIGHT + AXIS_FOOT,
        groups=laid_out,
        legend=_legend(series),
        zero=zero,
        ticks=ticks,
        plot_start=plot_start,
        plot_end=width - GAP,
    )
