"""The outbox in the Django admin: staff read it and may retry; nobody edits or deletes a row,
because the outbox is also the record of what Lupin told whom, and when."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lupin.notifications.models import Notification, NotificationStatus
from lupin.notifications.tasks import deliver


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["created_at", "recipient", "subject", "topic", "status", "attempts", "sent_at"]
    list_filter = ["status", "topic"]
    search_fields = ["recipient", "subject", "user__username"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "recipient",
        "user",
        "topic",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        """Queue the selected unsent e-mails for delivery now. One that had failed for good gets
        one more attempt; a sent one is never sent again."""
        with transaction.atomic():
            retry = queryset.exclude(status=NotificationStatus.SENT)
            ids = list(retry.values_list("pk", flat=True))
            Notification.objects.filter(pk__in=ids).update(
                status=NotificationStatus.QUEUED, next_attempt_at=timezone.now()
            )

            def _enqueue() -> None:
                for pk in ids:
                    deliver.enqueue(pk)

            transaction.on_commit(_enqueue)
        self.message_user(
            request,
            ngettext("%d e-mail queued for delivery.", "%d e-mails queued for delivery.", len(ids))
            % len(ids),
            messages.SUCCESS,
        )
