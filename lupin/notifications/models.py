"""The outbox: every e-mail Lupin sends is a row first, then delivered by the worker with
retries. The rows are also what /dev/mail/ shows in development."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")


MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes between tries."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


class Notification(models.Model):
    recipient = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    topic = models.CharField(max_length=64, help_text=_("What caused it, e.g. dialogue.answer."))
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
