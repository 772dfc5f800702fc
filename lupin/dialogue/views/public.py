"""Pages anyone may open: the list of dialogues, the notice, its feed and calendar files, and the
lottery record.

The notice page is also where a registered supplier takes part: it shows what is shared with every
registered supplier (materials, answers) and the organisation's own sign-ups, meeting and
questions. What each visitor gets is decided by `access`; the section builders here only shape it.
Nothing of another supplier reaches the template: slots carry "taken", never the booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from lupin.dialogue import access, actions
from lupin.dialogue import calendar as ics
from lupin.dialogue.feeds import DialogueFeed
from lupin.dialogue.forms_supplier import QuestionForm, SignupForm
from lupin.dialogue.models import (
    Booking,
    Conference,
    ConferenceSignup,
    Dialogue,
    DialogueStatus,
    LotteryDraw,
    MeetingMode,
    Minutes,
    Question,
    Registration,
    Slot,
    SlotRequest,
)
from lupin.lib import lottery

VERIFY_COMMAND = "python -m lupin.lib.lottery record.json"


# The list and the feed ---------------------------------------------------------------------


@require_safe
def dialogue_list(request: HttpRequest) -> HttpResponse:
    """Open dialogues first, soonest deadline on top; then the closed and finished ones."""
    now = timezone.now()
    public = (
        access.dialogues_visible_to(request.user)
        .filter(status__in=access.PUBLIC_STATUSES)
        .select_related("project__lead_buyer")
    )
    open_now = Q(status=DialogueStatus.PUBLISHED, registration_deadline__gt=now)
    context = {
        "open_dialogues": list(public.filter(open_now).order_by("registration_deadline", "id")),
        "closed_dialogues": list(
            public.exclude(open_now).order_by("-registration_deadline", "-id")
        ),
    }
    return render(request, "dialogue/list.html", context)


dialogue_feed = DialogueFeed()


# The notice and the participant's sections -------------------------------------------------


@dataclass
class SlotRow:
    slot: Slot
    state: str  # "free", "taken" or "mine": never who took it
    requested: bool = False
    started: bool = False


@dataclass
class ConferenceItem:
    conference: Conference
    signup: ConferenceSignup | None = None
    seats_left: int | None = None
    form: SignupForm | None = None
    open: bool = False


def _cutoff_passed(dialogue: Dialogue) -> bool:
    return bool(dialogue.booking_cutoff and timezone.now() >= dialogue.booking_cutoff)


def slots_context(dialogue: Dialogue, registration: Registration) -> dict[str, Any]:
    """The slots as one registered supplier may see them: free, taken, or its own."""
    now = timezone.now()
    org = registration.organisation_id
    own = (
        Booking.objects.filter(dialogue=dialogue, organisation_id=org)
        .select_related("slot")
        .first()
    )
    slots = list(dialogue.slots.annotate(taken=Exists(Booking.objects.filter(slot=OuterRef("pk")))))
    lottery_mode = dialogue.meeting_mode == MeetingMode.LOTTERY
    requested: set[int] = set()
    draw = None
    if lottery_mode:
        requested = set(
            SlotRequest.objects.filter(slot__dialogue=dialogue, organisation_id=org).values_list(
                "slot_id", flat=True
            )
        )
        draw = LotteryDraw.objects.filter(dialogue=dialogue).only("pk", "drawn_at").first()
    rows = [
        SlotRow(
            slot=slot,
            state="mine" if own and own.slot_id == slot.pk else "taken" if slot.taken else "free",
            requested=slot.pk in requested,
            started=slot.starts_at <= now,
        )
        for slot in slots
    ]
    booking_open = dialogue.is_open and not _cutoff_passed(dialogue)
    has_minutes = own is not None and Minutes.objects.filter(booking=own).exists()
    return {
        "slot_rows": rows,
        "own_booking": own,
        "booking_open": booking_open,
        "can_cancel": booking_open and own is not None and not has_minutes,
        "has_minutes": has_minutes,
        "lottery_mode": lottery_mode,
        "draw": draw,
        "requested_count": len(requested),
    }


def asking_open(dialogue: Dialogue) -> bool:
    return dialogue.is_open and timezone.now() < dialogue.question_deadline


def questions_context(
    dialogue: Dialogue, registration: Registration, *, form: QuestionForm | None = None
) -> dict[str, Any]:
    """The organisation's own questions and the form to ask another."""
    questions = list(
        Question.objects.filter(dialogue=dialogue, organisation_id=registration.organisation_id)
        .select_related("answer")
        .order_by("asked_at", "id")
    )
    return {
        "own_questions": questions,
        "asking_open": asking_open(dialogue),
        "question_form": form or QuestionForm(),
    }


def _conference_items(
    dialogue: Dialogue,
    conferences: list[Conference],
    registration: Registration | None,
    forms: dict[int, SignupForm],
) -> list[ConferenceItem]:
    if registration is None:
        return [ConferenceItem(conference) for conference in conferences]
    now = timezone.now()
    own = {
        signup.conference_id: signup
        for signup in ConferenceSignup.objects.filter(
            conference__dialogue=dialogue, organisation_id=registration.organisation_id
        )
    }
    items = []
    for conference in conferences:
        signup = own.get(conference.pk)
        initial = {"attendees": "\n".join(signup.attendees)} if signup else None
        items.append(
            ConferenceItem(
                conference=conference,
                signup=signup,
                seats_left=actions.conference_seats_left(conference),
                form=forms.get(conference.pk) or SignupForm(conference=conference, initial=initial),
                open=dialogue.is_open and now < conference.starts_at,
            )
        )
    return items


def _registration_refusal(request: HttpRequest, dialogue: Dialogue) -> str:
    """Why this visitor sees no Register button: "" when it may register."""
    if not dialogue.is_open:
        return "closed"
    if timezone.now() >= dialogue.registration_deadline:
        return "deadline"
    if not request.user.is_authenticated:
        return "login"
    if not access.is_supplier(request.user):
        return "not_supplier"
    return ""


def render_detail(
    request: HttpRequest,
    dialogue: Dialogue,
    *,
    signup_forms: dict[int, SignupForm] | None = None,
    question_form: QuestionForm | None = None,
) -> HttpResponse:
    """The notice page. Supplier views call it again with a bound form to show its errors."""
    user = request.user
    insider = access.is_insider(user, dialogue)
    registration = access.registration_of(user, dialogue)
    shared = insider or registration is not None
    # The buyer's side and the suppliers' side never mix: an insider gets no supplier control.
    participant = None if insider else registration
    conferences = dialogue.conferences.all()
    if participant is not None:
        # Seats left are summed from every sign-up; only the own one reaches the template.
        conferences = conferences.prefetch_related("signups")
    context: dict[str, Any] = {
        "dialogue": dialogue,
        "project": dialogue.project,
        "conferences": _conference_items(
            dialogue, list(conferences), participant, signup_forms or {}
        ),
        "slot_count": dialogue.slots.count(),
        "insider": insider,
        "can_manage": insider and access.can_manage(user, dialogue),
        "registration": participant,
        "refusal": "" if participant or insider else _registration_refusal(request, dialogue),
        "shared": shared,
        "next": request.get_full_path(),
    }
    if shared:
        context["materials"] = list(dialogue.materials.select_related("conference"))
        context["answers"] = list(dialogue.answers.all())
    if participant is not None:
        context.update(slots_context(dialogue, participant))
        context.update(questions_context(dialogue, participant, form=question_form))
        context["input_open"] = dialogue.is_open and timezone.now() < dialogue.input_deadline
    return render(request, "dialogue/detail.html", context)


@require_safe
def dialogue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    return render_detail(request, dialogue)


# Calendar files ----------------------------------------------------------------------------


def absolute_url(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def deadlines_ics(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    content = ics.deadlines_calendar(dialogue, absolute_url("dialogue:detail", dialogue.pk))
    return ics_response(content, f"dialogue-{dialogue.pk}-deadlines.ics")


@require_safe
def conference_ics(request: HttpRequest, pk: int, conference_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    conference = get_object_or_404(dialogue.conferences, pk=conference_pk)
    content = ics.conference_calendar(conference, absolute_url("dialogue:detail", dialogue.pk))
    return ics_response(content, f"dialogue-{dialogue.pk}-conference-{conference.pk}.ics")


# The lottery record ------------------------------------------------------------------------


def lottery_record_data(dialogue: Dialogue, draw: LotteryDraw | None) -> dict[str, Any]:
    """The public record: pseudonyms and slot ids only, never an organisation. Once drawn it
    holds exactly what `lupin.lib.lottery.verify` needs to recompute the result."""
    slots = {str(slot.pk): slot.starts_at for slot in dialogue.slots.order_by("starts_at", "id")}
    data: dict[str, Any] = {
        "dialogue": dialogue.pk,
        "title": dialogue.title,
        "algorithm": draw.algorithm if draw else lottery.ALGORITHM,
        "drawn": draw is not None,
        "drawn_at": draw.drawn_at.isoformat() if draw else None,
        "booking_cutoff": (
            dialogue.booking_cutoff.isoformat() if dialogue.booking_cutoff else None
        ),
        "seed_commitment": (
            lottery.seed_commitment(dialogue.lottery_seed) if dialogue.lottery_seed else None
        ),
        "slots": {pk: start.astimezone(UTC).isoformat() for pk, start in slots.items()},
        "verify": VERIFY_COMMAND,
    }
    if draw is not None:
        data["seed"] = draw.seed
        data["inputs"] = {name: sorted(ids) for name, ids in sorted(draw.inputs.items())}
        data["result"] = dict(sorted(draw.result.items()))
    return data


@require_safe
def lottery_record(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    if dialogue.meeting_mode != MeetingMode.LOTTERY:
        raise Http404
    draw = LotteryDraw.objects.filter(dialogue=dialogue).first()
    data = lottery_record_data(dialogue, draw)
    if request.GET.get("format") == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'inline; filename="lottery-{dialogue.pk}.json"'
        return response
    starts = {slot.pk: slot.starts_at for slot in dialogue.slots.all()}
    registration = access.registration_of(request.user, dialogue)
    inputs = [
        {"name": name, "slots": [starts.get(int(i)) for i in ids], "result": None}
        for name, ids in data.get("inputs", {}).items()
    ]
    result = data.get("result", {})
    for row in inputs:
        slot_id = result.get(row["name"])
        row["result"] = starts.get(int(slot_id)) if slot_id is not None else None
    context = {
        "dialogue": dialogue,
        "record": data,
        "draw": draw,
        "rows": inputs,
        "pseudonym": registration.pseudonym if registration else "",
        "json_url": reverse("dialogue:lottery", args=[dialogue.pk]) + "?format=json",
    }
    return render(request, "dialogue/lottery.html", context)
