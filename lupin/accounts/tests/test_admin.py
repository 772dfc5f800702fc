from __future__ import annotations

from typing import Any

from django.urls import reverse

from lupin.accounts import actions
from lupin.accounts.models import Organisation, User


def test_admin_finds_organisation_by_spaced_org_number(
    login: Any, admin_user: User, buyer_org: Organisation, supplier_org: Organisation
) -> None:
    response = login(admin_user).get(
        reverse("admin:accounts_organisation_changelist"), {"q": "100 000 113"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [buyer_org]


def test_admin_user_page_has_organisation_and_role(
    login: Any, admin_user: User, buyer: User
) -> None:
    response = login(admin_user).get(reverse("admin:accounts_user_change", args=[buyer.pk]))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "organisation" in form.fields
    assert "role" in form.fields


def test_admin_token_page_shows_hint_never_raw_token(
    login: Any, admin_user: User, buyer: User
) -> None:
    token, raw = actions.create_api_token(buyer, buyer, "ERP")
    client = login(admin_user)

    response = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))

    html = response.content.decode()
    assert token.hint in html
    assert raw not in html
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_admin_revoke_action_revokes(login: Any, admin_user: User, buyer: User) -> None:
    token, raw = actions.create_api_token(buyer, buyer, "ERP")

    login(admin_user).post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert actions.user_for_token(raw) is None
