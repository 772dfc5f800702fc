"""Staff read the audit log in the admin; nobody adds, edits or deletes an entry there."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from lupin.accounts.models import User
from lupin.audit import log

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_entries_read_only(
    admin_user: User, login: Callable[[User | None], Client]
) -> None:
    entry = log.append(admin_user, "tender.opened", ("competitions.tender", 1))
    client = login(admin_user)

    listing = client.get("/admin/audit/auditentry/")
    assert listing.status_code == 200
    assert b"tender.opened" in listing.content
    assert b"action-select" not in listing.content  # no bulk actions, so no "delete selected"

    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert entry.hash.encode() in page.content
    assert b'name="_save"' not in page.content

    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {}).status_code == 403
