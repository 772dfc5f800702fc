"""The buyer's first journey: log in, describe a need, add a benefit, tick a step, go to dialogue.

Locators are roles and labels only, as a screen-reader user would find things, so the journey
doubles as a check that every control has a name. The site is used in English here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import User
from lupin.browser_tests.conftest import set_language

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # noqa: S105 (the cast's password, see lupin/conftest.py)


def submit(page: Page, name: str | re.Pattern[str]) -> None:
    page.get_by_role("main").get_by_role("button", name=name).click()


def test_buyer_takes_a_need_to_market_dialogue(
    page: Page, live_server: LiveServer, buyer: User
) -> None:
    set_language(page, live_server, "en")

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(buyer.username)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Log in")
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()

    page.goto("/projects/new/")
    page.get_by_label(re.compile(r"^Title")).fill("Digitalt tilsyn om natten")
    page.get_by_label(re.compile(r"^Need statement")).fill(
        "Hjemmeboende eldre trenger trygghet om natten uten flere tilsynsbesøk."
    )
    page.get_by_role("textbox", name=re.compile("CPV")).fill("72000000")
    submit(page, re.compile("Save|Create", re.IGNORECASE))
    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    project_url = urlsplit(page.url).path
    expect(page.get_by_role("heading", name="Digitalt tilsyn om natten")).to_be_visible()

    page.goto(f"{project_url}benefits/new/")
    page.get_by_label(re.compile(r"^Category")).select_option("process_hours")
    page.get_by_label(re.compile(r"^Description")).fill("Færre unødvendige nattbesøk")
    page.get_by_label(re.compile(r"^Baseline")).fill("120")
    page.get_by_label(re.compile(r"^Target")).fill("60")
    page.get_by_label(re.compile(r"^Unit")).fill("besøk per uke")
    page.get_by_label(re.compile(r"^Estimated yearly value")).fill("900 000")
    page.get_by_label(re.compile(r"^Owner")).fill("Leder hjemmetjenesten")
    submit(page, re.compile("Save|Add", re.IGNORECASE))
    expect(page.get_by_role("main")).to_contain_text("Færre unødvendige nattbesøk")

    page.goto(f"{project_url}roadmap/")
    step = page.get_by_role("checkbox", name=re.compile("Describe the need"))
    step.check()
    page.get_by_role("main").locator("form").filter(has=step).get_by_role("button").first.click()
    page.goto(f"{project_url}roadmap/")
    expect(page.get_by_role("checkbox", name=re.compile("Describe the need"))).to_be_checked()

    page.goto(f"{project_url}phase/")
    page.get_by_role("radio", name="Market dialogue").check()
    submit(page, re.compile("Move", re.IGNORECASE))
    expect(page).to_have_url(re.compile(re.escape(project_url) + "$"))
    expect(page.get_by_role("main")).to_contain_text("Market dialogue")
