"""Opening, the evaluation team, scoring, consensus, ranking, rounds, award and contract.

Each view fetches the competition through `lupin.competitions.access`, validates a form, calls
one action and redirects. A `PermissionDenied` (and so an action's audited `Refused`) answers
404, so nobody learns what lies behind a page he may not open. Tender content (prices, files)
is read only inside the actions, which audit every read.

With lots, scoring, consensus, ranking and award work on one lot at a time, chosen by `?lot=N`
(the first lot when none is given); a switcher on each page links to the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lupin.accounts.models import User
from lupin.competitions import access, actions
from lupin.competitions.actions import CompetitionError, Refused
from lupin.competitions.actions import evaluation as evaluation_actions
from lupin.competitions.models import (
    Competition,
    CompetitionStatus,
    ConsensusScore,
    Criterion,
    Lot,
    Tender,
    TenderStatus,
)
from lupin.dialogue.forms import DateTimeLocalInput
from lupin.forms import Form
from lupin.lib import price_models
from lupin.projects.models import CoBuyerInvitation, InvitationStatus
from lupin.projects.views.buyer import BuyerRequest, buyer_view

_READABLE = (CompetitionStatus.OPENED, CompetitionStatus.AWARDED, CompetitionStatus.SIGNED)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _add_error(form: forms.Form, error: CompetitionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _lot(request: HttpRequest, competition: Competition) -> tuple[Lot | None, list[Lot]]:
    """The lot a page is about (`?lot=N`, else the first) and every lot; (None, []) without
    lots. An unknown number answers 404."""
    lots = list(competition.lots.all())
    if not lots:
        return None, []
    number = request.GET.get("lot", "")
    if not number:
        return lots[0], lots
    lot = next((lot for lot in lots if str(lot.number) == number), None)
    if lot is None:
        raise Http404
    return lot, lots


def _here(request: HttpRequest, name: str, competition: Competition, lot: Lot | None) -> str:
    """The URL of an evaluation page, on the same lot."""
    url = reverse(f"competitions:{name}", kwargs={"pk": competition.pk})
    return f"{url}?lot={lot.number}" if lot is not None else url


def _context(
    request: BuyerRequest, competition: Competition, section: str, lot: Lot | None = None
) -> dict[str, Any]:
    member = access.team_member(request.user, competition)
    lot, lots = (lot, list(competition.lots.all())) if lot is not None else (None, [])
    return {
        "lot": lot,
        "lots": lots,
        "competition": competition,
        "section": section,
        "member": member,
        "can_manage": access.can_manage(request.user, competition),
        "rounds_allowed": evaluation_actions.rounds_allowed(competition),
        "now": timezone.now(),
    }


# Forms ---------------------------------------------------------------------------------------


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.get_username()} ({obj.organisation})"


class TenderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.organisation.name)


class TeamForm(Form):
    user = PersonChoiceField(queryset=User.objects.none(), label=gettext_lazy("Person"))

    def __init__(self, *args: Any, competition: Competition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cobuyers = CoBuyerInvitation.objects.filter(
            project=competition.project, status=InvitationStatus.ACCEPTED
        ).values("organisation")
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrows the type)
        field.queryset = (
            User.objects.filter(is_active=True)
            .filter(
                Q(organisation_id=competition.project.lead_buyer_id) | Q(organisation__in=cobuyers)
            )
            .exclude(pk__in=competition.team.values("user"))
            .select_related("organisation")
            .order_by("organisation__name", "first_name", "username")
        )


class DeclarationForm(Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have no conflict of interest in this competition, and I will tell the lead buyer "
            "at once if one arises."
        )
    )
    statement = forms.CharField(
        label=gettext_lazy("Your declaration in your own words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "For example: no ties of ownership, employment, family or friendship to any tenderer."
        ),
    )


def _score_field(competition: Competition, label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(competition.score_max),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ScoreForm(Form):
    """One score and note per tender and criterion, named `score_<tender>_<criterion>`."""

    def __init__(
        self,
        *args: Any,
        competition: Competition,
        tenders: list[Tender],
        criteria: list[Criterion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cells = [(t, c) for t in tenders for c in criteria]
        for tender, criterion in self.cells:
            suffix = f"{tender.pk}_{criterion.pk}"
            self.fields[f"score_{suffix}"] = _score_field(
                competition,
                _("Score on “%(criterion)s” (0–%(max)s)")
                % {"criterion": criterion.name, "max": competition.score_max},
            )
            self.fields[f"note_{suffix}"] = forms.CharField(
                label=_("Why this score"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The fields come after LupinFormMixin styled the (empty) form: style them here.
        for field in self.fields.values():
            field.widget.attrs["class"] = "ds-input"

    def scores(self) -> dict[tuple[int, int], tuple[Decimal, str]]:
        return {
            (t.pk, c.pk): (
                self.cleaned_data[f"score_{t.pk}_{c.pk}"],
                self.cleaned_data[f"note_{t.pk}_{c.pk}"],
            )
            for t, c in self.cells
        }

    def fields_for(self, tender: Tender, criterion: Criterion) -> tuple[Any, Any]:
        return self[f"score_{tender.pk}_{criterion.pk}"], self[f"note_{tender.pk}_{criterion.pk}"]


class ConsensusForm(Form):
    score = forms.DecimalField(
        label=gettext_lazy("Consensus score"), max_digits=6, decimal_places=2
    )
    justification = forms.CharField(
        label=gettext_lazy("Justification"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RoundForm(Form):
    held_at = forms.DateTimeField(
        label=gettext_lazy("Held"),
        widget=DateTimeLocalInput,
        error_messages={"invalid": gettext_lazy("Write a date and time, e.g. 2026-03-01 10:00.")},
    )
    notes = forms.CharField(
        label=gettext_lazy("What was negotiated"), widget=forms.Textarea(attrs={"rows": 5})
    )


class AwardForm(Form):
    winner = TenderChoiceField(
        queryset=Tender.objects.none(),
        label=gettext_lazy("Winner"),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=gettext_lazy("Reasons for the award"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Every tenderer reads them in its letter: the winner's relative advantages on the "
            "award criteria."
        ),
    )

    def __init__(
        self, *args: Any, competition: Competition, lot: Lot | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["winner"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrows the type)
        field.queryset = evaluation_actions.live_tenders(competition, lot)


# Opening -------------------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def opening(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_insider(request.user, pk)
    may_open = access.can_open(request.user, competition)
    if request.method == "POST":
        if not may_open:
            # Through the action all the same, so that the attempt is in the audit log (g).
            try:
                actions.approve_opening(request.user, competition)
            except Refused:
                raise Http404 from None
        try:
            opened = actions.approve_opening(request.user, competition)
        except Refused:
            messages.error(request, _("The tenders can be opened only after the deadline."))
        except CompetitionError as error:
            messages.error(request, error.message)
        else:
            if opened.status == CompetitionStatus.OPENED:
                messages.success(request, _("The tenders are opened to the evaluation team."))
            else:
                messages.success(
                    request, _("Your approval is recorded. A second authorised buyer must approve.")
                )
        return redirect("competitions:opening", pk=competition.pk)
    now = timezone.now()
    due = now >= competition.tender_deadline and now >= competition.opening_at
    approvals = list(competition.opening_approvals.select_related("user").order_by("at"))
    context = _context(request, competition, "opening") | {
        "due": due,
        "may_open": may_open,
        "approvals": approvals,
        "approved_by_me": any(a.user_id == request.user.pk for a in approvals),
        "tender_count": evaluation_actions.live_tenders(competition).count() if due else None,
    }
    return render(request, "competitions/eval_opening.html", context)


# The team ------------------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def team(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_insider(request.user, pk)
    manager = access.can_manage(request.user, competition)
    if request.method == "POST" and not manager:
        # Through the action all the same, so that the attempt is in the audit log (g).
        try:
            actions.add_team_member(request.user, competition, request.user)
        except (Refused, PermissionDenied):
            raise Http404 from None
        raise Http404
    if request.method == "POST" and request.POST.get("remove"):
        member = get_object_or_404(competition.team, pk=request.POST["remove"])
        try:
            actions.remove_team_member(request.user, competition, member)
        except CompetitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The member was taken off the evaluation team."))
        return redirect("competitions:team", pk=competition.pk)
    form = TeamForm(_posted(request), competition=competition) if manager else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            added = actions.add_team_member(request.user, competition, form.cleaned_data["user"])
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is on the evaluation team.")
                % {"name": added.user.get_full_name() or added.user.get_username()},
            )
            return redirect("competitions:team", pk=competition.pk)
    members = competition.team.select_related("user", "user__organisation", "added_by").order_by(
        "added_at", "pk"
    )
    context = _context(request, competition, "team") | {"form": form, "members": members}
    return render(request, "competitions/eval_team.html", context)


@buyer_view
@require_http_methods(["GET", "POST"])
def declaration(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_user(request.user, pk)
    member = access.team_member(request.user, competition)
    if member is None:
        raise Http404
    form = DeclarationForm(_posted(request)) if member.declared_at is None else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            actions.declare_no_conflict(request.user, competition, form.cleaned_data["statement"])
        except CompetitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Your declaration is recorded."))
            return redirect("competitions:scoring", pk=competition.pk)
    context = _context(request, competition, "declaration") | {"form": form}
    return render(request, "competitions/eval_declaration.html", context)


# Scoring -------------------------------------------------------------------------------------


@dataclass
class FileLink:
    index: int
    name: str
    size: int


def _file_links(user: User, tender: Tender) -> list[FileLink]:
    return [
        FileLink(index, actions.file_name(user, tender_file, index), tender_file.size)
        for index, tender_file in enumerate(tender.files.order_by("pk"))
    ]


def _reader(request: BuyerRequest, competition: Competition) -> HttpResponse | None:
    """A member who has not declared goes to his declaration and sees nothing else; anyone else
    who is not a declared member gets an audited refusal (404)."""
    member = access.team_member(request.user, competition)
    if member is not None and member.declared_at is None:
        messages.info(request, _("Declare that you have no conflict of interest first."))
        return redirect("competitions:declaration", pk=competition.pk)
    evaluation_actions.require_declared_member(request.user, competition, request.path)
    return None


@buyer_view
@require_http_methods(["GET", "POST"])
def scoring(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_user(request.user, pk)
    detour = _reader(request, competition)
    if detour is not None:
        return detour
    lot, _lots = _lot(request, competition)
    context = _context(request, competition, "scoring", lot)
    if competition.status not in _READABLE:
        return render(request, "competitions/eval_scoring.html", context | {"opened": False})
    member = context["member"]
    tenders = list(evaluation_actions.live_tenders(competition, lot))
    criteria = evaluation_actions.scored_criteria(competition)
    submitted = evaluation_actions.has_submitted(member, competition, lot)
    decided = lot is not None and evaluation_actions.decision_for(competition, lot) is not None
    form = None
    if not submitted and not decided and competition.status == CompetitionStatus.OPENED:
        form = ScoreForm(
            _posted(request), competition=competition, tenders=tenders, criteria=criteria
        )
        if request.method == "POST" and form.is_valid():
            try:
                evaluation_actions.submit_scores(request.user, competition, form.scores(), lot)
            except CompetitionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your scores are submitted and locked."))
                return redirect(_here(request, "scoring", competition, lot))
    elif request.method == "POST":
        raise Http404
    scores = list(evaluation_actions.visible_scores(request.user, competition, lot))
    members = sorted({s.member for s in scores}, key=lambda m: m.pk)
    table = {(s.member_id, s.tender_id, s.criterion_id): s for s in scores}
    rows = [
        {
            "tender": tender,
            "files": _file_links(request.user, tender),
            "cells": [
                {
                    "criterion": criterion,
                    "fields": form.fields_for(tender, criterion) if form else None,
                    "scores": [(m, table.get((m.pk, tender.pk, criterion.pk))) for m in members],
                }
                for criterion in criteria
            ],
        }
        for tender in tenders
    ]
    context |= {
        "opened": True,
        "form": form,
        "rows": rows,
        "members": members,
        "criteria": criteria,
        "others_hidden": not submitted,
    }
    return render(request, "competitions/eval_scoring.html", context)


class _DecryptedFile:
    """The decrypted temporary file of `actions.read_file`, kept open until the response is
    sent: closing the response leaves the context manager, which deletes the file."""

    def __init__(self, manager: Any) -> None:
        self._manager = manager
        self._handle: IO[bytes] = manager.__enter__()

    def read(self, size: int = -1) -> bytes:
        return self._handle.read(size)

    def close(self) -> None:
        self._manager.__exit__(None, None, None)


@buyer_view
@require_safe
def tender_file(
    request: BuyerRequest, pk: int, tender_pk: int, file_index: int
) -> HttpResponseBase:
    competition = access.get_competition_for_user(request.user, pk)
    tender = get_object_or_404(Tender, pk=tender_pk, competition=competition)
    files = list(tender.files.order_by("pk"))
    if file_index >= len(files):
        raise Http404
    sealed = files[file_index]
    name = PurePosixPath(actions.file_name(request.user, sealed, file_index)).name
    stream = _DecryptedFile(actions.read_file(request.user, sealed, file_index))
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=name or f"file-{file_index + 1}",
        content_type="application/octet-stream",
    )
    response["Content-Length"] = str(sealed.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Consensus -----------------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def consensus(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_user(request.user, pk)
    if not evaluation_actions.may_record_consensus(request.user, competition):
        detour = _reader(request, competition)
        if detour is not None:
            return detour
        raise Http404
    lot, _lots = _lot(request, competition)
    context = _context(request, competition, "consensus", lot)
    if competition.status not in _READABLE:
        return render(request, "competitions/eval_consensus.html", context | {"opened": False})
    team = list(competition.team.select_related("user").order_by("pk"))
    ready = evaluation_actions.all_submitted(competition, lot)
    context |= {"opened": True, "ready": ready, "team": team}
    if not ready:
        if request.method == "POST":
            raise Http404
        return render(request, "competitions/eval_consensus.html", context)
    tenders = list(evaluation_actions.live_tenders(competition, lot))
    criteria = evaluation_actions.scored_criteria(competition)
    editable = competition.status == CompetitionStatus.OPENED and (
        lot is None or evaluation_actions.decision_for(competition, lot) is None
    )
    posted_cell = request.POST.get("cell", "") if request.method == "POST" else ""
    if request.method == "POST" and not editable:
        raise Http404
    scores = evaluation_actions.visible_scores(request.user, competition, lot)
    table = {(s.member_id, s.tender_id, s.criterion_id): s for s in scores}
    agreed = {
        (c.tender_id, c.criterion_id): c
        for c in ConsensusScore.objects.filter(tender__in=tenders).select_related("recorded_by")
    }
    cells = []
    for tender in tenders:
        for criterion in criteria:
            prefix = f"t{tender.pk}-c{criterion.pk}"
            current = agreed.get((tender.pk, criterion.pk))
            initial = (
                {"score": current.score, "justification": current.justification} if current else {}
            )
            form = None
            if editable:
                bound = request.POST if posted_cell == prefix else None
                form = ConsensusForm(bound, prefix=prefix, initial=initial)
                if bound is not None and form.is_valid():
                    try:
                        evaluation_actions.record_consensus(
                            request.user,
                            competition,
                            tender,
                            criterion,
                            form.cleaned_data["score"],
                            form.cleaned_data["justification"],
                        )
                    except CompetitionError as error:
                        _add_error(form, error)
                    else:
                        messages.success(request, _("The consensus score is recorded."))
                        return redirect(f"{_here(request, 'consensus', competition, lot)}#{prefix}")
            cells.append(
                {
                    "tender": tender,
                    "criterion": criterion,
                    "prefix": prefix,
                    "scores": [(m, table.get((m.pk, tender.pk, criterion.pk))) for m in team],
                    "consensus": current,
                    "form": form,
                }
            )
    context |= {
        "cells": cells,
        "complete": len(agreed) >= len(tenders) * len(criteria),
        "editable": editable,
    }
    return render(request, "competitions/eval_consensus.html", context)


# Ranking and sensitivity ---------------------------------------------------------------------


@dataclass
class SensitivityCase:
    title: str
    sentence: str
    winner_changed: bool
    rows: list[dict[str, Any]]


def _case(
    results: evaluation_actions.Results, title: str, sensitivity: price_models.Sensitivity[int]
) -> SensitivityCase:
    if sensitivity.changes:
        moves = [
            _("%(name)s moves from %(before)s to %(after)s")
            % {"name": results.tender_name(c.tender), "before": c.before, "after": c.after}
            for c in sensitivity.changes
        ]
        sentence = "; ".join(moves) + "."
    else:
        sentence = _("No tender changes place.")
    rows = [
        {
            "name": results.tender_name(key),
            "before": sensitivity.ranks_before[key],
            "after": sensitivity.ranks_after[key],
            "total_before": sensitivity.totals_before[key],
            "total_after": sensitivity.totals_after[key],
            "changed": sensitivity.ranks_before[key] != sensitivity.ranks_after[key],
        }
        for key in sensitivity.ranks_after
    ]
    return SensitivityCase(title, sentence, sensitivity.winner_changed, rows)


@dataclass
class RankingRow:
    tender: Tender
    price: Decimal
    price_score: Decimal
    scores: list[Decimal | None]
    total: Decimal | None
    rank: int | None


def _ranking_rows(results: evaluation_actions.Results) -> list[RankingRow]:
    rows = [
        RankingRow(
            tender=tender,
            price=results.prices[tender.pk],
            price_score=results.price_scores[tender.pk],
            scores=[results.consensus[tender.pk].get(str(c.pk)) for c in results.criteria],
            total=results.totals.get(tender.pk),
            rank=results.ranks.get(tender.pk),
        )
        for tender in results.tenders
    ]
    if results.complete:
        rows.sort(key=lambda row: (row.rank or 0, row.tender.organisation.name))
    return rows


@buyer_view
@require_safe
def ranking(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_user(request.user, pk)
    detour = _reader(request, competition)
    if detour is not None:
        return detour
    lot, _lots = _lot(request, competition)
    context = _context(request, competition, "ranking", lot)
    if competition.status not in _READABLE:
        return render(request, "competitions/eval_ranking.html", context | {"opened": False})
    results = evaluation_actions.results(request.user, competition, lot)
    removals = [
        _case(
            results,
            _("Without %(name)s") % {"name": results.tender_name(key)},
            sensitivity,
        )
        for key, sensitivity in results.removals
    ]
    shifts = [
        _case(
            results,
            _("%(points)s points from “%(a)s” to “%(b)s”")
            % {
                "points": evaluation_actions.SHIFT_POINTS,
                "a": results.criterion_name(a),
                "b": results.criterion_name(b),
            },
            sensitivity,
        )
        for a, b, sensitivity in results.shifts
    ]
    context |= {
        "opened": True,
        "results": results,
        "rows": _ranking_rows(results),
        "removals": removals,
        "shifts": shifts,
        "price_weight": results.weights[evaluation_actions.PRICE_KEY],
    }
    return render(request, "competitions/eval_ranking.html", context)


# Rounds --------------------------------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def rounds(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_insider(request.user, pk)
    manager = access.can_manage(request.user, competition)
    allowed = evaluation_actions.rounds_allowed(competition)
    if request.method == "POST" and not manager:
        raise Http404
    form = RoundForm(_posted(request)) if manager and allowed else None
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                _("The %(procedure)s allows no negotiation or dialogue rounds.")
                % {"procedure": competition.get_procedure_display().lower()},
            )
            return redirect("competitions:rounds", pk=competition.pk)
        if form.is_valid():
            try:
                evaluation_actions.add_round(
                    request.user,
                    competition,
                    held_at=form.cleaned_data["held_at"],
                    notes=form.cleaned_data["notes"],
                )
            except CompetitionError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("The round is recorded."))
                return redirect("competitions:rounds", pk=competition.pk)
    context = _context(request, competition, "rounds") | {
        "form": form,
        "allowed": allowed,
        "rounds": competition.rounds.select_related("recorded_by"),
    }
    return render(request, "competitions/eval_rounds.html", context)


# Award, letters and contract -----------------------------------------------------------------


@buyer_view
@require_http_methods(["GET", "POST"])
def award(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    lot, lots = _lot(request, competition)
    decision = evaluation_actions.decision_for(competition, lot)
    deciding = competition.status == CompetitionStatus.OPENED and decision is None
    form = AwardForm(_posted(request), competition=competition, lot=lot) if deciding else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                evaluation_actions.decide_award(
                    request.user,
                    competition,
                    form.cleaned_data["winner"],
                    form.cleaned_data["reasons"],
                    lot,
                )
            except CompetitionError as error:
                _add_error(form, error)
            else:
                messages.success(
                    request, _("The award is decided and every tenderer has been notified.")
                )
                return redirect(_here(request, "award", competition, lot))
    days = evaluation_actions.standstill_days(competition)
    now = timezone.now()
    decisions = {d.lot_id: d for d in competition.awards.all()} if lots else {}
    context = _context(request, competition, "award", lot) | {
        "form": form,
        "decision": decision,
        "ready": deciding
        and evaluation_actions.all_submitted(competition, lot)
        and evaluation_actions.consensus_complete(competition, lot),
        "standstill_days": days,
        "standstill_preview": evaluation_actions.standstill_end(now, days),
        "tenders": list(evaluation_actions.live_tenders(competition, lot)),
        "may_sign": evaluation_actions.may_sign(competition, decision, now),
        "signing_open": decision is not None
        and decision.signed_at is None
        and competition.status in (CompetitionStatus.OPENED, CompetitionStatus.AWARDED),
        "lot_states": [(other, decisions.get(other.pk)) for other in lots],
    }
    return render(request, "competitions/eval_award.html", context)


def _letter_row(results: evaluation_actions.Results, tender: Tender) -> dict[str, Any]:
    return {
        "name": tender.organisation.name,
        "price": results.prices[tender.pk],
        "price_score": results.price_scores[tender.pk],
        "scores": results.consensus[tender.pk],
        "total": results.totals.get(tender.pk),
        "rank": results.ranks.get(tender.pk),
    }


@buyer_view
@require_safe
def award_letter(request: BuyerRequest, pk: int, tender_pk: int) -> HttpResponse:
    competition = access.get_competition_for_user(request.user, pk)
    tender = get_object_or_404(
        Tender.objects.select_related("organisation", "lot"),
        pk=tender_pk,
        competition=competition,
        status=TenderStatus.SUBMITTED,
    )
    results = evaluation_actions.letter_results(request.user, competition, tender)
    decision = evaluation_actions.decision_for(competition, tender.lot)
    if decision is None:
        raise Http404
    competition.refresh_from_db()
    winner = next(t for t in results.tenders if t.pk == decision.winner_id)
    criteria = [
        {
            "name": c.name,
            "weight": c.weight,
            "winner": results.consensus[winner.pk].get(str(c.pk)),
            "own": results.consensus[tender.pk].get(str(c.pk)),
        }
        for c in results.criteria
    ]
    context = {
        "competition": competition,
        "buyer": competition.project.lead_buyer,
        "tender": tender,
        "decision": decision,
        "won": winner.pk == tender.pk,
        "winner": _letter_row(results, winner),
        "own": _letter_row(results, tender),
        "criteria": criteria,
        "price_weight": results.weights[evaluation_actions.PRICE_KEY],
        "tenderer_count": len(results.tenders),
        "score_max": competition.score_max,
        "price_model": competition.get_price_model_display(),
    }
    with translation.override("nb"):
        context["price_model"] = competition.get_price_model_display()
        text = render_to_string("competitions/letter_award.txt", context)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="tildelingsbrev-{competition.pk}-{tender.pk}.txt"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@buyer_view
@require_POST
def sign(request: BuyerRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_managing(request.user, pk)
    lot, _lots = _lot(request, competition)
    try:
        evaluation_actions.sign_contract(request.user, competition, lot)
    except CompetitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The contract is signed."))
    return redirect(_here(request, "award", competition, lot))
