"""Norway's NUTS-3 regions (eForms SDK codelist, see NOTICE)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "nuts_norway_lvl3.csv"


@cache
def regions() -> dict[str, str]:
    """Code → name, in the order of the codelist."""
    with _DATA.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def choices() -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, name in regions().items()]
