"""Delivery of queued notifications, run by the worker."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from lupin.notifications.models import MAX_ATTEMPTS, Notification, NotificationStatus, backoff

logger = logging.getLogger(__name__)


@task()
def deliver(notification_id: int) -> str:
    """Send one notification. A failure is recorded and retried later by `requeue_due()`."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.QUEUED:
            return "skipped"
        notification.attempts += 1
        try:
            send_mail(
                notification.subject,
                notification.body,
                None,
                [notification.recipient],
                fail_silently=False,
            )
        except Exception as error:  # noqa: BLE001 (any transport error: record and retry)
            notification.last_error = f"{type(error).__name__}: {error}"[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
                logger.error("Giving up on notification %s: %s", notification.pk, error)
            else:
                notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return "failed"
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"


def requeue_due() -> int:
    """Enqueue every queued notification whose next try is due (the scheduler calls this)."""
    due = Notification.objects.filter(
        status=NotificationStatus.QUEUED, attempts__gt=0, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:500]
    count = 0
    for pk in due:
        deliver.enqueue(pk)
        count += 1
    return count
