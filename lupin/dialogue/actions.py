"""Every change in a market dialogue goes through one function here (STYLE.md).

Each owns its transaction, checks the rule, saves, writes the audit row on the project and
queues notifications after commit. Equal treatment is enforced here: sharing a material or an
answer records a delivery to every registered supplier in the same transaction, with the same
timestamp; a new registrant receives everything shared so far at the moment it registers.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lupin.accounts.models import User
from lupin.dialogue import access
from lupin.dialogue.models import (
    STATUS_MOVES,
    Answer,
    Booking,
    Conference,
    ConferenceSignup,
    Delivery,
    DeliveryKind,
    Dialogue,
    DialogueStatus,
    DialogueTransition,
    LotteryDraw,
    Material,
    MeetingMode,
    Minutes,
    Question,
    QuestionStatus,
    Registration,
    Slot,
    SlotRequest,
    WrittenInput,
)
from lupin.lib import lottery
from lupin.notifications.actions import bilingual, bilingual_line, notify
from lupin.projects import access as project_access
from lupin.projects import actions as project_actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project

QUESTION_MAX_LENGTH = 5000


class DialogueError(Exception):
    """A rule said no. The message is for the person who tried; `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _record(dialogue: Dialogue, actor: User | None, verb: str, **detail: Any) -> None:
    project_actions.record(dialogue.project, actor, verb, dialogue=dialogue.pk, **detail)


def _supplier_users(dialogue: Dialogue) -> list[User]:
    """Every active user of every registered supplier: each one gets the notices."""
    return list(
        User.objects.filter(
            is_active=True,
            organisation__dialogue_registrations__dialogue=dialogue,
        ).distinct()
    )


def _link(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# --- The notice ---------------------------------------------------------------------------


@dataclass
class DialogueData:
    title: str
    need_summary: str
    asks: str
    language: str
    registration_deadline: datetime
    question_deadline: datetime
    input_deadline: datetime
    contact_name: str
    contact_email: str
    meeting_mode: str = MeetingMode.FIRST_COME
    meeting_minutes: int = 60
    break_minutes: int = 15
    booking_cutoff: datetime | None = None


def _check_dates(data: DialogueData) -> None:
    if data.booking_cutoff and data.booking_cutoff > data.input_deadline + timedelta(days=365):
        raise DialogueError(
            _("The booking cut-off is too far in the future."), field="booking_cutoff"
        )


@transaction.atomic
def create_dialogue(actor: User, project: Project, data: DialogueData) -> Dialogue:
    _require(project_access.can_edit(actor, project))
    if Dialogue.objects.filter(project=project).exists():
        raise DialogueError(_("This project already has a dialogue notice."))
    if project.phase not in (Phase.NEED, Phase.DIALOGUE):
        raise DialogueError(_("Market dialogue belongs before the competition."))
    _check_dates(data)
    dialogue = Dialogue(project=project, **{f.name: getattr(data, f.name) for f in fields(data)})
    dialogue.save()
    _record(dialogue, actor, "dialogue.created", title=dialogue.title)
    return dialogue


@transaction.atomic
def update_dialogue(actor: User, dialogue: Dialogue, data: DialogueData) -> Dialogue:
    _require(access.can_manage(actor, dialogue))
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.status in (DialogueStatus.FINISHED, DialogueStatus.CANCELLED):
        raise DialogueError(_("A finished or cancelled dialogue cannot be changed."))
    _check_dates(data)
    slots_exist = dialogue.slots.exists()
    changed = []
    for field in fields(data):
        new = getattr(data, field.name)
        if getattr(dialogue, field.name) != new:
            if slots_exist and field.name in ("meeting_minutes", "break_minutes", "meeting_mode"):
                raise DialogueError(
                    _(
                        "Meeting length, break and mode are fixed once slots exist: every "
                        "supplier gets the same."
                    ),
                    field=field.name,
                )
            setattr(dialogue, field.name, new)
            changed.append(field.name)
    if changed:
        dialogue.save(update_fields=changed)
        _record(dialogue, actor, "dialogue.updated", fields=changed)
        if dialogue.is_open:
            users = _supplier_users(dialogue)
            notify(
                users,
                topic="dialogue.updated",
                subject=bilingual_line(
                    lambda: _("Changes to the dialogue “%(title)s”") % {"title": dialogue.title}
                ),
                body=bilingual(
                    "dialogue/email/updated.txt",
                    {"dialogue": dialogue, "url": _link("dialogue:detail", dialogue.pk)},
                ),
            )
    return dialogue


def _transition(actor: User | None, dialogue: Dialogue, to: str, reason: str = "") -> None:
    if to not in STATUS_MOVES[dialogue.status]:
        raise DialogueError(_("A dialogue cannot move from this status to that one."))
    DialogueTransition.objects.create(
        dialogue=dialogue, from_status=dialogue.status, to_status=to, by=actor, reason=reason
    )
    dialogue.status = to
    update = ["status"]
    if to == DialogueStatus.PUBLISHED:
        dialogue.published_at = timezone.now()
        update.append("published_at")
    dialogue.save(update_fields=update)
    _record(dialogue, actor, f"dialogue.{to}", reason=reason)


@transaction.atomic
def publish_dialogue(actor: User, dialogue: Dialogue) -> Dialogue:
    """Publishing the notice publishes the project and moves it to the dialogue phase."""
    _require(access.can_manage(actor, dialogue))
    dialogue = Dialogue.objects.select_for_update().select_related("project").get(pk=dialogue.pk)
    if dialogue.registration_deadline <= timezone.now():
        raise DialogueError(
            _("The registration deadline has passed: set a later one before publishing."),
            field="registration_deadline",
        )
    project = dialogue.project
    if project.phase == Phase.NEED:
        try:
            project_actions.move_phase(actor, project, Phase.DIALOGUE)
        except project_actions.ProjectError as error:
            raise DialogueError(error.message) from None
    elif project.phase != Phase.DIALOGUE:
        raise DialogueError(_("Market dialogue belongs before the competition."))
    if not project.is_published:
        project.refresh_from_db()
        project_actions.publish_project(actor, project)
    _transition(actor, dialogue, DialogueStatus.PUBLISHED)
    return dialogue


@transaction.atomic
def finish_dialogue(actor: User, dialogue: Dialogue) -> Dialogue:
    _require(access.can_manage(actor, dialogue))
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    _transition(actor, dialogue, DialogueStatus.FINISHED)
    return dialogue


@transaction.atomic
def cancel_dialogue(actor: User, dialogue: Dialogue, reason: str) -> Dialogue:
    _require(access.can_manage(actor, dialogue))
    if not reason.strip():
        raise DialogueError(_("Say why the dialogue is cancelled."), field="reason")
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    was_open = dialogue.is_open
    _transition(actor, dialogue, DialogueStatus.CANCELLED, reason.strip())
    if was_open:
        notify(
            _supplier_users(dialogue),
            topic="dialogue.cancelled",
            subject=bilingual_line(
                lambda: _("The dialogue “%(title)s” is cancelled") % {"title": dialogue.title}
            ),
            body=bilingual(
                "dialogue/email/cancelled.txt", {"dialogue": dialogue, "reason": reason}
            ),
        )
    return dialogue


# --- Registration --------------------------------------------------------------------------


def _deliver(
    dialogue: Dialogue, kind: str, object_id: int, organisation_ids: Iterable[int], at: datetime
) -> None:
    Delivery.objects.bulk_create(
        [
            Delivery(
                dialogue=dialogue,
                organisation_id=org,
                kind=kind,
                object_id=object_id,
                delivered_at=at,
            )
            for org in organisation_ids
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def register(actor: User, dialogue: Dialogue) -> Registration:
    """A supplier organisation joins; it receives everything shared so far, now."""
    if not access.is_supplier(actor):
        raise DialogueError(_("Only suppliers register for a market dialogue."))
    if not dialogue.is_open:
        raise DialogueError(_("This dialogue is not open for registration."))
    now = timezone.now()
    if now >= dialogue.registration_deadline:
        raise DialogueError(_("The registration deadline has passed."))
    organisation_id = actor.organisation_id
    assert organisation_id is not None  # noqa: S101 (is_supplier guarantees it)
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                dialogue=dialogue,
                organisation_id=organisation_id,
                registered_by=actor,
                registered_at=now,
                pseudonym=secrets.token_hex(4),
            )
    except IntegrityError:
        raise DialogueError(
            _("Your organisation is already registered."), code="already_registered"
        ) from None
    for material_id in dialogue.materials.values_list("pk", flat=True):
        _deliver(dialogue, DeliveryKind.MATERIAL, material_id, [organisation_id], now)
    for answer_id in dialogue.answers.values_list("pk", flat=True):
        _deliver(dialogue, DeliveryKind.ANSWER, answer_id, [organisation_id], now)
    _record(dialogue, actor, "dialogue.registered", organisation=organisation_id)
    return registration


def _registered_org_ids(dialogue: Dialogue) -> list[int]:
    return list(dialogue.registrations.values_list("organisation_id", flat=True))


def _require_registration(actor: User, dialogue: Dialogue) -> Registration:
    registration = access.registration_of(actor, dialogue)
    if registration is None:
        raise DialogueError(_("Register your organisation for the dialogue first."))
    if not dialogue.is_open:
        raise DialogueError(_("This dialogue is closed."))
    return registration


# --- Conference ------------------------------------------------------------------------------


@dataclass
class ConferenceData:
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    place: str = ""
    video_link: str = ""
    seats_per_organisation: int = 2
    capacity: int | None = None


@transaction.atomic
def save_conference(
    actor: User, dialogue: Dialogue, data: ConferenceData, conference: Conference | None = None
) -> Conference:
    _require(access.can_manage(actor, dialogue))
    if data.ends_at <= data.starts_at:
        raise DialogueError(_("The conference must end after it starts."), field="ends_at")
    if not data.place and not data.video_link:
        raise DialogueError(_("Give a place or a video link."), field="place")
    created = conference is None
    if conference is None:
        conference = Conference(dialogue=dialogue)
    elif conference.dialogue_id != dialogue.pk:
        raise PermissionDenied
    for field in fields(data):
        setattr(conference, field.name, getattr(data, field.name))
    conference.save()
    _record(
        dialogue,
        actor,
        "conference.created" if created else "conference.updated",
        conference=conference.pk,
    )
    if dialogue.is_open:
        notify(
            _supplier_users(dialogue),
            topic="dialogue.conference",
            subject=bilingual_line(
                lambda: _("Dialogue conference: %(title)s") % {"title": conference.title}
            ),
            body=bilingual(
                "dialogue/email/conference.txt",
                {
                    "dialogue": dialogue,
                    "conference": conference,
                    "url": _link("dialogue:detail", dialogue.pk),
                },
            ),
        )
    return conference


@transaction.atomic
def sign_up(actor: User, conference: Conference, attendees: Sequence[str]) -> ConferenceSignup:
    dialogue = conference.dialogue
    registration = _require_registration(actor, dialogue)
    names = [name.strip() for name in attendees if name.strip()]
    if not names:
        raise DialogueError(
            _("Write the name of at least one person who comes."), field="attendees"
        )
    # Lock the conference so two sign-ups cannot both take the last seats.
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    if timezone.now() >= conference.starts_at:
        raise DialogueError(_("The conference has started: sign-up is closed."))
    if len(names) > conference.seats_per_organisation:
        raise DialogueError(
            ngettext(
                "At most %(n)d person per organisation.",
                "At most %(n)d people per organisation.",
                conference.seats_per_organisation,
            )
            % {"n": conference.seats_per_organisation},
            field="attendees",
        )
    existing = ConferenceSignup.objects.filter(
        conference=conference, organisation_id=registration.organisation_id
    ).first()
    if conference.capacity is not None:
        taken = sum(len(s.attendees) for s in conference.signups.all() if s != existing)
        if taken + len(names) > conference.capacity:
            left = max(0, conference.capacity - taken)
            raise DialogueError(
                ngettext(
                    "Not enough seats left: %(left)d seat is free.",
                    "Not enough seats left: %(left)d seats are free.",
                    left,
                )
                % {"left": left},
                field="attendees",
            )
    if existing:
        existing.attendees = names
        existing.signed_up_by = actor
        existing.save(update_fields=["attendees", "signed_up_by"])
        signup = existing
    else:
        signup = ConferenceSignup.objects.create(
            conference=conference,
            organisation_id=registration.organisation_id,
            attendees=names,
            signed_up_by=actor,
        )
    _record(
        dialogue,
        actor,
        "conference.signed_up",
        conference=conference.pk,
        organisation=registration.organisation_id,
        seats=len(names),
    )
    return signup


@transaction.atomic
def cancel_signup(actor: User, conference: Conference) -> None:
    registration = _require_registration(actor, conference.dialogue)
    deleted, _rows = ConferenceSignup.objects.filter(
        conference=conference, organisation_id=registration.organisation_id
    ).delete()
    if not deleted:
        raise DialogueError(_("Your organisation is not signed up."))
    _record(conference.dialogue, actor, "conference.signup_cancelled", conference=conference.pk)


def seats_taken(conference: Conference) -> int:
    # Summed in Python: SQLite and PostgreSQL differ on JSON array functions.
    return sum(len(s.attendees) for s in conference.signups.all())


# --- Materials ---------------------------------------------------------------------------------


@transaction.atomic
def share_material(
    actor: User,
    dialogue: Dialogue,
    *,
    title: str,
    upload: UploadedFile,
    conference: Conference | None = None,
) -> Material:
    """Share a file with every registered supplier at the same moment."""
    _require(access.can_manage(actor, dialogue))
    if conference is not None and conference.dialogue_id != dialogue.pk:
        raise DialogueError(_("That conference belongs to another dialogue."), field="conference")
    now = timezone.now()
    material = Material(
        dialogue=dialogue,
        conference=conference,
        title=title or upload.name or "",
        content_type=upload.content_type or "application/octet-stream",
        size=upload.size or 0,
        uploaded_by=actor,
        published_at=now,
    )
    material.file.save(upload.name or "material", upload, save=False)
    try:
        material.save()
        _deliver(dialogue, DeliveryKind.MATERIAL, material.pk, _registered_org_ids(dialogue), now)
        _record(dialogue, actor, "material.shared", material=material.pk, title=material.title)
    except Exception:
        material.file.storage.delete(material.file.name)
        raise
    notify(
        _supplier_users(dialogue),
        topic="dialogue.material",
        subject=bilingual_line(
            lambda: _("New material in “%(title)s”") % {"title": dialogue.title}
        ),
        body=bilingual(
            "dialogue/email/material.txt",
            {
                "dialogue": dialogue,
                "material": material,
                "url": _link("dialogue:detail", dialogue.pk),
            },
        ),
    )
    return material


# --- One-to-one meetings --------------------------------------------------------------------------


@transaction.atomic
def add_slots(
    actor: User, dialogue: Dialogue, *, first_start: datetime, count: int, place: str = ""
) -> list[Slot]:
    """Equal slots in a row: the dialogue's meeting length, then its break, `count` times."""
    _require(access.can_manage(actor, dialogue))
    if not 1 <= count <= 40:
        raise DialogueError(_("Add between 1 and 40 slots at a time."), field="count")
    if first_start <= timezone.now():
        raise DialogueError(_("Slots must start in the future."), field="first_start")
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.meeting_mode == MeetingMode.LOTTERY and hasattr(dialogue, "draw"):
        raise DialogueError(_("The lottery has been drawn: no more slots can be added."))
    step = timedelta(minutes=dialogue.meeting_minutes + dialogue.break_minutes)
    slots = [
        Slot(
            dialogue=dialogue,
            starts_at=first_start + i * step,
            ends_at=first_start + i * step + dialogue.slot_length,
            place=place,
        )
        for i in range(count)
    ]
    existing = list(dialogue.slots.all())
    for new in slots:
        for old in existing:
            if new.starts_at < old.ends_at and old.starts_at < new.ends_at:
                raise DialogueError(
                    _("A new slot would overlap an existing one at %(time)s.")
                    % {"time": timezone.localtime(old.starts_at).strftime("%d.%m.%Y %H:%M")},
                    field="first_start",
                )
    created = Slot.objects.bulk_create(slots)
    if dialogue.meeting_mode == MeetingMode.LOTTERY and not dialogue.lottery_seed:
        dialogue.ensure_seed()
        dialogue.save(update_fields=["lottery_seed"])
    _record(dialogue, actor, "slots.added", count=len(created))
    return created


@transaction.atomic
def remove_slot(actor: User, slot: Slot) -> None:
    _require(access.can_manage(actor, slot.dialogue))
    if Booking.objects.filter(slot=slot).exists():
        raise DialogueError(_("The slot is booked: the supplier must cancel first."))
    pk = slot.pk
    slot.delete()
    _record(slot.dialogue, actor, "slots.removed", slot=pk)


def _booking_open(dialogue: Dialogue) -> None:
    if dialogue.booking_cutoff and timezone.now() >= dialogue.booking_cutoff:
        raise DialogueError(_("The booking cut-off has passed."), code="cutoff_passed")


@transaction.atomic
def book_slot(actor: User, slot: Slot) -> Booking:
    """First come, first served: one slot per organisation; the database settles races."""
    dialogue = slot.dialogue
    registration = _require_registration(actor, dialogue)
    if dialogue.meeting_mode != MeetingMode.FIRST_COME:
        raise DialogueError(_("In this dialogue you request slots; a lottery gives them out."))
    _booking_open(dialogue)
    # Lock the slot row: on PostgreSQL the second of two racing bookings waits here, then sees
    # the first one's booking. The unique constraints settle it on every database.
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    if slot.starts_at <= timezone.now():
        raise DialogueError(_("That slot has already started."), code="slot_past")
    if Booking.objects.filter(slot=slot).exists():
        raise DialogueError(_("Someone else booked that slot just before you."), code="slot_taken")
    if Booking.objects.filter(
        dialogue=dialogue, organisation_id=registration.organisation_id
    ).exists():
        raise DialogueError(
            _("Your organisation already has a meeting: cancel it to pick another."),
            code="already_booked",
        )
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                dialogue=dialogue,
                slot=slot,
                organisation_id=registration.organisation_id,
                booked_by=actor,
            )
    except IntegrityError:
        raise DialogueError(
            _("Someone else booked that slot just before you."), code="slot_taken"
        ) from None
    _record(
        dialogue, actor, "meeting.booked", slot=slot.pk, organisation=registration.organisation_id
    )
    return booking


@transaction.atomic
def cancel_booking(actor: User, dialogue: Dialogue) -> None:
    registration = _require_registration(actor, dialogue)
    _booking_open(dialogue)
    booking = Booking.objects.filter(
        dialogue=dialogue, organisation_id=registration.organisation_id
    ).first()
    if booking is None:
        raise DialogueError(_("Your organisation has no meeting to cancel."), code="no_booking")
    if hasattr(booking, "minutes"):
        raise DialogueError(_("The meeting has minutes: it cannot be cancelled."))
    slot_id = booking.slot_id
    booking.delete()
    _record(
        dialogue,
        actor,
        "meeting.cancelled",
        slot=slot_id,
        organisation=registration.organisation_id,
    )


@transaction.atomic
def request_slots(actor: User, dialogue: Dialogue, slot_ids: Sequence[int]) -> list[SlotRequest]:
    """Lottery mode: the organisation's full list of slots it can take (replaces the old one)."""
    registration = _require_registration(actor, dialogue)
    if dialogue.meeting_mode != MeetingMode.LOTTERY:
        raise DialogueError(_("In this dialogue meetings are booked directly."))
    _booking_open(dialogue)
    slots = list(dialogue.slots.filter(pk__in=slot_ids))
    if len(slots) != len(set(slot_ids)):
        raise DialogueError(_("One of the slots is not in this dialogue."), field="slots")
    org = registration.organisation_id
    SlotRequest.objects.filter(slot__dialogue=dialogue, organisation_id=org).delete()
    created = SlotRequest.objects.bulk_create(
        SlotRequest(slot=slot, organisation_id=org, requested_by=actor) for slot in slots
    )
    _record(
        dialogue, actor, "meeting.requested", slots=sorted(s.pk for s in slots), organisation=org
    )
    return created


@transaction.atomic
def draw_lottery(actor: User | None, dialogue: Dialogue) -> LotteryDraw:
    """At the cut-off: allocate slots to as many organisations as possible, by the seed fixed
    when the slots were published. Run by the scheduler, or by the buyer after the cut-off."""
    if actor is not None:
        _require(access.can_manage(actor, dialogue))
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.meeting_mode != MeetingMode.LOTTERY:
        raise DialogueError(_("This dialogue has no lottery."))
    if not dialogue.booking_cutoff or timezone.now() < dialogue.booking_cutoff:
        raise DialogueError(_("The lottery is drawn at the cut-off, not before."))
    if LotteryDraw.objects.filter(dialogue=dialogue).exists():
        raise DialogueError(_("The lottery has already been drawn."))
    pseudonyms = dict(dialogue.registrations.values_list("organisation_id", "pseudonym"))
    inputs: dict[str, list[int]] = {}
    for request in SlotRequest.objects.filter(slot__dialogue=dialogue).order_by("slot_id"):
        inputs.setdefault(pseudonyms[request.organisation_id], []).append(request.slot_id)
    seed = dialogue.ensure_seed()
    result = lottery.allocate(inputs, seed)
    by_pseudonym = {name: org for org, name in pseudonyms.items()}
    Booking.objects.bulk_create(
        Booking(
            dialogue=dialogue, slot_id=slot_id, organisation_id=by_pseudonym[name], via_lottery=True
        )
        for name, slot_id in result.items()
    )
    draw = LotteryDraw.objects.create(
        dialogue=dialogue,
        seed=seed,
        algorithm=lottery.ALGORITHM,
        inputs=inputs,
        result={name: slot for name, slot in result.items()},
    )
    dialogue.save(update_fields=["lottery_seed"])
    _record(dialogue, actor, "meeting.lottery_drawn", placed=len(result), requested=len(inputs))
    notify(
        _supplier_users(dialogue),
        topic="dialogue.lottery",
        subject=bilingual_line(
            lambda: _("Meetings allocated in “%(title)s”") % {"title": dialogue.title}
        ),
        body=bilingual(
            "dialogue/email/lottery.txt",
            {"dialogue": dialogue, "url": _link("dialogue:detail", dialogue.pk)},
        ),
    )
    return draw


def draw_due_lotteries() -> int:
    """The scheduler's job: draw every lottery whose cut-off has passed."""
    due = Dialogue.objects.filter(
        status=DialogueStatus.PUBLISHED,
        meeting_mode=MeetingMode.LOTTERY,
        booking_cutoff__lte=timezone.now(),
        draw__isnull=True,
    )
    count = 0
    for dialogue in due:
        try:
            draw_lottery(None, dialogue)
        except DialogueError:
            continue
        count += 1
    return count


@transaction.atomic
def record_minutes(
    actor: User, booking: Booking, *, text: str, actual_minutes: int | None = None
) -> Minutes:
    _require(access.can_manage(actor, booking.dialogue))
    if not text.strip():
        raise DialogueError(_("Write the minutes."), field="text")
    if booking.slot.starts_at > timezone.now():
        raise DialogueError(_("Minutes can be written once the meeting has started."))
    minutes, created = Minutes.objects.get_or_create(
        booking=booking,
        defaults={"text": text, "actual_minutes": actual_minutes, "recorded_by": actor},
    )
    if not created:
        if minutes.text != text:
            # Paragraph numbers change with the text: the supplier marks them again.
            minutes.secret_paragraphs = []
        minutes.text = text
        minutes.actual_minutes = actual_minutes
        minutes.recorded_by = actor
        minutes.recorded_at = timezone.now()
        minutes.save()
    _record(booking.dialogue, actor, "meeting.minutes_recorded", booking=booking.pk)
    notify(
        User.objects.filter(organisation_id=booking.organisation_id, is_active=True),
        topic="dialogue.minutes",
        subject=bilingual_line(
            lambda: _("Minutes of your meeting in “%(title)s”") % {"title": booking.dialogue.title}
        ),
        body=bilingual(
            "dialogue/email/minutes.txt",
            {"dialogue": booking.dialogue, "url": _link("dialogue:detail", booking.dialogue_id)},
        ),
    )
    return minutes


@transaction.atomic
def mark_secrets(actor: User, minutes: Minutes, paragraphs: Iterable[int]) -> Minutes:
    """The supplier marks which paragraphs of its minutes are business secrets."""
    booking = minutes.booking
    if not (access.is_supplier(actor) and actor.organisation_id == booking.organisation_id):
        raise PermissionDenied
    count = len(minutes.paragraphs())
    chosen = sorted({int(p) for p in paragraphs})
    if any(p < 0 or p >= count for p in chosen):
        raise DialogueError(_("Choose among the paragraphs of these minutes."), field="paragraphs")
    minutes.secret_paragraphs = chosen
    minutes.secrets_marked_by = actor
    minutes.secrets_marked_at = timezone.now()
    minutes.save(update_fields=["secret_paragraphs", "secrets_marked_by", "secrets_marked_at"])
    _record(
        booking.dialogue, actor, "meeting.secrets_marked", booking=booking.pk, paragraphs=chosen
    )
    return minutes


# --- Questions and answers ------------------------------------------------------------------------


@transaction.atomic
def ask_question(actor: User, dialogue: Dialogue, text: str) -> Question:
    registration = _require_registration(actor, dialogue)
    text = text.strip()
    if not text:
        raise DialogueError(_("Write your question."), field="text")
    if len(text) > QUESTION_MAX_LENGTH:
        raise DialogueError(
            _("A question has at most %(n)d characters.") % {"n": QUESTION_MAX_LENGTH},
            field="text",
        )
    if timezone.now() >= dialogue.question_deadline:
        raise DialogueError(_("The deadline for questions has passed."), field="text")
    question = Question.objects.create(
        dialogue=dialogue, organisation_id=registration.organisation_id, asked_by=actor, text=text
    )
    _record(dialogue, actor, "question.asked", question=question.pk)
    return question


def _publish_answer(
    actor: User, dialogue: Dialogue, question_text: str, answer_text: str
) -> Answer:
    question_text, answer_text = question_text.strip(), answer_text.strip()
    if not question_text:
        raise DialogueError(_("Write the question as it will be published."), field="question_text")
    if not answer_text:
        raise DialogueError(_("Write the answer."), field="answer_text")
    now = timezone.now()
    answer = Answer.objects.create(
        dialogue=dialogue,
        question_text=question_text,
        answer_text=answer_text,
        published_by=actor,
        published_at=now,
    )
    _deliver(dialogue, DeliveryKind.ANSWER, answer.pk, _registered_org_ids(dialogue), now)
    _record(dialogue, actor, "answer.published", answer=answer.pk)
    notify(
        _supplier_users(dialogue),
        topic="dialogue.answer",
        subject=bilingual_line(lambda: _("New answer in “%(title)s”") % {"title": dialogue.title}),
        body=bilingual(
            "dialogue/email/answer.txt",
            {"dialogue": dialogue, "answer": answer, "url": _link("dialogue:detail", dialogue.pk)},
        ),
    )
    return answer


@transaction.atomic
def answer_question(
    actor: User, question: Question, *, question_text: str, answer_text: str
) -> Answer:
    """Answer to every registered supplier. The published question is the buyer's wording, so
    it can leave out anything that would reveal who asked."""
    dialogue = question.dialogue
    _require(access.can_manage(actor, dialogue))
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != QuestionStatus.OPEN:
        raise DialogueError(_("This question has already been answered."))
    answer = _publish_answer(actor, dialogue, question_text, answer_text)
    question.status = QuestionStatus.ANSWERED
    question.answer = answer
    question.save(update_fields=["status", "answer"])
    return answer


@transaction.atomic
def mark_duplicate(actor: User, question: Question, answer: Answer) -> Question:
    """The question is already answered by a published answer; no private reply exists."""
    _require(access.can_manage(actor, question.dialogue))
    if answer.dialogue_id != question.dialogue_id:
        raise DialogueError(_("Choose an answer from this dialogue."), field="answer")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != QuestionStatus.OPEN:
        raise DialogueError(_("This question has already been answered."))
    question.status = QuestionStatus.DUPLICATE
    question.answer = answer
    question.save(update_fields=["status", "answer"])
    _record(question.dialogue, actor, "question.duplicate", question=question.pk, answer=answer.pk)
    notify(
        User.objects.filter(organisation_id=question.organisation_id, is_active=True),
        topic="dialogue.duplicate",
        subject=bilingual_line(
            lambda: (
                _("Your question in “%(title)s” is answered") % {"title": question.dialogue.title}
            )
        ),
        body=bilingual(
            "dialogue/email/duplicate.txt",
            {
                "dialogue": question.dialogue,
                "answer": answer,
                "url": _link("dialogue:detail", question.dialogue_id),
            },
        ),
    )
    return question


@transaction.atomic
def publish_clarification(
    actor: User, dialogue: Dialogue, *, question_text: str, answer_text: str
) -> Answer:
    """An answer nobody asked for in writing, e.g. a point raised at the conference."""
    _require(access.can_manage(actor, dialogue))
    if not dialogue.is_published:
        raise DialogueError(_("Publish the dialogue first."))
    return _publish_answer(actor, dialogue, question_text, answer_text)


# --- Written input -------------------------------------------------------------------------------


@transaction.atomic
def submit_input(
    actor: User,
    dialogue: Dialogue,
    *,
    title: str,
    text: str = "",
    upload: UploadedFile | None = None,
) -> WrittenInput:
    registration = _require_registration(actor, dialogue)
    if timezone.now() >= dialogue.input_deadline:
        raise DialogueError(_("The deadline for written input has passed."))
    if not title.strip():
        raise DialogueError(_("Give your input a title."), field="title")
    if not text.strip() and upload is None:
        raise DialogueError(_("Write your input or attach a file."), field="text")
    item = WrittenInput(
        dialogue=dialogue,
        organisation_id=registration.organisation_id,
        submitted_by=actor,
        title=title.strip(),
        text=text.strip(),
    )
    if upload is not None:
        item.content_type = upload.content_type or "application/octet-stream"
        item.size = upload.size or 0
        item.file.save(upload.name or "input", upload, save=False)
    try:
        item.save()
        _record(
            dialogue,
            actor,
            "input.submitted",
            input=item.pk,
            organisation=registration.organisation_id,
        )
    except Exception:
        if item.file:
            item.file.storage.delete(item.file.name)
        raise
    return item


def conference_seats_left(conference: Conference) -> int | None:
    if conference.capacity is None:
        return None
    return max(0, conference.capacity - seats_taken(conference))
