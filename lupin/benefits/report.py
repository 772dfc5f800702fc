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
  from the KPI's confidence.
- **Programme cost** — per year, the budget entered for that year; support logged by advisors is
  the part of it allocated to partners and cases, the rest is "not allocated". A year without a
  budget counts the support logged. If support logged exceeds a year's budget, the support counts
  (and the report warns).
- Every amount is discounted to the base year (the first year with any cost or benefit) with the
  real discount rate: `amount / (1 + rate) ** (year − base year)`.

A KPI without a baseline is listed as such and left out of realised benefits, never counted as 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.accounts.models import Organisation
from lupin.benefits.models import Kpi, Measurement, ProgrammeBudget, SupportEntry
from lupin.contracts.models import Contract, ContractStatus
from lupin.lib import finance
from lupin.lib.finance import Aggregation, Estimate, Headline, Row
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project, ProjectCpvCode, Visibility

REALISED, EXPECTED, COST = "realised", "expected", "cost"
MEASURES = (REALISED, EXPECTED, COST)
# The breakdowns, in the order the page shows them. Costs have no category.
BREAKDOWNS = ("year", "partner", "sector", "procedure", "phase", "category")


@dataclass(frozen=True)
class Params:
    rate: Decimal
    years: int

    @classmethod
    def default(cls) -> Params:
        return cls(rate=settings.LUPIN_DISCOUNT_RATE, years=settings.LUPIN_BENEFIT_YEARS)


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

    def lines_behind(
        self, measure: str, key: str | None = None, value: Hashable = None
    ) -> list[Line]:
        """The lines behind one figure: a measure's total (`key` None) or one group's total."""
        aggregation = self.aggregations[measure]
        total = aggregation.total if key is None else aggregation.by.get(key, {}).get(value)
        if total is None:
            return []
        by_id = {line.id: line for line in self.lines}
        return [by_id[str(row_id)] for row_id in total.row_ids]

    def breakdown(self, key: str) -> list[tuple[Hashable, dict[str, Estimate]]]:
        """(group value, {measure: total}) for every value seen under `key`, sorted."""
        values: set[Hashable] = set()
        for aggregation in self.aggregations.values():
            values.update(aggregation.by.get(key, {}))
        zero = Estimate.exact(Decimal(0))
        rows = []
        for value in sorted(values, key=lambda v: (v is None, str(v) if key != "year" else v)):
            rows.append(
                (
                    value,
                    {
                        m: self.aggregations[m].by.get(key, {}).get(value, None).value  # type: ignore[union-attr]
                        if value in self.aggregations[m].by.get(key, {})
                        else zero
                        for m in MEASURES
                    },
                )
            )
        return rows


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
    """The first year with any cost or benefit in the whole programme: every report (public or a
    partner's) discounts to it, so figures can be compared and added up."""
    candidates = [
        ProgrammeBudget.objects.aggregate(first=Min("year"))["first"],
        *(
            value.year
            for value in (
                SupportEntry.objects.aggregate(first=Min("given_on"))["first"],
                Measurement.objects.aggregate(first=Min("measured_on"))["first"],
                Contract.objects.aggregate(first=Min("starts_on"))["first"],
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
                        "measurements", queryset=Measurement.objects.order_by("measured_on", "pk")
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
        for year in range(first, first + params.years)
    ]


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
                f"{year}: support logged ({logged}) exceeds the budget entered ({budget.amount}); "
                "the support logged is counted."
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
