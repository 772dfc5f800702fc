"""The buyers' pages: create and edit a project, publish it, move its phase, benefits, the
roadmap with its documents, and co-buyer invitations.

Each view fetches through an access helper, validates a form, calls one action and redirects.
A refusal by an action (`ProjectError`) is shown next to the field it names; a `PermissionDenied`
from an action becomes a 404, so nobody learns that a hidden draft exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.middleware import HtmxDetails

from lupin import uploads
from lupin.accounts.models import Organisation, OrganisationKind, User
from lupin.forms import Form
from lupin.lib import cpv
from lupin.projects import access, actions, lifecycle
from lupin.projects.actions import ProjectError
from lupin.projects.forms import (
    BenefitForm,
    DocumentForm,
    InviteForm,
    PhaseForm,
    ProjectForm,
    StepForm,
)
from lupin.projects.lifecycle import Phase
from lupin.projects.models import (
    InvitationStatus,
    Project,
    ProjectDocument,
    ProjectStep,
)
from lupin.projects.roadmap import STEPS


class BuyerRequest(HttpRequest):
    """A request behind `login_required`, with django-htmx's details."""

    user: User
    htmx: HtmxDetails


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def buyer_view(view: _View) -> _View:
    """Login required; an action's PermissionDenied answers 404 like a hidden project does."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    return cast(_View, login_required(wrapped))


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


def _add_error(form: Form, error: ProjectError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# Create and edit ---------------------------------------------------------------------------


@buyer_view
def project_create(request: BuyerRequest) -> HttpResponse:
    if not access.can_create_projects(request.user):
        raise Http404
    form = ProjectForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.create_project(request.user, form.to_data())
        except ProjectError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The project was created as a draft."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/buyer_project_form.html", {"form": form, "project": None})


@buyer_view
def project_edit(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    form = ProjectForm(_posted(request), initial=ProjectForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_project(request.user, project, form.to_data())
        except ProjectError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/buyer_project_form.html", {"form": form, "project": project})


# Publish -----------------------------------------------------------------------------------


@buyer_view
@require_POST
def project_publish(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    try:
        actions.publish_project(request.user, project)
    except ProjectError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The project is published: anyone can read it now."))
    return redirect("projects:detail", pk=project.pk)


@buyer_view
@require_POST
def project_unpublish(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    try:
        actions.unpublish_project(request.user, project)
    except ProjectError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The project is a draft again: only insiders can see it."))
    return redirect("projects:detail", pk=project.pk)


# Phase -------------------------------------------------------------------------------------


@buyer_view
def move_phase(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    phases = lifecycle.next_phases(project.phase)
    form = PhaseForm(_posted(request), phases=phases)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            actions.move_phase(request.user, project, to, form.cleaned_data["reason"])
        except ProjectError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, _("The project moved to %(phase)s.") % {"phase": Phase(to).label}
            )
            return redirect("projects:detail", pk=project.pk)
    chosen = form["to"].value()
    options = [
        {
            "phase": phase,
            "blockers": lifecycle.blockers(project, phase),
            "reason_required": (project.phase, phase) in lifecycle.REASON_REQUIRED,
            "checked": chosen == phase.value,
        }
        for phase in phases
    ]
    return render(
        request,
        "projects/buyer_move_phase.html",
        {"project": project, "form": form, "options": options},
    )


# Benefits ----------------------------------------------------------------------------------


@buyer_view
def benefit_add(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    form = BenefitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_benefit(request.user, project, form.to_data())
        except ProjectError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The expected benefit was added."))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/buyer_benefit_form.html",
        {"project": project, "form": form, "benefit": None},
    )


@buyer_view
def benefit_edit(request: BuyerRequest, pk: int, benefit_pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    benefit = get_object_or_404(project.benefits, pk=benefit_pk)
    form = BenefitForm(_posted(request), initial=BenefitForm.initial_for(benefit))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_benefit(request.user, benefit, form.to_data())
        except ProjectError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The expected benefit was saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/buyer_benefit_form.html",
        {"project": project, "form": form, "benefit": benefit},
    )


@buyer_view
def benefit_delete(request: BuyerRequest, pk: int, benefit_pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    benefit = get_object_or_404(project.benefits, pk=benefit_pk)
    if request.method == "POST":
        actions.remove_benefit(request.user, benefit)
        messages.success(request, _("The expected benefit was removed."))
        return redirect("projects:detail", pk=project.pk)
    return render(
        request, "projects/buyer_benefit_delete.html", {"project": project, "benefit": benefit}
    )


# Roadmap -----------------------------------------------------------------------------------


@dataclass
class StepItem:
    """One step on the roadmap page, with its forms when the user may edit."""

    step: ProjectStep
    form: StepForm | None
    document_form: DocumentForm | None


def _document_prefix(key: str) -> str:
    return f"doc-{key}" if key else "doc"


def _step_item(
    step: ProjectStep,
    editable: bool,
    form: StepForm | None = None,
    document_form: DocumentForm | None = None,
) -> StepItem:
    if not editable:
        return StepItem(step, None, None)
    return StepItem(
        step,
        form or StepForm(prefix=step.key, initial={"done": step.done, "note": step.note}),
        document_form or DocumentForm(prefix=_document_prefix(step.key)),
    )


def _roadmap_response(
    request: BuyerRequest,
    project: Project,
    *,
    step_form: tuple[str, StepForm] | None = None,
    document_form: tuple[str, DocumentForm] | None = None,
) -> HttpResponse:
    """The roadmap page; a bound form given here replaces the blank one (errors, typed text)."""
    editable = access.can_edit(request.user, project)
    documents = Prefetch(
        "documents", queryset=ProjectDocument.objects.order_by("uploaded_at", "id")
    )
    steps = {step.key: step for step in project.steps.prefetch_related(documents)}
    bound_steps = dict([step_form]) if step_form else {}
    bound_documents = dict([document_form]) if document_form else {}
    groups = []
    for phase in Phase:
        items = [
            _step_item(
                steps[s.key],
                editable,
                bound_steps.get(s.key),
                bound_documents.get(s.key),
            )
            for s in STEPS
            if s.phase == phase and s.key in steps
        ]
        groups.append(
            {
                "phase": phase,
                "items": items,
                "done": sum(1 for item in items if item.step.done),
                "total": len(items),
                "current": phase == project.phase,
                "open": phase == project.phase
                or any(
                    item.step.key in bound_steps or item.step.key in bound_documents
                    for item in items
                ),
            }
        )
    loose = project.documents.filter(step=None).order_by("uploaded_at", "id")
    bound_key = step_form[0] if step_form else document_form[0] if document_form else None
    error_anchor = "" if bound_key is None else f"step-{bound_key}" if bound_key else "documents"
    context = {
        "project": project,
        "error_anchor": error_anchor,
        "groups": groups,
        "can_edit": editable,
        "loose_documents": loose,
        "loose_form": bound_documents.get("") or DocumentForm(prefix=_document_prefix("")),
    }
    return render(request, "projects/buyer_roadmap.html", context)


@buyer_view
@require_safe
def roadmap(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_internals(request.user, pk)
    return _roadmap_response(request, project)


def _back_to_step(project: Project, key: str) -> HttpResponse:
    anchor = f"#step-{key}" if key else "#documents"
    return redirect(reverse("projects:roadmap", kwargs={"pk": project.pk}) + anchor)


@buyer_view
@require_POST
def step_update(request: BuyerRequest, pk: int, key: str) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    step = get_object_or_404(project.steps, key=key)
    form = StepForm(request.POST, prefix=step.key)
    saved = False
    if form.is_valid():
        actions.set_step(
            request.user, step, done=form.cleaned_data["done"], note=form.cleaned_data["note"]
        )
        saved = True
        form = StepForm(prefix=step.key, initial={"done": step.done, "note": step.note})
    if request.htmx:
        item = _step_item(step, editable=True, form=form)
        return render(
            request,
            "projects/_roadmap_step.html",
            {"project": project, "item": item, "can_edit": True, "saved": saved, "fragment": True},
        )
    if saved:
        messages.success(request, _("“%(step)s” was saved.") % {"step": step.title})
        return _back_to_step(project, step.key)
    return _roadmap_response(request, project, step_form=(step.key, form))


# Documents ---------------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def document_add(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    if request.method == "GET":
        # The upload forms live on the roadmap, next to the steps.
        return _back_to_step(project, "")
    key = request.POST.get("step", "")
    step = get_object_or_404(project.steps, key=key) if key else None
    form = DocumentForm(request.POST, request.FILES, prefix=_document_prefix(key))
    if form.is_valid():
        try:
            document = actions.add_document(
                request.user,
                project,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                step=step,
            )
        except ProjectError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("“%(title)s” was uploaded.") % {"title": document.title})
            return _back_to_step(project, key)
    return _roadmap_response(request, project, document_form=(key, form))


@buyer_view
@require_safe
def document_download(request: BuyerRequest, pk: int, document_pk: int) -> HttpResponseBase:
    project = access.get_project_for_internals(request.user, pk)
    document = get_object_or_404(project.documents, pk=document_pk)
    return uploads.private_download(
        document.file, content_type=document.content_type, fallback_name="document"
    )


@buyer_view
@require_POST
def document_delete(request: BuyerRequest, pk: int, document_pk: int) -> HttpResponse:
    project = access.get_project_for_editing(request.user, pk)
    document = get_object_or_404(project.documents.select_related("step"), pk=document_pk)
    key = document.step.key if document.step else ""
    title = document.title
    actions.remove_document(request.user, document)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return _back_to_step(project, key)


# Co-buyers ---------------------------------------------------------------------------------


def _invitable(project: Project) -> Any:
    """Buyer organisations that may still be invited: not the lead, not pending or accepted."""
    taken = project.invitations.exclude(status=InvitationStatus.DECLINED).values("organisation_id")
    return (
        Organisation.objects.filter(kind=OrganisationKind.BUYER)
        .exclude(pk=project.lead_buyer_id)
        .exclude(pk__in=taken)
        .order_by("name")
    )


@buyer_view
def cobuyers(request: BuyerRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_internals(request.user, pk)
    may_invite = access.can_invite(request.user, project)
    if request.method == "POST" and not may_invite:
        raise Http404
    form = InviteForm(_posted(request), candidates=_invitable(project)) if may_invite else None
    if form is not None and request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            actions.invite_cobuyer(request.user, project, organisation)
        except ProjectError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("%(org)s was invited as a co-buyer.") % {"org": organisation.name},
            )
            return redirect("projects:cobuyers", pk=project.pk)
    invitations = project.invitations.select_related("organisation", "invited_by", "answered_by")
    return render(
        request,
        "projects/buyer_cobuyers.html",
        {
            "project": project,
            "invitations": invitations,
            "form": form,
            "can_edit": access.can_edit(request.user, project),
        },
    )


@buyer_view
@require_POST
def invitation_answer(request: BuyerRequest, pk: int) -> HttpResponse:
    invitation = access.get_invitation_for_user(request.user, pk)
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Choose whether to accept or decline the invitation."))
        return redirect("accounts:home")
    try:
        actions.answer_invitation(request.user, invitation, accept=answer == "accept")
    except ProjectError as error:
        messages.error(request, error.message)
    else:
        title = invitation.project.title
        if answer == "accept":
            messages.success(
                request, _("You joined “%(project)s” as a co-buyer.") % {"project": title}
            )
        else:
            messages.success(
                request, _("You declined the invitation to “%(project)s”.") % {"project": title}
            )
    return redirect("accounts:home")


# CPV picker --------------------------------------------------------------------------------

CPV_QUERY_MAX = 100
CPV_RESULTS_MAX = 20
CPV_QUERY_MIN = 2


@require_GET
def cpv_search(request: HttpRequest) -> HttpResponse:
    """Matching CPV codes as an HTML fragment for the picker. Public data only, so no login."""
    query = request.GET.get("q", "")[:CPV_QUERY_MAX].strip()
    too_short = len(query) < CPV_QUERY_MIN
    language = get_language() or "nb"
    results = (
        []
        if too_short
        else [
            {"code": code.code, "label": code.label(language)}
            for code in cpv.search(query, limit=CPV_RESULTS_MAX)
        ]
    )
    return render(
        request,
        "projects/_cpv_results.html",
        {"query": query, "results": results, "too_short": too_short, "limit": CPV_RESULTS_MAX},
    )
