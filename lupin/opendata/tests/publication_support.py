"""Shared by the OCDS-out tests (test_publication*.py): offline validation against the OCDS
1.1.5 schemas shipped in the repository, and every output Lupin publishes, gathered in one go."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from lupin.opendata import publish
from lupin.opendata.models import Release

RELEASE = "release-schema.json"
RELEASE_PACKAGE = "release-package-schema.json"
RECORD_PACKAGE = "record-package-schema.json"
DRAFT4_URI = "http://json-schema.org/draft-04/schema#"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@cache
def schemas() -> dict[str, dict[str, Any]]:
    names = (RELEASE, RELEASE_PACKAGE, RECORD_PACKAGE, "versioned-release-validation-schema.json")
    return {name: json.loads((publish.SCHEMA_DIR / name).read_text()) for name in names}


@cache
def _registry() -> Registry:
    # The packages point at the release schema by its web address (`id`): serve the local copy.
    return Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in schemas().values()
    )


def _format_checker() -> FormatChecker:
    # jsonschema checks neither format without optional packages: check both here, strictly.
    checker = FormatChecker()

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme in ("http", "https") and parts.netloc)

    return checker


def schema_errors(instance: Any, schema: str) -> list[str]:
    validator = Draft4Validator(
        schemas()[schema], registry=_registry(), format_checker=_format_checker()
    )
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def assert_valid(instance: Any, schema: str, where: str = "") -> None:
    errors = schema_errors(instance, schema)
    assert errors == [], f"{where} against {schema}:\n" + "\n".join(errors[:20])


def release_pages(client: Client, query: str = "") -> list[dict[str, Any]]:
    """Every page of GET /api/v1/ocds/releases, following `links.next`."""
    url: str | None = reverse("api:ocds_releases") + query
    pages: list[dict[str, Any]] = []
    while url:
        response = client.get(url)
        if response.status_code == 404 and not pages:
            return []
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page)
        url = page.get("links", {}).get("next")
    return pages


def outputs(client: Client) -> dict[str, str]:
    """Everything Lupin publishes as OCDS, as the public gets it: every page of releases, the
    record (with its versioned release) of every ocid, and the bulk file, written afresh."""
    texts: dict[str, str] = {}
    for number, page in enumerate(release_pages(client), start=1):
        texts[f"releases page {number}"] = json.dumps(page, ensure_ascii=False)
    for ocid in sorted(set(Release.objects.values_list("ocid", flat=True))):
        response = client.get(reverse("api:ocds_record", args=[ocid]) + "?versioned=true")
        if response.status_code == 200:
            texts[f"record {ocid}"] = response.content.decode()
    publish.write_bulk_file()
    response = client.get(reverse("opendata:bulk_file"))
    if response.status_code == 200:
        texts["bulk file"] = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return texts


def assert_all_valid(texts: dict[str, str]) -> None:
    """Every output validates: release packages (and each release in them), record packages
    (each record's releases, compiled and versioned release) and the bulk file."""
    for name, text in texts.items():
        body = json.loads(text)
        if "records" in body:
            assert_valid(body, RECORD_PACKAGE, name)
            for record in body["records"]:
                assert_valid(record["compiledRelease"], RELEASE, f"{name}, compiled release")
        else:
            assert_valid(body, RELEASE_PACKAGE, name)
            for release in body["releases"]:
                assert_valid(release, RELEASE, f"{name}, release {release['id']}")
