from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks.signals import task_enqueued

from lupin.accounts import tasks
from lupin.accounts.models import User


def test_password_reset_mail_is_sent_through_the_worker(client: Client, buyer: User) -> None:
    enqueued: list[Any] = []

    def remember(sender: Any, task_result: Any, **kwargs: Any) -> None:
        enqueued.append(task_result.task)

    task_enqueued.connect(remember)
    try:
        response = client.post(reverse("accounts:password_reset"), {"email": buyer.email})
    finally:
        task_enqueued.disconnect(remember)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert [task.func for task in enqueued] == [tasks.send_email.func]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [buyer.email]
    assert message.subject == "Set a new password for Lupin"
    assert "“buyer”" in message.body


def test_reset_link_sets_a_new_password(client: Client, buyer: User) -> None:
    client.post(reverse("accounts:password_reset"), {"email": buyer.email})
    link = re.search(r"https?://testserver(/\S+)", str(mail.outbox[0].body))
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    new_password = "Ny-Fjellbekk-Nordlys-2025"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    buyer.refresh_from_db()
    assert buyer.check_password(new_password)


@pytest.mark.django_db
def test_unknown_address_sends_nothing_and_reveals_nothing(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_used_reset_link_says_it_does_not_work(client: Client, buyer: User) -> None:
    response = client.get(
        reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]), follow=True
    )

    assert response.context["validlink"] is False
    assert "This link does not work" in response.content.decode()


@pytest.mark.django_db
def test_malformed_address_is_refused_next_to_the_field_and_focused(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email-error"' in html
    assert 'value="not an address"' in html
    assert "<title>Error: Reset your password" in html
    assert 'getElementById("error-summary")' in html
