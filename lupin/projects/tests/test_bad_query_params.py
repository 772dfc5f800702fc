"""No page or endpoint of the projects app answers 500 to odd query parameters, for any role."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lupin.accounts.models import User
from lupin.projects import actions
from lupin.projects.models import Project

HUGE = "9" * 25
ODD: list[tuple[dict[str, str], dict[str, str]]] = [
    (
        {"page": "-1", "phase": "<script>alert(1)</script>", "buyer": "abc", "region": "ZZ"},
        {"HX-Request": "true"},
    ),
    ({"page": "99999", "q": "x" * 10_000, "buyer": HUGE, "division": "<b>"}, {}),
    ({"page": "1\x00", "q": "\x00", "limit": "100000", "next": "https://evil.example/"}, {}),
    ({"buyer": "-5", "cpv_division": "7", "phase[]": "need"}, {"HX-Request": "1"}),
    # Alone: valid for every other check, a number too large for the database.
    ({"offset": "9223372036854775808"}, {}),
    ({"buyer": HUGE}, {}),
]


def _urls(published: Project, draft: Project) -> list[str]:
    benefit = published.benefits.get()
    document = actions.add_document(
        published.created_by,  # type: ignore[arg-type]
        published,
        title="Referat",
        upload=SimpleUploadedFile("referat.txt", b"Referat fra dialogen"),
    )
    urls = [reverse("home"), reverse("projects:list"), reverse("projects:portfolio")]
    urls += [reverse("projects:create"), reverse("projects:cpv_search")]
    for project in (published, draft):
        for name in ("detail", "edit", "move_phase", "benefit_add", "roadmap", "cobuyers"):
            urls.append(reverse(f"projects:{name}", args=[project.pk]))
    urls += [
        reverse("projects:benefit_edit", args=[published.pk, benefit.pk]),
        reverse("projects:benefit_delete", args=[published.pk, benefit.pk]),
        reverse("projects:document_download", args=[published.pk, document.pk]),
        reverse("projects:document_add", args=[published.pk]),
        f"/projects/{HUGE}/",
        f"/projects/{HUGE}/roadmap/",
        "/api/v1/projects",
        f"/api/v1/projects/{published.pk}",
        f"/api/v1/projects/{HUGE}",
    ]
    return urls


@pytest.mark.parametrize("who", [None, "buyer", "evaluator", "cobuyer", "rival", "advisor"])
def test_odd_query_parameters_never_answer_500(
    request: pytest.FixtureRequest,
    who: str | None,
    published_project: Project,
    draft_project: Project,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client(raise_request_exception=False)
    if who is not None:
        user: User = request.getfixturevalue(who)
        client.force_login(user)
    failures = []
    for url in _urls(published_project, draft_project):
        for params, headers in ODD:
            response = client.get(url, params, headers=headers)
            if response.status_code >= 500:
                failures.append((url, sorted(params), response.status_code))
    assert failures == []
