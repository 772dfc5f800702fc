"""Who may see and change benefits, programme costs and a partner's effect report.

- KPIs and measurements follow their contract (`lupin.contracts.access`): public for a published
  case, written by the contract's buyers. Evidence files are for the contract's insiders.
- Programme costs (support logged, yearly budgets): written by programme advisors. The effect
  report's drill-down shows each entry's partner, date, hours, rate and cost to everyone (the
  figures must be recomputable); which advisor gave the support and what was done are for the
  programme only.
- A partner's own report: the partner's people and the programme.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from lupin.accounts.models import Organisation, OrganisationKind, Role
from lupin.benefits.models import Kpi, Measurement
from lupin.contracts import access as contract_access


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_programme(user: Any) -> bool:
    return _authenticated(user) and (user.is_superuser or user.role == Role.ADVISOR)


def can_log_programme_costs(user: Any) -> bool:
    return is_programme(user)


def can_see_partner_report(user: Any, organisation: Organisation) -> bool:
    if is_programme(user):
        return True
    return _authenticated(user) and user.organisation_id == organisation.pk


def get_partner_for_report(user: Any, pk: int) -> Organisation:
    """A buyer organisation whose own report the user may see, else 404."""
    organisation = get_object_or_404(Organisation, pk=pk, kind=OrganisationKind.BUYER)
    if not can_see_partner_report(user, organisation):
        raise Http404
    return organisation


def get_kpi_for_user(user: Any, pk: int) -> Kpi:
    visible = contract_access.contracts_visible_to(user).values("pk")
    try:
        return Kpi.objects.select_related("contract", "contract__project").get(
            pk=pk, contract__in=visible
        )
    except Kpi.DoesNotExist:
        raise Http404 from None


def get_kpi_for_managing(user: Any, pk: int) -> Kpi:
    kpi = get_kpi_for_user(user, pk)
    if not contract_access.can_manage(user, kpi.contract):
        raise Http404
    return kpi


def get_measurement_for_managing(user: Any, pk: int) -> Measurement:
    """A measurement the user may withdraw (a buyer of its contract), else 404."""
    try:
        measurement = Measurement.objects.select_related("kpi__contract").get(pk=pk)
    except Measurement.DoesNotExist:
        raise Http404 from None
    if not contract_access.can_manage(user, measurement.kpi.contract):
        raise Http404
    return measurement


def get_evidence_for_user(user: Any, pk: int) -> Measurement:
    """A measurement whose evidence file the user may download (contract insiders), else 404."""
    inside = contract_access.contracts_visible_to(user).filter(
        contract_access.insiders_filter(user)
    )
    try:
        measurement = Measurement.objects.select_related("kpi__contract").get(
            pk=pk, kpi__contract__in=inside.values("pk")
        )
    except Measurement.DoesNotExist:
        raise Http404 from None
    if not measurement.evidence:
        raise Http404
    return measurement
