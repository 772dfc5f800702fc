"""Template filters for project pages: money, CPV and NUTS labels, phases, people, audit rows."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy

from lupin.lib import cpv, money, nuts
from lupin.projects.lifecycle import Phase

register = template.Library()

# Designsystemet colours per phase. The tag always carries the phase's name, so colour is never
# the only sign.
PHASE_COLORS: dict[str, str] = {
    Phase.NEED: "info",
    Phase.DIALOGUE: "brand1",
    Phase.COMPETITION: "warning",
    Phase.CONTRACT: "success",
}

EVENT_LABELS = {
    "project.created": gettext_lazy("Project created"),
    "project.updated": gettext_lazy("Project updated"),
    "project.published": gettext_lazy("Project published"),
    "project.unpublished": gettext_lazy("Project unpublished"),
    "project.phase_moved": gettext_lazy("Phase changed"),
    "benefit.added": gettext_lazy("Expected benefit added"),
    "benefit.updated": gettext_lazy("Expected benefit updated"),
    "benefit.removed": gettext_lazy("Expected benefit removed"),
    "step.updated": gettext_lazy("Roadmap step updated"),
    "document.added": gettext_lazy("Document added"),
    "document.removed": gettext_lazy("Document removed"),
    "cobuyer.invited": gettext_lazy("Co-buyer invited"),
    "cobuyer.accepted": gettext_lazy("Co-buyer invitation accepted"),
    "cobuyer.declined": gettext_lazy("Co-buyer invitation declined"),
    "contract.created": gettext_lazy("Contract created"),
    "contract.updated": gettext_lazy("Contract updated"),
    "contract.status": gettext_lazy("Contract status changed"),
    "contract.option_added": gettext_lazy("Contract option added"),
    "contract.option_exercised": gettext_lazy("Contract option exercised"),
    "contract.purchase": gettext_lazy("Purchase option exercised"),
    "contract.pilot_ended": gettext_lazy("Pilot ended"),
    "contract.scaled": gettext_lazy("Bought at scale"),
    "phase.added": gettext_lazy("Development phase added"),
    "phase.started": gettext_lazy("Development phase started"),
    "phase.cost": gettext_lazy("Phase cost recorded"),
    "phase.gate": gettext_lazy("Go/no-go decided"),
    "milestone.added": gettext_lazy("Milestone added"),
    "milestone.reached": gettext_lazy("Milestone reached"),
    "performance.added": gettext_lazy("Performance level added"),
    "performance.measured": gettext_lazy("Performance measured"),
    "kpi.added": gettext_lazy("KPI added"),
    "kpi.updated": gettext_lazy("KPI updated"),
    "measurement.added": gettext_lazy("Measurement added"),
}


@register.filter
def nok(value: Any) -> str:
    """An amount in NOK as people read it: '2 500 000 kr'; '–' when there is none."""
    if value is None or value == "":
        return money.format_nok(None)
    try:
        return money.format_nok(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def cpv_label(value: cpv.CpvCode | str) -> str:
    """The label of a CPV code (a `CpvCode` or its eight digits) in the active language."""
    code = value if isinstance(value, cpv.CpvCode) else cpv.all_codes().get(str(value))
    if code is None:
        return str(value)
    return code.label(get_language() or "nb")


@register.filter
def nuts_name(code: str) -> str:
    if not code:
        return ""
    return nuts.regions().get(code, code)


@register.filter
def phase_color(phase: str) -> str:
    return PHASE_COLORS.get(phase, "neutral")


@register.filter
def phase_label(phase: str) -> str:
    try:
        return str(Phase(phase).label)
    except ValueError:
        return phase


@register.filter
def person(user: Any) -> str:
    """How a person is named on a page: full name, else username."""
    if user is None:
        return str(pgettext_lazy("person", "Unknown"))
    return user.get_full_name() or user.get_username()


@register.filter
def event_label(verb: str) -> str:
    return str(EVENT_LABELS.get(verb, verb))


@register.simple_tag
def result_count(count: int) -> str:
    return ngettext("%(count)s project found", "%(count)s projects found", count) % {"count": count}
