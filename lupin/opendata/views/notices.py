"""The notice list: Lupin's own published projects and the notices imported from elsewhere
(OCDS, eForms), in one list with one filter form, newest first; and an external notice's page.

The two kinds are paged together: one UNION query orders (kind, id, date) rows and cuts the
page, then one query per kind fetches the page's rows. The number of queries does not grow with
the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import CharField, DateTimeField, QuerySet, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from lupin.opendata import access as notice_access
from lupin.opendata.models import ExternalNotice
from lupin.opendata.notice_filters import EXTERNAL, LUPIN, NoticeFilterForm
from lupin.projects import access as project_access
from lupin.projects.models import Project, Visibility

PAGE_SIZE = 20


@dataclass(frozen=True)
class Row:
    """One entry of the list: a Lupin project or an external notice."""

    kind: str  # LUPIN or EXTERNAL
    item: Project | ExternalNotice

    @property
    def external(self) -> bool:
        return self.kind == EXTERNAL


def _keys(queryset: QuerySet[Any], kind: str, *dates: str) -> QuerySet[Any]:
    return queryset.annotate(
        kind=Value(kind, output_field=CharField()),
        when=Coalesce(*dates, output_field=DateTimeField()),
    ).values_list("pk", "kind", "when")


def notice_list(request: HttpRequest) -> HttpResponse:
    published = project_access.projects_visible_to(request.user).filter(
        visibility=Visibility.PUBLISHED
    )
    form = NoticeFilterForm(request.GET, projects=published)
    parts = []
    if form.wants(LUPIN):
        parts.append(_keys(form.apply(published).order_by(), LUPIN, "published_at", "created_at"))
    if form.wants(EXTERNAL):
        notices = form.apply_notices(notice_access.notices_visible_to(request.user))
        parts.append(_keys(notices.order_by(), EXTERNAL, "published_at", "imported_at"))
    if not parts:
        parts.append(_keys(published.none(), LUPIN, "published_at"))
    keys = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    page = Paginator(keys.order_by("-when", "kind", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "rows": _rows(list(page.object_list)),
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx and not htmx.history_restore_request)
    template = "opendata/notices_results.html" if partial else "opendata/notices.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _rows(keys: list[tuple[int, str, Any]]) -> list[Row]:
    """The page's projects and notices, in the page's order: one query per kind."""
    wanted = {LUPIN: [pk for pk, kind, _ in keys if kind == LUPIN]}
    wanted[EXTERNAL] = [pk for pk, kind, _ in keys if kind == EXTERNAL]
    found: dict[tuple[str, int], Project | ExternalNotice] = {}
    if wanted[LUPIN]:
        projects = (
            Project.objects.filter(pk__in=wanted[LUPIN])
            .select_related("lead_buyer")
            .prefetch_related("cpv_codes")
        )
        found.update(((LUPIN, project.pk), project) for project in projects)
    if wanted[EXTERNAL]:
        notices = ExternalNotice.objects.filter(pk__in=wanted[EXTERNAL])
        found.update(((EXTERNAL, notice.pk), notice) for notice in notices)
    return [Row(kind, found[kind, pk]) for pk, kind, _ in keys if (kind, pk) in found]


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_access.get_notice_for_user(request.user, pk)
    releases = list(
        notice.releases.order_by("-date", "-id")
        # The tags are read in the database: the releases' JSON is not loaded.
        .annotate(tags=KeyTransform("tag", "data"))
        .values("release_id", "date", "source_file", "imported_at", "tags")
    )
    return render(request, "opendata/notices_detail.html", {"notice": notice, "releases": releases})


def notice_compiled(request: HttpRequest, pk: int) -> JsonResponse:
    """The notice's compiled OCDS release, merged from its stored releases on request."""
    notice = notice_access.get_notice_for_user(request.user, pk)
    response = JsonResponse(
        notice.compiled_release(), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'inline; filename="{notice.pk}-compiled.json"'
    return response
