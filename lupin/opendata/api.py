"""The open-data endpoints of the JSON API: OCDS releases and records."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["open data"])
