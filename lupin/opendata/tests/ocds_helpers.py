"""Building OCDS test files and running the import on them (for the test_import_ocds_* and
test_notices_* modules)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from django.conf import settings

from lupin.opendata.importer import ImportSummary, import_releases, read_ocds_file
from lupin.opendata.models import NoticeSource
from lupin.opendata.store import Store

# The real captures (../shared/data/ocds/real): read where they are, never copied (except the
# Paraguay sample in data/ocds/paraguay, CC-BY-4.0, see NOTICE).
REAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "ocds" / "real"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="the real OCDS captures are not here")
SAMPLE = Path(__file__).resolve().parent / "data" / "ocds" / "paraguay"
OCID = "ocds-test00-1"


def release(
    ocid: str = OCID, id: str = "r1", date: str = "2025-01-15T12:00:00+01:00", **fields: Any
) -> dict[str, Any]:
    return {"ocid": ocid, "id": id, "date": date, "tag": ["tender"], **fields}


def package(*releases: dict[str, Any], publisher: str = "Testdata AS", **extra: Any) -> dict:
    return {
        "uri": "https://data.example/package.json",
        "publishedDate": "2025-02-01T00:00:00Z",
        "publisher": {"name": publisher},
        "version": "1.1",
        "releases": list(releases),
        **extra,
    }


def write(folder: Path, name: str, value: Any) -> Path:
    path = folder / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def run(
    *paths: Path | str, publisher: str = "", summary: ImportSummary | None = None
) -> ImportSummary:
    """`lupin import-ocds` without the command: read the files, import them."""
    summary = summary or ImportSummary()
    items = chain.from_iterable(read_ocds_file(path, summary) for path in paths)
    import_releases(items, source=NoticeSource.OCDS, publisher=publisher, summary=summary)
    return summary


def kinds(summary: ImportSummary) -> dict[str, int]:
    return dict(summary.by_kind)


def located(summary: ImportSummary, kind: str) -> list[tuple[str, str]]:
    """(file name, where) of each problem of one kind."""
    return [(Path(p.file).name, p.where) for p in summary.problems if p.kind == kind]


def all_files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


@contextmanager
def store_statements() -> Iterator[list[str]]:
    """The SQL the import sends through its store, and "BEGIN" for each transaction it opens.
    (The store uses the driver's connection, so Django's CaptureQueriesContext does not see it.)"""
    statements: list[str] = []
    many, fetch, begin = Store._many, Store._fetch, Store.begin

    def spy_many(self: Store, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        statements.append(sql)
        many(self, sql, rows)

    def spy_fetch(self: Store, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        statements.append(sql)
        return fetch(self, sql, params)

    def spy_begin(self: Store) -> None:
        statements.append("BEGIN")
        begin(self)

    with (
        patch.object(Store, "_many", spy_many),
        patch.object(Store, "_fetch", spy_fetch),
        patch.object(Store, "begin", spy_begin),
    ):
        yield statements


def writes(statements: list[str]) -> list[str]:
    """The statements that write (or open a transaction to)."""
    return [
        sql
        for sql in statements
        if sql.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "BEGIN")
    ]
