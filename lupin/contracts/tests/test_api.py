"""GET /api/v1/contracts, /api/v1/contracts/{id} and POST …/kpis/{kpi_id}/measurements, for each
role that must and must not read or write."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lupin.accounts.actions import create_api_token
from lupin.accounts.models import Organisation, User
from lupin.benefits import actions as benefit_actions
from lupin.benefits.actions import KpiData, MeasurementData
from lupin.benefits.models import ConfidenceLevel, Kpi, Measurement
from lupin.conftest import add_benefit, make_contract, make_project
from lupin.contracts import actions
from lupin.contracts.actions import GateChoice
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Direction,
    GateOutcome,
    PhaseKind,
    PhaseStatus,
)
from lupin.projects import actions as project_actions
from lupin.projects.models import BenefitCategory, Project

LIST = "/api/v1/contracts"


def detail(contract: Contract | int) -> str:
    pk = contract if isinstance(contract, int) else contract.pk
    return f"{LIST}/{pk}"


def measurements_url(contract: Contract, kpi: Kpi | int) -> str:
    pk = kpi if isinstance(kpi, int) else kpi.pk
    return f"{detail(contract)}/kpis/{pk}/measurements"


def bearer(user: User) -> dict[str, Any]:
    _, raw = create_api_token(user, user, "test integration")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def listed_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def post(client: Client, url: str, body: dict[str, Any], headers: dict[str, Any]):
    return client.post(url, body, content_type="application/json", **headers)


def error_fields(response, status: int = 422) -> dict[str, str]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    return error.get("fields", {})


def good_measurement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "value": "90",
        "unit": "besøk per uke",
        "measured_on": "2024-06-30",
        "source": "Fagsystemets rapport for juni",
    }
    body.update(overrides)
    return body


@pytest.fixture
def kpi(contract: Contract) -> Kpi:
    return contract.kpis.get()


@pytest.fixture
def hidden_contract(buyer: User, draft_project: Project, supplier_org: Organisation) -> Contract:
    """A contract of a draft case: only the case's insiders may see it."""
    add_benefit(buyer, draft_project)
    return make_contract(buyer, draft_project, [supplier_org], title="Hemmelig kontrakt")


def measure(buyer: User, kpi: Kpi, value: str, on: date, **extra: Any) -> Measurement:
    return benefit_actions.record_measurement(
        buyer,
        kpi,
        MeasurementData(
            value=Decimal(value),
            unit=kpi.unit,
            measured_on=on,
            source="Fagsystemet",
            **extra,
        ),
    )


def developed(buyer: User, contract: Contract) -> Contract:
    """An innovation partnership (or PCP) with a phase past its gate, a milestone reached, a
    performance level measured and a measurement: every part of the body filled in."""
    kind = PhaseKind.DEVELOPMENT if contract.kind == ContractKind.INNOVATION_PARTNERSHIP else None
    phase = actions.add_phase(
        buyer,
        contract,
        kind=kind or PhaseKind.SOLUTION_DESIGN,
        name="Utvikling",
        starts_on=date(2024, 2, 1),
        ends_on=date(2024, 8, 31),
        max_cost=Decimal("1000000"),
    )
    actions.start_phase(buyer, phase)
    milestone = actions.add_milestone(
        buyer, phase, title="Prototyp levert", due_on=date(2024, 6, 1)
    )
    actions.reach_milestone(buyer, milestone, on=date(2024, 5, 28))
    actions.record_phase_cost(buyer, phase, Decimal("900000"))
    actions.decide_gate(
        buyer,
        phase,
        [
            GateChoice(party, GateOutcome.GO, "Løsningen virker i testen.")
            for party in actions.active_suppliers(contract)
        ],
    )
    if contract.kind == ContractKind.INNOVATION_PARTNERSHIP:
        level = actions.add_performance_level(
            buyer,
            contract,
            name="Oppetid",
            unit="prosent",
            direction=Direction.AT_LEAST,
            required=Decimal("99"),
        )
        actions.record_performance(buyer, level, Decimal("97.5"), on=date(2024, 8, 30))
    actions.add_option(
        buyer,
        contract,
        kind="extension",
        description="Forlengelse ett år",
        extends_to=date(2028, 1, 31),
    )
    kpi = contract.kpis.first()
    if kpi is None:  # the case's benefit is followed by an earlier contract: add one here
        kpi = benefit_actions.add_kpi(
            buyer,
            contract,
            KpiData(
                category=BenefitCategory.OPERATING_COSTS,
                description="Driftskostnad",
                unit="kr per år",
                target=Decimal("800000"),
                owner="Driftsleder",
                baseline=Decimal("1000000"),
            ),
        )
    measure(buyer, kpi, "100", date(2024, 9, 1))
    return contract


# Who sees what


def test_anonymous_sees_contracts_of_published_cases_only(
    client: Client, contract, hidden_contract
):
    response = client.get(LIST)
    assert listed_ids(response) == {contract.pk}
    assert response.json()["count"] == 1
    assert client.get(detail(contract)).status_code == 200
    assert client.get(detail(hidden_contract)).status_code == 404


@pytest.mark.parametrize("role", ["buyer", "buyer_colleague", "evaluator", "advisor"])
def test_insiders_see_the_contract_of_a_draft_case(
    request, client: Client, role, contract, hidden_contract
):
    headers = bearer(request.getfixturevalue(role))
    assert listed_ids(client.get(LIST, **headers)) == {contract.pk, hidden_contract.pk}
    assert client.get(detail(hidden_contract), **headers).status_code == 200


def test_the_supplier_sees_its_contract_of_a_draft_case_but_not_who_entered_what(
    client: Client, buyer, supplier, contract, hidden_contract
):
    measure(buyer, hidden_contract.kpis.get(), "90", date(2024, 6, 30))
    headers = bearer(supplier)
    assert listed_ids(client.get(LIST, **headers)) == {contract.pk, hidden_contract.pk}
    response = client.get(detail(hidden_contract), **headers)
    assert response.status_code == 200
    assert response.json()["kpis"][0]["measurements"][0]["entered_by"] is None


@pytest.mark.parametrize("role", ["rival", "cobuyer"])
def test_outsiders_do_not_see_the_contract_of_a_draft_case(
    request, client: Client, role, contract, hidden_contract
):
    headers = bearer(request.getfixturevalue(role))
    assert listed_ids(client.get(LIST, **headers)) == {contract.pk}
    response = client.get(detail(hidden_contract), **headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_a_hidden_contract_says_no_more_than_a_missing_one(client: Client, hidden_contract):
    assert client.get(detail(hidden_contract)).content == client.get(detail(424242)).content


def test_accepted_cobuyer_sees_the_contract_of_a_draft_case(
    client: Client, buyer, cobuyer, draft_project, supplier_org
):
    invitation = project_actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    project_actions.answer_invitation(cobuyer, invitation, accept=True)
    add_benefit(buyer, draft_project)
    hidden = make_contract(buyer, draft_project, [supplier_org])
    response = client.get(detail(hidden), **bearer(cobuyer))
    assert response.status_code == 200
    buyers = [b["name"] for b in response.json()["buyers"]]
    assert buyers == ["Fjordvik kommune", "Solberg kommune"]  # the lead buyer first


def test_session_user_acts_as_themselves(login, buyer, hidden_contract):
    assert login(buyer).get(detail(hidden_contract)).status_code == 200


# The body


def test_detail_shape_for_the_public(client: Client, buyer, contract, kpi):
    measure(buyer, kpi, "90", date(2024, 6, 30), note="Etter første kvartal")
    body = client.get(detail(contract)).json()
    assert body["title"] == "Nattilsyn med sensorer"
    assert (body["kind"], body["status"], body["source"]) == ("ordinary", "active", "manual")
    assert (body["value"], body["max_cost"], body["currency"]) == ("2400000.00", None, "NOK")
    assert (body["signed_on"], body["starts_on"], body["ends_on"]) == (
        "2024-01-15",
        "2024-02-01",
        "2027-01-31",
    )
    assert body["project"] == {"id": contract.project_id, "title": contract.project.title}
    assert body["url"] == f"/contracts/{contract.pk}/"
    assert [b["name"] for b in body["buyers"]] == ["Fjordvik kommune"]
    [supplier] = body["suppliers"]
    assert supplier["name"] == "Nordlys Teknologi AS"
    # Why a supplier left is for the insiders and that supplier, not the public.
    assert (supplier["left_on"], supplier["left_reason"]) == (None, None)
    assert body["phases"] == [] and body["performance_levels"] == []
    assert body["purchase_option"] is None
    [kpi_out] = body["kpis"]
    assert kpi_out["baseline"] == "120.00" and kpi_out["target"] == "60.00"
    assert kpi_out["yearly_value"] == "900000.00"
    [measurement] = kpi_out["measurements"]
    assert measurement["value"] == "90.00"
    assert measurement["measured_on"] == "2024-06-30"
    assert measurement["source"] == "Fagsystemet"
    assert measurement["note"] == "Etter første kvartal"
    # Half-way from 120 to 60 visits: half of the 900 000 a year.
    assert measurement["realised_yearly_value"] == "450000.00"


def test_entered_by_only_for_insiders_and_no_evidence_for_anyone(
    client: Client, buyer, supplier, advisor, contract, kpi
):
    measure(buyer, kpi, "90", date(2024, 6, 30))

    def measurement(headers: dict[str, Any]) -> dict[str, Any]:
        return client.get(detail(contract), **headers).json()["kpis"][0]["measurements"][0]

    assert measurement({})["entered_by"] is None
    assert measurement(bearer(supplier))["entered_by"] is None
    assert measurement(bearer(buyer))["entered_by"] == "Buyer"
    assert measurement(bearer(advisor))["entered_by"] == "Buyer"
    listed = client.get(LIST).json()["items"][0]["kpis"][0]["measurements"][0]
    assert listed["entered_by"] is None
    for body in (measurement({}), measurement(bearer(buyer)), listed):
        assert not any("evidence" in key for key in body)


def test_a_kpi_without_baseline_shows_null_never_zero(client: Client, buyer, contract):
    kpi = benefit_actions.add_kpi(
        buyer,
        contract,
        KpiData(
            category=BenefitCategory.BETTER_FOR_BUYER,
            description="Frigjort tid i nattpatruljen",
            unit="timer per uke",
            target=Decimal("40"),
            owner="Leder hjemmetjenesten",
            yearly_value=Decimal("500000"),
        ),
    )
    measure(buyer, kpi, "25", date(2024, 5, 1))
    kpis = {k["id"]: k for k in client.get(detail(contract)).json()["kpis"]}
    assert kpis[kpi.pk]["baseline"] is None
    assert kpis[kpi.pk]["measurements"][0]["realised_yearly_value"] is None


def test_innovation_partnership_has_phases_gates_levels_and_purchase_blockers(
    client: Client, buyer, ip_contract
):
    developed(buyer, ip_contract)
    public = client.get(detail(ip_contract)).json()
    assert [d["reason"] for d in public["phases"][0]["gate_decisions"]] == [None]
    body = client.get(detail(ip_contract), **bearer(buyer)).json()
    assert body["kind"] == "innovation_partnership" and body["max_cost"] == "3000000.00"
    [phase] = body["phases"]
    assert (phase["number"], phase["kind"], phase["status"]) == (1, "development", "completed")
    assert (phase["max_cost"], phase["actual_cost"]) == ("1000000.00", "900000.00")
    assert phase["milestones"] == [
        {"title": "Prototyp levert", "due_on": "2024-06-01", "done_on": "2024-05-28"}
    ]
    [decision] = phase["gate_decisions"]
    assert decision["outcome"] == "go" and decision["reason"] == "Løsningen virker i testen."
    assert decision["supplier"]["name"] == "Nordlys Teknologi AS"
    assert decision["decided_at"].endswith("Z") or decision["decided_at"].endswith("+00:00")
    [level] = body["performance_levels"]
    assert level == {
        "name": "Oppetid",
        "unit": "prosent",
        "direction": "at_least",
        "required": "99.0000",
        "achieved": "97.5000",
        "achieved_on": "2024-08-30",
        "met": False,
    }
    option = body["purchase_option"]
    assert option["open"] is False and option["exercised_on"] is None
    assert option["development_cost"] == "900000.00"
    assert any("Oppetid" in reason and "not met" in reason for reason in option["blockers"])
    assert body["options"] == [
        {
            "kind": "extension",
            "description": "Forlengelse ett år",
            "value": None,
            "extends_to": "2028-01-31",
            "exercised_on": None,
        }
    ]


def test_open_purchase_option_has_no_blockers(client: Client, buyer, ip_contract):
    developed(buyer, ip_contract)
    level = ip_contract.performance_levels.get()
    actions.record_performance(buyer, level, Decimal("99.2"), on=date(2024, 9, 15))
    option = client.get(detail(ip_contract)).json()["purchase_option"]
    assert (option["open"], option["blockers"]) == (True, [])


def test_pcp_shows_the_supplier_dropped_at_the_gate(client: Client, buyer, pcp_contract):
    phase = actions.add_phase(
        buyer,
        pcp_contract,
        kind=PhaseKind.SOLUTION_DESIGN,
        name="Løsningsdesign",
        starts_on=date(2024, 2, 1),
        ends_on=date(2024, 5, 1),
    )
    actions.start_phase(buyer, phase)
    choices = [
        GateChoice(
            party,
            GateOutcome.NO_GO if party.organisation.name == "Tredje Vei AS" else GateOutcome.GO,
            "Designet mangler en plan for personvern."
            if party.organisation.name == "Tredje Vei AS"
            else "Godt design.",
        )
        for party in actions.active_suppliers(pcp_contract)
    ]
    actions.decide_gate(buyer, phase, choices)
    public = client.get(detail(pcp_contract)).json()
    assert {s["left_reason"] for s in public["suppliers"]} == {None}
    body = client.get(detail(pcp_contract), **bearer(buyer)).json()
    assert body["purchase_option"] is None
    left = {s["name"]: (s["left_on"], s["left_reason"]) for s in body["suppliers"]}
    assert left["Tredje Vei AS"] == (
        timezone.localdate().isoformat(),
        "Designet mangler en plan for personvern.",
    )
    assert left["Nordlys Teknologi AS"] == (None, "")
    outcomes = {d["supplier"]["name"]: d["outcome"] for d in body["phases"][0]["gate_decisions"]}
    assert outcomes == {
        "Nordlys Teknologi AS": "go",
        "Konkurrent AS": "go",
        "Tredje Vei AS": "no_go",
    }


def test_pilot_ended_and_bought_at_scale_by_another_buyer(
    client: Client, buyer, advisor, published_project, supplier_org, cobuyer_org
):
    pilot = make_contract(buyer, published_project, [supplier_org], is_pilot=True)
    actions.end_pilot(buyer, pilot, on=date(2024, 12, 31))
    actions.record_scale_up(
        advisor,
        pilot,
        organisation=cobuyer_org,
        decided_on=date(2025, 3, 1),
        scope="Alle omsorgsboliger",
        value=Decimal("1200000"),
    )
    body = client.get(detail(pilot)).json()
    assert (body["is_pilot"], body["pilot_ended_on"]) == (True, "2024-12-31")
    assert body["scale_ups"] == [
        {
            "buyer": {"id": cobuyer_org.pk, "name": "Solberg kommune"},
            "decided_on": "2025-03-01",
            "value": "1200000.00",
            "scope": "Alle omsorgsboliger",
            "is_transfer": True,
        }
    ]


# Paging and filters


def test_list_filters(client: Client, buyer, supplier, rival, cobuyer, contract, ip_contract):
    other = make_project(cobuyer, "Ombruk av møbler")
    add_benefit(cobuyer, other)
    project_actions.publish_project(cobuyer, other)
    pcp = make_contract(cobuyer, other, [rival.organisation, supplier.organisation], kind="pcp")
    actions.change_status(buyer, contract, ContractStatus.COMPLETED)

    def ids(**params: Any) -> set[int]:
        return listed_ids(client.get(LIST, params))

    assert ids() == {contract.pk, ip_contract.pk, pcp.pk}
    assert ids(project=other.pk) == {pcp.pk}
    assert ids(kind="innovation_partnership") == {ip_contract.pk}
    assert ids(status="completed") == {contract.pk}
    assert ids(status="active", kind="pcp") == {pcp.pk}
    assert listed_ids(client.get(LIST, {"mine": 1}, **bearer(rival))) == {pcp.pk}
    assert listed_ids(client.get(LIST, {"mine": 1}, **bearer(buyer))) == {
        contract.pk,
        ip_contract.pk,
    }
    assert listed_ids(client.get(LIST, {"mine": 1}, **bearer(supplier))) == {
        contract.pk,
        ip_contract.pk,
        pcp.pk,
    }


def test_mine_needs_a_caller(client: Client, contract):
    response = client.get(LIST, {"mine": 1})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "params",
    [
        {"status": "open"},
        {"kind": "framework"},
        {"project": "0"},
        {"project": "abc"},
        {"limit": "0"},
        {"limit": "101"},
        {"offset": "-1"},
        {"mine": "perhaps"},
    ],
)
def test_bad_filters_are_422(client: Client, db, params):
    response = client.get(LIST, params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert [key.rsplit(".", 1)[-1] for key in response.json()["error"]["fields"]] == list(params)


def test_list_pages_latest_signed_first(client: Client, buyer, published_project, supplier_org):
    made = [
        make_contract(
            buyer, published_project, [supplier_org], signed_on=date(2024, 1, day), title=f"K{day}"
        )
        for day in (1, 2, 3, 4, 5)
    ]
    first = client.get(LIST, {"limit": 2}).json()
    rest = client.get(LIST, {"limit": 3, "offset": 2}).json()
    assert first["count"] == rest["count"] == 5
    pages = [item["id"] for item in first["items"] + rest["items"]]
    assert pages == [c.pk for c in reversed(made)]


def test_unknown_contract_is_404_in_the_common_format(client: Client, db):
    response = client.get(detail(999999))
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def _queries(client: Client, headers: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"limit": 100}, **headers)
    assert response.status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_the_contracts(
    client: Client, buyer, advisor, published_project, supplier_org, rival_org, third_supplier_org
):
    def a_set(number: int) -> None:
        # Each set on its own case, the pilot first: a case's expected benefit becomes the KPI
        # of its first contract only.
        case = make_project(buyer, f"Sak {number}")
        add_benefit(buyer, case)
        project_actions.publish_project(buyer, case)
        pilot = make_contract(buyer, case, [supplier_org], title=f"K {number}", is_pilot=True)
        measure(buyer, pilot.kpis.get(), "80", date(2024, 10, 1))
        developed(
            buyer,
            make_contract(
                buyer,
                case,
                [supplier_org],
                kind="innovation_partnership",
                title=f"IP {number}",
            ),
        )
        developed(
            buyer,
            make_contract(
                buyer,
                case,
                [supplier_org, rival_org, third_supplier_org],
                kind="pcp",
                title=f"PCP {number}",
            ),
        )
        actions.end_pilot(buyer, pilot, on=date(2024, 12, 1))
        actions.record_scale_up(
            advisor,
            pilot,
            organisation=buyer.organisation,
            decided_on=date(2025, 1, 1),
            scope="Hele kommunen",
        )

    a_set(1)
    headers = bearer(advisor)
    client.get(LIST, **headers)  # the token's first use is stamped; later uses are not
    small = (_queries(client, {}), _queries(client, headers))
    for number in range(2, 5):
        a_set(number)
    assert Contract.objects.count() == 12
    assert (_queries(client, {}), _queries(client, headers)) == small


def test_detail_query_count_is_small(
    client: Client, buyer, ip_contract, django_assert_max_num_queries
):
    developed(buyer, ip_contract)
    with django_assert_max_num_queries(16):
        assert client.get(detail(ip_contract), **bearer(buyer)).status_code == 200


# Recording a measurement


@pytest.mark.parametrize("role", ["buyer", "buyer_colleague"])
def test_contract_managers_record_a_measurement(request, client: Client, role, contract, kpi):
    user = request.getfixturevalue(role)
    response = post(
        client,
        measurements_url(contract, kpi),
        good_measurement(confidence="high", note="Første måling"),
        bearer(user),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Measurement.objects.get()
    assert body == {
        "id": stored.pk,
        "value": "90.00",
        "measured_on": "2024-06-30",
        "source": "Fagsystemets rapport for juni",
        "confidence": "high",
        "note": "Første måling",
        "realised_yearly_value": "450000.00",
        "entered_by": user.get_full_name() or user.username,
    }
    assert (stored.kpi, stored.value, stored.entered_by) == (kpi, Decimal("90"), user)
    assert stored.confidence == ConfidenceLevel.HIGH


def test_a_number_value_and_the_default_confidence(client: Client, buyer, contract, kpi):
    response = post(
        client, measurements_url(contract, kpi), good_measurement(value=87.5), bearer(buyer)
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "87.50"
    assert response.json()["confidence"] == "expected"


def test_an_accepted_cobuyer_records_a_measurement(
    client: Client, buyer, cobuyer, published_project, supplier_org
):
    invitation = project_actions.invite_cobuyer(buyer, published_project, cobuyer.organisation)
    project_actions.answer_invitation(cobuyer, invitation, accept=True)
    joint = make_contract(buyer, published_project, [supplier_org])
    response = post(
        client, measurements_url(joint, joint.kpis.get()), good_measurement(), bearer(cobuyer)
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("role", ["supplier", "rival", "evaluator", "cobuyer", "advisor"])
def test_others_get_404_and_nothing_is_stored(request, client: Client, role, contract, kpi):
    response = post(
        client,
        measurements_url(contract, kpi),
        good_measurement(),
        bearer(request.getfixturevalue(role)),
    )
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
    assert not Measurement.objects.exists()


def test_anonymous_gets_401(client: Client, contract, kpi):
    response = post(client, measurements_url(contract, kpi), good_measurement(), {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert not Measurement.objects.exists()


def test_a_kpi_of_another_contract_is_404(client: Client, buyer, contract, ip_contract, kpi):
    response = post(client, measurements_url(ip_contract, kpi), good_measurement(), bearer(buyer))
    assert response.status_code == 404
    response = post(client, measurements_url(contract, 424242), good_measurement(), bearer(buyer))
    assert response.status_code == 404
    assert not Measurement.objects.exists()


def test_a_hidden_contract_is_404_to_a_writer_of_another_buyer(
    client: Client, cobuyer, hidden_contract
):
    kpi = hidden_contract.kpis.get()
    response = post(
        client, measurements_url(hidden_contract, kpi), good_measurement(), bearer(cobuyer)
    )
    assert response.status_code == 404


def test_a_session_write_needs_the_csrf_token(buyer, contract, kpi):
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    response = client.post(
        measurements_url(contract, kpi), good_measurement(), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_a_negative_value_is_a_measurement_too(client: Client, buyer, contract, kpi):
    response = post(
        client, measurements_url(contract, kpi), good_measurement(value="-5"), bearer(buyer)
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "-5.00"
    assert Measurement.objects.get().value == Decimal("-5")


def test_the_unit_is_compared_ignoring_case_and_spacing(client: Client, buyer, contract, kpi):
    body = good_measurement(unit="Besøk  per UKE")
    assert post(client, measurements_url(contract, kpi), body, bearer(buyer)).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"unit": "besøk per måned"}, "unit"),
        ({"measured_on": "2023-12-31"}, "measured_on"),  # before the contract was signed
        ({"source": ""}, "source"),
        ({"source": "   "}, "source"),
    ],
)
def test_a_rule_refuses_with_the_field_and_stores_nothing(
    client: Client, buyer, contract, kpi, overrides, field
):
    response = post(
        client, measurements_url(contract, kpi), good_measurement(**overrides), bearer(buyer)
    )
    fields = error_fields(response)
    assert response.json()["error"]["code"] == "invalid"
    assert list(fields) == [field]
    assert fields[field] == response.json()["error"]["message"]
    assert not Measurement.objects.exists()


def test_a_future_date_is_refused(client: Client, buyer, contract, kpi):
    tomorrow = timezone.localdate() + timedelta(days=1)
    body = good_measurement(measured_on=tomorrow.isoformat())
    fields = error_fields(post(client, measurements_url(contract, kpi), body, bearer(buyer)))
    assert list(fields) == ["measured_on"]
    assert not Measurement.objects.exists()


def test_a_date_before_the_baseline_is_refused(client: Client, buyer, contract, kpi):
    benefit_actions.update_kpi(
        buyer,
        kpi,
        KpiData(
            category=kpi.category,
            description=kpi.description,
            unit=kpi.unit,
            target=kpi.target,
            owner=kpi.owner,
            baseline=kpi.baseline,
            baseline_on=date(2024, 3, 1),
            yearly_value=kpi.yearly_value,
        ),
    )
    body = good_measurement(measured_on="2024-02-29")
    response = post(client, measurements_url(contract, kpi), body, bearer(buyer))
    assert list(error_fields(response)) == ["measured_on"]
    assert "baseline" in response.json()["error"]["message"]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "1.234"}, "value"),
        ({"value": "lots"}, "value"),
        ({"value": True}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "12345678901234567"}, "value"),
        ({"measured_on": "30.06.2024"}, "measured_on"),
        ({"confidence": "certain"}, "confidence"),
        ({"unit": "x" * 51}, "unit"),
    ],
)
def test_malformed_input_is_422_naming_the_field(client: Client, buyer, contract, kpi, body, field):
    response = post(
        client, measurements_url(contract, kpi), good_measurement(**body), bearer(buyer)
    )
    assert [key.rsplit(".", 1)[-1] for key in error_fields(response)] == [field]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("missing", ["value", "unit", "measured_on", "source"])
def test_a_missing_field_is_422_naming_it(client: Client, buyer, contract, kpi, missing):
    body = good_measurement()
    del body[missing]
    response = post(client, measurements_url(contract, kpi), body, bearer(buyer))
    assert [key.rsplit(".", 1)[-1] for key in error_fields(response)] == [missing]
    assert not Measurement.objects.exists()


# OpenAPI


def test_openapi_documents_the_three_endpoints(client: Client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/contracts",
        "/api/v1/contracts/{id}",
        "/api/v1/contracts/{id}/kpis/{kpi_id}/measurements",
    } <= set(paths)
    write = paths["/api/v1/contracts/{id}/kpis/{kpi_id}/measurements"]["post"]
    assert {"201", "401", "404", "422"} <= set(write["responses"])
    assert "web page" in write["description"]


def test_openapi_enums_match_the_models(client: Client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    contract = schemas["ContractOut"]["properties"]
    assert set(contract["kind"]["enum"]) == set(ContractKind.values)
    assert set(contract["status"]["enum"]) == set(ContractStatus.values)
    phase = schemas["PhaseOut"]["properties"]
    assert set(phase["kind"]["enum"]) == set(PhaseKind.values)
    assert set(phase["status"]["enum"]) == set(PhaseStatus.values)
    assert set(schemas["KpiOut"]["properties"]["category"]["enum"]) == set(BenefitCategory.values)
    assert set(schemas["MeasurementOut"]["properties"]["confidence"]["enum"]) == set(
        ConfidenceLevel.values
    )
