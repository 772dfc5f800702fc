"""The Atom feed of announced competitions, for suppliers' feed readers and tools."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupin.competitions import access
from lupin.competitions.models import Competition

FEED_SIZE = 50
OSLO = ZoneInfo("Europe/Oslo")


class CompetitionFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Competitions in Lupin")
    subtitle = gettext_lazy(
        "New competitions from public buyers: read the tender documents and submit a tender."
    )

    def link(self) -> str:
        return reverse("competitions:list")

    def feed_url(self) -> str:
        return reverse("competitions:feed")

    def items(self) -> QuerySet[Competition]:
        # The feed is public and cached by readers: what anonymous visitors see, whoever asks.
        return (
            access.competitions_visible_to(None)
            .filter(announced_at__isnull=False)
            .select_related("project__lead_buyer")
            .order_by("-announced_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item: Competition) -> str:
        return item.title

    def item_description(self, item: Competition) -> str:
        deadline = formats.date_format(item.tender_deadline.astimezone(OSLO), "j. F Y H:i T")
        return f"{item.description}\n\n" + _("Tender deadline: %(when)s") % {"when": deadline}

    def item_link(self, item: Competition) -> str:
        return reverse("competitions:detail", args=[item.pk])

    def item_pubdate(self, item: Competition) -> datetime | None:
        return item.announced_at

    def item_updateddate(self, item: Competition) -> datetime | None:
        # Atom requires <updated> on every entry; a notice counts from its announcement.
        return item.announced_at

    def item_author_name(self, item: Competition) -> str:
        return item.project.lead_buyer.name
