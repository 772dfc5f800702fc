"""Who may see and change which API token. Views and commands fetch tokens only through these."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lupin.accounts.models import ApiToken


def tokens_of_user(user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, revoked ones included (they stay listed as history)."""
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk)


def get_token_for_user(user: Any, pk: int) -> ApiToken:
    """One of the user's own tokens, else 404 (another user's token is as good as missing)."""
    try:
        return tokens_of_user(user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
