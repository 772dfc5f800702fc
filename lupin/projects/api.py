"""The projects endpoints of the JSON API: read-only, for open data and integrations.

What a caller sees is decided by `access` alone: anonymous callers see published projects; a
token holder also sees the drafts their organisation (or the programme) may see.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from lupin.projects import access
from lupin.projects.filters import filter_projects
from lupin.projects.models import PhaseTransition, Project, ProjectCpvCode
from lupin.projects.schemas import ErrorOut, ProjectDetailOut, ProjectPage, ProjectQuery

router = Router(tags=["projects"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut}


def _caller(request: HttpRequest) -> Any:
    """The user OptionalBearer authenticated, or AnonymousUser (ninja sets `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _project(project: Project) -> dict[str, Any]:
    buyer = project.lead_buyer
    return {
        "id": project.pk,
        "title": project.title,
        "phase": project.phase,
        "visibility": project.visibility,
        "buyer": {"id": buyer.pk, "name": buyer.name, "org_number": buyer.org_number},
        "need_statement": project.need_statement,
        "affected_users": project.affected_users,
        "problem_scenarios": project.problem_scenarios,
        "desired_effects": project.desired_effects,
        "estimated_value": _money(project.estimated_value),
        "currency": "NOK",
        "cpv_codes": [
            {"code": c.code, "label_en": c.label_en, "label_nb": c.label_nb}
            for c in project.cpv_list()
        ],
        "nuts_region": project.nuts_region,
        "planned_procedure": project.planned_procedure,
        "published_at": _utc(project.published_at),
        "updated_at": _utc(project.updated_at),
        "url": reverse("projects:detail", args=[project.pk]),
    }


def _with_related(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.select_related("lead_buyer").prefetch_related(
        Prefetch("cpv_codes", queryset=ProjectCpvCode.objects.order_by("position"))
    )


def _filtered(projects: QuerySet[Project], query: ProjectQuery) -> QuerySet[Project]:
    return filter_projects(
        projects,
        phase=query.phase,
        region=query.region,
        division=query.cpv_division,
        buyer=query.buyer,
        q=query.q,
    )


@router.get(
    "/projects",
    response={200: ProjectPage, **ERRORS},
    summary="List projects",
    by_alias=True,
)
def list_projects(request: HttpRequest, query: Query[ProjectQuery]) -> dict[str, Any]:
    """Projects the caller may see, newest change first: published projects for everyone, and
    drafts for the lead buyer's people, accepted co-buyers and programme advisors."""
    projects = _filtered(access.projects_visible_to(_caller(request)), query)
    count = projects.count()
    page = _with_related(projects)[query.offset : query.offset + query.limit]
    return {"items": [_project(p) for p in page], "count": count}


@router.get(
    "/projects/{id}",
    response={200: ProjectDetailOut, 404: ErrorOut, **ERRORS},
    summary="Read one project",
    by_alias=True,
)
def get_project(request: HttpRequest, id: int) -> dict[str, Any]:
    """One project with its expected benefits and phase timeline. A draft the caller may not see
    answers 404, exactly like an id that does not exist. `internal_notes` is a string only for
    insiders (lead buyer, accepted co-buyers, programme advisors) and null for everyone else."""
    user = _caller(request)
    project = access.get_project_for_user(user, id)
    prefetch_related_objects(
        [project],
        Prefetch("cpv_codes", queryset=ProjectCpvCode.objects.order_by("position")),
        "benefits",
        Prefetch("transitions", queryset=PhaseTransition.objects.order_by("at", "id")),
    )
    body = _project(project)
    body["benefits"] = [
        {
            "category": b.category,
            "description": b.description,
            "baseline": f"{b.baseline:.2f}",
            "target": f"{b.target:.2f}",
            "unit": b.unit,
            "yearly_value": _money(b.yearly_value),
            "owner": b.owner,
        }
        for b in project.benefits.all()
    ]
    body["timeline"] = [
        {"from": t.from_phase, "to": t.to_phase, "at": _utc(t.at), "reason": t.reason}
        for t in project.transitions.all()
    ]
    body["internal_notes"] = (
        project.internal_notes if access.can_see_internals(user, project) else None
    )
    return body
