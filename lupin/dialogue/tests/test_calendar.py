"""Calendar files: parsed back with icalendar, times in UTC, stable UIDs, own meeting only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from lupin.dialogue import actions
from lupin.dialogue.actions import ConferenceData
from lupin.dialogue.tests.conftest import make_dialogue

WINTER = datetime(2031, 1, 15, 11, 0, tzinfo=UTC)  # 12:00 in Oslo
SUMMER = datetime(2031, 6, 15, 8, 30, tzinfo=UTC)  # 10:30 in Oslo


def events(response) -> list[icalendar.Component]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["Content-Disposition"].endswith('.ics"')
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    return list(calendar.walk("VEVENT"))


def assert_utc(event: icalendar.Component, name: str, expected: datetime) -> None:
    value = event.decoded(name)
    assert value == expected
    assert value.utcoffset() == timedelta(0)
    assert f"{name}:{expected:%Y%m%dT%H%M%S}Z" in event.to_ical().decode()


@pytest.fixture
def conference(buyer, dialogue):
    return actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Dialogkonferansen",
            description="Program: behovet, spørsmål, lunsj.",
            starts_at=SUMMER,
            ends_at=SUMMER + timedelta(hours=3),
            place="Fjordvik rådhus",
            video_link="https://video.example/konferanse",
        ),
    )


def test_deadlines_file_has_three_deadlines_in_utc(login, buyer):
    dialogue = make_dialogue(
        buyer,
        registration_deadline=WINTER,
        question_deadline=WINTER + timedelta(days=5),
        input_deadline=SUMMER,
    )
    found = events(login(None).get(reverse("dialogue:deadlines_ics", args=[dialogue.pk])))
    by_uid = {str(event["UID"]): event for event in found}
    assert set(by_uid) == {
        f"dialogue-{dialogue.pk}-registration-deadline@lupin",
        f"dialogue-{dialogue.pk}-question-deadline@lupin",
        f"dialogue-{dialogue.pk}-input-deadline@lupin",
    }
    registration = by_uid[f"dialogue-{dialogue.pk}-registration-deadline@lupin"]
    assert_utc(registration, "DTSTART", WINTER)
    assert_utc(by_uid[f"dialogue-{dialogue.pk}-input-deadline@lupin"], "DTSTART", SUMMER)
    assert str(registration["SUMMARY"]) == f"Registration deadline: {dialogue.title}"
    assert str(registration["URL"]).endswith(reverse("dialogue:detail", args=[dialogue.pk]))
    assert registration.decoded("DTSTAMP").utcoffset() == timedelta(0)


def test_uids_are_stable_between_downloads(login, dialogue, conference):
    url = reverse("dialogue:conference_ics", args=[dialogue.pk, conference.pk])
    first = events(login(None).get(url))
    second = events(login(None).get(url))
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second]


def test_conference_file_has_place_video_link_and_utc_times(login, dialogue, conference):
    url = reverse("dialogue:conference_ics", args=[dialogue.pk, conference.pk])
    (event,) = events(login(None).get(url))
    assert str(event["UID"]) == f"dialogue-{dialogue.pk}-conference-{conference.pk}@lupin"
    assert_utc(event, "DTSTART", SUMMER)
    assert_utc(event, "DTEND", SUMMER + timedelta(hours=3))
    assert str(event["SUMMARY"]) == "Dialogkonferansen"
    assert str(event["LOCATION"]) == "Fjordvik rådhus"
    assert "https://video.example/konferanse" in str(event["DESCRIPTION"])
    assert "Program: behovet" in str(event["DESCRIPTION"])


def test_conference_of_a_draft_is_hidden(login, buyer, supplier):
    draft = make_dialogue(buyer, publish=False)
    conference = actions.save_conference(
        buyer,
        draft,
        ConferenceData(
            title="Hemmelig", starts_at=SUMMER, ends_at=SUMMER + timedelta(hours=1), place="Her"
        ),
    )
    url = reverse("dialogue:conference_ics", args=[draft.pk, conference.pk])
    assert login(supplier).get(url).status_code == 404
    assert login(None).get(reverse("dialogue:deadlines_ics", args=[draft.pk])).status_code == 404


def test_conference_of_another_dialogue_is_not_found(login, buyer, dialogue, conference):
    other = make_dialogue(buyer)
    url = reverse("dialogue:conference_ics", args=[other.pk, conference.pk])
    assert login(None).get(url).status_code == 404


def test_meeting_file_is_the_organisations_own_meeting(
    login, buyer, supplier, rival, dialogue, slots
):
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)
    booking = actions.book_slot(supplier, slots[1])
    url = reverse("dialogue:meeting_ics", args=[dialogue.pk])
    (event,) = events(login(supplier).get(url))
    assert str(event["UID"]) == f"dialogue-{dialogue.pk}-meeting-{booking.pk}@lupin"
    assert_utc(event, "DTSTART", slots[1].starts_at.astimezone(UTC).replace(microsecond=0))
    assert_utc(event, "DTEND", slots[1].ends_at.astimezone(UTC).replace(microsecond=0))
    assert str(event["LOCATION"]) == "Rådhuset"
    assert "Fjordvik kommune" in str(event["DESCRIPTION"])
    # The rival has no meeting, and never gets the supplier's.
    assert login(rival).get(url).status_code == 404
    assert login(buyer).get(url).status_code == 404


def test_meeting_file_needs_login(login, dialogue):
    response = login(None).get(reverse("dialogue:meeting_ics", args=[dialogue.pk]))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_calendar_times_do_not_move_with_the_server_clock(login, buyer):
    """DTSTAMP is now; every other time is the stored UTC moment."""
    dialogue = make_dialogue(buyer, registration_deadline=WINTER)
    before = timezone.now().replace(microsecond=0)
    found = events(login(None).get(reverse("dialogue:deadlines_ics", args=[dialogue.pk])))
    for event in found:
        assert event.decoded("DTSTAMP") >= before
