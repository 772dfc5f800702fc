"""The contract list and a contract's page, for every role; contracts on the project page and
the pilots waiting for a purchase on the portfolio."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupin.accounts.models import Organisation, User
from lupin.benefits.models import Kpi
from lupin.competitions.tests.conftest import make_competition
from lupin.competitions.tests.test_evaluation import setup_fixture
from lupin.conftest import make_contract, make_project
from lupin.contracts import actions
from lupin.contracts.actions import GateChoice
from lupin.contracts.models import Contract, PhaseKind
from lupin.contracts.tests.test_rules import award_and_sign
from lupin.projects import actions as project_actions

OSLO = ZoneInfo("Europe/Oslo")
ROLES = ["anonymous", "supplier", "rival", "buyer", "buyer_colleague", "evaluator", "cobuyer"]
ALL_ROLES = [*ROLES, "advisor"]
LIST = reverse("contracts:list")


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    with time_machine.travel(datetime(2025, 6, 2, 12, 0, tzinfo=OSLO), tick=False):
        yield


@pytest.fixture
def as_role(request, login) -> Callable[[str], Client]:
    """A client for one of the cast by fixture name ("anonymous" for nobody)."""

    def _as(role: str) -> Client:
        return login(None if role == "anonymous" else request.getfixturevalue(role))

    return _as


@pytest.fixture
def draft_contract(buyer: User, draft_project, supplier_org: Organisation) -> Contract:
    """A contract on a case that is not published: for insiders only."""
    return make_contract(buyer, draft_project, [supplier_org], title="Hemmelig kontrakt")


def detail(contract: Contract) -> str:
    return reverse("contracts:detail", args=[contract.pk])


def section(html: str, start: str, end: str = "</section>") -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


# The list ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_sees_the_contracts_of_published_cases(as_role, role, contract):
    response = as_role(role).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nattilsyn med sensorer" in section(html, 'id="all-title"')
    assert detail(contract) in html


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("supplier", True),
        ("rival", False),
        ("cobuyer", False),
        ("buyer", True),
        ("buyer_colleague", True),
        ("evaluator", True),
        ("advisor", True),
    ],
)
def test_a_contract_of_a_draft_case_is_listed_for_insiders_and_its_supplier(
    as_role, role, sees, draft_contract
):
    html = as_role(role).get(LIST).content.decode()
    assert ("Hemmelig kontrakt" in html) is sees


def test_the_list_shows_case_buyer_suppliers_kind_value_status_and_end(login, pcp_contract):
    html = login(None).get(LIST).content.decode()
    row = section(html, "Førkommersiell anskaffelse: fallsensor", "</tr>")
    for text in (
        "Velferdsteknologi i hjemmetjenesten",
        "Fjordvik kommune",
        "Konkurrent AS, Nordlys Teknologi AS, Tredje Vei AS",
        "Pre-commercial procurement",
        "2\u202f400\u202f000\u00a0kr",
        "Active",
        "31. January 2027",
    ):
        assert text in row, text


def test_my_contracts_come_first_for_a_party_and_are_absent_for_others(
    login, supplier, rival, contract
):
    html = login(supplier).get(LIST).content.decode()
    assert html.index('id="mine-title"') < html.index('id="all-title"')
    assert "Nattilsyn med sensorer" in section(html, 'id="mine-title"')
    rivals = login(rival).get(LIST).content.decode()
    assert "not party to any contract yet" in section(rivals, 'id="mine-title"')
    assert 'id="mine-title"' not in login(None).get(LIST).content.decode()


def test_a_supplier_finds_its_contract_of_a_draft_case_among_my_contracts(
    login, supplier, draft_contract
):
    html = login(supplier).get(LIST).content.decode()
    assert detail(draft_contract) in section(html, 'id="mine-title"')
    assert login(supplier).get(detail(draft_contract)).status_code == 200


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_two_or_eight_contracts(
    login,
    buyer,
    supplier,
    published_project,
    supplier_org,
    rival_org,
    django_assert_max_num_queries,
):
    client = login(supplier)
    for n in range(2):
        make_contract(buyer, published_project, [supplier_org, rival_org], title=f"K{n}")
    few = _queries(client)
    for n in range(2, 8):
        make_contract(buyer, published_project, [supplier_org, rival_org], title=f"K{n}")
    assert _queries(client) == few
    with django_assert_max_num_queries(few):
        client.get(LIST)


# A contract's page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_reads_the_contract_of_a_published_case(as_role, role, contract):
    response = as_role(role).get(detail(contract))
    assert response.status_code == 200
    assert "Nattilsyn med sensorer" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("supplier", 200),
        ("rival", 404),
        ("cobuyer", 404),
        ("buyer", 200),
        ("buyer_colleague", 200),
        ("evaluator", 200),
        ("advisor", 200),
    ],
)
def test_the_contract_of_a_draft_case_is_for_insiders_and_its_supplier(
    as_role, role, status, draft_contract
):
    assert as_role(role).get(detail(draft_contract)).status_code == status


@pytest.mark.parametrize(
    ("role", "manages", "scales"),
    [
        ("anonymous", False, False),
        ("supplier", False, False),
        ("rival", False, False),
        ("evaluator", False, False),
        ("cobuyer", False, False),
        ("advisor", False, True),
        ("buyer", True, True),
        ("buyer_colleague", True, True),
    ],
)
def test_only_managers_see_the_buttons_and_advisors_may_record_a_scale_up(
    as_role, role, manages, scales, ip_contract
):
    html = as_role(role).get(detail(ip_contract)).content.decode()
    assert (reverse("contracts:edit", args=[ip_contract.pk]) in html) is manages
    assert (reverse("contracts:pilot_end", args=[ip_contract.pk]) in html) is manages
    assert (reverse("contracts:scale_up", args=[ip_contract.pk]) in html) is scales


def test_the_page_shows_terms_source_and_status_reason(login, buyer, contract):
    actions.change_status(buyer, contract, "terminated", "Leverandøren misligholdt avtalen.")
    html = login(None).get(detail(contract)).content.decode()
    assert "Registered by hand" in html
    assert "Terminated:" in html and "Leverandøren misligholdt avtalen." in html
    facts = section(html, 'id="facts-title"', "</aside>")
    for text in ("2\u202f400\u202f000\u00a0kr", "15. January 2024", "1. February 2024"):
        assert text in facts


@pytest.fixture
def awarded(
    buyer, buyer_colleague, evaluator, supplier, rival, settings, tmp_path
) -> Iterator[Contract]:
    """The contract of a competition awarded to a third supplier and signed."""
    settings.MEDIA_ROOT = tmp_path
    competition = make_competition(buyer)
    for opened in setup_fixture(competition, buyer, buyer_colleague, evaluator, supplier, rival):
        yield award_and_sign(opened, buyer, buyer_colleague, evaluator)


def test_a_contract_from_an_award_links_to_its_competition(login, buyer, awarded):
    project_actions.publish_project(buyer, awarded.project)
    html = login(None).get(detail(awarded)).content.decode()
    overview = section(html, 'id="overview-title"')
    assert "From an award in Lupin" in overview
    assert awarded.award is not None
    assert reverse("competitions:detail", args=[awarded.award.competition_id]) in overview
    assert "Tredje Leverandør AS" in section(html, 'id="suppliers"', "</table>")


def test_a_supplier_that_left_at_a_gate_shows_when_and_why(login, buyer, pcp_contract):
    design = actions.add_phase(
        buyer,
        pcp_contract,
        kind=PhaseKind.SOLUTION_DESIGN,
        name="Løsningsdesign",
        starts_on=date(2024, 2, 1),
        ends_on=date(2024, 6, 1),
    )
    actions.start_phase(buyer, design)
    konkurrent, nordlys, tredje = actions.active_suppliers(pcp_contract)
    actions.decide_gate(
        buyer,
        design,
        [
            GateChoice(konkurrent, "go", "Lovende prototype"),
            GateChoice(nordlys, "go", "Godt konsept"),
            GateChoice(tredje, "no_go", "Løsningen dekker ikke nattbehovet."),
        ],
    )
    html = login(buyer).get(detail(pcp_contract)).content.decode()
    suppliers = section(html, 'id="suppliers"', "</table>")
    tredje_row = section(suppliers, "Tredje Vei AS", "</tr>")
    assert "Left on 2. June 2025" in tredje_row
    assert "Løsningen dekker ikke nattbehovet." in tredje_row
    gates = section(html, "Go/no-go at the end of Løsningsdesign", "</table>")
    assert "Lovende prototype" in gates and "No go: stops" in gates
    # The public sees the decisions and when a supplier left, not the reasons about a company.
    public = login(None).get(detail(pcp_contract)).content.decode()
    assert "Left on 2. June 2025" in public and "No go: stops" in public
    assert "Løsningen dekker ikke nattbehovet." not in public
    assert "Lovende prototype" not in public


def test_kpis_show_no_baseline_rather_than_zero_and_the_latest_measurement(login, buyer, contract):
    Kpi.objects.create(
        contract=contract,
        category="purchase_price",
        description="Pris per bruker",
        unit="kr per måned",
        baseline=None,
        target=Decimal("300"),
        owner="Økonomi",
    )
    html = login(None).get(detail(contract)).content.decode()
    kpis = section(html, 'id="kpis-title"')
    unmeasured = section(kpis, "Pris per bruker", "</tr>")
    assert "No baseline" in unmeasured
    assert ">0<" not in unmeasured
    copied = section(kpis, "Færre unødvendige nattbesøk", "</tr>")
    assert "120" in copied and "60" in copied and "900\u202f000\u00a0kr" in copied
    assert reverse("benefits:kpi", args=[contract.kpis.first().pk]) in kpis


def test_the_purchase_option_lists_what_blocks_it_as_the_action_says(login, buyer, ip_contract):
    level = actions.add_performance_level(
        buyer,
        ip_contract,
        name="Alarmer besvart i tide",
        unit="%",
        direction="at_least",
        required=Decimal("95"),
    )
    actions.record_performance(buyer, level, Decimal("80"))
    html = login(None).get(detail(ip_contract)).content.decode()
    blockers = section(html, 'id="purchase-blockers"', "</div>")
    reasons = actions.purchase_blockers(ip_contract)
    assert len(reasons) == 2  # no phase yet, and the level not met
    for reason in reasons:
        assert f"<li>{reason}</li>" in blockers
    assert "80 % achieved, at least 95 % required" in blockers


def test_scale_ups_show_the_buyer_and_flag_transfer_value(
    login, buyer, ip_contract, cobuyer_org, buyer_org
):
    actions.record_scale_up(
        buyer, ip_contract, organisation=buyer_org, decided_on=date(2025, 1, 10), scope="Alle"
    )
    actions.record_scale_up(
        buyer,
        ip_contract,
        organisation=cobuyer_org,
        decided_on=date(2025, 2, 10),
        scope="Solberg tok den i bruk",
    )
    html = login(None).get(detail(ip_contract)).content.decode()
    pilot = section(html, 'id="pilot-title"')
    assert "Transfer value" in section(pilot, "Solberg kommune", "</tr>")
    assert "Transfer value" not in section(pilot, "Fjordvik kommune", "</tr>")


# The project page and the portfolio --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "registers"),
    [
        ("anonymous", False),
        ("supplier", False),
        ("evaluator", False),
        ("advisor", False),
        ("buyer", True),
        ("buyer_colleague", True),
    ],
)
def test_the_project_page_lists_its_contracts_and_offers_editors_to_register_one(
    as_role, role, registers, contract, published_project
):
    html = as_role(role).get(reverse("projects:detail", args=[published_project.pk]))
    body = html.content.decode()
    contracts = section(body, 'id="contracts-title"')
    assert detail(contract) in contracts
    register = reverse("contracts:register", args=[published_project.pk])
    assert (register in contracts) is registers


def test_the_project_page_says_when_there_is_no_contract(login, buyer, published_project):
    html = login(None).get(reverse("projects:detail", args=[published_project.pk])).content
    assert "No contract yet." in section(html.decode(), 'id="contracts-title"')


def test_the_portfolio_flags_pilots_waiting_for_a_purchase_with_their_days(
    login, advisor, buyer, ip_contract, contract, buyer_org
):
    other = make_contract(
        buyer,
        make_project(buyer, "Digital hjemmeoppfølging"),
        [ip_contract.parties.filter(role="supplier").get().organisation],
        title="Pilot som ble kjøpt",
        is_pilot=True,
    )
    actions.end_pilot(buyer, ip_contract, date(2025, 3, 4))
    actions.end_pilot(buyer, other, date(2025, 1, 1))
    actions.record_scale_up(
        buyer, other, organisation=buyer_org, decided_on=date(2025, 2, 1), scope="Alle"
    )
    html = login(advisor).get(reverse("projects:portfolio")).content.decode()
    waiting = section(html, 'id="waiting-title"')
    assert "1 pilot has ended without a purchase at scale" in waiting
    row = section(waiting, "Innovasjonspartnerskap: digitalt tilsyn", "</tr>")
    assert "Velferdsteknologi i hjemmetjenesten" in row
    assert "Fjordvik kommune" in row
    assert "4. March 2025" in row
    assert "90 days" in row
    assert "Pilot som ble kjøpt" not in waiting


def test_the_portfolio_says_when_no_pilot_waits(login, advisor, contract):
    html = login(advisor).get(reverse("projects:portfolio")).content.decode()
    assert "No pilot is waiting" in section(html, 'id="waiting-title"')


def test_publishing_the_case_later_opens_its_contract_to_the_public(
    login, buyer, draft_project, draft_contract
):
    assert login(None).get(detail(draft_contract)).status_code == 404
    project_actions.publish_project(buyer, draft_project)
    assert login(None).get(detail(draft_contract)).status_code == 200
