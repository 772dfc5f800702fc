"""The market dialogue endpoints of the JSON API.

They fetch through `access` and change through `actions`, exactly like the pages, so every rule
exists once. A rule's refusal (`DialogueError`) answers in the common error format: 409 when the
thing is already taken or done (a booked slot, a second registration), 400 for any other refusal.
Writes need a caller: anonymous writes are 401.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from lupin.accounts.models import User
from lupin.dialogue import access, actions
from lupin.dialogue.actions import DialogueError
from lupin.dialogue.models import Booking, Conference, Dialogue, Registration, Slot
from lupin.dialogue.schemas import (
    AnswerOut,
    BookingOut,
    DialogueOut,
    DialoguePage,
    DialogueQuery,
    QuestionIn,
    QuestionOut,
    RegistrationOut,
    SlotOut,
)
from lupin.projects.schemas import ErrorOut

router = Router(tags=["dialogues"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut}
READ_ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, **ERRORS}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    **ERRORS,
}
# DialogueError codes that mean "someone (maybe you) got there first".
CONFLICTS = frozenset({"slot_taken", "already_booked", "already_registered"})


def _caller(request: HttpRequest) -> Any:
    """The user OptionalBearer authenticated, or AnonymousUser (ninja sets `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> User:
    user = _caller(request)
    if not user.is_authenticated:
        raise AuthenticationError(message="Log in or send a bearer token to do this.")
    return user


def _refused(request: HttpRequest, exc: DialogueError) -> HttpResponse:
    # Imported here: lupin.api imports this module while it is itself being loaded.
    from lupin.api import error

    fields = {exc.field: exc.message} if exc.field else {}
    return error(request, 409 if exc.code in CONFLICTS else 400, exc.code, exc.message, **fields)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _conference(conference: Conference) -> dict[str, Any]:
    return {
        "id": conference.pk,
        "title": conference.title,
        "starts_at": _utc(conference.starts_at),
        "ends_at": _utc(conference.ends_at),
        "place": conference.place,
        "video_link": conference.video_link,
        "seats_per_organisation": conference.seats_per_organisation,
    }


def _dialogue(dialogue: Dialogue, *, registered: bool) -> dict[str, Any]:
    buyer = dialogue.project.lead_buyer
    return {
        "id": dialogue.pk,
        "title": dialogue.title,
        "project": dialogue.project_id,
        "buyer": {"id": buyer.pk, "name": buyer.name, "org_number": buyer.org_number},
        "need_summary": dialogue.need_summary,
        "asks": dialogue.asks,
        "language": dialogue.language,
        "status": dialogue.status,
        "published_at": _utc(dialogue.published_at),
        "deadlines": {
            "registration": _utc(dialogue.registration_deadline),
            "questions": _utc(dialogue.question_deadline),
            "written_input": _utc(dialogue.input_deadline),
        },
        "contact": {"name": dialogue.contact_name, "email": dialogue.contact_email},
        "meetings": {
            "mode": dialogue.meeting_mode,
            "length_minutes": dialogue.meeting_minutes,
            "break_minutes": dialogue.break_minutes,
            "booking_cutoff": _utc(dialogue.booking_cutoff),
        },
        "conferences": [_conference(c) for c in dialogue.conferences.all()],
        "registered": registered,
        "url": reverse("dialogue:detail", args=[dialogue.pk]),
    }


_CONFERENCES = Prefetch("conferences", queryset=Conference.objects.order_by("starts_at", "id"))


def _with_related(dialogues: QuerySet[Dialogue]) -> QuerySet[Dialogue]:
    return dialogues.select_related("project__lead_buyer").prefetch_related(_CONFERENCES)


def _registered_in(user: Any, dialogues: Iterable[Dialogue]) -> set[int]:
    """Of these dialogues, those the caller's organisation is registered in (one query)."""
    if not access.is_supplier(user):
        return set()
    return set(
        Registration.objects.filter(
            dialogue__in=list(dialogues), organisation_id=user.organisation_id
        ).values_list("dialogue_id", flat=True)
    )


def _shared_dialogue(user: Any, pk: int) -> Dialogue:
    """A dialogue whose slots and answers the caller may see: registered or insider, else 404."""
    dialogue = access.get_dialogue_for_user(user, pk)
    if not access.can_see_shared(user, dialogue):
        raise Http404
    return dialogue


def _slot(slot: Slot, own_organisation: int | None) -> dict[str, Any]:
    booking: Booking | None = getattr(slot, "booking", None)
    return {
        "id": slot.pk,
        "start": _utc(slot.starts_at),
        "end": _utc(slot.ends_at),
        "place": slot.place,
        "free": booking is None,
        "mine": booking is not None and booking.organisation_id == own_organisation,
    }


def _slot_of(dialogue: Dialogue, slot_id: int) -> Slot:
    try:
        return dialogue.slots.select_related("dialogue").get(pk=slot_id)
    except Slot.DoesNotExist:
        raise Http404 from None


# --- The notice --------------------------------------------------------------------------


@router.get(
    "/dialogues",
    response={200: DialoguePage, **ERRORS},
    summary="List published dialogues",
)
def list_dialogues(request: HttpRequest, query: Query[DialogueQuery]) -> dict[str, Any]:
    """Published and finished dialogue notices, newest first."""
    user = _caller(request)
    dialogues = access.dialogues_visible_to(user).filter(status__in=access.PUBLIC_STATUSES)
    count = dialogues.count()
    page = list(_with_related(dialogues)[query.offset : query.offset + query.limit])
    registered = _registered_in(user, page)
    return {
        "items": [_dialogue(d, registered=d.pk in registered) for d in page],
        "count": count,
    }


@router.get(
    "/dialogues/{id}",
    response={200: DialogueOut, **READ_ERRORS},
    summary="Read one dialogue notice",
)
def get_dialogue(request: HttpRequest, id: int) -> dict[str, Any]:
    """A draft answers 404 to everyone outside the project."""
    user = _caller(request)
    dialogue = access.get_dialogue_for_user(user, id)
    prefetch_related_objects([dialogue], _CONFERENCES)
    return _dialogue(dialogue, registered=access.registration_of(user, dialogue) is not None)


# --- Taking part -------------------------------------------------------------------------


@router.post(
    "/dialogues/{id}/registrations",
    response={201: RegistrationOut, **WRITE_ERRORS},
    summary="Register the caller's organisation",
)
def register(request: HttpRequest, id: int) -> Status[dict[str, Any]] | HttpResponse:
    """Takes an empty JSON body. A second registration of the same organisation is a 409."""
    user = _actor(request)
    dialogue = access.get_dialogue_for_user(user, id)
    try:
        registration = actions.register(user, dialogue)
    except DialogueError as exc:
        return _refused(request, exc)
    return Status(201, {"id": registration.pk, "registered_at": _utc(registration.registered_at)})


@router.get(
    "/dialogues/{id}/slots",
    response={200: list[SlotOut], **READ_ERRORS},
    summary="List one-to-one meeting slots",
)
def list_slots(request: HttpRequest, id: int) -> list[dict[str, Any]]:
    """For registered suppliers and the buyer's side (404 for everyone else). A slot says
    whether it is free and whether it is the caller's, never who has it."""
    user = _caller(request)
    dialogue = _shared_dialogue(user, id)
    own = user.organisation_id if access.is_supplier(user) else None
    return [
        _slot(slot, own) for slot in dialogue.slots.select_related("booking").order_by("starts_at")
    ]


@router.post(
    "/dialogues/{id}/slots/{slot_id}/booking",
    response={201: BookingOut, **WRITE_ERRORS},
    summary="Book a meeting slot",
)
def book_slot(request: HttpRequest, id: int, slot_id: int) -> Status[dict[str, Any]] | HttpResponse:
    """First come, first served; takes an empty JSON body. A slot someone else has, or a second
    meeting for the same organisation, is a 409; a booking after the cut-off is a 400."""
    user = _actor(request)
    slot = _slot_of(access.get_dialogue_for_user(user, id), slot_id)
    try:
        booking = actions.book_slot(user, slot)
    except DialogueError as exc:
        return _refused(request, exc)
    return Status(
        201, {"slot": booking.slot_id, "start": _utc(slot.starts_at), "end": _utc(slot.ends_at)}
    )


@router.delete(
    "/dialogues/{id}/slots/{slot_id}/booking",
    response={204: None, **WRITE_ERRORS},
    summary="Cancel the caller's meeting",
)
def cancel_booking(request: HttpRequest, id: int, slot_id: int) -> Status[None] | HttpResponse:
    """Only the organisation's own booking on this slot can be cancelled; any other is a 404."""
    user = _actor(request)
    dialogue = access.get_dialogue_for_user(user, id)
    slot = _slot_of(dialogue, slot_id)
    own = user.organisation_id if access.is_supplier(user) else None
    if own is None or not Booking.objects.filter(slot=slot, organisation_id=own).exists():
        raise Http404
    try:
        actions.cancel_booking(user, dialogue)
    except DialogueError as exc:
        return _refused(request, exc)
    return Status(204, None)


# --- Questions and answers ----------------------------------------------------------------


@router.post(
    "/dialogues/{id}/questions",
    response={201: QuestionOut, **WRITE_ERRORS},
    summary="Ask the buyer a question",
)
def ask_question(
    request: HttpRequest, id: int, payload: QuestionIn
) -> Status[dict[str, Any]] | HttpResponse:
    """Only the buyer sees the question. The answer is published to every registered supplier,
    with the question in the buyer's wording and without the asker's name."""
    user = _actor(request)
    dialogue = access.get_dialogue_for_user(user, id)
    try:
        question = actions.ask_question(user, dialogue, payload.text)
    except DialogueError as exc:
        return _refused(request, exc)
    return Status(201, {"id": question.pk, "status": question.status})


@router.get(
    "/dialogues/{id}/answers",
    response={200: list[AnswerOut], **READ_ERRORS},
    summary="List published answers",
)
def list_answers(request: HttpRequest, id: int) -> list[dict[str, Any]]:
    """Every answer published so far, oldest first: for registered suppliers (including what
    was published before they registered) and the buyer's side; 404 for everyone else."""
    dialogue = _shared_dialogue(_caller(request), id)
    return [
        {
            "id": answer.pk,
            "question": answer.question_text,
            "answer": answer.answer_text,
            "published_at": _utc(answer.published_at),
        }
        for answer in dialogue.answers.order_by("published_at", "id")
    ]
