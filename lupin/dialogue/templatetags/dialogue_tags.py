"""Template pieces other pages borrow from the dialogue app (the home page's open dialogues).

A tag rather than a view import keeps the layering one-way: projects never import dialogue.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q
from django.utils import timezone

from lupin.dialogue import access
from lupin.dialogue.models import DialogueStatus

register = template.Library()


@register.inclusion_tag("dialogue/_open_dialogues.html", takes_context=True)
def open_dialogues(context: dict[str, Any], limit: int = 3) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    dialogues = (
        access.dialogues_visible_to(user)
        .filter(Q(status=DialogueStatus.PUBLISHED, registration_deadline__gt=timezone.now()))
        .select_related("project__lead_buyer")
        .order_by("registration_deadline", "id")[:limit]
    )
    return {"dialogues": list(dialogues)}
