"""Benefits and programme costs in the Django admin: read-only.

Every figure here feeds the effect report, which promises that each number can be traced to the
measurement or cost entry behind it, entered by a named person through an action that checks its
rules and writes the history. So staff may look, not touch. Evidence files are not linked: they
are for the contract's insiders and are served only by the KPI page's download.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lupin.admin_site import ReadOnlyAdmin
from lupin.benefits.models import Kpi, Measurement, ProgrammeBudget, SupportEntry

MEASUREMENT_COLUMNS = (
    "measured_on",
    "value",
    "source",
    "confidence",
    "entered_by",
    "evidence_size",
)


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = MEASUREMENT_COLUMNS
    readonly_fields = MEASUREMENT_COLUMNS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Kpi)
class KpiAdmin(ReadOnlyAdmin):
    list_display = ["description", "contract", "category", "unit", "baseline", "target"]
    list_filter = ["category", "confidence"]
    search_fields = ["description", "contract__title", "owner"]
    list_select_related = ["contract"]
    inlines = [MeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ["kpi", "measured_on", "value", "source", "confidence", "entered_by"]
    list_filter = ["confidence"]
    search_fields = ["kpi__description", "source"]
    list_select_related = ["kpi", "entered_by"]
    exclude = ["evidence"]


@admin.register(SupportEntry)
class SupportEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "given_on",
        "organisation",
        "project",
        "advisor",
        "hours",
        "hourly_rate",
        "other_cost",
    ]
    list_filter = ["organisation"]
    search_fields = ["description", "organisation__name", "project__title"]
    list_select_related = ["organisation", "project", "advisor"]
    date_hierarchy = "given_on"


@admin.register(ProgrammeBudget)
class ProgrammeBudgetAdmin(ReadOnlyAdmin):
    list_display = ["year", "amount", "note", "entered_by"]
    list_select_related = ["entered_by"]
