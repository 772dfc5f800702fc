"""Who may see and change which contract. Views and the API fetch contracts only through these.

- A contract of a published case is public: parties, value, dates, phases, gates, KPIs and
  measurements (the effect report is built from them). Evidence files and who entered a
  measurement are for insiders.
- Insiders: the case's insiders (lead buyer's people, accepted co-buyers, programme advisors) and
  the people of every buyer that is party to the contract.
- Changes: the admins and members of a buyer that is party to the contract (the lead buyer and
  its co-buyers). Suppliers and evaluators read; advisors read and may record a scale-up
  (transfer to another buyer is often what they see first).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from lupin.accounts.models import Role
from lupin.contracts.models import Contract, PartyRole
from lupin.projects import access as project_access
from lupin.projects.models import Project, Visibility

WRITERS = (Role.BUYER_ADMIN, Role.BUYER_MEMBER)


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _is_advisor(user: Any) -> bool:
    return _authenticated(user) and (user.is_superuser or user.role == Role.ADVISOR)


def _buyer_party(organisation_id: int | None) -> Q:
    return Q(parties__organisation_id=organisation_id, parties__role=PartyRole.BUYER)


def insiders_filter(user: Any) -> Q:
    """Contracts whose internals the user may see (an empty match for outsiders)."""
    if not _authenticated(user):
        return Q(pk__in=[])
    if _is_advisor(user):
        return Q()
    inside_projects = Project.objects.filter(project_access.insiders_filter(user)).values("pk")
    mine = Q(project__in=inside_projects)
    if user.organisation_id:
        mine |= _buyer_party(user.organisation_id)
    return mine


def contracts_visible_to(user: Any) -> QuerySet[Contract]:
    public = Q(project__visibility=Visibility.PUBLISHED)
    if not _authenticated(user):
        return Contract.objects.filter(public)
    inside = Contract.objects.filter(insiders_filter(user)).values("pk")
    visible = public | Q(pk__in=inside)
    if user.organisation_id:
        # A contract's suppliers see it even when the case is not published.
        visible |= Q(pk__in=contracts_of_organisation(user).values("pk"))
    return Contract.objects.filter(visible)


def contracts_of_organisation(user: Any) -> QuerySet[Contract]:
    """Contracts the user's organisation is party to, as buyer or supplier ("my contracts")."""
    if not _authenticated(user) or not user.organisation_id:
        return Contract.objects.none()
    mine = Contract.objects.filter(parties__organisation_id=user.organisation_id).values("pk")
    return Contract.objects.filter(pk__in=mine)


def get_contract_for_user(user: Any, pk: int) -> Contract:
    try:
        return (
            contracts_visible_to(user)
            .select_related("project", "project__lead_buyer", "award")
            .get(pk=pk)
        )
    except Contract.DoesNotExist:
        raise Http404 from None


def is_insider(user: Any, contract: Contract) -> bool:
    if not _authenticated(user):
        return False
    return Contract.objects.filter(insiders_filter(user), pk=contract.pk).exists()


def can_manage(user: Any, contract: Contract) -> bool:
    return (
        _authenticated(user)
        and user.role in WRITERS
        and bool(user.organisation_id)
        and contract.parties.filter(
            organisation_id=user.organisation_id, role=PartyRole.BUYER
        ).exists()
    )


def can_record_scale_up(user: Any, contract: Contract) -> bool:
    return can_manage(user, contract) or _is_advisor(user)


def can_register(user: Any, project: Project) -> bool:
    """Register a contract by hand for a case run elsewhere: the case's editors."""
    return project_access.can_edit(user, project)


def get_contract_for_managing(user: Any, pk: int) -> Contract:
    contract = get_contract_for_user(user, pk)
    if not can_manage(user, contract):
        raise Http404
    return contract


def get_contract_for_insider(user: Any, pk: int) -> Contract:
    contract = get_contract_for_user(user, pk)
    if not is_insider(user, contract):
        raise Http404
    return contract


def may_read_gate_reason(user: Any, party_organisation_id: int, insider: bool) -> bool:
    """Why a supplier was dropped (or kept) at a gate is for the contract's insiders and that
    supplier; the public sees the decision, not the reasoning about one company."""
    return insider or (
        _authenticated(user)
        and bool(user.organisation_id)
        and user.organisation_id == party_organisation_id
    )
