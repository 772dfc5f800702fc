"""The geometry of a KPI's line chart: measurements over time with the baseline and the target as
horizontal lines. The template draws it as inline SVG; the measurements table on the same page is
its text alternative, so the chart itself carries only a short title and description.

Coordinates are floats: they place pixels, they are never money.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lupin.benefits.models import Kpi, Measurement

WIDTH = 640
HEIGHT = 280
LEFT = 72  # room for the value axis labels
RIGHT = 112  # room for the names of the baseline and target lines
TOP = 16
BOTTOM = 40  # room for the date labels
TICKS = 4
LABEL_GAP = 16  # pixels between the baseline's and the target's names


def number(value: Decimal) -> str:
    """A measured value as people read it: "1 250", "12,5" (no trailing zeros)."""
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, decimal_pos=places, force_grouping=True)


@dataclass
class Point:
    x: float
    y: float
    label: str


@dataclass
class Level:
    """A horizontal line across the plot (the baseline or the target), or a value axis tick."""

    y: float
    label: str
    label_y: float | None = None  # where the name goes, when not on the line itself

    @property
    def name_y(self) -> float:
        return self.y if self.label_y is None else self.label_y


@dataclass
class Chart:
    title: str
    description: str
    points: list[Point]
    baseline: Level | None
    target: Level
    value_ticks: list[Level] = field(default_factory=list)
    date_ticks: list[Point] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _value_range(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    low, high = min(values), max(values)
    if low == high:
        return low - 1, high + 1
    pad = (high - low) / 10
    return low - pad, high + pad


def build(kpi: Kpi, measurements: Sequence[Measurement]) -> Chart | None:
    """The chart of `measurements` (ordered by day), or None when there is nothing to draw."""
    if not measurements:
        return None
    values = [m.value for m in measurements] + [kpi.target]
    if kpi.baseline is not None:
        values.append(kpi.baseline)
    low, high = _value_range(values)
    first = measurements[0].measured_on.toordinal()
    last = measurements[-1].measured_on.toordinal()
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x_of(day: date) -> float:
        if first == last:
            return LEFT + plot_width / 2
        return LEFT + (day.toordinal() - first) / (last - first) * plot_width

    def y_of(value: Decimal) -> float:
        return TOP + float((high - value) / (high - low)) * plot_height

    points = [
        Point(
            x_of(m.measured_on),
            y_of(m.value),
            f"{date_format(m.measured_on, 'SHORT_DATE_FORMAT')}: {number(m.value)} {kpi.unit}",
        )
        for m in measurements
    ]
    step = (high - low) / TICKS
    value_ticks = [
        Level(y_of(low + step * i), number((low + step * i).quantize(Decimal("0.01"))))
        for i in range(TICKS + 1)
    ]
    days = sorted({measurements[0].measured_on, measurements[-1].measured_on})
    date_ticks = [
        Point(x_of(day), HEIGHT - BOTTOM, date_format(day, "SHORT_DATE_FORMAT")) for day in days
    ]
    baseline = (
        Level(y_of(kpi.baseline), _("Baseline %(value)s") % {"value": number(kpi.baseline)})
        if kpi.baseline is not None
        else None
    )
    target = Level(y_of(kpi.target), _("Target %(value)s") % {"value": number(kpi.target)})
    if baseline is not None:
        _apart(baseline, target)
    return Chart(
        title=_("%(kpi)s over time") % {"kpi": kpi.description[:80]},
        description=_describe(kpi, measurements),
        points=points,
        baseline=baseline,
        target=target,
        value_ticks=value_ticks,
        date_ticks=date_ticks,
    )


def _apart(one: Level, other: Level) -> None:
    """Move the two line names apart when the lines are too close for both to be read."""
    gap = abs(one.y - other.y)
    if gap >= LABEL_GAP:
        return
    upper, lower = (one, other) if one.y <= other.y else (other, one)
    upper.label_y = upper.y - (LABEL_GAP - gap) / 2
    lower.label_y = lower.y + (LABEL_GAP - gap) / 2


def _describe(kpi: Kpi, measurements: Sequence[Measurement]) -> str:
    latest = measurements[-1]
    if len(measurements) == 1:
        span = _("One measurement, on %(day)s, in %(unit)s.") % {
            "day": date_format(latest.measured_on),
            "unit": kpi.unit,
        }
    else:
        span = ngettext(
            "%(count)s measurement from %(first)s to %(last)s, in %(unit)s.",
            "%(count)s measurements from %(first)s to %(last)s, in %(unit)s.",
            len(measurements),
        ) % {
            "count": len(measurements),
            "first": date_format(measurements[0].measured_on),
            "last": date_format(latest.measured_on),
            "unit": kpi.unit,
        }
    parts = [span]
    if kpi.baseline is not None:
        parts.append(_("Baseline: %(value)s.") % {"value": number(kpi.baseline)})
    else:
        parts.append(_("No baseline recorded."))
    parts.append(_("Target: %(value)s.") % {"value": number(kpi.target)})
    parts.append(_("Latest: %(value)s.") % {"value": number(latest.value)})
    parts.append(_("The table below has every measurement."))
    return " ".join(parts)
