"""Reading OCDS files: every shape a publisher uses, OCDS 1.0 and 1.1, broken files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from lupin.opendata import ocds_reader
from lupin.opendata.importer import ImportSummary, read_ocds_file
from lupin.opendata.models import ExternalNotice, ImportedRelease
from lupin.opendata.tests.ocds_helpers import (
    OCID,
    REAL,
    SAMPLE,
    all_files,
    located,
    needs_real,
    package,
    release,
    run,
    write,
)

pytestmark = pytest.mark.django_db


def stored() -> set[tuple[str, str]]:
    return set(ImportedRelease.objects.values_list("ocid", "release_id"))


def test_release_package_is_read_release_by_release(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", package(release(id="a"), release(ocid="ocds-test00-2")))

    summary = run(path)

    assert stored() == {(OCID, "a"), ("ocds-test00-2", "r1")}
    assert ExternalNotice.objects.count() == 2
    assert summary.problems == []
    assert (summary.files, summary.releases_new, summary.processes_new) == (1, 2, 2)


def test_items_carry_the_file_and_the_json_path_of_each_release(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", package(release(id="a"), release(id="b")))

    items = list(read_ocds_file(path, ImportSummary()))

    assert [(file, where, item["id"]) for file, where, item in items] == [
        (str(path), "$.releases[0]", "a"),
        (str(path), "$.releases[1]", "b"),
    ]


def test_record_package_uses_the_releases_of_each_record(tmp_path: Path) -> None:
    records = {
        "uri": "https://data.example/records.json",
        "publisher": {"name": "Registeret"},
        "records": [
            {
                "ocid": OCID,
                "releases": [release(id="a"), release(id="b", date="2025-02-01T12:00:00Z")],
                "compiledRelease": release(id="compiled", tag=["compiled"]),
            }
        ],
    }

    summary = run(write(tmp_path, "records.json", records))

    assert stored() == {(OCID, "a"), (OCID, "b")}
    assert summary.problems == []
    assert ExternalNotice.objects.get().publisher == "Registeret"


def test_linked_releases_are_reported_and_the_compiled_release_stands_in(tmp_path: Path) -> None:
    linked = {"url": "https://data.example/r1.json#r1", "date": "2025-01-15T12:00:00Z"}
    records = {
        "records": [
            {
                "ocid": OCID,
                "releases": [{**linked, "tag": ["tender"]}, {**linked, "tag": ["award"]}],
                "compiledRelease": release(id="c1", tag=["compiled"], tender={"title": "Brøyting"}),
            }
        ]
    }

    summary = run(write(tmp_path, "records.json", records))

    assert stored() == {(OCID, "c1")}
    assert located(summary, "linked-release") == [
        ("records.json", "$.records[0].releases[0]"),
        ("records.json", "$.records[0].releases[1]"),
    ]
    assert "compiled release is imported instead" in summary.problems[0].message
    assert ExternalNotice.objects.get().title == "Brøyting"


def test_a_record_of_linked_releases_only_imports_nothing_and_says_so(tmp_path: Path) -> None:
    records = {"records": [{"ocid": OCID, "releases": [{"url": "https://x.example/1", "tag": []}]}]}

    summary = run(write(tmp_path, "records.json", records))

    assert stored() == set()
    assert located(summary, "linked-release") == [("records.json", "$.records[0].releases[0]")]
    assert "import the release package it points to" in summary.problems[0].message


def test_a_single_record_without_a_package(tmp_path: Path) -> None:
    # As UK Contracts Finder publishes them: versionedRelease first, no ocid at the top.
    record = {
        "versionedRelease": {"ocid": [{"value": OCID}]},
        "releases": [release(id="a")],
        "compiledRelease": release(id="a", tag=["compiled"]),
    }

    summary = run(write(tmp_path, "record.json", record))

    assert stored() == {(OCID, "a")}
    assert summary.problems == []


def test_a_loose_release(tmp_path: Path) -> None:
    run(write(tmp_path, "r.json", release(tender={"title": "Skolemat"})))

    assert stored() == {(OCID, "r1")}
    assert ExternalNotice.objects.get().title == "Skolemat"


def test_an_array_of_releases(tmp_path: Path) -> None:
    summary = run(write(tmp_path, "a.json", [release(id="a"), release(id="b"), 3]))

    assert stored() == {(OCID, "a"), (OCID, "b")}
    assert located(summary, "unknown-structure") == [("a.json", "$[2]")]


def test_json_lines_read_line_by_line_and_a_broken_line_is_skipped(tmp_path: Path) -> None:
    lines = [
        json.dumps(release(id="a")),
        "",
        '{"ocid": "ocds-test00-1", "id": "b",',
        json.dumps(package(release(id="c"))),
    ]

    summary = run(write(tmp_path, "r.jsonl", "\n".join(lines) + "\n"))

    assert stored() == {(OCID, "a"), (OCID, "c")}
    assert located(summary, "invalid-json") == [("r.jsonl", "line 3")]


def test_concatenated_packages_in_one_file(tmp_path: Path) -> None:
    text = json.dumps(package(release(id="a"))) + "\n" + json.dumps(package(release(id="b")))

    run(write(tmp_path, "two.json", text))

    assert stored() == {(OCID, "a"), (OCID, "b")}


def test_a_gzipped_package(tmp_path: Path) -> None:
    path = tmp_path / "p.json.gz"
    path.write_bytes(gzip.compress(json.dumps(package(release())).encode()))

    run(path)

    assert stored() == {(OCID, "r1")}


def test_the_publisher_named_after_the_releases_still_counts(tmp_path: Path) -> None:
    text = '{"releases": [' + json.dumps(release()) + '], "publisher": {"name": "Sist AS"}}'

    run(write(tmp_path, "late.json", text))

    assert ExternalNotice.objects.get().publisher == "Sist AS"


def test_an_ocds_1_0_release_is_repaired_where_it_is_safe(tmp_path: Path) -> None:
    # OCDS 1.0 as DNCP (Paraguay) and Armenia publish it: package metadata inside the release,
    # the buyer as an organisation, planning as a list, suppliers as one object.
    old = {
        "ocid": OCID,
        "id": "old-1",
        "date": "2016-10-27T16:58:21-04:00",
        "tag": ["award"],
        "packageInfo": {
            "uri": "https://contrataciones.example/award/1",
            "publisher": {"name": "DNCP - Paraguay"},
        },
        "buyer": {"name": "Municipalidad", "identifier": {"scheme": "PY-RUC", "id": "8000"}},
        "planning": [{"budget": {"amount": {"amount": 1000, "currency": "PYG"}}}],
        "awards": [{"id": "1", "suppliers": {"name": "Rieder y Cia"}}],
    }

    summary = run(write(tmp_path, "old.json", old))

    assert located(summary, "wrong-type") == [
        ("old.json", "$.planning"),
        ("old.json", "$.awards[0].suppliers"),
    ]
    notice = ExternalNotice.objects.get()
    assert notice.compiled_release()["awards"][0]["suppliers"] == [{"name": "Rieder y Cia"}]
    assert notice.compiled_release()["planning"]["budget"]["amount"]["currency"] == "PYG"
    assert (notice.publisher, notice.url) == (
        "DNCP - Paraguay",
        "https://contrataciones.example/award/1",
    )
    assert (notice.buyer_name, notice.buyer_identifier) == ("Municipalidad", "PY-RUC-8000")
    assert (notice.value, notice.currency) == (1000, "PYG")


def test_a_broken_file_keeps_what_came_before_the_break(tmp_path: Path) -> None:
    good = json.dumps(package(release(id="a"), release(id="b")))
    broken = good[: good.rindex("]")] + ', {"ocid": "ocds-test00-1", "id": "c",, }]}'

    summary = run(write(tmp_path, "broken.json", broken))

    assert stored() == {(OCID, "a"), (OCID, "b")}
    (problem,) = summary.problems
    assert (problem.kind, problem.where) == ("invalid-json", "$.releases[1]")
    assert "parse error" in problem.message


def test_a_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    first = write(tmp_path, "1.json", package(release(id="a")))
    broken = write(tmp_path, "2.json", "{not json")
    last = write(tmp_path, "3.json", package(release(id="c")))

    summary = run(first, broken, last)

    assert stored() == {(OCID, "a"), (OCID, "c")}
    assert [(Path(p.file).name, p.kind) for p in summary.problems] == [("2.json", "invalid-json")]


def test_empty_and_unknown_files_are_reported(tmp_path: Path) -> None:
    summary = run(
        write(tmp_path, "empty.json", ""),
        write(tmp_path, "other.json", {"name": "not OCDS"}),
        write(tmp_path, "number.json", "42"),
    )

    assert [(Path(p.file).name, p.where, p.kind) for p in summary.problems] == [
        ("empty.json", "$", "unknown-structure"),
        ("other.json", "$", "unknown-structure"),
        ("number.json", "$", "unknown-structure"),
    ]


def test_a_path_that_cannot_be_read_is_counted(tmp_path: Path) -> None:
    summary = run(tmp_path)  # a folder is not a file

    assert summary.unreadable == 1
    assert summary.problems[0].kind == "unreadable"


def test_a_null_in_a_package_is_reported(tmp_path: Path) -> None:
    summary = run(write(tmp_path, "p.json", package(release(), None)))  # type: ignore[arg-type]

    assert stored() == {(OCID, "r1")}
    assert located(summary, "unknown-structure") == [("p.json", "$.releases[1]")]


# Small files are parsed whole, large ones streamed: the same releases and problems either way


def read_all(paths: list[Path], whole_file: int, monkeypatch: pytest.MonkeyPatch) -> tuple:
    monkeypatch.setattr(ocds_reader, "WHOLE_FILE", whole_file)
    summary = ImportSummary()
    items = [item for path in paths for item in read_ocds_file(path, summary)]
    problems = sorted((p.file, p.where, p.kind, p.message) for p in summary.problems)
    # (A version after the releases is not looked for when streaming: nothing uses it.)
    packages = {file: (info.publisher, info.uri) for file, info in summary.packages.items()}
    return items, problems, packages, summary.files, summary.unreadable


def broken_and_odd_files(folder: Path) -> list[Path]:
    texts = {
        "cut.json": json.dumps(package(release(), release(id="r2")))[:-40],
        "two.json": json.dumps(package(release())) + "\n" + json.dumps(package(release(id="r2"))),
        "nan.json": '{"releases": [{"ocid": "ocds-test00-1", "id": "r", "value": NaN}]}',
        "empty.json": "  \n",
        "scalar.json": "42",
        "array.json": json.dumps([release(), release(id="r2")]),
        "record.json": json.dumps(
            {"records": [{"ocid": OCID, "releases": [{"url": "https://example.org/r.json"}]}]}
        ),
        "latin1.json": '{"releases": [{"ocid": "ocds-test00-1", "id": "\xe6"}]}',
    }
    for name, text in texts.items():
        (folder / name).write_bytes(text.encode("latin-1" if name == "latin1.json" else "utf-8"))
    return sorted(folder.iterdir())


def test_whole_and_streamed_reading_agree_on_odd_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = broken_and_odd_files(tmp_path)

    streamed = read_all(paths, 0, monkeypatch)
    whole = read_all(paths, 10**9, monkeypatch)

    assert whole == streamed
    assert {problem[2] for problem in streamed[1]} >= {"invalid-json", "unknown-structure"}


@needs_real
def test_whole_and_streamed_reading_agree_on_every_real_capture(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = [*all_files(REAL), *all_files(SAMPLE)]

    streamed = read_all(paths, 0, monkeypatch)
    whole = read_all(paths, 10**9, monkeypatch)

    assert len(streamed[0]) > 200
    assert whole == streamed
