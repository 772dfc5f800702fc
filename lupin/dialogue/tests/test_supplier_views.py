"""A supplier taking part through the pages: register, conference, meetings, questions, written
input, materials and minutes. Each refusal gives a clear message and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lupin.dialogue import actions
from lupin.dialogue.actions import ConferenceData
from lupin.dialogue.models import (
    Booking,
    ConferenceSignup,
    Dialogue,
    MeetingMode,
    Question,
    Registration,
    SlotRequest,
    WrittenInput,
)
from lupin.dialogue.tests.conftest import make_dialogue, pdf


def url(name: str, dialogue: Dialogue, *args: int) -> str:
    return reverse(f"dialogue:{name}", args=[dialogue.pk, *args])


def detail(dialogue: Dialogue) -> str:
    return url("detail", dialogue)


def body(response) -> str:
    return response.content.decode()


def followed(response) -> str:
    """The page a redirect ends on, with its messages."""
    return body(response)


@pytest.fixture
def registered(supplier, dialogue):
    actions.register(supplier, dialogue)
    return supplier


@pytest.fixture
def conference(buyer, dialogue):
    return actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Dialogkonferansen",
            starts_at=timezone.now() + timedelta(days=5),
            ends_at=timezone.now() + timedelta(days=5, hours=3),
            place="Rådhuset",
            seats_per_organisation=2,
            capacity=3,
        ),
    )


# Registration


def test_supplier_registers_and_then_sees_the_participants_sections(login, supplier, dialogue):
    client = login(supplier)
    response = client.post(url("register", dialogue), follow=True)
    page = followed(response)
    assert "Your organisation is registered" in page
    assert Registration.objects.filter(dialogue=dialogue).count() == 1
    for section in ("Materials", "Questions and answers", "Your one-to-one meeting"):
        assert section in page
    assert url("register", dialogue) not in page


def test_second_registration_gives_a_message_and_changes_nothing(login, registered, dialogue):
    response = login(registered).post(url("register", dialogue), follow=True)
    assert "already registered" in followed(response)
    assert Registration.objects.filter(dialogue=dialogue).count() == 1


def test_anonymous_post_goes_to_login_and_back_to_the_notice(login, dialogue):
    response = login(None).post(url("register", dialogue))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert response["Location"].endswith(f"?next={detail(dialogue)}")
    assert not Registration.objects.exists()


def test_supplier_views_answer_404_for_a_hidden_draft(login, buyer, supplier):
    draft = make_dialogue(buyer, publish=False)
    client = login(supplier)
    for name in ("register", "ask", "cancel_booking", "request_slots"):
        assert client.post(url(name, draft)).status_code == 404, name
    for name in ("input", "my_minutes", "meeting_ics"):
        assert client.get(url(name, draft)).status_code == 404, name


def test_registration_is_only_by_post(login, supplier, dialogue):
    assert login(supplier).get(url("register", dialogue)).status_code == 405


# Conference


def test_registered_supplier_signs_up_names_for_the_conference(
    login, registered, dialogue, conference
):
    client = login(registered)
    response = client.post(
        url("signup", dialogue, conference.pk),
        {f"conference-{conference.pk}-attendees": "Kari Nordmann\n\nOla Nordmann\n"},
        follow=True,
    )
    assert "You are signed up" in followed(response)
    signup = ConferenceSignup.objects.get()
    assert signup.attendees == ["Kari Nordmann", "Ola Nordmann"]
    page = body(client.get(detail(dialogue)))
    assert "Kari Nordmann, Ola Nordmann" in page
    assert "1 seat left" in page


def test_too_many_names_are_refused_next_to_the_field(login, registered, dialogue, conference):
    response = login(registered).post(
        url("signup", dialogue, conference.pk),
        {f"conference-{conference.pk}-attendees": "A\nB\nC"},
    )
    assert response.status_code == 200
    assert "At most 2 people per organisation." in body(response)
    assert not ConferenceSignup.objects.exists()


def test_full_conference_gives_a_message_and_changes_nothing(
    login, registered, rival, dialogue, conference
):
    actions.register(rival, dialogue)
    actions.sign_up(rival, conference, ["Rita", "Rolf"])
    response = login(registered).post(
        url("signup", dialogue, conference.pk),
        {f"conference-{conference.pk}-attendees": "Kari\nOla"},
    )
    assert "Not enough seats left: 1 seat is free." in body(response)
    assert ConferenceSignup.objects.count() == 1


def test_supplier_cancels_its_conference_signup(login, registered, dialogue, conference):
    actions.sign_up(registered, conference, ["Kari"])
    response = login(registered).post(url("signup_cancel", dialogue, conference.pk), follow=True)
    assert "is cancelled" in followed(response)
    assert not ConferenceSignup.objects.exists()


def test_unregistered_supplier_cannot_sign_up(login, supplier, dialogue, conference):
    response = login(supplier).post(
        url("signup", dialogue, conference.pk),
        {f"conference-{conference.pk}-attendees": "Kari"},
        follow=True,
    )
    assert "Register your organisation for the dialogue first." in followed(response)
    assert not ConferenceSignup.objects.exists()


# One-to-one meetings, first come


def test_supplier_books_a_free_slot(login, registered, dialogue, slots):
    client = login(registered)
    response = client.post(url("book", dialogue, slots[1].pk), follow=True)
    page = followed(response)
    assert "Your meeting is booked for" in page
    assert Booking.objects.get().slot == slots[1]
    assert url("meeting_ics", dialogue) in page
    assert url("cancel_booking", dialogue) in page
    # One meeting per organisation: no more Book buttons.
    assert url("book", dialogue, slots[0].pk) not in page


def test_booking_with_htmx_answers_with_the_meeting_section(login, registered, dialogue, slots):
    response = login(registered).post(url("book", dialogue, slots[0].pk), HTTP_HX_REQUEST="true")
    page = body(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="meetings-live" hx-swap-oob="innerHTML"' in page
    assert "Your meeting is booked for" in page
    assert "Your meeting" in page


def test_double_booking_gives_a_message_and_changes_nothing(login, registered, dialogue, slots):
    actions.book_slot(registered, slots[0])
    response = login(registered).post(url("book", dialogue, slots[1].pk), follow=True)
    assert "already has a meeting" in followed(response)
    assert list(Booking.objects.values_list("slot", flat=True)) == [slots[0].pk]


def test_a_taken_slot_cannot_be_booked(login, registered, rival, dialogue, slots):
    actions.register(rival, dialogue)
    actions.book_slot(rival, slots[0])
    response = login(registered).post(url("book", dialogue, slots[0].pk), follow=True)
    assert "Someone else booked that slot" in followed(response)
    assert Booking.objects.get().organisation == rival.organisation


def test_booking_after_the_cutoff_gives_a_message_and_changes_nothing(
    login, registered, dialogue, slots
):
    with time_machine.travel(dialogue.booking_cutoff + timedelta(minutes=1)):
        client = login(registered)
        response = client.post(url("book", dialogue, slots[0].pk), follow=True)
        page = followed(response)
    assert "The booking cut-off has passed." in page
    assert "Booking is closed." in page
    assert not Booking.objects.exists()


def test_supplier_cancels_and_rebooks_before_the_cutoff(login, registered, dialogue, slots):
    actions.book_slot(registered, slots[0])
    client = login(registered)
    response = client.post(url("cancel_booking", dialogue), follow=True)
    assert "Your meeting is cancelled" in followed(response)
    assert not Booking.objects.exists()
    client.post(url("book", dialogue, slots[2].pk))
    assert Booking.objects.get().slot == slots[2]


def test_cancelling_after_the_cutoff_is_refused(login, registered, dialogue, slots):
    actions.book_slot(registered, slots[0])
    with time_machine.travel(dialogue.booking_cutoff + timedelta(minutes=1)):
        response = login(registered).post(url("cancel_booking", dialogue), follow=True)
        assert url("cancel_booking", dialogue) not in followed(response)
    assert "The booking cut-off has passed." in followed(response)
    assert Booking.objects.count() == 1


# One-to-one meetings, lottery


@pytest.fixture
def lottery_slots(buyer, lottery_dialogue):
    return actions.add_slots(
        buyer, lottery_dialogue, first_start=timezone.now() + timedelta(days=12), count=3
    )


def test_supplier_requests_slots_in_a_fieldset(login, supplier, lottery_dialogue, lottery_slots):
    actions.register(supplier, lottery_dialogue)
    client = login(supplier)
    page = body(client.get(detail(lottery_dialogue)))
    assert "<legend" in page
    assert url("book", lottery_dialogue, lottery_slots[0].pk) not in page
    response = client.post(
        url("request_slots", lottery_dialogue),
        {"slots": [lottery_slots[0].pk, lottery_slots[2].pk]},
        follow=True,
    )
    assert "Your choice of 2 slots is saved." in followed(response)
    assert set(SlotRequest.objects.values_list("slot", flat=True)) == {
        lottery_slots[0].pk,
        lottery_slots[2].pk,
    }


def test_requesting_a_slot_of_another_dialogue_changes_nothing(
    login, buyer, supplier, lottery_dialogue, lottery_slots
):
    other = make_dialogue(buyer, meeting_mode=MeetingMode.LOTTERY)
    foreign = actions.add_slots(
        buyer, other, first_start=timezone.now() + timedelta(days=40), count=1
    )
    actions.register(supplier, lottery_dialogue)
    response = login(supplier).post(
        url("request_slots", lottery_dialogue), {"slots": [foreign[0].pk]}, follow=True
    )
    assert "Select a valid choice" in followed(response)
    assert not SlotRequest.objects.exists()


def test_after_the_draw_the_supplier_sees_its_slot_and_the_record_link(
    login, buyer, supplier, lottery_dialogue, lottery_slots
):
    actions.register(supplier, lottery_dialogue)
    actions.request_slots(supplier, lottery_dialogue, [lottery_slots[1].pk])
    with time_machine.travel(lottery_dialogue.booking_cutoff + timedelta(minutes=1)):
        actions.draw_lottery(buyer, lottery_dialogue)
        page = body(login(supplier).get(detail(lottery_dialogue)))
    assert "Your meeting:" in page
    assert url("lottery", lottery_dialogue) in page
    assert url("request_slots", lottery_dialogue) not in page


# Questions


def test_supplier_asks_a_question_and_sees_it_waiting(login, registered, dialogue):
    client = login(registered)
    response = client.post(url("ask", dialogue), {"text": "Kan løsningen være skybasert?"})
    assert response.status_code == 302
    page = body(client.get(detail(dialogue)))
    assert "Kan løsningen være skybasert?" in page
    assert "Waiting for an answer" in page
    assert Question.objects.get().organisation == registered.organisation


def test_asking_with_htmx_answers_with_the_questions_section(login, registered, dialogue):
    response = login(registered).post(
        url("ask", dialogue), {"text": "Hvor mange brukere?"}, HTTP_HX_REQUEST="true"
    )
    page = body(response)
    assert "<html" not in page
    assert 'id="questions-live" hx-swap-oob="innerHTML"' in page
    assert "Hvor mange brukere?" in page


def test_an_empty_question_is_refused_next_to_the_field(login, registered, dialogue):
    response = login(registered).post(url("ask", dialogue), {"text": "  "})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in body(response)
    assert not Question.objects.exists()


def test_question_after_the_deadline_gives_a_message_and_changes_nothing(
    login, registered, dialogue
):
    with time_machine.travel(dialogue.question_deadline + timedelta(minutes=1)):
        response = login(registered).post(url("ask", dialogue), {"text": "For sent?"}, follow=True)
    assert "The deadline for questions has passed." in body(response)
    assert not Question.objects.exists()


def test_answered_question_links_to_the_published_answer(login, buyer, registered, dialogue):
    question = actions.ask_question(registered, dialogue, "Kan dere dele dagens volum?")
    answer = actions.answer_question(
        buyer, question, question_text="Hva er volumet i dag?", answer_text="120 besøk i uka."
    )
    page = body(login(registered).get(detail(dialogue)))
    assert "Answered to all" in page
    assert f'href="#answer-{answer.pk}"' in page
    assert f'id="answer-{answer.pk}"' in page


# Written input


def test_supplier_sends_written_input_with_a_file(login, registered, dialogue, media):
    client = login(registered)
    response = client.post(
        url("input", dialogue),
        {"title": "Innspill til behovet", "text": "Vi foreslår …", "file": pdf("innspill.pdf")},
        follow=True,
    )
    page = followed(response)
    assert "was sent to the buyer" in page
    item = WrittenInput.objects.get()
    assert item.content_type == "application/pdf"
    assert item.organisation == registered.organisation
    assert "innspill.pdf" in page


def test_oversized_upload_gives_a_message_and_changes_nothing(
    login, registered, dialogue, media, settings
):
    settings.LUPIN_UPLOAD_MAX_BYTES = 10
    response = login(registered).post(
        url("input", dialogue), {"title": "For stor", "file": pdf("stor.pdf")}
    )
    assert response.status_code == 200
    assert "The file is too large" in body(response)
    assert not WrittenInput.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_file_that_is_not_what_it_claims_is_refused(login, registered, dialogue, media):
    fake = SimpleUploadedFile("innspill.pdf", b"MZ not a pdf", "application/pdf")
    response = login(registered).post(url("input", dialogue), {"title": "Falsk", "file": fake})
    assert "not a valid .pdf file" in body(response)
    assert not WrittenInput.objects.exists()


def test_input_after_the_deadline_is_refused(login, registered, dialogue):
    with time_machine.travel(dialogue.input_deadline + timedelta(minutes=1)):
        client = login(registered)
        page = body(client.get(url("input", dialogue)))
        assert "Written input is closed" in page
        response = client.post(
            url("input", dialogue), {"title": "Sent", "text": "Tekst"}, follow=True
        )
    assert "The deadline for written input has passed." in body(response)
    assert not WrittenInput.objects.exists()


def test_unregistered_supplier_has_no_input_page(login, supplier, dialogue):
    assert login(supplier).get(url("input", dialogue)).status_code == 404


def test_anonymous_input_page_goes_to_login(login, dialogue):
    response = login(None).get(url("input", dialogue))
    assert response.status_code == 302
    assert "next=" in response["Location"]


# Materials


def test_registered_supplier_downloads_a_material_privately(
    login, buyer, registered, dialogue, media
):
    material = actions.share_material(buyer, dialogue, title="Program", upload=pdf())
    response = login(registered).get(url("material_download", dialogue, material.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_the_buyer_downloads_its_own_material(login, buyer, dialogue, media):
    material = actions.share_material(buyer, dialogue, title="Program", upload=pdf())
    assert login(buyer).get(url("material_download", dialogue, material.pk)).status_code == 200


# Minutes


@pytest.fixture
def minutes(buyer, registered, dialogue, slots):
    booking = actions.book_slot(registered, slots[0])
    with time_machine.travel(slots[0].starts_at + timedelta(minutes=70)):
        return actions.record_minutes(
            buyer,
            booking,
            text="Leverandøren presenterte løsningen.\n\nPrisen er 40 kroner per bruker.",
        )


def test_supplier_marks_a_paragraph_of_its_minutes_as_business_secret(
    login, registered, dialogue, minutes
):
    client = login(registered)
    page = body(client.get(detail(dialogue)))
    assert url("my_minutes", dialogue) in page
    page = body(client.get(url("my_minutes", dialogue)))
    assert "Prisen er 40 kroner per bruker." in page
    assert "<legend" in page
    response = client.post(url("my_minutes", dialogue), {"paragraphs": ["1"]}, follow=True)
    assert "business secrets is saved" in followed(response)
    minutes.refresh_from_db()
    assert minutes.secret_paragraphs == [1]
    assert minutes.secrets_marked_by == registered


def test_marking_a_paragraph_that_does_not_exist_changes_nothing(
    login, registered, dialogue, minutes
):
    response = login(registered).post(url("my_minutes", dialogue), {"paragraphs": ["7"]})
    assert response.status_code == 200
    assert "Select a valid choice" in body(response)
    minutes.refresh_from_db()
    assert minutes.secret_paragraphs == []


def test_supplier_without_minutes_has_no_minutes_page(login, registered, dialogue):
    assert login(registered).get(url("my_minutes", dialogue)).status_code == 404


def test_htmx_question_after_the_deadline_says_why_in_the_section(login, registered, dialogue):
    with time_machine.travel(dialogue.question_deadline + timedelta(minutes=1)):
        response = login(registered).post(
            url("ask", dialogue), {"text": "For sent?"}, HTTP_HX_REQUEST="true"
        )
    page = body(response)
    assert "<html" not in page
    assert "The deadline for questions has passed." in page
    assert "Questions are closed." in page
    assert not Question.objects.exists()


def test_htmx_post_by_an_unregistered_supplier_reloads_the_whole_page(
    login, supplier, dialogue, slots
):
    response = login(supplier).post(url("book", dialogue, slots[0].pk), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == detail(dialogue) + "#meetings"
    assert not Booking.objects.exists()


def test_notice_query_count_does_not_grow_with_what_is_shared(
    login,
    buyer,
    registered,
    rival,
    dialogue,
    slots,
    conference,
    media,
    django_assert_max_num_queries,
):
    client = login(registered)
    client.get(detail(dialogue))
    with django_assert_max_num_queries(20) as few:
        client.get(detail(dialogue))
    actions.register(rival, dialogue)
    actions.book_slot(rival, slots[2])
    for number in range(3):
        start = timezone.now() + timedelta(days=2 + number)
        conference = actions.save_conference(
            buyer,
            dialogue,
            ConferenceData(
                title=f"Konferanse {number}",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place="Rådhuset",
            ),
        )
        actions.sign_up(rival, conference, ["Rita"])
        actions.share_material(buyer, dialogue, title=f"Dokument {number}", upload=pdf())
        actions.publish_clarification(
            buyer, dialogue, question_text=f"Spørsmål {number}", answer_text="Svar"
        )
        actions.ask_question(registered, dialogue, f"Mitt spørsmål {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(detail(dialogue))
