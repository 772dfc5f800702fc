"""The import pipeline: checks and repairs, storing each release once, merging per process, the
notice's list fields, and what happens when something goes wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lupin.opendata import importer
from lupin.opendata.importer import ImportSummary, import_releases
from lupin.opendata.models import ExternalNotice, ImportedRelease, NoticeSource
from lupin.opendata.tests.ocds_helpers import (
    OCID,
    located,
    package,
    release,
    run,
    store_statements,
    write,
    writes,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC


# Merging the releases of one process


def tender(title: str, items: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"id": "t1", "title": title, "items": items, **more}


def test_the_releases_of_a_process_merge_into_one_notice(tmp_path: Path) -> None:
    first = release(
        id="1",
        date="2025-01-10T09:00:00+01:00",
        tender=tender(
            "Brøyting",
            [{"id": "1", "description": "Plog", "quantity": 2}],
            value={"amount": 1000000, "currency": "NOK"},
        ),
    )
    award = release(
        id="2",
        date="2025-03-01T09:00:00+01:00",
        tag=["award"],
        awards=[{"id": "a1", "status": "pending"}],
    )
    update = release(
        id="3",
        date="2025-02-01T09:00:00+01:00",
        tag=["tenderUpdate"],
        tender=tender(
            "Brøyting med sensorer",
            [{"id": "1", "quantity": 3}, {"id": "2", "description": "Sensor"}],
        ),
    )
    # Out of time order in the file, and in two files: the merge goes by date.
    summary = run(
        write(tmp_path, "a.json", package(award, first)), write(tmp_path, "b.json", update)
    )

    notice = ExternalNotice.objects.get()
    assert summary.processes_new == 1 and summary.releases_new == 3
    assert notice.title == "Brøyting med sensorer"
    compiled = notice.compiled_release()
    assert compiled["tender"]["items"] == [
        {"id": "1", "description": "Plog", "quantity": 3},
        {"id": "2", "description": "Sensor"},
    ]
    assert compiled["awards"] == [{"id": "a1", "status": "pending"}]
    assert compiled["id"] == f"{OCID}-2025-03-01T09:00:00+01:00"
    assert compiled["tag"] == ["compiled"]
    assert notice.value == Decimal("1000000.00")
    assert notice.published_at == dt.datetime(2025, 3, 1, 8, tzinfo=UTC)


def test_dates_in_other_time_zones_are_ordered_in_time(tmp_path: Path) -> None:
    # As text, "…10:00+02:00" sorts after "…09:30Z", but it is half an hour earlier.
    earlier = release(id="a", date="2025-01-15T10:00:00+02:00", tender={"title": "Først"})
    later = release(id="b", date="2025-01-15T08:30:00Z", tender={"title": "Sist"})

    run(write(tmp_path, "p.json", package(later, earlier)))

    assert ExternalNotice.objects.get().title == "Sist"


def test_a_null_removes_an_earlier_value(tmp_path: Path) -> None:
    first = release(id="a", tender={"title": "Brøyting", "description": "Tekst"})
    second = release(id="b", date="2025-02-01T00:00:00Z", tender={"description": None})

    run(write(tmp_path, "p.json", package(first, second)))

    notice = ExternalNotice.objects.get()
    assert (notice.title, notice.description) == ("Brøyting", "")


def test_a_later_import_merges_with_the_releases_stored_before(tmp_path: Path) -> None:
    run(write(tmp_path, "1.json", package(release(id="a", tender={"title": "Veilys"}))))
    later = release(id="b", date="2025-03-01T00:00:00Z", tender={"status": "active"})

    summary = run(write(tmp_path, "2.json", package(later)))

    notice = ExternalNotice.objects.get()
    assert (summary.processes_updated, summary.releases_new) == (1, 1)
    assert (notice.title, notice.status) == ("Veilys", "active")
    assert notice.releases.count() == 2


# Importing again


def test_importing_the_same_files_again_writes_nothing(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "1.json", package(release(id="a"), release(ocid="ocds-test00-2"))),
        write(tmp_path, "2.json", release(id="b", date="2025-02-01T00:00:00Z")),
    ]
    run(*paths)
    before = list(ExternalNotice.objects.values_list("ocid", "updated_at", "title", "value"))

    with store_statements() as statements:
        summary = run(*paths)

    assert statements and writes(statements) == []  # it read what was stored, and wrote nothing
    assert (
        list(ExternalNotice.objects.values_list("ocid", "updated_at", "title", "value")) == before
    )
    assert (summary.releases_unchanged, summary.releases_new, summary.releases_changed) == (3, 0, 0)
    assert (summary.processes_unchanged, summary.processes_updated) == (2, 0)


def test_a_changed_release_replaces_the_stored_one(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", package(release(tender={"title": "Gammel"})))
    run(path)
    imported = ExternalNotice.objects.get().imported_at
    write(tmp_path, "p.json", package(release(tender={"title": "Ny"})))

    summary = run(path)

    notice = ExternalNotice.objects.get()
    assert (summary.releases_changed, summary.processes_updated) == (1, 1)
    assert notice.title == "Ny" and notice.imported_at == imported
    assert notice.updated_at > imported
    assert ImportedRelease.objects.get().data["tender"]["title"] == "Ny"


def test_a_release_read_twice_in_one_run_is_stored_once(tmp_path: Path) -> None:
    same = release(tender={"title": "Samme"})
    other = release(tender={"title": "Annen"})
    paths = [
        write(tmp_path, "1.json", package(same)),
        write(tmp_path, "2.json", same),
        write(tmp_path, "3.json", package(other)),
    ]

    summary = run(*paths)

    assert ExternalNotice.objects.get().title == "Samme"
    assert (summary.releases_new, summary.releases_repeated, summary.releases_skipped) == (1, 1, 1)
    assert located(summary, "duplicate-release") == [("3.json", "$.releases[0]")]
    assert "1.json at $.releases[0]" in summary.problems[0].message
    # The same files again: the same release wins, nothing changes.
    with store_statements() as statements:
        again = run(*paths)
    assert statements and writes(statements) == [] and again.releases_unchanged == 1


# Checks and repairs


def test_a_release_without_ocid_or_id_is_reported_and_not_stored(tmp_path: Path) -> None:
    no_ocid = {"id": "x", "date": "2025-01-15T12:00:00Z"}
    no_id = {"ocid": OCID, "date": "2025-01-15T12:00:00Z"}

    summary = run(write(tmp_path, "p.json", package(no_ocid, no_id, release(id="ok"))))

    assert list(ImportedRelease.objects.values_list("release_id", flat=True)) == ["ok"]
    assert located(summary, "missing-ocid") == [("p.json", "$.releases[0].ocid")]
    assert located(summary, "missing-id") == [("p.json", "$.releases[1].id")]
    assert summary.releases_skipped == 2


def test_numbers_written_as_text_are_repaired_or_left_out(tmp_path: Path) -> None:
    items = [
        {"id": "1", "quantity": "12,5"},
        {"id": "2", "quantity": ""},
        {"id": "3", "quantity": "mange"},
    ]
    bad = release(tender={"value": {"amount": "1 250 000", "currency": "NOK"}, "items": items})

    summary = run(write(tmp_path, "p.json", package(bad)))

    assert located(summary, "bad-number") == [
        ("p.json", "$.releases[0].tender.value.amount"),
        ("p.json", "$.releases[0].tender.items[0].quantity"),
        ("p.json", "$.releases[0].tender.items[1].quantity"),
        ("p.json", "$.releases[0].tender.items[2].quantity"),
    ]
    notice = ExternalNotice.objects.get()
    assert notice.value == Decimal("1250000.00")
    assert [item.get("quantity") for item in notice.compiled_release()["tender"]["items"]] == [
        12.5,
        None,
        None,
    ]


def test_dates_codes_and_ids_are_checked(tmp_path: Path) -> None:
    checked = release(
        tender={
            "status": "Active",
            "procurementMethod": "negotiated",
            "tenderPeriod": {"startDate": "15.01.2025", "endDate": "2025-02-15T12:00:00"},
            "items": [{"id": "1"}, {"id": "1"}],
        },
        initiationType="planning",
    )

    summary = run(write(tmp_path, "p.json", package(checked)))

    assert {(p.where, p.kind) for p in summary.problems} == {
        ("$.releases[0].tender.status", "not-in-codelist"),
        ("$.releases[0].tender.procurementMethod", "not-in-codelist"),
        ("$.releases[0].tender.tenderPeriod.startDate", "bad-date"),
        ("$.releases[0].tender.tenderPeriod.endDate", "bad-date"),
        ("$.releases[0].tender.items[1].id", "duplicate-id"),
        ("$.releases[0].initiationType", "not-in-codelist"),
    }
    notice = ExternalNotice.objects.get()
    assert notice.status == "active"  # only the case was wrong
    assert notice.procedure == "negotiated"
    assert notice.deadline == dt.datetime(2025, 2, 15, 12, tzinfo=UTC)  # no zone: read as UTC


def test_a_release_without_a_date_is_stored_and_merged_first(tmp_path: Path) -> None:
    undated = {"ocid": OCID, "id": "u", "tender": {"title": "Uten dato"}}
    dated = release(id="d", tender={"title": "Med dato"})

    summary = run(write(tmp_path, "p.json", package(dated, undated)))

    assert located(summary, "missing-date") == [("p.json", "$.releases[1].date")]
    assert ExternalNotice.objects.get().title == "Med dato"
    assert ImportedRelease.objects.get(release_id="u").date is None


def test_releases_that_cannot_be_merged_are_reported(tmp_path: Path) -> None:
    first = release(id="a", tender={"title": "Brøyting"})
    second = release(id="b", date="2025-02-01T00:00:00Z", tender={"title": {"nb": "Brøyting"}})

    summary = run(write(tmp_path, "p.json", package(first, second)))

    assert located(summary, "merge-conflict") == [("p.json", "$.releases[1]")]
    assert ExternalNotice.objects.get().title == "Brøyting"
    assert ImportedRelease.objects.count() == 2  # stored, but not in the compiled release


# The notice's list fields


def test_the_notice_fields_come_from_the_compiled_release(tmp_path: Path) -> None:
    full = release(
        parties=[
            {"id": "s1", "name": "Leverandør AS", "roles": ["supplier"]},
            {
                "id": "b1",
                "name": "Fjordvik kommune",
                "roles": ["buyer"],
                "identifier": {"scheme": "NO-ORG", "id": "100000113"},
            },
        ],
        tender={
            "title": "  Velferdsteknologi  ",
            "description": "Trygghet om natten.",
            "status": "active",
            "procurementMethod": "open",
            "procurementMethodDetails": "Åpen anbudskonkurranse",
            "value": {"amount": 2500000.5, "currency": "NOK"},
            "tenderPeriod": {"endDate": "2025-03-01T12:00:00+01:00"},
            "items": [
                {
                    "id": "1",
                    "classification": {"scheme": "CPV", "id": "33196200-2"},
                    "additionalClassifications": [{"scheme": "CPV", "id": "72000000"}],
                    "deliveryAddresses": [{"region": "NO081"}],
                }
            ],
            "documents": [
                {"id": "d1", "url": "https://doffin.example/doc.pdf"},
                {"id": "d2", "documentType": "tenderNotice", "url": "https://doffin.example/n/1"},
            ],
        },
    )

    run(write(tmp_path, "p.json", package(full, publisher="Doffin")))

    notice = ExternalNotice.objects.get()
    assert notice.source == NoticeSource.OCDS
    assert (notice.title, notice.description) == ("Velferdsteknologi", "Trygghet om natten.")
    assert (notice.buyer_name, notice.buyer_identifier) == ("Fjordvik kommune", "NO-ORG-100000113")
    assert (notice.cpv_codes, notice.main_cpv) == (["33196200", "72000000"], "33196200")
    assert notice.nuts_region == "NO081"
    assert (notice.value, notice.currency) == (Decimal("2500000.50"), "NOK")
    assert (notice.procedure, notice.status) == ("open – Åpen anbudskonkurranse", "active")
    assert notice.deadline == dt.datetime(2025, 3, 1, 11, tzinfo=UTC)
    assert notice.published_at == dt.datetime(2025, 1, 15, 11, tzinfo=UTC)
    assert (notice.url, notice.publisher) == ("https://doffin.example/n/1", "Doffin")


def test_the_title_falls_back_to_the_planning_and_the_link_to_the_package(tmp_path: Path) -> None:
    planned = release(planning={"budget": {"description": "Nytt sykehjem"}})

    run(write(tmp_path, "p.json", package(planned)))

    notice = ExternalNotice.objects.get()
    assert (notice.title, notice.url) == ("Nytt sykehjem", "https://data.example/package.json")


def test_the_caller_can_name_the_source_and_give_releases_directly() -> None:
    # How the eForms import uses the pipeline: releases it mapped, its own source and publisher.
    summary = ImportSummary()
    items = [("notice.xml", "$", release(tender={"title": "Fra eForms"}))]

    import_releases(items, source=NoticeSource.EFORMS, publisher="Doffin", summary=summary)

    notice = ExternalNotice.objects.get()
    assert (notice.source, notice.publisher, notice.title) == ("eforms", "Doffin", "Fra eForms")
    assert ImportedRelease.objects.get().source_file == "notice.xml"


# When the database refuses


def test_a_process_the_database_refuses_is_reported_and_the_others_are_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_batch = importer._write

    def refusing(processes: list[Any], source: str, store: Any) -> None:
        if any(process.ocid == "ocds-test00-2" for process in processes):
            raise store.errors[0]("value too long")  # the driver's own DatabaseError
        write_batch(processes, source, store)

    monkeypatch.setattr(importer, "_write", refusing)
    releases = [release(ocid=f"ocds-test00-{n}", id="r") for n in (1, 2, 3)]

    summary = run(write(tmp_path, "p.json", package(*releases)))

    assert set(ExternalNotice.objects.values_list("ocid", flat=True)) == {
        "ocds-test00-1",
        "ocds-test00-3",
    }
    assert ImportedRelease.objects.count() == 2
    assert located(summary, "not-stored") == [("p.json", "$.releases[1]")]
    assert (summary.processes_new, summary.releases_new, summary.releases_skipped) == (2, 2, 1)


def test_a_long_import_is_written_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "OCIDS_PER_BATCH", 3)
    monkeypatch.setattr(importer, "JSON_PER_COMMIT", 1)
    monkeypatch.setattr(importer, "SPOOL_JSON", 500)
    releases = [release(ocid=f"ocds-test00-{n}", id=str(m)) for n in range(10) for m in range(2)]

    summary = run(write(tmp_path, "p.json", package(*releases)))

    assert (summary.processes_new, summary.releases_new) == (10, 20)
    assert ImportedRelease.objects.count() == 20
