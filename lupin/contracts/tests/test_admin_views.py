"""Contracts in the Django admin: staff may look, but every change goes through the actions."""

from __future__ import annotations

from django.urls import reverse


def test_staff_read_a_contract_with_its_parties_in_the_admin(login, admin_user, pcp_contract):
    client = login(admin_user)
    assert client.get(reverse("admin:contracts_contract_changelist")).status_code == 200
    page = client.get(reverse("admin:contracts_contract_change", args=[pcp_contract.pk]))
    assert page.status_code == 200
    assert "Tredje Vei AS" in page.content.decode()


def test_the_admin_cannot_add_change_or_delete_a_contract(login, admin_user, contract):
    client = login(admin_user)
    assert client.get(reverse("admin:contracts_contract_add")).status_code == 403
    change = reverse("admin:contracts_contract_change", args=[contract.pk])
    assert client.post(change, {"title": "Endret"}).status_code == 403
    delete = reverse("admin:contracts_contract_delete", args=[contract.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    contract.refresh_from_db()
    assert contract.title == "Nattilsyn med sensorer"
