"""The dialogue's rules, at the level of actions (pages and API call the same functions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lupin.dialogue import actions
from lupin.dialogue.actions import DialogueError
from lupin.dialogue.models import (
    Booking,
    Delivery,
    DeliveryKind,
    DialogueStatus,
    MeetingMode,
    QuestionStatus,
    Registration,
)
from lupin.dialogue.tests.conftest import make_dialogue, pdf
from lupin.notifications.models import Notification
from lupin.projects.lifecycle import Phase


def test_publishing_the_notice_moves_the_project_to_dialogue_and_publishes_it(buyer):
    dialogue = make_dialogue(buyer, publish=False)
    assert dialogue.project.phase == Phase.NEED
    actions.publish_dialogue(buyer, dialogue)
    dialogue.refresh_from_db()
    dialogue.project.refresh_from_db()
    assert dialogue.status == DialogueStatus.PUBLISHED
    assert dialogue.project.phase == Phase.DIALOGUE
    assert dialogue.project.is_published
    assert dialogue.project.transitions.get().to_phase == Phase.DIALOGUE


def test_only_the_lead_buyer_manages_the_dialogue(dialogue, rival, cobuyer, evaluator):
    for outsider in (rival, cobuyer, evaluator):
        with pytest.raises(PermissionDenied):
            actions.publish_clarification(outsider, dialogue, question_text="q", answer_text="a")


def test_second_registration_of_an_organisation_is_refused(dialogue, supplier, supplier_org):
    actions.register(supplier, dialogue)
    with pytest.raises(DialogueError, match="already registered"):
        actions.register(supplier, dialogue)
    assert Registration.objects.filter(organisation=supplier_org).count() == 1


def test_buyers_cannot_register(dialogue, cobuyer):
    with pytest.raises(DialogueError, match="Only suppliers"):
        actions.register(cobuyer, dialogue)


def test_registration_after_the_deadline_is_refused(dialogue, supplier):
    with (
        time_machine.travel(dialogue.registration_deadline + timedelta(minutes=1)),
        pytest.raises(DialogueError, match="deadline has passed"),
    ):
        actions.register(supplier, dialogue)
    assert not Registration.objects.exists()


def test_late_registrant_receives_everything_shared_before(dialogue, buyer, supplier, rival, media):
    actions.register(supplier, dialogue)
    material = actions.share_material(buyer, dialogue, title="Program", upload=pdf())
    answer = actions.publish_clarification(
        buyer, dialogue, question_text="Hva er budsjettet?", answer_text="Om lag 2 MNOK."
    )
    actions.register(rival, dialogue)
    received = set(
        Delivery.objects.filter(organisation=rival.organisation).values_list("kind", "object_id")
    )
    assert received == {(DeliveryKind.MATERIAL, material.pk), (DeliveryKind.ANSWER, answer.pk)}


def test_material_is_delivered_to_every_registered_supplier_at_the_same_moment(
    dialogue, buyer, supplier, rival, media
):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    material = actions.share_material(buyer, dialogue, title="Program", upload=pdf())
    times = set(
        Delivery.objects.filter(kind=DeliveryKind.MATERIAL, object_id=material.pk).values_list(
            "delivered_at", flat=True
        )
    )
    assert len(times) == 1
    assert Delivery.objects.filter(object_id=material.pk).count() == 2


def test_answer_goes_to_all_registered_suppliers_by_email(
    dialogue, buyer, supplier, rival, django_capture_on_commit_callbacks
):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    question = actions.ask_question(supplier, dialogue, "Kan løsningen bruke eksisterende alarmer?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.answer_question(
            buyer,
            question,
            question_text="Kan løsningen bygge på eksisterende trygghetsalarmer?",
            answer_text="Ja, det er ønskelig.",
        )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([supplier.email, rival.email])
    assert all("eksisterende trygghetsalarmer" in message.body for message in mail.outbox)
    assert all("Nordlys" not in message.body for message in mail.outbox)


def test_a_question_cannot_be_answered_twice(dialogue, buyer, supplier):
    actions.register(supplier, dialogue)
    question = actions.ask_question(supplier, dialogue, "Spørsmål?")
    actions.answer_question(buyer, question, question_text="Spørsmål?", answer_text="Svar.")
    with pytest.raises(DialogueError, match="already been answered"):
        actions.answer_question(buyer, question, question_text="Spørsmål?", answer_text="Igjen.")


def test_duplicate_points_to_a_published_answer(dialogue, buyer, supplier, rival):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    first = actions.ask_question(supplier, dialogue, "Budsjett?")
    answer = actions.answer_question(buyer, first, question_text="Budsjett?", answer_text="2 MNOK")
    second = actions.ask_question(rival, dialogue, "Hva er budsjettet?")
    actions.mark_duplicate(buyer, second, answer)
    second.refresh_from_db()
    assert (second.status, second.answer) == (QuestionStatus.DUPLICATE, answer)


def test_question_after_the_deadline_is_refused(dialogue, supplier):
    actions.register(supplier, dialogue)
    with (
        time_machine.travel(dialogue.question_deadline + timedelta(seconds=1)),
        pytest.raises(DialogueError, match="deadline for questions"),
    ):
        actions.ask_question(supplier, dialogue, "For sent?")


def test_unregistered_supplier_cannot_ask(dialogue, rival):
    with pytest.raises(DialogueError, match="Register"):
        actions.ask_question(rival, dialogue, "Hei?")


def test_double_booking_by_one_organisation_is_refused(dialogue, slots, supplier):
    actions.register(supplier, dialogue)
    actions.book_slot(supplier, slots[0])
    with pytest.raises(DialogueError, match="already has a meeting"):
        actions.book_slot(supplier, slots[1])
    assert Booking.objects.count() == 1


def test_a_booked_slot_cannot_be_taken(dialogue, slots, supplier, rival):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    actions.book_slot(supplier, slots[0])
    with pytest.raises(DialogueError, match="Someone else booked"):
        actions.book_slot(rival, slots[0])


def test_booking_after_the_cutoff_is_refused(dialogue, slots, supplier):
    actions.register(supplier, dialogue)
    with (
        time_machine.travel(dialogue.booking_cutoff + timedelta(minutes=1)),
        pytest.raises(DialogueError, match="cut-off"),
    ):
        actions.book_slot(supplier, slots[0])


def test_cancel_and_rebook_before_the_cutoff(dialogue, slots, supplier):
    actions.register(supplier, dialogue)
    actions.book_slot(supplier, slots[0])
    actions.cancel_booking(supplier, dialogue)
    booking = actions.book_slot(supplier, slots[2])
    assert booking.slot == slots[2]


def test_slots_have_the_dialogues_length_and_break(dialogue, slots):
    assert [s.ends_at - s.starts_at for s in slots] == [timedelta(minutes=60)] * 3
    assert slots[1].starts_at - slots[0].ends_at == timedelta(minutes=15)


def test_meeting_length_is_fixed_once_slots_exist(dialogue, slots, buyer):
    from lupin.dialogue.tests.conftest import dialogue_data

    data = dialogue_data(meeting_minutes=90)
    with pytest.raises(DialogueError, match="fixed once slots exist"):
        actions.update_dialogue(buyer, dialogue, data)


def test_lottery_places_as_many_as_possible_and_is_reproducible(buyer, supplier, rival):
    from lupin.lib import lottery

    dialogue = make_dialogue(buyer, meeting_mode=MeetingMode.LOTTERY)
    start = timezone.now() + timedelta(days=12)
    first, second = actions.add_slots(buyer, dialogue, first_start=start, count=2)
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    actions.request_slots(supplier, dialogue, [first.pk, second.pk])
    actions.request_slots(rival, dialogue, [first.pk])
    with pytest.raises(DialogueError, match="at the cut-off"):
        actions.draw_lottery(buyer, dialogue)
    assert dialogue.booking_cutoff is not None
    with time_machine.travel(dialogue.booking_cutoff + timedelta(minutes=1)):
        assert actions.draw_due_lotteries() == 1
    draw = dialogue.draw
    assert Booking.objects.filter(dialogue=dialogue).count() == 2
    assert Booking.objects.get(organisation=rival.organisation).slot == first
    assert lottery.verify({"seed": draw.seed, "inputs": draw.inputs, "result": draw.result})
    # The published record names pseudonyms, never organisations.
    pseudonyms = set(dialogue.registrations.values_list("pseudonym", flat=True))
    assert set(draw.inputs) == pseudonyms


def test_conference_seats_per_organisation_and_capacity(dialogue, buyer, supplier, rival):
    start = timezone.now() + timedelta(days=5)
    conference = actions.save_conference(
        buyer,
        dialogue,
        actions.ConferenceData(
            title="Dialogkonferanse",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Rådhuset",
            seats_per_organisation=2,
            capacity=3,
        ),
    )
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    with pytest.raises(DialogueError, match="At most 2"):
        actions.sign_up(supplier, conference, ["A", "B", "C"])
    actions.sign_up(supplier, conference, ["Kari", "Ola"])
    with pytest.raises(DialogueError, match="Not enough seats"):
        actions.sign_up(rival, conference, ["Per", "Pål"])
    actions.sign_up(rival, conference, ["Per"])
    assert actions.seats_taken(conference) == 3


def test_minutes_and_business_secrets(dialogue, slots, buyer, supplier, rival):
    actions.register(supplier, dialogue)
    booking = actions.book_slot(supplier, slots[0])
    with pytest.raises(DialogueError, match="once the meeting has started"):
        actions.record_minutes(buyer, booking, text="For tidlig")
    with time_machine.travel(slots[0].ends_at):
        minutes = actions.record_minutes(
            buyer, booking, text="Første avsnitt.\n\nPrisene er hemmelige.", actual_minutes=60
        )
    actions.mark_secrets(supplier, minutes, [1])
    assert minutes.secret_paragraphs == [1]
    with pytest.raises(PermissionDenied):
        actions.mark_secrets(rival, minutes, [0])
    with pytest.raises(DialogueError, match="paragraphs"):
        actions.mark_secrets(supplier, minutes, [5])


def test_written_input_after_the_deadline_is_refused(dialogue, supplier):
    actions.register(supplier, dialogue)
    with (
        time_machine.travel(dialogue.input_deadline + timedelta(seconds=1)),
        pytest.raises(DialogueError, match="written input"),
    ):
        actions.submit_input(supplier, dialogue, title="Innspill", text="Tekst")


def test_notifications_are_outbox_rows_sent_after_commit(
    dialogue, buyer, supplier, django_capture_on_commit_callbacks
):
    actions.register(supplier, dialogue)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.publish_clarification(buyer, dialogue, question_text="Q", answer_text="A")
    row = Notification.objects.get(topic="dialogue.answer")
    assert (row.recipient, row.status) == (supplier.email, "queued")
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.status == "sent"


def test_second_registration_says_it_is_a_conflict(dialogue, supplier):
    """The API answers 409 for this code, 400 for a plain refusal."""
    actions.register(supplier, dialogue)
    with pytest.raises(DialogueError) as refused:
        actions.register(supplier, dialogue)
    assert refused.value.code == "already_registered"
