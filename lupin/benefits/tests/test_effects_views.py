"""The effect report's pages: the public report, the drill-down behind each figure, and a
partner's own report for each role that must and must not reach it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupin.benefits.report import COST, EXPECTED, REALISED, build
from lupin.benefits.tests.test_report import (
    PARAMS,
    base_programme,
    bigger_programme,
    frozen_today,  # noqa: F401 (the autouse fixture: today is 1 March 2026)
    measure,
    published_case,
    support,
)
from lupin.conftest import make_contract
from lupin.projects.templatetags.lupin_tags import nok

REPORT = reverse("effects:report")
DRILL = reverse("effects:drill")
QUERY = {"rate": "4", "years": "10"}


def partner_url(organisation_id: int | None, name: str = "effects:partner") -> str:
    return reverse(name, args=[organisation_id])


@pytest.fixture
def programme(buyer, cobuyer, advisor, contract, supplier_org):
    return bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)


# The public report


def test_public_report_shows_the_headline_and_how_it_was_computed(login, programme):
    response = login(None).get(REPORT, QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    report = build(PARAMS)
    assert report.headline is not None
    assert "MNOK invested → " in body
    assert "MNOK in realised benefits (range " in body
    assert "MNOK in expected benefits (range " in body
    assert "kroner of benefit per krone invested" in body
    assert "2024: every amount is discounted to its value in 2024 kroner." in body
    assert "the last measurement that year" in body  # the method, in words
    assert 'role="img"' in body and "<title id=" in body and "<desc id=" in body
    for fmt in ("xlsx", "csv", "json"):
        assert reverse("effects:download", args=[fmt]) in body


def test_public_report_shows_the_same_figures_as_the_computation(login, programme):
    response = login(None).get(REPORT, QUERY)
    report = build(PARAMS)
    totals = response.context["totals"]
    assert totals[COST].value == report.cost
    assert totals[REALISED].value == report.realised
    assert totals[EXPECTED].value == report.expected
    body = response.content.decode()
    for figure in (report.cost.expected, report.realised.low, report.expected.high):
        assert str(nok(figure)) in body


def test_each_breakdown_figure_leads_to_lines_that_add_up_to_it(login, programme):
    client = login(None)
    response = client.get(REPORT, QUERY)
    checked = 0
    for breakdown in response.context["breakdowns"]:
        for row in breakdown.rows:
            for figure in row.figures.values():
                if figure.url is None:
                    assert figure.value.expected == 0
                    continue
                drill = client.get(figure.url)
                assert drill.status_code == 200, figure.url
                assert drill.context["total"] == figure.value
                lines = [line for line, _ in drill.context["rows"]]
                assert sum(line.value.expected for line in lines) == figure.value.expected
                assert str(nok(figure.value.expected)) in drill.content.decode()
                checked += 1
    assert checked > 20


def test_drill_down_of_a_total_equals_the_figure_on_the_page(login, programme):
    client = login(None)
    page = client.get(REPORT, QUERY)
    for measure_ in (COST, REALISED, EXPECTED):
        figure = page.context["totals"][measure_]
        drill = client.get(DRILL, {"measure": measure_, **QUERY})
        assert drill.status_code == 200
        assert drill.context["total"] == figure.value
        assert drill.context["count"] == len(
            [line for line in build(PARAMS).lines if line.measure == measure_]
        )
        body = drill.content.decode()
        total_cell = re.search(r'data-total="expected">([^<]+)<', body)
        assert total_cell is not None
        assert total_cell.group(1) == str(nok(figure.value.expected))


def test_drill_down_shows_what_a_realised_figure_was_computed_from(login, buyer, programme):
    kpi = programme["kpi"]
    body = login(None).get(DRILL, {"measure": REALISED, "key": "year", "value": "2025"}).content
    text = body.decode()
    assert "Measured 90 besøk per uke on 1 June 2025; baseline 120, target 60." in text
    assert "Source: Fagsystemet, ukesrapport." in text
    assert reverse("benefits:kpi", args=[kpi.pk]) in text
    assert reverse("projects:detail", args=[kpi.contract.project_id]) in text


def test_drill_down_shows_hours_times_rate_for_support(login, programme):
    response = login(None).get(DRILL, {"measure": COST, "key": "year", "value": "2024"})
    text = response.content.decode()
    hours = "10 hours × {} + {} other costs, given 1 March 2024."
    assert hours.format(nok(1200), nok(3000)) in text
    assert f"Budget {nok(1000000)} − {nok(15000)} support logged." in text


def test_drill_down_carries_the_rate_over(login, programme):
    client = login(None)
    zero = client.get(DRILL, {"measure": REALISED, "rate": "0", "years": "10"})
    assert zero.context["total"].expected == Decimal("450000") + Decimal("675000")


def test_unpublished_case_is_not_named_on_the_public_pages(login, programme):
    client = login(None)
    assert "Hemmelig" not in client.get(REPORT).content.decode()
    for measure_ in (COST, REALISED, EXPECTED):
        assert "Hemmelig" not in client.get(DRILL, {"measure": measure_}).content.decode()


def test_kpi_without_baseline_is_listed_as_such(login, programme):
    body = login(None).get(REPORT).content.decode()
    assert "No baseline: realised benefit cannot be computed" in body
    assert reverse("benefits:kpi", args=[programme["no_baseline"].pk]) in body


def test_warnings_are_shown(login, programme):
    body = login(None).get(REPORT).content.decode()
    assert "exceeds the budget entered" in body


def test_without_programme_cost_the_page_says_there_is_no_headline(login, buyer, contract):
    measure(buyer, contract.kpis.get(), "90", date(2025, 6, 1))
    body = login(None).get(REPORT).content.decode()
    assert "No programme cost is recorded yet, so there is no headline" in body
    assert "MNOK invested" not in body


def test_empty_report_renders(login, db):
    response = login(None).get(REPORT)
    assert response.status_code == 200
    assert "Nothing to show yet." in response.content.decode()


# Recomputing with other assumptions


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"rate": "25"}, "Give a discount rate between 0 and 20 percent"),
        ({"rate": "-1"}, "Give a discount rate between 0 and 20 percent"),
        ({"rate": "fire"}, "Give a discount rate between 0 and 20 percent"),
        ({"years": "0"}, "Give a whole number of years between 1 and 40"),
        ({"years": "41"}, "Give a whole number of years between 1 and 40"),
        ({"years": "2.5"}, "Give a whole number of years between 1 and 40"),
    ],
)
def test_bad_rate_or_period_is_explained_and_the_default_used(login, programme, query, message):
    response = login(None).get(REPORT, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["report"].params == PARAMS


def test_another_rate_and_period_recompute_the_report(login, programme):
    response = login(None).get(REPORT, {"rate": "2.5", "years": "20"})
    params = response.context["report"].params
    assert (params.rate, params.years) == (Decimal("0.025"), 20)
    drill_urls = [f.url for f in response.context["totals"].values() if f.url]
    assert drill_urls and all("rate=2.5&years=20" in url for url in drill_urls)


def test_bokmal_page_accepts_a_decimal_comma(login, programme):
    client = login(None)
    response = client.get(REPORT, {"rate": "3,5"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.context["report"].params.rate == Decimal("0.035")


# Bad drill-downs


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Choose what to drill into"),
        ({"measure": "profit"}, "Choose what to drill into"),
        ({"measure": "cost", "key": "colour"}, "is not a breakdown of the report"),
        ({"measure": "cost", "key": "year", "value": "last"}, "is not a value of the breakdown"),
    ],
)
def test_bad_drill_down_is_a_clear_400(login, programme, query, message):
    response = login(None).get(DRILL, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_drill_down_of_a_group_that_does_not_exist_is_404(login, programme):
    client = login(None)
    assert client.get(DRILL, {"measure": "cost", "key": "year", "value": "1999"}).status_code == 404
    assert client.get(DRILL, {"measure": "cost", "key": "category", "value": ""}).status_code == 404


def test_drill_down_of_what_is_not_allocated(login, programme):
    response = login(None).get(DRILL, {"measure": "cost", "key": "partner", "value": ""})
    assert response.status_code == 200
    assert [line.id for line, _ in response.context["rows"]] == ["b2024"]


# A partner's own report, per role


@pytest.mark.parametrize("name", ["effects:partner", "effects:partner_drill"])
def test_anonymous_visitor_is_sent_to_log_in(login, buyer, name):
    url = partner_url(buyer.organisation_id, name)
    response = login(None).get(url, {"measure": "cost"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["supplier", "rival", "cobuyer"])
@pytest.mark.parametrize("name", ["effects:partner", "effects:partner_drill"])
def test_others_do_not_see_a_partners_report(login, request, programme, buyer, role, name):
    user = request.getfixturevalue(role)
    url = partner_url(buyer.organisation_id, name)
    assert login(user).get(url, {"measure": "cost"}).status_code == 404


@pytest.mark.parametrize("role", ["buyer", "buyer_colleague", "evaluator", "advisor", "admin_user"])
def test_partner_and_programme_see_the_partners_report(login, request, programme, buyer, role):
    user = request.getfixturevalue(role)
    client = login(user)
    response = client.get(partner_url(buyer.organisation_id))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Effect report: Fjordvik kommune" in body
    drill = client.get(
        partner_url(buyer.organisation_id, "effects:partner_drill"), {"measure": REALISED}
    )
    assert drill.status_code == 200
    assert "Hemmelig utkast" in drill.content.decode()  # its unpublished case is in it


def test_partner_report_of_a_supplier_or_unknown_organisation_is_404(login, advisor, supplier):
    client = login(advisor)
    assert client.get(partner_url(supplier.organisation_id)).status_code == 404
    assert client.get(partner_url(999999)).status_code == 404


def test_partner_report_is_built_for_that_partner(login, buyer, programme):
    response = login(buyer).get(partner_url(buyer.organisation_id))
    report = response.context["report"]
    assert report.partner == buyer.organisation
    assert {line.partner_id for line in report.lines} == {buyer.organisation_id}
    figure = response.context["totals"][REALISED]
    assert figure.url.startswith(partner_url(buyer.organisation_id, "effects:partner_drill"))


def test_public_report_links_a_partner_row_only_for_those_who_may_see_it(
    login, buyer, cobuyer, advisor, supplier, programme
):
    fjordvik = partner_url(buyer.organisation_id)
    solberg = partner_url(cobuyer.organisation_id)
    for user, links in (
        (None, set()),
        (supplier, set()),
        (buyer, {fjordvik}),
        (cobuyer, {solberg}),
        (advisor, {fjordvik, solberg}),
    ):
        body = login(user).get(REPORT).content.decode()
        shown = {url for url in (fjordvik, solberg) if f'href="{url}?' in body}
        assert shown == links, user


# Speed


def _queries(client, url: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_programme(
    login, buyer, cobuyer, advisor, contract, supplier_org
):
    base_programme(buyer, advisor, contract)
    client = login(advisor)
    pages = [(REPORT, {}), (DRILL, {"measure": EXPECTED}), (partner_url(buyer.organisation_id), {})]
    few = [_queries(client, url, query) for url, query in pages]
    for number in range(4):
        owner = [buyer, cobuyer][number % 2]
        case = published_case(owner, f"Sak {number}", cpv_codes=("90500000",))
        extra = make_contract(owner, case, [supplier_org])
        measure(owner, extra.kpis.get(), "80", date(2025, 3, 1))
        support(advisor, owner, date(2025, 2, 1), hours="1", rate="1000", project=case)
    many = [_queries(client, url, query) for url, query in pages]
    assert many == few
