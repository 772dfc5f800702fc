"""Example eForms notices and the OCDS release schema, for the eForms tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from lupin.opendata import eforms

NOTICES = Path(__file__).resolve().parent / "data" / "eforms"
RELEASE_SCHEMA = (
    Path(eforms.__file__).resolve().parent / "data" / "ocds-schema-1.1.5" / "release-schema.json"
)
PREFIX = "ocds-lupin0"
# The Norwegian example is a template: DFØ's test values for its placeholders (data README).
NORWEGIAN_PLACEHOLDERS = {
    "${EFORMS_MINOR}": "1.14",
    "${ISSUEDATE}": "2025-01-15+01:00",
    "${ISSUETIME}": "12:00:00+01:00",
}


def notice_text(name: str, *replacements: tuple[str, str]) -> str:
    """The example notice's XML, placeholders filled in, then each (old, new) replaced once."""
    text = (NOTICES / name).read_text(encoding="utf-8")
    for placeholder, value in NORWEGIAN_PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    for old, new in replacements:
        assert old in text, f"{old!r} is not in {name}"
        text = text.replace(old, new, 1)
    return text


def release_of(name: str, *replacements: tuple[str, str]) -> dict[str, Any]:
    root = eforms.parse_notice(notice_text(name, *replacements).encode())
    return eforms.notice_to_release(root, ocid_prefix=PREFIX)


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@cache
def release_validator() -> Draft4Validator:
    """OCDS 1.1.5's release schema, offline: its own address maps to the shipped file."""
    schema = json.loads(RELEASE_SCHEMA.read_text(encoding="utf-8"))
    resource = Resource.from_contents(schema, default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource(schema["id"], resource)
    return Draft4Validator(schema, registry=registry, format_checker=FormatChecker())


def schema_errors(release: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in release_validator().iter_errors(release)
    ]
