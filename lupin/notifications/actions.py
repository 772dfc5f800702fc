"""Queue notifications. Callers pass already rendered text; delivery happens after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from lupin.accounts.models import User
from lupin.notifications.models import Notification
from lupin.notifications.tasks import deliver


def bilingual(template: str, context: dict[str, Any]) -> str:
    """Render a text template in bokmål, then English: we do not know each reader's language."""
    parts = []
    for language in ("nb", "en"):
        with translation.override(language):
            parts.append(render_to_string(template, context).strip())
    return "\n\n— — —\n\n".join(parts)


def bilingual_line(make: Callable[[], str]) -> str:
    parts = []
    for language in ("nb", "en"):
        with translation.override(language):
            parts.append(str(make()))
    return " / ".join(dict.fromkeys(parts))


def notify(users: Iterable[User], *, topic: str, subject: str, body: str) -> list[Notification]:
    """One outbox row per user with an e-mail address; each is sent by the worker after commit."""
    rows = [
        Notification(recipient=user.email, user=user, topic=topic, subject=subject, body=body)
        for user in users
        if user.email
    ]
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]

    def _enqueue() -> None:
        for pk in ids:
            deliver.enqueue(pk)

    transaction.on_commit(_enqueue)
    return created
