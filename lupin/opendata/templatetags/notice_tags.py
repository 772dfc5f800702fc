"""Template filters for external notices: money in any currency, OCDS codes as words."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from lupin.lib import money
from lupin.opendata.notice_fields import PROCEDURE_SEPARATOR

register = template.Library()

# OCDS's closed codelists (method, tenderStatus): the code as a person reads it.
METHODS = {
    "open": _("Open procedure"),
    "selective": _("Selective procedure"),
    "limited": _("Limited procedure"),
    "direct": _("Direct award"),
}
STATUSES = {
    "planning": _("Planning"),
    "planned": _("Planned"),
    "active": _("Active"),
    "cancelled": _("Cancelled"),
    "unsuccessful": _("Unsuccessful"),
    "complete": _("Complete"),
    "withdrawn": _("Withdrawn"),
}


@register.simple_tag
def amount(value: Decimal | None, currency: str) -> str:
    """'1 250 000 kr' for NOK, '600 000 000 PYG' for other currencies; '–' when unknown."""
    if value is None:
        return money.format_nok(None)
    if currency in ("", "NOK"):
        return money.format_nok(value)
    whole = value.quantize(money.ORE, rounding=ROUND_HALF_UP)
    digits = f"{whole:,.2f}".replace(",", "\u202f").replace(".", ",").removesuffix(",00")
    return f"{digits}\u00a0{currency}"


@register.filter
def procedure_label(procedure: str) -> str:
    """The stored "method – details" with the OCDS method in words."""
    method, _separator, details = procedure.partition(PROCEDURE_SEPARATOR)
    label = str(METHODS.get(method, method))
    return f"{label}{PROCEDURE_SEPARATOR}{details}" if details else label


@register.filter
def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


@register.filter
def tag_list(tags: Any) -> str:
    """A release's tags ("tender, award"), whatever shape the publisher gave them."""
    if isinstance(tags, list):
        return ", ".join(str(tag) for tag in tags)
    return str(tags) if tags else ""
