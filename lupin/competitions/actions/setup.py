"""The buyer preparing and running a competition: lots, criteria, qualification requirements,
tender documents, questions and answers, and cancelling. The core lifecycle (create, timeline,
announce, sealed tenders) is in `lupin.competitions.actions`.

Each function owns its transaction, checks the rule, writes the audit entry and queues the
e-mails after commit. Equal treatment (FOA § 4, § 9-3 by analogy with market dialogue): an
answer or a new document goes to every interested supplier at the same moment; there is no
private answer, and the published question is in the buyer's words, without the asker's name.
Lots, award criteria and qualification requirements are part of the notice: they change only
while the competition is a draft. After the announcement a document is never removed; a new
version is published instead, so what suppliers have read stays on record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lupin import uploads
from lupin.accounts.models import User
from lupin.audit import log as audit
from lupin.competitions import access
from lupin.competitions.actions import CompetitionError, _require, _transition
from lupin.competitions.models import (
    Answer,
    Competition,
    CompetitionDocument,
    CompetitionStatus,
    Criterion,
    CriterionKind,
    InterestedSupplier,
    Lot,
    QualificationRequirement,
    Question,
    QuestionStatus,
)
from lupin.notifications.actions import bilingual_line, notify

QUESTION_MAX_LENGTH = 5000
ANSWER_RULE = "Directive 2014/24 art. 53(2)"

# --- Shared helpers ---------------------------------------------------------------------------


def _lock(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().get(pk=competition.pk)


def _manage(actor: User, competition: Competition) -> Competition:
    """The authorised buyer's fresh, locked copy of the competition."""
    _require(access.can_manage(actor, competition))
    return _lock(competition)


def _draft_only(competition: Competition, message: str) -> None:
    if competition.status != CompetitionStatus.DRAFT:
        raise CompetitionError(message, code="not_draft")


def _interested_users(competition: Competition) -> list[User]:
    """Every active user of every organisation that follows the competition."""
    return list(
        User.objects.filter(
            is_active=True,
            organisation__in=InterestedSupplier.objects.filter(competition=competition).values(
                "organisation"
            ),
        )
    )


def _link(competition: Competition) -> str:
    return settings.SITE_URL + reverse("competitions:detail", kwargs={"pk": competition.pk})


def _bilingual_text(make: Callable[[], str]) -> str:
    """A multi-line e-mail body in bokmål, then English: we do not know each reader's language."""
    parts = []
    for language in ("nb", "en"):
        with translation.override(language):
            parts.append(str(make()).strip())
    return "\n\n— — —\n\n".join(dict.fromkeys(parts))


def _clean_text(value: str, message: str, field: str, limit: int | None = None) -> str:
    text = value.strip()
    if not text:
        raise CompetitionError(message, field=field, code="required")
    if limit is not None and len(text) > limit:
        raise CompetitionError(
            _("At most %(n)d characters.") % {"n": limit}, field=field, code="too_long"
        )
    return text


# --- Award criteria ------------------------------------------------------------------------------


@dataclass
class CriterionData:
    name: str
    weight: Decimal
    kind: str = CriterionKind.QUALITY
    description: str = ""


def _criteria_fixed() -> str:
    return _("The award criteria are part of the notice: they cannot change after it is announced.")


def _check_criterion(data: CriterionData) -> None:
    if not data.name.strip():
        raise CompetitionError(_("Give the criterion a name."), field="name", code="required")
    if data.kind not in CriterionKind.values:
        raise CompetitionError(_("Choose a kind of criterion."), field="kind")
    if not (Decimal(0) < data.weight <= Decimal(100)):
        raise CompetitionError(
            _("The weight is a percentage above 0 and at most 100."), field="weight"
        )
    if data.weight != data.weight.quantize(Decimal("0.01")):
        raise CompetitionError(_("Use at most two decimals in the weight."), field="weight")


@transaction.atomic
def add_criterion(
    actor: User,
    competition: Competition,
    data: CriterionData,
    parent: Criterion | None = None,
) -> Criterion:
    """An award criterion, or a sub-criterion of `parent` (one level only). A sub-criterion
    is of its parent's kind: the environment share is counted on the main criteria."""
    competition = _manage(actor, competition)
    _draft_only(competition, _criteria_fixed())
    _check_criterion(data)
    if parent is not None:
        if parent.competition_id != competition.pk:
            raise CompetitionError(_("Choose a criterion of this competition."), field="parent")
        if parent.parent_id is not None:
            raise CompetitionError(
                _("A sub-criterion cannot have sub-criteria of its own."), field="parent"
            )
    criterion = Criterion.objects.create(
        competition=competition,
        parent=parent,
        name=data.name.strip(),
        description=data.description.strip(),
        kind=parent.kind if parent is not None else data.kind,
        weight=data.weight,
    )
    audit.append(
        actor,
        "criterion.added",
        competition,
        criterion=criterion.pk,
        parent=parent.pk if parent else None,
        name=criterion.name,
        kind=criterion.kind,
        weight=str(criterion.weight),
    )
    return criterion


@transaction.atomic
def update_criterion(actor: User, criterion: Criterion, data: CriterionData) -> Criterion:
    competition = _manage(actor, criterion.competition)
    _draft_only(competition, _criteria_fixed())
    _check_criterion(data)
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    before = {"name": criterion.name, "kind": criterion.kind, "weight": str(criterion.weight)}
    criterion.name = data.name.strip()
    criterion.description = data.description.strip()
    criterion.weight = data.weight
    if criterion.parent_id is None:
        criterion.kind = data.kind
        # Sub-criteria follow their parent's kind.
        criterion.children.update(kind=data.kind)
    criterion.save(update_fields=["name", "description", "weight", "kind"])
    audit.append(
        actor,
        "criterion.updated",
        competition,
        criterion=criterion.pk,
        before=before,
        name=criterion.name,
        kind=criterion.kind,
        weight=str(criterion.weight),
    )
    return criterion


@transaction.atomic
def remove_criterion(actor: User, criterion: Criterion) -> None:
    """Removes the criterion and its sub-criteria."""
    competition = _manage(actor, criterion.competition)
    _draft_only(competition, _criteria_fixed())
    removed = [criterion.pk, *criterion.children.values_list("pk", flat=True)]
    name = criterion.name
    criterion.delete()
    audit.append(actor, "criterion.removed", competition, criteria=removed, name=name)


@transaction.atomic
def set_environment_justification(
    actor: User, competition: Competition, justification: str
) -> Competition:
    """Why climate and environment weigh less than 30 % (FOA § 7-9), or empty to withdraw it."""
    competition = _manage(actor, competition)
    _draft_only(competition, _criteria_fixed())
    competition.environment_justification = justification.strip()
    competition.save(update_fields=["environment_justification"])
    audit.append(
        actor,
        "competition.environment_justified",
        competition,
        justified=bool(competition.environment_justification),
    )
    return competition


# --- Lots -----------------------------------------------------------------------------------------


def _lots_fixed() -> str:
    return _("The lots are part of the notice: they cannot change after it is announced.")


@transaction.atomic
def add_lot(actor: User, competition: Competition, *, title: str, description: str = "") -> Lot:
    """A lot, numbered after the last one. Suppliers tender per lot; each lot is evaluated and
    awarded on its own, with the competition's criteria."""
    competition = _manage(actor, competition)
    _draft_only(competition, _lots_fixed())
    title = _clean_text(title, _("Give the lot a title."), "title", 200)
    number = (competition.lots.aggregate(n=Max("number"))["n"] or 0) + 1
    lot = Lot.objects.create(
        competition=competition, number=number, title=title, description=description.strip()
    )
    audit.append(actor, "lot.added", competition, lot=lot.pk, number=number, title=title)
    return lot


@transaction.atomic
def remove_lot(actor: User, lot: Lot) -> None:
    """Remove a lot of a draft (no tender can exist yet). The other lots keep their numbers."""
    competition = _manage(actor, lot.competition)
    _draft_only(competition, _lots_fixed())
    pk, number, title = lot.pk, lot.number, lot.title
    lot.delete()
    audit.append(actor, "lot.removed", competition, lot=pk, number=number, title=title)


# --- Qualification requirements ------------------------------------------------------------------


def _qualification_fixed() -> str:
    return _(
        "The qualification requirements are part of the notice: they cannot change after it is "
        "announced."
    )


@transaction.atomic
def add_requirement(
    actor: User, competition: Competition, *, text: str, documentation: str = ""
) -> QualificationRequirement:
    competition = _manage(actor, competition)
    _draft_only(competition, _qualification_fixed())
    text = _clean_text(text, _("Write the requirement."), "text", 5000)
    requirement = QualificationRequirement.objects.create(
        competition=competition, text=text, documentation=documentation.strip()
    )
    audit.append(actor, "qualification.added", competition, requirement=requirement.pk)
    return requirement


@transaction.atomic
def remove_requirement(actor: User, requirement: QualificationRequirement) -> None:
    competition = _manage(actor, requirement.competition)
    _draft_only(competition, _qualification_fixed())
    pk = requirement.pk
    requirement.delete()
    audit.append(actor, "qualification.removed", competition, requirement=pk)


# --- Tender documents ---------------------------------------------------------------------------


def publish_document(
    actor: User, competition: Competition, *, title: str, upload: UploadedFile
) -> CompetitionDocument:
    """A public tender document. After the announcement it is a new version that every
    interested supplier is told about; it must come before the last time for answers, since it
    is additional information (Directive 2014/24 art. 53(2)): move the timeline first if late."""
    _require(access.can_manage(actor, competition))
    try:
        content_type = uploads.validate_upload(upload)
    except ValidationError as error:
        raise CompetitionError(error.messages[0], field="file", code="invalid_file") from None
    storage = CompetitionDocument._meta.get_field("file").storage
    stored: str | None = None
    try:
        with transaction.atomic():
            competition = _manage(actor, competition)
            now = timezone.now()
            if competition.status == CompetitionStatus.ANNOUNCED:
                if now >= competition.last_answer_at:
                    raise CompetitionError(
                        _(
                            "%(rule)s: additional information must reach suppliers at least "
                            "6 days before the tender deadline. Move the tender deadline on "
                            "the timeline page first."
                        )
                        % {"rule": ANSWER_RULE},
                        code="answers_too_late",
                    )
            elif competition.status != CompetitionStatus.DRAFT:
                raise CompetitionError(
                    _("The tender deadline has passed: no more documents can be published.")
                )
            document = CompetitionDocument(
                competition=competition,
                title=title.strip() or (upload.name or _("Document")),
                content_type=content_type,
                size=upload.size or 0,
                published_at=now,
                uploaded_by=actor,
            )
            document.file.save(upload.name or "document", upload, save=False)
            stored = document.file.name
            document.save()
            audit.append(
                actor,
                "document.published",
                competition,
                document=document.pk,
                title=document.title,
                size=document.size,
            )
            if competition.status == CompetitionStatus.ANNOUNCED:
                _notify_document(competition, document)
    except Exception:
        if stored:
            storage.delete(stored)
        raise
    return document


def _notify_document(competition: Competition, document: CompetitionDocument) -> None:
    notify(
        _interested_users(competition),
        topic="competition.document",
        subject=bilingual_line(
            lambda: _("New tender document in “%(title)s”") % {"title": competition.title}
        ),
        body=_bilingual_text(
            lambda: (
                _("The buyer has published a new document in the competition “%(title)s”: %(doc)s")
                % {"title": competition.title, "doc": document.title}
                + "\n\n"
                + _link(competition)
            )
        ),
    )


@transaction.atomic
def remove_document(actor: User, document: CompetitionDocument) -> None:
    competition = _manage(actor, document.competition)
    _draft_only(
        competition,
        _(
            "Suppliers may already have read this document: it stays published. Publish a new "
            "version instead."
        ),
    )
    name, pk, title = document.file.name, document.pk, document.title
    storage = document.file.storage
    document.delete()
    audit.append(actor, "document.removed", competition, document=pk, title=title)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Questions and answers ------------------------------------------------------------------------


@transaction.atomic
def ask_question(actor: User, competition: Competition, text: str) -> Question:
    """A supplier's question, private until answered to all. Asking makes the organisation
    follow the competition, so that it receives the answer with everyone else."""
    if not access.is_supplier(actor):
        raise CompetitionError(_("Only suppliers ask questions."), code="not_supplier")
    competition = _lock(competition)
    if competition.status != CompetitionStatus.ANNOUNCED:
        raise CompetitionError(_("This competition is not open."), code="not_open")
    if timezone.now() >= competition.question_deadline:
        raise CompetitionError(
            _("The deadline for questions has passed."), field="text", code="too_late"
        )
    text = _clean_text(text, _("Write your question."), "text", QUESTION_MAX_LENGTH)
    organisation_id = int(actor.organisation_id or 0)
    InterestedSupplier.objects.get_or_create(
        competition=competition,
        organisation_id=organisation_id,
        defaults={"registered_by": actor},
    )
    question = Question.objects.create(
        competition=competition, organisation_id=organisation_id, asked_by=actor, text=text
    )
    audit.append(actor, "question.asked", competition, question=question.pk)
    return question


def _check_answer_time(competition: Competition) -> None:
    if competition.status != CompetitionStatus.ANNOUNCED:
        raise CompetitionError(
            _("Answers are published while the competition is open for tenders."), code="not_open"
        )
    if timezone.now() >= competition.last_answer_at:
        raise CompetitionError(
            _(
                "%(rule)s: answers must reach every supplier at least 6 days before the tender "
                "deadline; the last time for answers has passed. Move the tender deadline on the "
                "timeline page to answer."
            )
            % {"rule": ANSWER_RULE},
            code="answers_too_late",
        )


def _publish_answer(
    actor: User, competition: Competition, question_text: str, answer_text: str
) -> Answer:
    question_text = _clean_text(
        question_text, _("Write the question as it will be published."), "question_text", 5000
    )
    answer_text = _clean_text(answer_text, _("Write the answer."), "answer_text", 20000)
    answer = Answer.objects.create(
        competition=competition,
        question_text=question_text,
        answer_text=answer_text,
        published_by=actor,
        published_at=timezone.now(),
    )
    recipients = _interested_users(competition)
    audit.append(
        actor,
        "answer.published",
        competition,
        answer=answer.pk,
        organisations=competition.interested.count(),
    )
    notify(
        recipients,
        topic="competition.answer",
        subject=bilingual_line(
            lambda: _("New answer in “%(title)s”") % {"title": competition.title}
        ),
        body=_bilingual_text(
            lambda: "\n\n".join(
                [
                    _("A new answer is published to every supplier in the competition “%(title)s”.")
                    % {"title": competition.title},
                    _("Question:") + " " + answer.question_text,
                    _("Answer:") + " " + answer.answer_text,
                    _link(competition),
                ]
            )
        ),
    )
    return answer


@transaction.atomic
def answer_question(
    actor: User, question: Question, *, question_text: str, answer_text: str
) -> Answer:
    """Answer to every interested supplier. The published question is the buyer's wording, so
    it can leave out anything that would reveal who asked."""
    competition = _manage(actor, question.competition)
    _check_answer_time(competition)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != QuestionStatus.OPEN:
        raise CompetitionError(_("This question has already been answered."), code="answered")
    answer = _publish_answer(actor, competition, question_text, answer_text)
    question.status = QuestionStatus.ANSWERED
    question.answer = answer
    question.save(update_fields=["status", "answer"])
    return answer


@transaction.atomic
def mark_duplicate(actor: User, question: Question, answer: Answer) -> Question:
    """The question is already answered by a published answer: nothing new is said, so only
    the asker is told where to read it."""
    competition = _manage(actor, question.competition)
    if answer.competition_id != competition.pk:
        raise CompetitionError(_("Choose an answer from this competition."), field="answer")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != QuestionStatus.OPEN:
        raise CompetitionError(_("This question has already been answered."), code="answered")
    question.status = QuestionStatus.DUPLICATE
    question.answer = answer
    question.save(update_fields=["status", "answer"])
    audit.append(actor, "question.duplicate", competition, question=question.pk, answer=answer.pk)
    notify(
        User.objects.filter(organisation_id=question.organisation_id, is_active=True),
        topic="competition.duplicate",
        subject=bilingual_line(
            lambda: _("Your question in “%(title)s” is answered") % {"title": competition.title}
        ),
        body=_bilingual_text(
            lambda: "\n\n".join(
                [
                    _("Your question is answered by an answer already published to everyone:"),
                    _("Question:") + " " + answer.question_text,
                    _("Answer:") + " " + answer.answer_text,
                    _link(competition),
                ]
            )
        ),
    )
    return question


@transaction.atomic
def publish_clarification(
    actor: User, competition: Competition, *, question_text: str, answer_text: str
) -> Answer:
    """An answer nobody asked for in writing: a correction or a point the buyer must make."""
    competition = _manage(actor, competition)
    _check_answer_time(competition)
    return _publish_answer(actor, competition, question_text, answer_text)


# --- Cancelling ---------------------------------------------------------------------------------


@transaction.atomic
def cancel_competition(actor: User, competition: Competition, reason: str) -> Competition:
    competition = _manage(actor, competition)
    reason = _clean_text(reason, _("Say why the competition is cancelled."), "reason", 2000)
    if competition.status in (CompetitionStatus.CANCELLED, CompetitionStatus.SIGNED):
        raise CompetitionError(_("This competition can no longer be cancelled."))
    was_public = competition.is_public
    _transition(actor, competition, CompetitionStatus.CANCELLED, reason)
    if was_public:
        notify(
            _interested_users(competition),
            topic="competition.cancelled",
            subject=bilingual_line(
                lambda: _("“%(title)s” is cancelled") % {"title": competition.title}
            ),
            body=_bilingual_text(
                lambda: (
                    _("The buyer has cancelled the competition “%(title)s”. Reason: %(reason)s")
                    % {"title": competition.title, "reason": reason}
                    + "\n\n"
                    + _link(competition)
                )
            ),
        )
    return competition
