"""Checks and safe repairs of one OCDS release, guided by the release schema Lupin ships.

Real publishers mix OCDS 1.0 and 1.1 and bend the schema: `planning` as a list, an object
where an array belongs, empty strings for amounts, statuses outside the closed codelists,
dates without a time zone. `check_release()` walks only the fields the schema knows
(extensions are left alone), repairs what can be repaired without guessing and reports every
deviation with its JSON path. It never raises on bad data and never drops a release.

Repairs (each one is reported):
- an object given as a list with one object: that object ("planning": [{…}] → {…});
- an array given as a single object: a list of it (1.0 "suppliers": {…} → [{…}]);
- an array of codes given as one code: a list of it ("tag": "tender" → ["tender"]);
- a number given as a string: the number ("1 250,5" → 1250.5); an empty or non-numeric
  string, or a boolean, where a number belongs: left out, so an earlier release's value stands;
- a closed-codelist code in the wrong case: the code ("Active" → "active").
Reported and kept as they are: other codes outside a closed codelist, dates that are not
RFC 3339 date-times with a time zone, a list of several objects where one object belongs,
objects sharing an `id` in one array (merging would fold them together).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from lupin.opendata.i18n import gettext as _

RELEASE_SCHEMA = (
    Path(__file__).resolve().parent / "data" / "ocds-schema-1.1.5" / "release-schema.json"
)

# Report(where, kind, message)
Report = Callable[[str, str, str], None]

OBJECT, OBJECTS, CODES, NUMBER, DATE, CODE, OTHER = range(7)


@dataclass(slots=True, eq=False)
class Field:
    """What the schema expects at one place: a kind from the constants above, the fields of an
    object (or of each object in an array), and the codes of a closed codelist."""

    kind: int
    fields: dict[str, Field] = field(default_factory=dict)
    codes: frozenset[str] = frozenset()
    codelist: str = ""
    # Whether anything below needs a look (a number, date, code, object or array): an object
    # of plain strings (an address, an identifier) is not walked into.
    deep: bool = True


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _closed(node: dict[str, Any], enum: object = None) -> tuple[frozenset[str], str]:
    """The codes of a closed codelist (an array of codes keeps its `enum` on `items`)."""
    enum = node.get("enum") if enum is None else enum
    if node.get("openCodelist") is False and isinstance(enum, list):
        codes = frozenset(code for code in enum if isinstance(code, str))
        return codes, str(node.get("codelist", "")).removesuffix(".csv")
    return frozenset(), ""


@cache
def release_fields() -> dict[str, Field]:
    """The release schema as a tree of `Field`s (read once)."""
    schema = json.loads(RELEASE_SCHEMA.read_text(encoding="utf-8"))
    definitions: dict[str, Any] = schema.get("definitions", {})
    # One `fields` dict per definition, shared by every place that refers to it (and safe if a
    # definition ever refers to itself).
    built: dict[str, dict[str, Field]] = {}

    def resolve(node: dict[str, Any]) -> tuple[dict[str, Any], str]:
        ref = node.get("$ref", "")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            name = ref.removeprefix("#/definitions/")
            return {**definitions[name], **{k: v for k, v in node.items() if k != "$ref"}}, name
        return node, ""

    def object_fields(node: dict[str, Any], name: str) -> dict[str, Field]:
        if name and name in built:
            return built[name]
        fields: dict[str, Field] = {}
        if name:
            built[name] = fields
        for key, child in node.get("properties", {}).items():
            fields[key] = make(child)
        return fields

    def make(raw: dict[str, Any]) -> Field:
        node, name = resolve(raw)
        types = _types(node)
        if "object" in types or ("properties" in node and not types):
            return Field(OBJECT, object_fields(node, name))
        if "array" in types:
            items, item_name = resolve(node.get("items", {}))
            if "object" in _types(items) or "properties" in items:
                return Field(OBJECTS, object_fields(items, item_name))
            codes, codelist = _closed(node, items.get("enum"))
            return Field(CODES, codes=codes, codelist=codelist)
        if types & {"number", "integer"} and "string" not in types:
            return Field(NUMBER)
        if node.get("format") == "date-time":
            return Field(DATE)
        codes, codelist = _closed(node)
        if codes:
            return Field(CODE, codes=codes, codelist=codelist)
        return Field(OTHER)

    fields = object_fields(schema, "")
    _mark_deep(fields, set())
    return fields


def _mark_deep(fields: dict[str, Field], seen: set[int]) -> bool:
    """Set `deep` on every object field; True when `fields` hold anything to check."""
    if id(fields) in seen:
        return True
    seen.add(id(fields))
    anything = False
    for spec in fields.values():
        if spec.kind in (OBJECT, OBJECTS):
            spec.deep = _mark_deep(spec.fields, seen)
            # The container's own type is checked even when its fields are not.
            anything = True
        elif spec.kind != OTHER and (spec.kind != CODES or spec.codes):
            anything = True
    return anything


def parse_datetime(value: object) -> datetime | None:
    """An aware datetime from an OCDS date-time, or None when it is not one."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_number(text: str) -> int | float | None:
    """A number written as text ("1 250 000", "1250000,50", "12.5"), or None."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral_value() and "." not in cleaned and "e" not in cleaned.lower():
        return int(number)
    return float(number)


def check_release(release: dict[str, Any], where: str, report: Report) -> None:
    """Check and repair `release` in place; `where` is its JSON path in the file."""
    _check_object(release, release_fields(), where, report)


def _check_object(
    obj: dict[str, Any], fields: dict[str, Field], where: str, report: Report
) -> None:
    for key, value in list(obj.items()):
        spec = fields.get(key)
        if spec is None or value is None:
            continue
        kind = spec.kind
        if kind == OBJECT:
            if type(value) is dict:
                if spec.deep:
                    _check_object(value, spec.fields, f"{where}.{key}", report)
            elif type(value) is list:
                path = f"{where}.{key}"
                if len(value) == 1 and type(value[0]) is dict:
                    report(
                        path,
                        "wrong-type",
                        _("“%(key)s” should be an object, not a list; its only item is used.")
                        % {"key": key},
                    )
                    obj[key] = value[0]
                    _check_object(value[0], spec.fields, path, report)
                else:
                    report(
                        path,
                        "wrong-type",
                        _("“%(key)s” should be an object, not a list of %(count)s; kept as is.")
                        % {"key": key, "count": len(value)},
                    )
            else:
                report(
                    f"{where}.{key}",
                    "wrong-type",
                    _("“%(key)s” should be an object; kept as is.") % {"key": key},
                )
        elif kind == OBJECTS:
            if type(value) is list:
                _check_objects(value, spec, f"{where}.{key}", report)
            elif type(value) is dict:
                path = f"{where}.{key}"
                report(
                    path,
                    "wrong-type",
                    _("“%(key)s” should be an array; the single object is put in one.")
                    % {"key": key},
                )
                obj[key] = [value]
                _check_objects(obj[key], spec, path, report)
            else:
                report(
                    f"{where}.{key}",
                    "wrong-type",
                    _("“%(key)s” should be an array of objects; kept as is.") % {"key": key},
                )
        elif kind == NUMBER:
            if type(value) is int or type(value) is float:
                continue
            obj_value = _number(value, f"{where}.{key}", report)
            if obj_value is None:
                del obj[key]
            else:
                obj[key] = obj_value
        elif kind == DATE:
            if parse_datetime(value) is None:
                _bad_date(value, f"{where}.{key}", report)
        elif kind == CODE:
            if type(value) is not str or value not in spec.codes:
                fixed = _code(value, spec, f"{where}.{key}", report)
                if fixed is not None:
                    obj[key] = fixed
        elif kind == CODES and spec.codes:
            if type(value) is str:
                report(
                    f"{where}.{key}",
                    "wrong-type",
                    _("“%(key)s” should be an array of codes; the single code is put in one.")
                    % {"key": key},
                )
                value = obj[key] = [value]
            if type(value) is list:
                for index, code in enumerate(value):
                    if type(code) is not str or code not in spec.codes:
                        fixed = _code(code, spec, f"{where}.{key}[{index}]", report)
                        if fixed is not None:
                            value[index] = fixed


def _check_objects(items: list[Any], spec: Field, where: str, report: Report) -> None:
    seen: set[object] = set()
    for index, item in enumerate(items):
        if type(item) is dict:
            if spec.deep:
                _check_object(item, spec.fields, f"{where}[{index}]", report)
            identifier = item.get("id")
            if identifier is None or type(identifier) is dict or type(identifier) is list:
                continue
            if identifier in seen:
                report(
                    f"{where}[{index}].id",
                    "duplicate-id",
                    _("Another object in this array has the id “%(id)s”; merging folds them.")
                    % {"id": identifier},
                )
            seen.add(identifier)
        elif item is not None:
            report(
                f"{where}[{index}]",
                "wrong-type",
                _("An array item should be an object; kept as is."),
            )


def _number(value: object, where: str, report: Report) -> int | float | None:
    if isinstance(value, str):
        number = parse_number(value) if value.strip() else None
        if number is not None:
            report(
                where,
                "bad-number",
                _("The number “%(value)s” is written as text; read as %(number)s.")
                % {"value": value, "number": number},
            )
            return number
        if not value.strip():
            report(where, "bad-number", _("An empty string instead of a number; left out."))
        else:
            report(
                where,
                "bad-number",
                _("“%(value)s” is not a number; left out.") % {"value": value[:100]},
            )
        return None
    report(
        where,
        "bad-number",
        _("A %(type)s instead of a number; left out.") % {"type": type(value).__name__},
    )
    return None


def _bad_date(value: object, where: str, report: Report) -> None:
    if isinstance(value, str):
        try:
            naive = datetime.fromisoformat(value).tzinfo is None
        except ValueError:
            naive = False
        if naive:
            report(
                where,
                "bad-date",
                _("The date “%(value)s” has no time zone; it is read as UTC.") % {"value": value},
            )
            return
    report(
        where,
        "bad-date",
        _("“%(value)s” is not a date and time (RFC 3339, e.g. 2025-01-15T12:00:00+01:00).")
        % {"value": str(value)[:100]},
    )


def _code(value: object, spec: Field, where: str, report: Report) -> str | None:
    """Report a code outside a closed codelist; return the repaired code when only its case was
    wrong, else None (the value is kept)."""
    if isinstance(value, str):
        for code in spec.codes:
            if code.casefold() == value.strip().casefold():
                report(
                    where,
                    "not-in-codelist",
                    _("“%(value)s” is written “%(code)s” in the %(codelist)s codelist; corrected.")
                    % {"value": value, "code": code, "codelist": spec.codelist},
                )
                return code
    report(
        where,
        "not-in-codelist",
        _("“%(value)s” is not in the closed %(codelist)s codelist; kept as is.")
        % {"value": str(value)[:100], "codelist": spec.codelist},
    )
    return None
