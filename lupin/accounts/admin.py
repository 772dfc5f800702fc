"""Django admin for staff: organisations, users with their organisation and role, API tokens."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lupin.accounts import actions
from lupin.accounts.models import ApiToken, Organisation, User
from lupin.lib import orgnr


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "identifier", "country", "email", "created_at"]
    list_filter = ["kind", "central_government"]
    search_fields = ["name", "org_number", "foreign_id"]
    ordering = ["name"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Organisation], search_term: str
    ) -> tuple[QuerySet[Organisation], bool]:
        # People type numbers the way Brønnøysund shows them ("974 760 673").
        number = orgnr.normalise(search_term)
        if number.isdigit() and number != search_term:
            search_term = number
        return super().get_search_results(request, queryset, search_term)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "organisation", "role"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Organisation and role"), {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        (_("Organisation and role"), {"fields": ("email", "organisation", "role")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are made on the user's page or with `lupin token create`; the raw token is never
    stored, so the admin can only show the hint and the hash, and revoke."""

    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "hint", "user__username"]
    fields = readonly_fields = (
        "user",
        "name",
        "hint",
        "token_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = cast(User, request.user)  # the admin site only lets staff users in
        tokens = list(queryset.filter(revoked_at=None))
        if not actor.is_superuser and any(token.user_id != actor.pk for token in tokens):
            self.message_user(
                request, _("Only a superuser may revoke another user's token."), messages.ERROR
            )
            return
        for token in tokens:
            actions.revoke_api_token(actor, token)
        self.message_user(
            request,
            ngettext("%d token revoked.", "%d tokens revoked.", len(tokens)) % len(tokens),
            messages.SUCCESS,
        )
