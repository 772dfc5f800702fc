"""Every change to KPIs, measurements and programme costs goes through one function here.

Bad input is refused with a message naming the field, and nothing is stored: a measurement in
another unit than its KPI's, dated before the KPI's baseline or in the future; a negative cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lupin.accounts.models import Organisation, OrganisationKind, User
from lupin.audit import log as audit
from lupin.benefits import access
from lupin.benefits.models import ConfidenceLevel, Kpi, Measurement, ProgrammeBudget, SupportEntry
from lupin.contracts import access as contract_access
from lupin.contracts.models import Contract
from lupin.projects.actions import record
from lupin.projects.models import BenefitCategory, Project

# No figure of the effect report is older than this: a mistyped year (1923 for 2023) would
# otherwise move the report's base year and shrink every present value.
EARLIEST_YEAR = 2000


class BenefitError(Exception):
    """A rule said no. The message is for the person who tried; `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _not_negative(value: Decimal | None, field: str) -> None:
    if value is not None and value < 0:
        raise BenefitError(_("An amount cannot be negative."), field=field)


def same_unit(a: str, b: str) -> bool:
    """Units are compared as written, ignoring case and spacing ("Hours per week" = "hours
    per  week"); Lupin does not convert between units."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


# --- KPIs --------------------------------------------------------------------------------------


def kpis_from_benefits(contract: Contract) -> list[Kpi]:
    """The case's expected benefits become the contract's KPIs (copies: the need stays as it
    was written). Called when a contract is created, inside its transaction.

    Each benefit is followed by one contract only, the case's first: a case divided into lots,
    or a pilot followed by a purchase, must not count the same benefit twice. A later contract
    gets its own KPIs only when the buyer adds them."""
    followed = Kpi.objects.filter(
        contract__project=contract.project, source_benefit__isnull=False
    ).values("source_benefit")
    kpis = [
        Kpi(
            contract=contract,
            source_benefit=benefit,
            category=benefit.category,
            description=benefit.description,
            unit=benefit.unit,
            baseline=benefit.baseline,
            target=benefit.target,
            yearly_value=benefit.yearly_value,
            owner=benefit.owner,
        )
        for benefit in contract.project.benefits.exclude(pk__in=followed)
    ]
    return Kpi.objects.bulk_create(kpis)


@dataclass
class KpiData:
    category: str
    description: str
    unit: str
    target: Decimal
    owner: str
    baseline: Decimal | None = None
    baseline_on: date | None = None
    yearly_value: Decimal | None = None
    confidence: str = ConfidenceLevel.EXPECTED


KPI_FIELDS = (
    "category",
    "description",
    "unit",
    "target",
    "owner",
    "baseline",
    "baseline_on",
    "yearly_value",
    "confidence",
)


def _check_kpi(data: KpiData) -> None:
    if data.category not in BenefitCategory.values:
        raise BenefitError(_("Choose a category."), field="category")
    for name in ("description", "unit", "owner"):
        if not getattr(data, name).strip():
            raise BenefitError(_("This field is required."), field=name)
    if data.confidence not in ConfidenceLevel.values:
        raise BenefitError(_("Choose low, expected or high."), field="confidence")
    _not_negative(data.yearly_value, "yearly_value")
    if data.baseline is not None and data.baseline == data.target:
        raise BenefitError(
            _("The target must differ from the baseline: there is nothing to realise."),
            field="target",
        )
    if data.baseline_on is not None and data.baseline_on.year < EARLIEST_YEAR:
        raise BenefitError(
            _("Give a date in %(year)s or later.") % {"year": EARLIEST_YEAR}, field="baseline_on"
        )
    if data.baseline_on is not None and data.baseline is None:
        raise BenefitError(_("Give the baseline value measured on that day."), field="baseline")


@transaction.atomic
def add_kpi(actor: User, contract: Contract, data: KpiData) -> Kpi:
    _require(contract_access.can_manage(actor, contract))
    _check_kpi(data)
    kpi = Kpi.objects.create(contract=contract, **{f: getattr(data, f) for f in KPI_FIELDS})
    record(contract.project, actor, "kpi.added", contract=contract.pk, kpi=kpi.pk)
    return kpi


@transaction.atomic
def update_kpi(actor: User, kpi: Kpi, data: KpiData) -> Kpi:
    _require(contract_access.can_manage(actor, kpi.contract))
    _check_kpi(data)
    first = kpi.measurements.order_by("measured_on").first()
    if first is not None and data.baseline_on is not None and data.baseline_on > first.measured_on:
        raise BenefitError(
            _("The baseline cannot be later than the first measurement (%(day)s).")
            % {"day": date_format(first.measured_on)},
            field="baseline_on",
        )
    if first is not None and not same_unit(data.unit, kpi.unit):
        raise BenefitError(
            _("The KPI already has measurements in “%(unit)s”; its unit cannot change.")
            % {"unit": kpi.unit},
            field="unit",
        )
    changed = [f for f in KPI_FIELDS if getattr(kpi, f) != getattr(data, f)]
    for name in changed:
        setattr(kpi, name, getattr(data, name))
    if changed:
        kpi.save(update_fields=changed)
        record(kpi.contract.project, actor, "kpi.updated", kpi=kpi.pk, fields=changed)
    return kpi


# --- Measurements ------------------------------------------------------------------------------


@dataclass
class MeasurementData:
    value: Decimal
    unit: str
    measured_on: date
    source: str
    confidence: str = ConfidenceLevel.EXPECTED
    note: str = ""
    evidence: UploadedFile | None = None


def check_measurement(kpi: Kpi, data: MeasurementData) -> None:
    """Every rule a measurement must meet, each refusal naming its field."""
    if not same_unit(data.unit, kpi.unit):
        raise BenefitError(
            _("This KPI is measured in “%(unit)s”, not “%(given)s”: convert the value first.")
            % {"unit": kpi.unit, "given": data.unit},
            field="unit",
        )
    if data.measured_on > timezone.localdate():
        raise BenefitError(_("A measurement cannot be dated in the future."), field="measured_on")
    if kpi.baseline_on is not None and data.measured_on < kpi.baseline_on:
        raise BenefitError(
            _("The baseline was measured on %(day)s; a measurement cannot be earlier.")
            % {"day": date_format(kpi.baseline_on)},
            field="measured_on",
        )
    if data.measured_on < kpi.contract.signed_on and kpi.baseline_on is None:
        raise BenefitError(
            _("A measurement cannot be earlier than the contract (signed %(day)s).")
            % {"day": date_format(kpi.contract.signed_on)},
            field="measured_on",
        )
    if not data.source.strip():
        raise BenefitError(_("Say where the number comes from."), field="source")
    if data.confidence not in ConfidenceLevel.values:
        raise BenefitError(_("Choose low, expected or high."), field="confidence")


@transaction.atomic
def record_measurement(actor: User, kpi: Kpi, data: MeasurementData) -> Measurement:
    """Store a measurement (and its evidence, already checked for size and type by the form)."""
    _require(contract_access.can_manage(actor, kpi.contract))
    check_measurement(kpi, data)
    measurement = Measurement(
        kpi=kpi,
        value=data.value,
        measured_on=data.measured_on,
        source=data.source.strip(),
        confidence=data.confidence,
        note=data.note.strip(),
        entered_by=actor,
    )
    upload = data.evidence
    if upload is not None:
        measurement.evidence_type = upload.content_type or "application/octet-stream"
        measurement.evidence_size = upload.size or 0
        measurement.evidence.save(upload.name or "evidence", upload, save=False)
    try:
        measurement.save()
        record(
            kpi.contract.project,
            actor,
            "measurement.added",
            kpi=kpi.pk,
            measurement=measurement.pk,
            value=str(data.value),
        )
    except Exception:
        if measurement.evidence:
            measurement.evidence.storage.delete(measurement.evidence.name)
        raise
    return measurement


@transaction.atomic
def withdraw_measurement(actor: User, measurement: Measurement, reason: str) -> Measurement:
    """Take back a wrong measurement (a typo, a wrong period). It stays on the KPI's page,
    struck through with the reason, and no longer counts in the effect report; enter the right
    value as a new measurement."""
    _require(contract_access.can_manage(actor, measurement.kpi.contract))
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if measurement.withdrawn_at is not None:
        raise BenefitError(_("This measurement is already withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise BenefitError(_("Say why the measurement is withdrawn."), field="reason")
    measurement.withdrawn_at = timezone.now()
    measurement.withdrawn_by = actor
    measurement.withdrawn_reason = reason
    measurement.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    record(
        measurement.kpi.contract.project,
        actor,
        "measurement.withdrawn",
        kpi=measurement.kpi_id,
        measurement=measurement.pk,
        reason=reason,
    )
    return measurement


# --- Programme costs ---------------------------------------------------------------------------


@dataclass
class SupportData:
    organisation: Organisation
    given_on: date
    description: str
    hours: Decimal = Decimal(0)
    other_cost: Decimal = Decimal(0)
    hourly_rate: Decimal | None = None
    project: Project | None = None


@transaction.atomic
def log_support(actor: User, data: SupportData) -> SupportEntry:
    _require(access.can_log_programme_costs(actor))
    if data.organisation.kind != OrganisationKind.BUYER:
        raise BenefitError(
            _("Support is logged for a partner (a public buyer)."), field="organisation"
        )
    if data.project is not None and data.project.lead_buyer_id != data.organisation.pk:
        raise BenefitError(_("That case belongs to another partner."), field="project")
    rate = settings.LUPIN_ADVISOR_HOURLY_RATE if data.hourly_rate is None else data.hourly_rate
    for name, value in (
        ("hours", data.hours),
        ("other_cost", data.other_cost),
        ("hourly_rate", rate),
    ):
        if value < 0:
            raise BenefitError(_("This cannot be negative."), field=name)
    if not data.hours and not data.other_cost:
        raise BenefitError(_("Give the hours spent or a cost."), field="hours")
    if data.given_on.year < EARLIEST_YEAR:
        raise BenefitError(
            _("Give a date in %(year)s or later.") % {"year": EARLIEST_YEAR}, field="given_on"
        )
    if data.given_on > timezone.localdate():
        raise BenefitError(_("Log support once it has been given."), field="given_on")
    if not data.description.strip():
        raise BenefitError(_("Say what was done."), field="description")
    entry = SupportEntry.objects.create(
        organisation=data.organisation,
        project=data.project,
        advisor=actor,
        given_on=data.given_on,
        hours=data.hours,
        hourly_rate=rate,
        other_cost=data.other_cost,
        description=data.description.strip(),
    )
    audit.append(actor, "programme.support_logged", entry, cost=str(entry.cost))
    return entry


@transaction.atomic
def set_budget(actor: User, *, year: int, amount: Decimal, note: str = "") -> ProgrammeBudget:
    """Enter or correct the programme's spending in one year."""
    _require(access.can_log_programme_costs(actor))
    if amount < 0:
        raise BenefitError(_("A budget cannot be negative."), field="amount")
    if not EARLIEST_YEAR <= year <= timezone.localdate().year + 1:
        raise BenefitError(
            _("Give a year between %(year)s and next year.") % {"year": EARLIEST_YEAR},
            field="year",
        )
    budget, created = ProgrammeBudget.objects.update_or_create(
        year=year, defaults={"amount": amount, "note": note.strip(), "entered_by": actor}
    )
    audit.append(
        actor, "programme.budget_set", budget, year=year, amount=str(amount), created=created
    )
    return budget
