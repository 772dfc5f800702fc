"""Who may see and do what in a competition. Views and the API go through these only.

- An announced competition, its documents and published answers are public.
- Drafts and the buyer's side: the project's insiders; changes: the lead buyer's people.
- A supplier sees its own tenders and receipts, never another's.
- Tender content: nobody before opening; after it, only evaluation-team members who have
  declared that they have no conflict of interest. The check is in `actions`, where every
  access and every refusal is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from lupin.accounts.models import Role
from lupin.competitions.models import Competition, CompetitionStatus, TeamMember, Tender
from lupin.projects import access as project_access
from lupin.projects.models import Project


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def competitions_visible_to(user: Any) -> QuerySet[Competition]:
    public = ~Q(status=CompetitionStatus.DRAFT)
    if not _authenticated(user):
        return Competition.objects.filter(public)
    insider_projects = Project.objects.filter(project_access.insiders_filter(user)).values("pk")
    return Competition.objects.filter(public | Q(project__in=insider_projects))


def get_competition_for_user(user: Any, pk: int) -> Competition:
    try:
        visible = competitions_visible_to(user).select_related("project", "project__lead_buyer")
        return visible.get(pk=pk)
    except Competition.DoesNotExist:
        raise Http404 from None


def is_insider(user: Any, competition: Competition) -> bool:
    return project_access.can_see_internals(user, competition.project)


def can_manage(user: Any, competition: Competition) -> bool:
    return project_access.can_edit(user, competition.project)


def get_competition_for_managing(user: Any, pk: int) -> Competition:
    competition = get_competition_for_user(user, pk)
    if not can_manage(user, competition):
        raise Http404
    return competition


def get_competition_for_insider(user: Any, pk: int) -> Competition:
    competition = get_competition_for_user(user, pk)
    if not is_insider(user, competition):
        raise Http404
    return competition


def can_open(user: Any, competition: Competition) -> bool:
    """Opening approvals: the lead buyer's admins and members (never evaluators alone)."""
    return (
        _authenticated(user)
        and user.role in (Role.BUYER_ADMIN, Role.BUYER_MEMBER)
        and user.organisation_id == competition.project.lead_buyer_id
    )


def is_supplier(user: Any) -> bool:
    return _authenticated(user) and bool(user.is_supplier) and bool(user.organisation_id)


def own_tenders(user: Any, competition: Competition) -> QuerySet[Tender]:
    """The user's organisation's tender versions in this competition (metadata only)."""
    if not is_supplier(user):
        return Tender.objects.none()
    return Tender.objects.filter(competition=competition, organisation_id=user.organisation_id)


def team_member(user: Any, competition: Competition) -> TeamMember | None:
    if not _authenticated(user):
        return None
    return TeamMember.objects.filter(competition=competition, user=user).first()


def may_read_tenders(user: Any, competition: Competition) -> bool:
    """Annex IV (d)(f): opened, and a team member who has declared no conflict of interest."""
    member = team_member(user, competition)
    return (
        competition.status
        in (CompetitionStatus.OPENED, CompetitionStatus.AWARDED, CompetitionStatus.SIGNED)
        and member is not None
        and member.declared_at is not None
    )
