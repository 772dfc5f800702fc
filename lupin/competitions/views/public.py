"""Pages anyone may open: the list of competitions, their feed, the notice and the tender
documents (no login needed once a competition is announced; a draft is a 404 to outsiders).

The notice page is also where a supplier follows the competition, asks a question and finds its
way to submitting a tender. Times are shown in Europe/Oslo with the zone, and the time left is
computed here, on the server: the visitor's clock is never asked (an htmx poll refreshes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from lupin import uploads
from lupin.competitions import access
from lupin.competitions.feeds import CompetitionFeed
from lupin.competitions.forms_supplier import QuestionForm
from lupin.competitions.models import (
    Competition,
    CompetitionStatus,
    Criterion,
    InterestedSupplier,
    Question,
    Tender,
    TenderStatus,
)
from lupin.lib.procedures import Regime

OSLO = ZoneInfo("Europe/Oslo")
# The htmx target that asks only for the refreshed "time left".
TIME_LEFT_TARGET = "time-left"

REGIME_LABELS: dict[str, Any] = {
    Regime.OUTSIDE_ACT: gettext_lazy("Below the Public Procurement Act's lower limit"),
    Regime.PART_I: gettext_lazy("FOA part I (no notice required)"),
    Regime.PART_II: gettext_lazy("FOA part II (national notice on Doffin)"),
    Regime.PART_III: gettext_lazy("FOA part III (EEA notice on Doffin and TED)"),
    Regime.UTILITIES_BELOW_EEA: gettext_lazy("Utilities, below the EEA threshold"),
    Regime.UTILITIES_EEA: gettext_lazy("Utilities regulation (EEA notice on Doffin and TED)"),
}


# The list and the feed -----------------------------------------------------------------------


def open_for_tenders(now: datetime) -> Q:
    return Q(status=CompetitionStatus.ANNOUNCED, tender_deadline__gt=now)


@require_safe
def competition_list(request: HttpRequest) -> HttpResponse:
    """Announced and later competitions: open ones first, soonest deadline on top."""
    now = timezone.now()
    listed = (
        access.competitions_visible_to(request.user)
        .exclude(status=CompetitionStatus.DRAFT)
        .select_related("project__lead_buyer")
    )
    context = {
        "open_competitions": list(
            listed.filter(open_for_tenders(now)).order_by("tender_deadline", "id")
        ),
        "other_competitions": list(
            listed.exclude(open_for_tenders(now)).order_by("-tender_deadline", "-id")
        ),
        "now": now,
    }
    return render(request, "competitions/list.html", context)


competition_feed = CompetitionFeed()


# Time left -----------------------------------------------------------------------------------


def time_left(deadline: datetime, now: datetime) -> str:
    """'3 days, 4 hours', '2 hours, 5 minutes', '45 seconds': coarse far out, exact near the end.
    Empty once the deadline has passed."""
    left = deadline - now
    if left <= timedelta(0):
        return ""
    seconds = int(left.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        (days, ngettext("%(n)d day", "%(n)d days", days)),
        (hours, ngettext("%(n)d hour", "%(n)d hours", hours)),
        (minutes, ngettext("%(n)d minute", "%(n)d minutes", minutes)),
        (seconds, ngettext("%(n)d second", "%(n)d seconds", seconds)),
    ]
    shown = [text % {"n": n} for n, text in parts if n][:2]
    return ", ".join(shown)


def deadline_context(competition: Competition) -> dict[str, Any]:
    """What every page around the deadline shows: is it open, how long is left (server time)."""
    now = timezone.now()
    submission_open = (
        competition.status == CompetitionStatus.ANNOUNCED and not competition.deadline_passed(now)
    )
    return {
        "now": now,
        "submission_open": submission_open,
        "time_left": time_left(competition.tender_deadline, now) if submission_open else "",
        # The poll slows down far from the deadline and speeds up close to it.
        "poll_seconds": 1 if competition.tender_deadline - now < timedelta(minutes=2) else 30,
    }


def render_time_left(request: HttpRequest, competition: Competition) -> HttpResponse:
    context = {"competition": competition, **deadline_context(competition)}
    response = render(request, "competitions/_time_left.html", context)
    response["Cache-Control"] = "no-store"
    return response


# The notice ----------------------------------------------------------------------------------


@dataclass
class SupplierSide:
    """What one supplier organisation sees of its own: never another's."""

    following: bool
    questions: list[Question]
    live_tender: Tender | None
    versions: int


def _supplier_side(user: Any, competition: Competition) -> SupplierSide:
    tenders = list(access.own_tenders(user, competition).order_by("version"))
    live = next((t for t in tenders if t.status == TenderStatus.SUBMITTED), None)
    return SupplierSide(
        following=InterestedSupplier.objects.filter(
            competition=competition, organisation_id=user.organisation_id
        ).exists(),
        questions=list(
            Question.objects.filter(
                competition=competition, organisation_id=user.organisation_id
            ).select_related("answer")
        ),
        live_tender=live,
        versions=len(tenders),
    )


def asking_open(competition: Competition) -> bool:
    return (
        competition.status == CompetitionStatus.ANNOUNCED
        and timezone.now() < competition.question_deadline
    )


def _visitor(request: HttpRequest, insider: bool) -> str:
    """Which supplier controls to show: "supplier", "login", or "" (the buyer's side, others)."""
    if insider:
        return ""
    if not request.user.is_authenticated:
        return "login"
    return "supplier" if access.is_supplier(request.user) else ""


def render_detail(
    request: HttpRequest,
    competition: Competition,
    *,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The notice page. Supplier views call it again with a bound form to show its errors."""
    user = request.user
    insider = access.is_insider(user, competition)
    visitor = _visitor(request, insider)
    criteria = competition.criteria.filter(parent__isnull=True).prefetch_related(
        Prefetch("children", queryset=Criterion.objects.order_by("id"))
    )
    context: dict[str, Any] = {
        "competition": competition,
        "project": competition.project,
        "buyer": competition.project.lead_buyer,
        "regime_label": REGIME_LABELS.get(competition.regime, competition.regime),
        "criteria": list(criteria),
        "requirements": list(competition.qualification_requirements.all()),
        "lots": list(competition.lots.all()),
        "documents": list(competition.documents.all()),
        "answers": list(competition.answers.all()),
        "insider": insider,
        "can_manage": insider and access.can_manage(user, competition),
        "visitor": visitor,
        "asking_open": asking_open(competition),
        "next": request.get_full_path(),
        **deadline_context(competition),
    }
    if visitor == "supplier":
        context["side"] = _supplier_side(user, competition)
        context["question_form"] = question_form or QuestionForm()
    return render(request, "competitions/detail.html", context, status=status)


@require_safe
def competition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    competition = access.get_competition_for_user(request.user, pk)
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == TIME_LEFT_TARGET:
        response = render_time_left(request, competition)
    else:
        response = render_detail(request, competition)
    # One address, two answers (the page, the poll's fragment): caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# Tender documents ----------------------------------------------------------------------------


@require_safe
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponseBase:
    """Public once announced, no login; a draft's documents are a 404 to everyone outside the
    project (the access helper decides, as for the notice)."""
    competition = access.get_competition_for_user(request.user, pk)
    document = get_object_or_404(competition.documents, pk=document_pk)
    return uploads.private_download(
        document.file, content_type=document.content_type, fallback_name=_("document")
    )
