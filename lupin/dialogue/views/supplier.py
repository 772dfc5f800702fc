"""A supplier taking part in a market dialogue: register, sign up for a conference, book or
request a meeting, ask, send written input, download materials, mark secrets in its minutes.

Each view fetches through `access`, calls one action and redirects back to the notice with a
message. A refusal (`DialogueError`) becomes an error message, or an error next to the field it
names when there is a form; the action has changed nothing. With htmx, booking and asking answer
with the section they changed instead of a new page. A `PermissionDenied` answers 404, so nobody
learns what another organisation has.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import PurePosixPath
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from lupin import uploads
from lupin.accounts.models import User
from lupin.dialogue import access, actions
from lupin.dialogue import calendar as ics
from lupin.dialogue.actions import DialogueError
from lupin.dialogue.forms_supplier import (
    QuestionForm,
    SecretsForm,
    SignupForm,
    SlotRequestForm,
    WrittenInputForm,
)
from lupin.dialogue.models import Booking, Dialogue, Minutes, WrittenInput
from lupin.dialogue.views.public import (
    absolute_url,
    asking_open,
    ics_response,
    questions_context,
    render_detail,
    slots_context,
)
from lupin.forms import Form


class SupplierRequest(HttpRequest):
    """A request behind `supplier_view`, with django-htmx's details."""

    user: User
    htmx: HtmxDetails


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def supplier_view(view: _View) -> _View:
    """Anonymous visitors log in first and come back to the notice (a POST cannot be replayed,
    so its `next` is the notice page); an action's PermissionDenied answers 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if request.method in ("GET", "HEAD"):
                return redirect_to_login(request.get_full_path())
            return redirect_to_login(reverse("dialogue:detail", args=[pk]))
        try:
            return view(request, pk, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    return cast(_View, wrapped)


def _back(request: SupplierRequest, dialogue: Dialogue, anchor: str = "") -> HttpResponse:
    """Back to the notice. An htmx request reloads the whole page: following a plain redirect
    would put the page inside the section it targeted."""
    url = reverse("dialogue:detail", args=[dialogue.pk])
    if anchor:
        url = f"{url}#{anchor}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _add_error(form: Form, error: DialogueError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "j. F Y H:i T")


def _section(
    request: SupplierRequest,
    dialogue: Dialogue,
    *,
    anchor: str,
    notice: tuple[str, str],
    build: Callable[[Any], dict[str, Any]],
    template: str,
) -> HttpResponse:
    """htmx gets the changed section and a message for its live region; a plain browser gets
    the message and goes back to the section on the notice page."""
    level, text = notice
    registration = access.registration_of(request.user, dialogue)
    if request.htmx and registration is not None and not access.is_insider(request.user, dialogue):
        context = {
            "dialogue": dialogue,
            "registration": registration,
            "fragment": True,
            "notice": {"level": level, "text": text},
            **build(registration),
        }
        return render(request, template, context)
    if level == "success":
        messages.success(request, text)
    else:
        messages.error(request, text)
    return _back(request, dialogue, anchor)


# Registration --------------------------------------------------------------------------------


@supplier_view
@require_POST
def register(request: SupplierRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    try:
        actions.register(request.user, dialogue)
    except DialogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your organisation is registered. You now see everything shared in this "
                "dialogue, and you get a message when something new is shared."
            ),
        )
    return _back(request, dialogue)


# Conference ----------------------------------------------------------------------------------


@supplier_view
@require_POST
def signup(request: SupplierRequest, pk: int, conference_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    conference = get_object_or_404(dialogue.conferences, pk=conference_pk)
    anchor = f"conference-{conference.pk}"
    form = SignupForm(request.POST, conference=conference)
    if form.is_valid():
        try:
            actions.sign_up(request.user, conference, form.cleaned_data["attendees"])
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("You are signed up for “%(title)s”.") % {"title": conference.title},
            )
            return _back(request, dialogue, anchor)
    if access.registration_of(request.user, dialogue) is None:
        messages.error(request, _("Register your organisation for the dialogue first."))
        return _back(request, dialogue, anchor)
    return render_detail(request, dialogue, signup_forms={conference.pk: form})


@supplier_view
@require_POST
def signup_cancel(request: SupplierRequest, pk: int, conference_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    conference = get_object_or_404(dialogue.conferences, pk=conference_pk)
    try:
        actions.cancel_signup(request.user, conference)
    except DialogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your sign-up for “%(title)s” is cancelled.") % {"title": conference.title},
        )
    return _back(request, dialogue, f"conference-{conference.pk}")


# One-to-one meetings ------------------------------------------------------------------------


def _slots_section(
    request: SupplierRequest, dialogue: Dialogue, notice: tuple[str, str]
) -> HttpResponse:
    return _section(
        request,
        dialogue,
        anchor="meetings",
        notice=notice,
        build=lambda registration: slots_context(dialogue, registration),
        template="dialogue/_slots.html",
    )


@supplier_view
@require_POST
def book(request: SupplierRequest, pk: int, slot_pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    slot = get_object_or_404(dialogue.slots, pk=slot_pk)
    try:
        actions.book_slot(request.user, slot)
    except DialogueError as error:
        notice = ("danger", error.message)
    else:
        notice = (
            "success",
            _("Your meeting is booked for %(when)s.") % {"when": _when(slot.starts_at)},
        )
    return _slots_section(request, dialogue, notice)


@supplier_view
@require_POST
def cancel_booking(request: SupplierRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    try:
        actions.cancel_booking(request.user, dialogue)
    except DialogueError as error:
        notice = ("danger", error.message)
    else:
        notice = ("success", _("Your meeting is cancelled. You may book another slot."))
    return _slots_section(request, dialogue, notice)


@supplier_view
@require_POST
def request_slots(request: SupplierRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    form = SlotRequestForm(request.POST, slots=list(dialogue.slots.all()))
    if not form.is_valid():
        message = " ".join(str(e) for e in form.errors.get("slots", [])) or _(
            "Choose among the listed slots."
        )
        return _slots_section(request, dialogue, ("danger", message))
    try:
        chosen = actions.request_slots(request.user, dialogue, form.cleaned_data["slots"])
    except DialogueError as error:
        notice = ("danger", error.message)
    else:
        notice = (
            "success",
            ngettext(
                "Your choice of %(count)d slot is saved. The lottery is drawn at the cut-off.",
                "Your choice of %(count)d slots is saved. The lottery is drawn at the cut-off.",
                len(chosen),
            )
            % {"count": len(chosen)}
            if chosen
            else _("You have withdrawn your requests."),
        )
    return _slots_section(request, dialogue, notice)


@supplier_view
@require_safe
def meeting_ics(request: SupplierRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    registration = access.registration_of(request.user, dialogue)
    if registration is None:
        raise Http404
    booking = get_object_or_404(
        Booking.objects.select_related("slot", "dialogue__project__lead_buyer"),
        dialogue=dialogue,
        organisation_id=registration.organisation_id,
    )
    content = ics.meeting_calendar(booking, absolute_url("dialogue:detail", dialogue.pk))
    return ics_response(content, f"dialogue-{dialogue.pk}-meeting.ics")


# Questions -----------------------------------------------------------------------------------


@supplier_view
@require_POST
def ask(request: SupplierRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_user(request.user, pk)
    form = QuestionForm(request.POST)
    refusal = _("Your question was not sent.")
    if form.is_valid():
        try:
            actions.ask_question(request.user, dialogue, form.cleaned_data["text"])
        except DialogueError as error:
            _add_error(form, error)
            refusal = error.message
        else:
            return _section(
                request,
                dialogue,
                anchor="questions",
                notice=(
                    "success",
                    _(
                        "Your question is sent to the buyer. The answer will be published to "
                        "every registered supplier."
                    ),
                ),
                build=lambda registration: questions_context(dialogue, registration),
                template="dialogue/_questions.html",
            )
    registration = access.registration_of(request.user, dialogue)
    if registration is None or access.is_insider(request.user, dialogue):
        messages.error(request, _("Register your organisation for the dialogue first."))
        return _back(request, dialogue, "questions")
    if request.htmx:
        context = {
            "dialogue": dialogue,
            "registration": registration,
            "fragment": True,
            "notice": {"level": "danger", "text": refusal},
            **questions_context(dialogue, registration, form=form),
        }
        return render(request, "dialogue/_questions.html", context)
    if not asking_open(dialogue):
        # The form is gone from the page: say why, as a message.
        messages.error(request, refusal)
        return _back(request, dialogue, "questions")
    return render_detail(request, dialogue, question_form=form)


# Written input ---------------------------------------------------------------------------------


@supplier_view
@require_http_methods(["GET", "HEAD", "POST"])
def written_input(request: SupplierRequest, pk: int) -> HttpResponse:
    dialogue, registration = access.get_dialogue_for_participant(request.user, pk)
    form = WrittenInputForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.submit_input(
                request.user,
                dialogue,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["file"],
            )
        except DialogueError as error:
            if error.field not in form.fields:
                # A closed dialogue or a passed deadline: the form is gone from the page.
                messages.error(request, error.message)
                return redirect("dialogue:input", pk=dialogue.pk)
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was sent to the buyer. Only the buyer can read it.")
                % {"title": item.title},
            )
            return redirect("dialogue:input", pk=dialogue.pk)
    inputs = WrittenInput.objects.filter(
        dialogue=dialogue, organisation_id=registration.organisation_id
    ).order_by("submitted_at", "id")
    context = {
        "dialogue": dialogue,
        "form": form,
        "inputs": [
            {"item": item, "filename": PurePosixPath(item.file.name).name if item.file else ""}
            for item in inputs
        ],
        "input_open": dialogue.is_open and timezone.now() < dialogue.input_deadline,
    }
    return render(request, "dialogue/supplier_input.html", context)


# Materials -------------------------------------------------------------------------------------


@require_safe
def material_download(request: HttpRequest, pk: int, material_pk: int) -> HttpResponseBase:
    """Registered suppliers and insiders; everyone else gets 404, as if there were no file."""
    dialogue = access.get_dialogue_for_user(request.user, pk)
    if not access.can_see_shared(request.user, dialogue):
        raise Http404
    material = get_object_or_404(dialogue.materials, pk=material_pk)
    return uploads.private_download(
        material.file, content_type=material.content_type, fallback_name="material"
    )


# Minutes ---------------------------------------------------------------------------------------


@supplier_view
@require_http_methods(["GET", "HEAD", "POST"])
def my_minutes(request: SupplierRequest, pk: int) -> HttpResponse:
    """The organisation's own minutes, where it marks the paragraphs that are business secrets."""
    dialogue, registration = access.get_dialogue_for_participant(request.user, pk)
    minutes = get_object_or_404(
        Minutes.objects.select_related("booking__slot", "booking__dialogue__project"),
        booking__dialogue=dialogue,
        booking__organisation_id=registration.organisation_id,
    )
    paragraphs = minutes.paragraphs()
    form = SecretsForm(
        request.POST if request.method == "POST" else None,
        paragraphs=paragraphs,
        initial={"paragraphs": minutes.secret_paragraphs},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.mark_secrets(request.user, minutes, form.cleaned_data["paragraphs"])
        except DialogueError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Your choice of business secrets is saved."))
            return redirect("dialogue:my_minutes", pk=dialogue.pk)
    secret = set(minutes.secret_paragraphs)
    # A refused form keeps what the supplier ticked; otherwise the saved choice.
    ticked = {str(value) for value in form["paragraphs"].value() or []}
    context = {
        "dialogue": dialogue,
        "minutes": minutes,
        "booking": minutes.booking,
        "form": form,
        "paragraphs": [
            {
                "index": index,
                "text": text,
                "secret": index in secret,
                "checked": str(index) in ticked,
            }
            for index, text in enumerate(paragraphs)
        ],
    }
    return render(request, "dialogue/supplier_minutes.html", context)
