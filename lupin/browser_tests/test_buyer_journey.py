"""The buyer's first journey, as the issue's "Done when" tells it: log in as `buyer`, create a
project with a need, a benefit and CPV codes, invite `cobuyer`'s organisation, tick steps, move
it to dialogue, publish it, and read the public page in bokmål and English. The co-buyer then
accepts and sees the case.

Locators are roles and labels only, as a screen-reader user would find things, so the journey
doubles as a check that every control has a name. Navigation is by clicking links and buttons.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import User
from lupin.browser_tests.conftest import set_language
from lupin.projects.lifecycle import Phase
from lupin.projects.models import CoBuyerInvitation, InvitationStatus, Project

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # noqa: S105 (the cast's password, see lupin/conftest.py)
TITLE = "Digitalt tilsyn om natten"


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def log_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    main(page).get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


def test_buyer_takes_a_need_to_market_dialogue_and_publishes_it(
    page: Page, browser: Browser, live_server: LiveServer, buyer: User, cobuyer: User
) -> None:
    set_language(page, live_server, "en")
    log_in(page, buyer)

    # Create the project from My page.
    page.get_by_role("link", name="My page").click()
    main(page).get_by_role("link", name=re.compile("New project")).click()
    page.get_by_label(re.compile(r"^Title")).fill(TITLE)
    page.get_by_label(re.compile(r"^Need statement")).fill(
        "Hjemmeboende eldre trenger trygghet om natten uten flere tilsynsbesøk."
    )
    page.get_by_role("textbox", name=re.compile("^CPV codes")).fill("33196200, 72000000-5")
    main(page).get_by_role("button", name=re.compile("Create")).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(main(page)).to_contain_text("Draft")
    expect(main(page)).to_contain_text("72000000")

    # An expected benefit.
    main(page).get_by_role("link", name="Add expected benefit").click()
    page.get_by_label(re.compile(r"^Category")).select_option("process_hours")
    page.get_by_label(re.compile(r"^Description")).fill("Færre unødvendige nattbesøk")
    page.get_by_label(re.compile(r"^Baseline")).fill("120")
    page.get_by_label(re.compile(r"^Target")).fill("60")
    page.get_by_label(re.compile(r"^Unit")).fill("besøk per uke")
    page.get_by_label(re.compile(r"^Estimated yearly value")).fill("900 000")
    page.get_by_label(re.compile(r"^Owner")).fill("Leder hjemmetjenesten")
    main(page).get_by_role("button", name=re.compile("Save|Add", re.IGNORECASE)).click()
    expect(main(page)).to_contain_text("Færre unødvendige nattbesøk")

    # Invite cobuyer's organisation.
    main(page).get_by_role("link", name="Invite co-buyers").click()
    page.get_by_label(re.compile(r"^Buyer organisation")).select_option(
        label=cobuyer.organisation.name  # type: ignore[union-attr]
    )
    main(page).get_by_role("button", name="Send invitation").click()
    expect(main(page)).to_contain_text(cobuyer.organisation.name)  # type: ignore[union-attr]

    # Tick two steps of the roadmap (htmx saves each in place).
    page.get_by_role("link", name="Project page").click()
    main(page).get_by_role("link", name="Roadmap", exact=True).click()
    for name in ("Anchor the project in management", "Describe the need"):
        step = page.get_by_role("checkbox", name=re.compile(name))
        step.check()
        # Wait for htmx's POST to be answered: the box is ticked before it is saved, and a
        # reload while the request is under way would cancel it.
        with page.expect_response(lambda response: response.request.method == "POST"):
            main(page).locator("form").filter(has=step).get_by_role("button").first.click()
        expect(page.get_by_role("checkbox", name=re.compile(name))).to_be_checked()
    page.reload()
    expect(page.get_by_role("checkbox", name=re.compile("Describe the need"))).to_be_checked()

    # Move to market dialogue.
    page.get_by_role("link", name="Move phase").click()
    page.get_by_role("radio", name="Market dialogue").check()
    main(page).get_by_role("button", name="Move the project").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(main(page)).to_contain_text("From Need to Market dialogue")

    # Publish, then read the public page as a visitor in bokmål and in English.
    main(page).get_by_role("button", name="Publish").click()
    expect(main(page)).not_to_contain_text("Draft – not public")
    public_url = page.url
    page.get_by_role("button", name=re.compile("Log out")).click()

    page.goto(public_url)
    page.get_by_role("button", name=re.compile("Norsk")).click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(main(page)).to_contain_text("Markedsdialog")
    expect(main(page)).not_to_contain_text("Internal notes")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(main(page)).to_contain_text("Market dialogue")

    project = Project.objects.get(title=TITLE)
    assert project.phase == Phase.DIALOGUE
    assert project.is_published
    assert sorted(project.cpv_codes.values_list("code", flat=True)) == ["33196200", "72000000"]

    # The co-buyer accepts on My page and then works inside the case.
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    cobuyer_page = other.new_page()
    set_language(cobuyer_page, live_server, "en")
    log_in(cobuyer_page, cobuyer)
    cobuyer_page.get_by_role("link", name="My page").click()
    main(cobuyer_page).get_by_role("button", name=re.compile(f"Accept.*{TITLE}")).click()
    expect(main(cobuyer_page)).to_contain_text(TITLE)
    other.close()
    invitation = CoBuyerInvitation.objects.get(project=project)
    assert invitation.status == InvitationStatus.ACCEPTED
