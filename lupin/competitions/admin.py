"""Competitions in the Django admin: read-mostly. Sealed content stays sealed here too: the
admin shows ciphertext sizes and hashes, never decrypts, and nothing can rewrite a tender."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lupin.admin_site import ReadOnlyAdmin
from lupin.competitions.models import Competition, Criterion, Tender, TenderFile


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["name", "kind", "weight", "parent"]
    readonly_fields = ["name", "kind", "weight", "parent"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Competition)
class CompetitionAdmin(ReadOnlyAdmin):
    """Read-only: every change to a competition (criteria, price model, deadlines, status) is an
    audited action with its rules; the admin must not be a way around them."""

    list_display = ["title", "project", "procedure", "status", "tender_deadline"]
    list_filter = ["status", "procedure"]
    search_fields = ["title", "reference"]
    inlines = [CriterionInline]


class TenderFileInline(admin.TabularInline):
    model = TenderFile
    extra = 0
    fields = ["size", "sha256"]
    readonly_fields = ["size", "sha256"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ["pk", "competition", "organisation", "version", "status", "received_at"]
    list_filter = ["status"]
    fields = ["competition", "organisation", "version", "status", "received_at", "receipt_hash"]
    inlines = [TenderFileInline]
