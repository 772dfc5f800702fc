"""The effect report's computation (`lupin.benefits.report.build`) on a small programme built
through the actions, with figures computed by hand.

The programme (today is 1 March 2026; base year 2024, real rate 4 %, 10 years):

- Fjordvik's published case "Velferdsteknologi", contract from 1 Feb 2024, KPI "Færre
  unødvendige nattbesøk" 120 → 60 besøk per uke, 900 000 kr a year at the target, confidence
  expected. Measured 100 in January 2025 and 90 in June 2025: the last one counts, progress ½,
  so 450 000 kr realised in 2025.
- Programme budget 1 000 000 kr in 2024, of which support logged for Fjordvik: 10 h × 1 200 kr +
  3 000 kr = 15 000 kr; the rest, 985 000 kr, is not allocated. In 2025 a budget of 10 000 kr but
  20 h × 1 000 kr = 20 000 kr of support: the support counts, and the report warns.

The helpers here are imported by the other effect-report tests, so they all share one data set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from lupin.accounts.models import Organisation, User
from lupin.benefits import actions as benefit_actions
from lupin.benefits.actions import KpiData, MeasurementData, SupportData
from lupin.benefits.models import Kpi
from lupin.benefits.report import (
    BREAKDOWNS,
    COST,
    EXPECTED,
    MEASURES,
    REALISED,
    EffectReport,
    Params,
    build,
    headline_sentence,
    mnok,
)
from lupin.conftest import add_benefit, make_contract, make_project
from lupin.contracts import actions as contract_actions
from lupin.contracts.models import Contract, ContractStatus
from lupin.lib.finance import Estimate, sum_estimates
from lupin.projects import actions as project_actions
from lupin.projects.models import BenefitCategory, Project

TODAY = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Europe/Oslo"))
PARAMS = Params(rate=Decimal("0.04"), years=10)
GROWTH = Decimal("1.04")
# How close two sums of the same unrounded figures must be when added in another order.
TOLERANCE = Decimal("1e-12")


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


# Building the programme through the actions


def measure(buyer: User, kpi: Kpi, value: str, on: date, confidence: str = "expected") -> None:
    benefit_actions.record_measurement(
        buyer,
        kpi,
        MeasurementData(
            value=Decimal(value),
            unit=kpi.unit,
            measured_on=on,
            source="Fagsystemet, ukesrapport",
            confidence=confidence,
        ),
    )


def support(
    advisor: User,
    buyer: User,
    on: date,
    *,
    hours: str,
    rate: str,
    other: str = "0",
    project: Project | None = None,
) -> None:
    assert buyer.organisation is not None
    benefit_actions.log_support(
        advisor,
        SupportData(
            organisation=buyer.organisation,
            given_on=on,
            description="Veiledning i behovsavklaring",
            hours=Decimal(hours),
            hourly_rate=Decimal(rate),
            other_cost=Decimal(other),
            project=project,
        ),
    )


def published_case(buyer: User, title: str, **fields: object) -> Project:
    project = make_project(buyer, title)
    if fields:
        data = project_actions.ProjectData(
            title=title,
            need_statement=project.need_statement,
            affected_users=project.affected_users,
            estimated_value=project.estimated_value,
            nuts_region=project.nuts_region,
            cpv_codes=tuple(c.code for c in project.cpv_list()),
        )
        for name, value in fields.items():
            setattr(data, name, value)
        project = project_actions.update_project(buyer, project, data)
    add_benefit(buyer, project)
    return project_actions.publish_project(buyer, project)


def kpi_without_baseline(buyer: User, contract: Contract) -> Kpi:
    return benefit_actions.add_kpi(
        buyer,
        contract,
        KpiData(
            category=BenefitCategory.PRICE,
            description="Lavere driftskostnad per bruker",
            unit="kr per bruker",
            target=Decimal("10"),
            owner="Økonomisjef",
            yearly_value=Decimal("100000"),
        ),
    )


def base_programme(buyer: User, advisor: User, contract: Contract) -> Kpi:
    """The programme of the module docstring; returns the KPI."""
    kpi = contract.kpis.get()
    measure(buyer, kpi, "100", date(2025, 1, 10))
    measure(buyer, kpi, "90", date(2025, 6, 1))
    benefit_actions.set_budget(advisor, year=2024, amount=Decimal("1000000"))
    benefit_actions.set_budget(advisor, year=2025, amount=Decimal("10000"))
    support(
        advisor,
        buyer,
        date(2024, 3, 1),
        hours="10",
        rate="1200",
        other="3000",
        project=contract.project,
    )
    support(advisor, buyer, date(2025, 4, 1), hours="20", rate="1000")
    return kpi


def bigger_programme(
    buyer: User, cobuyer: User, advisor: User, contract: Contract, supplier_org: Organisation
) -> dict[str, object]:
    """The base programme plus: a KPI without a baseline on Fjordvik's contract; a second
    partner, Solberg, with a published PCP case in sector 90 (measured 75 in 2025 with high
    confidence: 675 000 kr ± 10 %) and 6 000 kr of support; and a draft case of Fjordvik's with
    a contract measured at its target in 2025 (900 000 kr) and 2 000 kr of support for it."""
    kpi = base_programme(buyer, advisor, contract)
    no_baseline = kpi_without_baseline(buyer, contract)
    measure(buyer, no_baseline, "8", date(2025, 7, 1))
    waste = published_case(
        cobuyer, "Smart avfallshåndtering", cpv_codes=("90500000",), planned_procedure="pcp"
    )
    waste_contract = make_contract(
        cobuyer, waste, [supplier_org], signed_on=date(2024, 12, 1), starts_on=date(2025, 1, 1)
    )
    measure(cobuyer, waste_contract.kpis.get(), "75", date(2025, 9, 1), confidence="high")
    support(advisor, cobuyer, date(2025, 5, 1), hours="5", rate="1200")
    draft = make_project(buyer, "Hemmelig utkast: sensorbasert vedlikehold")
    add_benefit(buyer, draft)
    draft_contract = make_contract(buyer, draft, [supplier_org])
    measure(buyer, draft_contract.kpis.get(), "60", date(2025, 10, 1))
    support(advisor, buyer, date(2025, 11, 1), hours="2", rate="1000", project=draft)
    return {
        "kpi": kpi,
        "no_baseline": no_baseline,
        "waste": waste,
        "waste_contract": waste_contract,
        "draft": draft,
        "draft_contract": draft_contract,
    }


def totals_add_up(report: EffectReport) -> None:
    """For every measure: the lines behind the total add up to it exactly, and for every
    breakdown the groups add up to it (up to the last of 28 digits: another order of adding),
    each group to its own lines exactly."""
    for measure_ in MEASURES:
        total = report.aggregations[measure_].total.value
        lines = report.lines_behind(measure_)
        assert sum_estimates(line.value for line in lines) == total
        assert {line.id for line in lines} == {
            line.id for line in report.lines if line.measure == measure_
        }
        for key in BREAKDOWNS:
            if (measure_, key) == (COST, "category"):
                continue  # costs have no category
            groups = report.breakdown(key)
            summed = sum_estimates(totals[measure_] for _, totals in groups)
            for bound in ("low", "expected", "high"):
                assert abs(getattr(summed, bound) - getattr(total, bound)) < TOLERANCE
            for value, totals in groups:
                behind = report.lines_behind(measure_, key, value)
                assert sum_estimates(line.value for line in behind) == totals[measure_]


def close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) < TOLERANCE


# Realised benefits, expected benefits, cost


def test_realised_benefit_is_the_last_measurement_of_the_year_valued_and_discounted(
    buyer, advisor, contract
):
    base_programme(buyer, advisor, contract)
    report = build(PARAMS)
    assert report.base_year == 2024
    [line] = [line for line in report.lines if line.measure == REALISED]
    assert line.year == 2025
    assert line.amount == Decimal("450000")
    assert line.basis["measured"] == Decimal("90")
    assert line.basis["baseline"] == Decimal("120")
    # Confidence "expected": ±25 %, then discounted one year at 4 %.
    assert close(line.value.expected, Decimal(450000) / GROWTH)
    assert close(line.value.low, Decimal(337500) / GROWTH)
    assert close(line.value.high, Decimal(562500) / GROWTH)
    assert report.realised == line.value


def test_expected_benefit_is_the_yearly_value_for_the_period_from_the_contract_start(
    buyer, advisor, contract
):
    base_programme(buyer, advisor, contract)
    report = build(PARAMS)
    lines = sorted((line for line in report.lines if line.measure == EXPECTED), key=str)
    assert sorted(line.year for line in lines) == list(range(2024, 2034))
    assert {line.amount for line in lines} == {Decimal("900000")}
    expected = sum((Decimal(900000) / GROWTH**year for year in range(10)), Decimal(0))
    assert close(report.expected.expected, expected)
    assert close(report.expected.low, expected * Decimal("0.75"))
    assert close(report.expected.high, expected * Decimal("1.25"))


def test_cost_is_the_budget_with_the_support_logged_as_its_allocated_part(buyer, advisor, contract):
    base_programme(buyer, advisor, contract)
    report = build(PARAMS)
    lines = {line.id: line for line in report.lines if line.measure == COST}
    in_2024 = [line for line in lines.values() if line.year == 2024]
    assert sorted(line.amount for line in in_2024) == [Decimal("15000"), Decimal("985000")]
    remainder = lines["b2024"]
    assert remainder.partner_id is None
    assert remainder.basis["allocated"] == Decimal("15000")
    [entry] = [line for line in in_2024 if line.support_id]
    assert entry.partner_id == buyer.organisation_id
    assert entry.project_id == contract.project_id
    assert entry.basis["hours"] == Decimal("10")
    assert entry.value == Estimate.exact(Decimal("15000"))
    assert close(report.cost.expected, Decimal(1000000) + Decimal(20000) / GROWTH)
    assert report.cost.is_exact


def test_support_exceeding_a_years_budget_counts_and_the_report_warns(buyer, advisor, contract):
    base_programme(buyer, advisor, contract)
    report = build(PARAMS)
    in_2025 = [line for line in report.lines if line.measure == COST and line.year == 2025]
    assert [line.amount for line in in_2025] == [Decimal("20000")]
    assert "b2025" not in {line.id for line in report.lines}
    [warning] = report.warnings
    assert warning.startswith("2025:")
    assert "exceeds the budget" in warning


def test_a_year_without_a_budget_counts_the_support_logged(buyer, advisor, contract):
    support(advisor, buyer, date(2026, 2, 1), hours="3", rate="1000")
    report = build(PARAMS)
    [line] = [line for line in report.lines if line.measure == COST]
    assert (line.year, line.amount) == (2026, Decimal("3000"))
    assert report.warnings == []


# The headline


def test_headline_sets_the_cost_against_realised_and_expected_benefits(buyer, advisor, contract):
    base_programme(buyer, advisor, contract)
    report = build(PARAMS)
    assert report.headline is not None and report.expected_headline is not None
    assert report.headline.invested == report.cost.expected
    assert report.headline.benefits == report.realised
    assert report.expected_headline.benefits == report.expected
    assert close(report.headline.ratio.expected, report.realised.expected / report.cost.expected)
    assert headline_sentence(report.headline, REALISED) == (
        "1 MNOK invested → 0.4 MNOK in realised benefits (range 0.3–0.5)"
    )
    assert headline_sentence(report.expected_headline, EXPECTED) == (
        "1 MNOK invested → 7.6 MNOK in expected benefits (range 5.7–9.5)"
    )


def test_the_headline_equals_the_sum_of_its_drill_down_lines(
    buyer, cobuyer, advisor, contract, supplier_org
):
    bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)
    report = build(PARAMS)
    assert report.headline is not None
    cost_lines = report.lines_behind(COST)
    assert sum_estimates(line.value for line in cost_lines).expected == report.headline.invested
    realised_lines = report.lines_behind(REALISED)
    assert sum_estimates(line.value for line in realised_lines) == report.headline.benefits


def test_every_total_adds_up_from_its_lines_and_from_each_breakdowns_groups(
    buyer, cobuyer, advisor, contract, supplier_org
):
    bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)
    assert buyer.organisation is not None
    for report in (
        build(PARAMS),
        build(PARAMS, public=False),
        build(PARAMS, partner=buyer.organisation, public=False),
    ):
        totals_add_up(report)


def test_without_programme_cost_there_is_no_headline_but_there_are_benefits(buyer, contract):
    measure(buyer, contract.kpis.get(), "90", date(2025, 6, 1))
    report = build(PARAMS)
    assert report.headline is None and report.expected_headline is None
    assert report.realised.expected > 0


def test_mnok_is_written_with_the_languages_separators():
    assert mnok(Decimal("1234500000")) == "1,234.5"
    with translation.override("nb"):
        assert mnok(Decimal("1234500000")) == "1\xa0234,5"
        assert mnok(Decimal("40000")) == "0,04"


# What is left out, and why


def test_kpi_without_baseline_is_listed_and_left_out_of_realised_benefits(
    buyer, cobuyer, advisor, contract, supplier_org
):
    data = bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)
    no_baseline = data["no_baseline"]
    report = build(PARAMS)
    assert report.missing_baseline == [no_baseline]
    realised_kpis = {line.kpi_id for line in report.lines if line.measure == REALISED}
    assert no_baseline.pk not in realised_kpis  # type: ignore[attr-defined]
    # Its money value is still an expected benefit: the baseline is needed only to measure.
    expected_kpis = {line.kpi_id for line in report.lines if line.measure == EXPECTED}
    assert no_baseline.pk in expected_kpis  # type: ignore[attr-defined]


def test_terminated_contract_has_no_expected_benefit_but_keeps_what_it_realised(
    buyer, advisor, contract
):
    base_programme(buyer, advisor, contract)
    contract_actions.change_status(
        buyer, contract, ContractStatus.TERMINATED, reason="Leverandøren gikk konkurs"
    )
    report = build(PARAMS)
    assert [line for line in report.lines if line.measure == EXPECTED] == []
    assert report.expected == Estimate.exact(Decimal(0))
    assert [line.year for line in report.lines if line.measure == REALISED] == [2025]


def test_unpublished_case_is_left_out_of_the_public_report_but_in_its_partners(
    buyer, cobuyer, advisor, contract, supplier_org
):
    data = bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)
    draft, waste = data["draft"], data["waste"]
    assert buyer.organisation is not None and cobuyer.organisation is not None
    public = build(PARAMS)
    assert draft.pk not in {line.project_id for line in public.lines}  # type: ignore[attr-defined]
    assert "Hemmelig" not in " ".join(line.project for line in public.lines)
    # Its support still costs the programme, but the case is not named.
    [hidden] = [line for line in public.lines if line.amount == Decimal("2000")]
    assert (hidden.measure, hidden.project_id, hidden.project) == (COST, None, "")
    assert ("need", "Need", 2) in public.funnel

    own = build(PARAMS, partner=buyer.organisation, public=False)
    assert draft.pk in {line.project_id for line in own.lines}  # type: ignore[attr-defined]
    assert {line.partner_id for line in own.lines} == {buyer.organisation_id}
    assert waste.pk not in {line.project_id for line in own.lines}  # type: ignore[attr-defined]
    assert not [line for line in own.lines if line.id.startswith("b")]
    assert ("need", "Need", 2) in own.funnel

    theirs = build(PARAMS, partner=cobuyer.organisation, public=False)
    assert {line.project_id for line in theirs.lines} == {waste.pk, None}  # type: ignore[attr-defined]


def test_changing_the_rate_or_the_period_changes_the_figures(buyer, advisor, contract):
    base_programme(buyer, advisor, contract)
    four = build(PARAMS)
    zero = build(Params(rate=Decimal(0), years=10))
    assert zero.realised.expected == Decimal("450000")
    assert zero.expected.expected == Decimal("9000000")
    assert zero.cost.expected == Decimal("1020000")
    assert four.realised.expected < zero.realised.expected
    assert four.cost.expected < zero.cost.expected
    five = build(Params(rate=Decimal("0.04"), years=5))
    assert sorted(line.year for line in five.lines if line.measure == EXPECTED) == list(
        range(2024, 2029)
    )
    assert five.expected.expected < four.expected.expected


# Breakdowns


def test_breakdowns_are_labelled_and_ordered_for_a_reader(
    buyer, cobuyer, advisor, contract, supplier_org
):
    bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)
    report = build(PARAMS)

    def labels(key: str) -> list[str]:
        return [report.label(key, value) for value, _ in report.breakdown(key)]

    years = [value for value, _ in report.breakdown("year")]
    assert years == [2024, 2025, 2026, 2027, 2028, 2029, 2030, 2031, 2032, 2033, 2034]
    assert labels("partner") == [
        "Fjordvik kommune",
        "Solberg kommune",
        "Not allocated to a partner",
    ]
    sectors = labels("sector")
    assert [label[:5] for label in sectors[:2]] == ["33 – ", "90 – "]
    assert sectors[2] == "Not allocated to a case"
    assert labels("procedure") == [
        "Not decided yet",
        "Pre-commercial procurement",
        "Not allocated to a case",
    ]
    assert labels("phase") == ["Contract and effects", "Not allocated to a case"]
    assert labels("category") == ["Process: hours spent", "Purchase: price"]
    # Costs have no category: every group of that breakdown counts 0 for cost.
    assert {totals[COST] for _, totals in report.breakdown("category")} == {
        Estimate.exact(Decimal(0))
    }
    with translation.override("nb"):
        assert (
            report.label("sector", "90") == "90 – Avløp, søppel, sanitære og miljømessige tjenester"
        )


def test_a_date_on_a_draft_case_does_not_move_the_public_base_year(buyer, advisor, contract):
    benefit_actions.set_budget(advisor, year=2024, amount=Decimal(1_000_000))
    before = build()
    draft = make_project(buyer, "Utkast med skrivefeil")
    add_benefit(buyer, draft)
    make_contract(buyer, draft, [contract.parties.get(role="supplier").organisation],
                  signed_on=date(2005, 1, 1), starts_on=date(2005, 1, 1))  # fmt: skip
    after = build()
    assert after.base_year == before.base_year == 2024
    assert after.headline == before.headline


def test_a_pilot_that_ended_unbought_expects_nothing_after_its_end(buyer, contract):
    contract.is_pilot = True
    contract.save(update_fields=["is_pilot"])
    years = {line.year for line in build().lines if line.measure == EXPECTED}
    assert years == set(range(2024, 2034))
    contract_actions.end_pilot(buyer, contract, on=date(2025, 6, 30))
    years = {line.year for line in build().lines if line.measure == EXPECTED}
    assert years == {2024, 2025}
    contract_actions.record_scale_up(
        buyer,
        contract,
        organisation=contract.project.lead_buyer,
        decided_on=date(2025, 9, 1),
        scope="Hele kommunen",
    )
    years = {line.year for line in build().lines if line.measure == EXPECTED}
    assert years == set(range(2024, 2034))
