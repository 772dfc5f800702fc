"""The rules of contract follow-up, at the level of actions: go/no-go gates (a PCP keeps two
suppliers through the test phase), phases in order, the purchase option of an innovation
partnership, options and extensions, registration by hand, scale-ups and waiting pilots, and
the contract a signed award creates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lupin.accounts.models import Organisation
from lupin.benefits.models import Kpi
from lupin.competitions.actions import evaluation as ev
from lupin.competitions.tests.conftest import make_competition
from lupin.competitions.tests.test_evaluation import (
    Setup,
    agree_all,
    declare,
    setup_fixture,
    submit_all,
)
from lupin.conftest import make_contract
from lupin.contracts import actions
from lupin.contracts.actions import ContractError, GateChoice
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractParty,
    ContractSource,
    ContractStatus,
    DevelopmentPhase,
    GateDecision,
    GateOutcome,
    OptionKind,
    PartyRole,
    PhaseKind,
    PhaseStatus,
)
from lupin.projects.lifecycle import Phase

OSLO = ZoneInfo("Europe/Oslo")
GO, NO_GO = GateOutcome.GO, GateOutcome.NO_GO


@pytest.fixture(autouse=True)
def today() -> Iterator[date]:
    """A fixed "today" in Oslo, well after the fixtures' contracts start (1 February 2024)."""
    with time_machine.travel(datetime(2025, 6, 2, 12, 0, tzinfo=OSLO), tick=False):
        yield date(2025, 6, 2)


def phase(buyer, contract: Contract, kind: str, number: int, **overrides) -> DevelopmentPhase:
    start = date(2024, 2, 1) + timedelta(days=90 * (number - 1))
    values = {
        "kind": kind,
        "name": f"Fase {number}",
        "starts_on": start,
        "ends_on": start + timedelta(days=89),
        **overrides,
    }
    return actions.add_phase(buyer, contract, **values)


def running(buyer, contract: Contract, kind: str = PhaseKind.SOLUTION_DESIGN) -> DevelopmentPhase:
    added = phase(buyer, contract, kind, contract.phases.count() + 1)
    return actions.start_phase(buyer, added)


def suppliers_of(contract: Contract) -> list[ContractParty]:
    return actions.active_suppliers(contract)


def gate(buyer, phase: DevelopmentPhase, outcomes: list[str]) -> list[GateDecision]:
    parties = suppliers_of(phase.contract)
    choices = [
        GateChoice(party, outcome, f"Vurdert etter demo: {outcome}")
        for party, outcome in zip(parties, outcomes, strict=True)
    ]
    return actions.decide_gate(buyer, phase, choices)


def nothing_decided(contract: Contract, phase: DevelopmentPhase) -> None:
    assert not GateDecision.objects.filter(phase=phase).exists()
    phase.refresh_from_db()
    assert phase.status == PhaseStatus.RUNNING
    assert all(p.left_on is None for p in contract.parties.filter(role=PartyRole.SUPPLIER))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


# Go/no-go gates ----------------------------------------------------------------------------------


def test_pcp_gate_letting_exactly_one_supplier_go_on_is_refused_and_nothing_is_stored(
    buyer, pcp_contract
):
    design = running(buyer, pcp_contract)
    with pytest.raises(ContractError, match="at least two suppliers through the test phase"):
        gate(buyer, design, [GO, NO_GO, NO_GO])
    nothing_decided(pcp_contract, design)


def test_pcp_gate_letting_two_go_on_completes_the_phase_and_the_third_leaves_with_the_reason(
    buyer, pcp_contract
):
    design = running(buyer, pcp_contract)
    third = suppliers_of(pcp_contract)[2]
    gate(buyer, design, [GO, GO, NO_GO])
    design.refresh_from_db()
    assert design.status == PhaseStatus.COMPLETED
    third.refresh_from_db()
    assert third.left_on == date(2025, 6, 2)
    assert third.left_reason == "Vurdert etter demo: no_go"
    assert len(suppliers_of(pcp_contract)) == 2
    assert GateDecision.objects.filter(phase=design).count() == 3


def test_a_gate_where_nobody_goes_on_stops_the_phase_and_terminates_the_contract(
    buyer, pcp_contract
):
    design = running(buyer, pcp_contract)
    later = phase(buyer, pcp_contract, PhaseKind.PROTOTYPE, 2)
    gate(buyer, design, [NO_GO, NO_GO, NO_GO])
    design.refresh_from_db()
    later.refresh_from_db()
    pcp_contract.refresh_from_db()
    assert design.status == PhaseStatus.STOPPED
    assert later.status == PhaseStatus.STOPPED
    assert pcp_contract.status == ContractStatus.TERMINATED
    assert "Fase 1" in pcp_contract.status_reason
    assert suppliers_of(pcp_contract) == []


def test_after_the_pcp_test_phase_one_supplier_may_go_on(buyer, pcp_contract):
    design = running(buyer, pcp_contract)
    gate(buyer, design, [GO, GO, NO_GO])
    test = running(buyer, pcp_contract, PhaseKind.TEST)
    gate(buyer, test, [GO, NO_GO])  # suppliers by name: Konkurrent AS, Nordlys Teknologi AS
    test.refresh_from_db()
    assert test.status == PhaseStatus.COMPLETED
    assert [p.organisation.name for p in suppliers_of(pcp_contract)] == ["Konkurrent AS"]


def test_an_innovation_partnership_may_go_on_with_one_supplier(buyer, ip_contract):
    development = running(buyer, ip_contract, PhaseKind.DEVELOPMENT)
    gate(buyer, development, [GO])
    development.refresh_from_db()
    assert development.status == PhaseStatus.COMPLETED


def test_a_gate_needs_a_reason_for_each_supplier_named_by_its_field(buyer, pcp_contract):
    design = running(buyer, pcp_contract)
    first, second, third = suppliers_of(pcp_contract)
    choices = [
        GateChoice(first, GO, "Sterk løsning"),
        GateChoice(second, GO, "   "),
        GateChoice(third, NO_GO, "For dyr"),
    ]
    with pytest.raises(ContractError) as refused:
        actions.decide_gate(buyer, design, choices)
    assert refused.value.field == f"reason_{second.pk}"
    assert "reason" in refused.value.message
    nothing_decided(pcp_contract, design)


def test_a_gate_needs_a_decision_for_every_active_supplier(buyer, pcp_contract):
    design = running(buyer, pcp_contract)
    first, second, third = suppliers_of(pcp_contract)
    choices = [GateChoice(first, GO, "Sterk"), GateChoice(second, GO, "God")]
    with pytest.raises(ContractError, match="Tredje Vei AS is missing"):
        actions.decide_gate(buyer, design, choices)
    nothing_decided(pcp_contract, design)


def test_a_gate_is_decided_only_for_a_running_phase(buyer, pcp_contract):
    planned = phase(buyer, pcp_contract, PhaseKind.SOLUTION_DESIGN, 1)
    with pytest.raises(ContractError, match="end of a running phase"):
        gate(buyer, planned, [GO, GO, GO])


# Phases in order ---------------------------------------------------------------------------------


def test_a_phase_cannot_start_before_the_earlier_phases_passed_their_gate(buyer, pcp_contract):
    design = phase(buyer, pcp_contract, PhaseKind.SOLUTION_DESIGN, 1)
    prototype = phase(buyer, pcp_contract, PhaseKind.PROTOTYPE, 2)
    with pytest.raises(ContractError, match="“Fase 1” has not passed its gate"):
        actions.start_phase(buyer, prototype)
    actions.start_phase(buyer, design)
    with pytest.raises(ContractError, match="“Fase 1” has not passed its gate"):
        actions.start_phase(buyer, prototype)
    prototype.refresh_from_db()
    assert prototype.status == PhaseStatus.PLANNED
    gate(buyer, design, [GO, GO, GO])
    actions.start_phase(buyer, prototype)
    prototype.refresh_from_db()
    assert prototype.status == PhaseStatus.RUNNING


def test_a_pcp_has_no_development_phase_and_an_ordinary_contract_no_phases(
    buyer, pcp_contract, contract
):
    with pytest.raises(ContractError) as refused:
        phase(buyer, pcp_contract, PhaseKind.DEVELOPMENT, 1)
    assert refused.value.field == "kind"
    with pytest.raises(ContractError, match="innovation partnership or a PCP"):
        phase(buyer, contract, PhaseKind.DEVELOPMENT, 1)
    assert not DevelopmentPhase.objects.exists()


# The purchase option -----------------------------------------------------------------------------


def level(buyer, contract: Contract, required: str = "95", **overrides):
    values = {"name": "Alarmer besvart i tide", "unit": "%", "direction": "at_least"}
    values.update(overrides)
    return actions.add_performance_level(buyer, contract, required=Decimal(required), **values)


def test_purchase_option_is_closed_without_phases_or_performance_levels(ip_contract):
    blockers = actions.purchase_blockers(ip_contract)
    assert "No development phase is recorded." in blockers
    assert "No performance level is agreed." in blockers


def test_a_level_not_met_blocks_the_purchase_saying_achieved_and_required(buyer, ip_contract):
    agreed = level(buyer, ip_contract)
    blockers = actions.purchase_blockers(ip_contract)
    assert "“Alarmer besvart i tide” is not measured yet (required: at least 95 %)." in blockers
    actions.record_performance(buyer, agreed, Decimal("80.5"))
    blockers = actions.purchase_blockers(ip_contract)
    assert (
        "“Alarmer besvart i tide” is not met: 80.5 % achieved, at least 95 % required." in blockers
    )


def test_cost_above_the_maximum_blocks_the_purchase(buyer, ip_contract):
    development = running(buyer, ip_contract, PhaseKind.DEVELOPMENT)
    actions.record_phase_cost(buyer, development, Decimal("3500000"))
    blockers = actions.purchase_blockers(ip_contract)
    assert (
        "The phases cost NOK 3,500,000, more than the agreed maximum of NOK 3,000,000." in blockers
    )


def test_a_phase_not_completed_blocks_the_purchase(buyer, ip_contract):
    running(buyer, ip_contract, PhaseKind.DEVELOPMENT)
    assert "Phase “Fase 1” has not passed its gate." in actions.purchase_blockers(ip_contract)


def open_purchase_option(buyer, ip_contract: Contract) -> None:
    development = running(buyer, ip_contract, PhaseKind.DEVELOPMENT)
    actions.record_phase_cost(buyer, development, Decimal("2900000"))
    gate(buyer, development, [GO])
    actions.record_performance(buyer, level(buyer, ip_contract), Decimal("97"))
    actions.record_performance(
        buyer,
        level(buyer, ip_contract, "30", name="Svartid", unit="sekunder", direction="at_most"),
        Decimal("30"),
    )


def test_purchase_option_opens_when_every_level_is_met_within_the_maximum(buyer, ip_contract):
    open_purchase_option(buyer, ip_contract)
    assert actions.purchase_blockers(ip_contract) == []
    bought = actions.exercise_purchase_option(
        buyer, ip_contract, on=date(2025, 6, 1), value=Decimal("12000000")
    )
    assert bought.purchase_exercised_on == date(2025, 6, 1)
    assert bought.purchase_value == Decimal("12000000")
    assert actions.purchase_blockers(bought) == ["The purchase option has been exercised."]


def test_exercising_the_purchase_option_is_refused_with_the_reasons_while_blocked(
    buyer, ip_contract
):
    level(buyer, ip_contract)
    with pytest.raises(ContractError) as refused:
        actions.exercise_purchase_option(buyer, ip_contract, value=Decimal("1000000"))
    assert refused.value.message.startswith("The purchase option is not open:")
    assert "No development phase is recorded." in refused.value.message
    assert "is not measured yet" in refused.value.message
    ip_contract.refresh_from_db()
    assert ip_contract.purchase_exercised_on is None
    assert ip_contract.purchase_value is None


def test_a_pcp_has_no_purchase_option(pcp_contract):
    assert "separate procurement" in actions.purchase_blockers(pcp_contract)[0]


# Options and extensions --------------------------------------------------------------------------


def test_an_exercised_extension_moves_the_end_of_the_contract(buyer, contract):
    option = actions.add_option(
        buyer,
        contract,
        kind=OptionKind.EXTENSION,
        description="Forlengelse ett år",
        value=Decimal("800000"),
        extends_to=date(2028, 1, 31),
    )
    contract.refresh_from_db()
    assert contract.ends_on == date(2027, 1, 31)
    actions.exercise_option(buyer, option)
    contract.refresh_from_db()
    option.refresh_from_db()
    assert contract.ends_on == date(2028, 1, 31)
    assert option.exercised_on == date(2025, 6, 2)
    assert option.exercised_by == buyer
    with pytest.raises(ContractError, match="already been exercised"):
        actions.exercise_option(buyer, option)


def test_an_additional_deliveries_option_leaves_the_end_date(buyer, contract):
    option = actions.add_option(
        buyer, contract, kind=OptionKind.ADDITIONAL, description="Flere sensorer"
    )
    actions.exercise_option(buyer, option)
    contract.refresh_from_db()
    assert contract.ends_on == date(2027, 1, 31)


@pytest.mark.parametrize("extends_to", [date(2027, 1, 31), date(2026, 12, 31)])
def test_an_extension_that_does_not_end_after_the_contract_is_refused(buyer, contract, extends_to):
    with pytest.raises(ContractError) as refused:
        actions.add_option(
            buyer,
            contract,
            kind=OptionKind.EXTENSION,
            description="Forlengelse",
            extends_to=extends_to,
        )
    assert refused.value.field == "extends_to"
    assert not contract.options.exists()


# Amounts -----------------------------------------------------------------------------------------


def test_a_negative_contract_value_is_refused_naming_the_field(
    buyer, published_project, supplier_org
):
    for field in ("value", "max_cost"):
        kind = "innovation_partnership"
        with pytest.raises(ContractError) as refused:
            make_contract(buyer, published_project, [supplier_org], kind=kind, **{field: -1})
        assert refused.value.field == field
        assert refused.value.message == "An amount cannot be negative."
    assert not Contract.objects.exists()


def test_negative_amounts_in_follow_up_are_refused_naming_the_field(buyer, ip_contract, buyer_org):
    refusals = {
        "value": lambda: actions.add_option(
            buyer, ip_contract, kind=OptionKind.ADDITIONAL, description="X", value=Decimal(-1)
        ),
        "max_cost": lambda: phase(
            buyer, ip_contract, PhaseKind.DEVELOPMENT, 1, max_cost=Decimal(-1)
        ),
    }
    for field, attempt in refusals.items():
        with pytest.raises(ContractError) as refused:
            attempt()
        assert refused.value.field == field
    development = running(buyer, ip_contract, PhaseKind.DEVELOPMENT)
    with pytest.raises(ContractError) as refused:
        actions.record_phase_cost(buyer, development, Decimal(-5))
    assert refused.value.field == "actual_cost"
    with pytest.raises(ContractError) as refused:
        actions.record_scale_up(
            buyer,
            ip_contract,
            organisation=buyer_org,
            decided_on=date(2025, 1, 1),
            scope="Alle soner",
            value=Decimal(-1),
        )
    assert refused.value.field == "value"
    development.refresh_from_db()
    assert development.actual_cost is None
    assert not ip_contract.options.exists()
    assert not ip_contract.scale_ups.exists()


# Registration by hand ----------------------------------------------------------------------------


def test_registering_a_contract_moves_the_case_to_contract_and_copies_benefits_to_kpis(
    buyer, published_project, supplier_org
):
    assert published_project.phase == Phase.NEED
    contract = make_contract(buyer, published_project, [supplier_org])
    published_project.refresh_from_db()
    assert published_project.phase == Phase.CONTRACT
    assert published_project.transitions.last().reason == (
        "Contract registered: Nattilsyn med sensorer"
    )
    assert contract.source == ContractSource.MANUAL
    benefit = published_project.benefits.get()
    kpi = Kpi.objects.get(contract=contract)
    assert kpi.source_benefit == benefit
    assert (kpi.description, kpi.unit, kpi.baseline, kpi.target, kpi.yearly_value) == (
        benefit.description,
        benefit.unit,
        benefit.baseline,
        benefit.target,
        benefit.yearly_value,
    )
    parties = {(p.organisation.name, p.role) for p in contract.parties.all()}
    assert parties == {("Fjordvik kommune", "buyer"), ("Nordlys Teknologi AS", "supplier")}


def test_a_pcp_needs_two_suppliers_at_registration(buyer, published_project, supplier_org):
    with pytest.raises(ContractError) as refused:
        make_contract(buyer, published_project, [supplier_org], kind=ContractKind.PCP)
    assert refused.value.field == "suppliers"
    assert "at least two suppliers" in refused.value.message
    assert not Contract.objects.exists()
    published_project.refresh_from_db()
    assert published_project.phase == Phase.NEED


def test_an_unknown_supplier_is_added_by_number_and_name_once(db):
    added = actions.find_or_add_supplier("100 400 006", "Ny Leverandør AS")
    assert (added.org_number, added.kind, added.name) == (
        "100400006",
        "supplier",
        "Ny Leverandør AS",
    )
    assert actions.find_or_add_supplier("100.400.006", "") == added
    assert Organisation.objects.filter(org_number="100400006").count() == 1


def test_a_supplier_number_must_be_valid_and_a_new_one_needs_a_name(db):
    with pytest.raises(ContractError, match="not a valid organisation number"):
        actions.find_or_add_supplier("123456789", "Feil AS")
    with pytest.raises(ContractError, match="give its name after the number"):
        actions.find_or_add_supplier("100400006", "")
    assert not Organisation.objects.exists()


# From pilot to scale -----------------------------------------------------------------------------


def test_a_scale_up_by_another_buyer_is_flagged_as_transfer_value(
    buyer, advisor, ip_contract, buyer_org, cobuyer_org
):
    own = actions.record_scale_up(
        buyer, ip_contract, organisation=buyer_org, decided_on=date(2025, 3, 1), scope="Hele"
    )
    other = actions.record_scale_up(
        advisor,
        ip_contract,
        organisation=cobuyer_org,
        decided_on=date(2025, 5, 1),
        scope="Solberg tok løsningen i bruk",
        value=Decimal("1500000"),
    )
    assert not own.is_transfer
    assert other.is_transfer
    assert other.recorded_by == advisor


def test_a_scale_up_is_bought_by_a_public_buyer_once_made(
    buyer, ip_contract, supplier_org, buyer_org
):
    with pytest.raises(ContractError) as refused:
        actions.record_scale_up(
            buyer, ip_contract, organisation=supplier_org, decided_on=date(2025, 3, 1), scope="X"
        )
    assert refused.value.field == "organisation"
    with pytest.raises(ContractError) as refused:
        actions.record_scale_up(
            buyer, ip_contract, organisation=buyer_org, decided_on=date(2025, 7, 1), scope="X"
        )
    assert refused.value.field == "decided_on"
    assert not ip_contract.scale_ups.exists()


def test_an_ended_pilot_without_a_purchase_waits_and_counts_its_days(
    buyer, ip_contract, contract, buyer_org
):
    actions.end_pilot(buyer, ip_contract, date(2025, 3, 4))
    waiting = actions.waiting_pilots(Contract.objects.all())
    assert [(w.contract, w.days) for w in waiting] == [(ip_contract, 90)]
    with time_machine.travel(datetime(2025, 7, 2, 9, 0, tzinfo=OSLO), tick=False):
        assert actions.waiting_pilots(Contract.objects.all())[0].days == 120
    actions.record_scale_up(
        buyer, ip_contract, organisation=buyer_org, decided_on=date(2025, 5, 1), scope="Alle"
    )
    assert actions.waiting_pilots(Contract.objects.all()) == []


def test_a_pilot_ends_once_and_not_in_the_future(buyer, ip_contract, contract):
    with pytest.raises(ContractError, match="not a pilot"):
        actions.end_pilot(buyer, contract)
    with pytest.raises(ContractError) as refused:
        actions.end_pilot(buyer, ip_contract, date(2025, 6, 3))
    assert refused.value.field == "on"
    actions.end_pilot(buyer, ip_contract)
    with pytest.raises(ContractError, match="already ended"):
        actions.end_pilot(buyer, ip_contract)


# Status ------------------------------------------------------------------------------------------


def test_terminating_needs_a_reason_and_a_closed_contract_stays_closed(buyer, contract):
    with pytest.raises(ContractError) as refused:
        actions.change_status(buyer, contract, ContractStatus.TERMINATED, "  ")
    assert refused.value.field == "reason"
    actions.change_status(buyer, contract, ContractStatus.COMPLETED)
    with pytest.raises(ContractError, match="completed cannot be changed"):
        actions.change_status(buyer, contract, ContractStatus.TERMINATED, "Mislighold")


# A signed award ----------------------------------------------------------------------------------


@pytest.fixture
def opened(
    buyer, buyer_colleague, evaluator, supplier, rival, settings, tmp_path
) -> Iterator[Setup]:
    """A competition with three tenders, opened (see competitions/tests/test_evaluation.py)."""
    settings.MEDIA_ROOT = tmp_path
    competition = make_competition(buyer)
    yield from setup_fixture(competition, buyer, buyer_colleague, evaluator, supplier, rival)


def award_and_sign(opened: Setup, buyer, buyer_colleague, evaluator) -> Contract:
    """Evaluate, award to the third supplier and sign once the standstill has ended."""
    competition = opened.competition
    declare(opened, evaluator, buyer_colleague)
    submit_all(opened, evaluator, buyer_colleague)
    agree_all(opened, buyer)
    ev.decide_award(buyer, competition, opened.tenders["third"], "Best kvalitet samlet.")
    competition.refresh_from_db()
    assert not Contract.objects.exists()
    with time_machine.travel(competition.standstill_ends_at, tick=False):
        ev.sign_contract(buyer, competition)
    return Contract.objects.get()


def test_a_signed_award_creates_the_contract_with_the_winner_as_supplier(
    opened, buyer, buyer_colleague, evaluator
):
    competition = opened.competition
    contract = award_and_sign(opened, buyer, buyer_colleague, evaluator)
    assert contract.award is not None
    assert contract.award.competition == competition
    assert contract.source == ContractSource.AWARD
    assert contract.kind == ContractKind.ORDINARY
    assert contract.title == competition.title
    assert contract.value == Decimal("200000")
    suppliers = contract.parties.filter(role=PartyRole.SUPPLIER)
    assert [p.organisation for p in suppliers] == [opened.third.organisation]
    assert contract.parties.get(role=PartyRole.BUYER).organisation == buyer.organisation
    assert contract.kpis.count() == competition.project.benefits.count() == 1


def test_a_pcp_phase_does_not_start_with_fewer_than_two_suppliers(buyer, pcp_contract):
    phase = actions.add_phase(
        buyer,
        pcp_contract,
        kind=PhaseKind.SOLUTION_DESIGN,
        name="Løsningsdesign",
        starts_on=date(2024, 2, 1),
        ends_on=date(2024, 6, 1),
    )
    first, *others = actions.active_suppliers(pcp_contract)
    for party in others:
        party.left_on = date(2024, 1, 20)
        party.save(update_fields=["left_on"])
    with pytest.raises(ContractError, match="at least two suppliers"):
        actions.start_phase(buyer, phase)
    phase.refresh_from_db()
    assert phase.status == PhaseStatus.PLANNED


def test_a_completed_contract_cannot_be_changed(buyer, contract):
    actions.change_status(buyer, contract, ContractStatus.COMPLETED)
    with pytest.raises(ContractError, match="can no longer be changed"):
        actions.update_contract(
            buyer,
            contract,
            actions.ContractData(
                title="Ny tittel", kind="ordinary", signed_on=contract.signed_on,
                starts_on=contract.starts_on,
            ),
        )  # fmt: skip
    contract.refresh_from_db()
    assert contract.title == "Nattilsyn med sensorer"


def test_a_contract_date_before_2000_is_a_typing_error(buyer, published_project, supplier_org):
    with pytest.raises(ContractError) as refused:
        make_contract(buyer, published_project, [supplier_org], starts_on=date(1924, 2, 1))
    assert refused.value.field == "starts_on"
