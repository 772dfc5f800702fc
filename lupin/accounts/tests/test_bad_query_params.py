"""No accounts page answers 500 to odd query parameters, logged in or not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lupin.accounts.models import User

HUGE = "9" * 25
ODD = [
    {"next": "https://evil.example/", "page": "-1"},
    {"next": "//evil.example/\x00", "q": "x" * 10_000},
    {"next": "javascript:alert(1)", "username": "<script>"},
]
URLS = [
    reverse("accounts:home"),
    reverse("accounts:login"),
    reverse("accounts:register"),
    reverse("accounts:password_reset"),
    reverse("accounts:password_reset_done"),
    reverse("accounts:password_reset_complete"),
    reverse("accounts:password_reset_confirm", args=["MQ", "set-password"]),
    reverse("accounts:password_reset_confirm", args=["\u00e6\u00f8\u00e5", "x" * 300]),
    f"/accounts/tokens/{HUGE}/revoke/",
]


@pytest.mark.parametrize("who", [None, "buyer", "supplier"])
def test_odd_query_parameters_never_answer_500(
    request: pytest.FixtureRequest, db: None, who: str | None
) -> None:
    client = Client(raise_request_exception=False)
    if who is not None:
        user: User = request.getfixturevalue(who)
        client.force_login(user)
    failures = []
    for url in URLS:
        for params in ODD:
            for method in ("get", "post"):
                response = getattr(client, method)(url, params)
                if response.status_code >= 500:
                    failures.append((method, url, sorted(params), response.status_code))
                location = response.get("Location", "/")
                # A path on this site: never a scheme, a host, or "//host".
                assert location.startswith("/"), location
                assert not location.startswith(("//", "/\\")), location
    assert failures == []
