"""The case (`Project`) and what hangs off it: benefits, roadmap, documents, co-buyers, history."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation
from lupin.lib import cpv
from lupin.projects.lifecycle import Phase
from lupin.projects.roadmap import BY_KEY, STEPS


class Procedure(models.TextChoices):
    UNDECIDED = "undecided", _("Not decided yet")
    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    NEGOTIATION = "negotiation", _("Competitive procedure with negotiation")
    COMPETITIVE_DIALOGUE = "competitive_dialogue", _("Competitive dialogue")
    INNOVATION_PARTNERSHIP = "innovation_partnership", _("Innovation partnership")
    PCP = "pcp", _("Pre-commercial procurement")
    SIMPLIFIED_NATIONAL = "simplified_national", _("Simplified national competition")


class Visibility(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Project(models.Model):
    lead_buyer = models.ForeignKey(
        Organisation,
        verbose_name=_("lead buyer"),
        on_delete=models.PROTECT,
        related_name="lead_projects",
    )
    title = models.CharField(_("title"), max_length=200)
    need_statement = models.TextField(
        _("need statement"),
        blank=True,
        help_text=_("What is needed and why, not how it should be solved."),
    )
    affected_users = models.TextField(_("affected users"), blank=True)
    problem_scenarios = models.TextField(_("problem scenarios"), blank=True)
    desired_effects = models.TextField(_("desired effects"), blank=True)
    estimated_value = models.DecimalField(
        _("estimated value (NOK excl. VAT)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    nuts_region = models.CharField(_("NUTS region"), max_length=5, blank=True)
    planned_procedure = models.CharField(
        _("planned procedure"),
        max_length=32,
        choices=Procedure.choices,
        default=Procedure.UNDECIDED,
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.NEED)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.DRAFT
    )
    internal_notes = models.TextField(
        _("internal notes"),
        blank=True,
        help_text=_("Seen only by the buyers and the programme, never published."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["visibility", "phase"]),
            models.Index(fields=["lead_buyer", "phase"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimated_value__gte=0) | models.Q(estimated_value=None),
                name="project_estimated_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.visibility == Visibility.PUBLISHED

    def cpv_list(self) -> list[cpv.CpvCode]:
        codes = cpv.all_codes()
        return [codes[c.code] for c in self.cpv_codes.all() if c.code in codes]


class ProjectCpvCode(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cpv_codes")
    code = models.CharField(max_length=8, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="project_cpv_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_main(self) -> bool:
        return self.position == 0


class BenefitCategory(models.TextChoices):
    """LUP's 2014 benefit analysis: process, purchase and operation, transfer value."""

    PROCESS_HOURS = "process_hours", _("Process: hours spent")
    PROCESS_MARKET_INPUT = "process_market_input", _("Process: quality of market input")
    PROCESS_LEARNING = "process_learning", _("Process: learning")
    PRICE = "price", _("Purchase: price")
    BETTER_FOR_USERS = "better_for_users", _("Purchase: better product for users")
    BETTER_FOR_BUYER = "better_for_buyer", _("Purchase: better product for the buyer")
    OPERATING_COSTS = "operating_costs", _("Operation: other life-cycle operating costs")
    TRANSFER_OWN = "transfer_own", _("Transfer value to the buyer's other procurements")
    TRANSFER_OTHERS = "transfer_others", _("Transfer value to other buyers")


class ExpectedBenefit(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefits")
    category = models.CharField(_("category"), max_length=32, choices=BenefitCategory.choices)
    description = models.TextField(_("description"))
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=50, help_text=_("E.g. hours per week, NOK."))
    yearly_value = models.DecimalField(
        _("estimated yearly value (NOK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    owner = models.CharField(
        _("owner"), max_length=200, help_text=_("Who is responsible for realising it.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("expected benefit")
        verbose_name_plural = _("expected benefits")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:40]}"


class ProjectStep(models.Model):
    """One roadmap checklist item of one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=32, choices=[(s.key, s.title) for s in STEPS])
    done = models.BooleanField(default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="project_step_unique"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def phase(self) -> str:
        return BY_KEY[self.key].phase

    @property
    def title(self) -> object:
        return BY_KEY[self.key].title


def document_path(instance: ProjectDocument, filename: str) -> str:
    # A random directory keeps names unguessable and lets two uploads share a file name.
    safe = PurePosixPath(filename).name[-120:]
    return f"projects/{instance.project_id}/{secrets.token_hex(8)}/{safe}"


class ProjectDocument(models.Model):
    """An internal document of the case (never public)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    step = models.ForeignKey(
        ProjectStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class CoBuyerInvitation(models.Model):
    """Joint procurement: the lead invites another buyer; that buyer's admin answers."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cobuyer_invitations"
    )
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="cobuyer_invitation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.project}"


class PhaseTransition(models.Model):
    """One move of a project between phases: the timeline on the project page."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_phase = models.CharField(max_length=16, choices=Phase.choices)
    to_phase = models.CharField(max_length=16, choices=Phase.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_phase} → {self.to_phase}"


class ProjectEvent(models.Model):
    """The audit trail: every write on a project, who did it and when."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} @ {self.at:%Y-%m-%d %H:%M}"
