from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from lupin.accounts import actions
from lupin.accounts.models import ApiToken, User, hash_token

CREATE = reverse("accounts:token_create")


def raw_token_in(html: str) -> str:
    match = re.search(r'id="new-token"[^>]*value="(lupin_[^"]+)"', html)
    assert match is not None, "the new token is not shown"
    return match.group(1)


def test_created_token_is_shown_once_and_only_its_hash_stored(login: Any, buyer: User) -> None:
    client = login(buyer)

    response = client.post(CREATE, {"name": "Sak/arkiv"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = raw_token_in(response.content.decode())
    token = ApiToken.objects.get(user=buyer)
    assert token.name == "Sak/arkiv"
    assert token.token_hash == hash_token(raw)
    assert raw not in {token.token_hash, token.hint, token.name}
    assert raw.startswith(token.hint)
    assert actions.user_for_token(raw) == buyer

    later = client.get(reverse("accounts:home")).content.decode()
    assert raw not in later
    assert token.hint in later


def test_token_without_name_is_refused_with_message(login: Any, buyer: User) -> None:
    response = login(buyer).post(CREATE, {"name": "  "})

    assert response.context["token_form"].errors["name"]
    assert 'id="new-token"' not in response.content.decode()
    assert not ApiToken.objects.exists()
    html = response.content.decode()
    assert "<title>Error: My page" in html
    assert 'getElementById("error-summary")' in html


def test_token_create_needs_post_and_login(login: Any, buyer: User) -> None:
    assert login(buyer).get(CREATE).status_code == 405
    response = login(None).post(CREATE, {"name": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ApiToken.objects.exists()


def test_revoked_token_no_longer_authenticates(login: Any, buyer: User) -> None:
    token, raw = actions.create_api_token(buyer, buyer, "Integrasjon")
    assert actions.user_for_token(raw) == buyer

    response = login(buyer).post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:home"))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert actions.user_for_token(raw) is None
    assert "Revoked" in response.content.decode()


def test_user_cannot_revoke_another_users_token(login: Any, buyer: User, rival: User) -> None:
    token, raw = actions.create_api_token(buyer, buyer, "Integrasjon")

    response = login(rival).post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert actions.user_for_token(raw) == buyer


def test_colleague_cannot_revoke_or_see_a_token(
    login: Any, buyer: User, buyer_colleague: User
) -> None:
    token, _ = actions.create_api_token(buyer, buyer, "Kun min")
    client = login(buyer_colleague)

    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert "Kun min" not in client.get(reverse("accounts:home")).content.decode()


def test_my_page_lists_own_tokens_with_status(login: Any, supplier: User) -> None:
    active, _ = actions.create_api_token(supplier, supplier, "Aktiv nøkkel")
    revoked, _ = actions.create_api_token(supplier, supplier, "Gammel nøkkel")
    actions.revoke_api_token(supplier, revoked)

    html = login(supplier).get(reverse("accounts:home")).content.decode()

    assert "Aktiv nøkkel" in html
    assert "Gammel nøkkel" in html
    assert reverse("accounts:token_revoke", args=[active.pk]) in html
    assert reverse("accounts:token_revoke", args=[revoked.pk]) not in html
    assert "Never" in html
    assert "Revoked " in html
