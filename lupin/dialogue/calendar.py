"""Calendar files (.ics, RFC 5545) for a dialogue's dated events.

Times are stored in UTC and written in UTC (`…Z`), so no calendar has to guess a time zone. Each
event has a stable UID, so importing a file again updates the event instead of adding a copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.dialogue.models import Booking, Conference, Dialogue

PRODID = "-//Lupin//Market dialogue//EN"
UID_DOMAIN = "lupin"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _event(
    *,
    uid: str,
    summary: str,
    start: datetime,
    end: datetime | None = None,
    description: str = "",
    location: str = "",
    url: str = "",
    busy: bool = True,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", _utc(timezone.now()))
    event.add("dtstart", _utc(start))
    # A deadline has no end: RFC 5545 then reads the event as lasting no time at all.
    if end is not None:
        event.add("dtend", _utc(end))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    event.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    return event


def _calendar(events: Iterable[icalendar.Event]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def _lines(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def deadlines_calendar(dialogue: Dialogue, url: str) -> bytes:
    """The registration, question and written-input deadlines as three events."""
    rows = [
        ("registration-deadline", _("Registration deadline"), dialogue.registration_deadline),
        ("question-deadline", _("Deadline for questions"), dialogue.question_deadline),
        ("input-deadline", _("Deadline for written input"), dialogue.input_deadline),
    ]
    return _calendar(
        _event(
            uid=f"dialogue-{dialogue.pk}-{key}",
            summary=f"{label}: {dialogue.title}",
            start=moment,
            description=_lines(dialogue.need_summary, url),
            url=url,
            busy=False,
        )
        for key, label, moment in rows
    )


def conference_calendar(conference: Conference, url: str) -> bytes:
    description = _lines(
        conference.description,
        _("Video link: %(link)s") % {"link": conference.video_link}
        if conference.video_link
        else "",
        url,
    )
    return _calendar(
        [
            _event(
                uid=f"dialogue-{conference.dialogue_id}-conference-{conference.pk}",
                summary=conference.title,
                start=conference.starts_at,
                end=conference.ends_at,
                description=description,
                location=conference.place or conference.video_link,
                url=url,
            )
        ]
    )


def meeting_calendar(booking: Booking, url: str) -> bytes:
    """A supplier's own one-to-one meeting."""
    dialogue = booking.dialogue
    slot = booking.slot
    summary = _("One-to-one meeting: %(title)s") % {"title": dialogue.title}
    description = _lines(
        _("Your organisation's one-to-one meeting with %(buyer)s in the market dialogue.")
        % {"buyer": dialogue.project.lead_buyer.name},
        _("Contact: %(name)s <%(email)s>")
        % {"name": dialogue.contact_name, "email": dialogue.contact_email},
        url,
    )
    return _calendar(
        [
            _event(
                uid=f"dialogue-{dialogue.pk}-meeting-{booking.pk}",
                summary=summary,
                start=slot.starts_at,
                end=slot.ends_at,
                description=description,
                location=slot.place,
                url=url,
            )
        ]
    )
