"""The fields Lupin's lists show and filter on, read from an OCDS compiled release.

`notice_fields(compiled)` returns the values for an `ExternalNotice`: title, description, buyer,
CPV codes, NUTS region, value, procedure, status, deadline and a link to the original. Each reads
the OCDS 1.1 place first and falls back to where OCDS 1.0 or common publishers put it. Values are
cut to the model's lengths; money is `Decimal`, times are aware.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_CPV = re.compile(r"^\s*(\d{8})(?:-\d)?\s*$")
_NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,3}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# The largest amount the `value` field holds (20 digits, 2 after the point).
_MAX_VALUE = Decimal(10) ** 18
CENT = Decimal("0.01")
# The separator between a procurement method code and its details in `procedure`.
PROCEDURE_SEPARATOR = " – "


# The lengths of `ExternalNotice`'s text fields (a test checks them against the model: this
# module runs without Django in `lupin import-ocds`).
MAX_LENGTHS = {
    "title": 500,
    "buyer_name": 300,
    "buyer_identifier": 100,
    "main_cpv": 8,
    "nuts_region": 5,
    "currency": 3,
    "procedure": 100,
    "status": 50,
    "url": 1000,
    "publisher": 200,
}


def _limit(name: str) -> int:
    return MAX_LENGTHS[name]


def read_datetime(value: object) -> datetime | None:
    """An aware datetime from an OCDS date-time; one without a time zone is read as UTC."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _first(*values: object) -> str:
    for value in values:
        text = _text(value)
        if text:
            return text
    return ""


def _cut(text: str, name: str) -> str:
    limit = _limit(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _planning(compiled: dict[str, Any]) -> dict[str, Any]:
    # A planning kept as a list (several objects where OCDS has one): the first one.
    planning = compiled.get("planning")
    if isinstance(planning, list):
        planning = next((item for item in planning if isinstance(item, dict)), {})
    return _dict(planning)


def _buyer_party(compiled: dict[str, Any]) -> dict[str, Any]:
    parties = [party for party in _list(compiled.get("parties")) if isinstance(party, dict)]
    buyer_id = _dict(compiled.get("buyer")).get("id")
    if buyer_id is not None:
        for party in parties:
            if party.get("id") == buyer_id:
                return party
    for role in ("buyer", "procuringEntity"):
        for party in parties:
            if role in _list(party.get("roles")):
                return party
    return {}


def _identifier(organisation: dict[str, Any]) -> str:
    identifier = _dict(organisation.get("identifier"))
    number = identifier.get("id")
    if number is None or str(number).strip() == "":
        return ""
    scheme = _text(identifier.get("scheme"))
    number = str(number).strip()
    return f"{scheme}-{number}" if scheme and not number.startswith(scheme) else number


def _items(compiled: dict[str, Any]) -> Iterator[dict[str, Any]]:
    tender = _dict(compiled.get("tender"))
    yield from _list(tender.get("items"))
    yield from _list(_dict(_planning(compiled).get("tender")).get("items"))
    for section in ("awards", "contracts"):
        for entry in _list(compiled.get(section)):
            yield from _list(_dict(entry).get("items"))


def cpv_codes(compiled: dict[str, Any]) -> list[str]:
    """The CPV codes (eight digits) of the items, main classification first, in order."""
    codes: list[str] = []
    for item in _items(compiled):
        if not isinstance(item, dict):
            continue
        classifications = [
            item.get("classification"),
            *_list(item.get("additionalClassifications")),
        ]
        for classification in classifications:
            entry = _dict(classification)
            if _text(entry.get("scheme")).upper() != "CPV":
                continue
            match = _CPV.match(str(entry.get("id", "")))
            if match and match.group(1) not in codes:
                codes.append(match.group(1))
    return codes


def _nuts(compiled: dict[str, Any], buyer: dict[str, Any]) -> str:
    tender = _dict(compiled.get("tender"))
    places: list[Any] = [*_list(tender.get("deliveryAddresses")), tender.get("deliveryAddress")]
    for item in _list(tender.get("items")):
        item = _dict(item)
        places += [*_list(item.get("deliveryAddresses")), item.get("deliveryAddress")]
        places.append(_dict(item.get("deliveryLocation")).get("address"))
    places.append(buyer.get("address"))
    places.append(_dict(compiled.get("buyer")).get("address"))
    for place in places:
        region = _text(_dict(place).get("region")).upper()
        if _NUTS.match(region):
            return region
    return ""


def _money(value: object) -> tuple[Decimal | None, str]:
    entry = _dict(value)
    amount = entry.get("amount")
    currency = _text(entry.get("currency")).upper()
    currency = currency if _CURRENCY.match(currency) else ""
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        return None, currency
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        return None, currency
    if not number.is_finite() or abs(number) >= _MAX_VALUE:
        return None, currency
    return number.quantize(CENT), currency


def clean_url(value: object) -> str:
    """An http(s) address that fits the notice's link, or ""."""
    text = value.strip() if isinstance(value, str) else ""
    if text.startswith(("https://", "http://")) and len(text) <= _limit("url") and " " not in text:
        return text
    return ""


def _link(compiled: dict[str, Any]) -> str:
    tender = _dict(compiled.get("tender"))
    documents = [_dict(document) for document in _list(tender.get("documents"))]
    documents.sort(key=lambda document: document.get("documentType") != "tenderNotice")
    candidates: list[object] = [document.get("url") for document in documents]
    candidates.append(_dict(compiled.get("packageInfo")).get("uri"))
    for link in _list(compiled.get("links")):
        candidates.append(_dict(link).get("href"))
    for candidate in candidates:
        url = clean_url(candidate)
        if url:
            return url
    return ""


def notice_fields(compiled: dict[str, Any]) -> dict[str, Any]:
    """The list fields of an `ExternalNotice` from a compiled release (no `published_at` nor
    `publisher`: those come from the releases and their packages)."""
    tender = _dict(compiled.get("tender"))
    planning = _planning(compiled)
    budget = _dict(planning.get("budget"))
    party = _buyer_party(compiled)
    buyer = _dict(compiled.get("buyer"))
    awards = [_dict(award) for award in _list(compiled.get("awards"))]
    contracts = [_dict(contract) for contract in _list(compiled.get("contracts"))]
    title = _first(
        tender.get("title"),
        budget.get("project"),
        budget.get("description"),
        *(award.get("title") for award in awards),
        *(contract.get("title") for contract in contracts),
        compiled.get("ocid"),
    )
    description = _first(
        tender.get("description"), planning.get("rationale"), budget.get("description")
    )
    value, currency = _money(tender.get("value"))
    if value is None:
        value, currency = _money(budget.get("amount"))
    method = _text(tender.get("procurementMethod"))
    details = _text(tender.get("procurementMethodDetails"))
    procedure = PROCEDURE_SEPARATOR.join(part for part in (method, details) if part)
    codes = cpv_codes(compiled)
    return {
        "title": _cut(title, "title"),
        "description": description,
        "buyer_name": _cut(
            _first(
                buyer.get("name"),
                party.get("name"),
                _dict(tender.get("procuringEntity")).get("name"),
            ),
            "buyer_name",
        ),
        "buyer_identifier": _cut(
            _identifier(party) or _identifier(buyer) or _text(buyer.get("id")), "buyer_identifier"
        ),
        "cpv_codes": codes,
        "main_cpv": codes[0] if codes else "",
        "nuts_region": _nuts(compiled, party),
        "value": value,
        "currency": currency if value is not None else "",
        "procedure": _cut(procedure, "procedure"),
        "status": _cut(_text(tender.get("status")), "status"),
        "deadline": read_datetime(_dict(tender.get("tenderPeriod")).get("endDate")),
        "url": _link(compiled),
    }


def package_publisher(compiled: dict[str, Any]) -> str:
    """The publisher a loose release names in its (non-standard) `packageInfo`."""
    return _text(_dict(_dict(compiled.get("packageInfo")).get("publisher")).get("name"))
