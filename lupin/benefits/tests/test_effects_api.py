"""GET /api/v1/effects: the public report for anyone, a partner's own report for those who may
see it, every failure in the common error format."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from lupin.accounts.actions import create_api_token
from lupin.accounts.models import User
from lupin.benefits.effects.exports import money
from lupin.benefits.report import BREAKDOWNS, MEASURES, REALISED, Params, build
from lupin.benefits.tests.test_report import (
    PARAMS,
    bigger_programme,
    frozen_today,  # noqa: F401 (the autouse fixture: today is 1 March 2026)
)

URL = "/api/v1/effects"


def bearer(user: User) -> dict[str, Any]:
    _, raw = create_api_token(user, user, "effect report")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def programme(buyer, cobuyer, advisor, contract, supplier_org):
    return bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)


def error(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == code
    assert body["message"]
    return body


# The public report


def test_anonymous_caller_gets_the_public_report(client: Client, programme):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    report = build(PARAMS)
    assert report.headline is not None
    assert body["scope"] == {"partner": None}
    assert body["base_year"] == 2024
    assert (body["rate_percent"], body["years"]) == ("4.00", 10)
    headline = body["headline"]
    assert headline["invested"] == money(report.headline.invested)
    assert headline["realised"] == {
        "low": money(report.realised.low),
        "expected": money(report.realised.expected),
        "high": money(report.realised.high),
    }
    assert headline["expected"]["expected"] == money(report.expected.expected)
    assert headline["sentence"].startswith("1 MNOK invested → 1.1 MNOK in realised benefits")
    assert Decimal(headline["ratio"]["realised"]["expected"]) == (
        report.headline.ratio.expected.quantize(Decimal("0.01"))
    )
    for measure_ in MEASURES:
        total = report.aggregations[measure_].total.value
        assert body["totals"][measure_]["expected"] == money(total.expected)
    assert body["lines"] is None
    assert "Hemmelig" not in response.content.decode()


def test_breakdowns_name_each_group_and_add_up_to_the_totals(client: Client, programme):
    body = client.get(URL).json()
    assert set(body["breakdowns"]) == set(BREAKDOWNS)
    partners = body["breakdowns"]["partner"]
    assert [group["label"] for group in partners] == [
        "Fjordvik kommune",
        "Solberg kommune",
        "Not allocated to a partner",
    ]
    assert partners[-1]["value"] is None
    years = [group["value"] for group in body["breakdowns"]["year"]]
    assert years == sorted(years) and all(isinstance(year, int) for year in years)
    for key in BREAKDOWNS:
        summed = sum(Decimal(group[REALISED]["expected"]) for group in body["breakdowns"][key])
        # Each group is rounded to øre on its own: the sum may differ by half an øre a group.
        tolerance = Decimal("0.005") * len(body["breakdowns"][key])
        assert abs(summed - Decimal(body["totals"][REALISED]["expected"])) <= tolerance


def test_kpi_without_baseline_is_listed(client: Client, programme):
    [kpi] = client.get(URL).json()["missing_baseline"]
    assert kpi["id"] == programme["no_baseline"].pk
    assert kpi["partner"]["name"] == "Fjordvik kommune"


def test_lines_only_on_request(client: Client, programme):
    body = client.get(URL, {"lines": "true"}).json()
    report = build(PARAMS)
    assert [line["id"] for line in body["lines"]] == [line.id for line in report.lines]
    line = next(line for line in body["lines"] if line["measure"] == REALISED)
    assert set(line["value"]) == {"low", "expected", "high"}


def test_rate_and_period_recompute(client: Client, programme):
    body = client.get(URL, {"rate": "0", "years": "5"}).json()
    report = build(Params(rate=Decimal(0), years=5))
    assert body["totals"][REALISED]["expected"] == "1125000.00"
    assert body["totals"]["expected"]["expected"] == money(report.expected.expected)
    assert (body["rate_percent"], body["years"]) == ("0.00", 5)


@pytest.mark.parametrize(
    ("query", "field"),
    [({"rate": "21"}, "rate"), ({"rate": "x"}, "rate"), ({"years": "0"}, "years")],
)
def test_bad_rate_or_period_is_a_422(client: Client, db, query, field):
    body = error(client.get(URL, query), 422, "invalid")
    assert field in body["fields"]


def test_empty_programme_has_no_headline(client: Client, db):
    body = client.get(URL).json()
    assert body["headline"] is None
    assert body["totals"]["cost"]["expected"] == "0.00"


# A partner's own report


def test_anonymous_caller_cannot_ask_for_a_partners_report(client: Client, buyer, programme):
    error(client.get(URL, {"partner": buyer.organisation_id}), 401, "unauthenticated")


@pytest.mark.parametrize("role", ["supplier", "rival", "cobuyer"])
def test_others_may_not_read_a_partners_report(client: Client, request, buyer, programme, role):
    headers = bearer(request.getfixturevalue(role))
    error(client.get(URL, {"partner": buyer.organisation_id}, **headers), 403, "forbidden")


def test_unknown_partner_is_a_404(client: Client, advisor, supplier, db):
    headers = bearer(advisor)
    error(client.get(URL, {"partner": 999999}, **headers), 404, "not_found")
    # A supplier is no partner of the programme.
    error(client.get(URL, {"partner": supplier.organisation_id}, **headers), 404, "not_found")


@pytest.mark.parametrize("role", ["buyer", "evaluator", "advisor", "admin_user"])
def test_partner_and_programme_read_the_partners_report(
    client: Client, request, buyer, programme, role
):
    headers = bearer(request.getfixturevalue(role))
    response = client.get(URL, {"partner": buyer.organisation_id, "lines": "1"}, **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"]["partner"] == {"id": buyer.organisation_id, "name": "Fjordvik kommune"}
    assert any(line["case"].startswith("Hemmelig") for line in body["lines"])
    assert {line["partner_id"] for line in body["lines"]} == {buyer.organisation_id}


def test_openapi_documents_the_endpoint(client: Client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
