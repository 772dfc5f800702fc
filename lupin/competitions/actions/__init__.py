"""Every change in a competition goes through one function here (STYLE.md).

Sealed tenders (Directive 2014/24 Annex IV):
(a) the time of receipt is taken by the server once every byte of the submission is in, and
    a submission whose receipt time is at or after the deadline is refused, to the second;
(b) prices, file names and files are encrypted on receipt; the data key leaves its wrapping
    only in `_data_key()`, which refuses before the deadline and before the four-eyes opening;
(c)(e) deadlines change only through `change_timeline()`, by the lead buyer, audited;
(d)(f) tender content is read only through `read_price()`/`read_file()`, by declared members
    of the evaluation team after opening; the one other path is the award letter
    (`evaluation.letter_results()`), open only after the award decision, only to the lead buyer
    and the tenderer the letter is for, and audited price by price;
(g) every access and every refused attempt is appended to the hash-chained audit log, in a
    transaction of its own so that a refusal's rollback cannot erase its trace.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import IO, BinaryIO, NoReturn, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.accounts.models import User
from lupin.audit import log as audit
from lupin.competitions import access
from lupin.competitions.models import (
    STATUS_MOVES,
    Competition,
    CompetitionStatus,
    CompetitionTransition,
    CriterionKind,
    InterestedSupplier,
    Lot,
    OpeningApproval,
    SealingKey,
    TeamMember,
    Tender,
    TenderFile,
    TenderStatus,
)
from lupin.lib import procedures, sealing
from lupin.notifications.actions import bilingual_line, notify
from lupin.projects import access as project_access
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project

MAX_FILES = 20


class CompetitionError(Exception):
    """A rule said no. The message is for the person who tried; `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class Refused(PermissionDenied):
    """An attempt that Annex IV forbids; it is audited before it is raised."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _audited_refusal(
    actor: User | None, action: str, competition: Competition, reason: str
) -> NoReturn:
    """Write the refused attempt in its own transaction, then refuse. (Inside an outer atomic
    block, e.g. a test, it joins that block; in a request it commits at once.)"""
    with transaction.atomic():
        audit.append(actor, action, competition, reason=reason)
    raise Refused(reason)


# --- The competition and its timeline ------------------------------------------------------------


@dataclass
class CompetitionData:
    title: str
    description: str
    procedure: str
    estimated_value: Decimal
    buyer_kind: str
    purchase_kind: str
    question_deadline: datetime
    last_answer_at: datetime
    tender_deadline: datetime
    opening_at: datetime
    request_deadline: datetime | None = None
    reference: str = ""
    price_model: str = "proportional"
    price_zero_factor: Decimal | None = None
    score_max: int = 10
    environment_justification: str = ""


def advice_for(
    data: CompetitionData | Competition, on: datetime | None = None
) -> procedures.Advice:
    moment = on or timezone.now()
    return procedures.advise(
        data.estimated_value,
        data.buyer_kind,  # type: ignore[arg-type]
        data.purchase_kind,  # type: ignore[arg-type]
        timezone.localtime(moment).date(),
    )


def timeline_problems(
    data: CompetitionData | Competition, published_at: datetime
) -> list[procedures.Problem]:
    """The advisor's verdict on the timeline: errors name the rule; a longer deadline is fine."""
    advice = advice_for(data, published_at)
    problems = list(
        procedures.check_deadlines(
            data.procedure,
            advice.regime,
            published_at,
            request_deadline=data.request_deadline,
            tender_deadline=data.tender_deadline,
            last_answer_at=data.last_answer_at,
        )
    )
    if data.question_deadline > data.last_answer_at:
        problems.append(
            procedures.Problem(
                code="questions_after_answers",
                field="question_deadline",
                message="The question deadline must come before the last time answers are given.",
            )
        )
    if data.opening_at < data.tender_deadline:
        problems.append(
            procedures.Problem(
                code="opening_before_deadline",
                field="opening_at",
                message="Tenders can only be opened after the tender deadline (Annex IV b).",
            )
        )
    return problems


def _raise_errors(problems: Sequence[procedures.Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        raise CompetitionError(first.message, field=first.field, code=first.code)


@transaction.atomic
def create_competition(actor: User, project: Project, data: CompetitionData) -> Competition:
    _require(project_access.can_edit(actor, project))
    if project.phase != Phase.COMPETITION:
        raise CompetitionError(_("Move the project to the competition phase first."))
    competition = Competition(
        project=project, **{f.name: getattr(data, f.name) for f in fields(data)}
    )
    competition.regime = advice_for(data).regime
    competition.save()
    data_key = sealing.new_data_key()
    SealingKey.objects.create(
        competition=competition,
        wrapped_key=sealing.wrap(
            settings.SEALING_MASTER_KEY, data_key, context=_key_context(competition)
        ),
    )
    audit.append(actor, "competition.created", competition, title=competition.title)
    return competition


def _key_context(competition: Competition) -> bytes:
    return f"lupin:competition:{competition.pk}".encode()


@transaction.atomic
def update_competition(actor: User, competition: Competition, data: CompetitionData) -> Competition:
    _require(access.can_manage(actor, competition))
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.status != CompetitionStatus.DRAFT:
        raise CompetitionError(
            _("An announced competition changes only through its timeline and documents.")
        )
    for field in fields(data):
        setattr(competition, field.name, getattr(data, field.name))
    competition.regime = advice_for(data).regime
    competition.save()
    audit.append(actor, "competition.updated", competition)
    return competition


def _transition(actor: User | None, competition: Competition, to: str, reason: str = "") -> None:
    if to not in STATUS_MOVES[competition.status]:
        raise CompetitionError(_("A competition cannot move from this status to that one."))
    CompetitionTransition.objects.create(
        competition=competition,
        from_status=competition.status,
        to_status=to,
        by=actor,
        reason=reason,
    )
    competition.status = to
    competition.save(update_fields=["status"])
    audit.append(actor, f"competition.{to}", competition, reason=reason)


def criteria_problems(competition: Competition) -> list[str]:
    criteria = list(competition.criteria.filter(parent__isnull=True))
    problems = []
    total = sum((c.weight for c in criteria), Decimal(0))
    if not criteria:
        problems.append(_("Add award criteria."))
    elif total != Decimal(100):
        problems.append(
            _("The award criteria weigh %(total)s %%; they must weigh 100 %%.") % {"total": total}
        )
    for parent in criteria:
        children = list(parent.children.all())
        if children and sum((c.weight for c in children), Decimal(0)) != parent.weight:
            problems.append(
                _("The sub-criteria of “%(name)s” must add up to its weight.")
                % {"name": parent.name}
            )
    if not any(c.kind == CriterionKind.PRICE for c in criteria):
        problems.append(_("Add a price (or life-cycle cost) criterion."))
    environment = sum(
        (c.weight for c in criteria if c.kind == CriterionKind.ENVIRONMENT), Decimal(0)
    )
    for problem in procedures.check_environment_weight(
        environment, competition.environment_justification
    ):
        problems.append(problem.message)
    return problems


@transaction.atomic
def announce(actor: User, competition: Competition) -> Competition:
    _require(access.can_manage(actor, competition))
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    now = timezone.now()
    _raise_errors(timeline_problems(competition, now))
    problems = criteria_problems(competition)
    if problems:
        raise CompetitionError(" ".join(problems), field="criteria")
    if not competition.documents.exists():
        raise CompetitionError(_("Publish the tender documents first."), field="documents")
    competition.announced_at = now
    competition.save(update_fields=["announced_at"])
    _transition(actor, competition, CompetitionStatus.ANNOUNCED)
    return competition


def change_timeline(
    actor: User,
    competition: Competition,
    *,
    question_deadline: datetime,
    last_answer_at: datetime,
    tender_deadline: datetime,
    opening_at: datetime,
    reason: str,
) -> Competition:
    """Annex IV (c): only an authorised buyer moves deadlines, before they pass, with a reason;
    every interested supplier is told. The authorisation is checked before the transaction, so
    the audit row of a refusal is kept (a refusal inside it would be rolled back with it)."""
    if not access.can_manage(actor, competition):
        _audited_refusal(actor, "competition.timeline_refused", competition, "not authorised")
    return _change_timeline(
        actor,
        competition,
        question_deadline=question_deadline,
        last_answer_at=last_answer_at,
        tender_deadline=tender_deadline,
        opening_at=opening_at,
        reason=reason,
    )


@transaction.atomic
def _change_timeline(
    actor: User,
    competition: Competition,
    *,
    question_deadline: datetime,
    last_answer_at: datetime,
    tender_deadline: datetime,
    opening_at: datetime,
    reason: str,
) -> Competition:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    now = timezone.now()
    if competition.status not in (CompetitionStatus.DRAFT, CompetitionStatus.ANNOUNCED):
        raise CompetitionError(_("The deadline has passed: the timeline can no longer change."))
    if competition.deadline_passed(now):
        raise CompetitionError(_("The deadline has passed: the timeline can no longer change."))
    if not reason.strip():
        raise CompetitionError(_("Say why the timeline changes."), field="reason")
    if tender_deadline <= now:
        raise CompetitionError(
            _("The new tender deadline must be in the future."), field="tender_deadline"
        )
    before = {
        "question_deadline": competition.question_deadline.isoformat(),
        "last_answer_at": competition.last_answer_at.isoformat(),
        "tender_deadline": competition.tender_deadline.isoformat(),
        "opening_at": competition.opening_at.isoformat(),
    }
    competition.question_deadline = question_deadline
    competition.last_answer_at = last_answer_at
    competition.tender_deadline = tender_deadline
    competition.opening_at = opening_at
    published = competition.announced_at or now
    _raise_errors(timeline_problems(competition, published))
    competition.save(
        update_fields=["question_deadline", "last_answer_at", "tender_deadline", "opening_at"]
    )
    audit.append(
        actor,
        "competition.timeline_changed",
        competition,
        before=before,
        reason=reason.strip(),
        tender_deadline=tender_deadline.isoformat(),
    )
    if competition.status == CompetitionStatus.ANNOUNCED:
        users = User.objects.filter(
            is_active=True,
            organisation__in=competition.interested.values("organisation"),
        )
        notify(
            users,
            topic="competition.timeline",
            subject=bilingual_line(
                lambda: _("New deadlines in “%(title)s”") % {"title": competition.title}
            ),
            body=bilingual_line(
                lambda: (
                    _("The buyer has changed the deadlines of “%(title)s”. Reason: %(reason)s")
                    % {"title": competition.title, "reason": reason.strip()}
                )
            ),
        )
    return competition


@transaction.atomic
def register_interest(actor: User, competition: Competition) -> InterestedSupplier:
    if not access.is_supplier(actor):
        raise CompetitionError(_("Only suppliers follow a competition."))
    if competition.status != CompetitionStatus.ANNOUNCED:
        raise CompetitionError(_("This competition is not open."))
    interest, _created = InterestedSupplier.objects.get_or_create(
        competition=competition,
        organisation_id=actor.organisation_id,
        defaults={"registered_by": actor},
    )
    return interest


def close_due_competitions() -> int:
    """The scheduler's job: announced competitions whose deadline has passed become closed."""
    count = 0
    due = Competition.objects.filter(
        status=CompetitionStatus.ANNOUNCED, tender_deadline__lte=timezone.now()
    )
    for competition in due:
        with transaction.atomic():
            locked = Competition.objects.select_for_update().get(pk=competition.pk)
            if locked.status == CompetitionStatus.ANNOUNCED and locked.deadline_passed():
                _transition(None, locked, CompetitionStatus.CLOSED, "tender deadline passed")
                count += 1
    return count


# --- Sealed tenders ----------------------------------------------------------------------------


def _aad(*parts: object) -> bytes:
    return ":".join(str(p) for p in ("lupin", *parts)).encode()


def _sealing_key(competition: Competition) -> bytes:
    """The data key for SEALING only. Sealing needs the key too; that is no read access: the
    ciphertext it produces can be read only after opening, through _data_key_for_reading()."""
    wrapped = SealingKey.objects.get(competition=competition).wrapped_key
    return sealing.unwrap(settings.SEALING_MASTER_KEY, bytes(wrapped), _key_context(competition))


@dataclass
class Receipt:
    tender: Tender
    files: list[tuple[str, int, str]]  # name, size, sha256 of the plaintext

    @property
    def received_at(self) -> datetime:
        return self.tender.received_at


PRICE_FORM_BYTES = 256


def _price_form(price: Decimal) -> bytes:
    """The price form as sealed: a random salt, and padded to one length so that the size of
    the ciphertext says nothing about the number of digits."""
    form = {"price": f"{price:.2f}", "currency": "NOK", "salt": secrets.token_hex(16)}
    text = json.dumps(form, sort_keys=True)
    if len(text) > PRICE_FORM_BYTES - 16:
        raise CompetitionError(_("The price is too large."), field="price")
    form["pad"] = "_" * (PRICE_FORM_BYTES - len(text) - len(', "pad": ""'))
    blob = json.dumps(form, sort_keys=True).encode()
    return blob


def _receipt_hash(
    competition: Competition,
    organisation_id: int,
    version: int,
    received_at: datetime,
    file_hashes: list[str],
    price_hash: str,
    lot: Lot | None = None,
) -> str:
    fields: dict[str, object] = {
        "competition": competition.pk,
        "organisation": organisation_id,
        "version": version,
        "received_at": received_at.isoformat(),
        "files": file_hashes,
        "price": price_hash,
    }
    if lot is not None:
        # Only with lots, so that a receipt of a competition without lots hashes as before.
        fields["lot"] = lot.number
    body = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def receipt_hash_for(tender: Tender) -> str:
    """The receipt hash recomputed from what is stored: anyone holding a receipt can have it
    checked against the sealed tender without opening it."""
    return _receipt_hash(
        tender.competition,
        tender.organisation_id,
        tender.version,
        tender.received_at,
        list(tender.files.order_by("pk").values_list("sha256", flat=True)),
        hashlib.sha256(bytes(tender.sealed_price)).hexdigest(),
        tender.lot,
    )


def lot_for(competition: Competition, lot: Lot | None) -> Lot | None:
    """The lot a tender is for: required when the competition has lots, refused when it has
    none; the error names the field `lot`."""
    if lot is None:
        if competition.lots.exists():
            raise CompetitionError(
                _("Choose the lot your tender is for."), field="lot", code="required"
            )
        return None
    if lot.competition_id != competition.pk:
        raise CompetitionError(_("Choose one of this competition's lots."), field="lot")
    return lot


def lot_fields(lot: Lot | None) -> dict[str, object]:
    """The lot number for an audit entry, only when there is a lot."""
    return {"lot": lot.number} if lot is not None else {}


def _live_filter(lot: Lot | None) -> dict[str, object]:
    return {"lot": lot} if lot is not None else {"lot__isnull": True}


def submit_tender(
    actor: User,
    competition: Competition,
    *,
    uploads: Sequence[UploadedFile],
    price: Decimal,
    lot: Lot | None = None,
) -> Receipt:
    """Seal and store a tender. Replaces the organisation's live version (kept, sealed): in
    the whole competition, or, when it has lots, for that lot only. Versions are numbered per
    organisation across the competition."""
    # Annex IV (a): the tender is received when its last byte is in. Django has read the whole
    # request body before any view runs, so that moment is now, not after the (slow) sealing.
    received_at = timezone.now()
    if not access.is_supplier(actor):
        _audited_refusal(actor, "tender.submit_refused", competition, "not a supplier")
    if competition.status != CompetitionStatus.ANNOUNCED or competition.deadline_passed(
        received_at
    ):
        _audited_refusal(actor, "tender.submit_refused", competition, "deadline passed or not open")
    if not uploads:
        raise CompetitionError(_("Attach at least one file."), field="file")
    if len(uploads) > MAX_FILES:
        raise CompetitionError(_("At most %(n)d files.") % {"n": MAX_FILES}, field="file")
    if price <= 0:
        raise CompetitionError(_("The price must be more than zero."), field="price")
    lot = lot_for(competition, lot)
    organisation_id = int(actor.organisation_id or 0)
    data_key = _sealing_key(competition)
    sealed: list[tuple[bytes, str, int, str, str]] = []  # name blob, path, size, sha, name
    storage = TenderFile._meta.get_field("blob").storage
    try:
        # Seal every file to storage (memory stays bounded: chunks, temp files, streams).
        version_hint = (
            Tender.objects.filter(
                competition=competition, organisation_id=organisation_id
            ).aggregate(v=Max("version"))["v"]
            or 0
        ) + 1
        for index, upload in enumerate(uploads):
            aad = _aad("tender-file", competition.pk, organisation_id, version_hint, index)
            with tempfile.TemporaryFile() as sink:
                upload.seek(0)
                source = cast(BinaryIO, upload)
                result = sealing.encrypt_stream(data_key, source, sink, associated_data=aad)
                sink.seek(0)
                path = storage.save(
                    f"sealed/{competition.pk}/{sealing.new_data_key().hex()[:32]}.sealed",
                    File(sink),
                )
            name = upload.name or f"file-{index + 1}"
            sealed_name = sealing.encrypt_bytes(data_key, name.encode(), associated_data=aad)
            sealed.append((sealed_name, path, result.size, result.sha256, name))
        with transaction.atomic():
            locked = Competition.objects.select_for_update().get(pk=competition.pk)
            if (
                locked.status != CompetitionStatus.ANNOUNCED
                or received_at >= locked.tender_deadline
            ):
                raise _LateSubmission
            live = Tender.objects.select_for_update().filter(
                competition=locked,
                organisation_id=organisation_id,
                status=TenderStatus.SUBMITTED,
                **_live_filter(lot),
            )
            version = (
                Tender.objects.filter(
                    competition=locked, organisation_id=organisation_id
                ).aggregate(v=Max("version"))["v"]
                or 0
            ) + 1
            if version != version_hint:
                raise CompetitionError(
                    _(
                        "Another submission from your organisation came in at "
                        "the same moment: send yours again."
                    ),
                    code="conflict",
                )
            live.update(status=TenderStatus.REPLACED)
            price_aad = _aad("tender-price", locked.pk, organisation_id, version)
            sealed_price = sealing.encrypt_bytes(
                data_key, _price_form(price), associated_data=price_aad
            )
            tender = Tender.objects.create(
                competition=locked,
                organisation_id=organisation_id,
                lot=lot,
                version=version,
                submitted_by=actor,
                received_at=received_at,
                sealed_price=sealed_price,
                receipt_hash=_receipt_hash(
                    locked,
                    organisation_id,
                    version,
                    received_at,
                    [s[3] for s in sealed],
                    # The sealed bytes, not the price: a hash of a plaintext price could be
                    # brute-forced from the receipt before opening.
                    hashlib.sha256(sealed_price).hexdigest(),
                    lot,
                ),
            )
            TenderFile.objects.bulk_create(
                TenderFile(tender=tender, sealed_name=s[0], blob=s[1], size=s[2], sha256=s[3])
                for s in sealed
            )
            audit.append(
                actor,
                "tender.submitted",
                tender,
                version=version,
                **lot_fields(lot),
                receipt=tender.receipt_hash,
                files=len(sealed),
                received_at=received_at.isoformat(),
            )
    except _LateSubmission:
        for s in sealed:
            storage.delete(s[1])
        _audited_refusal(
            actor, "tender.submit_refused", competition, "received at or after the deadline"
        )
    except Exception:
        for s in sealed:
            storage.delete(s[1])
        raise
    notify(
        User.objects.filter(pk=actor.pk),
        topic="competition.receipt",
        subject=bilingual_line(
            lambda: _("Receipt for your tender in “%(title)s”") % {"title": competition.title}
        ),
        body=_receipt_text(competition, tender, [(s[4], s[2], s[3]) for s in sealed]),
    )
    return Receipt(tender=tender, files=[(s[4], s[2], s[3]) for s in sealed])


class _LateSubmission(Exception):
    pass


def _receipt_text(
    competition: Competition, tender: Tender, files: list[tuple[str, int, str]]
) -> str:
    lines = [f"{competition.title}"]
    if tender.lot is not None:
        lines.append(f"Lot / Delkontrakt: {tender.lot.number}. {tender.lot.title}")
    lines += [
        f"Received / Mottatt: {timezone.localtime(tender.received_at):%Y-%m-%d %H:%M:%S %Z} "
        f"({tender.received_at.isoformat()})",
        f"Version / Versjon: {tender.version}",
        f"Receipt / Kvittering: {tender.receipt_hash}",
    ]
    # File names are sealed like the files: the e-mail (kept in the outbox) gives each file's
    # number, size and SHA-256, which the supplier matches against its own copies.
    lines += [
        f"{number}. SHA-256 {sha}  {size} bytes"
        for number, (_name, size, sha) in enumerate(files, 1)
    ]
    return "\n".join(lines)


@transaction.atomic
def withdraw_tender(actor: User, competition: Competition, lot: Lot | None = None) -> Tender:
    """Withdraw the organisation's live tender (for `lot`, when the competition has lots)."""
    if not access.is_supplier(actor):
        raise PermissionDenied
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.deadline_passed():
        raise CompetitionError(_("The deadline has passed: a tender can no longer be withdrawn."))
    lot = lot_for(competition, lot)
    tender = Tender.objects.filter(
        competition=competition,
        organisation_id=int(actor.organisation_id or 0),
        status=TenderStatus.SUBMITTED,
        **_live_filter(lot),
    ).first()
    if tender is None:
        raise CompetitionError(_("Your organisation has no tender to withdraw."))
    tender.status = TenderStatus.WITHDRAWN
    tender.withdrawn_at = timezone.now()
    tender.save(update_fields=["status", "withdrawn_at"])
    audit.append(actor, "tender.withdrawn", tender, version=tender.version, **lot_fields(lot))
    return tender


# --- Opening: four eyes, after the deadline ---------------------------------------------


def approve_opening(actor: User, competition: Competition) -> Competition:
    """Annex IV (b)(c): two different authorised buyers approve after the deadline and the
    opening time; the second approval opens the tenders to the evaluation team."""
    if not access.can_open(actor, competition):
        _audited_refusal(actor, "tender.open_refused", competition, "not authorised")
    now = timezone.now()
    if now < competition.tender_deadline or now < competition.opening_at:
        _audited_refusal(actor, "tender.open_refused", competition, "before the deadline")
    with transaction.atomic():
        locked = Competition.objects.select_for_update().get(pk=competition.pk)
        if locked.status == CompetitionStatus.ANNOUNCED:
            _transition(None, locked, CompetitionStatus.CLOSED, "tender deadline passed")
        if locked.status != CompetitionStatus.CLOSED:
            raise CompetitionError(_("The tenders are already opened."))
        approval, created = OpeningApproval.objects.get_or_create(competition=locked, user=actor)
        if not created:
            raise CompetitionError(
                _("You have already approved. A second authorised buyer must approve too.")
            )
        audit.append(actor, "tender.open_approved", locked)
        if locked.opening_approvals.values("user").distinct().count() >= 2:
            locked.opened_at = now
            locked.save(update_fields=["opened_at"])
            _transition(actor, locked, CompetitionStatus.OPENED, "opened by two buyers")
    return locked


# --- The evaluation team and reading tenders --------------------------------------------


def add_team_member(actor: User, competition: Competition, member: User) -> TeamMember:
    """Annex IV (d)(e): the team is set before the tenders are opened. Afterwards nobody,
    however authorised, can give himself (or anyone) access to the opened tenders alone."""
    if not access.can_manage(actor, competition):
        _audited_refusal(actor, "team.change_refused", competition, "not authorised")
    competition.refresh_from_db(fields=["status"])
    if competition.status not in (
        CompetitionStatus.DRAFT,
        CompetitionStatus.ANNOUNCED,
        CompetitionStatus.CLOSED,
    ):
        _audited_refusal(actor, "team.change_refused", competition, "after opening")
    if (
        member.organisation_id != competition.project.lead_buyer_id
        and not Project.objects.filter(
            pk=competition.project_id,
            invitations__organisation_id=int(member.organisation_id or 0),
            invitations__status="accepted",
        ).exists()
    ):
        raise CompetitionError(
            _("The evaluation team comes from the buyers of this project."), field="user"
        )
    with transaction.atomic():
        team_member, created = TeamMember.objects.get_or_create(
            competition=competition, user=member, defaults={"added_by": actor}
        )
        if created:
            audit.append(actor, "team.member_added", competition, member=member.username)
    return team_member


@transaction.atomic
def remove_team_member(actor: User, competition: Competition, member: TeamMember) -> None:
    """Take someone off the team before the award, e.g. one who cannot take part. Scores already
    submitted stay with the evaluation: such a member cannot be removed."""
    _require(access.can_manage(actor, competition))
    if member.competition_id != competition.pk:
        raise PermissionDenied
    if competition.status in (CompetitionStatus.AWARDED, CompetitionStatus.SIGNED):
        raise CompetitionError(_("The award is decided: the team no longer changes."))
    if member.scores_submitted_at is not None or member.scores.exists():
        raise CompetitionError(
            _("%(name)s has submitted scores, which stay part of the evaluation.")
            % {"name": member.user.get_full_name() or member.user.get_username()}
        )
    username = member.user.get_username()
    member.scores.all().delete()
    member.delete()
    audit.append(actor, "team.member_removed", competition, member=username)


@transaction.atomic
def declare_no_conflict(actor: User, competition: Competition, statement: str) -> TeamMember:
    member = access.team_member(actor, competition)
    if member is None:
        raise PermissionDenied
    if not statement.strip():
        raise CompetitionError(_("Confirm the declaration in your own words."), field="statement")
    member.declared_at = timezone.now()
    member.declaration = statement.strip()
    member.save(update_fields=["declared_at", "declaration"])
    audit.append(actor, "team.declared_no_conflict", competition)
    return member


def _data_key_for_reading(actor: User, tender: Tender, what: str) -> bytes:
    """The one path that unwraps a key for reading: opened, a declared team member, and the
    tender's live version (a replaced or withdrawn version stays sealed for good)."""
    competition = tender.competition
    competition.refresh_from_db(fields=["status"])
    if not access.may_read_tenders(actor, competition):
        _audited_refusal(actor, "tender.read_refused", competition, what)
    tender.refresh_from_db(fields=["status"])
    if tender.status != TenderStatus.SUBMITTED:
        _audited_refusal(
            actor, "tender.read_refused", competition, f"{what}: a {tender.status} version"
        )
    return _sealing_key(competition)


def tenders_for_reading(actor: User, competition: Competition) -> list[Tender]:
    """The tenders to evaluate (each organisation's live version), for a declared member of
    the evaluation team after opening; anyone else is refused, and the attempt is logged."""
    competition.refresh_from_db(fields=["status"])
    if not access.may_read_tenders(actor, competition):
        sealed = competition.status in (CompetitionStatus.ANNOUNCED, CompetitionStatus.CLOSED)
        _audited_refusal(
            actor,
            "tender.read_refused",
            competition,
            "tender list before opening" if sealed else "tender list: not a declared member",
        )
    return list(
        Tender.objects.filter(competition=competition, status=TenderStatus.SUBMITTED)
        .select_related("organisation", "lot")
        .prefetch_related("files")
    )


def read_price(actor: User, tender: Tender) -> Decimal:
    competition = tender.competition
    key = _data_key_for_reading(actor, tender, f"price of tender {tender.pk}")
    aad = _aad("tender-price", competition.pk, tender.organisation_id, tender.version)
    data = json.loads(sealing.decrypt_bytes(key, bytes(tender.sealed_price), associated_data=aad))
    with transaction.atomic():
        audit.append(actor, "tender.price_read", tender)
    return Decimal(data["price"])


def file_name(actor: User, tender_file: TenderFile, index: int) -> str:
    tender = tender_file.tender
    key = _data_key_for_reading(actor, tender, f"file of tender {tender.pk}")
    aad = _aad("tender-file", tender.competition_id, tender.organisation_id, tender.version, index)
    return sealing.decrypt_bytes(key, bytes(tender_file.sealed_name), associated_data=aad).decode()


@contextmanager
def read_file(actor: User, tender_file: TenderFile, index: int) -> Iterator[IO[bytes]]:
    """Decrypt one tender file to a temporary file (kept only if every chunk verifies)."""
    tender = tender_file.tender
    key = _data_key_for_reading(actor, tender, f"file of tender {tender.pk}")
    aad = _aad("tender-file", tender.competition_id, tender.organisation_id, tender.version, index)
    with tempfile.TemporaryFile() as plain, tender_file.blob.open("rb") as source:
        result = sealing.decrypt_stream(key, source, plain, associated_data=aad)
        if result.sha256 != tender_file.sha256:
            raise sealing.InvalidCiphertext("The file does not match its receipt.")
        with transaction.atomic():
            audit.append(actor, "tender.file_read", tender, file=tender_file.pk)
        plain.seek(0)
        yield plain
