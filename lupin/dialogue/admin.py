"""Market dialogues in the Django admin, for staff helping buyers and suppliers.

Equal treatment rests on the record of who got what and when, so the admin never rewrites it:
statuses change only through the actions (which notify suppliers and write the audit row),
nothing here adds or deletes registrations, bookings, questions or answers, and deliveries and
lottery draws are read-only. The lottery seed is not shown at all: before the draw only its hash
is public, and that holds for staff too. Minutes and written input are the suppliers' and the
buyer's business, so they are not in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lupin.admin_site import ReadOnlyMixin
from lupin.dialogue.models import (
    Answer,
    Booking,
    Conference,
    Delivery,
    Dialogue,
    DialogueTransition,
    LotteryDraw,
    Question,
    Registration,
    Slot,
)


class ConferenceInline(admin.StackedInline[Conference, Dialogue]):
    """Wording and place may be corrected; the time and the seats are what suppliers planned
    around, so those change on the buyer's pages, which tell every registered supplier."""

    model = Conference
    extra = 0
    can_delete = False
    fields = [
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "video_link",
        "seats_per_organisation",
        "capacity",
    ]
    readonly_fields = ["starts_at", "ends_at", "seats_per_organisation", "capacity"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SlotInline(admin.TabularInline[Slot, Dialogue]):
    """Every slot of a dialogue has the same length; add and remove them on the buyer's pages."""

    model = Slot
    extra = 0
    can_delete = False
    fields = ["starts_at", "ends_at", "place", "booked_by"]
    readonly_fields = ["starts_at", "ends_at", "booked_by"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Slot]:
        return super().get_queryset(request).select_related("booking__organisation")

    @admin.display(description=_("booked by"))
    def booked_by(self, slot: Slot) -> str:
        booking = getattr(slot, "booking", None)
        return str(booking.organisation) if booking else "—"


class TransitionInline(ReadOnlyMixin, admin.TabularInline[DialogueTransition, Dialogue]):
    model = DialogueTransition
    extra = 0
    fields = readonly_fields = ("from_status", "to_status", "by", "at", "reason")


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin[Dialogue]):
    list_display = ["title", "project", "status", "meeting_mode", "registration_deadline"]
    list_filter = ["status", "meeting_mode", "language"]
    search_fields = ["title", "project__title", "project__lead_buyer__name"]
    raw_id_fields = ["project"]
    exclude = ["lottery_seed"]
    readonly_fields = ["status", "created_at", "published_at"]
    inlines = [ConferenceInline, SlotInline, TransitionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A dialogue starts on the project's pages: create_dialogue checks the project's phase.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Dialogue | None = None) -> list[str]:
        fields = [*super().get_readonly_fields(request, obj), "project"]
        if obj is not None and obj.slots.exists():
            # Fixed once slots exist, as actions.update_dialogue says: every supplier gets the same.
            fields += ["meeting_mode", "meeting_minutes", "break_minutes"]
        return fields


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyMixin, admin.ModelAdmin[Registration]):
    list_display = ["organisation", "dialogue", "registered_at", "registered_by"]
    list_select_related = ["organisation", "dialogue", "registered_by"]
    search_fields = ["organisation__name", "dialogue__title"]
    date_hierarchy = "registered_at"


@admin.register(Question)
class QuestionAdmin(ReadOnlyMixin, admin.ModelAdmin[Question]):
    list_display = ["__str__", "dialogue", "organisation", "status", "asked_at"]
    list_filter = ["status"]
    list_select_related = ["dialogue", "organisation"]
    search_fields = ["text", "dialogue__title", "organisation__name"]
    date_hierarchy = "asked_at"


@admin.register(Answer)
class AnswerAdmin(ReadOnlyMixin, admin.ModelAdmin[Answer]):
    list_display = ["__str__", "dialogue", "published_at", "published_by"]
    list_select_related = ["dialogue", "published_by"]
    search_fields = ["question_text", "answer_text", "dialogue__title"]
    date_hierarchy = "published_at"


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin[Booking]):
    """Only the names of the people who come may be corrected (a supplier asks support)."""

    list_display = ["slot", "dialogue", "organisation", "via_lottery", "booked_at"]
    list_filter = ["via_lottery"]
    list_select_related = ["slot", "dialogue", "organisation"]
    search_fields = ["organisation__name", "dialogue__title"]
    fields = [
        "dialogue",
        "slot",
        "organisation",
        "booked_by",
        "booked_at",
        "via_lottery",
        "attendees",
    ]
    readonly_fields = ["dialogue", "slot", "organisation", "booked_by", "booked_at", "via_lottery"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin[Delivery]):
    list_display = ["delivered_at", "dialogue", "organisation", "kind", "object_id"]
    list_filter = ["kind"]
    list_select_related = ["dialogue", "organisation"]
    search_fields = ["dialogue__title", "organisation__name"]


@admin.register(LotteryDraw)
class LotteryDrawAdmin(ReadOnlyMixin, admin.ModelAdmin[LotteryDraw]):
    list_display = ["dialogue", "algorithm", "drawn_at"]
    list_select_related = ["dialogue"]
