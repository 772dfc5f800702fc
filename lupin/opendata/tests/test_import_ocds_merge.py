"""`lupin.opendata.merge` compiles exactly what ocdsmerge compiles, with the rules of the release
schema Lupin ships: on every process of the real captures and on the merge rules' corner cases."""

from __future__ import annotations

import copy
import json
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import ocdsmerge.merge as ocdsmerge_module
import pytest
from ocdsmerge.exceptions import DuplicateIdValueWarning, InconsistentTypeError
from ocdsmerge.merge import CompiledRelease
from ocdsmerge.rules import get_merge_rules

from lupin.opendata import merge
from lupin.opendata.merge import compile_releases, merge_rules
from lupin.opendata.ocds_checks import RELEASE_SCHEMA, check_release
from lupin.opendata.tests.ocds_helpers import REAL, SAMPLE, all_files, needs_real

T1, T2, T3 = "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"


def ocdsmerge(releases: list[dict[str, Any]]) -> dict[str, Any] | str:
    merged = CompiledRelease(merge_rules=merge_rules())
    for release in releases:
        merged.append(release)
    try:
        return merged.asdict()
    except InconsistentTypeError as error:
        return f"InconsistentTypeError: {error}"


def ours(releases: list[dict[str, Any]]) -> dict[str, Any] | str:
    try:
        return compile_releases(releases)
    except InconsistentTypeError as error:
        return f"InconsistentTypeError: {error}"


def releases_by_ocid(folder: Path, *, checked: bool) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and ("records" in value or "releases" in value):
            visit(value.get("records") or value.get("releases") or [])
            if "compiledRelease" in value:
                visit(value["compiledRelease"])
        elif isinstance(value, dict) and isinstance(value.get("ocid"), str) and "date" in value:
            if checked:
                check_release(value, "$", lambda *problem: None)
            groups[value["ocid"]].append(value)

    for path in all_files(folder):
        visit(json.loads(path.read_text(encoding="utf-8")))
    for releases in groups.values():
        releases.sort(key=lambda release: (release["date"] or "", str(release.get("id"))))
    return groups


def assert_same(releases: list[dict[str, Any]]) -> None:
    # (Each on its own copy: in some corner cases ocdsmerge changes the releases it is given.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DuplicateIdValueWarning)
        assert ours(copy.deepcopy(releases)) == ocdsmerge(copy.deepcopy(releases))


@pytest.mark.parametrize("checked", [False, True], ids=["as published", "after the checks"])
def test_every_process_of_the_paraguay_sample_compiles_like_ocdsmerge(checked: bool) -> None:
    for releases in releases_by_ocid(SAMPLE, checked=checked).values():
        assert_same(releases)


@needs_real
@pytest.mark.parametrize("checked", [False, True], ids=["as published", "after the checks"])
def test_every_real_process_compiles_like_ocdsmerge(checked: bool) -> None:
    groups = releases_by_ocid(REAL, checked=checked)
    assert len(groups) > 100
    for releases in groups.values():
        assert_same(releases)


def test_merging_does_not_change_the_releases() -> None:
    for releases in releases_by_ocid(SAMPLE, checked=False).values():
        before = copy.deepcopy(releases)
        compile_releases(releases)
        assert releases == before


def r(date: str, **fields: Any) -> dict[str, Any]:
    return {"ocid": "ocds-x", "id": date, "date": date, "tag": ["tender"], **fields}


CORNERS = {
    "a later value wins": [r(T1, tender={"title": "a"}), r(T2, tender={"title": "b"})],
    "null removes": [r(T1, tender={"title": "a", "x": 1}), r(T2, tender={"title": None})],
    "an object of nulls stays, empty": [r(T1, tender={"title": None})],
    "empty objects and arrays add nothing": [
        r(T1, tender={"items": [{"id": "1"}]}),
        r(T2, tender={"items": [], "value": {}, "x": {"y": {}}, "z": [{}]}),
    ],
    "arrays merge by id": [
        r(T1, awards=[{"id": "1", "title": "a"}, {"id": "2", "title": "b"}]),
        r(T2, awards=[{"id": "2", "status": "active"}, {"id": "3"}]),
    ],
    "ids 1 and '1' are one object": [
        r(T1, awards=[{"id": 1, "title": "a"}]),
        r(T2, awards=[{"id": "1", "status": "active"}]),
    ],
    "objects without id are added": [
        r(T1, awards=[{"title": "a"}]),
        r(T2, awards=[{"title": "a"}, {"title": "b"}]),
    ],
    "two objects with one id fold": [r(T1, awards=[{"id": "1", "a": 1}, {"id": "1", "b": 2}])],
    "two objects with one id fold, later": [
        r(T1, awards=[{"id": "1", "a": {"x": 1}}]),
        r(T2, awards=[{"id": "1", "a": {"y": 1}}, {"id": "1", "a": "text"}]),
    ],
    "whole list merge": [
        r(T1, tender={"submissionMethod": ["written", "electronicSubmission"]}),
        r(T2, tender={"submissionMethod": ["inPerson"]}),
    ],
    "whole list merge of objects": [
        r(T1, parties=[{"id": "p", "additionalIdentifiers": [{"id": "1"}, {"id": "2"}]}]),
        r(T2, parties=[{"id": "p", "additionalIdentifiers": [{"id": "3"}]}]),
    ],
    "an empty whole list replaces": [
        r(T1, parties=[{"id": "p", "roles": ["buyer"]}]),
        r(T2, parties=[{"id": "p", "roles": []}]),
    ],
    "a list of texts replaces": [r(T1, x=["a", "b"]), r(T2, x=["c"])],
    "a list of objects and texts replaces": [r(T1, x=[{"id": 1}, "b"]), r(T2, x=[{"id": 1}])],
    "an id that is not a text or number": [r(T1, awards=[{"id": None}, {"id": None, "a": 1}])],
    "an object, then a text": [r(T1, tender={"value": {"amount": 1}}), r(T2, tender={"value": 5})],
    "a text, then an object": [r(T1, tender={"value": 5}), r(T2, tender={"value": {"amount": 1}})],
    "a text, a null, then an object": [
        r(T1, tender={"value": 5}),
        r(T2, tender={"value": None}),
        r(T3, tender={"value": {"amount": 1}}),
    ],
    "an array, then an object": [r(T1, awards=[{"id": "1"}]), r(T2, awards={"id": "1"})],
    "an object, then null": [r(T1, tender={"value": {"amount": 1}}), r(T2, tender=None)],
    "no ocid or date in the last release": [
        r(T1, tender={"title": "a"}),
        {"id": "x", "tender": {"title": "b"}},
    ],
    "a single release": [r(T1, tag=["planning"], planning={"budget": {"amount": {"amount": 1}}})],
}


@pytest.mark.parametrize("releases", CORNERS.values(), ids=CORNERS.keys())
def test_the_merge_rules_corner_cases_compile_like_ocdsmerge(releases: list[dict]) -> None:
    assert_same(releases)


def test_the_shipped_merge_rules_are_what_ocdsmerge_reads_from_the_shipped_schema() -> None:
    assert get_merge_rules(str(RELEASE_SCHEMA)) == merge.MERGE_RULES


def test_disagreeing_releases_are_left_to_ocdsmerge(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []
    original = ocdsmerge_module.CompiledRelease

    class Counting(original):  # type: ignore[misc, valid-type]
        def append(self, release: dict[str, Any]) -> None:
            used.append(1)
            super().append(release)

    monkeypatch.setattr(ocdsmerge_module, "CompiledRelease", Counting)

    compile_releases(CORNERS["a later value wins"])
    assert used == []
    with pytest.raises(InconsistentTypeError):
        compile_releases(CORNERS["a text, then an object"])
    assert len(used) == 2
