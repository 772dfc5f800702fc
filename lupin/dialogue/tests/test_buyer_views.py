"""The buyer's pages for running a market dialogue: the notice, the dashboard, conferences,
materials, slots and the lottery, questions and answers, minutes and written input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lupin.conftest import add_benefit, make_project
from lupin.dialogue import actions
from lupin.dialogue.models import (
    Answer,
    Conference,
    Delivery,
    DeliveryKind,
    Dialogue,
    DialogueStatus,
    LotteryDraw,
    Material,
    MeetingMode,
    Minutes,
    QuestionStatus,
    Slot,
)
from lupin.dialogue.tests.conftest import make_dialogue, pdf
from lupin.lib import lottery
from lupin.projects.lifecycle import Phase

OSLO = ZoneInfo("Europe/Oslo")


def local(moment: datetime) -> str:
    """A time as a person types it into `<input type="datetime-local">` in Oslo."""
    return moment.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")


def notice_data(**overrides: str) -> dict[str, str]:
    now = timezone.now()
    data = {
        "title": "Markedsdialog: trygghet om natten",
        "need_summary": "Hjemmeboende eldre trenger trygghet om natten.",
        "asks": "Kom på konferansen og book et møte.",
        "language": "nb",
        "registration_deadline": local(now + timedelta(days=20)),
        "question_deadline": local(now + timedelta(days=25)),
        "input_deadline": local(now + timedelta(days=30)),
        "contact_name": "Ingrid Fjeld",
        "contact_email": "ingrid.fjeld@fjordvik.example",
        "meeting_mode": "first_come",
        "meeting_minutes": "60",
        "break_minutes": "15",
        "booking_cutoff": local(now + timedelta(days=10)),
    }
    data.update(overrides)
    return data


def edit_data(dialogue: Dialogue, **overrides: str) -> dict[str, str]:
    data = {
        "title": dialogue.title,
        "need_summary": dialogue.need_summary,
        "asks": dialogue.asks,
        "language": dialogue.language,
        "registration_deadline": local(dialogue.registration_deadline),
        "question_deadline": local(dialogue.question_deadline),
        "input_deadline": local(dialogue.input_deadline),
        "contact_name": dialogue.contact_name,
        "contact_email": dialogue.contact_email,
        "meeting_mode": dialogue.meeting_mode,
        "meeting_minutes": str(dialogue.meeting_minutes),
        "break_minutes": str(dialogue.break_minutes),
        "booking_cutoff": local(dialogue.booking_cutoff) if dialogue.booking_cutoff else "",
    }
    data.update(overrides)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# The notice ---------------------------------------------------------------------------------


def test_project_page_offers_to_start_then_to_manage_the_dialogue(login, buyer):
    project = make_project(buyer)
    client = login(buyer)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("dialogue:create", args=[project.pk]) in html
    assert "Start market dialogue" in html
    dialogue = make_dialogue(buyer, publish=False)
    html = client.get(reverse("projects:detail", args=[dialogue.project_id])).content.decode()
    assert reverse("dialogue:manage", args=[dialogue.pk]) in html
    assert "Start market dialogue" not in html


def test_create_page_prefills_from_the_project_and_uses_oslo_time_inputs(login, buyer):
    project = make_project(buyer)
    response = login(buyer).get(reverse("dialogue:create", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="datetime-local"' in html
    assert "(Oslo time)" in html
    assert project.need_statement in html
    assert buyer.email in html


def test_buyer_creates_and_publishes_a_dialogue(login, buyer):
    project = make_project(buyer)
    add_benefit(buyer, project)  # the move to market dialogue needs one
    client = login(buyer)
    data = notice_data(
        registration_deadline="2031-03-01T10:00",
        question_deadline="2031-03-05T12:00",
        input_deadline="2031-03-10T12:00",
    )
    response = client.post(reverse("dialogue:create", args=[project.pk]), data)
    dialogue = Dialogue.objects.get(project=project)
    assert response.status_code == 302
    assert response.url == reverse("dialogue:manage", args=[dialogue.pk])
    assert dialogue.status == DialogueStatus.DRAFT
    # 10:00 in Oslo in winter is 09:00 UTC.
    assert dialogue.registration_deadline == datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    assert dialogue.contact_email == "ingrid.fjeld@fjordvik.example"

    response = client.post(reverse("dialogue:publish", args=[dialogue.pk]))
    assert response.status_code == 302
    assert "The dialogue is published" in " ".join(_messages(response))
    dialogue.refresh_from_db()
    project.refresh_from_db()
    assert dialogue.status == DialogueStatus.PUBLISHED
    assert project.phase == Phase.DIALOGUE
    assert project.is_published
    manage = client.get(reverse("dialogue:manage", args=[dialogue.pk])).content.decode()
    assert "1. March 2031 10:00 CET" in manage


def test_a_second_dialogue_for_a_project_sends_the_buyer_to_the_first(login, buyer):
    dialogue = make_dialogue(buyer, publish=False)
    response = login(buyer).get(reverse("dialogue:create", args=[dialogue.project_id]))
    assert response.status_code == 302
    assert response.url == reverse("dialogue:manage", args=[dialogue.pk])


def test_past_deadline_is_refused_naming_the_field_and_keeping_typed_values(login, buyer):
    project = make_project(buyer)
    past = local(timezone.now() - timedelta(days=1))
    data = notice_data(registration_deadline=past, title="Min egen tittel")
    response = login(buyer).post(reverse("dialogue:create", args=[project.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The time has passed" in html
    assert 'href="#id_registration_deadline"' in html
    assert f'value="{past}"' in html
    assert 'value="Min egen tittel"' in html
    assert not Dialogue.objects.exists()


def test_missing_contact_email_is_refused(login, buyer):
    project = make_project(buyer)
    data = notice_data(contact_email="")
    response = login(buyer).post(reverse("dialogue:create", args=[project.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "contact_email" in form.errors
    assert 'value="Ingrid Fjeld"' in response.content.decode()
    assert not Dialogue.objects.exists()


def test_question_deadline_before_the_registration_day_is_refused(login, buyer):
    project = make_project(buyer)
    now = timezone.now()
    data = notice_data(
        registration_deadline=local(now + timedelta(days=20)),
        question_deadline=local(now + timedelta(days=5)),
    )
    response = login(buyer).post(reverse("dialogue:create", args=[project.pk]), data)
    assert "question_deadline" in response.context["form"].errors


def test_booking_cutoff_after_the_first_slot_is_refused(login, buyer, dialogue, slots):
    late = local(slots[0].starts_at + timedelta(hours=1))
    data = edit_data(dialogue, booking_cutoff=late)
    response = login(buyer).post(reverse("dialogue:edit", args=[dialogue.pk]), data)
    assert response.status_code == 200
    assert "booking_cutoff" in response.context["form"].errors
    assert "before the first meeting slot" in response.content.decode()
    assert f'value="{late}"' in response.content.decode()
    cutoff = dialogue.booking_cutoff
    dialogue.refresh_from_db()
    assert dialogue.booking_cutoff == cutoff


def test_saving_the_edit_form_unchanged_changes_nothing(login, buyer, dialogue):
    before = dialogue.project.events.count()
    response = login(buyer).post(reverse("dialogue:edit", args=[dialogue.pk]), edit_data(dialogue))
    assert response.status_code == 302
    after = Dialogue.objects.get(pk=dialogue.pk)
    assert after.registration_deadline == dialogue.registration_deadline
    assert dialogue.project.events.count() == before


def test_buyer_colleague_may_manage(login, buyer_colleague, dialogue):
    client = login(buyer_colleague)
    assert client.get(reverse("dialogue:manage", args=[dialogue.pk])).status_code == 200
    data = edit_data(dialogue, title="Ny tittel")
    response = client.post(reverse("dialogue:edit", args=[dialogue.pk]), data)
    assert response.status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.title == "Ny tittel"


def test_cancelling_needs_a_reason(login, buyer, dialogue):
    client = login(buyer)
    assert client.get(reverse("dialogue:cancel", args=[dialogue.pk])).status_code == 200
    response = client.post(reverse("dialogue:cancel", args=[dialogue.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(
        reverse("dialogue:cancel", args=[dialogue.pk]), {"reason": "Behovet er borte."}
    )
    assert response.status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.status == DialogueStatus.CANCELLED
    assert dialogue.transitions.last().reason == "Behovet er borte."


def test_finishing_the_dialogue(login, buyer, dialogue):
    login(buyer).post(reverse("dialogue:finish", args=[dialogue.pk]))
    dialogue.refresh_from_db()
    assert dialogue.status == DialogueStatus.FINISHED


# The dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_registrations_questions_and_bookings(
    login, buyer, dialogue, slots, supplier, rival
):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    actions.ask_question(supplier, dialogue, "Kan vi bruke eksisterende alarmer?")
    actions.book_slot(supplier, slots[0])
    html = login(buyer).get(reverse("dialogue:manage", args=[dialogue.pk])).content.decode()
    assert "Nordlys Teknologi AS" in html
    assert "Konkurrent AS" in html
    assert "Kan vi bruke eksisterende alarmer?" in html
    assert reverse("dialogue:answer", args=[dialogue.pk, dialogue.questions.get().pk]) in html
    assert reverse("dialogue:report", args=[dialogue.pk]) in html
    assert "Answer to all" in html


def test_dashboard_shows_the_seed_commitment_before_the_draw(login, buyer, lottery_dialogue):
    actions.add_slots(
        buyer, lottery_dialogue, first_start=timezone.now() + timedelta(days=12), count=2
    )
    lottery_dialogue.refresh_from_db()
    html = login(buyer).get(reverse("dialogue:manage", args=[lottery_dialogue.pk])).content
    assert lottery.seed_commitment(lottery_dialogue.lottery_seed) in html.decode()
    assert lottery_dialogue.lottery_seed not in html.decode()
    assert reverse("dialogue:draw", args=[lottery_dialogue.pk]) not in html.decode()


def test_dashboard_query_count_does_not_grow_with_rows(
    login, buyer, dialogue, slots, supplier, rival, django_assert_max_num_queries
):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    actions.book_slot(supplier, slots[0])
    actions.book_slot(rival, slots[1])
    for text in ("Ett?", "To?", "Tre?"):
        actions.ask_question(supplier, dialogue, text)
    actions.publish_clarification(buyer, dialogue, question_text="Q", answer_text="A")
    client = login(buyer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dialogue:manage", args=[dialogue.pk])).status_code == 200


# Conferences and materials ----------------------------------------------------------------


def test_buyer_adds_and_edits_a_conference(login, buyer, dialogue):
    client = login(buyer)
    start = timezone.now() + timedelta(days=8)
    data = {
        "title": "Dialogkonferanse",
        "description": "Program",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=3)),
        "place": "Rådhuset",
        "video_link": "",
        "seats_per_organisation": "2",
        "capacity": "40",
    }
    response = client.post(reverse("dialogue:conference_add", args=[dialogue.pk]), data)
    assert response.status_code == 302
    conference = Conference.objects.get()
    assert conference.capacity == 40
    data["title"] = "Dialogkonferansen"
    url = reverse("dialogue:conference_edit", args=[dialogue.pk, conference.pk])
    assert client.post(url, data).status_code == 302
    conference.refresh_from_db()
    assert conference.title == "Dialogkonferansen"


def test_conference_without_place_or_link_is_refused(login, buyer, dialogue):
    start = timezone.now() + timedelta(days=8)
    data = {
        "title": "Konferanse",
        "starts_at": local(start),
        "ends_at": local(start - timedelta(hours=1)),
        "seats_per_organisation": "2",
    }
    response = login(buyer).post(reverse("dialogue:conference_add", args=[dialogue.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "place" in errors and "ends_at" in errors
    assert not Conference.objects.exists()


def test_material_is_shared_with_every_registered_supplier(
    login, buyer, dialogue, supplier, rival, media
):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    response = login(buyer).post(
        reverse("dialogue:material_add", args=[dialogue.pk]),
        {"title": "Behovsbeskrivelse", "file": pdf()},
    )
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.content_type == "application/pdf"
    assert Delivery.objects.filter(kind=DeliveryKind.MATERIAL, object_id=material.pk).count() == 2


def test_oversized_material_is_refused_with_the_limit(login, buyer, dialogue, media, settings):
    settings.LUPIN_UPLOAD_MAX_BYTES = 10
    response = login(buyer).post(
        reverse("dialogue:material_add", args=[dialogue.pk]),
        {"title": "Stor", "file": pdf()},
    )
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not Material.objects.exists()


def test_material_with_wrong_content_is_refused(login, buyer, dialogue, media):
    fake = SimpleUploadedFile("notat.pdf", b"not a pdf", "application/pdf")
    response = login(buyer).post(
        reverse("dialogue:material_add", args=[dialogue.pk]), {"title": "", "file": fake}
    )
    assert "file" in response.context["form"].errors
    assert not Material.objects.exists()


# Slots and the lottery --------------------------------------------------------------------


def test_slots_page_shows_the_fixed_length_and_break(login, buyer, dialogue):
    html = login(buyer).get(reverse("dialogue:slots", args=[dialogue.pk])).content.decode()
    assert "60 minutes" in html
    assert "15-minute break" in html


def test_buyer_adds_slots_in_a_row(login, buyer, dialogue):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=12)
    data = {"first_start": local(start), "count": "3", "place": "Rådhuset"}
    response = login(buyer).post(reverse("dialogue:slots", args=[dialogue.pk]), data)
    assert response.status_code == 302
    starts = list(dialogue.slots.values_list("starts_at", flat=True))
    assert starts == [start, start + timedelta(minutes=75), start + timedelta(minutes=150)]


def test_slot_adding_refuses_overlap(login, buyer, dialogue, slots):
    overlapping = local(slots[0].starts_at + timedelta(minutes=30))
    data = {"first_start": overlapping, "count": "1", "place": ""}
    response = login(buyer).post(reverse("dialogue:slots", args=[dialogue.pk]), data)
    assert response.status_code == 200
    assert "overlap" in str(response.context["form"].errors["first_start"])
    assert Slot.objects.count() == 3


def test_slots_before_the_cutoff_are_refused(login, buyer, dialogue):
    early = local(dialogue.booking_cutoff - timedelta(days=1))
    data = {"first_start": early, "count": "1", "place": ""}
    response = login(buyer).post(reverse("dialogue:slots", args=[dialogue.pk]), data)
    assert "first_start" in response.context["form"].errors
    assert not Slot.objects.exists()


def test_a_free_slot_can_be_removed_but_not_a_booked_one(login, buyer, dialogue, slots, supplier):
    actions.register(supplier, dialogue)
    actions.book_slot(supplier, slots[0])
    client = login(buyer)
    client.post(reverse("dialogue:slot_delete", args=[dialogue.pk, slots[0].pk]))
    client.post(reverse("dialogue:slot_delete", args=[dialogue.pk, slots[1].pk]))
    assert set(Slot.objects.values_list("pk", flat=True)) == {slots[0].pk, slots[2].pk}


def test_draw_refused_before_cutoff(login, buyer, lottery_dialogue, supplier):
    slots = actions.add_slots(
        buyer, lottery_dialogue, first_start=timezone.now() + timedelta(days=12), count=2
    )
    actions.register(supplier, lottery_dialogue)
    actions.request_slots(supplier, lottery_dialogue, [slots[0].pk])
    client = login(buyer)
    url = reverse("dialogue:draw", args=[lottery_dialogue.pk])
    response = client.post(url)
    assert "at the cut-off, not before" in " ".join(_messages(response))
    assert not LotteryDraw.objects.exists()
    with time_machine.travel(lottery_dialogue.booking_cutoff + timedelta(minutes=1), tick=False):
        manage = client.get(reverse("dialogue:manage", args=[lottery_dialogue.pk]))
        assert url in manage.content.decode()
        client.post(url)
    draw = LotteryDraw.objects.get()
    assert lottery.verify({"seed": draw.seed, "inputs": draw.inputs, "result": draw.result})
    assert lottery_dialogue.bookings.get().slot == slots[0]


# Questions and answers ----------------------------------------------------------------------


def test_answer_page_shows_the_question_privately_and_warns_it_goes_to_all(
    login, buyer, dialogue, supplier
):
    actions.register(supplier, dialogue)
    question = actions.ask_question(supplier, dialogue, "Kan Nordlys' sensor brukes?")
    response = login(buyer).get(reverse("dialogue:answer", args=[dialogue.pk, question.pk]))
    html = response.content.decode()
    assert "Nordlys Teknologi AS" in html
    assert "ALL registered suppliers" in html
    assert "no private answer" in html
    assert "Remove anything that reveals who asked" in html
    assert response.context["form"]["question_text"].value() == question.text


def test_answering_a_question_publishes_to_all(
    login, buyer, dialogue, supplier, rival, django_capture_on_commit_callbacks
):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    question = actions.ask_question(supplier, dialogue, "Kan Nordlys' sensor brukes?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(buyer).post(
            reverse("dialogue:answer", args=[dialogue.pk, question.pk]),
            {
                "question_text": "Kan eksisterende sensorer brukes?",
                "answer_text": "Ja, gjerne.",
            },
        )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert answer.question_text == "Kan eksisterende sensorer brukes?"
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    delivered = Delivery.objects.filter(kind=DeliveryKind.ANSWER, object_id=answer.pk)
    assert sorted(delivered.values_list("organisation_id", flat=True)) == sorted(
        [supplier.organisation_id, rival.organisation_id]
    )
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([supplier.email, rival.email])
    assert all("Nordlys" not in message.body for message in mail.outbox)


def test_an_empty_answer_is_refused(login, buyer, dialogue, supplier):
    actions.register(supplier, dialogue)
    question = actions.ask_question(supplier, dialogue, "Spørsmål?")
    response = login(buyer).post(
        reverse("dialogue:answer", args=[dialogue.pk, question.pk]),
        {"question_text": "Spørsmål?", "answer_text": ""},
    )
    assert "answer_text" in response.context["form"].errors
    assert not Answer.objects.exists()


def test_duplicate(login, buyer, dialogue, supplier, rival):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    first = actions.ask_question(rival, dialogue, "Hvor lang er kontrakten?")
    answer = actions.answer_question(
        buyer, first, question_text="Hvor lang er kontrakten?", answer_text="Fire år."
    )
    second = actions.ask_question(supplier, dialogue, "Hvor lenge varer kontrakten?")
    client = login(buyer)
    manage = client.get(reverse("dialogue:manage", args=[dialogue.pk])).content.decode()
    assert reverse("dialogue:duplicate", args=[dialogue.pk, second.pk]) in manage
    response = client.post(
        reverse("dialogue:duplicate", args=[dialogue.pk, second.pk]),
        {f"q{second.pk}-answer": answer.pk},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == QuestionStatus.DUPLICATE
    assert second.answer == answer
    assert Answer.objects.count() == 1


def test_duplicate_refuses_an_answer_of_another_dialogue(login, buyer, dialogue, supplier):
    other = make_dialogue(buyer)
    other_answer = actions.publish_clarification(buyer, other, question_text="Q", answer_text="A")
    actions.register(supplier, dialogue)
    question = actions.ask_question(supplier, dialogue, "Spørsmål?")
    response = login(buyer).post(
        reverse("dialogue:duplicate", args=[dialogue.pk, question.pk]),
        {f"q{question.pk}-answer": other_answer.pk},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN


def test_clarification_is_published_to_all(login, buyer, dialogue, supplier):
    actions.register(supplier, dialogue)
    response = login(buyer).post(
        reverse("dialogue:clarification", args=[dialogue.pk]),
        {"question_text": "Fra konferansen: budsjett", "answer_text": "Rammen er 2,5 MNOK."},
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert Delivery.objects.filter(kind=DeliveryKind.ANSWER, object_id=answer.pk).count() == 1


# Minutes and written input ---------------------------------------------------------------------


@pytest.fixture
def booking(dialogue, slots, supplier):
    actions.register(supplier, dialogue)
    return actions.book_slot(supplier, slots[0])


def test_minutes_save(login, buyer, dialogue, booking):
    client = login(buyer)
    url = reverse("dialogue:minutes", args=[dialogue.pk, booking.pk])
    before = client.get(url)
    assert "once the meeting has started" in before.content.decode()
    with time_machine.travel(booking.slot.starts_at + timedelta(minutes=70), tick=False):
        response = client.post(
            url, {"text": "Første avsnitt.\n\nAndre avsnitt.", "actual_minutes": "65"}
        )
    assert response.status_code == 302
    minutes = Minutes.objects.get()
    assert minutes.paragraphs() == ["Første avsnitt.", "Andre avsnitt."]
    assert minutes.actual_minutes == 65


def test_minutes_page_shows_the_paragraphs_the_supplier_marked_secret(
    login, buyer, supplier, dialogue, booking
):
    with time_machine.travel(booking.slot.starts_at + timedelta(minutes=70), tick=False):
        minutes = actions.record_minutes(buyer, booking, text="Åpent.\n\nHemmelig pris.")
        actions.mark_secrets(supplier, minutes, [1])
        html = (
            login(buyer)
            .get(reverse("dialogue:minutes", args=[dialogue.pk, booking.pk]))
            .content.decode()
        )
    assert "Business secret" in html
    assert html.index("Business secret") < html.index("Hemmelig pris.")
    assert html.index("Åpent.") < html.index("Business secret")


def test_input_download_is_an_attachment_for_insiders(login, buyer, dialogue, supplier, media):
    actions.register(supplier, dialogue)
    item = actions.submit_input(supplier, dialogue, title="Innspill", upload=pdf("innspill.pdf"))
    response = login(buyer).get(reverse("dialogue:input_download", args=[dialogue.pk, item.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_meeting_mode_is_fixed_once_slots_exist(login, buyer, dialogue, slots):
    data = edit_data(dialogue, meeting_mode=MeetingMode.LOTTERY)
    response = login(buyer).post(reverse("dialogue:edit", args=[dialogue.pk]), data)
    assert response.status_code == 200
    assert "meeting_mode" in response.context["form"].errors


def test_publishing_refusal_is_shown_as_a_message(login, buyer):
    project = make_project(buyer)
    client = login(buyer)
    client.post(reverse("dialogue:create", args=[project.pk]), notice_data())
    dialogue = Dialogue.objects.get()
    response = client.post(reverse("dialogue:publish", args=[dialogue.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    dialogue.refresh_from_db()
    assert dialogue.status == DialogueStatus.DRAFT
