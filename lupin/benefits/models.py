"""Benefits measured over time, and what the programme spent to get them.

A contract's KPIs start as copies of the case's expected benefits (need phase); each KPI gets
measurements with a date, a source, who entered it and optional evidence. Where a KPI has a money
value per year at its target, a measurement's realised yearly value in NOK is that money value
scaled by the progress from baseline to target (see `Kpi.realised_yearly_value`).

Programme cost: advisors log support (hours at a rate, and other costs) per partner and case, and
the programme's own yearly budget can be entered, so ROI has an honest denominator.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lupin.accounts.models import Organisation
from lupin.contracts.models import Contract
from lupin.lib.finance import Confidence
from lupin.projects.models import BenefitCategory, ExpectedBenefit, Project

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


class ConfidenceLevel(models.TextChoices):
    """How sure the owner is of a value; `lupin.lib.finance.CONFIDENCE_MARGINS` turns it into a
    range (high ±10 %, expected ±25 %, low ±50 %)."""

    LOW = Confidence.LOW.value, pgettext_lazy("confidence", "Low")
    EXPECTED = Confidence.EXPECTED.value, pgettext_lazy("confidence", "Expected")
    HIGH = Confidence.HIGH.value, pgettext_lazy("confidence", "High")


class Kpi(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpis")
    source_benefit = models.ForeignKey(
        ExpectedBenefit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpis",
        help_text=_("The expected benefit of the need phase this KPI was made from."),
    )
    category = models.CharField(_("category"), max_length=32, choices=BenefitCategory.choices)
    description = models.TextField(_("description"))
    unit = models.CharField(_("unit"), max_length=50)
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    baseline_on = models.DateField(
        _("baseline measured"),
        null=True,
        blank=True,
        help_text=_("Measurements must be dated on or after this day."),
    )
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    yearly_value = models.DecimalField(
        _("money value per year at the target (NOK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=8,
        choices=ConfidenceLevel.choices,
        default=ConfidenceLevel.EXPECTED,
    )
    owner = models.CharField(_("owner"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def has_baseline(self) -> bool:
        return self.baseline is not None

    def progress(self, value: Decimal) -> Decimal | None:
        """How far `value` has come from the baseline towards the target: 0 at the baseline,
        1 at the target, more beyond it, negative when things got worse. None without a
        baseline, or when baseline and target are equal (nothing to progress along)."""
        if self.baseline is None or self.baseline == self.target:
            return None
        return (value - self.baseline) / (self.target - self.baseline)

    def realised_yearly_value(self, value: Decimal) -> Decimal | None:
        """NOK per year realised at the measured `value`: the money value at the target times
        the progress. None when the KPI has no money value or no baseline."""
        if self.yearly_value is None:
            return None
        progress = self.progress(value)
        if progress is None:
            return None
        return self.yearly_value * progress


def evidence_path(instance: Measurement, filename: str) -> str:
    # A random directory keeps names unguessable and lets two uploads share a file name.
    safe = PurePosixPath(filename).name[-120:]
    return f"benefits/{instance.kpi.contract_id}/{secrets.token_hex(8)}/{safe}"


class Measurement(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(_("measured value"), max_digits=16, decimal_places=2)
    measured_on = models.DateField(_("measured"))
    source = models.CharField(
        _("source"), max_length=300, help_text=_("Where the number comes from.")
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=8,
        choices=ConfidenceLevel.choices,
        default=ConfidenceLevel.EXPECTED,
    )
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, max_length=300, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True)

    class Meta:
        ordering = ["kpi", "measured_on", "id"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} ({self.measured_on})"

    @property
    def realised_yearly_value(self) -> Decimal | None:
        return self.kpi.realised_yearly_value(self.value)


class SupportEntry(models.Model):
    """Support an advisor gave a partner, for one case or for the partner in general."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_entries",
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_entries"
    )
    given_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=8, decimal_places=2, default=Decimal(0), validators=NOT_NEGATIVE
    )
    hourly_rate = models.DecimalField(
        _("hourly rate (NOK)"), max_digits=10, decimal_places=2, validators=NOT_NEGATIVE
    )
    other_cost = models.DecimalField(
        _("other costs (NOK)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=NOT_NEGATIVE,
        help_text=_("Travel, grants, external experts."),
    )
    description = models.CharField(_("what was done"), max_length=300)
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("support entry")
        verbose_name_plural = _("support entries")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.description[:40]}"

    @property
    def cost(self) -> Decimal:
        return self.hours * self.hourly_rate + self.other_cost


class ProgrammeBudget(models.Model):
    """The programme's own spending in one year (all costs: staff, grants, events). The effect
    report counts a year's budget as that year's cost, the support logged being the part of it
    allocated to partners; a year without a budget, or whose support logged exceeds its budget,
    counts the support logged."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.DecimalField(
        _("amount (NOK)"), max_digits=14, decimal_places=2, validators=NOT_NEGATIVE
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("programme budget")
        verbose_name_plural = _("programme budgets")

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"
