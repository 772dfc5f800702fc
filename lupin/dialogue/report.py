"""The equal-treatment report: what each registered supplier received and when, and flags.

It only reads. Everything is loaded in a handful of queries and the flags are computed in
Python from the Delivery, Booking, Minutes and Question rows, so the report shows what the
records say happened, not what the rules intended.

Flags (each with a plain explanation for the buyer):
- LONGER_MEETING: a meeting (its recorded length, else its slot) longer than the dialogue's
  standard meeting length.
- EARLIER_ACCESS: a material or answer a supplier received more than a minute after it should
  have (when the first supplier got it, or when it registered if that was later), or never.
  A late registrant receiving earlier items when it registers is the rule working, not a flag.
- OPEN_QUESTION_DURING_MEETING: a question asked before a meeting ended was still unanswered
  while the meeting took place; the meeting's supplier may have heard an answer the others did
  not. Questions are named by number: their text is the asker's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.accounts.models import Organisation
from lupin.dialogue.models import (
    Answer,
    Booking,
    ConferenceSignup,
    Delivery,
    DeliveryKind,
    Dialogue,
    Material,
    Minutes,
    Question,
    Registration,
)

OSLO = ZoneInfo("Europe/Oslo")
# Deliveries of one sharing are written in one transaction with one timestamp; a minute of
# slack keeps clock noise from raising false alarms.
TOLERANCE = timedelta(seconds=60)

LONGER_MEETING = "LONGER_MEETING"
EARLIER_ACCESS = "EARLIER_ACCESS"
OPEN_QUESTION_DURING_MEETING = "OPEN_QUESTION_DURING_MEETING"


def oslo(value: datetime) -> str:
    """A time as the buyer reads it: Oslo time with its zone, e.g. 12.03.2026 10:00 CET."""
    return timezone.localtime(value, OSLO).strftime("%d.%m.%Y %H:%M %Z")


def _duration(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 120:
        return _("%(n)d min") % {"n": minutes}
    return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}


@dataclass(frozen=True)
class Flag:
    code: str
    organisation: Organisation
    explanation: str


@dataclass
class Item:
    """One material or answer as one supplier received it (`delivered_at` None: never)."""

    kind: str
    object_id: int
    label: str
    delivered_at: datetime | None


@dataclass
class Meeting:
    starts_at: datetime
    slot_minutes: int
    actual_minutes: int | None

    @property
    def minutes(self) -> int:
        return self.actual_minutes if self.actual_minutes is not None else self.slot_minutes

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass
class SupplierRow:
    organisation: Organisation
    registered_at: datetime
    materials: list[Item] = field(default_factory=list)
    answers: list[Item] = field(default_factory=list)
    conference_seats: int = 0
    meeting: Meeting | None = None
    questions_asked: int = 0
    flags: list[Flag] = field(default_factory=list)

    @property
    def materials_received(self) -> int:
        return sum(1 for item in self.materials if item.delivered_at is not None)

    @property
    def answers_received(self) -> int:
        return sum(1 for item in self.answers if item.delivered_at is not None)


@dataclass
class Report:
    dialogue: Dialogue
    rows: list[SupplierRow]
    generated_at: datetime

    @property
    def flags(self) -> list[Flag]:
        return [flag for row in self.rows for flag in row.flags]


@dataclass(frozen=True)
class _Shared:
    kind: str
    object_id: int
    label: str


def build(dialogue: Dialogue, now: datetime | None = None) -> Report:
    """The report as the records stand `now` (a meeting counts once it has started)."""
    now = now or timezone.now()
    rows = {
        r.organisation_id: SupplierRow(organisation=r.organisation, registered_at=r.registered_at)
        for r in Registration.objects.filter(dialogue=dialogue).select_related("organisation")
    }
    _add_deliveries(dialogue, rows)
    for signup in ConferenceSignup.objects.filter(conference__dialogue=dialogue):
        if signup.organisation_id in rows:
            rows[signup.organisation_id].conference_seats += len(signup.attendees)
    _add_meetings(dialogue, rows)
    questions = list(
        Question.objects.filter(dialogue=dialogue)
        .select_related("answer")
        .order_by("asked_at", "id")
    )
    for question in questions:
        if question.organisation_id in rows:
            rows[question.organisation_id].questions_asked += 1
    for row in rows.values():
        if row.meeting is not None and row.meeting.starts_at <= now:
            _flag_open_questions(row, row.meeting, questions)
    ordered = sorted(rows.values(), key=lambda r: (r.registered_at, r.organisation.name))
    return Report(dialogue=dialogue, rows=ordered, generated_at=now)


def _add_deliveries(dialogue: Dialogue, rows: dict[int, SupplierRow]) -> None:
    shared = [
        _Shared(DeliveryKind.MATERIAL, m.pk, m.title)
        for m in Material.objects.filter(dialogue=dialogue).order_by("published_at", "id")
    ] + [
        _Shared(DeliveryKind.ANSWER, a.pk, _("Answer %(n)d") % {"n": number})
        for number, a in enumerate(
            Answer.objects.filter(dialogue=dialogue).order_by("published_at", "id"), start=1
        )
    ]
    delivered: dict[tuple[str, int], dict[int, datetime]] = {}
    for kind, object_id, org, at in Delivery.objects.filter(dialogue=dialogue).values_list(
        "kind", "object_id", "organisation_id", "delivered_at"
    ):
        delivered.setdefault((kind, object_id), {})[org] = at
    for item in shared:
        times = delivered.get((item.kind, item.object_id), {})
        for org, row in rows.items():
            received = Item(item.kind, item.object_id, item.label, times.get(org))
            (row.materials if item.kind == DeliveryKind.MATERIAL else row.answers).append(received)
        _flag_access(item, times, rows)


def _add_meetings(dialogue: Dialogue, rows: dict[int, SupplierRow]) -> None:
    recorded = dict(
        Minutes.objects.filter(booking__dialogue=dialogue).values_list(
            "booking_id", "actual_minutes"
        )
    )
    for booking in Booking.objects.filter(dialogue=dialogue).select_related("slot"):
        row = rows.get(booking.organisation_id)
        if row is None:
            continue
        slot = booking.slot
        meeting = Meeting(
            starts_at=slot.starts_at,
            slot_minutes=round((slot.ends_at - slot.starts_at).total_seconds() / 60),
            actual_minutes=recorded.get(booking.pk),
        )
        row.meeting = meeting
        if meeting.minutes > dialogue.meeting_minutes:
            explanation = _(
                "The meeting on %(start)s took %(minutes)d minutes; the standard length for "
                "every supplier is %(standard)d minutes."
            ) % {
                "start": oslo(meeting.starts_at),
                "minutes": meeting.minutes,
                "standard": dialogue.meeting_minutes,
            }
            row.flags.append(Flag(LONGER_MEETING, row.organisation, explanation))


def _flag_access(item: _Shared, times: dict[int, datetime], rows: dict[int, SupplierRow]) -> None:
    first = min((times[org] for org in rows if org in times), default=None)
    noun = _("the material “%(title)s”") if item.kind == DeliveryKind.MATERIAL else "%(title)s"
    what = noun % {"title": item.label}
    for org, row in rows.items():
        at = times.get(org)
        if at is None:
            if first is None:
                explanation = _("Never received %(what)s: no supplier has.")
            else:
                explanation = _("Never received %(what)s, which other suppliers have.")
            row.flags.append(Flag(EARLIER_ACCESS, row.organisation, explanation % {"what": what}))
            continue
        assert first is not None  # noqa: S101 (this org has a time, so there is a minimum)
        # Whoever registered later gets everything at registration: that is on time.
        due = max(first, row.registered_at)
        if at - due <= TOLERANCE:
            continue
        values = {"what": what, "at": oslo(at), "late": _duration(at - due), "due": oslo(due)}
        if due == first:
            explanation = _(
                "Received %(what)s at %(at)s, %(late)s after the first supplier (%(due)s), "
                "although it was registered by then."
            )
        else:
            explanation = _("Received %(what)s at %(at)s, %(late)s after it registered (%(due)s).")
        row.flags.append(Flag(EARLIER_ACCESS, row.organisation, explanation % values))


def _flag_open_questions(row: SupplierRow, meeting: Meeting, questions: list[Question]) -> None:
    for number, question in enumerate(questions, start=1):
        if question.asked_at >= meeting.ends_at:
            continue
        answered_at = question.answer.published_at if question.answer else None
        if answered_at is not None and answered_at <= meeting.starts_at:
            continue
        values = {"n": number, "start": oslo(meeting.starts_at)}
        if answered_at is None:
            text = _(
                "Question %(n)d was waiting for an answer during the meeting on %(start)s and "
                "is still unanswered."
            )
        else:
            values["answered"] = oslo(answered_at)
            text = _(
                "Question %(n)d was waiting for an answer during the meeting on %(start)s; "
                "the answer to all was published only at %(answered)s."
            )
        row.flags.append(Flag(OPEN_QUESTION_DURING_MEETING, row.organisation, text % values))
