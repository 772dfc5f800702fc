from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def english(settings: Settings) -> None:
    """Pages fall back to LANGUAGE_CODE (bokmål); these tests read the English source strings,
    so they keep passing once the bokmål translations exist."""
    settings.LANGUAGE_CODE = "en"
