from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lupin.projects.models import (
    CoBuyerInvitation,
    ExpectedBenefit,
    PhaseTransition,
    Project,
    ProjectCpvCode,
    ProjectDocument,
    ProjectEvent,
    ProjectStep,
)


class CpvInline(admin.TabularInline):
    model = ProjectCpvCode
    extra = 0


class BenefitInline(admin.StackedInline):
    model = ExpectedBenefit
    extra = 0


class InvitationInline(admin.TabularInline):
    """Co-buyers see the case and may sit on its evaluation team: they change only through the
    invite-and-accept actions, never here."""

    model = CoBuyerInvitation
    extra = 0
    fk_name = "project"
    fields = ["organisation", "status", "invited_by", "invited_at", "answered_by"]
    readonly_fields = ["organisation", "status", "invited_by", "invited_at", "answered_by"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    """The timeline is history: staff may read it, never rewrite it."""

    model = PhaseTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_phase", "to_phase", "by", "at", "reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "lead_buyer", "phase", "visibility", "updated_at"]
    list_filter = ["phase", "visibility", "planned_procedure"]
    search_fields = ["title", "need_statement", "lead_buyer__name"]
    raw_id_fields = ["lead_buyer", "created_by"]
    # Phase changes go through actions.move_phase so the timeline stays true; the lead buyer
    # decides who may act on the case, so it does not change here either.
    readonly_fields = ["lead_buyer", "phase", "created_at", "updated_at", "published_at"]
    inlines = [CpvInline, BenefitInline, InvitationInline, TransitionInline]


@admin.register(ProjectStep)
class ProjectStepAdmin(admin.ModelAdmin):
    list_display = ["project", "key", "done", "done_at"]
    list_filter = ["done", "key"]
    raw_id_fields = ["project", "done_by"]


@admin.register(ProjectDocument)
class ProjectDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["project", "step", "uploaded_by"]


@admin.register(ProjectEvent)
class ProjectEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only, in the admin as everywhere."""

    list_display = ["at", "project", "actor", "verb"]
    list_filter = ["verb"]
    readonly_fields = ["project", "actor", "verb", "detail", "at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
