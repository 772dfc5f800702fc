"""The contracts endpoints of the JSON API: contract follow-up and measured benefits.

What a caller sees is decided by `access` alone: anonymous callers see the contracts of
published cases; a token holder also sees those it is an insider of or a supplier to. Evidence
files never appear here, and who entered a measurement only for the contract's insiders.

Measurements are recorded through `benefits.actions.record_measurement`, like on the page, so
every rule exists once. A rule's refusal (`BenefitError`) answers 422 with the field it names; a
contract or KPI the caller may not change answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from lupin.accounts.models import User
from lupin.benefits import actions as benefit_actions
from lupin.benefits.actions import BenefitError, MeasurementData
from lupin.benefits.models import Kpi, Measurement
from lupin.contracts import access
from lupin.contracts.actions import development_cost, purchase_blockers
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractParty,
    DevelopmentPhase,
    GateDecision,
    PartyRole,
)
from lupin.contracts.schemas import (
    ContractOut,
    ContractPage,
    ContractQuery,
    MeasurementIn,
    MeasurementOut,
)
from lupin.lib.finance import round_nok
from lupin.projects.schemas import ErrorOut

router = Router(tags=["contracts"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut}
READ_ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, **ERRORS}


def _caller(request: HttpRequest) -> Any:
    """The user OptionalBearer authenticated, or AnonymousUser (ninja sets `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> User:
    user = _caller(request)
    if not user.is_authenticated:
        raise AuthenticationError(message="Log in or send a bearer token to do this.")
    return user


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _level(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _organisation(party: ContractParty) -> dict[str, Any]:
    organisation = party.organisation
    return {"id": organisation.pk, "name": organisation.name, "org_number": organisation.org_number}


def _related(insiders: bool) -> list[str | Prefetch[Any]]:
    """Everything a contract's body shows, in a fixed number of queries for any page size."""
    measurements = Measurement.objects.order_by("measured_on", "pk")
    if insiders:
        measurements = measurements.select_related("entered_by")
    return [
        Prefetch("parties", queryset=ContractParty.objects.select_related("organisation")),
        "options",
        Prefetch(
            "phases",
            queryset=DevelopmentPhase.objects.order_by("number").prefetch_related(
                "milestones",
                Prefetch(
                    "decisions",
                    queryset=GateDecision.objects.select_related("supplier__organisation").order_by(
                        "pk"
                    ),
                ),
            ),
        ),
        "performance_levels",
        "scale_ups__organisation",
        Prefetch(
            "kpis",
            queryset=Kpi.objects.order_by("pk").prefetch_related(
                Prefetch("measurements", queryset=measurements)
            ),
        ),
    ]


def _measurement(kpi: Kpi, measurement: Measurement, insider: bool) -> dict[str, Any]:
    realised = kpi.realised_yearly_value(measurement.value)
    entered_by = None
    if insider and measurement.entered_by is not None:
        entered_by = measurement.entered_by.get_full_name() or measurement.entered_by.username
    return {
        "id": measurement.pk,
        "value": f"{measurement.value:.2f}",
        "measured_on": measurement.measured_on,
        "source": measurement.source,
        "confidence": measurement.confidence,
        "note": measurement.note,
        "realised_yearly_value": None if realised is None else f"{round_nok(realised):.2f}",
        "entered_by": entered_by,
    }


def _kpi(kpi: Kpi, insider: bool) -> dict[str, Any]:
    return {
        "id": kpi.pk,
        "category": kpi.category,
        "description": kpi.description,
        "unit": kpi.unit,
        "baseline": _money(kpi.baseline),
        "baseline_on": kpi.baseline_on,
        "target": f"{kpi.target:.2f}",
        "yearly_value": _money(kpi.yearly_value),
        "confidence": kpi.confidence,
        "owner": kpi.owner,
        "measurements": [_measurement(kpi, m, insider) for m in kpi.measurements.all()],
    }


def _phase(phase: DevelopmentPhase, readers: set[int]) -> dict[str, Any]:
    return {
        "number": phase.number,
        "kind": phase.kind,
        "name": phase.name,
        "starts_on": phase.starts_on,
        "ends_on": phase.ends_on,
        "status": phase.status,
        "max_cost": _money(phase.max_cost),
        "actual_cost": _money(phase.actual_cost),
        "milestones": [
            {"title": m.title, "due_on": m.due_on, "done_on": m.done_on}
            for m in phase.milestones.all()
        ],
        "gate_decisions": [
            {
                "supplier": {
                    "id": d.supplier.organisation_id,
                    "name": d.supplier.organisation.name,
                },
                "outcome": d.outcome,
                "reason": d.reason if d.supplier.organisation_id in readers else None,
                "decided_at": _utc(d.decided_at),
            }
            for d in phase.decisions.all()
        ],
    }


def _purchase_option(contract: Contract) -> dict[str, Any] | None:
    if contract.kind != ContractKind.INNOVATION_PARTNERSHIP:
        return None
    blockers = purchase_blockers(contract)
    return {
        "open": not blockers,
        "blockers": blockers,
        "exercised_on": contract.purchase_exercised_on,
        "value": _money(contract.purchase_value),
        "development_cost": f"{development_cost(contract):.2f}",
    }


def _contract(contract: Contract, insider: bool, user: Any = None) -> dict[str, Any]:
    parties = list(contract.parties.all())
    # Gate reasons: for insiders and the supplier concerned.
    readers = {
        p.organisation_id
        for p in parties
        if access.may_read_gate_reason(user, p.organisation_id, insider)
    }
    lead_id = contract.project.lead_buyer_id
    buyers = sorted(
        (p for p in parties if p.role == PartyRole.BUYER),
        key=lambda p: (p.organisation_id != lead_id, p.organisation.name),
    )
    suppliers = [p for p in parties if p.role == PartyRole.SUPPLIER]
    return {
        "id": contract.pk,
        "title": contract.title,
        "reference": contract.reference,
        "description": contract.description,
        "kind": contract.kind,
        "source": contract.source,
        "status": contract.status,
        "status_reason": contract.status_reason,
        "value": _money(contract.value),
        "max_cost": _money(contract.max_cost),
        "signed_on": contract.signed_on,
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "project": {"id": contract.project_id, "title": contract.project.title},
        "buyers": [_organisation(p) for p in buyers],
        "suppliers": [
            {
                **_organisation(p),
                "left_on": p.left_on,
                "left_reason": p.left_reason if p.organisation_id in readers else None,
            }
            for p in suppliers
        ],
        "options": [
            {
                "kind": o.kind,
                "description": o.description,
                "value": _money(o.value),
                "extends_to": o.extends_to,
                "exercised_on": o.exercised_on,
            }
            for o in contract.options.all()
        ],
        "phases": [_phase(p, readers) for p in contract.phases.all()],
        "performance_levels": [
            {
                "name": level.name,
                "unit": level.unit,
                "direction": level.direction,
                "required": _level(level.required),
                "achieved": _level(level.achieved),
                "achieved_on": level.achieved_on,
                "met": level.is_met,
            }
            for level in contract.performance_levels.all()
        ],
        "purchase_option": _purchase_option(contract),
        "is_pilot": contract.is_pilot,
        "pilot_ended_on": contract.pilot_ended_on,
        "scale_ups": [
            {
                "buyer": {"id": s.organisation_id, "name": s.organisation.name},
                "decided_on": s.decided_on,
                "value": _money(s.value),
                "scope": s.scope,
                "is_transfer": s.is_transfer,
            }
            for s in contract.scale_ups.all()
        ],
        "kpis": [_kpi(k, insider) for k in contract.kpis.all()],
        "url": reverse("contracts:detail", args=[contract.pk]),
    }


def _inside(user: Any, contracts: Iterable[Contract]) -> set[int]:
    """Which of these contracts the user is an insider of, in one query."""
    if not user.is_authenticated:
        return set()
    ids = [c.pk for c in contracts]
    inside = Contract.objects.filter(access.insiders_filter(user), pk__in=ids)
    return set(inside.values_list("pk", flat=True))


def _filtered(user: Any, query: ContractQuery) -> QuerySet[Contract]:
    contracts = access.contracts_visible_to(user)
    if query.mine:
        if not user.is_authenticated:
            raise AuthenticationError(message="Log in or send a bearer token to list yours.")
        contracts = contracts.filter(pk__in=access.contracts_of_organisation(user).values("pk"))
    if query.project is not None:
        contracts = contracts.filter(project_id=query.project)
    if query.status is not None:
        contracts = contracts.filter(status=query.status)
    if query.kind is not None:
        contracts = contracts.filter(kind=query.kind)
    return contracts


@router.get(
    "/contracts",
    response={200: ContractPage, **ERRORS},
    summary="List contracts",
)
def list_contracts(request: HttpRequest, query: Query[ContractQuery]) -> dict[str, Any]:
    """Contracts the caller may see, latest signed first: those of published cases for everyone,
    and the rest for their insiders (the case's buyers, the contract's buyers, programme
    advisors) and suppliers. Each comes whole: parties, options, phases with milestones and gate
    decisions, performance levels, the purchase option, scale-ups, and KPIs with their
    measurements."""
    user = _caller(request)
    contracts = _filtered(user, query)
    count = contracts.count()
    related = _related(insiders=user.is_authenticated)
    page = list(
        contracts.select_related("project").prefetch_related(*related)[
            query.offset : query.offset + query.limit
        ]
    )
    inside = _inside(user, page)
    return {"items": [_contract(c, c.pk in inside, user) for c in page], "count": count}


@router.get(
    "/contracts/{id}",
    response={200: ContractOut, **READ_ERRORS},
    summary="Read one contract",
)
def get_contract(request: HttpRequest, id: int) -> dict[str, Any]:
    """A contract the caller may not see answers 404, exactly like an id that does not exist."""
    user = _caller(request)
    contract = access.get_contract_for_user(user, id)
    insider = access.is_insider(user, contract)
    prefetch_related_objects([contract], *_related(insiders=insider))
    return _contract(contract, insider, user)


@router.post(
    "/contracts/{id}/kpis/{kpi_id}/measurements",
    response={201: MeasurementOut, **READ_ERRORS},
    summary="Record a measurement of a KPI",
)
def record_measurement(
    request: HttpRequest, id: int, kpi_id: int, payload: MeasurementIn
) -> Status[dict[str, Any]] | HttpResponse:
    """For the people of the contract's buyers (admins and members). The value must be in the
    KPI's unit, dated neither in the future nor before the KPI's baseline (or, without a
    baseline date, the contract's signing), with its source. A refusal is a 422 naming the field,
    and nothing is stored. A contract or KPI the caller may not change answers 404.

    Evidence files (a report, a spreadsheet) are uploaded on the KPI's web page only, not here."""
    user = _actor(request)
    contract = access.get_contract_for_managing(user, id)
    kpi = Kpi.objects.filter(contract=contract, pk=kpi_id).first()
    if kpi is None:
        raise Http404
    kpi.contract = contract
    data = MeasurementData(
        value=payload.value,
        unit=payload.unit,
        measured_on=payload.measured_on,
        source=payload.source,
        confidence=payload.confidence,
        note=payload.note,
    )
    try:
        measurement = benefit_actions.record_measurement(user, kpi, data)
    except BenefitError as exc:
        # Imported here: lupin.api imports this module while it is itself being loaded.
        from lupin.api import error

        fields = {exc.field: exc.message} if exc.field else {}
        return error(request, 422, "invalid", exc.message, **fields)
    return Status(201, _measurement(kpi, measurement, insider=True))
