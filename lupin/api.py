"""The JSON API under /api/v1/: one NinjaAPI, one error format, routers from the apps.

Every failure answers `{"error": {"code": "...", "message": "...", "fields": {...}}}`.
Authentication is optional: anonymous callers see what the public sees; a bearer token
(`Authorization: Bearer lupin_…`) or a browser session acts as that user. A wrong token is a
401, never a silent fall-back to anonymous.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.utils import check_csrf

from lupin.accounts.actions import user_for_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class OptionalBearer:
    """Bearer token if sent; else the session user (with CSRF on writes); else anonymous."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                raise AuthenticationError(message="Use 'Authorization: Bearer <token>'.")
            user = user_for_token(raw.strip())
            if user is None:
                raise AuthenticationError(message="The token is unknown or revoked.")
            request.user = user
            return user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in SAFE_METHODS and check_csrf(request) is not None:
                raise HttpError(403, "CSRF check failed for a session-authenticated write.")
            return user
        return AnonymousUser()


api = NinjaAPI(
    title="Lupin API",
    version="1",
    description=(
        "Open data and integrations for Lupin, the platform for innovative public procurement. "
        "Send `Authorization: Bearer <token>` (create a token on your user page) to act as "
        "yourself; without it you see what the public sees."
    ),
    urls_namespace="api",
    auth=OptionalBearer(),
)


def error(
    request: HttpRequest, status: int, code: str, message: str, /, **fields: Any
) -> HttpResponse:
    # Positional-only, so that a field named "status", "code" or "message" is a field.
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for item in exc.errors:
        # Ninja prefixes where the value came from (body, query, path); callers want the name.
        skip = ("body", "payload", "query", "path", "form", "header", "cookie")
        location = [str(part) for part in item.get("loc", ()) if part not in skip]
        fields[".".join(location) or "body"] = str(item.get("msg", "invalid"))
    return error(request, 422, "invalid", "The request is not valid.", **fields)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", str(exc.message))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, f"http_{exc.status_code}", str(exc.message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", "You may not do that.")


api.add_router("/", "lupin.projects.api.router")
api.add_router("/", "lupin.dialogue.api.router")
api.add_router("/", "lupin.competitions.api.router")
api.add_router("/", "lupin.contracts.api.router")
api.add_router("/", "lupin.benefits.api.router")
api.add_router("/", "lupin.opendata.api.router")


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /api/v1/ address that no endpoint serves: a 404 in the common format."""
    return error(request, 404, "not_found", "No such API endpoint.")


class ApiErrorFormatMiddleware:
    """Ninja answers a wrong method with a plain-text 405; give it the common error format."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/"):
            allowed = response.get("Allow", "")
            replacement = error(request, 405, "method_not_allowed", "Method not allowed.")
            replacement["Allow"] = allowed
            return replacement
        return response
