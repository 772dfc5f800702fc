"""The open-data endpoints of the JSON API: OCDS releases and records.

The OCDS 1.1 schema is the contract of these endpoints: a 200 answer is always a release package
or a record package that validates against it. The typed shapes below describe only the
package around the releases, for the OpenAPI document; the body is sent as `publish` built it.
Everything here is public: only releases of projects published now are served.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from lupin.opendata import publish
from lupin.projects.schemas import ErrorOut

router = Router(tags=["open data"])

PAGE_SIZE = 100
MAX_PAGE = 1_000_000
SCHEMA_DOCS = "https://standard.open-contracting.org/1.1/en/schema/"
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ReleaseQuery(Schema):
    since: date | None = Field(
        None,
        description=(
            "Only releases Lupin published on or after this day (from 00:00 UTC), YYYY-MM-DD. "
            "A release keeps the date of its event, which can be earlier: a project's history "
            "is published when the project is."
        ),
        examples=["2026-01-31"],
    )
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"Page number; {PAGE_SIZE} per page.")


class RecordQuery(Schema):
    versioned: bool = Field(
        False, description="Add the versioned release: every field's history, release by release."
    )


class PublisherOut(Schema):
    name: str
    uri: str | None = None


class PackageOut(Schema):
    uri: str
    version: str = Field(examples=["1.1"])
    extensions: list[str] | None = Field(
        None, description="URLs of the OCDS extensions the package uses (only when it uses any)."
    )
    publishedDate: str = Field(description="When the newest release in it was published, UTC.")
    publisher: PublisherOut
    license: str = Field(description="NLOD 2.0 (Norsk lisens for offentlige data).")
    publicationPolicy: str


class ReleasePackageOut(PackageOut):
    """An OCDS 1.1 release package."""

    links: dict[str, str] | None = Field(
        None, description="`next` and `prev` pages (pagination extension), when there are any."
    )
    releases: list[dict[str, Any]] = Field(description=f"OCDS releases: see {SCHEMA_DOCS}")


class RecordPackageOut(PackageOut):
    """An OCDS 1.1 record package with one record."""

    records: list[dict[str, Any]] = Field(
        description="The record: its releases, the compiled release and (on request) the "
        f"versioned release; see {SCHEMA_DOCS}"
    )


def _json(body: dict[str, Any]) -> HttpResponse:
    # The body goes out exactly as built: OCDS, not a model of ours, is what it must match.
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    # Imported here: lupin.api imports this module while it is itself being loaded.
    from lupin.api import error

    return error(request, 404, "not_found", message)


def _page_url(query: ReleaseQuery, page: int) -> str:
    params: dict[str, str] = {}
    if query.since is not None:
        params["since"] = query.since.isoformat()
    params["page"] = str(page)
    return settings.SITE_URL + reverse("api:ocds_releases") + "?" + urlencode(params)


@router.get(
    "/ocds/releases",
    response={200: ReleasePackageOut, **ERRORS},
    url_name="ocds_releases",
    summary="OCDS releases (a release package)",
)
def ocds_releases(request: HttpRequest, query: Query[ReleaseQuery]) -> HttpResponse:
    """Every release of every published project, in the order Lupin published them (oldest
    first), as an OCDS 1.1 release package: 100 per page, `links.next` while there are more.
    A release is produced when its event happens and never changes afterwards, so a harvester
    asks for `?since=` the day of its last visit. No release to show answers 404 (an OCDS
    package cannot be empty)."""
    releases = publish.public_releases().order_by("created_at", "pk")
    if query.since is not None:
        since = datetime.combine(query.since, time.min, tzinfo=UTC)
        releases = releases.filter(created_at__gte=since)
    start = (query.page - 1) * PAGE_SIZE
    rows = list(releases.values_list("data", "created_at")[start : start + PAGE_SIZE + 1])
    if not rows:
        return _not_found(request, "No releases on this page.")
    links = {}
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        links["next"] = _page_url(query, query.page + 1)
    if query.page > 1:
        links["prev"] = _page_url(query, query.page - 1)
    package = publish.release_package(
        [data for data, _created in rows],
        uri=settings.SITE_URL + request.get_full_path(),
        published=max(created for _data, created in rows),
        links=links,
    )
    return _json(package)


@router.get(
    "/ocds/records/{ocid}",
    response={200: RecordPackageOut, **ERRORS},
    url_name="ocds_record",
    summary="One OCDS record (a record package)",
)
def ocds_record(request: HttpRequest, ocid: str, query: Query[RecordQuery]) -> HttpResponse:
    """The record of one contracting process: all its releases, the compiled release (the
    current state, merged by the OCDS rules) and, with `?versioned=true`, the versioned
    release. An ocid that no published project has answers 404."""
    compiled = publish.compile_record(ocid, versioned=query.versioned)
    if compiled is None:
        return _not_found(request, "No published contracting process has this ocid.")
    record, published = compiled
    package = publish.record_package(
        [record], uri=settings.SITE_URL + request.get_full_path(), published=published
    )
    return _json(package)
