"""`/dev/mail/` shows the outbox in development and does not exist in production."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from lupin.notifications.actions import notify
from lupin.notifications.models import Notification


@pytest.fixture
def development(settings) -> None:
    settings.DEBUG = True


@pytest.fixture
def mail(supplier) -> Notification:
    (row,) = notify(
        [supplier], topic="dialogue.answer", subject="Nytt svar", body="Spørsmål og svar her."
    )
    # 12:00 UTC on a winter day is 13:00 in Oslo (CET).
    Notification.objects.filter(pk=row.pk).update(created_at=datetime(2025, 1, 15, 12, tzinfo=UTC))
    return row


def test_dev_mail_lists_the_outbox_in_development(development, client, mail):
    html = client.get(reverse("notifications:dev_mail")).content.decode()
    assert "supplier@example.org" in html
    assert "Nytt svar" in html
    assert "Spørsmål og svar her." in html
    assert "<details" in html
    assert "Queued" in html
    assert "13:00:00 CET" in html
    assert reverse("notifications:dev_mail_detail", args=[mail.pk]) in html


def test_dev_mail_shows_one_mail_in_development(development, client, mail):
    Notification.objects.filter(pk=mail.pk).update(attempts=2, last_error="SMTP down")
    html = client.get(reverse("notifications:dev_mail_detail", args=[mail.pk])).content.decode()
    assert "Spørsmål og svar her." in html
    assert "dialogue.answer" in html
    assert "SMTP down" in html


def test_dev_mail_lists_at_most_the_latest_hundred(
    development, client, supplier, django_assert_max_num_queries
):
    Notification.objects.bulk_create(
        Notification(recipient="x@example.org", topic="t", subject=f"Emne {i}", body="")
        for i in range(105)
    )
    with django_assert_max_num_queries(5):
        response = client.get(reverse("notifications:dev_mail"))
    assert len(response.context["notifications"]) == 100


def test_dev_mail_does_not_exist_in_production(client, settings, mail):
    settings.DEBUG = False
    assert client.get(reverse("notifications:dev_mail")).status_code == 404
    assert client.get(reverse("notifications:dev_mail_detail", args=[mail.pk])).status_code == 404


def test_unknown_mail_is_not_found(development, client, db):
    assert client.get(reverse("notifications:dev_mail_detail", args=[999])).status_code == 404


def test_footer_links_to_dev_mail_only_in_development(client, settings, db):
    settings.DEBUG = True
    assert reverse("notifications:dev_mail") in client.get(reverse("home")).content.decode()
    settings.DEBUG = False
    assert reverse("notifications:dev_mail") not in client.get(reverse("home")).content.decode()
