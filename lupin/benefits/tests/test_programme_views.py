"""/programme/costs/: the programme's budgets and the support its advisors log, for advisors."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupin.benefits import actions
from lupin.benefits.actions import SupportData
from lupin.benefits.models import ProgrammeBudget, SupportEntry
from lupin.benefits.views.programme import per_partner, per_year
from lupin.conftest import make_project
from lupin.lib.money import format_nok

URL = reverse("benefits:programme")
SUPPORT_URL = reverse("benefits:support_add")
BUDGET_URL = reverse("benefits:budget_set")
NOT_PROGRAMME = ["buyer", "buyer_colleague", "evaluator", "cobuyer", "supplier", "rival"]


def _support_form(organisation, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "organisation": organisation.pk,
        "project": "",
        "given_on": "2025-03-04",
        "hours": "7,5",
        "hourly_rate": "1 000",
        "other_cost": "2 500",
        "description": "Workshop om gevinstrealisering",
    }
    values.update(overrides)
    return values


def _log(advisor, organisation, **overrides: object) -> SupportEntry:
    values: dict[str, object] = {
        "organisation": organisation,
        "given_on": date(2025, 3, 4),
        "description": "Veiledning",
        "hours": Decimal("10"),
        "hourly_rate": Decimal("1000"),
    }
    values.update(overrides)
    return actions.log_support(advisor, SupportData(**values))  # type: ignore[arg-type]


# Who may reach the page ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["advisor", "admin_user"])
def test_the_programme_reaches_its_costs(request, login, who):
    response = login(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    assert "Programme costs" in response.content.decode()


@pytest.mark.parametrize("who", NOT_PROGRAMME)
def test_nobody_else_reaches_the_programme_costs(request, login, who, buyer_org):
    client = login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.post(SUPPORT_URL, _support_form(buyer_org)).status_code == 404
    assert client.post(BUDGET_URL, {"year": "2025", "amount": "1000"}).status_code == 404
    assert not SupportEntry.objects.exists()
    assert not ProgrammeBudget.objects.exists()


def test_an_anonymous_visitor_is_asked_to_log_in(login, db):
    response = login(None).get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Logging support ----------------------------------------------------------------------------


def test_support_logged_through_the_page_appears_in_the_log(login, advisor, buyer_org):
    client = login(advisor)
    response = client.post(SUPPORT_URL, _support_form(buyer_org))
    assert response.status_code == 302
    assert response.url == URL + "#support"
    entry = SupportEntry.objects.get()
    assert entry.cost == Decimal("10000")  # 7.5 h × 1 000 kr + 2 500 kr
    assert entry.advisor == advisor
    page = client.get(URL).content.decode()
    assert "Workshop om gevinstrealisering" in page
    assert "Fjordvik kommune" in page
    assert format_nok(Decimal("10000")) in page


def test_the_hourly_rate_is_prefilled_from_the_settings(login, advisor, settings):
    settings.LUPIN_ADVISOR_HOURLY_RATE = Decimal("1350")
    html = login(advisor).get(URL).content.decode()
    assert 'name="hourly_rate" value="1350"' in html


def test_support_for_a_case_of_the_partner_is_logged(login, advisor, buyer_org, published_project):
    form = _support_form(buyer_org, project=published_project.pk)
    assert login(advisor).post(SUPPORT_URL, form).status_code == 302
    assert SupportEntry.objects.get().project == published_project


def test_support_for_another_partners_case_is_refused_next_to_the_case(
    login, advisor, buyer_org, cobuyer
):
    their_case = make_project(cobuyer, "Solbergs egen sak")
    response = login(advisor).post(SUPPORT_URL, _support_form(buyer_org, project=their_case.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_project-error"' in html
    assert "That case belongs to another partner." in html
    assert not SupportEntry.objects.exists()


@pytest.mark.parametrize("field", ["hours", "hourly_rate", "other_cost"])
def test_a_negative_number_is_refused_next_to_its_field(login, advisor, buyer_org, field):
    response = login(advisor).post(SUPPORT_URL, _support_form(buyer_org, **{field: "-5"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert "cannot be negative" in html
    # What was typed is kept.
    assert 'value="Workshop om gevinstrealisering"' in html
    assert not SupportEntry.objects.exists()


def test_a_supplier_is_not_offered_as_a_partner(login, advisor, buyer_org, supplier_org):
    response = login(advisor).post(SUPPORT_URL, _support_form(supplier_org))
    assert response.status_code == 200
    assert 'id="id_organisation-error"' in response.content.decode()
    assert not SupportEntry.objects.exists()


# Budgets ------------------------------------------------------------------------------------


def test_a_years_budget_is_set_and_then_updated_through_the_page(login, advisor):
    client = login(advisor)
    first = client.post(BUDGET_URL, {"year": "2025", "amount": "4 000 000", "note": "Anslag"})
    assert first.status_code == 302
    assert first.url == URL + "#budgets"
    client.post(BUDGET_URL, {"year": "2025", "amount": "4 500 000", "note": "Revidert"})
    budget = ProgrammeBudget.objects.get()
    assert (budget.year, budget.amount, budget.note) == (2025, Decimal("4500000"), "Revidert")
    page = client.get(URL).content.decode()
    assert format_nok(Decimal("4500000")) in page
    assert "Revidert" in page


def test_a_negative_budget_is_refused_next_to_the_amount(login, advisor):
    response = login(advisor).post(BUDGET_URL, {"year": "2025", "amount": "-1"})
    assert response.status_code == 200
    assert 'id="id_amount-error"' in response.content.decode()
    assert not ProgrammeBudget.objects.exists()


def test_a_budget_year_out_of_range_is_refused_next_to_the_year(login, advisor):
    response = login(advisor).post(BUDGET_URL, {"year": "1999", "amount": "1000"})
    assert response.status_code == 200
    assert 'id="id_year-error"' in response.content.decode()
    assert not ProgrammeBudget.objects.exists()


# Totals -------------------------------------------------------------------------------------


def test_totals_per_year_count_the_budget_or_the_support_when_it_exceeds_it(
    advisor, buyer_org, cobuyer_org
):
    _log(advisor, buyer_org, given_on=date(2024, 5, 1))  # 10 000 kr
    _log(advisor, buyer_org, given_on=date(2025, 2, 1), other_cost=Decimal("500"))  # 10 500 kr
    _log(advisor, cobuyer_org, given_on=date(2025, 6, 1), hours=Decimal("2"))  # 2 000 kr
    actions.set_budget(advisor, year=2025, amount=Decimal("1000000"))
    actions.set_budget(advisor, year=2024, amount=Decimal("5000"))  # less than the support
    entries = list(SupportEntry.objects.all())
    years = per_year(entries, ProgrammeBudget.objects.all())
    assert [(y.year, y.entries, y.hours, y.support) for y in years] == [
        (2025, 2, Decimal("12"), Decimal("12500")),
        (2024, 1, Decimal("10"), Decimal("10000")),
    ]
    assert years[0].counted == Decimal("1000000")
    assert years[1].over_budget
    assert years[1].counted == Decimal("10000")
    partners = per_partner(entries)
    assert [(p.partner.name, p.entries, p.cost) for p in partners] == [
        ("Fjordvik kommune", 2, Decimal("20500")),
        ("Solberg kommune", 1, Decimal("2000")),
    ]


def test_a_year_with_only_a_budget_is_listed(advisor):
    actions.set_budget(advisor, year=2023, amount=Decimal("3000000"))
    [year] = per_year([], ProgrammeBudget.objects.all())
    assert (year.year, year.support, year.counted) == (2023, Decimal(0), Decimal("3000000"))


def test_the_page_shows_totals_per_year_and_per_partner(login, advisor, buyer_org, cobuyer_org):
    _log(advisor, buyer_org, given_on=date(2024, 5, 1))
    _log(advisor, cobuyer_org, given_on=date(2025, 6, 1), hours=Decimal("2"))
    html = login(advisor).get(URL).content.decode()
    assert "Totals per year" in html
    assert "Totals per partner" in html
    assert "Solberg kommune" in html
    assert format_nok(Decimal("12000")) in html  # the total of both years


def test_the_page_query_count_does_not_grow_with_entries(
    login, advisor, buyer_org, published_project
):
    client = login(advisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    _log(advisor, buyer_org, project=published_project)
    few = queries()
    for day in range(2, 8):
        _log(advisor, buyer_org, project=published_project, given_on=date(2025, 3, day))
    assert queries() == few


def test_the_admin_shows_support_entries_but_cannot_change_them(
    login, admin_user, advisor, buyer_org
):
    entry = _log(advisor, buyer_org)
    client = login(admin_user)
    assert client.get(reverse("admin:benefits_supportentry_changelist")).status_code == 200
    change = reverse("admin:benefits_supportentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"hours": "999"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.hours == Decimal("10")
