"""A contract and its follow-up: parties, options and extensions, development phases with
milestones and go/no-go gates (innovation partnership, pre-commercial procurement), performance
levels, the purchase option, and the road from pilot to scale.

The rules (who may do what, when a phase may start, when the purchase option opens) live in
`lupin.contracts.actions`; this module only says what is stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation
from lupin.competitions.models import AwardDecision
from lupin.projects.models import Project

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


def optional_nok(label: object, **options: object) -> models.DecimalField:
    """An amount in NOK, to the øre, never negative, that may not be known yet."""
    return models.DecimalField(
        label,  # type: ignore[arg-type]
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        **options,  # type: ignore[arg-type]
    )


class ContractKind(models.TextChoices):
    ORDINARY = "ordinary", _("Contract")
    INNOVATION_PARTNERSHIP = "innovation_partnership", _("Innovation partnership")
    PCP = "pcp", _("Pre-commercial procurement")


class ContractSource(models.TextChoices):
    AWARD = "award", _("From an award in Lupin")
    MANUAL = "manual", _("Registered by hand")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


# The whole contract lifecycle: an active contract is completed or terminated (with a reason).
CONTRACT_MOVES: dict[str, set[str]] = {
    ContractStatus.ACTIVE: {ContractStatus.COMPLETED, ContractStatus.TERMINATED},
    ContractStatus.COMPLETED: set(),
    ContractStatus.TERMINATED: set(),
}


class Contract(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="contracts")
    award = models.OneToOneField(
        AwardDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
    )
    source = models.CharField(max_length=8, choices=ContractSource.choices)
    kind = models.CharField(_("kind"), max_length=32, choices=ContractKind.choices)
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("contract number"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    value = optional_nok(_("value (NOK excl. VAT)"))
    max_cost = optional_nok(
        _("maximum cost of the development (NOK)"),
        help_text=_("Innovation partnership and PCP: the agreed ceiling for all phases."),
    )
    signed_on = models.DateField(_("signed"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    status_reason = models.TextField(_("reason"), blank=True)
    is_pilot = models.BooleanField(
        _("pilot"),
        default=False,
        help_text=_("The contract tries a solution out; a purchase at scale is to follow."),
    )
    pilot_ended_on = models.DateField(_("pilot ended"), null=True, blank=True)
    purchase_exercised_on = models.DateField(_("purchase option exercised"), null=True, blank=True)
    purchase_value = optional_nok(_("value of the purchase (NOK excl. VAT)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.title

    @property
    def has_phases(self) -> bool:
        return self.kind in (ContractKind.INNOVATION_PARTNERSHIP, ContractKind.PCP)


class PartyRole(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SUPPLIER = "supplier", _("Supplier")


class ContractParty(models.Model):
    """A buyer (the lead buyer and each co-buyer) or a supplier of the contract. A supplier
    dropped at a go/no-go gate keeps its row, with the day and reason it left."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=8, choices=PartyRole.choices)
    left_on = models.DateField(_("left"), null=True, blank=True)
    left_reason = models.TextField(_("why it left"), blank=True)

    class Meta:
        ordering = ["role", "organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "organisation", "role"], name="contract_party_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class OptionKind(models.TextChoices):
    EXTENSION = "extension", _("Extension of the term")
    ADDITIONAL = "additional", _("Additional deliveries")


class ContractOption(models.Model):
    """An option written into the contract; exercising it is recorded, never edited away."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="options")
    kind = models.CharField(_("kind"), max_length=16, choices=OptionKind.choices)
    description = models.TextField(_("description"))
    value = optional_nok(_("value (NOK excl. VAT)"))
    extends_to = models.DateField(_("extends the contract to"), null=True, blank=True)
    exercised_on = models.DateField(_("exercised"), null=True, blank=True)
    exercised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60]


class PhaseKind(models.TextChoices):
    SOLUTION_DESIGN = "solution_design", _("Solution design")
    PROTOTYPE = "prototype", _("Prototype")
    TEST = "test", _("Test")
    DEVELOPMENT = "development", _("Development")


class PhaseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


# A phase starts, then ends at its gate: completed when at least one supplier goes on, stopped
# when none does. A planned phase that will never run is stopped.
PHASE_MOVES: dict[str, set[str]] = {
    PhaseStatus.PLANNED: {PhaseStatus.RUNNING, PhaseStatus.STOPPED},
    PhaseStatus.RUNNING: {PhaseStatus.COMPLETED, PhaseStatus.STOPPED},
    PhaseStatus.COMPLETED: set(),
    PhaseStatus.STOPPED: set(),
}


class DevelopmentPhase(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    max_cost = optional_nok(_("maximum cost (NOK)"))
    actual_cost = optional_nok(_("cost so far (NOK)"))
    status = models.CharField(
        _("status"), max_length=16, choices=PhaseStatus.choices, default=PhaseStatus.PLANNED
    )

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="phase_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Milestone(models.Model):
    phase = models.ForeignKey(DevelopmentPhase, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("reached"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class PerformanceLevel(models.Model):
    """A performance level agreed in an innovation partnership: the developed solution must
    reach it before the purchase option opens."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="performance_levels"
    )
    name = models.CharField(_("performance level"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50)
    direction = models.CharField(_("required"), max_length=8, choices=Direction.choices)
    required = models.DecimalField(_("required value"), max_digits=16, decimal_places=4)
    achieved = models.DecimalField(
        _("achieved value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    achieved_on = models.DateField(_("measured"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_met(self) -> bool:
        if self.achieved is None:
            return False
        if self.direction == Direction.AT_LEAST:
            return self.achieved >= self.required
        return self.achieved <= self.required


class GateOutcome(models.TextChoices):
    GO = "go", _("Go: continues")
    NO_GO = "no_go", _("No go: stops")


class GateDecision(models.Model):
    """The go/no-go for one supplier at the end of a phase, always with a reason."""

    phase = models.ForeignKey(DevelopmentPhase, on_delete=models.CASCADE, related_name="decisions")
    supplier = models.ForeignKey(ContractParty, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=8, choices=GateOutcome.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phase", "id"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "supplier"], name="gate_decision_once")
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.supplier} {self.outcome}"


class ScaleUp(models.Model):
    """The solution bought and rolled out after the pilot, by a contract's buyer or by another
    buyer (transfer value)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="scale_ups")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("bought"))
    value = optional_nok(_("value (NOK excl. VAT)"))
    scope = models.TextField(_("what was rolled out"))
    is_transfer = models.BooleanField(
        default=False, help_text=_("Bought by a buyer that was not party to the contract.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.scope[:40]}"
