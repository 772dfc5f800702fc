"""Django's admin, with every change made in it written to Lupin's audit chain.

`LupinAdminConfig` replaces `django.contrib.admin` in INSTALLED_APPS and makes `LupinAdminSite`
the default site, so `admin.site.register` and `@admin.register` everywhere (Lupin's apps and
third-party ones: auth groups, axes, django-tasks) register through it. Each ModelAdmin is given
the `AuditedAdmin` mixin: an object added, changed or deleted in the admin gets an `admin.added`,
`admin.changed` or `admin.deleted` entry in the hash-chained audit log (`lupin.audit`), beside
Django's own LogEntry, in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import models
from django.http import HttpRequest


def _audit(request: HttpRequest, action: str, obj: models.Model, message: Any) -> None:
    # Imported here: this module is loaded with INSTALLED_APPS, before any model.
    from lupin.audit import log

    log.append(request.user, action, obj, **_describe(obj, message))


def _describe(obj: models.Model, message: Any) -> dict[str, str]:
    detail = {"object": str(obj)[:200]}
    if message:
        # Django's change message: JSON naming the fields changed ("[{"changed": …}]").
        detail["change"] = message if isinstance(message, str) else str(message)
    return detail


class AuditedAdmin:
    """Writes the audit entries; mixed into every ModelAdmin of `LupinAdminSite`."""

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        _audit(request, "admin.added", obj, entry.change_message)
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        _audit(request, "admin.changed", obj, entry.change_message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Iterable[models.Model]) -> Any:
        # Called before the objects are deleted, while they can still be described.
        for obj in queryset:
            _audit(request, "admin.deleted", obj, "")
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class ReadOnlyMixin:
    """Staff may look, not touch: for models that change only through Lupin's actions (which
    check the rules and write the history)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


def audited(admin_class: type[admin.ModelAdmin[Any]]) -> type[admin.ModelAdmin[Any]]:
    """`admin_class` with `AuditedAdmin` mixed in (the same class if it has it already)."""
    if issubclass(admin_class, AuditedAdmin):
        return admin_class
    return type(
        admin_class.__name__,
        (AuditedAdmin, admin_class),
        {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
    )


class LupinAdminSite(admin.AdminSite):
    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)


class LupinAdminConfig(AdminConfig):
    default_site = "lupin.admin_site.LupinAdminSite"
