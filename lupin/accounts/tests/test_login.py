from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lupin.accounts.models import User

LOGIN = reverse("accounts:login")
PASSWORD = "correct horse battery staple"  # the cast's password (conftest)


def test_login_with_right_password_goes_to_my_page(client: Client, buyer: User) -> None:
    response = client.post(LOGIN, {"username": "buyer", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).context["user"] == buyer


def test_login_with_wrong_password_is_refused_with_message(client: Client, buyer: User) -> None:
    response = client.post(LOGIN, {"username": "buyer", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="buyer"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_refused_login_names_the_error_in_the_title_and_focuses_the_summary(
    client: Client, buyer: User
) -> None:
    html = client.post(LOGIN, {"username": "buyer", "password": "wrong"}).content.decode()

    assert "<title>Error: Log in" in html
    assert 'id="error-summary"' in html
    assert 'getElementById("error-summary")' in html
    assert ".focus()" in html


@pytest.mark.django_db
def test_login_page_has_labels_and_autocomplete(client: Client) -> None:
    html = client.get(LOGIN).content.decode()

    assert html.count("<h1") == 1
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert reverse("accounts:password_reset") in html
    assert reverse("accounts:register") in html


def test_five_failed_logins_lock_out_even_the_right_password(client: Client, buyer: User) -> None:
    for _ in range(4):
        response = client.post(LOGIN, {"username": "buyer", "password": "wrong"})
        assert response.status_code == 200

    locked = client.post(LOGIN, {"username": "buyer", "password": "wrong"})
    assert locked.status_code == 429

    response = client.post(LOGIN, {"username": "buyer", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    assert "Wait 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user(client: Client, buyer: User, supplier: User) -> None:
    for _ in range(5):
        client.post(LOGIN, {"username": "buyer", "password": "wrong"})

    response = client.post(LOGIN, {"username": "supplier", "password": PASSWORD})

    assert response.status_code == 302


def test_logout_needs_post(login: Any, buyer: User) -> None:
    client = login(buyer)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session
