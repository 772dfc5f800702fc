"""The equal-treatment report: a clean dialogue has no flags; every planted imbalance is flagged;
only the project's insiders reach the page and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lupin.dialogue import actions, report
from lupin.dialogue.models import Booking, Delivery, DeliveryKind, Minutes
from lupin.dialogue.tests.conftest import pdf


@pytest.fixture
def both(dialogue, supplier, rival):
    """Both suppliers registered before anything is shared."""
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    return dialogue


@pytest.fixture
def shared(both, buyer, media):
    """A material and an answer, delivered to both at the same moment."""
    material = actions.share_material(buyer, both, title="Program", upload=pdf())
    answer = actions.publish_clarification(
        buyer, both, question_text="Hva er budsjettet?", answer_text="Om lag 2 MNOK."
    )
    return material, answer


def codes(result: report.Report) -> list[tuple[str, str]]:
    return [(flag.organisation.name, flag.code) for flag in result.flags]


def test_a_clean_dialogue_has_no_flags(
    buyer, both, shared, slots, supplier, rival, supplier_org, rival_org
):
    question = actions.ask_question(supplier, both, "Kan vi vise en prototype?")
    actions.answer_question(buyer, question, question_text="Prototyper?", answer_text="Ja.")
    actions.book_slot(supplier, slots[0])
    actions.book_slot(rival, slots[1])
    actions.sign_up(supplier, _conference(buyer, both), ["Kari", "Ola"])
    with time_machine.travel(slots[1].ends_at + timedelta(hours=1)):
        for booking in Booking.objects.all():
            actions.record_minutes(buyer, booking, text="Referat.", actual_minutes=60)
        result = report.build(both)

    assert result.flags == []
    rows = {row.organisation: row for row in result.rows}
    mine = rows[supplier_org]
    assert (mine.materials_received, mine.answers_received) == (1, 2)
    assert mine.conference_seats == 2
    assert mine.questions_asked == 1
    assert mine.meeting is not None
    assert (mine.meeting.slot_minutes, mine.meeting.actual_minutes) == (60, 60)
    assert rows[rival_org].questions_asked == 0
    assert rows[rival_org].conference_seats == 0


def test_a_late_registrant_receiving_earlier_items_at_registration_is_not_flagged(
    buyer, dialogue, supplier, rival, media
):
    actions.register(supplier, dialogue)
    actions.share_material(buyer, dialogue, title="Program", upload=pdf())
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        actions.register(rival, dialogue)
        result = report.build(dialogue)
    assert result.flags == []
    assert all(row.materials_received == 1 for row in result.rows)


def test_a_late_delivery_to_a_supplier_registered_earlier_is_flagged(
    both, shared, rival_org, supplier_org
):
    material, _answer = shared
    delivery = Delivery.objects.get(
        organisation=rival_org, kind=DeliveryKind.MATERIAL, object_id=material.pk
    )
    delivery.delivered_at += timedelta(hours=2)
    delivery.save(update_fields=["delivered_at"])

    result = report.build(both)
    assert codes(result) == [(rival_org.name, report.EARLIER_ACCESS)]
    [flag] = result.flags
    assert "Program" in flag.explanation
    assert "2 h 0 min after the first supplier" in flag.explanation


def test_a_delivery_within_a_minute_is_on_time(both, shared, rival_org):
    material, _answer = shared
    Delivery.objects.filter(organisation=rival_org, object_id=material.pk).update(
        delivered_at=material.published_at + timedelta(seconds=59)
    )
    assert report.build(both).flags == []


def test_an_answer_never_delivered_is_flagged(both, shared, supplier_org):
    _material, answer = shared
    Delivery.objects.filter(
        organisation=supplier_org, kind=DeliveryKind.ANSWER, object_id=answer.pk
    ).delete()
    result = report.build(both)
    assert codes(result) == [(supplier_org.name, report.EARLIER_ACCESS)]
    assert "Never received Answer 1" in result.flags[0].explanation
    row = next(r for r in result.rows if r.organisation == supplier_org)
    assert row.answers_received == 0
    assert row.answers[0].delivered_at is None


def test_a_longer_meeting_is_flagged(buyer, both, slots, supplier, rival, supplier_org):
    booking = actions.book_slot(supplier, slots[0])
    actions.book_slot(rival, slots[1])
    Minutes.objects.create(booking=booking, text="Referat.", actual_minutes=90, recorded_by=buyer)

    result = report.build(both)
    assert codes(result) == [(supplier_org.name, report.LONGER_MEETING)]
    assert "90 minutes" in result.flags[0].explanation
    assert "standard length for every supplier is 60 minutes" in result.flags[0].explanation


def test_a_longer_slot_without_minutes_is_flagged(buyer, both, slots, supplier, supplier_org):
    slot = slots[0]
    slot.ends_at = slot.starts_at + timedelta(minutes=75)
    slot.save(update_fields=["ends_at"])
    actions.book_slot(supplier, slot)
    assert codes(report.build(both)) == [(supplier_org.name, report.LONGER_MEETING)]


def test_a_question_answered_after_a_meeting_started_is_flagged(
    buyer, both, slots, supplier, rival, rival_org
):
    actions.ask_question(supplier, both, "Det første spørsmålet")
    secret = actions.ask_question(supplier, both, "Hemmelig: hvem andre er med?")
    actions.book_slot(rival, slots[0])
    with time_machine.travel(slots[0].starts_at + timedelta(minutes=30)):
        actions.answer_question(buyer, secret, question_text="Hvem er med?", answer_text="Alle.")
    with time_machine.travel(slots[0].ends_at + timedelta(days=1)):
        result = report.build(both)

    flagged = [f for f in result.flags if f.code == report.OPEN_QUESTION_DURING_MEETING]
    assert [f.organisation for f in flagged] == [rival_org, rival_org]
    second = flagged[1].explanation
    assert "Question 2" in second
    assert "published only at" in second
    assert "Hemmelig" not in second
    assert "still unanswered" in flagged[0].explanation


def test_a_question_answered_before_the_meeting_or_asked_after_it_is_not_flagged(
    buyer, both, slots, supplier, rival
):
    early = actions.ask_question(supplier, both, "Før møtet")
    actions.answer_question(buyer, early, question_text="Før?", answer_text="Ja.")
    actions.book_slot(rival, slots[0])
    with time_machine.travel(slots[0].ends_at + timedelta(minutes=5)):
        actions.ask_question(supplier, both, "Etter møtet")
    with time_machine.travel(slots[0].ends_at + timedelta(days=1)):
        assert report.build(both).flags == []


def test_a_meeting_still_to_come_is_not_flagged_for_open_questions(both, slots, supplier, rival):
    actions.ask_question(supplier, both, "Venter")
    actions.book_slot(rival, slots[0])
    assert report.build(both).flags == []


def test_report_loads_in_a_few_queries(
    buyer, both, shared, slots, supplier, rival, django_assert_max_num_queries
):
    actions.book_slot(supplier, slots[0])
    actions.ask_question(rival, both, "Spørsmål")
    with django_assert_max_num_queries(8):
        report.build(both)


# The page and the CSV


def _conference(buyer, dialogue):
    start = timezone.now() + timedelta(days=5)
    return actions.save_conference(
        buyer,
        dialogue,
        actions.ConferenceData(
            title="Dialogkonferanse",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Rådhuset",
        ),
    )


def page(dialogue) -> str:
    return reverse("dialogue:report", args=[dialogue.pk])


def csv_url(dialogue) -> str:
    return reverse("dialogue:report_csv", args=[dialogue.pk])


def test_clean_report_page_says_so(login, buyer, both, shared, supplier_org, rival_org):
    response = login(buyer).get(page(both))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-color="success"' in html
    assert 'data-color="warning"' not in html
    assert supplier_org.name in html and rival_org.name in html
    assert " CET" in html or " CEST" in html


def test_report_page_lists_the_flags(login, buyer, both, shared, rival_org):
    material, _answer = shared
    Delivery.objects.filter(organisation=rival_org, object_id=material.pk).delete()
    html = login(buyer).get(page(both)).content.decode()
    assert 'data-color="warning"' in html
    assert "EARLIER_ACCESS" in html
    assert "Never received the material" in html


def test_report_page_never_shows_question_text(login, buyer, both, slots, supplier, rival):
    actions.ask_question(supplier, both, "Hemmelig spørsmålstekst")
    actions.book_slot(rival, slots[0])
    with time_machine.travel(slots[0].ends_at + timedelta(days=1)):
        html = login(buyer).get(page(both)).content.decode()
    assert "OPEN_QUESTION_DURING_MEETING" in html
    assert "Hemmelig spørsmålstekst" not in html


def test_csv_has_one_line_per_supplier_and_the_flags(
    login, buyer, both, shared, slots, supplier, supplier_org, rival_org
):
    booking = actions.book_slot(supplier, slots[0])
    Minutes.objects.create(booking=booking, text="Referat.", actual_minutes=90, recorded_by=buyer)
    response = login(buyer).get(csv_url(both))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"dialogue-{both.pk}.csv" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *lines = rows
    assert len(lines) == 2
    assert header[-1] == "Flags"
    by_name = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    mine = by_name[supplier_org.name]
    assert mine["Organisation number"] == supplier_org.org_number
    assert mine["Materials received"] == "1"
    assert "Program (" in mine["Materials (delivered)"]
    assert mine["Slot length (minutes)"] == "60"
    assert mine["Actual length (minutes)"] == "90"
    assert mine["Flags"].startswith("LONGER_MEETING: ")
    assert by_name[rival_org.name]["Flags"] == ""


def test_csv_defuses_formulas(login, buyer, both, supplier_org):
    supplier_org.name = "=HYPERLINK(1)"
    supplier_org.save(update_fields=["name"])
    content = login(buyer).get(csv_url(both)).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content


@pytest.mark.parametrize("role", ["buyer", "buyer_colleague", "advisor"])
def test_insiders_reach_the_report(request, login, both, role):
    client = login(request.getfixturevalue(role))
    assert client.get(page(both)).status_code == 200
    assert client.get(csv_url(both)).status_code == 200


@pytest.mark.parametrize("role", ["supplier", "rival", "cobuyer", None])
def test_suppliers_outsiders_and_anonymous_get_404(request, login, both, role):
    client = login(request.getfixturevalue(role) if role else None)
    assert client.get(page(both)).status_code == 404
    assert client.get(csv_url(both)).status_code == 404
