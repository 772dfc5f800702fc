"""The buyers' contract pages: who may reach each of them, what they store, and that bad input is
shown next to its field while nothing is stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lupin.accounts.models import Organisation, User
from lupin.contracts import actions
from lupin.contracts.models import (
    Contract,
    ContractOption,
    ContractStatus,
    DevelopmentPhase,
    GateDecision,
    Milestone,
    OptionKind,
    PartyRole,
    PerformanceLevel,
    PhaseKind,
    PhaseStatus,
    ScaleUp,
)
from lupin.projects import actions as project_actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project

OSLO = ZoneInfo("Europe/Oslo")
OUTSIDERS = ["supplier", "rival", "evaluator", "cobuyer", "advisor"]
MANAGERS = ["buyer", "buyer_colleague"]


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    with time_machine.travel(datetime(2025, 6, 2, 12, 0, tzinfo=OSLO), tick=False):
        yield


@pytest.fixture
def as_role(request, login) -> Callable[[str], Client]:
    def _as(role: str) -> Client:
        return login(None if role == "anonymous" else request.getfixturevalue(role))

    return _as


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(name: str, *args: int) -> str:
    return reverse(f"contracts:{name}", args=args)


def detail(contract: Contract, anchor: str = "") -> str:
    return url("detail", contract.pk) + (f"#{anchor}" if anchor else "")


def add_phase(buyer: User, contract: Contract, kind: str, number: int = 1) -> DevelopmentPhase:
    return actions.add_phase(
        buyer,
        contract,
        kind=kind,
        name=f"Fase {number}",
        starts_on=date(2024, 2, number),
        ends_on=date(2024, 12, 1),
    )


def error_next_to(response, field: str) -> str:
    """The message shown next to `field` (asserting it is there, in Designsystemet markup)."""
    assert response.status_code == 200
    html = response.content.decode()
    marker = f'id="id_{field}-error"'
    assert marker in html, f"no error next to {field}"
    # …and the input (or its fieldset) points at it, for screen readers.
    assert html.count(f'id_{field}-error"') >= 2, f"{field} does not point at its error"
    return " ".join(response.context["form"].errors[field])


# Who may reach what ------------------------------------------------------------------------------


@dataclass
class Pages:
    contract: Contract
    forms: dict[str, str]
    posts: dict[str, str]


@pytest.fixture
def pages(buyer, ip_contract) -> Pages:
    """Every buyer page of an innovation partnership with a running phase, a planned one, a
    milestone, a performance level and an option."""
    running = add_phase(buyer, ip_contract, PhaseKind.DEVELOPMENT, 1)
    actions.start_phase(buyer, running)
    planned = add_phase(buyer, ip_contract, PhaseKind.DEVELOPMENT, 2)
    milestone = actions.add_milestone(buyer, running, title="Demo", due_on=date(2024, 6, 1))
    level = actions.add_performance_level(
        buyer, ip_contract, name="Oppetid", unit="%", direction="at_least", required=Decimal(99)
    )
    option = actions.add_option(
        buyer, ip_contract, kind=OptionKind.ADDITIONAL, description="Flere sensorer"
    )
    c = ip_contract.pk
    return Pages(
        ip_contract,
        forms={
            "edit": url("edit", c),
            "status": url("status", c),
            "option_add": url("option_add", c),
            "purchase": url("purchase", c),
            "pilot_end": url("pilot_end", c),
            "phase_add": url("phase_add", c),
            "phase_cost": url("phase_cost", c, running.pk),
            "milestone_add": url("milestone_add", c, running.pk),
            "gate": url("gate", c, running.pk),
            "level_add": url("level_add", c),
            "level_record": url("level_record", c, level.pk),
        },
        posts={
            "option_exercise": url("option_exercise", c, option.pk),
            "phase_start": url("phase_start", c, planned.pk),
            "milestone_reach": url("milestone_reach", c, milestone.pk),
        },
    )


FORM_PAGES = [
    "edit",
    "status",
    "option_add",
    "purchase",
    "pilot_end",
    "phase_add",
    "phase_cost",
    "milestone_add",
    "gate",
    "level_add",
    "level_record",
]
POST_ONLY = ["option_exercise", "phase_start", "milestone_reach"]


@pytest.mark.parametrize("page", FORM_PAGES)
@pytest.mark.parametrize("role", MANAGERS)
def test_the_contracts_buyers_reach_every_form_page(as_role, role, page, pages):
    response = as_role(role).get(pages.forms[page])
    assert response.status_code == 200
    assert '<h1 class="ds-heading"' in response.content.decode()


@pytest.mark.parametrize("page", FORM_PAGES)
@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404_on_the_form_pages(as_role, role, page, pages):
    client = as_role(role)
    assert client.get(pages.forms[page]).status_code == 404
    assert client.post(pages.forms[page], {}).status_code == 404


@pytest.mark.parametrize("page", [*FORM_PAGES, *POST_ONLY])
def test_anonymous_visitors_are_sent_to_log_in(login, page, pages):
    target = {**pages.forms, **pages.posts}[page]
    for response in (login(None).get(target), login(None).post(target)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("page", POST_ONLY)
@pytest.mark.parametrize("role", MANAGERS)
def test_post_only_operations_answer_405_to_get(as_role, role, page, pages):
    assert as_role(role).get(pages.posts[page]).status_code == 405


@pytest.mark.parametrize("page", POST_ONLY)
@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_cannot_post_the_operations(as_role, role, page, pages):
    assert as_role(role).post(pages.posts[page]).status_code == 404
    assert not ContractOption.objects.filter(exercised_on__isnull=False).exists()
    assert not Milestone.objects.filter(done_on__isnull=False).exists()
    assert DevelopmentPhase.objects.filter(status=PhaseStatus.PLANNED).count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("supplier", 404),
        ("rival", 404),
        ("evaluator", 404),
        ("cobuyer", 404),
        ("advisor", 200),
        ("buyer", 200),
        ("buyer_colleague", 200),
    ],
)
def test_a_scale_up_is_recorded_by_the_buyers_and_the_programme(as_role, role, status, ip_contract):
    assert as_role(role).get(url("scale_up", ip_contract.pk)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("supplier", 404),
        ("rival", 404),
        ("evaluator", 404),
        ("cobuyer", 404),
        ("advisor", 404),
        ("buyer", 200),
        ("buyer_colleague", 200),
    ],
)
def test_only_the_cases_editors_register_a_contract(as_role, role, status, published_project):
    assert as_role(role).get(url("register", published_project.pk)).status_code == status


def test_an_accepted_co_buyer_manages_the_contract(login, buyer, cobuyer, published_project):
    invitation = project_actions.invite_cobuyer(buyer, published_project, cobuyer.organisation)
    project_actions.answer_invitation(cobuyer, invitation, accept=True)
    supplier = actions.find_or_add_supplier("100400006", "Ny Leverandør AS")
    contract = actions.register_contract(
        buyer,
        published_project,
        actions.ContractData(
            title="Felles kontrakt",
            kind="ordinary",
            signed_on=date(2025, 1, 1),
            starts_on=date(2025, 1, 1),
        ),
        [supplier],
    )
    assert login(cobuyer).get(url("edit", contract.pk)).status_code == 200


def test_pages_of_a_kind_without_phases_or_levels_are_404(login, buyer, contract, pcp_contract):
    client = login(buyer)
    for name in ("phase_add", "level_add", "purchase"):
        assert client.get(url(name, contract.pk)).status_code == 404, name
    for name in ("level_add", "purchase"):
        assert client.get(url(name, pcp_contract.pk)).status_code == 404, name
    assert client.get(url("phase_add", pcp_contract.pk)).status_code == 200


# Register ----------------------------------------------------------------------------------------

VALID = {
    "title": "Fallsensor: utvikling",
    "kind": "ordinary",
    "signed_on": "2025-01-10",
    "starts_on": "2025-02-01",
    "ends_on": "2026-01-31",
    "value": "1 250 000",
    "max_cost": "",
    "reference": "2025/123",
    "description": "Utvikling og pilot av fallsensor.",
    "is_pilot": "on",
    "suppliers": "100158493\n100 400 006 Ny Leverandør AS",
}


def test_the_register_page_uses_date_pickers_and_explains_the_supplier_lines(
    login, buyer, published_project
):
    html = login(buyer).get(url("register", published_project.pk)).content.decode()
    assert html.count('type="date"') == 3
    assert "One per line: the organisation number, then the name" in html


def test_a_buyer_registers_a_contract_with_a_known_and_a_new_supplier(
    login, buyer, published_project, supplier_org
):
    response = login(buyer).post(url("register", published_project.pk), VALID)
    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response.url == detail(contract)
    assert contract.value == Decimal("1250000")
    assert contract.is_pilot
    assert contract.reference == "2025/123"
    suppliers = contract.parties.filter(role=PartyRole.SUPPLIER).select_related("organisation")
    assert {(p.organisation.org_number, p.organisation.name) for p in suppliers} == {
        ("100158493", "Nordlys Teknologi AS"),
        ("100400006", "Ny Leverandør AS"),
    }
    published_project.refresh_from_db()
    assert published_project.phase == Phase.CONTRACT
    assert "was registered" in _messages(response)[0]


def test_a_bad_supplier_line_is_refused_naming_the_line_and_adds_no_supplier(
    login, buyer, published_project, supplier_org
):
    data = {**VALID, "suppliers": "100 400 006 Ny Leverandør AS\n123456789 Feil AS"}
    response = login(buyer).post(url("register", published_project.pk), data)
    message = error_next_to(response, "suppliers")
    assert message.startswith("Line 2: “123456789” is not a valid organisation number")
    assert not Contract.objects.exists()
    assert not Organisation.objects.filter(org_number="100400006").exists()
    assert "123456789 Feil AS" in response.content.decode()
    published_project.refresh_from_db()
    assert published_project.phase == Phase.NEED


def test_an_unknown_supplier_without_a_name_is_refused_naming_the_line(
    login, buyer, published_project
):
    data = {**VALID, "suppliers": "\n100400006"}
    response = login(buyer).post(url("register", published_project.pk), data)
    assert "Line 2: Lupin does not know 100400006 yet" in error_next_to(response, "suppliers")
    assert not Contract.objects.exists()


def test_a_contract_that_ends_before_it_starts_is_refused_next_to_the_end(
    login, buyer, published_project, supplier_org
):
    data = {**VALID, "ends_on": "2025-01-31"}
    response = login(buyer).post(url("register", published_project.pk), data)
    assert error_next_to(response, "ends_on") == "The contract cannot end before it starts."
    assert not Contract.objects.exists()
    # Suppliers new to Lupin are added with the contract or not at all.
    assert not Organisation.objects.filter(org_number="100400006").exists()
    assert 'value="2025-01-31"' in response.content.decode()


def test_a_pcp_with_one_supplier_is_refused_next_to_the_suppliers(
    login, buyer, published_project, supplier_org
):
    data = {**VALID, "kind": "pcp", "max_cost": "3 000 000", "suppliers": "100158493"}
    response = login(buyer).post(url("register", published_project.pk), data)
    assert "at least two suppliers" in error_next_to(response, "suppliers")
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("value", "-100", "cannot be negative"),
        ("value", "mye", "Write a number"),
        ("signed_on", "15.13.2025", "Write a date"),
        ("max_cost", "100", "A maximum cost belongs to an innovation partnership or a PCP."),
    ],
)
def test_bad_terms_are_refused_next_to_their_field(
    login, buyer, published_project, supplier_org, field, typed, message
):
    response = login(buyer).post(url("register", published_project.pk), {**VALID, field: typed})
    assert message in error_next_to(response, field)
    assert not Contract.objects.exists()


# Edit and status ---------------------------------------------------------------------------------


def test_editing_saves_the_terms_and_an_ordinary_contract_has_no_maximum_cost(
    login, buyer_colleague, contract
):
    client = login(buyer_colleague)
    form = client.get(url("edit", contract.pk)).context["form"]
    assert "max_cost" not in form.fields
    assert form["ends_on"].value() == date(2027, 1, 31)
    data = {
        "title": "Nattilsyn med sensorer, fase 2",
        "reference": "K-7",
        "description": "",
        "starts_on": "2024-02-01",
        "ends_on": "2027-06-30",
        "value": "2 600 000",
    }
    response = client.post(url("edit", contract.pk), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.title, contract.ends_on, contract.value) == (
        "Nattilsyn med sensorer, fase 2",
        date(2027, 6, 30),
        Decimal("2600000"),
    )


def test_editing_refuses_an_end_before_the_start_and_keeps_the_contract(login, buyer, contract):
    data = {"title": "Ny tittel", "starts_on": "2024-02-01", "ends_on": "2024-01-01", "value": ""}
    response = login(buyer).post(url("edit", contract.pk), data)
    assert error_next_to(response, "ends_on") == "The contract cannot end before it starts."
    contract.refresh_from_db()
    assert contract.title == "Nattilsyn med sensorer"


def test_terminating_needs_a_reason_next_to_the_field(login, buyer, contract):
    client = login(buyer)
    response = client.post(url("status", contract.pk), {"to": "terminated", "reason": ""})
    assert "Give the reason" in error_next_to(response, "reason")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    response = client.post(
        url("status", contract.pk), {"to": "terminated", "reason": "Vesentlig mislighold."}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.status_reason) == ("terminated", "Vesentlig mislighold.")
    assert _messages(response) == ["The contract is now terminated."]
    assert "no longer changes" in client.get(url("status", contract.pk)).content.decode()


# Options -----------------------------------------------------------------------------------------


def test_an_extension_ending_before_the_contract_is_refused_next_to_its_date(
    login, buyer, contract
):
    data = {"kind": "extension", "description": "Ett år til", "extends_to": "2026-12-31"}
    response = login(buyer).post(url("option_add", contract.pk), data)
    assert "must end after" in error_next_to(response, "extends_to")
    assert not contract.options.exists()
    assert 'value="extension" checked' in response.content.decode()


def test_an_extension_added_and_exercised_moves_the_end_date(login, buyer, contract):
    client = login(buyer)
    data = {"kind": "extension", "description": "Ett år til", "extends_to": "2028-01-31"}
    response = client.post(url("option_add", contract.pk), data)
    assert response.url == detail(contract, "options")
    option = contract.options.get()
    page = client.get(detail(contract)).content.decode()
    assert url("option_exercise", contract.pk, option.pk) in page
    response = client.post(url("option_exercise", contract.pk, option.pk))
    assert response.url == detail(contract, "options")
    contract.refresh_from_db()
    assert contract.ends_on == date(2028, 1, 31)
    response = client.post(url("option_exercise", contract.pk, option.pk))
    assert _messages(response)[-1] == "This option has already been exercised."


def test_an_option_and_a_milestone_can_be_recorded_on_an_earlier_day(login, buyer, ip_contract):
    contract = ip_contract
    client = login(buyer)
    option = actions.add_option(
        buyer, contract, kind="additional", description="Flere sensorer", extends_to=None
    )
    page = client.get(detail(contract)).content.decode()
    assert f'id="option-{option.pk}-on"' in page and 'type="date" name="on"' in page

    too_early = client.post(url("option_exercise", contract.pk, option.pk), {"on": "2000-01-01"})
    assert _messages(too_early)[-1] == (
        "An option cannot be exercised before the contract was signed."
    )
    not_a_day = client.post(url("option_exercise", contract.pk, option.pk), {"on": "31.02"})
    assert "Write a date" in _messages(not_a_day)[-1]
    option.refresh_from_db()
    assert option.exercised_on is None

    earlier = contract.signed_on + timedelta(days=3)
    client.post(url("option_exercise", contract.pk, option.pk), {"on": earlier.isoformat()})
    option.refresh_from_db()
    assert option.exercised_on == earlier

    phase = actions.add_phase(
        buyer,
        contract,
        kind="development",
        name="Utvikling",
        starts_on=contract.signed_on,
        ends_on=contract.signed_on + timedelta(days=200),
    )
    milestone = actions.add_milestone(buyer, phase, title="Prototyp", due_on=date(2026, 6, 1))
    future = timezone.localdate() + timedelta(days=2)
    refused = client.post(
        url("milestone_reach", contract.pk, milestone.pk), {"on": future.isoformat()}
    )
    assert _messages(refused)[-1] == "A milestone cannot be reached in the future."
    reached = timezone.localdate() - timedelta(days=10)
    client.post(url("milestone_reach", contract.pk, milestone.pk), {"on": reached.isoformat()})
    milestone.refresh_from_db()
    assert milestone.done_on == reached


# Phases, milestones and gates --------------------------------------------------------------------


def test_a_pcp_is_not_offered_a_development_phase(login, buyer, pcp_contract, ip_contract):
    client = login(buyer)
    pcp_kinds = dict(
        client.get(url("phase_add", pcp_contract.pk)).context["form"]["kind"].field.choices
    )
    assert "development" not in pcp_kinds and "test" in pcp_kinds
    ip_kinds = dict(
        client.get(url("phase_add", ip_contract.pk)).context["form"]["kind"].field.choices
    )
    assert "development" in ip_kinds


def test_phases_are_added_started_in_order_costed_and_get_milestones(login, buyer, pcp_contract):
    client = login(buyer)
    data = {
        "kind": "solution_design",
        "name": "Løsningsdesign",
        "starts_on": "2024-02-01",
        "ends_on": "2024-05-31",
        "max_cost": "500 000",
    }
    response = client.post(url("phase_add", pcp_contract.pk), data)
    design = pcp_contract.phases.get()
    assert response.url == detail(pcp_contract, f"phase-{design.pk}")
    prototype = add_phase(buyer, pcp_contract, PhaseKind.PROTOTYPE, 2)
    response = client.post(url("phase_start", pcp_contract.pk, prototype.pk))
    assert _messages(response)[-1] == "Phase “Løsningsdesign” has not passed its gate yet."
    prototype.refresh_from_db()
    assert prototype.status == PhaseStatus.PLANNED
    client.post(url("phase_start", pcp_contract.pk, design.pk))
    design.refresh_from_db()
    assert design.status == PhaseStatus.RUNNING

    response = client.post(url("phase_cost", pcp_contract.pk, design.pk), {"actual_cost": "-5"})
    assert "cannot be negative" in error_next_to(response, "actual_cost")
    client.post(url("phase_cost", pcp_contract.pk, design.pk), {"actual_cost": "420 000"})
    design.refresh_from_db()
    assert design.actual_cost == Decimal("420000")

    response = client.post(
        url("milestone_add", pcp_contract.pk, design.pk), {"title": " ", "due_on": "2024-04-01"}
    )
    assert error_next_to(response, "title")
    client.post(
        url("milestone_add", pcp_contract.pk, design.pk),
        {"title": "Konsept levert", "due_on": "2024-04-01"},
    )
    milestone = design.milestones.get()
    client.post(url("milestone_reach", pcp_contract.pk, milestone.pk))
    milestone.refresh_from_db()
    assert milestone.done_on == date(2025, 6, 2)


@pytest.fixture
def design(buyer, pcp_contract) -> DevelopmentPhase:
    phase = add_phase(buyer, pcp_contract, PhaseKind.SOLUTION_DESIGN)
    return actions.start_phase(buyer, phase)


def gate_data(pcp_contract: Contract, outcomes: list[str], reasons: list[str]) -> dict[str, str]:
    data = {}
    for party, outcome, reason in zip(
        actions.active_suppliers(pcp_contract), outcomes, reasons, strict=True
    ):
        if outcome:
            data[f"outcome_{party.pk}"] = outcome
        data[f"reason_{party.pk}"] = reason
    return data


def test_the_gate_page_asks_for_a_decision_and_reason_per_active_supplier(
    login, buyer, pcp_contract, design
):
    html = login(buyer).get(url("gate", pcp_contract.pk, design.pk)).content.decode()
    for party in actions.active_suppliers(pcp_contract):
        assert f'name="outcome_{party.pk}"' in html
        assert f'name="reason_{party.pk}"' in html
    assert "Decision for Tredje Vei AS" in html
    assert "at least two suppliers through the test phase" in html


def test_a_pcp_gate_leaving_one_supplier_is_refused_keeping_what_was_typed(
    login, buyer, pcp_contract, design
):
    reasons = ["Best på brukertest", "For umoden", "For dyr"]
    data = gate_data(pcp_contract, ["go", "no_go", "no_go"], reasons)
    response = login(buyer).post(url("gate", pcp_contract.pk, design.pk), data)
    assert response.status_code == 200
    assert "at least two suppliers" in " ".join(response.context["form"].non_field_errors())
    html = response.content.decode()
    for reason in reasons:
        assert reason in html
    first = actions.active_suppliers(pcp_contract)[0]
    assert f'name="outcome_{first.pk}" id="id_outcome_{first.pk}_0" value="go" checked' in html
    assert not GateDecision.objects.exists()
    design.refresh_from_db()
    assert design.status == PhaseStatus.RUNNING
    assert len(actions.active_suppliers(pcp_contract)) == 3


def test_a_gate_without_a_reason_is_refused_next_to_that_suppliers_reason(
    login, buyer, pcp_contract, design
):
    data = gate_data(pcp_contract, ["go", "go", "no_go"], ["Sterk", "", "For dyr"])
    response = login(buyer).post(url("gate", pcp_contract.pk, design.pk), data)
    second = actions.active_suppliers(pcp_contract)[1]
    assert "Give the reason" in error_next_to(response, f"reason_{second.pk}")
    field = f"id_reason_{second.pk}"
    assert f'aria-describedby="{field}-help {field}-error"' in response.content.decode()
    assert not GateDecision.objects.exists()


def test_a_gate_missing_a_supplier_is_refused_naming_it(login, buyer, pcp_contract, design):
    data = gate_data(pcp_contract, ["go", "go", ""], ["Sterk", "God", ""])
    response = login(buyer).post(url("gate", pcp_contract.pk, design.pk), data)
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Tredje Vei AS is missing" in errors
    assert not GateDecision.objects.exists()


def test_a_gate_letting_two_go_on_is_recorded(login, buyer, pcp_contract, design):
    data = gate_data(pcp_contract, ["go", "go", "no_go"], ["Sterk", "God", "For dyr"])
    response = login(buyer).post(url("gate", pcp_contract.pk, design.pk), data)
    assert response.url == detail(pcp_contract, f"phase-{design.pk}")
    assert _messages(response) == ["The go/no-go for phase “Fase 1” is recorded."]
    assert GateDecision.objects.count() == 3
    design.refresh_from_db()
    assert design.status == PhaseStatus.COMPLETED
    page = login(buyer).get(url("gate", pcp_contract.pk, design.pk)).content.decode()
    assert "a go/no-go is decided at the end of a running phase" in page


def test_a_gate_is_recorded_on_the_day_it_was_decided(login, buyer, pcp_contract, design):
    data = gate_data(pcp_contract, ["go", "go", "no_go"], ["Sterk", "God", "For dyr"])
    data["on"] = "2024-11-20"
    login(buyer).post(url("gate", pcp_contract.pk, design.pk), data)
    days = {
        d.decided_at.astimezone(ZoneInfo("Europe/Oslo")).date() for d in GateDecision.objects.all()
    }
    assert days == {date(2024, 11, 20)}
    left = [p for p in pcp_contract.parties.filter(role="supplier") if p.left_on]
    assert [p.left_on for p in left] == [date(2024, 11, 20)]


def test_a_gate_before_its_phase_started_is_refused_next_to_the_date(
    login, buyer, pcp_contract, design
):
    data = gate_data(pcp_contract, ["go", "go", "no_go"], ["Sterk", "God", "For dyr"])
    data["on"] = "2023-01-01"
    response = login(buyer).post(url("gate", pcp_contract.pk, design.pk), data)
    assert "before the phase starts" in error_next_to(response, "on")
    assert not GateDecision.objects.exists()


def test_a_gate_stopping_everyone_terminates_the_contract_with_a_warning(
    login, buyer, pcp_contract, design
):
    data = gate_data(pcp_contract, ["no_go"] * 3, ["Ikke god nok"] * 3)
    response = login(buyer).post(url("gate", pcp_contract.pk, design.pk), data)
    assert _messages(response) == ["No supplier goes on: the contract was terminated at this gate."]
    pcp_contract.refresh_from_db()
    assert pcp_contract.status == ContractStatus.TERMINATED


# Performance levels and the purchase option ------------------------------------------------------


def test_a_performance_level_is_added_and_its_result_recorded(login, buyer, ip_contract):
    client = login(buyer)
    data = {
        "name": "Alarmer besvart i tide",
        "direction": "at_least",
        "required": "95",
        "unit": "%",
    }
    response = client.post(url("level_add", ip_contract.pk), data)
    assert response.url == detail(ip_contract, "purchase")
    level = PerformanceLevel.objects.get()
    response = client.post(
        url("level_record", ip_contract.pk, level.pk),
        {"achieved": "96,5", "achieved_on": "2025-07-01"},
    )
    assert "future" in error_next_to(response, "achieved_on")
    client.post(url("level_record", ip_contract.pk, level.pk), {"achieved": "96,5"})
    level.refresh_from_db()
    assert (level.achieved, level.achieved_on, level.is_met) == (
        Decimal("96.5"),
        date(2025, 6, 2),
        True,
    )


def test_a_blocked_purchase_option_shows_the_reasons_and_refuses(login, buyer, ip_contract):
    client = login(buyer)
    page = client.get(url("purchase", ip_contract.pk)).content.decode()
    assert "No development phase is recorded." in page
    assert "No performance level is agreed." in page
    assert 'name="purchase_value"' not in page
    response = client.post(url("purchase", ip_contract.pk), {"purchase_value": "9 000 000"})
    assert response.status_code == 200
    assert "The purchase option is not open" in " ".join(
        response.context["form"].non_field_errors()
    )
    ip_contract.refresh_from_db()
    assert ip_contract.purchase_exercised_on is None


def test_an_open_purchase_option_is_exercised(login, buyer, ip_contract):
    development = add_phase(buyer, ip_contract, PhaseKind.DEVELOPMENT)
    actions.start_phase(buyer, development)
    actions.record_phase_cost(buyer, development, Decimal("2000000"))
    party = actions.active_suppliers(ip_contract)[0]
    actions.decide_gate(buyer, development, [actions.GateChoice(party, "go", "Klar")])
    level = actions.add_performance_level(
        buyer, ip_contract, name="Oppetid", unit="%", direction="at_least", required=Decimal(99)
    )
    actions.record_performance(buyer, level, Decimal("99.5"))
    client = login(buyer)
    assert url("purchase", ip_contract.pk) in client.get(detail(ip_contract)).content.decode()
    response = client.post(
        url("purchase", ip_contract.pk), {"on": "2025-06-01", "purchase_value": "9 000 000"}
    )
    assert response.url == detail(ip_contract, "purchase")
    ip_contract.refresh_from_db()
    assert ip_contract.purchase_exercised_on == date(2025, 6, 1)
    assert ip_contract.purchase_value == Decimal("9000000")


# From pilot to scale -----------------------------------------------------------------------------


def test_ending_a_pilot_in_the_future_is_refused_next_to_the_date(login, buyer, ip_contract):
    client = login(buyer)
    assert client.get(url("pilot_end", ip_contract.pk)).context["form"]["on"].value() == date(
        2025, 6, 2
    )
    response = client.post(url("pilot_end", ip_contract.pk), {"on": "2025-06-03"})
    assert "when it has ended" in error_next_to(response, "on")
    ip_contract.refresh_from_db()
    assert ip_contract.pilot_ended_on is None
    response = client.post(url("pilot_end", ip_contract.pk), {"on": "2025-05-31"})
    assert response.url == detail(ip_contract, "pilot")
    ip_contract.refresh_from_db()
    assert ip_contract.pilot_ended_on == date(2025, 5, 31)


def test_an_advisor_records_a_scale_up_by_another_buyer_as_transfer_value(
    login, advisor, ip_contract, cobuyer_org
):
    data = {
        "organisation": cobuyer_org.pk,
        "decided_on": "2025-05-01",
        "value": "1 500 000",
        "scope": "Solberg tok løsningen i bruk i alle soner",
    }
    response = login(advisor).post(url("scale_up", ip_contract.pk), data)
    assert response.url == detail(ip_contract, "pilot")
    assert _messages(response) == [
        "The purchase at scale was recorded as transfer value to Solberg kommune."
    ]
    scaled = ScaleUp.objects.get()
    assert scaled.is_transfer
    assert scaled.recorded_by == advisor


def test_a_scale_up_is_bought_by_a_public_buyer_and_not_in_the_future(
    login, buyer, ip_contract, supplier_org, buyer_org
):
    client = login(buyer)
    data = {"organisation": supplier_org.pk, "decided_on": "2025-05-01", "scope": "X"}
    response = client.post(url("scale_up", ip_contract.pk), data)
    assert "valid choice" in error_next_to(response, "organisation")
    data = {"organisation": buyer_org.pk, "decided_on": "2025-07-01", "scope": "Alle soner"}
    response = client.post(url("scale_up", ip_contract.pk), data)
    assert "once it is made" in error_next_to(response, "decided_on")
    assert not ScaleUp.objects.exists()


def test_the_register_link_on_the_project_page_leads_to_a_working_form(
    login, buyer, published_project: Project, supplier_org
):
    client = login(buyer)
    page = client.get(reverse("projects:detail", args=[published_project.pk])).content.decode()
    assert url("register", published_project.pk) in page
    response = client.post(url("register", published_project.pk), VALID, follow=True)
    assert "Fallsensor: utvikling" in response.content.decode()
