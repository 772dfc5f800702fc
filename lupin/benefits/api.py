"""The effect report in the JSON API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["effects"])
