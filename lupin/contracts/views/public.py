"""Pages anyone may open: the list of contracts and a contract's follow-up page.

Every contract comes through `lupin.contracts.access`: a contract of a published case is public,
the others only for insiders. The follow-up page shows the buyers' buttons only to those who may
use them (`can_manage`, `can_record_scale_up`); the write pages check again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lupin.benefits.models import Kpi, Measurement
from lupin.contracts import access, actions
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractParty,
    DevelopmentPhase,
    GateDecision,
    PartyRole,
    PhaseStatus,
)

PAGE_SIZE = 50


def with_suppliers(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Contracts with their case, lead buyer and suppliers (`supplier_parties`), in a constant
    number of queries however many there are."""
    suppliers = ContractParty.objects.filter(role=PartyRole.SUPPLIER).select_related("organisation")
    return contracts.select_related("project", "project__lead_buyer").prefetch_related(
        Prefetch("parties", queryset=suppliers, to_attr="supplier_parties")
    )


@require_safe
def contract_list(request: HttpRequest) -> HttpResponse:
    """Every contract the visitor may see; a logged-in person's own organisation's first."""
    visible = access.contracts_visible_to(request.user)
    has_organisation = bool(request.user.is_authenticated and request.user.organisation_id)
    mine = with_suppliers(access.contracts_of_organisation(request.user))
    page = Paginator(with_suppliers(visible), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "has_organisation": has_organisation,
        "mine": list(mine) if has_organisation else [],
        "page": page,
        "contracts": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
    }
    return render(request, "contracts/list.html", context)


@dataclass
class KpiRow:
    kpi: Kpi
    latest: Measurement | None


def kpi_rows(contract: Contract) -> list[KpiRow]:
    """The contract's KPIs, each with its latest measurement."""
    measurements = Measurement.objects.order_by("measured_on", "id")
    kpis = contract.kpis.prefetch_related(Prefetch("measurements", queryset=measurements))
    rows = []
    for kpi in kpis:
        taken = list(kpi.measurements.all())
        rows.append(KpiRow(kpi, taken[-1] if taken else None))
    return rows


@require_safe
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = access.get_contract_for_user(user, pk)
    parties = list(contract.parties.select_related("organisation"))
    decisions = GateDecision.objects.select_related("supplier__organisation")
    phases = DevelopmentPhase.objects.prefetch_related(
        "milestones", Prefetch("decisions", queryset=decisions)
    )
    # Prefetched onto the contract, so that the purchase option's blockers and the cost of the
    # phases read the same rows instead of asking again.
    prefetch_related_objects([contract], Prefetch("phases", queryset=phases), "performance_levels")
    is_partnership = contract.kind == ContractKind.INNOVATION_PARTNERSHIP
    insider = access.is_insider(user, contract)
    # Gate reasons: for insiders and the supplier concerned (access.may_read_gate_reason).
    readable = {
        p.organisation_id
        for p in parties
        if access.may_read_gate_reason(user, p.organisation_id, insider)
    }
    context = {
        "reason_readers": readable,
        "contract": contract,
        "project": contract.project,
        "competition": contract.award.competition if contract.award else None,
        "buyers": [p for p in parties if p.role == PartyRole.BUYER],
        "suppliers": [p for p in parties if p.role == PartyRole.SUPPLIER],
        "options": list(contract.options.all()),
        "phases": list(contract.phases.all()),
        "running": PhaseStatus.RUNNING,
        "planned": PhaseStatus.PLANNED,
        "development_cost": actions.development_cost(contract),
        "levels": list(contract.performance_levels.all()),
        "is_partnership": is_partnership,
        "purchase_blockers": actions.purchase_blockers(contract) if is_partnership else [],
        "scale_ups": list(contract.scale_ups.select_related("organisation")),
        "kpis": kpi_rows(contract),
        "can_manage": access.can_manage(user, contract),
        "can_scale_up": access.can_record_scale_up(user, contract),
    }
    return render(request, "contracts/detail.html", context)
