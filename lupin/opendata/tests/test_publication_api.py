"""OCDS out over HTTP: the releases endpoint (paging, since), records, the bulk file, the
open-data page, and the scheduler that keeps them current."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from lupin.conftest import make_project
from lupin.opendata import api as opendata_api
from lupin.opendata import mapping, publish
from lupin.opendata.models import Release
from lupin.opendata.publish import produce_releases
from lupin.opendata.tests.publication_support import (
    RECORD_PACKAGE,
    RELEASE_PACKAGE,
    assert_valid,
    release_pages,
)
from lupin.projects import actions as project_actions
from lupin.projects.models import Project

OSLO = ZoneInfo("Europe/Oslo")
RELEASES = "/api/v1/ocds/releases"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def publish_projects(buyer, count: int) -> list[Project]:
    projects = []
    for number in range(count):
        project = make_project(buyer, f"Behov nummer {number + 1}")
        projects.append(project_actions.publish_project(buyer, project))
    return projects


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


# The releases endpoint ---------------------------------------------------------------------------


def test_releases_come_in_pages_linked_by_next_and_prev(buyer, client, monkeypatch):
    monkeypatch.setattr(opendata_api, "PAGE_SIZE", 2)
    publish_projects(buyer, 5)
    produce_releases()
    pages = release_pages(client)
    assert len(pages) == 3
    for page in pages:
        assert_valid(page, RELEASE_PACKAGE)
        assert mapping.PAGINATION_EXTENSION in page["extensions"]
        assert page["license"] == mapping.LICENCE_URL
        assert page["publicationPolicy"] == "http://127.0.0.1:8000/opendata/"
    assert pages[0]["links"] == {"next": f"http://127.0.0.1:8000{RELEASES}?page=2"}
    assert pages[1]["links"] == {
        "next": f"http://127.0.0.1:8000{RELEASES}?page=3",
        "prev": f"http://127.0.0.1:8000{RELEASES}?page=1",
    }
    assert pages[2]["links"] == {"prev": f"http://127.0.0.1:8000{RELEASES}?page=2"}
    assert pages[1]["uri"] == f"http://127.0.0.1:8000{RELEASES}?page=2"
    ids = [release["id"] for page in pages for release in page["releases"]]
    assert ids == list(
        Release.objects.order_by("created_at", "pk").values_list("release_id", flat=True)
    )
    newest = Release.objects.order_by("created_at").last()
    assert newest is not None
    assert pages[2]["publishedDate"] == mapping.moment(newest.created_at)
    assert_error(client.get(f"{RELEASES}?page=4"), 404, "not_found")


def test_one_page_needs_no_links_and_no_pagination_extension(published_project, client):
    produce_releases()
    page = client.get(RELEASES).json()
    assert_valid(page, RELEASE_PACKAGE)
    assert "links" not in page
    assert "extensions" not in page
    assert page["version"] == "1.1"
    assert page["publisher"] == {"name": "Lupin", "uri": "http://127.0.0.1:8000"}


def test_the_publisher_is_the_operators(published_project, client, settings):
    settings.LUPIN_OCDS_PUBLISHER = "Fjordvik kommune"
    produce_releases()

    page = client.get(RELEASES).json()

    assert page["publisher"]["name"] == "Fjordvik kommune"
    assert_valid(page, RELEASE_PACKAGE)


def test_since_gives_the_releases_published_from_that_day(buyer, client):
    first, second = publish_projects(buyer, 2)
    project_actions.unpublish_project(buyer, second)
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=OSLO)):
        produce_releases()
    project_actions.publish_project(buyer, Project.objects.get(pk=second.pk))
    with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=OSLO)):
        produce_releases()
    later = client.get(f"{RELEASES}?since=2026-03-05").json()
    assert {r["ocid"] for r in later["releases"]} == {f"ocds-lupin0-{second.pk}"}
    assert len(client.get(f"{RELEASES}?since=2026-03-02").json()["releases"]) == 3
    assert_error(client.get(f"{RELEASES}?since=2026-03-10"), 404, "not_found")
    error = assert_error(client.get(f"{RELEASES}?since=last-week"), 422, "invalid")
    assert "since" in error["fields"]
    assert_error(client.get(f"{RELEASES}?page=0"), 422, "invalid")


def test_nothing_published_is_a_404_in_the_common_format(draft_project, client):
    produce_releases()
    assert_error(client.get(RELEASES), 404, "not_found")


def test_the_releases_page_costs_one_query(buyer, client, django_assert_num_queries):
    publish_projects(buyer, 12)
    produce_releases()
    with django_assert_num_queries(1):
        response = client.get(RELEASES)
    assert len(response.json()["releases"]) == 12


# Records -----------------------------------------------------------------------------------------


def test_a_record_compiles_the_releases_of_one_process(buyer, published_project, client):
    produce_releases()
    project_actions.unpublish_project(buyer, published_project)
    project_actions.publish_project(buyer, Project.objects.get(pk=published_project.pk))
    produce_releases()
    ocid = f"ocds-lupin0-{published_project.pk}"
    response = client.get(reverse("api:ocds_record", args=[ocid]) + "?versioned=true")
    assert response.status_code == 200
    package = response.json()
    assert_valid(package, RECORD_PACKAGE)
    (record,) = package["records"]
    assert record["ocid"] == ocid
    assert [r["tag"] for r in record["releases"]] == [["planning"], ["planningUpdate"]]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["date"] == record["releases"][-1]["date"]
    assert compiled["planning"]["budget"]["amount"]["amount"] == 2500000
    assert "versionedRelease" in record
    plain = client.get(reverse("api:ocds_record", args=[ocid])).json()
    assert "versionedRelease" not in plain["records"][0]


def test_an_unknown_or_unpublished_process_is_a_404(buyer, published_project, client):
    produce_releases()
    ocid = f"ocds-lupin0-{published_project.pk}"
    assert client.get(reverse("api:ocds_record", args=[ocid])).status_code == 200
    assert_error(client.get(reverse("api:ocds_record", args=["ocds-lupin0-999"])), 404, "not_found")
    project_actions.unpublish_project(buyer, published_project)
    assert_error(client.get(reverse("api:ocds_record", args=[ocid])), 404, "not_found")
    assert_error(client.get(RELEASES), 404, "not_found")


def test_a_record_costs_one_query_however_many_releases(
    buyer, published_project, client, django_assert_num_queries
):
    for _round in range(3):
        project_actions.unpublish_project(buyer, Project.objects.get(pk=published_project.pk))
        project_actions.publish_project(buyer, Project.objects.get(pk=published_project.pk))
    produce_releases()
    assert Release.objects.count() == 4
    url = reverse("api:ocds_record", args=[f"ocds-lupin0-{published_project.pk}"])
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


# The bulk file -----------------------------------------------------------------------------------


def test_the_bulk_file_is_a_404_until_written(published_project, client):
    response = client.get(reverse("opendata:bulk_file"))
    error = assert_error(response, 404, "not_found")
    assert "/api/v1/ocds/releases" in error["message"]


def test_the_bulk_file_holds_every_public_release_and_follows_changes(buyer, client):
    first, second = publish_projects(buyer, 2)
    produce_releases()
    assert publish.refresh_bulk_file() == 1  # the worker (immediate in tests) writes it
    response = client.get(reverse("opendata:bulk_file"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    package = json.loads(body)
    assert_valid(package, RELEASE_PACKAGE)
    assert package["uri"] == "http://127.0.0.1:8000/opendata/releases.json"
    assert len(package["releases"]) == 2
    assert publish.refresh_bulk_file() == 0  # nothing changed: nothing to write

    project_actions.unpublish_project(buyer, second)
    assert publish.refresh_bulk_file() == 1
    package = json.loads(b"".join(client.get(reverse("opendata:bulk_file")).streaming_content))
    assert [r["ocid"] for r in package["releases"]] == [f"ocds-lupin0-{first.pk}"]
    # The file before is kept for downloads under way; older ones are removed.
    project_actions.publish_project(buyer, Project.objects.get(pk=second.pk))
    produce_releases()
    assert publish.refresh_bulk_file() == 1
    _dirs, files = default_storage.listdir(publish.BULK_DIR)
    assert len(files) == 2

    project_actions.unpublish_project(buyer, first)
    project_actions.unpublish_project(buyer, Project.objects.get(pk=second.pk))
    assert publish.refresh_bulk_file() == 1
    assert default_storage.listdir(publish.BULK_DIR)[1] == []
    assert client.get(reverse("opendata:bulk_file")).status_code == 404


def test_a_half_written_bulk_file_is_never_served(published_project, client):
    produce_releases()
    bulk = publish.write_bulk_file()
    assert bulk is not None
    # A newer file whose bytes are not all there yet (its name promises more).
    later = bulk.written_at + timedelta(seconds=1)
    stamp = later.strftime(publish.BULK_STAMP)
    name = f"{publish.BULK_DIR}/releases-{stamp}Z-{'0' * 12}-999999.json"
    default_storage.save(name, ContentFile(b'{"releases": ['))
    assert publish.current_bulk_file() == bulk
    response = client.get(reverse("opendata:bulk_file"))
    assert int(response["Content-Length"]) == bulk.size


# The open-data page ------------------------------------------------------------------------------


def test_the_open_data_page_explains_the_data(published_project, client):
    response = client.get(reverse("opendata:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No project has been published yet" in page
    produce_releases()
    bulk = publish.write_bulk_file()
    assert bulk is not None
    page = client.get(reverse("opendata:overview")).content.decode()
    assert "ocds-lupin0" in page
    assert "NLOD 2.0" in page
    assert mapping.LICENCE_URL in page
    assert reverse("opendata:bulk_file") in page
    assert filesizeformat(bulk.size) in page
    assert f"/api/v1/ocds/records/ocds-lupin0-{published_project.pk}" in page
    for tag, _when in mapping.RELEASE_TAGS:
        assert f"<code>{tag}</code>" in page
    assert "planning.rationale" in page
    assert "internal notes" in page


def test_the_open_data_page_speaks_bokmal(db, client):
    response = client.get(reverse("opendata:overview"), headers={"accept-language": "nb"})
    assert response.status_code == 200
    assert '<html lang="nb"' in response.content.decode()


# The scheduler -----------------------------------------------------------------------------------


def test_one_scheduler_round_publishes_the_releases_and_the_bulk_file(published_project, client):
    call_command("scheduler", "--once")
    assert Release.objects.count() == 1
    assert publish.current_bulk_file() is not None
    call_command("scheduler", "--once")
    assert Release.objects.count() == 1
