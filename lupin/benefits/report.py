"""The effect report: programme cost against realised and expected benefits, with every figure
traceable to the lines behind it. Pure reading; the page, the downloads and the API all use
`build()`, so they cannot disagree.

How each line is computed (the page says the same in words):

- **Realised benefit** — for each KPI with a baseline and a money value per year, and for each
  calendar year with a measurement: the measurement taken last that year, valued as
  `money value per year × (measured − baseline) / (target − baseline)`. The year's amount becomes
  a range from the measurement's confidence (high ±10 %, expected ±25 %, low ±50 %).
- **Expected benefit** — for each KPI with a money value per year, of a contract that was not
  terminated: that money value in each of `years` years from the contract's start, as a range
  from the KPI's confidence. A pilot that ended without a purchase counts only up to the year it
  ended. Future programme costs are not known and not counted.
- **Programme cost** — per year, the budget entered for that year; support logged by advisors is
  the part of it allocated to partners and cases, the rest is "not allocated". A year without a
  budget counts the support logged. If support logged exceeds a year's budget, the support counts
  (and the report warns).
- Withdrawn measurements do not count.
- Every amount is discounted to the base year (the first year with any cost or benefit of the
  published cases) with the real discount rate: `amount / (1 + rate) ** (year − base year)`.

A KPI without a baseline is listed as such and left out of realised benefits, never counted as 0.

Presentation helpers live here too, so the page, the downloads and the API word and label the
same figures the same way: `label()` names a group value in the active language, `mnok()` and
`headline_sentence()` write the headline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.conf import settings
from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lupin.accounts.models import Organisation
from lupin.benefits.models import Kpi, Measurement, ProgrammeBudget, SupportEntry
from lupin.contracts.models import Contract, ContractStatus
from lupin.lib import cpv, finance
from lupin.lib.finance import Aggregation, Estimate, Headline, Row, Total
from lupin.lib.money import format_nok
from lupin.projects.lifecycle import Phase
from lupin.projects.models import BenefitCategory, Procedure, Project, ProjectCpvCode, Visibility

REALISED, EXPECTED, COST = "realised", "expected", "cost"
MEASURES = (REALISED, EXPECTED, COST)
# The breakdowns, in the order the page shows them. Costs have no category.
BREAKDOWNS = ("year", "partner", "sector", "procedure", "phase", "category")

MEASURE_LABELS = {
    REALISED: gettext_lazy("Realised benefits"),
    EXPECTED: gettext_lazy("Expected benefits"),
    COST: gettext_lazy("Programme cost"),
}
BREAKDOWN_LABELS = {
    "year": gettext_lazy("Year"),
    "partner": gettext_lazy("Partner"),
    "sector": gettext_lazy("Sector (CPV division)"),
    "procedure": gettext_lazy("Procedure"),
    "phase": gettext_lazy("Phase"),
    "category": gettext_lazy("Benefit category"),
}
# What a group without a value holds, per key: programme cost not allocated to a partner or a
# (published) case.
NO_VALUE_LABELS = {
    "partner": gettext_lazy("Not allocated to a partner"),
    "sector": gettext_lazy("Not allocated to a case"),
    "procedure": gettext_lazy("Not allocated to a case"),
    "phase": gettext_lazy("Not allocated to a case"),
    "category": gettext_lazy("No category"),
}
# The choices the page and the API accept for recomputing (percent and whole years).
MAX_RATE_PERCENT = Decimal(20)
MIN_YEARS, MAX_YEARS = 1, 40
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Params:
    """`rate` is a fraction (0.04 is 4 %); `years` is the benefit period of expected benefits."""

    rate: Decimal
    years: int

    @classmethod
    def default(cls) -> Params:
        return cls(rate=settings.LUPIN_DISCOUNT_RATE, years=settings.LUPIN_BENEFIT_YEARS)

    @property
    def rate_percent(self) -> Decimal:
        """The rate in percent, without trailing zeros: 4, 3.5."""
        percent = (self.rate * HUNDRED).normalize()
        # normalize() writes 20 as 2E+1; give whole numbers back their zeros.
        return percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent


@dataclass(frozen=True)
class Line:
    """One traceable figure. `amount` is the nominal NOK in `year` (for benefits: the expected
    value of the range); `value` is its present value range in base-year kroner."""

    id: str
    measure: str
    year: int
    amount: Decimal
    value: Estimate
    confidence: str
    partner_id: int | None
    partner: str
    project_id: int | None = None
    project: str = ""
    contract_id: int | None = None
    kpi_id: int | None = None
    measurement_id: int | None = None
    support_id: int | None = None
    category: str = ""
    sector: str = ""
    procedure: str = ""
    phase: str = ""
    # What the amount was computed from, for the drill-down (measured value, unit, source...).
    basis: dict[str, object] = field(default_factory=dict)

    def groups(self) -> dict[str, Hashable]:
        groups: dict[str, Hashable] = {
            "year": self.year,
            "partner": self.partner_id,
            "sector": self.sector or None,
            "procedure": self.procedure or None,
            "phase": self.phase or None,
        }
        if self.measure != COST:
            groups["category"] = self.category or None
        return groups


@dataclass
class PilotStats:
    pilots: int = 0
    ended: int = 0
    scaled: int = 0
    waiting: int = 0
    transfers: int = 0

    @property
    def conversion(self) -> Decimal | None:
        """Share of ended pilots that were bought at scale."""
        return Decimal(self.scaled) / self.ended if self.ended else None


@dataclass
class EffectReport:
    params: Params
    base_year: int
    partner: Organisation | None
    lines: list[Line]
    aggregations: dict[str, Aggregation]
    headline: Headline | None
    expected_headline: Headline | None
    missing_baseline: list[Kpi]
    without_money_value: list[Kpi]
    warnings: list[str]
    funnel: list[tuple[str, str, int]]
    pilots: PilotStats
    partner_names: dict[int | None, str]

    @property
    def cost(self) -> Estimate:
        return self.aggregations[COST].total.value

    @property
    def realised(self) -> Estimate:
        return self.aggregations[REALISED].total.value

    @property
    def expected(self) -> Estimate:
        return self.aggregations[EXPECTED].total.value

    def total(self, measure: str, key: str | None = None, value: Hashable = None) -> Total | None:
        """One figure with the ids of its lines: a measure's total (`key` None) or one group's
        total; None for a group nothing falls in."""
        aggregation = self.aggregations[measure]
        return aggregation.total if key is None else aggregation.by.get(key, {}).get(value)

    def lines_behind(
        self, measure: str, key: str | None = None, value: Hashable = None
    ) -> list[Line]:
        """The lines behind one figure: a measure's total (`key` None) or one group's total."""
        total = self.total(measure, key, value)
        if total is None:
            return []
        by_id = {line.id: line for line in self.lines}
        return [by_id[str(row_id)] for row_id in total.row_ids]

    def breakdown(self, key: str) -> list[tuple[Hashable, dict[str, Estimate]]]:
        """(group value, {measure: total}) for every value seen under `key`, in the order a
        reader expects: years ascending, partners by name, sectors by code, procedures, phases
        and categories in their lifecycle order; the group without a value last. A measure
        with nothing in a group counts 0 there."""
        values: set[Hashable] = set()
        for aggregation in self.aggregations.values():
            values.update(aggregation.by.get(key, {}))
        zero = Estimate.exact(Decimal(0))
        rows = []
        for value in sorted(values, key=lambda v: self._sort_key(key, v)):
            totals = {}
            for measure in MEASURES:
                total = self.aggregations[measure].by.get(key, {}).get(value)
                totals[measure] = zero if total is None else total.value
            rows.append((value, totals))
        return rows

    def _sort_key(self, key: str, value: Hashable) -> tuple[bool, int, str]:
        if value is None:
            return (True, 0, "")
        if key == "year" and isinstance(value, int):
            return (False, value, "")
        order = _ORDERS.get(key)
        if order is not None and value in order:
            return (False, order.index(str(value)), "")
        return (False, 0, self.label(key, value).casefold())

    def label(self, key: str, value: Hashable) -> str:
        """A group value as a reader names it, in the active language."""
        if value is None:
            return str(NO_VALUE_LABELS.get(key, "–"))
        if key == "partner" and isinstance(value, int):
            return self.partner_names.get(value, str(value))
        if key == "sector":
            division = _divisions().get(str(value))
            return f"{value} – {division.label(get_language() or 'nb')}" if division else str(value)
        choices = _CHOICES.get(key)
        if choices is not None and isinstance(value, str) and value in choices.values:
            return str(choices(value).label)
        return str(value)


# The breakdowns whose values are choices: labelled and ordered as the choices are.
_CHOICES: dict[str, type[Phase] | type[Procedure] | type[BenefitCategory]] = {
    "procedure": Procedure,
    "phase": Phase,
    "category": BenefitCategory,
}
_ORDERS = {key: list(choices.values) for key, choices in _CHOICES.items()}


@cache
def _divisions() -> dict[str, cpv.CpvCode]:
    return {code.division: code for code in cpv.divisions()}


def mnok(amount: Decimal) -> str:
    """`finance.format_mnok()` written with the active language's separators (bokmål: 1 234,5)."""
    text = finance.format_mnok(amount)
    decimal_sign = str(get_format("DECIMAL_SEPARATOR"))
    thousands = str(get_format("THOUSAND_SEPARATOR"))
    return "".join(decimal_sign if c == "." else thousands if c == "," else c for c in text)


def ratio(value: Decimal) -> str:
    """Kroner of benefit per krone invested, with one decimal, in the active language."""
    rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return number_format(rounded, 1, force_grouping=True)


def headline_sentence(headline: Headline, measure: str) -> str:
    """ "12.3 MNOK invested → 45.6 MNOK in realised benefits (range 34.2–57.0)" in the active
    language; `finance.Headline.sentence` is the English original."""
    values = {
        "invested": mnok(headline.invested),
        "benefits": mnok(headline.benefits.expected),
        "low": mnok(headline.benefits.low),
        "high": mnok(headline.benefits.high),
    }
    exact = headline.benefits.is_exact
    if measure == REALISED:
        if exact:
            return _("%(invested)s MNOK invested → %(benefits)s MNOK in realised benefits") % values
        return (
            _(
                "%(invested)s MNOK invested → %(benefits)s MNOK in realised benefits "
                "(range %(low)s–%(high)s)"
            )
            % values
        )
    if exact:
        return _("%(invested)s MNOK invested → %(benefits)s MNOK in expected benefits") % values
    return (
        _(
            "%(invested)s MNOK invested → %(benefits)s MNOK in expected benefits "
            "(range %(low)s–%(high)s)"
        )
        % values
    )


def ratio_sentence(headline: Headline) -> str:
    """ "3.7 kroner of benefit per krone invested (range 2.8–4.6)" in the active language."""
    values = {
        "expected": ratio(headline.ratio.expected),
        "low": ratio(headline.ratio.low),
        "high": ratio(headline.ratio.high),
    }
    if headline.ratio.is_exact:
        return _("%(expected)s kroner of benefit per krone invested") % values
    return _("%(expected)s kroner of benefit per krone invested (range %(low)s–%(high)s)") % values


def _projects(partner: Organisation | None, public: bool) -> QuerySet[Project]:
    projects = Project.objects.all()
    if public:
        projects = projects.filter(visibility=Visibility.PUBLISHED)
    if partner is not None:
        projects = projects.filter(lead_buyer=partner)
    return projects


def _sectors(project_ids: list[int]) -> dict[int, str]:
    """Each project's CPV division, from its main (first) code."""
    sectors: dict[int, str] = {}
    codes = ProjectCpvCode.objects.filter(project_id__in=project_ids).order_by("position", "id")
    for project_id, code in codes.values_list("project_id", "code"):
        sectors.setdefault(project_id, code[:2])
    return sectors


def base_year() -> int:
    """The first year with any cost or benefit of the public report: every report (public or a
    partner's) discounts to it, so figures can be compared and added up. Only published cases
    count, so a date on a draft neither moves the public figures nor shows through them."""
    published = Visibility.PUBLISHED
    candidates = [
        ProgrammeBudget.objects.aggregate(first=Min("year"))["first"],
        *(
            value.year
            for value in (
                SupportEntry.objects.aggregate(first=Min("given_on"))["first"],
                Measurement.objects.filter(
                    kpi__contract__project__visibility=published, withdrawn_at__isnull=True
                ).aggregate(first=Min("measured_on"))["first"],
                Contract.objects.filter(project__visibility=published).aggregate(
                    first=Min("starts_on")
                )["first"],
            )
            if value is not None
        ),
    ]
    years = [year for year in candidates if year is not None]
    return min(years) if years else timezone.localdate().year


def _discounted(params: Params, base: int, year: int, estimate: Estimate) -> Estimate:
    return estimate * finance.discount_factor(params.rate, max(year - base, 0))


def build(
    params: Params | None = None,
    *,
    partner: Organisation | None = None,
    public: bool = True,
    today: date | None = None,
) -> EffectReport:
    """The report over every published case (`public`), or over everything, or over one
    partner's cases (and the support logged for it)."""
    params = params or Params.default()
    base = base_year()
    projects = _projects(partner, public)
    project_ids = list(projects.values_list("pk", flat=True))
    sectors = _sectors(project_ids)
    lines: list[Line] = []
    partner_names: dict[int | None, str] = {}

    contracts = list(
        Contract.objects.filter(project_id__in=project_ids)
        .select_related("project", "project__lead_buyer")
        .prefetch_related(
            Prefetch(
                "kpis",
                queryset=Kpi.objects.order_by("pk").prefetch_related(
                    Prefetch(
                        "measurements",
                        queryset=Measurement.objects.filter(withdrawn_at__isnull=True).order_by(
                            "measured_on", "pk"
                        ),
                    )
                ),
            ),
            "scale_ups",
        )
        .order_by("pk")
    )
    missing_baseline: list[Kpi] = []
    without_money: list[Kpi] = []
    for contract in contracts:
        project = contract.project
        partner_names[project.lead_buyer_id] = project.lead_buyer.name
        common = {
            "partner_id": project.lead_buyer_id,
            "partner": project.lead_buyer.name,
            "project_id": project.pk,
            "project": project.title,
            "contract_id": contract.pk,
            "sector": sectors.get(project.pk, ""),
            "procedure": project.planned_procedure,
            "phase": project.phase,
        }
        for kpi in contract.kpis.all():
            if kpi.yearly_value is None:
                without_money.append(kpi)
            if kpi.baseline is None:
                missing_baseline.append(kpi)
            lines.extend(_realised_lines(params, base, contract, kpi, common))
            lines.extend(_expected_lines(params, base, contract, kpi, common))

    cost_lines, warnings = _cost_lines(params, base, partner, public, set(project_ids))
    lines.extend(cost_lines)
    for line in cost_lines:
        if line.partner_id is not None:
            partner_names.setdefault(line.partner_id, line.partner)

    aggregations = {
        measure: finance.aggregate(
            Row(line.id, line.groups(), line.value) for line in lines if line.measure == measure
        )
        for measure in MEASURES
    }
    cost = aggregations[COST].total.value.expected
    headline = expected_headline = None
    if cost > 0:
        headline = finance.headline(cost, aggregations[REALISED].total.value)
        expected_headline = finance.headline(cost, aggregations[EXPECTED].total.value)
    return EffectReport(
        params=params,
        base_year=base,
        partner=partner,
        lines=lines,
        aggregations=aggregations,
        headline=headline,
        expected_headline=expected_headline,
        missing_baseline=missing_baseline,
        without_money_value=without_money,
        warnings=warnings,
        funnel=_funnel(projects, contracts),
        pilots=_pilot_stats(contracts),
        partner_names=partner_names,
    )


def _realised_lines(
    params: Params, base: int, contract: Contract, kpi: Kpi, common: dict[str, object]
) -> list[Line]:
    if kpi.yearly_value is None or kpi.baseline is None or kpi.baseline == kpi.target:
        return []
    last_in_year: dict[int, Measurement] = {}
    for measurement in kpi.measurements.all():  # ordered by date: the last one wins
        last_in_year[measurement.measured_on.year] = measurement
    lines = []
    for year, measurement in sorted(last_in_year.items()):
        amount = kpi.realised_yearly_value(measurement.value)
        if amount is None:
            continue
        estimate = finance.estimate_from(amount, measurement.confidence)
        lines.append(
            Line(
                id=f"m{measurement.pk}",
                measure=REALISED,
                year=year,
                amount=amount,
                value=_discounted(params, base, year, estimate),
                confidence=measurement.confidence,
                kpi_id=kpi.pk,
                measurement_id=measurement.pk,
                category=kpi.category,
                basis={
                    "kpi": kpi.description,
                    "unit": kpi.unit,
                    "baseline": kpi.baseline,
                    "target": kpi.target,
                    "measured": measurement.value,
                    "measured_on": measurement.measured_on,
                    "source": measurement.source,
                    "yearly_value": kpi.yearly_value,
                },
                **common,  # type: ignore[arg-type]
            )
        )
    return lines


def _expected_lines(
    params: Params, base: int, contract: Contract, kpi: Kpi, common: dict[str, object]
) -> list[Line]:
    if kpi.yearly_value is None or contract.status == ContractStatus.TERMINATED:
        return []
    estimate = finance.estimate_from(kpi.yearly_value, kpi.confidence)
    first = contract.starts_on.year
    last = first + params.years - 1
    if contract.pilot_ended_on is not None and not _bought(contract):
        # A pilot that ended without a purchase delivers nothing more until someone buys it.
        last = min(last, contract.pilot_ended_on.year)
    return [
        Line(
            id=f"e{kpi.pk}-{year}",
            measure=EXPECTED,
            year=year,
            amount=kpi.yearly_value,
            value=_discounted(params, base, year, estimate),
            confidence=kpi.confidence,
            kpi_id=kpi.pk,
            category=kpi.category,
            basis={"kpi": kpi.description, "unit": kpi.unit, "yearly_value": kpi.yearly_value},
            **common,  # type: ignore[arg-type]
        )
        for year in range(first, last + 1)
    ]


def _bought(contract: Contract) -> bool:
    return contract.purchase_exercised_on is not None or bool(contract.scale_ups.all())


def _cost_lines(
    params: Params,
    base: int,
    partner: Organisation | None,
    public: bool,
    project_ids: set[int],
) -> tuple[list[Line], list[str]]:
    entries = SupportEntry.objects.select_related("organisation", "project").order_by(
        "given_on", "pk"
    )
    if partner is not None:
        entries = entries.filter(organisation=partner)
    by_year: dict[int, list[SupportEntry]] = defaultdict(list)
    for entry in entries:
        by_year[entry.given_on.year].append(entry)
    budgets = {} if partner is not None else {b.year: b for b in ProgrammeBudget.objects.all()}
    lines: list[Line] = []
    warnings: list[str] = []
    sectors = _sectors([e.project_id for es in by_year.values() for e in es if e.project_id])
    for year in sorted(set(by_year) | set(budgets)):
        logged = Decimal(0)
        for entry in by_year.get(year, []):
            project = entry.project
            shown = project is not None and (not public or project.pk in project_ids)
            cost = entry.cost
            logged += cost
            lines.append(
                Line(
                    id=f"s{entry.pk}",
                    measure=COST,
                    year=year,
                    amount=cost,
                    value=_discounted(params, base, year, Estimate.exact(cost)),
                    confidence="",
                    partner_id=entry.organisation_id,
                    partner=entry.organisation.name,
                    project_id=project.pk if shown and project else None,
                    project=project.title if shown and project else "",
                    support_id=entry.pk,
                    sector=sectors.get(project.pk, "") if shown and project else "",
                    procedure=project.planned_procedure if shown and project else "",
                    phase=project.phase if shown and project else "",
                    basis={
                        "given_on": entry.given_on,
                        "hours": entry.hours,
                        "hourly_rate": entry.hourly_rate,
                        "other_cost": entry.other_cost,
                    },
                )
            )
        budget = budgets.get(year)
        if budget is None:
            continue
        rest = budget.amount - logged
        if rest < 0:
            warnings.append(
                _(
                    "%(year)s: the support logged (%(logged)s) exceeds the budget entered "
                    "(%(budget)s); the support logged is counted."
                )
                % {"year": year, "logged": format_nok(logged), "budget": format_nok(budget.amount)}
            )
            continue
        lines.append(
            Line(
                id=f"b{year}",
                measure=COST,
                year=year,
                amount=rest,
                value=_discounted(params, base, year, Estimate.exact(rest)),
                confidence="",
                partner_id=None,
                partner="",
                basis={"budget": budget.amount, "allocated": logged, "note": budget.note},
            )
        )
    return lines, warnings


def _funnel(projects: QuerySet[Project], contracts: list[Contract]) -> list[tuple[str, str, int]]:
    """Cases that reached each phase (a case in the contract phase has passed all before it),
    then those with a contract and those bought at scale."""
    counts = {phase: 0 for phase in Phase.values}
    for phase in projects.values_list("phase", flat=True):
        counts[phase] += 1
    order = list(Phase)
    reached = []
    for index, phase in enumerate(order):
        reached.append((phase.value, str(phase.label), sum(counts[p.value] for p in order[index:])))
    with_contract = len({c.project_id for c in contracts})
    scaled = len({c.project_id for c in contracts if c.scale_ups.all() or c.purchase_exercised_on})
    reached.append(("contract_signed", str(_("Contract signed")), with_contract))
    reached.append(("scaled", str(_("Bought at scale")), scaled))
    return reached


def _pilot_stats(contracts: list[Contract]) -> PilotStats:
    stats = PilotStats()
    for contract in contracts:
        if not contract.is_pilot:
            continue
        stats.pilots += 1
        scale_ups = list(contract.scale_ups.all())
        stats.transfers += sum(s.is_transfer for s in scale_ups)
        bought = bool(scale_ups) or contract.purchase_exercised_on is not None
        if contract.pilot_ended_on is not None or bought:
            stats.ended += 1
            if bought:
                stats.scaled += 1
            else:
                stats.waiting += 1
    return stats
