"""The competition endpoints of /api/v1/, for each role that must and must not reach them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import Client

from lupin.accounts.actions import create_api_token
from lupin.accounts.models import User
from lupin.audit.models import AuditEntry
from lupin.competitions import actions
from lupin.competitions.models import Competition, Tender, TenderStatus
from lupin.competitions.tests.conftest import MARKER, make_competition, tender_file
from lupin.lib.sealing import DEFAULT_CHUNK_SIZE

LIST = "/api/v1/competitions"


def url(competition: Competition | int, rest: str = "") -> str:
    pk = competition if isinstance(competition, int) else competition.pk
    return f"{LIST}/{pk}{rest}"


def bearer(user: User) -> dict[str, Any]:
    _, raw = create_api_token(user, user, "test integration")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    """Every failure has the one error format: {"error": {"code", "message"[, "fields"]}}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert set(body["error"]) <= {"code", "message", "fields"}
    if field is not None:
        assert field in body["error"]["fields"], body


def send(client: Client, competition: Competition, headers: dict[str, Any], **data: Any) -> Any:
    data.setdefault("price", "1000")
    data.setdefault("file", [tender_file()])
    return client.post(url(competition, "/tenders"), data=data, **headers)


@pytest.fixture
def as_supplier(supplier: User) -> dict[str, Any]:
    return bearer(supplier)


@pytest.fixture
def as_rival(rival: User) -> dict[str, Any]:
    return bearer(rival)


# The notice


def test_list_is_public_paginated_and_without_drafts(client, buyer, media):
    first = make_competition(buyer, title="Første")
    second = make_competition(buyer, title="Andre")
    make_competition(buyer, announce=False, title="Utkast")
    response = client.get(LIST, {"limit": 1})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert len(data["items"]) == 1
    titles = {
        data["items"][0]["title"],
        client.get(LIST, {"offset": 1}).json()["items"][0]["title"],
    }
    assert titles == {first.title, second.title}
    item = data["items"][0]
    assert item["open_for_tenders"] is True
    assert item["deadlines"]["tenders"].endswith("Z") or item["deadlines"]["tenders"].endswith(
        "+00:00"
    )
    assert item["buyer"]["name"] == "Fjordvik kommune"


def test_list_rejects_a_bad_page_size(client, db):
    assert_error(client.get(LIST, {"limit": 0}), 422, "invalid", "limit")


def test_notice_has_criteria_documents_and_the_time_left_by_the_server(client, competition):
    with time_machine.travel(competition.tender_deadline - timedelta(seconds=61), tick=False):
        data = client.get(url(competition)).json()
    assert data["seconds_left"] == 61
    assert {c["name"]: c["weight"] for c in data["criteria"]} == {
        "Pris": "40.00",
        "Kvalitet": "30.00",
        "Miljø": "30.00",
    }
    assert data["regime"]
    (document,) = data["documents"]
    assert client.get(document["url"]).status_code == 200  # no login needed


def test_a_draft_is_not_found_outside_the_project(client, buyer, supplier, media):
    draft = make_competition(buyer, announce=False)
    assert_error(client.get(url(draft)), 404, "not_found")
    assert_error(client.get(url(draft), **bearer(supplier)), 404, "not_found")
    assert client.get(url(draft), **bearer(buyer)).status_code == 200


# Submitting


def test_multipart_submission_with_two_files_answers_the_receipt(client, competition, as_supplier):
    one = b"%PDF-1.4 " + MARKER
    two = b"linje;pris\n1;100\n"
    response = send(
        client,
        competition,
        as_supplier,
        price="1 250 000,50",
        file=[tender_file("tilbud.pdf", one), tender_file("priser.csv", two)],
    )
    assert response.status_code == 201, response.content
    receipt = response.json()
    tender = Tender.objects.get()
    assert receipt["tender_id"] == tender.pk
    assert receipt["version"] == 1
    assert receipt["receipt_hash"] == tender.receipt_hash
    assert receipt["received_at"] == tender.received_at.astimezone(UTC).isoformat()  # exact
    assert receipt["files"] == [
        {"name": "tilbud.pdf", "size": len(one), "sha256": hashlib.sha256(one).hexdigest()},
        {"name": "priser.csv", "size": len(two), "sha256": hashlib.sha256(two).hexdigest()},
    ]


def test_a_second_submission_replaces_the_first_which_stays_sealed(
    client, competition, as_supplier
):
    send(client, competition, as_supplier, price="100")
    response = send(client, competition, as_supplier, price="90")
    assert response.json()["version"] == 2
    statuses = list(Tender.objects.order_by("version").values_list("status", flat=True))
    assert statuses == [TenderStatus.REPLACED, TenderStatus.SUBMITTED]


def test_the_api_streams_uploads_and_never_reads_a_whole_file(
    client, competition, as_supplier, settings, monkeypatch
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # larger files go to a temporary file
    reads: list[int | None] = []

    def recording(self):
        def read(size=-1):
            reads.append(size)
            return self.file.read(size)

        return read

    monkeypatch.setattr(TemporaryUploadedFile, "read", property(recording))
    payload = b"%PDF-1.4 " + b"y" * (3 * DEFAULT_CHUNK_SIZE)
    response = send(client, competition, as_supplier, file=[tender_file("stor.pdf", payload)])
    assert response.status_code == 201, response.content
    assert reads, "the upload did not go through a temporary file"
    assert all(size is not None and 0 <= size <= DEFAULT_CHUNK_SIZE for size in reads), reads
    assert response.json()["files"][0]["size"] == len(payload)


@pytest.mark.parametrize("price", ["tolv kroner", "", "1e40"])
def test_an_unreadable_price_is_a_422_naming_the_field(client, competition, as_supplier, price):
    assert_error(send(client, competition, as_supplier, price=price), 422, "invalid", "price")
    assert not Tender.objects.exists()


@pytest.mark.parametrize("price", ["0", "-5"])
def test_a_price_of_zero_or_less_is_a_400_naming_the_field(client, competition, as_supplier, price):
    assert_error(send(client, competition, as_supplier, price=price), 400, "refused", "price")
    assert not Tender.objects.exists()


def test_a_submission_without_files_is_refused_naming_the_field(client, competition, as_supplier):
    response = client.post(url(competition, "/tenders"), data={"price": "100"}, **as_supplier)
    assert_error(response, 400, "refused", "file")
    assert not Tender.objects.exists()


def test_a_file_of_a_forbidden_type_is_a_422(client, competition, as_supplier):
    bad = tender_file("virus.exe", b"MZ\x90\x00")
    assert_error(send(client, competition, as_supplier, file=[bad]), 422, "invalid", "file")
    assert not Tender.objects.exists()


def test_submission_at_the_deadline_second_is_refused_as_deadline_passed(
    client, competition, supplier
):
    with time_machine.travel(competition.tender_deadline - timedelta(seconds=1), tick=False):
        assert send(client, competition, bearer(supplier)).status_code == 201
    with time_machine.travel(competition.tender_deadline, tick=False):
        response = send(client, competition, bearer(supplier), price="1")
    assert_error(response, 403, "deadline_passed")
    assert Tender.objects.count() == 1
    assert AuditEntry.objects.filter(action="tender.submit_refused").exists()


def test_anonymous_submission_is_a_401(client, competition):
    assert_error(send(client, competition, {}), 401, "unauthenticated")
    assert not Tender.objects.exists()


def test_a_buyer_cannot_submit(client, buyer, competition):
    assert_error(send(client, competition, bearer(buyer)), 403, "forbidden")
    assert not Tender.objects.exists()


def test_a_session_submission_needs_the_csrf_token(competition, supplier):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supplier)
    assert_error(send(client, competition, {}), 403, "http_403")
    assert not Tender.objects.exists()


# The supplier's own tenders


def test_mine_lists_only_the_callers_organisation(client, competition, as_supplier, as_rival):
    send(client, competition, as_supplier, price="100")
    send(client, competition, as_supplier, price="90")
    send(client, competition, as_rival, price="80")
    mine = client.get(url(competition, "/tenders/mine"), **as_supplier).json()
    assert [t["version"] for t in mine] == [1, 2]
    assert [t["status"] for t in mine] == ["replaced", "submitted"]
    own = set(Tender.objects.filter(organisation__name="Nordlys Teknologi AS").values_list("pk"))
    assert {(t["tender_id"],) for t in mine} == own
    assert all("name" not in f for t in mine for f in t["files"])  # names stay sealed
    theirs = client.get(url(competition, "/tenders/mine"), **as_rival).json()
    assert [t["version"] for t in theirs] == [1]
    assert theirs[0]["tender_id"] not in {t["tender_id"] for t in mine}


def test_mine_needs_a_caller(client, competition):
    assert_error(client.get(url(competition, "/tenders/mine")), 401, "unauthenticated")


# The buyer's list


def test_buyer_list_is_refused_before_opening_and_the_refusal_is_audited(
    client, buyer, competition, as_supplier
):
    send(client, competition, as_supplier)
    assert_error(client.get(url(competition, "/tenders"), **bearer(buyer)), 403, "sealed")
    refusal = AuditEntry.objects.get(action="tender.read_refused")
    assert refusal.actor == buyer
    assert refusal.subject_id == str(competition.pk)
    assert not AuditEntry.objects.filter(action="tender.price_read").exists()


def test_buyer_list_needs_a_caller(client, competition):
    assert_error(client.get(url(competition, "/tenders")), 401, "unauthenticated")


def _open(competition: Competition, buyer: User, colleague: User) -> None:
    actions.approve_opening(buyer, competition)
    actions.approve_opening(colleague, competition)


def test_after_opening_only_declared_team_members_get_the_list(
    client, buyer, buyer_colleague, evaluator, competition, supplier, rival
):
    send(client, competition, bearer(supplier), price="100")
    send(client, competition, bearer(supplier), price="1 250 000,50")
    send(client, competition, bearer(rival), price="990000")
    actions.add_team_member(buyer, competition, evaluator)  # the team is set before opening
    with time_machine.travel(competition.opening_at + timedelta(minutes=1), tick=False):
        _open(competition, buyer, buyer_colleague)
        as_evaluator = bearer(evaluator)
        assert_error(client.get(url(competition, "/tenders"), **as_evaluator), 403, "forbidden")
        actions.declare_no_conflict(evaluator, competition, "Ingen interessekonflikt.")
        response = client.get(url(competition, "/tenders"), **as_evaluator)
        assert response.status_code == 200, response.content
        rows = {row["organisation"]["name"]: row for row in response.json()}
        assert set(rows) == {"Nordlys Teknologi AS", "Konkurrent AS"}
        assert rows["Nordlys Teknologi AS"]["version"] == 2  # the live version only
        assert rows["Nordlys Teknologi AS"]["price"] == "1250000.50"
        assert rows["Konkurrent AS"]["price"] == "990000.00"
        assert datetime.fromisoformat(rows["Konkurrent AS"]["received_at"]).tzinfo == UTC
        assert AuditEntry.objects.filter(action="tender.price_read").count() == 2
        # The lead buyer opened the tenders but is not on the team: refused, and logged.
        assert_error(client.get(url(competition, "/tenders"), **bearer(buyer)), 403, "forbidden")
        for supplier_user in (supplier, rival):
            assert_error(
                client.get(url(competition, "/tenders"), **bearer(supplier_user)), 403, "forbidden"
            )
    assert AuditEntry.objects.filter(action="tender.read_refused").count() == 4
