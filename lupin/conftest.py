"""The cast every test shares (STYLE.md): one organisation each, one person each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings

from lupin.accounts.models import Organisation, OrganisationKind, Role, User
from lupin.contracts import actions as contract_actions
from lupin.contracts.actions import ContractData
from lupin.contracts.models import Contract
from lupin.projects import actions
from lupin.projects.actions import BenefitData, ProjectData
from lupin.projects.models import BenefitCategory, Project

# Valid (MOD11) but fictional: real numbers start with 8 or 9, these with 1.
ORG_NUMBERS = {
    "fjordvik": "100000113",
    "solberg": "100079305",
    "leverandor": "100158493",
    "konkurrent": "100237687",
    "programme": "100316870",
    "tredje": "100395975",
}


@pytest.fixture(autouse=True)
def english(settings: Settings) -> Iterator[None]:
    """Tests read the English source strings; bokmål is the site's default, so switch to English
    (pages fall back to LANGUAGE_CODE; actions outside a request use the active language).
    Tests of the bokmål pages ask for it, as a browser would."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _org(key: str, kind: str, name: str) -> Organisation:
    return Organisation.objects.create(
        kind=kind, name=name, org_number=ORG_NUMBERS[key], email=f"post@{key}.example"
    )


def _user(username: str, organisation: Organisation | None, role: str, **extra: object) -> User:
    return User.objects.create_user(
        username=username,
        password="correct horse battery staple",
        email=f"{username}@example.org",
        first_name=username.capitalize(),
        organisation=organisation,
        role=role,
        **extra,
    )


@pytest.fixture
def buyer_org(db: None) -> Organisation:
    return _org("fjordvik", OrganisationKind.BUYER, "Fjordvik kommune")


@pytest.fixture
def cobuyer_org(db: None) -> Organisation:
    return _org("solberg", OrganisationKind.BUYER, "Solberg kommune")


@pytest.fixture
def supplier_org(db: None) -> Organisation:
    return _org("leverandor", OrganisationKind.SUPPLIER, "Nordlys Teknologi AS")


@pytest.fixture
def rival_org(db: None) -> Organisation:
    return _org("konkurrent", OrganisationKind.SUPPLIER, "Konkurrent AS")


@pytest.fixture
def programme_org(db: None) -> Organisation:
    return _org("programme", OrganisationKind.PROGRAMME, "Leverandørutviklingsprogrammet")


@pytest.fixture
def buyer(buyer_org: Organisation) -> User:
    return _user("buyer", buyer_org, Role.BUYER_ADMIN)


@pytest.fixture
def buyer_colleague(buyer_org: Organisation) -> User:
    return _user("buyer2", buyer_org, Role.BUYER_MEMBER)


@pytest.fixture
def evaluator(buyer_org: Organisation) -> User:
    return _user("evaluator", buyer_org, Role.EVALUATOR)


@pytest.fixture
def cobuyer(cobuyer_org: Organisation) -> User:
    return _user("cobuyer", cobuyer_org, Role.BUYER_ADMIN)


@pytest.fixture
def supplier(supplier_org: Organisation) -> User:
    return _user("supplier", supplier_org, Role.SUPPLIER_ADMIN)


@pytest.fixture
def rival(rival_org: Organisation) -> User:
    return _user("rival", rival_org, Role.SUPPLIER_ADMIN)


@pytest.fixture
def advisor(programme_org: Organisation) -> User:
    return _user("advisor", programme_org, Role.ADVISOR)


@pytest.fixture
def admin_user(db: None) -> User:
    return _user("admin", None, "", is_staff=True, is_superuser=True)


@pytest.fixture
def login(client: Client) -> Callable[[User | None], Client]:
    """`login(user)` returns a client logged in as that user; `login(None)` an anonymous one."""

    def _login(user: User | None) -> Client:
        fresh = Client()
        if user is not None:
            fresh.force_login(user)
        return fresh

    return _login


def make_project(buyer: User, title: str = "Velferdsteknologi i hjemmetjenesten") -> Project:
    return actions.create_project(
        buyer,
        ProjectData(
            title=title,
            need_statement="Hjemmeboende eldre trenger trygghet om natten uten flere tilsynsbesøk.",
            affected_users="Hjemmeboende eldre, pårørende, nattpatruljen",
            estimated_value=Decimal("2500000.00"),
            nuts_region="NO0A2",
            cpv_codes=("33196200", "72000000"),
        ),
    )


def add_benefit(buyer: User, project: Project) -> None:
    actions.add_benefit(
        buyer,
        project,
        BenefitData(
            category=BenefitCategory.PROCESS_HOURS,
            description="Færre unødvendige nattbesøk",
            baseline=Decimal("120"),
            target=Decimal("60"),
            unit="besøk per uke",
            owner="Leder hjemmetjenesten",
            yearly_value=Decimal("900000"),
        ),
    )


@pytest.fixture
def draft_project(buyer: User) -> Project:
    """A draft of `buyer`'s organisation: only insiders may see it."""
    return make_project(buyer, "Hemmelig utkast: sensorbasert vedlikehold")


@pytest.fixture
def published_project(buyer: User) -> Project:
    project = make_project(buyer)
    add_benefit(buyer, project)
    return actions.publish_project(buyer, project)


# Contracts: one of each kind on the published case, with `supplier` (and, for a PCP, `rival`
# and a third supplier). The case's expected benefit becomes each contract's KPI.


def make_contract(
    buyer: User,
    project: Project,
    suppliers: list[Organisation],
    *,
    kind: str = "ordinary",
    **overrides: object,
) -> Contract:
    fields: dict[str, object] = {
        "title": "Nattilsyn med sensorer",
        "kind": kind,
        "signed_on": date(2024, 1, 15),
        "starts_on": date(2024, 2, 1),
        "ends_on": date(2027, 1, 31),
        "value": Decimal("2400000"),
    }
    if kind != "ordinary":
        fields["max_cost"] = Decimal("3000000")
    fields.update(overrides)
    return contract_actions.register_contract(
        buyer,
        project,
        ContractData(**fields),  # type: ignore[arg-type]
        suppliers,
    )


@pytest.fixture
def third_supplier_org(db: None) -> Organisation:
    return _org("tredje", OrganisationKind.SUPPLIER, "Tredje Vei AS")


@pytest.fixture
def contract(buyer: User, published_project: Project, supplier_org: Organisation) -> Contract:
    return make_contract(buyer, published_project, [supplier_org])


@pytest.fixture
def pcp_contract(
    buyer: User,
    published_project: Project,
    supplier_org: Organisation,
    rival_org: Organisation,
    third_supplier_org: Organisation,
) -> Contract:
    return make_contract(
        buyer,
        published_project,
        [supplier_org, rival_org, third_supplier_org],
        kind="pcp",
        title="Førkommersiell anskaffelse: fallsensor",
    )


@pytest.fixture
def ip_contract(buyer: User, published_project: Project, supplier_org: Organisation) -> Contract:
    return make_contract(
        buyer,
        published_project,
        [supplier_org],
        kind="innovation_partnership",
        title="Innovasjonspartnerskap: digitalt tilsyn",
    )
