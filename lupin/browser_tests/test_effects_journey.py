"""Benefit realisation as the issue's test tells it: the buyer opens the effect report, follows
its contract to a KPI, enters a measurement, and sees the headline change. Then axe-core checks
the new pages (contract, KPI, effect report, drill-down, partner report, programme costs) in
bokmål and English.

The programme's budget (1 MNOK in 2024) is the headline's investment; the contract's one KPI
(120 → 60 visits a week, 900 000 NOK a year at the target) has no measurement yet, so the realised
benefit starts at nothing. A measurement of 90 is half-way: 450 000 NOK a year, discounted from
this year to the base year 2024 at 4 %.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import User
from lupin.benefits import actions as benefit_actions
from lupin.benefits import report
from lupin.benefits.actions import SupportData
from lupin.browser_tests.test_accessibility import AXE_OPTIONS, BLOCKING_IMPACTS, describe
from lupin.browser_tests.test_dialogue_accessibility import sign_in
from lupin.contracts.models import Contract
from lupin.lib.finance import discount_factor, format_mnok

pytestmark = pytest.mark.browser


def realised_after_measurement() -> str:
    """The realised benefit the page should show, computed here from the formula, not read
    back from the report: 900 000 × (90 − 120) / (60 − 120), discounted to 2024."""
    yearly = Decimal(900_000) * (Decimal(90) - 120) / (Decimal(60) - 120)
    years = timezone.localdate().year - 2024
    return format_mnok(yearly * discount_factor(Decimal("0.04"), years))


@pytest.fixture
def programme(advisor: User, buyer: User, contract: Contract) -> Contract:
    benefit_actions.set_budget(advisor, year=2024, amount=Decimal(1_000_000))
    benefit_actions.log_support(
        advisor,
        SupportData(
            organisation=contract.project.lead_buyer,
            project=contract.project,
            given_on=contract.signed_on,
            description="Veiledning om gevinstmåling",
            hours=Decimal(20),
        ),
    )
    return contract


def realised_headline(page: Page):  # noqa: ANN201 (a Playwright Locator)
    return page.locator(".lupin-effects-headline[data-measure='realised']")


def test_buyer_enters_a_measurement_and_the_headline_changes(
    page: Page, live_server: LiveServer, buyer: User, programme: Contract
) -> None:
    sign_in(page, live_server, buyer, "en")
    page.goto("/effects/")
    headline = realised_headline(page)
    expect(headline).to_contain_text("1 MNOK invested")
    before = headline.inner_text()
    assert "range" not in before  # nothing measured: no range to show

    # From the report to the contract, and on to its KPI, by links.
    page.goto(f"/contracts/{programme.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(programme.title)
    page.get_by_role("main").get_by_role("link", name=re.compile("Færre unødvendige")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Færre unødvendige nattbesøk")

    form = page.locator("#add-measurement")
    form.get_by_label(re.compile("^Measured value")).fill("90")
    expect(form.get_by_label(re.compile("^Unit"))).to_have_value("besøk per uke")
    # The date is today's unless the buyer changes it.
    expect(form.locator("input[type=date]")).to_have_value(timezone.localdate().isoformat())
    form.get_by_label(re.compile("^Source")).fill("Fagsystemet, rapport for november")
    form.get_by_role("button", name="Add measurement").click()
    expect(page.get_by_role("main")).to_contain_text("Fagsystemet, rapport for november")
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"450\s000\skr"))

    page.goto("/effects/")
    headline = realised_headline(page)
    expected = realised_after_measurement()
    expect(headline).to_contain_text(f"{expected} MNOK in realised benefits")
    expect(headline).to_contain_text("range")
    assert headline.inner_text() != before
    # The page and the computation agree.
    built = report.build()
    assert built.headline is not None
    assert format_mnok(built.headline.benefits.expected) == expected


@pytest.mark.parametrize("language", ["nb", "en"])
def test_effect_pages_have_no_serious_accessibility_violations(
    page: Page,
    live_server: LiveServer,
    buyer: User,
    advisor: User,
    programme: Contract,
    language: str,
) -> None:
    kpi = programme.kpis.get()
    benefit_actions.record_measurement(
        buyer,
        kpi,
        benefit_actions.MeasurementData(
            value=Decimal(90),
            unit=kpi.unit,
            measured_on=timezone.localdate(),
            source="Fagsystemet",
        ),
    )
    partner = programme.project.lead_buyer_id
    pages = [
        (None, "visitor", ["/effects/", "/effects/drill/?measure=realised", f"/kpis/{kpi.pk}/"]),
        (buyer, "buyer", [f"/contracts/{programme.pk}/", f"/kpis/{kpi.pk}/"]),
        (advisor, "advisor", [f"/effects/partners/{partner}/", "/programme/costs/"]),
    ]
    axe = Axe()
    problems: list[str] = []
    for user, who, urls in pages:
        sign_in(page, live_server, user, language)
        for url in urls:
            where = f"{url} (as {who})"
            response = page.goto(url)
            if response is None or not response.ok:
                status = response.status if response else "no response"
                problems.append(f"{where}: the page did not load (HTTP {status})")
                continue
            results = axe.run(page, options=AXE_OPTIONS)
            problems.extend(
                describe(where, violation)
                for violation in results.response["violations"]
                if violation["impact"] in BLOCKING_IMPACTS
            )
    assert not problems, "\n".join(problems)
