"""OCDS out, for people: the open-data page that explains what Lupin publishes, and the bulk
file of every release (public data, streamed from storage)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lupin.opendata import mapping, publish


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    releases = publish.public_releases()
    newest = releases.order_by("-created_at", "-pk").values_list("ocid", flat=True).first()
    example_ocid = newest or f"{settings.LUPIN_OCID_PREFIX}-1"
    context = {
        "prefix": settings.LUPIN_OCID_PREFIX,
        "example_ocid": example_ocid,
        "has_releases": newest is not None,
        "bulk": publish.current_bulk_file(),
        "releases_url": reverse("api:ocds_releases"),
        "record_url": reverse("api:ocds_record", kwargs={"ocid": example_ocid}),
        "licence_name": mapping.LICENCE_NAME,
        "licence_url": mapping.LICENCE_URL,
        "licence_url_en": mapping.LICENCE_URL_EN,
        "lots_extension": mapping.LOTS_EXTENSION,
        "pagination_extension": mapping.PAGINATION_EXTENSION,
        "tags": mapping.RELEASE_TAGS,
        "fields": mapping.FIELDS,
        "never": mapping.NEVER_PUBLISHED,
    }
    return render(request, "opendata/publication.html", context)


@require_safe
def bulk_file(request: HttpRequest) -> HttpResponseBase:
    """The newest bulk file, streamed from storage. A file replaced while it was being looked
    up is looked up once more."""
    for _attempt in range(2):
        bulk = publish.current_bulk_file()
        if bulk is None:
            break
        try:
            handle = default_storage.open(bulk.name, "rb")
        except FileNotFoundError:
            continue
        response = FileResponse(handle, content_type="application/json", filename="releases.json")
        response["Content-Length"] = str(bulk.size)
        response["Last-Modified"] = http_date(bulk.written_at.timestamp())
        patch_cache_control(response, public=True, max_age=300)
        return response
    message = _(
        "The bulk file has not been written yet: the worker writes it shortly after the first "
        "release is published. The releases are also in the API at %(url)s."
    ) % {"url": settings.SITE_URL + reverse("api:ocds_releases")}
    return JsonResponse({"error": {"code": "not_found", "message": message}}, status=404)
