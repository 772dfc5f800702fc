"""The notice list (/notices/): Lupin's published projects and external notices together, with the
project list's filters and a source filter; and an external notice's page."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupin.accounts.models import Organisation
from lupin.conftest import make_project
from lupin.opendata.models import ExternalNotice
from lupin.opendata.tests.ocds_helpers import package, release, run, write
from lupin.projects import actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project

LIST = reverse("opendata:notice_list")
NBSP, NNBSP = "\u00a0", "\u202f"
_numbers = itertools.count(1)


def notice(title: str = "Snøbrøyting med sensorer", **fields: Any) -> ExternalNotice:
    number = next(_numbers)
    values: dict[str, Any] = {
        "source": "ocds",
        "publisher": "Doffin",
        "ocid": f"ocds-test00-{number}",
        "title": title,
        "buyer_name": "Solberg kommune",
        "cpv_codes": ["90620000"],
        "main_cpv": "90620000",
        "value": Decimal("600000"),
        "currency": "NOK",
        "deadline": dt.datetime(2025, 1, 15, 11, 0, tzinfo=dt.UTC),
        "published_at": dt.datetime(2024, 12, 1, tzinfo=dt.UTC),
        "url": f"https://doffin.example/notice/{number}",
    }
    values.update(fields)
    return ExternalNotice.objects.create(**values)


def cards(body: str) -> list[str]:
    """The titles of the list's cards, in order."""
    return [
        re.sub(r"\s+", " ", title).strip()
        for title in re.findall(r'<h3 class="ds-heading"[^>]*>\s*<a[^>]*>(.*?)</a>', body, re.S)
    ]


def page(client: Any, query: str = "") -> str:
    response = client.get(f"{LIST}{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_list_shows_projects_and_external_notices_together(login, published_project) -> None:
    notice("Veilys i sentrum")

    body = page(login(None))

    assert set(cards(body)) == {published_project.title, "Veilys i sentrum"}
    assert body.count('data-color="neutral">External</span>') == 1
    assert "2 notices found" in body


@pytest.mark.django_db
def test_an_external_row_shows_source_buyer_cpv_value_deadline_and_link(login) -> None:
    notice(url="https://doffin.example/n/7", publisher="Doffin")
    notice("Kraftlinje", value=Decimal("1300000000"), currency="PYG", publisher="DNCP")

    body = page(login(None))

    assert "Doffin" in body and "DNCP" in body and "Solberg kommune" in body
    assert "90620000 Snow-clearing services" in body
    assert f"600{NNBSP}000{NBSP}kr" in body
    assert f"1{NNBSP}300{NNBSP}000{NNBSP}000{NBSP}PYG" in body
    # Norwegian time, with the zone.
    assert '<time datetime="2025-01-15T12:00:00+01:00">15. January 2025 12:00 CET</time>' in body
    assert 'href="https://doffin.example/n/7" rel="noopener"' in body


@pytest.mark.django_db
def test_newest_first_whichever_the_kind(login, published_project) -> None:
    notice("Gammel kunngjøring", published_at=dt.datetime(2015, 1, 1, tzinfo=dt.UTC))
    notice("Framtidig kunngjøring", published_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))

    body = page(login(None))

    assert cards(body) == ["Framtidig kunngjøring", published_project.title, "Gammel kunngjøring"]


@pytest.mark.django_db
def test_the_source_filter_picks_one_kind(login, published_project) -> None:
    notice("Veilys i sentrum")
    client = login(None)

    assert cards(page(client, "?source=lupin")) == [published_project.title]
    assert cards(page(client, "?source=external")) == ["Veilys i sentrum"]


@pytest.mark.django_db
def test_a_phase_filter_leaves_the_external_notices_out(login, published_project) -> None:
    notice("Veilys i sentrum")

    assert cards(page(login(None), f"?phase={Phase.NEED}")) == [published_project.title]


@pytest.mark.django_db
def test_region_division_buyer_and_text_filter_the_external_notices(
    login, buyer_org: Organisation, published_project: Project
) -> None:
    notice("I Vestfold", nuts_region="NO081", cpv_codes=["48000000", "72000000"])
    notice("Fra Fjordvik", buyer_identifier=f"NO-ORG-{buyer_org.org_number}")
    notice("Av en annen", buyer_identifier="NO-ORG-9100000113", buyer_name="Annen kommune")
    client = login(None)

    assert cards(page(client, "?region=NO081")) == ["I Vestfold"]
    assert set(cards(page(client, "?division=72"))) == {"I Vestfold", published_project.title}
    assert set(cards(page(client, f"?buyer={buyer_org.pk}"))) == {
        "Fra Fjordvik",
        published_project.title,
    }
    assert cards(page(client, "?q=annen+kommune")) == ["Av en annen"]
    assert cards(page(client, "?q=ocds-test00")) != []


@pytest.mark.django_db
def test_drafts_are_not_listed_even_for_their_buyer(login, buyer, draft_project) -> None:
    notice("Veilys i sentrum")

    assert cards(page(login(buyer))) == ["Veilys i sentrum"]


@pytest.mark.django_db
def test_a_bad_filter_value_is_reported_and_the_rest_applies(login, published_project) -> None:
    notice("Veilys i sentrum")

    body = page(login(None), "?source=everything&q=Veilys")

    assert cards(body) == ["Veilys i sentrum"]
    assert 'aria-invalid="true"' in body


@pytest.mark.django_db
def test_the_list_is_paginated(login, published_project) -> None:
    for number in range(24):
        notice(f"Kunngjøring {number:02d}", published_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    client = login(None)

    first, second = page(client), page(client, "?page=2")

    assert len(cards(first)) == 20 and len(cards(second)) == 5
    assert cards(second)[-1] == published_project.title
    assert "25 notices found" in first


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_list(login, buyer, supplier) -> None:
    client = login(supplier)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client)
        return len(captured.captured_queries)

    actions.publish_project(buyer, make_project(buyer, "Første"))
    notice("En kunngjøring")
    few = queries()
    for number in range(6):
        actions.publish_project(buyer, make_project(buyer, f"Prosjekt {number}"))
        notice(f"Kunngjøring {number}", cpv_codes=["72000000", "48000000"])
    assert queries() == few


@pytest.mark.django_db
def test_an_htmx_request_gets_only_the_results(login, published_project) -> None:
    notice("Veilys i sentrum")

    response = login(None).get(LIST, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<html" not in body and "Veilys i sentrum" in body
    assert 'id="result-count" hx-swap-oob="innerHTML"' in body
    assert "HX-Request" in response["Vary"]


# An external notice's page


@pytest.fixture
def imported(db: None, tmp_path: Path) -> ExternalNotice:
    tender = {
        "title": "Velferdsteknologi",
        "status": "active",
        "procurementMethod": "open",
        "procurementMethodDetails": "Åpen anbudskonkurranse",
        "value": {"amount": 2500000, "currency": "NOK"},
        "tenderPeriod": {"endDate": "2025-03-01T12:00:00+01:00"},
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "72000000-5"}}],
        "deliveryAddresses": [{"region": "NO081"}],
    }
    first = release(id="plan", tag=["planning"], planning={"budget": {"description": "Plan"}})
    second = release(id="cn", date="2025-02-01T12:00:00+01:00", tender=tender)
    run(write(tmp_path, "doffin.json", package(first, second, publisher="Doffin")))
    return ExternalNotice.objects.get()


def test_an_external_notice_has_a_page_with_every_field_and_its_releases(
    login, imported: ExternalNotice
) -> None:
    response = login(None).get(reverse("opendata:notice_detail", args=[imported.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in body and "Velferdsteknologi" in body
    assert 'data-color="neutral">External</span>' in body
    for text in (
        imported.ocid,
        "Doffin",
        "72000000 IT services: consulting, software development, Internet and support",
        "Open procedure – Åpen anbudskonkurranse",
        "Active",
        f"2{NNBSP}500{NNBSP}000{NBSP}kr",
        "1. March 2025 12:00 CET",
        "(NO081)",
        "<code>plan</code>",
        "<code>cn</code>",
        "planning",
        "doffin.json",
        'href="https://data.example/package.json" rel="noopener"',
    ):
        assert text in body, text
    assert body.index("<code>cn</code>") < body.index("<code>plan</code>")  # newest first


def test_the_notice_page_makes_the_same_queries_however_many_releases(
    login, imported: ExternalNotice, tmp_path: Path
) -> None:
    client = login(None)
    url = reverse("opendata:notice_detail", args=[imported.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    more = [release(id=f"u{n}", date=f"2025-02-0{n}T13:00:00Z") for n in range(2, 9)]
    run(write(tmp_path, "more.json", package(*more)))

    with CaptureQueriesContext(connection) as after:
        body = client.get(url).content.decode()

    assert body.count("<code>u") == 7
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_compiled_release_is_merged_on_request_for_everyone(
    login, imported: ExternalNotice
) -> None:
    url = reverse("opendata:notice_compiled", args=[imported.pk])
    page = login(None).get(reverse("opendata:notice_detail", args=[imported.pk])).content.decode()

    response = login(None).get(url)

    assert f'href="{url}"' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    compiled = json.loads(response.content)
    # Both releases, merged: the planning of the first and the tender of the second.
    assert compiled["tag"] == ["compiled"]
    assert compiled["id"] == f"{imported.ocid}-2025-02-01T12:00:00+01:00"
    assert compiled["planning"]["budget"] == {"description": "Plan"}
    assert compiled["tender"]["title"] == "Velferdsteknologi"
    assert login(None).get(reverse("opendata:notice_compiled", args=[999])).status_code == 404


@pytest.mark.django_db
def test_an_unknown_notice_is_not_found(login) -> None:
    assert login(None).get(reverse("opendata:notice_detail", args=[999])).status_code == 404


@pytest.mark.django_db
def test_the_project_list_links_to_the_notices(login) -> None:
    body = login(None).get(reverse("projects:list")).content.decode()

    assert f'href="{LIST}"' in body
