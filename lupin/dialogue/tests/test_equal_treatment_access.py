"""Equal treatment, per role (FOA § 9-3, § 12-2): what each of the cast sees of a dialogue.

`supplier` and `rival` are two registered suppliers. Neither ever sees the other's questions,
booking, minutes, written input or registration; both see every shared material and answer, from
the moment of sharing or of registering, whichever is later. Outsiders read the notice only.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from lupin.dialogue import actions
from lupin.dialogue.models import Booking, Dialogue, Minutes, Question
from lupin.dialogue.tests.conftest import pdf

SUPPLIER_NAME = "Nordlys Teknologi AS"
SUPPLIER_EMAIL = "supplier@example.org"
RIVAL_NAME = "Konkurrent AS"
QUESTION = "Kan Nordlys sin sensorplattform NX-7 brukes uten skytjeneste?"
PUBLISHED_QUESTION = "Kan løsningen brukes uten skytjeneste?"
ANSWER = "Ja, lokal drift er et alternativ vi ønsker å høre om."


def detail(dialogue: Dialogue) -> str:
    return reverse("dialogue:detail", args=[dialogue.pk])


def page_of(client, dialogue: Dialogue) -> str:
    response = client.get(detail(dialogue))
    assert response.status_code == 200
    return response.content.decode()


def assert_nothing_of_supplier(page: str) -> None:
    assert SUPPLIER_NAME not in page
    assert SUPPLIER_EMAIL not in page
    assert QUESTION not in page


@pytest.fixture
def both(supplier, rival, dialogue):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    return supplier, rival


# Questions and answers


def test_rival_never_sees_suppliers_question_before_it_is_answered(login, buyer, both, dialogue):
    supplier, rival = both
    actions.ask_question(supplier, dialogue, QUESTION)
    assert QUESTION in page_of(login(supplier), dialogue)
    for viewer in (rival, None):
        page = page_of(login(viewer), dialogue)
        assert_nothing_of_supplier(page)
        assert "Waiting for an answer" not in page


def test_after_the_answer_rival_sees_the_buyers_wording_not_the_asker(login, buyer, both, dialogue):
    supplier, rival = both
    question = actions.ask_question(supplier, dialogue, QUESTION)
    actions.answer_question(buyer, question, question_text=PUBLISHED_QUESTION, answer_text=ANSWER)
    page = page_of(login(rival), dialogue)
    assert PUBLISHED_QUESTION in page
    assert ANSWER in page
    assert_nothing_of_supplier(page)
    # Nor is the rival told that somebody's question sits behind the answer.
    assert "Answered to all" not in page


def test_rival_htmx_question_answer_shows_only_its_own_questions(login, both, dialogue):
    supplier, rival = both
    actions.ask_question(supplier, dialogue, QUESTION)
    response = login(rival).post(
        reverse("dialogue:ask", args=[dialogue.pk]),
        {"text": "Rivalens eget spørsmål"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "Rivalens eget spørsmål" in page
    assert_nothing_of_supplier(page)


def test_a_duplicate_links_the_asker_to_the_published_answer_only(login, buyer, both, dialogue):
    supplier, rival = both
    answer = actions.publish_clarification(
        buyer, dialogue, question_text=PUBLISHED_QUESTION, answer_text=ANSWER
    )
    question = actions.ask_question(supplier, dialogue, QUESTION)
    actions.mark_duplicate(buyer, question, answer)
    page = page_of(login(supplier), dialogue)
    assert "Answered by an earlier answer" in page
    assert f'href="#answer-{answer.pk}"' in page
    assert_nothing_of_supplier(page_of(login(rival), dialogue))


# Meetings


def test_rival_sees_suppliers_slot_only_as_taken(login, both, dialogue, slots):
    supplier, rival = both
    actions.book_slot(supplier, slots[0])
    page = page_of(login(rival), dialogue)
    assert "Taken" in page
    assert "Your meeting" not in page
    assert reverse("dialogue:book", args=[dialogue.pk, slots[0].pk]) not in page
    assert reverse("dialogue:book", args=[dialogue.pk, slots[1].pk]) in page
    assert_nothing_of_supplier(page)


def test_rival_cannot_cancel_or_take_suppliers_meeting(login, both, dialogue, slots):
    supplier, rival = both
    booking = actions.book_slot(supplier, slots[0])
    client = login(rival)
    cancel = client.post(reverse("dialogue:cancel_booking", args=[dialogue.pk]), follow=True)
    assert "no meeting to cancel" in cancel.content.decode()
    book = client.post(
        reverse("dialogue:book", args=[dialogue.pk, slots[0].pk]), HTTP_HX_REQUEST="true"
    )
    assert "Someone else booked that slot" in book.content.decode()
    assert_nothing_of_supplier(book.content.decode())
    assert Booking.objects.get().pk == booking.pk
    assert login(rival).get(reverse("dialogue:meeting_ics", args=[dialogue.pk])).status_code == 404


@pytest.fixture
def supplier_minutes(buyer, both, dialogue, slots) -> Minutes:
    supplier, _rival = both
    booking = actions.book_slot(supplier, slots[0])
    with time_machine.travel(slots[0].starts_at + timedelta(minutes=61)):
        return actions.record_minutes(
            buyer, booking, text="Nordlys viste NX-7.\n\nPris: 40 kroner per bruker."
        )


def test_rival_never_sees_suppliers_minutes(login, both, dialogue, slots, supplier_minutes):
    supplier, rival = both
    client = login(rival)
    assert client.get(reverse("dialogue:my_minutes", args=[dialogue.pk])).status_code == 404
    response = client.post(reverse("dialogue:my_minutes", args=[dialogue.pk]), {"paragraphs": "0"})
    assert response.status_code == 404
    page = page_of(client, dialogue)
    assert "40 kroner" not in page
    assert reverse("dialogue:my_minutes", args=[dialogue.pk]) not in page
    supplier_minutes.refresh_from_db()
    assert supplier_minutes.secret_paragraphs == []


def test_rival_with_its_own_minutes_sees_only_its_own(
    login, buyer, both, dialogue, slots, supplier_minutes
):
    _supplier, rival = both
    booking = actions.book_slot(rival, slots[1])
    with time_machine.travel(slots[1].starts_at + timedelta(minutes=61)):
        actions.record_minutes(buyer, booking, text="Konkurrent viste sin løsning.")
    page = login(rival).get(reverse("dialogue:my_minutes", args=[dialogue.pk])).content.decode()
    assert "Konkurrent viste sin løsning." in page
    assert "40 kroner" not in page
    assert "NX-7" not in page


# Written input and registration


def test_rival_never_sees_suppliers_written_input(login, both, dialogue, media):
    supplier, rival = both
    actions.submit_input(
        supplier, dialogue, title="Nordlys sitt innspill", text="Vår plattform NX-7 …"
    )
    page = login(rival).get(reverse("dialogue:input", args=[dialogue.pk])).content.decode()
    assert "Nordlys sitt innspill" not in page
    assert "Nothing sent yet." in page
    assert "Nordlys sitt innspill" not in page_of(login(rival), dialogue)


def test_nobody_outside_the_buyer_sees_who_registered(login, both, dialogue, cobuyer):
    _supplier, rival = both
    for viewer in (rival, cobuyer, None):
        page = page_of(login(viewer), dialogue)
        assert SUPPLIER_NAME not in page
        assert SUPPLIER_EMAIL not in page
    list_page = login(rival).get(reverse("dialogue:list")).content.decode()
    assert SUPPLIER_NAME not in list_page


# What registration opens


def test_late_registrant_sees_materials_and_answers_shared_before(
    login, buyer, supplier, rival, dialogue, media
):
    actions.register(supplier, dialogue)
    material = actions.share_material(buyer, dialogue, title="Utkast til behov", upload=pdf())
    actions.publish_clarification(
        buyer, dialogue, question_text=PUBLISHED_QUESTION, answer_text=ANSWER
    )
    client = login(rival)
    before = page_of(client, dialogue)
    assert "Utkast til behov" not in before
    assert ANSWER not in before
    actions.register(rival, dialogue)
    after = page_of(client, dialogue)
    assert "Utkast til behov" in after
    assert ANSWER in after
    download = reverse("dialogue:material_download", args=[dialogue.pk, material.pk])
    assert client.get(download).status_code == 200


@pytest.mark.parametrize("who", ["supplier", "cobuyer", "anonymous"])
def test_outsiders_see_the_notice_but_not_materials_or_answers(
    login, request, buyer, rival, dialogue, media, who
):
    actions.register(rival, dialogue)
    material = actions.share_material(buyer, dialogue, title="Utkast til behov", upload=pdf())
    actions.publish_clarification(
        buyer, dialogue, question_text=PUBLISHED_QUESTION, answer_text=ANSWER
    )
    viewer = None if who == "anonymous" else request.getfixturevalue(who)
    client = login(viewer)
    page = page_of(client, dialogue)
    assert dialogue.need_summary in page
    assert "Utkast til behov" not in page
    assert ANSWER not in page
    assert PUBLISHED_QUESTION not in page
    download = reverse("dialogue:material_download", args=[dialogue.pk, material.pk])
    assert client.get(download).status_code == 404


@pytest.mark.parametrize("who", ["buyer", "buyer_colleague", "evaluator", "advisor"])
def test_insiders_see_what_is_shared_and_no_supplier_control(
    login, request, supplier, dialogue, slots, media, who
):
    actions.register(supplier, dialogue)
    actions.share_material(
        request.getfixturevalue("buyer"), dialogue, title="Utkast til behov", upload=pdf()
    )
    page = page_of(login(request.getfixturevalue(who)), dialogue)
    assert "Utkast til behov" in page
    assert reverse("dialogue:manage", args=[dialogue.pk]) in page
    for name in ("register", "ask", "cancel_booking", "input", "my_minutes"):
        assert reverse(f"dialogue:{name}", args=[dialogue.pk]) not in page, name
    assert reverse("dialogue:book", args=[dialogue.pk, slots[0].pk]) not in page


def test_a_buyer_cannot_take_part_as_a_supplier(login, buyer, dialogue, slots):
    client = login(buyer)
    response = client.post(reverse("dialogue:register", args=[dialogue.pk]), follow=True)
    assert "Only suppliers register" in response.content.decode()
    client.post(reverse("dialogue:ask", args=[dialogue.pk]), {"text": "Buyer asks"})
    client.post(reverse("dialogue:book", args=[dialogue.pk, slots[0].pk]))
    assert not dialogue.registrations.exists()
    assert not Question.objects.exists()
    assert not Booking.objects.exists()


def test_unregistered_supplier_cannot_ask_or_book(login, supplier, dialogue, slots):
    client = login(supplier)
    response = client.post(
        reverse("dialogue:ask", args=[dialogue.pk]), {"text": "Et spørsmål"}, follow=True
    )
    assert "Register your organisation for the dialogue first." in response.content.decode()
    client.post(reverse("dialogue:book", args=[dialogue.pk, slots[0].pk]))
    assert not Question.objects.exists()
    assert not Booking.objects.exists()
