"""The competition endpoints of the JSON API.

They fetch through `access` and change or read tenders through `actions`, exactly like the pages,
so every rule exists once. Failures answer in the common error format:
- a rule's refusal (`CompetitionError`): 409 when someone got there first, else 400, with the
  field it names;
- an Annex IV refusal (`Refused`, already in the audit log): 403, code `deadline_passed` when the
  tender deadline has passed (to the second, by the server's clock);
- a write or a tender read without a caller: 401.

Submission is multipart: one or more `file` parts and a `price` field. Django streams each part
above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file and the action encrypts it chunk by chunk,
so no endpoint holds a whole file in memory.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile

from lupin.accounts.models import User
from lupin.competitions import access, actions
from lupin.competitions.actions import CompetitionError, Refused
from lupin.competitions.forms_supplier import validate_uploads
from lupin.competitions.models import (
    Competition,
    CompetitionStatus,
    Criterion,
)
from lupin.competitions.schemas import (
    CompetitionOut,
    CompetitionPage,
    CompetitionQuery,
    OpenedTenderOut,
    OwnTenderOut,
    ReceiptOut,
    TenderIn,
)
from lupin.projects.schemas import ErrorOut

router = Router(tags=["competitions"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut}
READ_ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, **ERRORS}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    **ERRORS,
}
# CompetitionError codes that mean "someone (maybe you) got there first".
CONFLICTS = frozenset({"conflict"})
OPENED = (CompetitionStatus.OPENED, CompetitionStatus.AWARDED, CompetitionStatus.SIGNED)


def _caller(request: HttpRequest) -> Any:
    """The user OptionalBearer authenticated, or AnonymousUser (ninja sets `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> User:
    user = _caller(request)
    if not user.is_authenticated:
        raise AuthenticationError(message="Log in or send a bearer token to do this.")
    return user


def _error(request: HttpRequest, status: int, code: str, message: str, **fields: Any) -> Any:
    # Imported here: lupin.api imports this module while it is itself being loaded.
    from lupin.api import error

    return error(request, status, code, message, **fields)


def _refused(request: HttpRequest, exc: CompetitionError) -> HttpResponse:
    fields = {exc.field: exc.message} if exc.field else {}
    status = 409 if exc.code in CONFLICTS else 400
    return _error(request, status, exc.code, exc.message, **fields)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _exact(moment: datetime) -> str:
    """The time of receipt to the microsecond, as the receipt hash was computed from it (the
    API's JSON encoder would round a datetime to milliseconds)."""
    return moment.astimezone(UTC).isoformat()


def _open(competition: Competition, now: datetime) -> bool:
    return competition.status == CompetitionStatus.ANNOUNCED and not competition.deadline_passed(
        now
    )


def _summary(competition: Competition, now: datetime) -> dict[str, Any]:
    buyer = competition.project.lead_buyer
    return {
        "id": competition.pk,
        "title": competition.title,
        "reference": competition.reference,
        "buyer": {"id": buyer.pk, "name": buyer.name, "org_number": buyer.org_number},
        "procedure": competition.procedure,
        "status": competition.status,
        "open_for_tenders": _open(competition, now),
        "announced_at": _utc(competition.announced_at),
        "deadlines": {
            "requests": _utc(competition.request_deadline),
            "questions": _utc(competition.question_deadline),
            "last_answer": _utc(competition.last_answer_at),
            "tenders": _utc(competition.tender_deadline),
            "opening": _utc(competition.opening_at),
        },
        "url": reverse("competitions:detail", args=[competition.pk]),
    }


def _criterion(criterion: Criterion) -> dict[str, Any]:
    return {
        "id": criterion.pk,
        "name": criterion.name,
        "description": criterion.description,
        "kind": criterion.kind,
        "weight": f"{criterion.weight:.2f}",
        "children": [_criterion(child) for child in criterion.children.all()],
    }


def _notice(competition: Competition, now: datetime) -> dict[str, Any]:
    criteria = competition.criteria.filter(parent__isnull=True).prefetch_related(
        Prefetch("children", queryset=Criterion.objects.order_by("id"))
    )
    left = competition.tender_deadline - now
    return {
        **_summary(competition, now),
        "description": competition.description,
        "project": competition.project_id,
        "regime": competition.regime,
        "estimated_value": f"{competition.estimated_value:.2f}",
        "seconds_left": max(0, int(left.total_seconds())) if _open(competition, now) else 0,
        "price_model": competition.price_model,
        "score_max": competition.score_max,
        "lots": [
            {"number": lot.number, "title": lot.title, "description": lot.description}
            for lot in competition.lots.all()
        ],
        "criteria": [_criterion(c) for c in criteria],
        "qualification_requirements": [
            {"text": r.text, "documentation": r.documentation}
            for r in competition.qualification_requirements.all()
        ],
        "documents": [
            {
                "id": d.pk,
                "title": d.title,
                "content_type": d.content_type,
                "size": d.size,
                "published_at": _utc(d.published_at),
                "url": reverse("competitions:document_download", args=[competition.pk, d.pk]),
            }
            for d in competition.documents.all()
        ],
        "answers": [
            {
                "id": a.pk,
                "question": a.question_text,
                "answer": a.answer_text,
                "published_at": _utc(a.published_at),
            }
            for a in competition.answers.all()
        ],
    }


def _in_list_order(competitions: QuerySet[Competition], now: datetime) -> QuerySet[Competition]:
    """As on the list page: open for tenders first, soonest deadline on top; then the rest,
    latest deadline first."""
    is_open = Q(status=CompetitionStatus.ANNOUNCED, tender_deadline__gt=now)
    return competitions.annotate(
        closed_rank=Case(
            When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        open_deadline=Case(When(is_open, then=F("tender_deadline")), default=None),
        past_deadline=Case(When(~is_open, then=F("tender_deadline")), default=None),
    ).order_by(
        "closed_rank",
        F("open_deadline").asc(nulls_last=True),
        F("past_deadline").desc(nulls_last=True),
        "-id",
    )


# --- The notice ------------------------------------------------------------------------------


@router.get(
    "/competitions",
    response={200: CompetitionPage, **ERRORS},
    summary="List public competitions",
)
def list_competitions(request: HttpRequest, query: Query[CompetitionQuery]) -> dict[str, Any]:
    """Announced and later competitions: open for tenders first, soonest deadline on top."""
    now = timezone.now()
    listed = access.competitions_visible_to(_caller(request)).exclude(
        status=CompetitionStatus.DRAFT
    )
    count = listed.count()
    page = _in_list_order(listed.select_related("project__lead_buyer"), now)[
        query.offset : query.offset + query.limit
    ]
    return {"items": [_summary(c, now) for c in page], "count": count}


@router.get(
    "/competitions/{id}",
    response={200: CompetitionOut, **READ_ERRORS},
    summary="Read one competition notice",
)
def get_competition(request: HttpRequest, id: int) -> dict[str, Any]:
    """A draft answers 404 to everyone outside the project."""
    competition = access.get_competition_for_user(_caller(request), id)
    return _notice(competition, timezone.now())


# --- Sealed tenders --------------------------------------------------------------------------


@router.post(
    "/competitions/{id}/tenders",
    response={201: ReceiptOut, **WRITE_ERRORS},
    summary="Submit (or replace) the caller's sealed tender",
)
def submit_tender(
    request: HttpRequest,
    id: int,
    form: Form[TenderIn],
    file: File[list[UploadedFile] | None] = None,
) -> Status[dict[str, Any]] | HttpResponse:
    """Multipart: one or more `file` parts (required; none is a 400 naming `file`), a `price`
    and, when the competition has lots, the `lot` number (required then: a 400 naming `lot`).
    Replaces the organisation's earlier tender (for that lot), which is kept, sealed. Received
    at or after the deadline second: 403 `deadline_passed`, and nothing is stored."""
    user = _actor(request)
    competition = access.get_competition_for_user(user, id)
    try:
        files = validate_uploads(file or [])
    except DjangoValidationError as exc:
        return _error(
            request, 422, "invalid", "The request is not valid.", file=" ".join(exc.messages)
        )
    lot = None
    if form.lot is not None:
        lot = competition.lots.filter(number=form.lot).first()
        if lot is None:
            message = "This competition has no lot with that number."
            return _error(request, 400, "invalid_lot", message, lot=message)
    try:
        receipt = actions.submit_tender(
            user, competition, uploads=files, price=form.amount(), lot=lot
        )
    except Refused:
        competition.refresh_from_db(fields=["status", "tender_deadline"])
        if not access.is_supplier(user):
            return _error(request, 403, "forbidden", "Only suppliers submit tenders.")
        if competition.deadline_passed():
            return _error(
                request,
                403,
                "deadline_passed",
                "The tender deadline has passed: the tender was not received and nothing "
                "was stored.",
            )
        return _error(request, 403, "not_open", "This competition does not take tenders now.")
    except CompetitionError as exc:
        return _refused(request, exc)
    tender = receipt.tender
    return Status(
        201,
        {
            "tender_id": tender.pk,
            "lot": tender.lot.number if tender.lot else None,
            "version": tender.version,
            "received_at": _exact(tender.received_at),
            "receipt_hash": tender.receipt_hash,
            "files": [
                {"name": name, "size": size, "sha256": sha} for name, size, sha in receipt.files
            ],
        },
    )


@router.get(
    "/competitions/{id}/tenders/mine",
    response={200: list[OwnTenderOut], **READ_ERRORS},
    summary="The caller's organisation's tender versions",
)
def my_tenders(request: HttpRequest, id: int) -> list[dict[str, Any]]:
    """Metadata and receipts of every version the caller's organisation sent, oldest first;
    never another organisation's. File names stay sealed until the opening."""
    user = _actor(request)
    competition = access.get_competition_for_user(user, id)
    tenders = (
        access.own_tenders(user, competition)
        .order_by("version")
        .select_related("lot")
        .prefetch_related("files")
    )
    return [
        {
            "tender_id": t.pk,
            "lot": t.lot.number if t.lot else None,
            "version": t.version,
            "status": t.status,
            "received_at": _exact(t.received_at),
            "withdrawn_at": _utc(t.withdrawn_at),
            "receipt_hash": t.receipt_hash,
            "files": [{"size": f.size, "sha256": f.sha256} for f in t.files.all()],
        }
        for t in tenders
    ]


@router.get(
    "/competitions/{id}/tenders",
    response={200: list[OpenedTenderOut], 403: ErrorOut, **READ_ERRORS},
    summary="The opened tenders, for the evaluation team",
)
def list_tenders(request: HttpRequest, id: int) -> list[dict[str, Any]] | HttpResponse:
    """Refused (403, and written to the audit log) before the opening and to anyone but a
    declared member of the evaluation team. Each price is read through the audited action."""
    user = _actor(request)
    competition = access.get_competition_for_user(user, id)
    try:
        tenders = actions.tenders_for_reading(user, competition)
    except Refused:
        if competition.status not in OPENED:
            return _error(request, 403, "sealed", "The tenders are sealed until they are opened.")
        return _error(
            request,
            403,
            "forbidden",
            "Only declared members of the evaluation team read the tenders.",
        )
    return [
        {
            "tender_id": t.pk,
            "organisation": {
                "id": t.organisation.pk,
                "name": t.organisation.name,
                "org_number": t.organisation.org_number,
            },
            "lot": t.lot.number if t.lot else None,
            "version": t.version,
            "received_at": _utc(t.received_at),
            "price": f"{actions.read_price(user, t):.2f}",
            "files": len(t.files.all()),
        }
        for t in tenders
    ]
