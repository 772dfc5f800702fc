"""The buyer preparing and running a competition: the procedure advisor, the competition and
its timeline, award criteria, qualification requirements, tender documents, announcing,
questions and answers, cancelling, and the dashboard.

Each view fetches through `lupin.competitions.access` (or `lupin.projects.access` to create),
validates a form, calls one action and redirects. A refusal by an action (`CompetitionError`)
is shown next to the field it names; a `PermissionDenied` becomes a 404, so nobody learns that a
hidden draft exists. Changes need `get_competition_for_managing` (the lead buyer's admins and
members); the dashboard is readable by every insider (evaluators, co-buyers, programme advisors).
Before opening the dashboard shows how many tenders are in, never whose or what (Annex IV (b)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lupin.accounts.models import Role
from lupin.competitions import access, actions
from lupin.competitions.actions import CompetitionError, setup
from lupin.competitions.forms import (
    AdvisorForm,
    AnswerForm,
    CancelForm,
    ClarificationForm,
    CompetitionForm,
    CriterionForm,
    DocumentForm,
    DuplicateForm,
    JustificationForm,
    LotForm,
    RequirementForm,
    TimelineForm,
)
from lupin.competitions.models import (
    Competition,
    CompetitionStatus,
    Criterion,
    CriterionKind,
    QuestionStatus,
    TenderStatus,
)
from lupin.lib import procedures
from lupin.projects import access as project_access
from lupin.projects.models import Procedure
from lupin.projects.views.buyer import BuyerRequest, buyer_view


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


def _add_error(form: Form, error: CompetitionError) -> None:
    name = error.field if error.field in form.fields else None
    form.add_error(name, error.message)


def _to_manage(competition: Competition, anchor: str = "") -> HttpResponse:
    url = reverse("competitions:manage", kwargs={"pk": competition.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


# The procedure advisor ---------------------------------------------------------------------

REGIME_NAMES: dict[str, Any] = {
    procedures.Regime.OUTSIDE_ACT: gettext_lazy(
        "Below the Act's lower limit: the Public Procurement Act does not apply"
    ),
    procedures.Regime.PART_I: gettext_lazy(
        "FOA part I: the Act's basic principles apply; no notice is required"
    ),
    procedures.Regime.PART_II: gettext_lazy(
        "FOA part II: a national competition, announced on Doffin"
    ),
    procedures.Regime.PART_III: gettext_lazy(
        "FOA part III: an EEA competition, announced on Doffin and TED"
    ),
    procedures.Regime.UTILITIES_BELOW_EEA: gettext_lazy(
        "Utilities below the EEA threshold: only the Act's basic principles apply"
    ),
    procedures.Regime.UTILITIES_EEA: gettext_lazy(
        "Utilities above the EEA threshold (forsyningsforskriften): announced on Doffin and TED"
    ),
}
NOTICE_NAMES: dict[tuple[str, ...], Any] = {
    (): gettext_lazy("No notice required (a voluntary notice on Doffin widens the competition)"),
    (procedures.Notice.DOFFIN,): gettext_lazy("Doffin"),
    (procedures.Notice.DOFFIN, procedures.Notice.TED): gettext_lazy(
        "Doffin, forwarded to TED (the EU's Tenders Electronic Daily)"
    ),
}
DEADLINE_NAMES: dict[str, Any] = {
    "request_deadline": gettext_lazy("Requests to participate"),
    "tender_deadline": gettext_lazy("Tender deadline"),
    "last_answer_at": gettext_lazy("Last answers before the tender deadline"),
    "standstill": gettext_lazy("Standstill before signing"),
}
ANCHOR_NAMES: dict[str, Any] = {
    "published_at": gettext_lazy("after the notice is sent"),
    "request_deadline": gettext_lazy("after the request deadline"),
    "tender_deadline": gettext_lazy("before the tender deadline"),
    "award_notice": gettext_lazy("after the award notice"),
}


@dataclass
class MinimumRow:
    name: Any
    days: int
    anchor: Any
    rule: str
    legal: bool


@dataclass
class ProcedureRow:
    option: procedures.ProcedureOption
    label: str
    minimums: list[MinimumRow]


@dataclass
class AdvicePanel:
    advice: procedures.Advice
    regime_name: Any
    notices: Any
    rows: list[ProcedureRow]
    utilities: bool = False


def _panel(advice: procedures.Advice, utilities: bool = False) -> AdvicePanel:
    labels = dict(Procedure.choices)
    rows = []
    for option in advice.procedures:
        minimums = procedures.minimum_deadlines(option.procedure, advice.regime)
        rows.append(
            ProcedureRow(
                option=option,
                label=str(labels.get(option.procedure, option.name)),
                minimums=[
                    MinimumRow(
                        DEADLINE_NAMES[m.field],
                        m.days,
                        ANCHOR_NAMES[m.counted_from],
                        m.rule,
                        m.legal,
                    )
                    for m in minimums.values()
                ],
            )
        )
    return AdvicePanel(
        advice=advice,
        regime_name=REGIME_NAMES[advice.regime],
        notices=NOTICE_NAMES.get(tuple(advice.notices), ""),
        rows=rows,
        utilities=utilities,
    )


@dataclass
class AdvisorResult:
    form: AdvisorForm
    panel: AdvicePanel | None = None
    error: str = ""


def _advise(data: Mapping[str, Any] | None) -> AdvisorResult:
    form = AdvisorForm(data)
    if data is None or not form.is_valid():
        return AdvisorResult(form)
    try:
        advice = procedures.advise(
            form.cleaned_data["estimated_value"],
            form.cleaned_data["buyer_kind"],
            form.cleaned_data["purchase_kind"],
            timezone.localdate(),
            utilities=form.cleaned_data["utilities"],
        )
    except procedures.ThresholdsUnknown as error:
        return AdvisorResult(form, error=str(error))
    return AdvisorResult(form, _panel(advice, form.cleaned_data["utilities"]))


def _may_use_advisor(user: Any) -> bool:
    return bool(
        user.is_superuser
        or user.role in (Role.BUYER_ADMIN, Role.BUYER_MEMBER, Role.EVALUATOR, Role.ADVISOR)
    )


@buyer_view
@require_safe
def advisor(request: BuyerRequest) -> HttpResponse:
    if not _may_use_advisor(request.user):
        raise Http404
    result = _advise(request.GET if "estimated_value" in request.GET else None)
    if request.htmx:
        return render(request, "competitions/buyer_advisor_panel.html", {"result": result})
    return render(request, "competitions/buyer_advisor.html", {"result": result})


def _advice_for(competition: Competition) -> AdvicePanel | None:
    try:
        return _panel(actions.advice_for(competition, competition.announced_at))
    except (procedures.ThresholdsUnknown, ValueError):
        return None


# The competition ---------------------------------------------------------------------------


def _default_timeline() -> dict[str, datetime]:
    """A timeline that meets the longest EEA minimum (35 days), at noon Oslo time."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    tender = noon + timedelta(days=36)
    return {
        "question_deadline": tender - timedelta(days=10),
        "last_answer_at": tender - timedelta(days=7),
        "tender_deadline": tender,
        "opening_at": tender + timedelta(hours=1),
    }


def _advisor_data(form: CompetitionForm) -> dict[str, Any]:
    names = ("estimated_value", "buyer_kind", "purchase_kind")
    if form.is_bound:
        return {name: form.data.get(name, "") for name in names}
    return {name: form[name].value() or "" for name in names}


def _form_page(
    request: HttpRequest, form: CompetitionForm, project: Any, competition: Competition | None
) -> HttpResponse:
    context = {
        "form": form,
        "project": project,
        "competition": competition,
        "advisor": _advise(_advisor_data(form)),
        "warnings": form.warnings,
    }
    return render(request, "competitions/buyer_competition_form.html", context)


@buyer_view
@require_http_methods(["GET", "POST"])
def competition_create(request: BuyerRequest, project_pk: int) -> HttpResponse:
    project = project_access.get_project_for_editing(request.user, project_pk)
    initial: dict[str, Any] = {
        "title": project.title,
        "description": project.need_statement,
        "estimated_value": project.estimated_value,
        **_default_timeline(),
    }
    if project.planned_procedure != Procedure.UNDECIDED:
        initial["procedure"] = project.planned_procedure
    form = CompetitionForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            competition = actions.create_competition(request.user, project, form.to_data())
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The competition was saved as a draft: add criteria and documents, "
                    "then announce."
                ),
            )
            return _to_manage(competition)
    return _form_page(request, form, project, None)


@buyer_view
@require_http_methods(["GET", "POST"])
def competition_edit(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    if competition.status != CompetitionStatus.DRAFT:
        messages.info(
            request, _("An announced competition changes only through its timeline and documents.")
        )
        return _to_manage(competition)
    form = CompetitionForm(
        _posted(request), initial=CompetitionForm.initial_for(competition), competition=competition
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_competition(request.user, competition, form.to_data())
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return _to_manage(competition)
    return _form_page(request, form, competition.project, competition)


# Award criteria --------------------------------------------------------------------------------


@dataclass
class CriteriaSummary:
    """The live total: 100 %, or what is missing or too much; and the environment share."""

    total: Decimal
    environment: Decimal
    environment_ok: bool
    problems: list[str]

    @property
    def complete(self) -> bool:
        return self.total == Decimal(100)

    @property
    def missing(self) -> Decimal:
        return Decimal(100) - self.total

    @property
    def excess(self) -> Decimal:
        return self.total - Decimal(100)


@dataclass
class CriterionRow:
    criterion: Criterion
    children: list[Criterion]
    children_total: Decimal
    edit_form: CriterionForm | None = None
    sub_form: CriterionForm | None = None
    child_items: list[tuple[Criterion, CriterionForm]] = field(default_factory=list)

    @property
    def children_match(self) -> bool:
        return not self.children or self.children_total == self.criterion.weight


def _criteria_rows(competition: Competition) -> list[CriterionRow]:
    main = competition.criteria.filter(parent__isnull=True).prefetch_related(
        Prefetch("children", queryset=Criterion.objects.order_by("id"))
    )
    rows = []
    for criterion in main:
        children = list(criterion.children.all())
        rows.append(
            CriterionRow(criterion, children, sum((c.weight for c in children), Decimal(0)))
        )
    return rows


def _summary(competition: Competition, rows: list[CriterionRow]) -> CriteriaSummary:
    total = sum((r.criterion.weight for r in rows), Decimal(0))
    environment = sum(
        (r.criterion.weight for r in rows if r.criterion.kind == CriterionKind.ENVIRONMENT),
        Decimal(0),
    )
    environment_ok = not procedures.check_environment_weight(
        min(environment, Decimal(100)), competition.environment_justification
    )
    return CriteriaSummary(
        total=total,
        environment=environment,
        environment_ok=environment_ok,
        problems=actions.criteria_problems(competition),
    )


def _criterion_op(
    request: BuyerRequest, competition: Competition, op: str
) -> tuple[str, Form, bool]:
    """Run one posted criteria (or lots) operation; (form key, form, done)."""
    if op == "remove_lot":
        lot = get_object_or_404(competition.lots, pk=request.POST.get("lot", ""))
        setup.remove_lot(request.user, lot)
        messages.success(request, _("Lot %(number)d was removed.") % {"number": lot.number})
        return "", JustificationForm(), True
    if op == "add_lot":
        lot_form = LotForm(request.POST, prefix="lot")
        if lot_form.is_valid():
            lot = setup.add_lot(request.user, competition, **lot_form.cleaned_data)
            messages.success(request, _("Lot %(number)d was added.") % {"number": lot.number})
            return "lot", lot_form, True
        return "lot", lot_form, False
    pk = request.POST.get("criterion", "")
    criterion = get_object_or_404(competition.criteria, pk=pk) if pk.isdigit() else None
    if criterion is None and op in ("remove", "update", "add_sub"):
        raise Http404
    if op == "justify":
        form: Form = JustificationForm(request.POST, prefix="justify")
        if form.is_valid():
            setup.set_environment_justification(
                request.user, competition, form.cleaned_data["environment_justification"]
            )
            messages.success(request, _("The justification was saved."))
            return "justify", form, True
        return "justify", form, False
    if op == "remove" and criterion is not None:
        setup.remove_criterion(request.user, criterion)
        messages.success(request, _("“%(name)s” was removed.") % {"name": criterion.name})
        return "", JustificationForm(), True
    if op == "update" and criterion is not None:
        key = f"edit-{criterion.pk}"
        sub = criterion.parent_id is not None
        form = CriterionForm(request.POST, prefix=key, sub=sub)
        if form.is_valid():
            setup.update_criterion(
                request.user, criterion, form.to_data(criterion.kind if sub else None)
            )
            messages.success(
                request, _("“%(name)s” was saved.") % {"name": form.cleaned_data["name"]}
            )
            return key, form, True
        return key, form, False
    if op == "add_sub" and criterion is not None:
        key = f"sub-{criterion.pk}"
        form = CriterionForm(request.POST, prefix=key, sub=True)
        if form.is_valid():
            setup.add_criterion(
                request.user, competition, form.to_data(criterion.kind), parent=criterion
            )
            messages.success(
                request, _("“%(name)s” was added.") % {"name": form.cleaned_data["name"]}
            )
            return key, form, True
        return key, form, False
    form = CriterionForm(request.POST, prefix="new")
    if form.is_valid():
        setup.add_criterion(request.user, competition, form.to_data())
        messages.success(request, _("“%(name)s” was added.") % {"name": form.cleaned_data["name"]})
        return "new", form, True
    return "new", form, False


@buyer_view
@require_http_methods(["GET", "POST"])
def criteria(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    bound: tuple[str, Form] | None = None
    if request.method == "POST":
        op = request.POST.get("op", "add")
        try:
            key, form, done = _criterion_op(request, competition, op)
        except CompetitionError as error:
            messages.error(request, error.message)
            return redirect("competitions:criteria", pk=competition.pk)
        if done:
            anchor = "#lots" if op in ("add_lot", "remove_lot") else "#criteria"
            return redirect(
                reverse("competitions:criteria", kwargs={"pk": competition.pk}) + anchor
            )
        bound = (key, form)
        competition.refresh_from_db()
    rows = _criteria_rows(competition)
    summary = _summary(competition, rows)
    forms: dict[str, Form] = dict([bound]) if bound else {}
    for row in rows:
        c = row.criterion
        row.edit_form = forms.get(f"edit-{c.pk}") or CriterionForm(  # type: ignore[assignment]
            prefix=f"edit-{c.pk}", initial=CriterionForm.initial_for(c)
        )
        row.sub_form = forms.get(f"sub-{c.pk}") or CriterionForm(  # type: ignore[assignment]
            prefix=f"sub-{c.pk}",
            sub=True,
            initial={"weight": max(c.weight - row.children_total, Decimal(0)) or None},
        )
        row.child_items = [
            (
                child,
                forms.get(f"edit-{child.pk}")  # type: ignore[misc]
                or CriterionForm(
                    prefix=f"edit-{child.pk}", sub=True, initial=CriterionForm.initial_for(child)
                ),
            )
            for child in row.children
        ]
    context = {
        "competition": competition,
        "rows": rows,
        "summary": summary,
        "draft": competition.status == CompetitionStatus.DRAFT,
        "new_form": forms.get("new")
        or CriterionForm(
            prefix="new", initial={"weight": summary.missing if summary.missing > 0 else None}
        ),
        "lots": competition.lots.all(),
        "lot_form": forms.get("lot") or LotForm(prefix="lot"),
        "justify_form": forms.get("justify")
        or JustificationForm(
            prefix="justify",
            initial={"environment_justification": competition.environment_justification},
        ),
    }
    return render(request, "competitions/buyer_criteria.html", context)


# Qualification requirements ------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def qualification(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    form = RequirementForm()
    if request.method == "POST":
        try:
            if request.POST.get("op") == "remove":
                requirement = get_object_or_404(
                    competition.qualification_requirements, pk=request.POST.get("requirement")
                )
                setup.remove_requirement(request.user, requirement)
                messages.success(request, _("The requirement was removed."))
                return redirect("competitions:qualification", pk=competition.pk)
            form = RequirementForm(request.POST)
            if form.is_valid():
                setup.add_requirement(request.user, competition, **form.cleaned_data)
                messages.success(request, _("The requirement was added."))
                return redirect("competitions:qualification", pk=competition.pk)
        except CompetitionError as error:
            if request.POST.get("op") == "remove":
                messages.error(request, error.message)
                return redirect("competitions:qualification", pk=competition.pk)
            _add_error(form, error)
    context = {
        "competition": competition,
        "form": form,
        "requirements": competition.qualification_requirements.all(),
        "draft": competition.status == CompetitionStatus.DRAFT,
    }
    return render(request, "competitions/buyer_qualification.html", context)


# Tender documents ------------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def documents(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    posted = request.method == "POST"
    form = DocumentForm(request.POST, request.FILES) if posted else DocumentForm()
    if request.method == "POST" and form.is_valid():
        try:
            document = setup.publish_document(
                request.user,
                competition,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except CompetitionError as error:
            _add_error(form, error)
        else:
            if competition.status == CompetitionStatus.ANNOUNCED:
                text = _("“%(title)s” is published; every interested supplier is told by e-mail.")
            else:
                text = _("“%(title)s” is saved; it becomes public when you announce.")
            messages.success(request, text % {"title": document.title})
            return redirect("competitions:documents", pk=competition.pk)
    context = {
        "competition": competition,
        "form": form,
        "documents": competition.documents.select_related("uploaded_by"),
        "draft": competition.status == CompetitionStatus.DRAFT,
        "may_publish": competition.status in (CompetitionStatus.DRAFT, CompetitionStatus.ANNOUNCED),
        "interested": competition.interested.count(),
    }
    return render(request, "competitions/buyer_documents.html", context)


@buyer_view
@require_POST
def document_delete(request: BuyerRequest, pk: int, document_pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    document = get_object_or_404(competition.documents, pk=document_pk)
    try:
        setup.remove_document(request.user, document)
    except CompetitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” was removed.") % {"title": document.title})
    return redirect("competitions:documents", pk=competition.pk)


# Announcing, the timeline and cancelling --------------------------------------------------------


@buyer_view
@require_POST
def announce(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    try:
        actions.announce(request.user, competition)
    except CompetitionError as error:
        messages.error(
            request, _("The competition was not announced: %(why)s") % {"why": error.message}
        )
    else:
        messages.success(
            request, _("The competition is announced: suppliers can read it and submit tenders.")
        )
    return _to_manage(competition)


@buyer_view
@require_http_methods(["GET", "POST"])
def timeline(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    open_for_change = (
        competition.status
        in (
            CompetitionStatus.DRAFT,
            CompetitionStatus.ANNOUNCED,
        )
        and not competition.deadline_passed()
    )
    form = TimelineForm(
        _posted(request), initial=TimelineForm.initial_for(competition), competition=competition
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_timeline(request.user, competition, **form.cleaned_data)
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The new timeline is saved; every interested supplier is told by e-mail."),
            )
            return _to_manage(competition, "timeline")
    context = {
        "competition": competition,
        "form": form,
        "open_for_change": open_for_change,
        "interested": competition.interested.count(),
    }
    return render(request, "competitions/buyer_timeline.html", context)


@buyer_view
@require_http_methods(["GET", "POST"])
def cancel(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    form = CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            setup.cancel_competition(request.user, competition, form.cleaned_data["reason"])
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The competition is cancelled."))
            return _to_manage(competition)
    context = {
        "competition": competition,
        "form": form,
        "interested": competition.interested.count(),
    }
    return render(request, "competitions/buyer_cancel.html", context)


# The dashboard ---------------------------------------------------------------------------------

OPENED = (CompetitionStatus.OPENED, CompetitionStatus.AWARDED, CompetitionStatus.SIGNED)


@buyer_view
@require_safe
def manage(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_insider(request.user, pk)
    manager = access.can_manage(request.user, competition)
    now = timezone.now()
    rows = _criteria_rows(competition)
    draft = competition.status == CompetitionStatus.DRAFT
    blockers: list[str] = []
    warnings: list[str] = []
    if draft:
        try:
            for problem in actions.timeline_problems(competition, now):
                (warnings if problem.severity == "warning" else blockers).append(problem.message)
        except procedures.ThresholdsUnknown as error:
            blockers.append(str(error))
        blockers += actions.criteria_problems(competition)
        if not competition.documents.exists():
            blockers.append(_("Publish the tender documents first."))
    answers = list(competition.answers.annotate(asked=Count("questions")))
    open_questions = list(
        competition.questions.filter(status=QuestionStatus.OPEN).select_related(
            "organisation", "asked_by"
        )
    )
    questions: list[tuple[Any, DuplicateForm | None]] = [
        (
            q,
            DuplicateForm(prefix=f"q{q.pk}", answers=competition.answers.all())
            if manager and answers
            else None,
        )
        for q in open_questions
    ]
    context = {
        "competition": competition,
        "project": competition.project,
        "can_manage": manager,
        "now": now,
        "draft": draft,
        "advice": _advice_for(competition),
        "rows": rows,
        "summary": _summary(competition, rows),
        "requirements": competition.qualification_requirements.count(),
        "blockers": blockers,
        "warnings": warnings,
        "documents": competition.documents.all(),
        "interested": competition.interested.select_related("organisation", "registered_by"),
        "questions": questions,
        "answers": answers,
        "answers_open": competition.status == CompetitionStatus.ANNOUNCED
        and now < competition.last_answer_at,
        # Annex IV (b): a number only, never who or what, until the tenders are opened.
        "tender_count": competition.tenders.filter(status=TenderStatus.SUBMITTED)
        .values("organisation")
        .distinct()
        .count(),
        "opened": competition.status in OPENED,
        "transitions": competition.transitions.select_related("by"),
    }
    return render(request, "competitions/buyer_manage.html", context)


# Questions and answers ---------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def answer(request: BuyerRequest, pk: int, question_pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    question = get_object_or_404(
        competition.questions.select_related("organisation", "asked_by", "answer"), pk=question_pk
    )
    form = AnswerForm(_posted(request), initial={"question_text": question.text})
    if request.method == "POST" and form.is_valid():
        try:
            setup.answer_question(request.user, question, **form.cleaned_data)
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The answer is published to every interested supplier."))
            return _to_manage(competition, "questions")
    context = {
        "competition": competition,
        "question": question,
        "form": form,
        "interested": competition.interested.count(),
        "too_late": timezone.now() >= competition.last_answer_at,
    }
    return render(request, "competitions/buyer_answer.html", context)


@buyer_view
@require_POST
def duplicate(request: BuyerRequest, pk: int, question_pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    question = get_object_or_404(competition.questions, pk=question_pk)
    form = DuplicateForm(request.POST, prefix=f"q{question.pk}", answers=competition.answers.all())
    if not form.is_valid():
        messages.error(request, _("Choose the published answer that already answers it."))
        return _to_manage(competition, "questions")
    try:
        setup.mark_duplicate(request.user, question, form.cleaned_data["answer"])
    except CompetitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The question is marked as answered by an earlier answer; the asker is told."),
        )
    return _to_manage(competition, "questions")


@buyer_view
@require_http_methods(["GET", "POST"])
def clarification(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    form = ClarificationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            setup.publish_clarification(request.user, competition, **form.cleaned_data)
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, _("The clarification is published to every interested supplier.")
            )
            return _to_manage(competition, "answers")
    context = {
        "competition": competition,
        "form": form,
        "interested": competition.interested.count(),
        "too_late": timezone.now() >= competition.last_answer_at,
    }
    return render(request, "competitions/buyer_clarification.html", context)
