"""Competitions: the procedure, its timeline and criteria, sealed tenders, opening, evaluation.

Sealed tenders follow Annex IV of Directive 2014/24 by construction:
(a) `Tender.received_at` is set by the server inside the receiving transaction;
(b) the price form and every file are encrypted on receipt (lupin.lib.sealing) with the
    competition's data key, which is stored only wrapped by the master key; nothing decrypts
    before the deadline and the four-eyes opening (`actions.open_tenders`);
(c)(d)(e) deadlines and access change only through audited actions of authorised buyers;
(f) after opening only the evaluation team reads tenders;
(g) every access and every refused attempt goes to the hash-chained audit log (lupin.audit).
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation
from lupin.projects.models import Procedure, Project
from lupin.qa import BaseAnswer, BaseQuestion
from lupin.qa import QuestionStatus as QuestionStatus  # re-exported: part of this app's models


class CompetitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Open for tenders")
    CLOSED = "closed", _("Deadline passed, awaiting opening")
    OPENED = "opened", _("Opened, in evaluation")
    AWARDED = "awarded", _("Award decided, standstill")
    SIGNED = "signed", _("Contract signed")
    CANCELLED = "cancelled", _("Cancelled")


# The lifecycle on one screen: actions.transition() is the only code that changes a status.
STATUS_MOVES: dict[str, set[str]] = {
    CompetitionStatus.DRAFT: {CompetitionStatus.ANNOUNCED, CompetitionStatus.CANCELLED},
    CompetitionStatus.ANNOUNCED: {CompetitionStatus.CLOSED, CompetitionStatus.CANCELLED},
    CompetitionStatus.CLOSED: {CompetitionStatus.OPENED, CompetitionStatus.CANCELLED},
    CompetitionStatus.OPENED: {CompetitionStatus.AWARDED, CompetitionStatus.CANCELLED},
    CompetitionStatus.AWARDED: {CompetitionStatus.SIGNED, CompetitionStatus.OPENED},
    CompetitionStatus.SIGNED: set(),
    CompetitionStatus.CANCELLED: set(),
}


class BuyerKind(models.TextChoices):
    CENTRAL = "central", _("Central government")
    OTHER = "other", _("Other public buyer")


class PurchaseKind(models.TextChoices):
    GOODS_SERVICES = "goods_services", _("Goods or services")
    WORKS = "works", _("Works")


class PriceModel(models.TextChoices):
    PROPORTIONAL = "proportional", _("Proportional (lowest price / price)")
    LINEAR_ZERO = "linear_zero", _("Linear with a zero point")
    LINEAR_MIN_MAX = "linear_min_max", _("Linear between lowest and highest")


class Competition(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="competitions")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("case number"), max_length=50, blank=True)
    description = models.TextField(_("description"))
    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices)
    estimated_value = models.DecimalField(
        _("estimated value (NOK excl. VAT)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    buyer_kind = models.CharField(_("buyer type"), max_length=16, choices=BuyerKind.choices)
    purchase_kind = models.CharField(
        _("kind of purchase"), max_length=16, choices=PurchaseKind.choices
    )
    regime = models.CharField(
        _("rules that apply"), max_length=16, blank=True, help_text=_("Set by the advisor.")
    )
    status = models.CharField(
        max_length=16, choices=CompetitionStatus.choices, default=CompetitionStatus.DRAFT
    )
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    request_deadline = models.DateTimeField(
        _("deadline for requests to participate"),
        null=True,
        blank=True,
        help_text=_("Two-stage procedures only (restricted, negotiation, dialogue, partnership)."),
    )
    question_deadline = models.DateTimeField(_("deadline for questions"))
    last_answer_at = models.DateTimeField(_("last time answers are given"))
    tender_deadline = models.DateTimeField(_("tender deadline"))
    opening_at = models.DateTimeField(_("opening"))
    price_model = models.CharField(
        _("price model"), max_length=16, choices=PriceModel.choices, default=PriceModel.PROPORTIONAL
    )
    price_zero_factor = models.DecimalField(
        _("k (how much dearer than the lowest scores zero)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only for the linear model with a zero point: 1 means twice the lowest."),
    )
    score_max = models.PositiveSmallIntegerField(
        _("score scale (0 to …)"), default=10, validators=[MinValueValidator(1)]
    )
    environment_justification = models.TextField(
        _("why environment weighs less than 30 %"),
        blank=True,
        help_text=_("Required when climate and environment weigh less than 30 % (FOA § 7-9)."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    standstill_ends_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(question_deadline__lte=models.F("tender_deadline"))
                & Q(last_answer_at__lte=models.F("tender_deadline"))
                & Q(opening_at__gte=models.F("tender_deadline")),
                name="competition_timeline_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status != CompetitionStatus.DRAFT

    @property
    def award(self) -> AwardDecision | None:
        """The award decision of a competition without lots (None if not decided)."""
        return self.awards.filter(lot__isnull=True).first()

    def deadline_passed(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return moment >= self.tender_deadline  # type: ignore[operator]


class CompetitionTransition(models.Model):
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=16, choices=CompetitionStatus.choices)
    to_status = models.CharField(max_length=16, choices=CompetitionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Lot(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "number"], name="lot_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class QualificationRequirement(models.Model):
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="qualification_requirements"
    )
    text = models.TextField(_("requirement"))
    documentation = models.TextField(_("documentation required"), blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class CriterionKind(models.TextChoices):
    PRICE = "price", _("Price or life-cycle cost")
    QUALITY = "quality", _("Quality")
    ENVIRONMENT = "environment", _("Climate and environment")


class Criterion(models.Model):
    """An award criterion; sub-criteria split their parent's weight (weights are % of 100)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what is assessed"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CriterionKind.choices)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


def _sealed_path(instance: TenderFile, filename: str) -> str:
    # The stored name says nothing about the tender: a random name, ciphertext inside.
    return f"sealed/{instance.tender.competition_id}/{secrets.token_hex(16)}.sealed"


def _public_path(instance: CompetitionDocument, filename: str) -> str:
    safe = PurePosixPath(filename).name[-120:]
    return f"competitions/{instance.competition_id}/{secrets.token_hex(8)}/{safe}"


class CompetitionDocument(models.Model):
    """Tender documents: public, downloadable without logging in once announced."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_public_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self) -> str:
        return self.title


class InterestedSupplier(models.Model):
    """A supplier that follows the competition: it gets changes, answers and deadline moves."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="interested"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "organisation"], name="interested_once_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.competition_id}"


class SealingKey(models.Model):
    """The competition's data key, stored only wrapped by the master key."""

    competition = models.OneToOneField(
        Competition, on_delete=models.PROTECT, related_name="sealing_key"
    )
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"key for {self.competition_id}"


class TenderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REPLACED = "replaced", _("Replaced by a later version")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Tender(models.Model):
    """One version of one organisation's tender. Replacing keeps the earlier version, sealed."""

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="tenders")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=16, choices=TenderStatus.choices, default=TenderStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField()
    sealed_price = models.BinaryField(help_text=_("The price form, encrypted."))
    receipt_hash = models.CharField(max_length=64)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "organisation", "version"], name="tender_version_unique"
            ),
            # One live version per organisation: in the whole competition, or per lot. NULLs
            # are distinct in a unique constraint (SQLite and PostgreSQL), hence two.
            models.UniqueConstraint(
                fields=["competition", "organisation"],
                condition=Q(status="submitted", lot__isnull=True),
                name="tender_one_live_version",
            ),
            models.UniqueConstraint(
                fields=["competition", "organisation", "lot"],
                condition=Q(status="submitted", lot__isnull=False),
                name="tender_one_live_version_per_lot",
            ),
        ]

    def __str__(self) -> str:
        return f"tender {self.pk} v{self.version}"


class TenderFile(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="files")
    sealed_name = models.BinaryField(help_text=_("The file name, encrypted."))
    blob = models.FileField(upload_to=_sealed_path, max_length=300)
    size = models.PositiveBigIntegerField(help_text=_("Plaintext size in bytes."))
    sha256 = models.CharField(max_length=64, help_text=_("Of the plaintext, for the receipt."))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"file {self.pk} of tender {self.tender_id}"


class OpeningApproval(models.Model):
    """Four eyes: opening needs approvals from two different authorised buyers."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="opening_approvals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="opening_approval_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} approves opening {self.competition_id}"


class TeamMember(models.Model):
    """The evaluation team: only they read opened tenders, after declaring no conflict."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    declared_at = models.DateTimeField(null=True, blank=True)
    declaration = models.TextField(blank=True)
    scores_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="team_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.competition_id}"


class Score(models.Model):
    """One evaluator's independent score of one tender on one criterion."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="scores")
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "tender", "criterion"], name="score_once_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}"


class ConsensusScore(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="consensus")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    justification = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "criterion"], name="consensus_once"),
        ]

    def __str__(self) -> str:
        return f"{self.score}"


class NegotiationRound(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    held_at = models.DateTimeField()
    notes = models.TextField(_("what was negotiated"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "number"], name="round_number_once"),
        ]

    def __str__(self) -> str:
        return f"round {self.number}"


class AwardDecision(models.Model):
    """The award of the whole competition (`lot` empty) or of one lot: one decision each.

    Standstill and signing belong to the decision: each lot's contract can be signed once its
    own standstill has ended (`standstill_ends_at`, `signed_at`). The competition's fields of
    the same names summarise them: `awarded_at` is when the last decision needed came in (the
    competition becomes AWARDED then), `standstill_ends_at` the latest standstill end, and
    `signed_at` when the last contract was signed (the competition becomes SIGNED then). Without
    lots, there is one decision and the two sets of fields agree. A lot that has no live tender
    needs no decision.
    """

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="awards")
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="awards"
    )
    winner = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(_("reasons"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    standstill_days = models.PositiveSmallIntegerField(default=10)
    standstill_ends_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lot__number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition"],
                condition=Q(lot__isnull=True),
                name="award_once_per_competition",
            ),
            models.UniqueConstraint(
                fields=["competition", "lot"],
                condition=Q(lot__isnull=False),
                name="award_once_per_lot",
            ),
        ]

    def __str__(self) -> str:
        if self.lot_id:
            return f"award of {self.competition_id} lot {self.lot_id}"
        return f"award of {self.competition_id}"


class Answer(BaseAnswer):
    """An answer published to every interested supplier (the question in the buyer's words)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="answers")

    class Meta(BaseAnswer.Meta):
        pass


class Question(BaseQuestion):
    """A supplier's question: private until the buyer answers it to everyone."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="questions")
    answer = models.ForeignKey(
        Answer, on_delete=models.PROTECT, null=True, blank=True, related_name="questions"
    )

    class Meta(BaseQuestion.Meta):
        pass
