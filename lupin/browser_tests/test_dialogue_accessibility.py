"""axe-core on the market dialogue pages, in bokmål and English: no serious or critical
violations. Each page is checked as the person who uses it: the list and the notice as a visitor,
the notice (with answers, the conference sign-up, the slots and the question form) and the
lottery record as a registered supplier, and the buyer's dashboard, answer page and
equal-treatment report as the buyer.

The rules, options and failure report are test_accessibility.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import User
from lupin.browser_tests.conftest import set_language
from lupin.browser_tests.test_accessibility import AXE_OPTIONS, BLOCKING_IMPACTS, describe
from lupin.dialogue import actions
from lupin.dialogue.actions import ConferenceData
from lupin.dialogue.models import Dialogue, MeetingMode, Question
from lupin.dialogue.tests.conftest import make_dialogue

pytestmark = pytest.mark.browser


@dataclass
class Scene:
    dialogue: Dialogue  # first come, first served: conference, slots, answers, questions
    open_question: Question  # `rival`'s, not answered yet
    lottery: Dialogue  # the lottery drawn


@pytest.fixture
def scene(buyer: User, supplier: User, rival: User) -> Scene:
    now = timezone.now()
    dialogue = make_dialogue(buyer)
    actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Dialogkonferanse om nattilsyn",
            starts_at=now + timedelta(days=5),
            ends_at=now + timedelta(days=5, hours=3),
            description="Behovet, tidsplanen og spørsmål fra salen.",
            place="Rådhuset, Fjordvik",
            seats_per_organisation=2,
            capacity=40,
        ),
    )
    slots = actions.add_slots(
        buyer, dialogue, first_start=now + timedelta(days=12), count=3, place="Rådhuset"
    )
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    actions.book_slot(rival, slots[1])  # `supplier` sees a taken slot among the free ones
    asked = actions.ask_question(supplier, dialogue, "Hvilke sensorer bruker dere i dag?")
    actions.answer_question(
        buyer,
        asked,
        question_text="Hvilke sensorer brukes i dag?",
        answer_text="Sengesensorer og dørsensorer fra to leverandører.",
    )
    open_question = actions.ask_question(rival, dialogue, "Kan vi levere bare alarmsentralen?")

    lottery = make_dialogue(buyer, meeting_mode=MeetingMode.LOTTERY)
    lottery_slots = actions.add_slots(
        buyer, lottery, first_start=now + timedelta(days=12), count=2, place="Rådhuset"
    )
    for user in (supplier, rival):
        actions.register(user, lottery)
        actions.request_slots(user, lottery, [slot.pk for slot in lottery_slots])
    Dialogue.objects.filter(pk=lottery.pk).update(booking_cutoff=now - timedelta(minutes=1))
    lottery.refresh_from_db()
    actions.draw_lottery(None, lottery)
    return Scene(dialogue=dialogue, open_question=open_question, lottery=lottery)


def sign_in(page: Page, live_server: LiveServer, user: User | None, language: str) -> None:
    """Start a fresh session as `user` (None: a visitor) with the site in `language`."""
    page.context.clear_cookies()
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    set_language(page, live_server, language)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_dialogue_pages_have_no_serious_accessibility_violations(
    page: Page,
    live_server: LiveServer,
    buyer: User,
    supplier: User,
    scene: Scene,
    language: str,
) -> None:
    notice = f"/dialogues/{scene.dialogue.pk}/"
    lottery = f"/dialogues/{scene.lottery.pk}/lottery/"
    pages: list[tuple[User | None, str, list[str]]] = [
        (None, "visitor", ["/dialogues/", notice, lottery]),
        (supplier, "supplier", [notice, lottery]),
        (
            buyer,
            "buyer",
            [
                f"{notice}manage/",
                f"{notice}questions/{scene.open_question.pk}/answer/",
                f"{notice}report/",
            ],
        ),
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
            page_language = page.locator("html").get_attribute("lang")
            if page_language != language:
                problems.append(f"{where}: <html lang={page_language!r}>, expected {language!r}")
            results = axe.run(page, options=AXE_OPTIONS)
            problems.extend(
                describe(where, violation)
                for violation in results.response["violations"]
                if violation["impact"] in BLOCKING_IMPACTS
            )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_the_pages_show_what_axe_should_check(
    page: Page, live_server: LiveServer, buyer: User, supplier: User, scene: Scene
) -> None:
    """Guards the test above: the pages really have the parts it claims to check (an axe run
    on a page missing them would pass for the wrong reason)."""
    sign_in(page, live_server, supplier, "en")
    page.goto(f"/dialogues/{scene.dialogue.pk}/")
    main = page.get_by_role("main")
    for region in (
        "Questions and answers",
        "Dialogue conference",
        "Your one-to-one meeting",
        "Your questions",
    ):
        expect(main.get_by_role("region", name=region)).to_be_visible()
    expect(main.get_by_role("article", name="Hvilke sensorer brukes i dag?")).to_be_visible()
    expect(main.get_by_label(re.compile("^Who comes"))).to_be_visible()
    expect(main.get_by_role("button", name=re.compile("^Sign up"))).to_be_visible()
    expect(main.get_by_role("button", name=re.compile("^Book "))).to_have_count(2)
    expect(main.get_by_role("cell", name="Taken")).to_have_count(1)
    expect(main.get_by_role("textbox", name=re.compile("^Your question"))).to_be_visible()
    expect(main.get_by_role("button", name="Send the question")).to_be_visible()

    page.goto(f"/dialogues/{scene.lottery.pk}/lottery/")
    expect(main.get_by_role("heading", name="Requests and result")).to_be_visible()
    expect(main.get_by_role("table")).to_contain_text("you")

    sign_in(page, live_server, buyer, "en")
    page.goto(f"/dialogues/{scene.dialogue.pk}/manage/")
    expect(main.get_by_role("region", name=re.compile("^Registered suppliers"))).to_contain_text(
        "(2)"
    )
    expect(main.get_by_role("link", name=re.compile("^Answer to all"))).to_have_count(1)
    page.goto(f"/dialogues/{scene.dialogue.pk}/questions/{scene.open_question.pk}/answer/")
    expect(main.get_by_role("textbox", name=re.compile("^Answer"))).to_be_visible()
    page.goto(f"/dialogues/{scene.dialogue.pk}/report/")
    expect(main.get_by_role("region", name="Per supplier").get_by_role("row")).to_have_count(3)
