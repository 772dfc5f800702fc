"""Pages anyone may open: the front page, the project list, a project, and the advisors' portfolio.

Every project comes through `access`: the helpers decide what a visitor may see, the views only
shape it for the templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from lupin.contracts import access as contract_access
from lupin.contracts.actions import waiting_pilots
from lupin.projects import access
from lupin.projects.filters import ProjectFilterForm
from lupin.projects.lifecycle import Phase
from lupin.projects.models import InvitationStatus, PhaseTransition, Project, Visibility
from lupin.projects.roadmap import STEPS

PAGE_SIZE = 20
HOME_LIMIT = 6
AUDIT_LIMIT = 20
# Needs suppliers can still shape: before the competition is announced.
OPEN_PHASES = (Phase.NEED, Phase.DIALOGUE)


def home(request: HttpRequest) -> HttpResponse:
    open_needs = (
        access.projects_visible_to(request.user)
        .filter(visibility=Visibility.PUBLISHED, phase__in=OPEN_PHASES)
        .select_related("lead_buyer")
        .prefetch_related("cpv_codes")
        .order_by("-published_at", "-id")[:HOME_LIMIT]
    )
    return render(request, "projects/home.html", {"open_needs": open_needs})


def project_list(request: HttpRequest) -> HttpResponse:
    visible = access.projects_visible_to(request.user)
    form = ProjectFilterForm(request.GET, projects=visible)
    projects = form.apply(visible).select_related("lead_buyer").prefetch_related("cpv_codes")
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "projects": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
    }
    # A history restore asks for the whole page, not the fragment.
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx and not htmx.history_restore_request)
    template = "projects/_project_results.html" if partial else "projects/project_list.html"
    response = render(request, template, context)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass
class PhaseStep:
    phase: Phase
    state: str  # "done", "skipped", "current" or "todo"
    done: int = 0
    total: int = 0


def phase_steps(project: Project, transitions: Iterable[PhaseTransition]) -> list[PhaseStep]:
    """The four phases with where the project stands; a phase it jumped over is "skipped"."""
    order = list(Phase)
    current = order.index(Phase(project.phase))
    visited = {Phase.NEED.value} | {move.from_phase for move in transitions}
    steps = []
    for index, phase in enumerate(order):
        if index == current:
            state = "current"
        elif index > current:
            state = "todo"
        else:
            state = "done" if phase in visited else "skipped"
        steps.append(PhaseStep(phase, state))
    return steps


def roadmap_progress(project: Project) -> list[PhaseStep]:
    """Ticked steps out of the checklist, per phase."""
    done = {key for key, ticked in project.steps.values_list("key", "done") if ticked}
    progress = []
    for phase in Phase:
        keys = [step.key for step in STEPS if step.phase == phase]
        state = "current" if phase == project.phase else ""
        progress.append(PhaseStep(phase, state, sum(k in done for k in keys), len(keys)))
    return progress


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = access.get_project_for_user(user, pk)
    internals = access.can_see_internals(user, project)
    transitions = list(project.transitions.select_related("by"))
    context = {
        "project": project,
        "phases": phase_steps(project, transitions),
        "cpv_codes": project.cpv_list(),
        "benefits": list(project.benefits.all()),
        "transitions": transitions,
        "cobuyers": list(
            project.invitations.filter(status=InvitationStatus.ACCEPTED).select_related(
                "organisation"
            )
        ),
        "internals": internals,
        "can_edit": access.can_edit(user, project),
        "can_invite": access.can_invite(user, project),
        "contracts": list(contract_access.contracts_visible_to(user).filter(project=project)),
        "can_register_contract": contract_access.can_register(user, project),
    }
    if internals:
        context["progress"] = roadmap_progress(project)
        context["documents"] = list(project.documents.select_related("uploaded_by"))
        context["events"] = list(project.events.select_related("actor")[:AUDIT_LIMIT])
    return render(request, "projects/project_detail.html", context)


@dataclass
class BuyerRow:
    name: str
    counts: dict[str, int] = field(default_factory=lambda: {p.value: 0 for p in Phase})
    total: int = 0
    value: Decimal = Decimal(0)

    @property
    def phase_counts(self) -> list[int]:
        return [self.counts[p.value] for p in Phase]


@dataclass
class PhaseGroup:
    phase: Phase
    projects: list[Project] = field(default_factory=list)


def summarise(projects: Iterable[Project]) -> tuple[list[PhaseGroup], list[BuyerRow]]:
    """Projects grouped by phase, and per buyer organisation: counts per phase and total value."""
    groups = {p.value: PhaseGroup(p) for p in Phase}
    buyers: dict[int, BuyerRow] = {}
    for project in projects:
        groups[project.phase].projects.append(project)
        row = buyers.setdefault(project.lead_buyer_id, BuyerRow(project.lead_buyer.name))
        row.counts[project.phase] += 1
        row.total += 1
        row.value += project.estimated_value or 0
    return list(groups.values()), sorted(buyers.values(), key=lambda r: r.name.casefold())


def portfolio(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_see_portfolio(request.user):
        raise Http404
    projects = list(
        access.projects_visible_to(request.user)
        .select_related("lead_buyer")
        .order_by("lead_buyer__name", "title", "id")
    )
    groups, buyers = summarise(projects)
    context = {
        "groups": groups,
        "buyers": buyers,
        "total": len(projects),
        "total_value": sum((row.value for row in buyers), Decimal(0)),
        "drafts": sum(not p.is_published for p in projects),
        "phases": list(Phase),
        "waiting_pilots": waiting_pilots(contract_access.contracts_visible_to(request.user)),
    }
    return render(request, "projects/portfolio.html", context)
