"""Refuse a request body larger than any upload may be, before Django reads it.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, and a form's size check runs only
after the whole file has arrived; this stops an oversized body at the door with 413. A reverse
proxy in front should set the same limit (README, Production).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# Room for the form fields and multipart framing around the largest allowed file.
ENVELOPE_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(_("Bad Content-Length."), status=400, content_type="text/plain")
        largest = max(settings.LUPIN_UPLOAD_MAX_BYTES, settings.LUPIN_TENDER_MAX_BYTES)
        limit = largest + ENVELOPE_BYTES
        if length > limit:
            message = _("The request is too large: files may be at most %(mb)d MB.") % {
                "mb": largest // (1024 * 1024)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
