from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lupin.accounts import actions
from lupin.accounts.models import ApiToken, User


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_a_token_that_authenticates(supplier: User) -> None:
    out, err = run("create", "supplier", "--name", "ERP")

    raw = out.strip()
    assert actions.user_for_token(raw) == supplier
    token = ApiToken.objects.get(user=supplier)
    assert token.name == "ERP"
    assert raw not in err
    assert "shown once" in err


def test_create_for_unknown_user_is_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match="No user with the username “ghost”"):
        run("create", "ghost")
    assert not ApiToken.objects.exists()


def test_list_shows_tokens_but_never_the_token(supplier: User) -> None:
    token, raw = actions.create_api_token(supplier, supplier, "ERP")

    out, _ = run("list", "supplier")

    assert "ERP" in out
    assert token.hint in out
    assert raw not in out


def test_list_for_unknown_user_is_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match="ghost"):
        run("list", "ghost")


def test_revoke_stops_the_token(supplier: User) -> None:
    token, raw = actions.create_api_token(supplier, supplier, "ERP")

    out, _ = run("revoke", str(token.pk))

    assert "Revoked" in out
    assert actions.user_for_token(raw) is None


def test_revoke_unknown_token_is_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match="No API token with the id 999"):
        run("revoke", "999")
