"""The audit log in the Django admin: staff may read it; nobody adds, edits or deletes a row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lupin.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["seq", "at", "actor_username", "action", "subject_type", "subject_id"]
    list_filter = ["action"]
    search_fields = ["action", "actor_username", "subject_type", "subject_id"]
    date_hierarchy = "at"
    fields = readonly_fields = (
        "seq",
        "at",
        "actor",
        "actor_username",
        "action",
        "subject_type",
        "subject_id",
        "detail",
        "prev_hash",
        "hash",
    )
    # The bulk "delete selected" action would go around the model's refusal.
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
