"""A supplier in a competition: follow it, ask a question, submit, replace or withdraw a sealed
tender, read its receipts.

Each view fetches through `access` and calls one action. A rule's refusal (`CompetitionError`)
becomes an error next to the field it names, or a message; an Annex IV refusal (`Refused`: the
deadline has passed, to the second) becomes a clear message, and the action has stored nothing.
Any other `PermissionDenied` answers 404, so nobody learns what another organisation has: the
receipt and the version list only ever come from `access.own_tenders`.

File names are encrypted in the database and cannot be decrypted before opening, so the receipt
shows them only on the page right after submission: they travel, signed, in a short-lived cookie
scoped to that one receipt (the supplier's own browser already knows them; the server keeps no
plaintext copy, not even in the session table). Later visits show each file's size and SHA-256;
the receipt e-mail has the names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lupin.accounts.models import User
from lupin.competitions import access, actions
from lupin.competitions.actions import CompetitionError, Receipt, Refused, setup
from lupin.competitions.forms_supplier import QuestionForm, TenderForm, WithdrawForm
from lupin.competitions.models import Competition, CompetitionStatus, Tender, TenderStatus
from lupin.competitions.views.public import OSLO, asking_open, deadline_context, render_detail
from lupin.forms import Form

RECEIPT_COOKIE = "lupin_receipt"
RECEIPT_SALT = "lupin.competitions.receipt-names"
RECEIPT_COOKIE_SECONDS = 600
# Browsers drop cookies above about 4 KB; without the names the receipt still has every hash.
RECEIPT_COOKIE_MAX = 3800


class SupplierRequest(HttpRequest):
    user: User


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def supplier_view(view: _View) -> _View:
    """Anonymous visitors log in first (a POST cannot be replayed, so its `next` is the notice);
    a PermissionDenied that the view did not turn into a message answers 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if request.method in ("GET", "HEAD"):
                return redirect_to_login(request.get_full_path())
            return redirect_to_login(reverse("competitions:detail", args=[pk]))
        try:
            return view(request, pk, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    return cast(_View, wrapped)


def _competition_for_supplier(request: SupplierRequest, pk: int) -> Competition:
    """The competition, for a supplier user; the buyer's side and others get 404."""
    competition = access.get_competition_for_user(request.user, pk)
    if not access.is_supplier(request.user) or access.is_insider(request.user, competition):
        raise Http404
    return competition


def _add_error(form: Form, error: CompetitionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _when(moment: Any) -> str:
    return formats.date_format(moment.astimezone(OSLO), "j. F Y H:i:s T")


def _back(competition: Competition, anchor: str = "") -> HttpResponse:
    url = reverse("competitions:detail", args=[competition.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# Following and questions ---------------------------------------------------------------------


@supplier_view
@require_POST
def follow(request: SupplierRequest, pk: int) -> HttpResponse:
    competition = _competition_for_supplier(request, pk)
    try:
        actions.register_interest(request.user, competition)
    except CompetitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your organisation follows this competition. You get a message when the "
                "documents or deadlines change and when an answer is published."
            ),
        )
    return _back(competition, "take-part")


@supplier_view
@require_POST
def ask(request: SupplierRequest, pk: int) -> HttpResponse:
    competition = _competition_for_supplier(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            setup.ask_question(request.user, competition, form.cleaned_data["text"])
        except CompetitionError as error:
            if error.field not in form.fields or not asking_open(competition):
                messages.error(request, error.message)
                return _back(competition, "questions")
            _add_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your question is sent to the buyer. The answer will be published to "
                    "everyone, without your name."
                ),
            )
            return _back(competition, "questions")
    return render_detail(request, competition, question_form=form)


# Submitting, replacing and withdrawing a tender ------------------------------------------------


def _receipt_cookie(receipt: Receipt) -> str | None:
    """The file names, signed, for the receipt page right after submission (None if too big)."""
    value = signing.dumps(
        {"tender": receipt.tender.pk, "files": [[name, sha] for name, _s, sha in receipt.files]},
        salt=RECEIPT_SALT,
        compress=True,
    )
    return value if len(value) <= RECEIPT_COOKIE_MAX else None


def _refusal_message(competition: Competition) -> str:
    competition.refresh_from_db(fields=["status", "tender_deadline"])
    if competition.deadline_passed():
        return _(
            "Your tender was not received: the tender deadline was %(when)s. "
            "Nothing was stored, and any earlier tender of yours stands as it was."
        ) % {"when": _when(competition.tender_deadline)}
    return _("This competition does not take tenders now. Nothing was stored.")


def _tender_page(
    request: SupplierRequest,
    competition: Competition,
    form: TenderForm,
    *,
    status: int = 200,
) -> HttpResponse:
    tenders = list(
        access.own_tenders(request.user, competition).select_related("lot").order_by("-version")
    )
    live = [t for t in tenders if t.status == TenderStatus.SUBMITTED]
    lots = list(competition.lots.all())
    context = {
        "competition": competition,
        "form": form,
        "withdraw_form": WithdrawForm(),
        "lots": lots,
        # Without lots, the one live tender; with lots, the live tender of each lot.
        "live_tender": None if lots else next(iter(live), None),
        "live_tenders": sorted(live, key=lambda t: t.lot.number if t.lot else 0) if lots else [],
        "versions": len(tenders),
        **deadline_context(competition),
    }
    return render(request, "competitions/supplier_tender.html", context, status=status)


@supplier_view
@require_http_methods(["GET", "HEAD", "POST"])
def tender(request: SupplierRequest, pk: int) -> HttpResponse:
    competition = _competition_for_supplier(request, pk)
    lots = competition.lots.all()
    if request.method != "POST":
        return _tender_page(request, competition, TenderForm(lots=lots))
    form = TenderForm(request.POST, request.FILES, lots=lots)
    if not form.is_valid():
        return _tender_page(request, competition, form, status=400)
    try:
        receipt = actions.submit_tender(
            request.user,
            competition,
            uploads=form.cleaned_data["file"],
            price=form.cleaned_data["price"],
            lot=form.cleaned_data.get("lot"),
        )
    except Refused:
        messages.error(request, _refusal_message(competition))
        return redirect("competitions:tender", pk=competition.pk)
    except CompetitionError as error:
        _add_error(form, error)
        return _tender_page(request, competition, form, status=400)
    tender = receipt.tender
    if tender.lot is not None:
        text = _(
            "Your tender for lot %(lot)d (version %(version)d) was received at %(when)s. A "
            "receipt is on its way by e-mail."
        )
    else:
        text = _(
            "Your tender (version %(version)d) was received at %(when)s. A receipt is on its way "
            "by e-mail."
        )
    messages.success(
        request,
        text
        % {
            "lot": tender.lot.number if tender.lot else 0,
            "version": tender.version,
            "when": _when(tender.received_at),
        },
    )
    url = reverse("competitions:receipt", args=[competition.pk, tender.pk])
    response = redirect(url)
    value = _receipt_cookie(receipt)
    if value is not None:
        response.set_cookie(
            RECEIPT_COOKIE,
            value,
            max_age=RECEIPT_COOKIE_SECONDS,
            path=url,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
    return response


@supplier_view
@require_POST
def tender_withdraw(request: SupplierRequest, pk: int) -> HttpResponse:
    competition = _competition_for_supplier(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that you withdraw your tender."))
        return redirect("competitions:tender", pk=competition.pk)
    number = form.cleaned_data.get("lot")
    lot = get_object_or_404(competition.lots, number=number) if number is not None else None
    try:
        withdrawn = actions.withdraw_tender(request.user, competition, lot)
    except CompetitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your tender (version %(version)d) is withdrawn. It stays sealed and will not be "
                "evaluated. You may submit a new tender before the deadline."
            )
            % {"version": withdrawn.version},
        )
    return redirect("competitions:tender", pk=competition.pk)


# Receipts and versions -----------------------------------------------------------------------


def _names_from_cookie(request: HttpRequest, tender: Tender, shas: list[str]) -> list[str] | None:
    raw = request.COOKIES.get(RECEIPT_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=RECEIPT_SALT, max_age=RECEIPT_COOKIE_SECONDS)
    except signing.BadSignature:
        return None
    # Signed by us, so its shape is ours; still, each name only next to the file whose hash it
    # was sent with, and only on this tender's receipt.
    if not isinstance(data, dict) or data.get("tender") != tender.pk:
        return None
    files = data.get("files") or []
    if [str(sha) for _name, sha in files] != shas:
        return None
    return [str(name) for name, _sha in files]


@supplier_view
@require_safe
def receipt(request: SupplierRequest, pk: int, tender_pk: int) -> HttpResponse:
    """Only the submitting organisation's users; anyone else gets 404."""
    competition = access.get_competition_for_user(request.user, pk)
    tender = get_object_or_404(
        access.own_tenders(request.user, competition).select_related("lot"), pk=tender_pk
    )
    files = list(tender.files.order_by("id"))
    names = _names_from_cookie(request, tender, [f.sha256 for f in files])
    context = {
        "competition": competition,
        "tender": tender,
        "received_utc": tender.received_at.astimezone(UTC).isoformat(),
        "withdrawn_utc": (
            tender.withdrawn_at.astimezone(UTC).isoformat() if tender.withdrawn_at else ""
        ),
        "rows": [
            {"index": i + 1, "file": f, "name": names[i] if names else ""}
            for i, f in enumerate(files)
        ],
        "names_shown": names is not None,
    }
    response = render(request, "competitions/supplier_receipt.html", context)
    response["Cache-Control"] = "private, no-store"
    if RECEIPT_COOKIE in request.COOKIES:
        response.delete_cookie(RECEIPT_COOKIE, path=request.path, samesite="Strict")
    return response


@supplier_view
@require_safe
def my_tenders(request: SupplierRequest, pk: int) -> HttpResponse:
    """Every version the organisation has sent, with status, time and receipt hash."""
    competition = _competition_for_supplier(request, pk)
    tenders = list(
        access.own_tenders(request.user, competition).select_related("lot").order_by("-version")
    )
    # After the award (of its lot), the evaluated (live) version has a letter with the outcome
    # and reasons.
    decided_lots = {d.lot_id for d in competition.awards.all()}
    letters = [
        t
        for t in tenders
        if t.status == TenderStatus.SUBMITTED
        and t.lot_id in decided_lots
        and competition.status
        in (CompetitionStatus.OPENED, CompetitionStatus.AWARDED, CompetitionStatus.SIGNED)
    ]
    context = {
        "competition": competition,
        "tenders": tenders,
        "letters": letters,
        "has_lots": any(t.lot_id for t in tenders),
        **deadline_context(competition),
    }
    response = render(request, "competitions/supplier_tenders.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
