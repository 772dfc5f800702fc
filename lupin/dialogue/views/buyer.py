"""The buyer running a market dialogue: the notice, its dashboard, conferences, materials,
one-to-one slots and the lottery, questions and answers, minutes and written input.

Each view fetches through `lupin.dialogue.access`, validates a form, calls one action and
redirects. A refusal by an action (`DialogueError`) is shown next to the field it names; a
`PermissionDenied` becomes a 404, so nobody learns that a hidden draft exists. Changes need
`get_dialogue_for_managing` (the lead buyer's admins and members); the dashboard is readable by
every insider (co-buyers and programme advisors too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lupin import uploads
from lupin.dialogue import access, actions
from lupin.dialogue.actions import DialogueError
from lupin.dialogue.forms import (
    AnswerForm,
    CancelForm,
    ClarificationForm,
    ConferenceForm,
    DialogueForm,
    DuplicateForm,
    MaterialForm,
    MinutesForm,
    SlotForm,
)
from lupin.dialogue.models import (
    Booking,
    ConferenceSignup,
    Dialogue,
    LotteryDraw,
    MeetingMode,
    Minutes,
    Question,
    QuestionStatus,
)
from lupin.lib import lottery
from lupin.projects import access as project_access
from lupin.projects.views.buyer import BuyerRequest, buyer_view


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


def _add_error(form: Form, error: DialogueError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _to_manage(dialogue: Dialogue, anchor: str = "") -> HttpResponse:
    url = reverse("dialogue:manage", kwargs={"pk": dialogue.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _first_slot(dialogue: Dialogue) -> Any:
    first = dialogue.slots.order_by("starts_at").first()
    return first.starts_at if first else None


# The notice --------------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def dialogue_create(request: BuyerRequest, project_pk: int) -> HttpResponse:
    project = project_access.get_project_for_editing(request.user, project_pk)
    existing = getattr(project, "dialogue", None)
    if existing is not None:
        return _to_manage(existing)
    initial = {
        "title": _("Market dialogue: %(title)s") % {"title": project.title},
        "need_summary": project.need_statement,
        "contact_name": request.user.get_full_name(),
        "contact_email": request.user.email,
    }
    form = DialogueForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dialogue = actions.create_dialogue(request.user, project, form.to_data())
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, _("The dialogue notice was saved as a draft: publish it when ready.")
            )
            return _to_manage(dialogue)
    return render(
        request,
        "dialogue/buyer_dialogue_form.html",
        {"form": form, "project": project, "dialogue": None},
    )


@buyer_view
@require_http_methods(["GET", "POST"])
def dialogue_edit(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    form = DialogueForm(
        _posted(request),
        initial=DialogueForm.initial_for(dialogue),
        dialogue=dialogue,
        first_slot=_first_slot(dialogue),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_dialogue(request.user, dialogue, form.to_data())
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return _to_manage(dialogue)
    return render(
        request,
        "dialogue/buyer_dialogue_form.html",
        {"form": form, "project": dialogue.project, "dialogue": dialogue},
    )


@buyer_view
@require_POST
def dialogue_publish(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    try:
        actions.publish_dialogue(request.user, dialogue)
    except DialogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The dialogue is published: suppliers can read the notice and register.")
        )
    return _to_manage(dialogue)


@buyer_view
@require_POST
def dialogue_finish(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    try:
        actions.finish_dialogue(request.user, dialogue)
    except DialogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The dialogue is finished."))
    return _to_manage(dialogue)


@buyer_view
@require_http_methods(["GET", "POST"])
def dialogue_cancel(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    form = CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel_dialogue(request.user, dialogue, form.cleaned_data["reason"])
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The dialogue is cancelled."))
            return _to_manage(dialogue)
    return render(request, "dialogue/buyer_cancel.html", {"dialogue": dialogue, "form": form})


# The dashboard -----------------------------------------------------------------------------


@dataclass
class ConferenceRow:
    conference: Any
    signups: list[ConferenceSignup]
    taken: int


@dataclass
class LotteryState:
    commitment: str
    draw: LotteryDraw | None
    may_draw: bool
    requests: int


def _lottery_state(dialogue: Dialogue, manager: bool) -> LotteryState | None:
    if dialogue.meeting_mode != MeetingMode.LOTTERY:
        return None
    draw: LotteryDraw | None = getattr(dialogue, "draw", None)
    cutoff = dialogue.booking_cutoff
    return LotteryState(
        commitment=lottery.seed_commitment(dialogue.lottery_seed) if dialogue.lottery_seed else "",
        draw=draw,
        may_draw=manager
        and draw is None
        and dialogue.is_open
        and cutoff is not None
        and timezone.now() >= cutoff,
        requests=dialogue.slots.aggregate(n=Count("requests"))["n"] or 0,
    )


@buyer_view
@require_safe
def manage(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_insider(request.user, pk)
    manager = access.can_manage(request.user, dialogue)
    signups = Prefetch("signups", queryset=ConferenceSignup.objects.select_related("organisation"))
    conferences = [
        ConferenceRow(c, list(c.signups.all()), sum(len(s.attendees) for s in c.signups.all()))
        for c in dialogue.conferences.prefetch_related(signups)
    ]
    answers = list(dialogue.answers.annotate(asked=Count("questions")))
    open_questions = list(
        dialogue.questions.filter(status=QuestionStatus.OPEN).select_related(
            "organisation", "asked_by"
        )
    )
    duplicate_forms: list[tuple[Question, DuplicateForm | None]] = (
        [
            (q, DuplicateForm(prefix=f"q{q.pk}", answers=dialogue.answers.all()))
            for q in open_questions
        ]
        if manager and answers
        else [(q, None) for q in open_questions]
    )
    context = {
        "dialogue": dialogue,
        "project": dialogue.project,
        "can_manage": manager,
        "now": timezone.now(),
        "registrations": dialogue.registrations.select_related("organisation", "registered_by"),
        "conferences": conferences,
        "materials": dialogue.materials.select_related("conference"),
        "slots": dialogue.slots.select_related(
            "booking__organisation", "booking__minutes"
        ).annotate(requested=Count("requests")),
        "lottery": _lottery_state(dialogue, manager),
        "open_questions": duplicate_forms,
        "answers": answers,
        "inputs": dialogue.inputs.select_related("organisation", "submitted_by"),
        "transitions": dialogue.transitions.select_related("by"),
    }
    return render(request, "dialogue/buyer_manage.html", context)


# Conferences and materials ---------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def conference_add(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    form = ConferenceForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            conference = actions.save_conference(request.user, dialogue, form.to_data())
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": conference.title})
            return _to_manage(dialogue, "conferences")
    return render(
        request,
        "dialogue/buyer_conference_form.html",
        {"dialogue": dialogue, "form": form, "conference": None},
    )


@buyer_view
@require_http_methods(["GET", "POST"])
def conference_edit(request: BuyerRequest, pk: int, conference_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    conference = get_object_or_404(dialogue.conferences, pk=conference_pk)
    form = ConferenceForm(
        _posted(request), initial=ConferenceForm.initial_for(conference), conference=conference
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_conference(request.user, dialogue, form.to_data(), conference)
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": conference.title})
            return _to_manage(dialogue, "conferences")
    return render(
        request,
        "dialogue/buyer_conference_form.html",
        {"dialogue": dialogue, "form": form, "conference": conference},
    )


@buyer_view
@require_http_methods(["GET", "POST"])
def material_add(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    conferences = dialogue.conferences.all()
    if request.method == "POST":
        form = MaterialForm(request.POST, request.FILES, conferences=conferences)
    else:
        form = MaterialForm(
            conferences=conferences, initial={"conference": request.GET.get("conference")}
        )
    if request.method == "POST" and form.is_valid():
        try:
            material = actions.share_material(
                request.user,
                dialogue,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                conference=form.cleaned_data["conference"],
            )
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is shared with every registered supplier.")
                % {"title": material.title},
            )
            return _to_manage(dialogue, "materials")
    return render(
        request, "dialogue/buyer_material_form.html", {"dialogue": dialogue, "form": form}
    )


# One-to-one meetings -------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def slots(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    form = SlotForm(_posted(request), dialogue=dialogue)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.add_slots(
                request.user,
                dialogue,
                first_start=form.cleaned_data["first_start"],
                count=form.cleaned_data["count"],
                place=form.cleaned_data["place"],
            )
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                ngettext("%(n)d slot was added.", "%(n)d slots were added.", len(created))
                % {"n": len(created)},
            )
            return redirect("dialogue:slots", pk=dialogue.pk)
    context = {
        "dialogue": dialogue,
        "form": form,
        "slots": dialogue.slots.select_related("booking__organisation").annotate(
            requested=Count("requests")
        ),
        "drawn": getattr(dialogue, "draw", None) is not None,
    }
    return render(request, "dialogue/buyer_slots.html", context)


@buyer_view
@require_POST
def slot_delete(request: BuyerRequest, pk: int, slot_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    slot = get_object_or_404(dialogue.slots, pk=slot_pk)
    try:
        actions.remove_slot(request.user, slot)
    except DialogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The slot was removed."))
    return redirect("dialogue:slots", pk=dialogue.pk)


@buyer_view
@require_POST
def draw(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    try:
        result = actions.draw_lottery(request.user, dialogue)
    except DialogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The lottery is drawn. Organisations with a meeting: %(placed)d of %(asked)d.")
            % {"placed": len(result.result), "asked": len(result.inputs)},
        )
    return _to_manage(dialogue, "meetings")


@buyer_view
@require_http_methods(["GET", "POST"])
def minutes(request: BuyerRequest, pk: int, booking_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    booking: Booking = get_object_or_404(
        dialogue.bookings.select_related("slot", "organisation"), pk=booking_pk
    )
    existing: Minutes | None = getattr(booking, "minutes", None)
    initial = {"text": existing.text, "actual_minutes": existing.actual_minutes} if existing else {}
    form = MinutesForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_minutes(
                request.user,
                booking,
                text=form.cleaned_data["text"],
                actual_minutes=form.cleaned_data["actual_minutes"],
            )
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The minutes were saved; %(org)s can read them now.")
                % {"org": booking.organisation.name},
            )
            return _to_manage(dialogue, "meetings")
    paragraphs = (
        [(text, i in existing.secret_paragraphs) for i, text in enumerate(existing.paragraphs())]
        if existing
        else []
    )
    context = {
        "dialogue": dialogue,
        "booking": booking,
        "minutes": existing,
        "paragraphs": paragraphs,
        "form": form,
        "started": booking.slot.starts_at <= timezone.now(),
    }
    return render(request, "dialogue/buyer_minutes.html", context)


# Questions and answers ---------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def answer(request: BuyerRequest, pk: int, question_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    question = get_object_or_404(
        dialogue.questions.select_related("organisation", "asked_by", "answer"), pk=question_pk
    )
    form = AnswerForm(_posted(request), initial={"question_text": question.text})
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_question(
                request.user,
                question,
                question_text=form.cleaned_data["question_text"],
                answer_text=form.cleaned_data["answer_text"],
            )
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The answer is published to every registered supplier."))
            return _to_manage(dialogue, "questions")
    context = {
        "dialogue": dialogue,
        "question": question,
        "form": form,
        "registered": dialogue.registrations.count(),
    }
    return render(request, "dialogue/buyer_answer.html", context)


@buyer_view
@require_POST
def duplicate(request: BuyerRequest, pk: int, question_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    question = get_object_or_404(dialogue.questions, pk=question_pk)
    form = DuplicateForm(request.POST, prefix=f"q{question.pk}", answers=dialogue.answers.all())
    if not form.is_valid():
        messages.error(request, _("Choose the published answer that already answers it."))
        return _to_manage(dialogue, "questions")
    try:
        actions.mark_duplicate(request.user, question, form.cleaned_data["answer"])
    except DialogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The question is marked as answered by an earlier answer; the asker is told."),
        )
    return _to_manage(dialogue, "questions")


@buyer_view
@require_http_methods(["GET", "POST"])
def clarification(request: BuyerRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_managing(request.user, pk)
    form = ClarificationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.publish_clarification(
                request.user,
                dialogue,
                question_text=form.cleaned_data["question_text"],
                answer_text=form.cleaned_data["answer_text"],
            )
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, _("The clarification is published to every registered supplier.")
            )
            return _to_manage(dialogue, "answers")
    context = {
        "dialogue": dialogue,
        "form": form,
        "registered": dialogue.registrations.count(),
    }
    return render(request, "dialogue/buyer_clarification.html", context)


# Written input -----------------------------------------------------------------------------


@buyer_view
@require_safe
def input_download(request: BuyerRequest, pk: int, input_pk: int) -> HttpResponseBase:
    dialogue = access.get_dialogue_for_insider(request.user, pk)
    item = get_object_or_404(dialogue.inputs, pk=input_pk)
    if not item.file:
        raise Http404
    return uploads.private_download(
        item.file, content_type=item.content_type, fallback_name="input"
    )
