"""Every change made in Django's admin reaches the audit chain (lupin/admin_site.py)."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from lupin.accounts.models import Organisation, User
from lupin.admin_site import AuditedAdmin
from lupin.audit import log
from lupin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_every_model_admin_is_audited_lupins_and_third_parties() -> None:
    registered = admin.site._registry
    assert Organisation in registered and Group in registered  # Lupin's and Django's own
    not_audited = [
        model
        for model, model_admin in registered.items()
        if not isinstance(model_admin, AuditedAdmin)
    ]
    assert not_audited == []


def test_adding_changing_and_deleting_in_the_admin_is_audited(login, admin_user: User) -> None:
    client = login(admin_user)

    client.post("/admin/auth/group/add/", {"name": "Revisorer", "permissions": []})
    group = Group.objects.get(name="Revisorer")
    client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Internrevisjon"})
    client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})

    entries = list(AuditEntry.objects.filter(action__startswith="admin.").order_by("seq"))
    assert [entry.action for entry in entries] == ["admin.added", "admin.changed", "admin.deleted"]
    assert {(entry.subject_type, entry.subject_id) for entry in entries} == {
        ("auth.group", str(group.pk))
    }
    assert all(entry.actor == admin_user for entry in entries)
    assert entries[1].detail["object"] == "Internrevisjon"
    assert json.loads(entries[1].detail["change"]) == [{"changed": {"fields": ["Name"]}}]
    assert entries[2].detail == {"object": "Internrevisjon"}
    assert not Group.objects.exists()
    assert log.verify().ok


def test_a_refused_change_in_the_admin_writes_no_entry(login, admin_user: User) -> None:
    client = login(admin_user)

    response = client.post("/admin/auth/group/add/", {"name": ""})  # the name is required

    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()
