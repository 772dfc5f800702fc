"""`lupin demo`, part two: contracts, benefits measured over three years, the programme's costs,
and an effect report that comes out of them."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from lupin import demo
from lupin.audit import log as audit_log
from lupin.benefits import report
from lupin.benefits.models import Kpi, Measurement, ProgrammeBudget, SupportEntry
from lupin.competitions.models import AwardDecision
from lupin.contracts.actions import development_cost, purchase_blockers, waiting_pilots
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractOption,
    ContractParty,
    ContractStatus,
    DevelopmentPhase,
    GateDecision,
    GateOutcome,
    Milestone,
    PartyRole,
    PerformanceLevel,
    PhaseKind,
    PhaseStatus,
    ScaleUp,
)
from lupin.projects.lifecycle import Phase

MODELS: list[type[Model]] = [
    Contract,
    ContractParty,
    ContractOption,
    DevelopmentPhase,
    Milestone,
    GateDecision,
    PerformanceLevel,
    ScaleUp,
    Kpi,
    Measurement,
    SupportEntry,
    ProgrammeBudget,
]


@pytest.fixture(autouse=True)
def development(settings, tmp_path) -> None:
    # As in test_demo: the demo is meant for development, and its files stay out of var/media.
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


@pytest.fixture
def loaded(db) -> str:
    return run()


def contract_of(project_title: str) -> Contract:
    return Contract.objects.select_related("project").get(project__title=project_title)


def suppliers(contract: Contract) -> list[ContractParty]:
    return list(contract.parties.filter(role=PartyRole.SUPPLIER).select_related("organisation"))


# Contracts


def test_every_case_in_the_contract_phase_has_its_contract(loaded):
    titles = {demo.WASTE, demo.COPD, demo.DETERIORATION, demo.FERRY, demo.FURNITURE}
    contracts = Contract.objects.select_related("project")
    assert {c.project.title for c in contracts} == titles
    assert {c.project.phase for c in contracts} == {Phase.CONTRACT}
    assert contracts.count() == len(titles)


def test_every_signed_award_has_its_contract_dated_the_day_of_signing(loaded):
    signed = AwardDecision.objects.filter(signed_at__isnull=False).select_related("winner")
    assert signed.exists()
    for decision in signed:
        contract = Contract.objects.get(award=decision)
        assert decision.signed_at is not None
        assert contract.signed_on == timezone.localdate(decision.signed_at)
        assert contract.starts_on == contract.signed_on
        [party] = suppliers(contract)
        assert party.organisation == decision.winner.organisation
        assert contract.kpis.count() == contract.project.benefits.count()


def test_the_furniture_contract_has_an_end_and_options(loaded):
    contract = contract_of(demo.FURNITURE)
    assert contract.ends_on is not None and contract.ends_on > contract.starts_on
    options = {o.kind: o for o in contract.options.all()}
    assert set(options) == {"extension", "additional"}
    assert options["extension"].extends_to > contract.ends_on  # type: ignore[operator]
    assert options["extension"].exercised_on is None
    exercised = options["additional"].exercised_on
    assert exercised is not None and contract.signed_on <= exercised <= timezone.localdate()


def test_the_pcp_kept_two_of_three_suppliers_at_the_gate(loaded):
    contract = contract_of(demo.DETERIORATION)
    assert contract.kind == ContractKind.PCP
    parties = suppliers(contract)
    assert len(parties) == 3
    left = [p for p in parties if p.left_on is not None]
    assert [p.organisation.name for p in left] == ["Fjellvind Sensor AS"]
    assert left[0].left_reason
    phases = list(contract.phases.order_by("number"))
    assert [p.kind for p in phases] == [
        PhaseKind.SOLUTION_DESIGN,
        PhaseKind.PROTOTYPE,
        PhaseKind.TEST,
    ]
    assert [p.status for p in phases] == [
        PhaseStatus.COMPLETED,
        PhaseStatus.RUNNING,
        PhaseStatus.PLANNED,
    ]
    decisions = {d.supplier.organisation.name: d for d in phases[0].decisions.all()}
    assert len(decisions) == 3
    assert decisions["Fjellvind Sensor AS"].outcome == GateOutcome.NO_GO
    assert all(d.reason for d in decisions.values())
    assert left[0].left_on == timezone.localdate(decisions["Fjellvind Sensor AS"].decided_at)
    assert development_cost(contract) <= contract.max_cost


def test_the_innovation_partnership_passed_its_gates_but_cannot_buy_yet(loaded):
    contract = contract_of(demo.FERRY)
    assert contract.kind == ContractKind.INNOVATION_PARTNERSHIP
    assert contract.status == ContractStatus.ACTIVE
    phases = list(contract.phases.prefetch_related("milestones", "decisions"))
    assert len(phases) >= 2
    for phase in phases:
        assert phase.status == PhaseStatus.COMPLETED
        assert phase.milestones.exists()
        assert all(m.done_on is not None for m in phase.milestones.all())
        [decision] = phase.decisions.all()
        assert decision.outcome == GateOutcome.GO and decision.reason
    assert development_cost(contract) <= contract.max_cost
    levels = list(contract.performance_levels.all())
    assert [level.is_met for level in levels].count(False) == 1
    [blocker] = purchase_blockers(contract)
    assert "Regularitet i vinterhalvåret" in blocker
    assert contract.purchase_exercised_on is None


def test_no_date_is_in_the_future(loaded):
    today = timezone.localdate()
    assert not Measurement.objects.filter(measured_on__gt=today).exists()
    assert not Milestone.objects.filter(done_on__gt=today).exists()
    assert not PerformanceLevel.objects.filter(achieved_on__gt=today).exists()
    assert not ScaleUp.objects.filter(decided_on__gt=today).exists()
    assert not SupportEntry.objects.filter(given_on__gt=today).exists()
    assert not GateDecision.objects.filter(decided_at__gt=timezone.now()).exists()
    assert not ContractParty.objects.filter(left_on__gt=today).exists()
    for contract in Contract.objects.all():
        assert contract.signed_on <= contract.starts_on <= today
        assert contract.signed_on.weekday() < 5


# Benefits


def test_benefits_are_measured_over_three_years_by_three_partners(loaded):
    year = timezone.localdate().year
    measurements = Measurement.objects.select_related("kpi__contract__project")
    assert {m.measured_on.year for m in measurements} == {year - 2, year - 1, year}
    partners = {m.kpi.contract.project.lead_buyer_id for m in measurements}
    assert len(partners) >= 3
    assert len({m.kpi.category for m in measurements}) >= 4
    for measurement in measurements:
        assert measurement.source and measurement.entered_by is not None
        assert measurement.measured_on >= measurement.kpi.contract.signed_on


def test_one_kpi_has_no_baseline_and_counts_for_nothing(loaded):
    [kpi] = Kpi.objects.filter(baseline__isnull=True)
    assert kpi.measurements.count() >= 2
    assert kpi.yearly_value is not None
    built = report.build()
    assert kpi in built.missing_baseline
    assert not [
        line for line in built.lines if line.kpi_id == kpi.pk and line.measure == "realised"
    ]


def test_a_pilot_waits_and_another_was_bought_by_another_buyer(loaded):
    waiting = [w.contract.project.title for w in waiting_pilots(Contract.objects.all())]
    assert waiting == [demo.COPD]
    pilot = contract_of(demo.WASTE)
    assert pilot.pilot_ended_on is not None
    transfer = pilot.scale_ups.get(is_transfer=True)
    assert transfer.organisation.name == "Solberg kommune"
    assert not pilot.parties.filter(organisation=transfer.organisation).exists()
    assert pilot.scale_ups.filter(is_transfer=False).exists()


# Programme costs and the effect report


def test_programme_costs_have_budgets_and_support_per_partner(loaded):
    year = timezone.localdate().year
    assert set(ProgrammeBudget.objects.values_list("year", flat=True)) == set(
        range(year - 3, year + 1)
    )
    entries = SupportEntry.objects.select_related("advisor", "project")
    assert {e.advisor.username for e in entries} == {"advisor"}
    assert len({e.organisation_id for e in entries}) >= 4
    assert entries.filter(project__isnull=True).exists()
    for entry in entries.filter(project__isnull=False):
        assert entry.project.lead_buyer_id == entry.organisation_id  # type: ignore[union-attr]


def test_the_effect_report_headline_comes_out_of_the_demo(loaded):
    built = report.build()
    assert built.warnings == []
    assert built.headline is not None and built.expected_headline is not None
    assert built.realised.expected > 0
    # A few MNOK invested, tens of MNOK realised, more expected.
    assert 1_000_000 < built.headline.invested < 10_000_000
    assert 10_000_000 < built.realised.expected < built.expected.expected
    assert 1 < built.headline.ratio.expected < built.expected_headline.ratio.expected
    assert built.pilots.transfers >= 1 and built.pilots.waiting >= 1


def test_the_api_lists_the_demo_contracts(loaded, client: Client):
    body = client.get("/api/v1/contracts", {"kind": "innovation_partnership"}).json()
    [partnership] = body["items"]
    assert partnership["purchase_option"]["open"] is False
    assert partnership["purchase_option"]["blockers"]
    assert client.get("/api/v1/contracts").json()["count"] == 5


# Running again


def test_running_demo_twice_duplicates_nothing(loaded):
    first = counts()
    dates = sorted(Measurement.objects.values_list("pk", "measured_on", "entered_at"))
    run()
    assert counts() == first
    assert sorted(Measurement.objects.values_list("pk", "measured_on", "entered_at")) == dates
    assert audit_log.verify().ok


def test_if_empty_twice_loads_once(db):
    run("--if-empty")
    first = counts()
    assert first["Contract"] == 5
    assert "not loaded" in run("--if-empty")
    assert counts() == first


def test_a_lost_contract_is_rebuilt_and_the_rest_left_alone(loaded):
    before = counts()
    contract_of(demo.COPD).delete()
    run()
    assert counts() == before


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Oslo")),
        datetime(2027, 12, 31, 23, 30, tzinfo=ZoneInfo("Europe/Oslo")),
    ],
)
def test_demo_loads_at_either_end_of_a_year(db, moment):
    with time_machine.travel(moment):
        demo.build()
        today = timezone.localdate()
        years = {m.measured_on.year for m in Measurement.objects.all()}
        assert years == {today.year - 2, today.year - 1, today.year}
        assert not Measurement.objects.filter(measured_on__gt=today).exists()
        assert report.build().headline is not None
