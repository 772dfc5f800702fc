"""Who may see which external notice. Views fetch notices only through these.

External notices (imported OCDS releases and eForms notices) are public data: everyone sees all
of them, signed in or not.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lupin.opendata.models import ExternalNotice


def notices_visible_to(user: Any) -> QuerySet[ExternalNotice]:
    return ExternalNotice.objects.all()


def get_notice_for_user(user: Any, pk: int) -> ExternalNotice:
    try:
        return notices_visible_to(user).get(pk=pk)
    except ExternalNotice.DoesNotExist:
        raise Http404 from None
