"""Who may see and do what in a market dialogue. Views and the API go through these only.

- The notice (a published dialogue) is public, like a notice on Doffin, with its deadlines and
  the conferences' times, places and video links.
- Drafts and everything the buyer keeps (questions with askers, registrations, bookings,
  minutes, written input, the equal-treatment report): the project's insiders (lead buyer,
  accepted co-buyers, programme advisors). Changes: the lead buyer's admins and members.
- Materials and answers: every registered supplier, all of them, from the moment of sharing or
  of registration. A supplier sees only its own questions, booking, minutes and input.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from lupin.dialogue.models import Booking, Dialogue, DialogueStatus, Registration
from lupin.projects import access as project_access
from lupin.projects.models import Project

PUBLIC_STATUSES = (DialogueStatus.PUBLISHED, DialogueStatus.FINISHED)


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def dialogues_visible_to(user: Any) -> QuerySet[Dialogue]:
    public = Q(status__in=PUBLIC_STATUSES)
    if not _authenticated(user):
        return Dialogue.objects.filter(public)
    insider_projects = Project.objects.filter(project_access.insiders_filter(user)).values("pk")
    inside = Dialogue.objects.filter(project__in=insider_projects).values("pk")
    return Dialogue.objects.filter(public | Q(pk__in=inside))


def get_dialogue_for_user(user: Any, pk: int) -> Dialogue:
    try:
        return (
            dialogues_visible_to(user).select_related("project", "project__lead_buyer").get(pk=pk)
        )
    except Dialogue.DoesNotExist:
        raise Http404 from None


def is_insider(user: Any, dialogue: Dialogue) -> bool:
    return project_access.can_see_internals(user, dialogue.project)


def can_manage(user: Any, dialogue: Dialogue) -> bool:
    return project_access.can_edit(user, dialogue.project)


def get_dialogue_for_managing(user: Any, pk: int) -> Dialogue:
    dialogue = get_dialogue_for_user(user, pk)
    if not can_manage(user, dialogue):
        raise Http404
    return dialogue


def get_dialogue_for_insider(user: Any, pk: int) -> Dialogue:
    dialogue = get_dialogue_for_user(user, pk)
    if not is_insider(user, dialogue):
        raise Http404
    return dialogue


def is_supplier(user: Any) -> bool:
    return _authenticated(user) and bool(user.is_supplier) and bool(user.organisation_id)


def registration_of(user: Any, dialogue: Dialogue) -> Registration | None:
    if not is_supplier(user):
        return None
    return Registration.objects.filter(
        dialogue=dialogue, organisation_id=user.organisation_id
    ).first()


def can_see_shared(user: Any, dialogue: Dialogue) -> bool:
    """Materials and answers: registered suppliers and insiders."""
    return is_insider(user, dialogue) or registration_of(user, dialogue) is not None


def get_dialogue_for_participant(user: Any, pk: int) -> tuple[Dialogue, Registration]:
    """A published dialogue the user's supplier organisation is registered in, else 404."""
    dialogue = get_dialogue_for_user(user, pk)
    registration = registration_of(user, dialogue)
    if registration is None:
        raise Http404
    return dialogue, registration


def booking_visible_to(user: Any, booking: Booking) -> bool:
    if is_insider(user, booking.dialogue):
        return True
    return is_supplier(user) and booking.organisation_id == user.organisation_id
