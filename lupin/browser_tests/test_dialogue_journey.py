"""The market dialogue journey of issue 3: `supplier` registers, books a one-to-one meeting and
asks a question; `buyer` rewrites the question so nobody can tell who asked and answers it to
all; `rival`, registered too, reads the answer without ever learning who asked, or whose the
booked slot is.

Locators are roles and labels only, and navigation is by clicking links and buttons, as in
test_buyer_journey.py. The data the journey starts from (a published first-come dialogue with
three slots, `rival` registered) is made with the actions, as the pages would make it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import Organisation, User
from lupin.browser_tests.conftest import set_language
from lupin.dialogue import actions
from lupin.dialogue.models import Answer, Booking, Delivery, DeliveryKind, Dialogue, Slot
from lupin.dialogue.tests.conftest import make_dialogue

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # noqa: S105 (the cast's password, see lupin/conftest.py)
OSLO = ZoneInfo("Europe/Oslo")

# What `supplier` asks: details only it would know. What `buyer` publishes: the same question,
# with those details taken out.
ASKED = "Can the Aurora bed sensors from our Bodø pilot in 2024 be reused with your alarm centre?"
PUBLISHED = "Can bed sensors from earlier pilots be reused with the alarm centre?"
ANSWER = "Yes: the alarm centre accepts any sensor that speaks the open SCAIP protocol."


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def log_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    main(page).get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Log out")).click()
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()


def open_notice(page: Page, dialogue: Dialogue) -> None:
    """From any page: the header's "Market dialogues", then the dialogue's card."""
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Market dialogues"
    ).click()
    main(page).get_by_role("link", name=dialogue.title).click()
    expect(page.get_by_role("heading", level=1, name=dialogue.title)).to_be_visible()


def oslo(moment: datetime, pattern: str) -> str:
    """A time as the pages show it (Europe/Oslo, Django's date format, English)."""
    return dateformat.format(timezone.localtime(moment, OSLO), pattern)


def slot_row(section: Locator, slot: Slot) -> Locator:
    return section.get_by_role("row").filter(has_text=oslo(slot.starts_at, "j. F Y H:i"))


@pytest.fixture
def open_dialogue(buyer: User, rival: User) -> tuple[Dialogue, list[Slot]]:
    dialogue = make_dialogue(buyer)
    slots = actions.add_slots(
        buyer,
        dialogue,
        first_start=timezone.now() + timedelta(days=12),
        count=3,
        place="Rådhuset",
    )
    actions.register(rival, dialogue)
    return dialogue, slots


def test_supplier_asks_buyer_answers_to_all_and_rival_never_learns_who_asked(
    page: Page,
    live_server: LiveServer,
    buyer: User,
    supplier: User,
    rival: User,
    rival_org: Organisation,
    open_dialogue: tuple[Dialogue, list[Slot]],
) -> None:
    dialogue, slots = open_dialogue
    booked = slots[0]
    asker = supplier.organisation
    assert asker is not None
    set_language(page, live_server, "en")

    # `supplier` finds the dialogue, registers, books the first slot and asks.
    log_in(page, supplier)
    open_notice(page, dialogue)
    main(page).get_by_role("button", name="Register your organisation").click()
    take_part = main(page).get_by_role("region", name="Take part")
    expect(take_part).to_contain_text("Your organisation registered on")

    meetings = main(page).get_by_role("region", name="Your one-to-one meeting")
    expect(slot_row(meetings, booked)).to_contain_text("Free")
    meetings.get_by_role("button", name=f"Book {oslo(booked.starts_at, 'j. F H:i')}").click()
    expect(meetings).to_contain_text("Your meeting:")
    expect(slot_row(meetings, booked)).to_contain_text("Your meeting")
    expect(meetings.get_by_role("button", name="Cancel the meeting")).to_be_visible()
    page.reload()  # the booking is stored, not only swapped in by htmx
    expect(slot_row(meetings, booked)).to_contain_text("Your meeting")

    questions = main(page).get_by_role("region", name="Your questions")
    questions.get_by_role("textbox", name=re.compile("^Your question")).fill(ASKED)
    questions.get_by_role("button", name="Send the question").click()
    expect(questions.get_by_role("listitem").filter(has_text=ASKED)).to_contain_text(
        "Waiting for an answer"
    )
    log_out(page)

    # `buyer` opens the question from the notice's "Manage the dialogue" and answers it to all,
    # reworded so that it no longer points at the asker.
    log_in(page, buyer)
    open_notice(page, dialogue)
    main(page).get_by_role("link", name="Manage the dialogue").click()
    question = main(page).get_by_role("article", name=re.compile(f"From {re.escape(asker.name)}"))
    expect(question).to_contain_text(ASKED)
    question.get_by_role("link", name=re.compile("^Answer to all")).click()
    expect(page.get_by_role("heading", level=1, name="Answer to all suppliers")).to_be_visible()
    wording = page.get_by_label(re.compile("^The question as it will be published"))
    expect(wording).to_have_value(ASKED)
    wording.fill(PUBLISHED)
    page.get_by_role("textbox", name=re.compile("^Answer")).fill(ANSWER)
    main(page).get_by_role("button", name="Publish the answer to all suppliers").click()
    expect(main(page)).to_contain_text("The answer is published to every registered supplier.")
    published = main(page).get_by_role("region", name=re.compile("^Published answers"))
    expect(published).to_contain_text(ANSWER)
    log_out(page)

    # `rival` reads the answer in the buyer's words; nothing on the page tells who asked.
    log_in(page, rival)
    open_notice(page, dialogue)
    answers = main(page).get_by_role("region", name="Questions and answers")
    expect(answers.get_by_role("article", name=PUBLISHED)).to_contain_text(ANSWER)
    meetings = main(page).get_by_role("region", name="Your one-to-one meeting")
    expect(slot_row(meetings, booked)).to_contain_text("Taken")
    expect(slot_row(meetings, slots[1])).to_contain_text("Free")
    body = page.locator("body")
    expect(body).not_to_contain_text(asker.name)
    expect(body).not_to_contain_text(ASKED)
    expect(body).not_to_contain_text(supplier.email)
    html = page.content()
    assert asker.name not in html
    assert ASKED not in html
    assert asker.org_number not in html

    # And in the database: one booking, one answer, delivered to both suppliers.
    assert list(Booking.objects.filter(dialogue=dialogue).values_list("organisation", "slot")) == [
        (asker.pk, booked.pk)
    ]
    answer = Answer.objects.get(dialogue=dialogue)
    assert (answer.question_text, answer.answer_text) == (PUBLISHED, ANSWER)
    delivered_to = Delivery.objects.filter(
        dialogue=dialogue, kind=DeliveryKind.ANSWER, object_id=answer.pk
    ).values_list("organisation", flat=True)
    assert sorted(delivered_to) == sorted([asker.pk, rival_org.pk])


def test_the_notice_reads_in_bokmal_for_a_visitor(
    page: Page, live_server: LiveServer, open_dialogue: tuple[Dialogue, list[Slot]]
) -> None:
    dialogue, _ = open_dialogue
    set_language(page, live_server, "nb")
    page.goto("/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Markedsdialoger"
    ).click()
    main(page).get_by_role("link", name=dialogue.title).click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1, name=dialogue.title)).to_be_visible()
    expect(main(page).get_by_role("heading", level=2, name="Behovet")).to_be_visible()
    expect(main(page).get_by_role("heading", level=2, name="Nøkkelinformasjon")).to_be_visible()
    take_part = main(page).get_by_role("region", name="Delta")
    expect(take_part.get_by_role("link", name="Logg inn for å melde dere på")).to_be_visible()
    expect(take_part.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("link", name="Logg inn")).to_be_visible()
