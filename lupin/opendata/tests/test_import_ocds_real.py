"""The real captures (Paraguay, UK Contracts Finder, Armenia): every problem reported with its
file and JSON path, nothing else lost, and importing them again changes nothing."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lupin.opendata.models import ExternalNotice, ImportedRelease
from lupin.opendata.tests.ocds_helpers import (
    REAL,
    SAMPLE,
    all_files,
    located,
    needs_real,
    run,
    store_statements,
    writes,
)

pytestmark = pytest.mark.django_db
PARAGUAY_OCID = "ocds-03ad3f-274231"


def expected_releases(paths: list[Path]) -> set[tuple[str, str]]:
    """Every release with an ocid and an id, read with the json module: full releases of packages
    and records, a record's compiled release when it embeds none, loose releases."""
    found: set[tuple[str, str]] = set()

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and isinstance(value.get("records"), list):
            visit(value["records"])
        elif isinstance(value, dict) and isinstance(value.get("releases"), list):
            full = [r for r in value["releases"] if isinstance(r, dict) and "ocid" in r]
            visit(full or ([value["compiledRelease"]] if "compiledRelease" in value else []))
        elif isinstance(value, dict) and value.get("ocid") and value.get("id"):
            found.add((value["ocid"], str(value["id"])))

    for path in paths:
        visit(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_the_paraguay_sample_imports_with_its_problems_located() -> None:
    paths = list(all_files(SAMPLE))

    summary = run(*paths)

    notice = ExternalNotice.objects.get()
    assert notice.ocid == PARAGUAY_OCID
    assert set(ImportedRelease.objects.values_list("ocid", "release_id")) == expected_releases(
        paths
    )
    # The record package holds linked releases only; the 1.0 copies of four releases differ
    # from the 1.1 ones read first.
    assert dict(summary.by_kind) == {"linked-release": 4, "duplicate-release": 4}
    assert located(summary, "linked-release") == [
        ("274231.json", f"$.records[0].releases[{n}]") for n in range(4)
    ]
    assert all(where == "$" for _, where in located(summary, "duplicate-release"))
    assert notice.publisher == "DNCP - Paraguay"
    assert notice.buyer_name == "Compañía Paraguaya de Comunicaciones (COPACO)"
    # The latest tender release (the 1.0 copy, a month later) says "unsuccessful" and has a
    # null amount, which removes the earlier one: the value falls back to the planned budget.
    assert notice.status == "unsuccessful"
    assert notice.compiled_release()["tender"]["value"] == {"currency": "PYG"}
    assert (notice.value, notice.currency) == (Decimal("600200000.00"), "PYG")
    assert notice.url.startswith("https://www.contrataciones.gov.py/")


@needs_real
def test_the_real_captures_import_with_every_problem_located() -> None:
    paths = list(all_files(REAL))

    summary = run(*paths)

    assert set(ImportedRelease.objects.values_list("ocid", "release_id")) == expected_releases(
        paths
    )
    assert ExternalNotice.objects.count() == len({ocid for ocid, _ in expected_releases(paths)})
    kinds = Counter(problem.kind for problem in summary.problems)
    assert set(kinds) == {"duplicate-release", "linked-release", "not-in-codelist", "wrong-type"}
    for problem in summary.problems:
        assert Path(problem.file).is_relative_to(REAL)
        assert problem.where.startswith("$") and problem.message
    armenia = [p for p in summary.problems if "armenia" in p.file]
    assert ("wrong-type", "$.releases[0].planning") in {(p.kind, p.where) for p in armenia}
    assert ("not-in-codelist", "$.releases[1].initiationType") in {
        (p.kind, p.where) for p in armenia
    }
    assert summary.unreadable == 0 and summary.files == len(paths)


@needs_real
def test_importing_the_real_captures_again_changes_nothing() -> None:
    paths = list(all_files(REAL))
    first = run(*paths)
    stored = list(ExternalNotice.objects.order_by("pk").values_list("pk", "updated_at"))

    with store_statements() as statements:
        again = run(*paths)

    assert statements and writes(statements) == []
    assert list(ExternalNotice.objects.order_by("pk").values_list("pk", "updated_at")) == stored
    assert again.releases_unchanged == first.releases_new
    assert again.processes_unchanged == first.processes_new
    assert (again.releases_new, again.releases_changed, again.processes_updated) == (0, 0, 0)
    assert again.by_kind == first.by_kind
