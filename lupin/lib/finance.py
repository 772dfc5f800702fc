"""Present value, payback, ROI, low/expected/high ranges and traceable totals for the effect report.

Decimal only, never float: every amount, rate and margin must be a `Decimal` (an `int` is accepted
as exact); a float or a bool raises TypeError naming the argument. Nothing is rounded on the way;
`round_nok()` rounds to øre (ROUND_HALF_UP) for presentation only, so a total always equals the sum
of its unrounded parts.

Discounting convention
    Years are whole numbers counted from a base year, year 0, whose amounts are not discounted.
    An amount in year t is treated as falling at the end of that year and is divided by
    (1 + rate) ** t. Fractional years (mid-year conventions) and years before the base year are
    refused: pick the base year so that every amount falls in it or after it (for the programme
    report, the first year of the programme).

Rate
    Rates are fractions: Decimal("0.04") is 4 %. The default is the real risk-adjusted discount rate
    of the government's guide for cost-benefit analysis, Rundskriv R-109/2021 (4 % for the years
    0-40 [verify]; it keeps the 2014 rates, which fall to 3 % for years 40-75 and 2 % beyond).
    One constant rate is applied to every year: for horizons beyond 40 years pass the rate you mean.

Ranges
    An `Estimate` is a (low, expected, high) triple. Sums and scalings are interval arithmetic: the
    lows add up to the total's low and the highs to its high. That is a conservative bound (as if
    every case erred the same way at once), not a statistical confidence interval, and the report
    should call it a range, never a probability.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

from lupin.lib.money import ORE

# R-109/2021 for years 0-40. [verify] The 2021 circular says it is in the main unchanged from
# R-109/2014, whose rate table is 4 % / 3 % / 2 %; the table itself was not read from the 2021 text.
DEFAULT_REAL_RATE = Decimal("0.04")

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)


class Confidence(StrEnum):
    """How sure the owner of a benefit is of its value (DOMAIN.md, "Benefits and effects")."""

    LOW = "low"
    EXPECTED = "expected"
    HIGH = "high"


# How one measured yearly value becomes a range: value · (1 ± margin). A deliberately simple rule
# that the report states in words; callers with a better-founded table pass their own `margins`.
CONFIDENCE_MARGINS: Mapping[Confidence, Decimal] = MappingProxyType(
    {
        Confidence.HIGH: Decimal("0.10"),
        Confidence.EXPECTED: Decimal("0.25"),
        Confidence.LOW: Decimal("0.50"),
    }
)


def _decimal(value: object, what: str) -> Decimal:
    """Accept Decimal or int; refuse float (binary rounding), bool and anything else."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}.")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{what} is not a finite number.")
    return number


def _year(value: object, what: str = "year") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a whole number of years, not {type(value).__name__}.")
    return value


def _rate(value: object) -> Decimal:
    rate = _decimal(value, "rate")
    if not ZERO <= rate < 1:
        raise ValueError(
            f"rate must be a fraction between 0 and 1 (Decimal('0.04') for 4 %), not {rate}."
        )
    return rate


def round_nok(amount: Decimal) -> Decimal:
    """Round to øre, half up. For presentation only: compute with the unrounded values."""
    return _decimal(amount, "amount").quantize(ORE, rounding=ROUND_HALF_UP)


# Discounting


def discount_factor(rate: Decimal, year: int) -> Decimal:
    """1 / (1 + rate) ** year: what one krone at the end of `year` is worth in year 0."""
    rate = _rate(rate)
    year = _year(year)
    if year < 0:
        raise ValueError(f"Year {year} is before the base year 0; choose an earlier base year.")
    return 1 / (1 + rate) ** year


def _by_year(
    amounts: Mapping[int, Decimal] | Sequence[Decimal], what: str, start_year: int = 0
) -> dict[int, Decimal]:
    """A mapping's keys are the years; a sequence's first amount falls in `start_year`."""
    start_year = _year(start_year, "start_year")
    if isinstance(amounts, Mapping):
        if start_year:
            raise ValueError("start_year applies to a sequence; a mapping's keys are the years.")
        items = list(amounts.items())
    elif isinstance(amounts, str | bytes):
        raise TypeError(f"{what} must be amounts by year, not text.")
    else:
        items = [(start_year + i, amount) for i, amount in enumerate(amounts)]
    checked: dict[int, Decimal] = {}
    for year, amount in items:
        year = _year(year)
        if year < 0:
            raise ValueError(
                f"{what}: year {year} is before the base year 0; choose an earlier base year."
            )
        checked[year] = _decimal(amount, f"{what} in year {year}")
    return checked


def present_value(
    cashflows: Mapping[int, Decimal] | Sequence[Decimal],
    rate: Decimal = DEFAULT_REAL_RATE,
    start_year: int = 0,
) -> Decimal:
    """Σ amount_t / (1 + rate) ** t, unrounded.

    `cashflows` is either {year: amount} or a list of yearly amounts whose first item falls in
    `start_year` (so `[a, b, c]` with start_year=1 is years 1, 2 and 3).
    """
    rate = _rate(rate)
    growth = 1 + rate
    flows = _by_year(cashflows, "cash flow", start_year)
    return sum((amount / growth**year for year, amount in flows.items()), ZERO)


def annuity_present_value(
    yearly: Decimal, years: int, rate: Decimal = DEFAULT_REAL_RATE
) -> Decimal:
    """Present value of the same amount at the end of each of years 1 … `years`.

    Summed year by year rather than with the closed form (1 − (1 + r)^−n) / r, so it equals
    `present_value()` of the same flows exactly and works for a rate of 0.
    """
    yearly = _decimal(yearly, "yearly")
    years = _year(years, "years")
    if years < 0:
        raise ValueError(f"years must be 0 or more, not {years}.")
    return present_value([yearly] * years, rate, start_year=1)


# Payback and ROI


def _payback(
    costs_by_year: Mapping[int, Decimal] | Sequence[Decimal],
    benefits_by_year: Mapping[int, Decimal] | Sequence[Decimal],
    rate: Decimal | None,
) -> int | None:
    costs = _by_year(costs_by_year, "cost")
    benefits = _by_year(benefits_by_year, "benefit")
    for year, cost in costs.items():
        if cost < 0:
            raise ValueError(f"The cost in year {year} is negative ({cost}); record a benefit.")
    if not any(costs.values()):
        raise ValueError("There is no cost to pay back.")
    growth = 1 + _rate(rate) if rate is not None else Decimal(1)
    cumulative_cost = cumulative_benefit = ZERO
    for year in range(min(costs | benefits), max(costs | benefits) + 1):
        cumulative_cost += costs.get(year, ZERO) / growth**year
        cumulative_benefit += benefits.get(year, ZERO) / growth**year
        if cumulative_cost > 0 and cumulative_benefit >= cumulative_cost:
            return year
    return None


def payback_year(
    costs_by_year: Mapping[int, Decimal] | Sequence[Decimal],
    benefits_by_year: Mapping[int, Decimal] | Sequence[Decimal],
) -> int | None:
    """The first year at whose end the cumulative benefits reach the cumulative costs, or None.

    Undiscounted. Years with no amount count as 0. Only years after some cost has been incurred
    can be the payback year; a later cost that pushes the balance back below zero does not undo
    the answer (the usual definition: read it with the cash flows beside it). Negative costs are
    refused; benefits may be negative (a loss in some year). No cost at all is a ValueError.
    """
    return _payback(costs_by_year, benefits_by_year, None)


def discounted_payback_year(
    costs_by_year: Mapping[int, Decimal] | Sequence[Decimal],
    benefits_by_year: Mapping[int, Decimal] | Sequence[Decimal],
    rate: Decimal = DEFAULT_REAL_RATE,
) -> int | None:
    """`payback_year()` with every amount discounted to year 0 first; never earlier than it."""
    return _payback(costs_by_year, benefits_by_year, rate)


@dataclass(frozen=True, slots=True)
class Roi:
    """Benefits against cost: `ratio` = benefits / cost (40 means 40 kroner per krone), `net` =
    benefits − cost. Both unrounded; the inputs are kept so the figure can be recomputed."""

    benefits: Decimal
    cost: Decimal
    ratio: Decimal
    net: Decimal


def roi(benefits_pv: Decimal, cost: Decimal) -> Roi:
    """ROI of a programme or case; the cost must be greater than 0."""
    benefits_pv = _decimal(benefits_pv, "benefits_pv")
    cost = _decimal(cost, "cost")
    if cost <= 0:
        raise ValueError(
            f"ROI needs a cost greater than 0 (got {cost}): without an investment there is no "
            "return to compute."
        )
    return Roi(benefits=benefits_pv, cost=cost, ratio=benefits_pv / cost, net=benefits_pv - cost)


# Ranges


@dataclass(frozen=True, slots=True)
class Estimate:
    """A low / expected / high range of one quantity; low ≤ expected ≤ high."""

    low: Decimal
    expected: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        for name in ("low", "expected", "high"):
            object.__setattr__(self, name, _decimal(getattr(self, name), name))
        if not self.low <= self.expected <= self.high:
            raise ValueError(
                f"An estimate needs low ≤ expected ≤ high (got {self.low}, {self.expected}, "
                f"{self.high})."
            )

    @classmethod
    def exact(cls, value: Decimal) -> Estimate:
        """A value known exactly: low = expected = high."""
        return cls(value, value, value)

    @property
    def is_exact(self) -> bool:
        return self.low == self.high

    def __add__(self, other: object) -> Estimate:
        if not isinstance(other, Estimate):
            return NotImplemented
        return Estimate(
            self.low + other.low, self.expected + other.expected, self.high + other.high
        )

    def __mul__(self, factor: object) -> Estimate:
        if isinstance(factor, Estimate):
            return NotImplemented
        k = _decimal(factor, "factor")
        values = (self.low * k, self.expected * k, self.high * k)
        # A negative factor turns the range round: the old high becomes the new low.
        return Estimate(min(values), values[1], max(values))

    __rmul__ = __mul__

    def __truediv__(self, divisor: object) -> Estimate:
        if isinstance(divisor, Estimate):
            return NotImplemented
        d = _decimal(divisor, "divisor")
        if d == 0:
            raise ValueError("Cannot divide an estimate by 0.")
        return self * (1 / d)


def sum_estimates(estimates: Iterable[Estimate]) -> Estimate:
    """Σ lows, Σ expected, Σ highs; an empty iterable sums to (0, 0, 0)."""
    total = Estimate.exact(ZERO)
    for estimate in estimates:
        if not isinstance(estimate, Estimate):
            raise TypeError(f"Only estimates can be summed, not {type(estimate).__name__}.")
        total += estimate
    return total


def estimate_from(
    value: Decimal,
    confidence: Confidence | str,
    margins: Mapping[Confidence, Decimal] = CONFIDENCE_MARGINS,
) -> Estimate:
    """One measured value with its confidence level → value · (1 − m), value, value · (1 + m).

    m comes from `margins` (default `CONFIDENCE_MARGINS`: high ±10 %, expected ±25 %, low ±50 %).
    A negative value (a loss) gets the same relative width, with low and high in order.
    """
    value = _decimal(value, "value")
    try:
        level = Confidence(confidence)
    except ValueError:
        choices = ", ".join(c.value for c in Confidence)
        raise ValueError(f"Unknown confidence “{confidence}”; use one of {choices}.") from None
    if level not in margins:
        raise ValueError(f"The margins table has no entry for confidence “{level}”.")
    margin = _decimal(margins[level], f"The margin for confidence {level}")
    if margin < 0:
        raise ValueError(f"The margin for confidence {level} must be 0 or more, not {margin}.")
    ends = (value * (1 - margin), value * (1 + margin))
    return Estimate(min(ends), value, max(ends))


def present_value_range(
    cashflows: Mapping[int, Estimate] | Sequence[Estimate],
    rate: Decimal = DEFAULT_REAL_RATE,
    start_year: int = 0,
) -> Estimate:
    """`present_value()` of yearly estimates: each bound discounted on its own (discounting is
    linear and the factors are positive, so the bounds stay in order)."""
    rate = _rate(rate)
    start_year = _year(start_year, "start_year")
    if isinstance(cashflows, Mapping):
        if start_year:
            raise ValueError("start_year applies to a sequence; a mapping's keys are the years.")
        items = list(cashflows.items())
    else:
        items = [(start_year + i, estimate) for i, estimate in enumerate(cashflows)]
    total = Estimate.exact(ZERO)
    for year, estimate in items:
        if not isinstance(estimate, Estimate):
            raise TypeError(
                f"The cash flow in year {year} must be an Estimate, not {type(estimate).__name__}."
            )
        total += estimate * discount_factor(rate, year)
    return total


# Aggregation with drill-down


@dataclass(frozen=True)
class Row:
    """One traceable figure: `id` leads back to what it came from (a measurement, a case, a cost
    line), `groups` says where it belongs, e.g. {"year": 2024, "partner": "Oslo kommune",
    "cpv_division": "72", "procedure": "innovation_partnership", "phase": "contract"}."""

    id: Hashable
    groups: Mapping[str, Hashable]
    value: Estimate


@dataclass(frozen=True)
class Total:
    """A total and the ids of the rows behind it, in the order the rows were given."""

    value: Estimate
    row_ids: tuple[Hashable, ...]


@dataclass(frozen=True)
class Aggregation:
    """`total` over every row; `by[key][group value]` for each group key seen in any row.

    A row that lacks a key is counted under the value None for that key, so that for every key
    the group totals add up to `total` and no row drops out of a breakdown unseen.
    """

    total: Total
    by: dict[str, dict[Hashable, Total]]
    rows: dict[Hashable, Row] = field(repr=False)

    def rows_behind(self, total: Total) -> list[Row]:
        return [self.rows[row_id] for row_id in total.row_ids]


def aggregate(rows: Iterable[Row]) -> Aggregation:
    """Totals overall and per group value, each with the ids of its rows. Row ids must be unique."""
    by_id: dict[Hashable, Row] = {}
    for row in rows:
        if not isinstance(row, Row):
            raise TypeError(f"aggregate() takes Row objects, not {type(row).__name__}.")
        if not isinstance(row.value, Estimate):
            raise TypeError(f"Row {row.id!r}: value must be an Estimate.")
        if row.id in by_id:
            raise ValueError(f"Row id {row.id!r} appears twice; every figure needs its own id.")
        by_id[row.id] = row
    keys = list(dict.fromkeys(key for row in by_id.values() for key in row.groups))
    members: dict[str, dict[Hashable, list[Row]]] = {key: {} for key in keys}
    for row in by_id.values():
        for key in keys:
            members[key].setdefault(row.groups.get(key), []).append(row)
    return Aggregation(
        total=_total(list(by_id.values())),
        by={
            key: {value: _total(group) for value, group in groups.items()}
            for key, groups in members.items()
        },
        rows=by_id,
    )


def _total(rows: list[Row]) -> Total:
    return Total(sum_estimates(row.value for row in rows), tuple(row.id for row in rows))


# The headline


def format_mnok(amount: Decimal) -> str:
    """Millions of NOK with one decimal where needed: 10 000 000 → "10", 12 345 678 → "12.3",
    1 234 500 000 → "1,234.5". Below 0.1 MNOK two decimals ("0.04"), so a small amount is not
    shown as 0. A negative amount gets a minus sign (U+2212)."""
    millions = _decimal(amount, "amount") / MILLION
    places = Decimal("0.01") if 0 < abs(millions) < Decimal("0.05") else Decimal("0.1")
    rounded = millions.quantize(places, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        text = f"{abs(rounded):,.0f}"
    else:
        text = f"{abs(rounded):,f}"
    return f"\u2212{text}" if rounded < 0 else text


@dataclass(frozen=True, slots=True)
class Headline:
    """ "X MNOK invested → Y MNOK in benefits (range L–H)", with the figures behind the words.

    `ratio` is benefits / invested for each bound. `sentence` is English; a translated page should
    build its own sentence from `format_mnok()` of these fields.
    """

    invested: Decimal
    benefits: Estimate
    ratio: Estimate
    sentence: str


def headline(cost: Decimal, benefits: Estimate) -> Headline:
    cost = _decimal(cost, "cost")
    if not isinstance(benefits, Estimate):
        raise TypeError(f"benefits must be an Estimate, not {type(benefits).__name__}.")
    if cost <= 0:
        raise ValueError(f"The headline needs a cost greater than 0 (got {cost}).")
    invested, expected = format_mnok(cost), format_mnok(benefits.expected)
    sentence = f"{invested} MNOK invested \u2192 {expected} MNOK in benefits"
    if not benefits.is_exact:
        sentence += f" (range {format_mnok(benefits.low)}\u2013{format_mnok(benefits.high)})"
    return Headline(invested=cost, benefits=benefits, ratio=benefits / cost, sentence=sentence)
