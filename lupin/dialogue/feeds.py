"""The Atom feed of published dialogue notices, for suppliers' feed readers and tools."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from lupin.dialogue import access
from lupin.dialogue.models import Dialogue

FEED_SIZE = 50


class DialogueFeed(Feed):
    feed_type = Atom1Feed
    title = _("Market dialogues in Lupin")
    subtitle = _("New dialogue notices from public buyers: register, meet the buyer, ask.")

    def link(self) -> str:
        return reverse("dialogue:list")

    def feed_url(self) -> str:
        return reverse("dialogue:feed")

    def items(self) -> QuerySet[Dialogue]:
        # The feed is public and cached by readers: what anonymous visitors see, whoever asks.
        return (
            access.dialogues_visible_to(None)
            .filter(published_at__isnull=False)
            .select_related("project__lead_buyer")
            .order_by("-published_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item: Dialogue) -> str:
        return item.title

    def item_description(self, item: Dialogue) -> str:
        return item.need_summary

    def item_link(self, item: Dialogue) -> str:
        return reverse("dialogue:detail", args=[item.pk])

    def item_pubdate(self, item: Dialogue) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Dialogue) -> datetime | None:
        # Atom requires <updated> on every entry; a notice counts from its publication.
        return item.published_at

    def item_author_name(self, item: Dialogue) -> str:
        return item.project.lead_buyer.name
