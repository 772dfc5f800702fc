"""The filter form of the notice list: the project list's filters, and the source.

The list shows Lupin's own published projects and the external notices together. Each filter
applies to external notices where it means something: the region (NUTS code), the CPV division
(any of the notice's codes), the buyer (a notice whose buyer identifier ends with the
organisation's number) and the free text (title, description, buyer, ocid). A phase is something
only Lupin's projects have, so filtering by phase leaves the external notices out.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation
from lupin.opendata.models import ExternalNotice
from lupin.projects.filters import ProjectFilterForm

LUPIN = "lupin"
EXTERNAL = "external"
SOURCE_CHOICES = [("", _("All")), (LUPIN, _("Lupin")), (EXTERNAL, _("External"))]


class NoticeFilterForm(ProjectFilterForm):
    source = forms.ChoiceField(label=_("Source"), required=False, choices=SOURCE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Title, description, buyer or need.")

    def wants(self, kind: str) -> bool:
        """Whether the list should show this kind (LUPIN or EXTERNAL) at all."""
        values = self.cleaned_values()
        source = values.get("source") or ""
        if source and source != kind:
            return False
        return not (kind == EXTERNAL and values.get("phase"))

    def apply_notices(self, notices: QuerySet[ExternalNotice]) -> QuerySet[ExternalNotice]:
        values = self.cleaned_values()
        return filter_notices(
            notices,
            region=values.get("region"),
            division=values.get("division"),
            buyer=values.get("buyer"),
            q=values.get("q"),
        )


def filter_notices(
    notices: QuerySet[ExternalNotice],
    *,
    region: str | None = None,
    division: str | None = None,
    buyer: int | None = None,
    q: str | None = None,
) -> QuerySet[ExternalNotice]:
    """The notice filters (values already valid)."""
    if region:
        notices = notices.filter(nuts_region=region)
    if division:
        # Any of the codes: the JSON list as text holds "72… for a code in division 72.
        notices = notices.annotate(cpv_text=Cast("cpv_codes", TextField())).filter(
            cpv_text__contains=f'"{division}'
        )
    if buyer is not None:
        number = Organisation.objects.filter(pk=buyer).values_list("org_number", flat=True).first()
        if number:
            notices = notices.filter(buyer_identifier__regex=rf"(^|[^0-9]){number}$")
        else:
            notices = notices.none()
    text = (q or "").strip()
    if text:
        notices = notices.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(buyer_name__icontains=text)
            | Q(ocid__icontains=text)
        )
    return notices
