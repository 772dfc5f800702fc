"""Who may see and change which project. Views and the API fetch projects only through these.

- Published projects are public (minus internal notes and documents).
- Drafts and internals: the lead buyer's people, accepted co-buyers' people, programme advisors.
- Changes: the lead buyer's admins and members. Co-buyer invitations: the lead's admins invite,
  the invited organisation's admins answer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from lupin.accounts.models import Role
from lupin.projects.models import CoBuyerInvitation, InvitationStatus, Project, Visibility


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def insiders_filter(user: Any) -> Q:
    """Projects whose internals this user may see (an empty match for outsiders)."""
    if not _is_authenticated(user):
        return Q(pk__in=[])
    if user.is_superuser or user.role == Role.ADVISOR:
        return Q()
    if not user.organisation_id:
        return Q(pk__in=[])
    return Q(lead_buyer_id=user.organisation_id) | Q(
        invitations__organisation_id=user.organisation_id,
        invitations__status=InvitationStatus.ACCEPTED,
    )


def projects_visible_to(user: Any) -> QuerySet[Project]:
    """Every project the user may open: published ones, and drafts where the user is inside."""
    public = Q(visibility=Visibility.PUBLISHED)
    if not _is_authenticated(user):
        return Project.objects.filter(public)
    # The join over invitations can repeat a project; the subquery keeps rows unique.
    inside = Project.objects.filter(insiders_filter(user)).values("pk")
    return Project.objects.filter(public | Q(pk__in=inside))


def projects_of_organisation(user: Any) -> QuerySet[Project]:
    """The projects the user's organisation leads or co-buys ("my projects")."""
    if not _is_authenticated(user) or not user.organisation_id:
        return Project.objects.none()
    inside = Project.objects.filter(
        Q(lead_buyer_id=user.organisation_id)
        | Q(
            invitations__organisation_id=user.organisation_id,
            invitations__status=InvitationStatus.ACCEPTED,
        )
    ).values("pk")
    return Project.objects.filter(pk__in=inside)


def get_project_for_user(user: Any, pk: int) -> Project:
    try:
        return projects_visible_to(user).select_related("lead_buyer").get(pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


def can_see_internals(user: Any, project: Project) -> bool:
    if not _is_authenticated(user):
        return False
    return Project.objects.filter(insiders_filter(user), pk=project.pk).exists()


def can_edit(user: Any, project: Project) -> bool:
    return (
        _is_authenticated(user)
        and user.role in (Role.BUYER_ADMIN, Role.BUYER_MEMBER)
        and user.organisation_id == project.lead_buyer_id
    )


def can_create_projects(user: Any) -> bool:
    return _is_authenticated(user) and user.role in (Role.BUYER_ADMIN, Role.BUYER_MEMBER)


def can_invite(user: Any, project: Project) -> bool:
    return can_edit(user, project) and user.role == Role.BUYER_ADMIN


def get_project_for_internals(user: Any, pk: int) -> Project:
    """A project whose internal notes and documents the user may see, else 404."""
    if not _is_authenticated(user):
        raise Http404
    try:
        return Project.objects.filter(insiders_filter(user)).distinct().get(pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


def get_project_for_editing(user: Any, pk: int) -> Project:
    """A project the user may change, else 404 (no hint that a hidden draft exists)."""
    project = get_project_for_user(user, pk)
    if not can_edit(user, project):
        raise Http404
    return project


def invitations_for_user(user: Any) -> QuerySet[CoBuyerInvitation]:
    """Invitations addressed to the user's organisation, which only its admins may answer."""
    if not _is_authenticated(user) or user.role != Role.BUYER_ADMIN:
        return CoBuyerInvitation.objects.none()
    return CoBuyerInvitation.objects.filter(organisation_id=user.organisation_id).select_related(
        "project", "project__lead_buyer"
    )


def get_invitation_for_user(user: Any, pk: int) -> CoBuyerInvitation:
    try:
        return invitations_for_user(user).get(pk=pk)
    except CoBuyerInvitation.DoesNotExist:
        raise Http404 from None


def can_see_portfolio(user: Any) -> bool:
    return _is_authenticated(user) and (user.is_superuser or user.role == Role.ADVISOR)
