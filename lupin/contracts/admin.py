"""Contracts in the Django admin: read-only, for staff helping buyers.

Every change to a contract (a gate decision, an exercised option, the end of a pilot) is an
action that checks its rule and writes the case's history; the admin must not be a way around
them, so staff may look here but change nothing.
"""

from __future__ import annotations

from django.contrib import admin

from lupin.admin_site import ReadOnlyMixin
from lupin.contracts.models import (
    Contract,
    ContractOption,
    ContractParty,
    DevelopmentPhase,
    GateDecision,
    PerformanceLevel,
    ScaleUp,
)


class PartyInline(ReadOnlyMixin, admin.TabularInline[ContractParty, Contract]):
    model = ContractParty
    extra = 0
    fields = ["organisation", "role", "left_on", "left_reason"]


class OptionInline(ReadOnlyMixin, admin.TabularInline[ContractOption, Contract]):
    model = ContractOption
    extra = 0
    fields = ["kind", "description", "value", "extends_to", "exercised_on"]


class PhaseInline(ReadOnlyMixin, admin.TabularInline[DevelopmentPhase, Contract]):
    model = DevelopmentPhase
    extra = 0
    fields = ["number", "kind", "name", "starts_on", "ends_on", "max_cost", "actual_cost", "status"]


class LevelInline(ReadOnlyMixin, admin.TabularInline[PerformanceLevel, Contract]):
    model = PerformanceLevel
    extra = 0
    fields = ["name", "direction", "required", "unit", "achieved", "achieved_on"]


class ScaleUpInline(ReadOnlyMixin, admin.TabularInline[ScaleUp, Contract]):
    model = ScaleUp
    extra = 0
    fields = ["organisation", "decided_on", "value", "scope", "is_transfer"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyMixin, admin.ModelAdmin[Contract]):
    list_display = ["title", "project", "kind", "status", "signed_on", "ends_on", "is_pilot"]
    list_filter = ["kind", "status", "source", "is_pilot"]
    list_select_related = ["project"]
    search_fields = ["title", "reference", "project__title"]
    date_hierarchy = "signed_on"
    inlines = [PartyInline, OptionInline, PhaseInline, LevelInline, ScaleUpInline]


@admin.register(GateDecision)
class GateDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin[GateDecision]):
    list_display = ["phase", "supplier", "outcome", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["phase", "supplier__organisation"]
