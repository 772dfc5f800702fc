from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from lupin.notifications import tasks
from lupin.notifications.actions import notify
from lupin.notifications.models import MAX_ATTEMPTS, Notification, NotificationStatus


@pytest.fixture
def broken_mail(monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(tasks, "send_mail", fail)


def test_notify_sends_one_mail_per_user_after_commit(
    supplier, rival, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify([supplier, rival], topic="t", subject="Emne", body="Tekst")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([supplier.email, rival.email])
    assert {r.status for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {
        NotificationStatus.SENT
    }


def test_failed_delivery_is_kept_and_retried_later(supplier, broken_mail, monkeypatch):
    (row,) = notify([supplier], topic="t", subject="Emne", body="Tekst")
    assert tasks.deliver.call(row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == NotificationStatus.QUEUED
    assert row.attempts == 1
    assert "SMTP server down" in row.last_error
    assert tasks.requeue_due() == 0  # not yet due
    monkeypatch.undo()
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert tasks.requeue_due() == 1  # the immediate backend delivers it at once
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 2


def test_delivery_gives_up_after_the_last_attempt(supplier, broken_mail):
    (row,) = notify([supplier], topic="t", subject="Emne", body="Tekst")
    for _ in range(MAX_ATTEMPTS):
        tasks.deliver.call(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, MAX_ATTEMPTS)


def test_a_sent_notification_is_never_sent_twice(supplier):
    (row,) = notify([supplier], topic="t", subject="Emne", body="Tekst")
    assert tasks.deliver.call(row.pk) == "sent"
    assert tasks.deliver.call(row.pk) == "skipped"
    assert len(mail.outbox) == 1
