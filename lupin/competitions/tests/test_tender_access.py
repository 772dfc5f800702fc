"""The security core of sealed tenders through the pages and the API (Annex IV b, d, f):
no one but the submitting organisation reaches its tender, and nothing of it is stored in
plaintext."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from lupin.accounts.actions import create_api_token
from lupin.accounts.models import User
from lupin.competitions import actions
from lupin.competitions.models import Competition, Tender
from lupin.competitions.tests.conftest import MARKER, make_competition, tender_file

PRICE = "918273645,37"
PRICE_DIGITS = b"918273645"
OUTSIDERS = ["rival", "buyer", "buyer_colleague", "evaluator", "cobuyer", "advisor"]


def bearer(user: User) -> dict[str, Any]:
    _, raw = create_api_token(user, user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def receipt_url(competition: Competition, tender: Tender) -> str:
    return reverse("competitions:receipt", args=[competition.pk, tender.pk])


def submit_page(login, user: User, competition: Competition, **file: Any) -> Tender:
    upload = tender_file(**file)
    response = login(user).post(
        reverse("competitions:tender", args=[competition.pk]), {"price": PRICE, "file": [upload]}
    )
    assert response.status_code == 302, response.content
    return Tender.objects.filter(organisation=user.organisation).latest("version")


@pytest.fixture
def submitted(login, supplier, competition) -> Tender:
    return submit_page(login, supplier, competition)


# Nobody else reaches the tender


@pytest.mark.parametrize("role", OUTSIDERS)
def test_no_one_else_opens_the_suppliers_receipt(request, login, competition, submitted, role):
    user = request.getfixturevalue(role)
    assert login(user).get(receipt_url(competition, submitted)).status_code == 404


def test_anonymous_visitors_are_sent_to_login_for_a_receipt(login, competition, submitted):
    response = login(None).get(receipt_url(competition, submitted))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_receipt_under_another_competition_is_not_found(
    login, buyer, supplier, competition, submitted
):
    other = make_competition(buyer, title="En annen konkurranse")
    assert login(supplier).get(receipt_url(other, submitted)).status_code == 404


def test_rival_pages_show_nothing_of_the_suppliers_tender(login, rival, competition, submitted):
    client = login(rival)
    for name in ("detail", "tender", "my_tenders"):
        page = client.get(reverse(f"competitions:{name}", args=[competition.pk])).content.decode()
        assert submitted.receipt_hash not in page
        assert receipt_url(competition, submitted) not in page
    my_tenders = client.get(reverse("competitions:my_tenders", args=[competition.pk]))
    assert "has not sent a tender" in my_tenders.content.decode()


def test_a_colleague_of_the_supplier_sees_the_receipt(login, supplier_org, competition, submitted):
    colleague = User.objects.create_user(
        username="kollega", organisation=supplier_org, role="supplier_member", email="k@x.org"
    )
    response = login(colleague).get(receipt_url(competition, submitted))
    assert response.status_code == 200
    assert submitted.receipt_hash in response.content.decode()


def test_rival_api_never_returns_the_suppliers_tender(client, rival, competition, submitted):
    headers = bearer(rival)
    mine = client.get(f"/api/v1/competitions/{competition.pk}/tenders/mine", **headers)
    assert mine.status_code == 200 and mine.json() == []
    listing = client.get(f"/api/v1/competitions/{competition.pk}/tenders", **headers)
    assert listing.status_code == 403
    assert submitted.receipt_hash not in listing.content.decode()


@pytest.mark.parametrize("role", ["buyer", "evaluator", "advisor"])
def test_buyer_side_gets_no_tender_through_the_api_before_opening(
    request, client, competition, submitted, role
):
    headers = bearer(request.getfixturevalue(role))
    response = client.get(f"/api/v1/competitions/{competition.pk}/tenders", **headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "sealed"
    mine = client.get(f"/api/v1/competitions/{competition.pk}/tenders/mine", **headers)
    assert mine.json() == []


# Nothing in plaintext


def _plaintext_columns(needle: bytes) -> list[str]:
    """Every table.column whose value contains `needle` (as bytes or as text)."""
    found = []
    text = needle.decode()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else None
                    if (raw is not None and needle in raw) or (
                        isinstance(value, str) and text in value
                    ):
                        found.append(f"{table}.{column}")
    return found


def _files_containing(media: Path, needle: bytes) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_after_a_page_submission_no_file_and_no_column_holds_the_plaintext(
    login, supplier, competition, media
):
    submit_page(login, supplier, competition)
    assert list((media / "sealed").rglob("*.sealed"))  # the tender was stored, sealed
    assert _files_containing(media, MARKER) == []
    assert _plaintext_columns(MARKER) == []
    assert _plaintext_columns(PRICE_DIGITS) == []


def test_after_an_api_submission_no_file_and_no_column_holds_the_plaintext(
    client, supplier, competition, media
):
    response = client.post(
        f"/api/v1/competitions/{competition.pk}/tenders",
        data={"price": PRICE, "file": [tender_file(), tender_file("vedlegg.txt", MARKER)]},
        **bearer(supplier),
    )
    assert response.status_code == 201, response.content
    assert _files_containing(media, MARKER) == []
    assert _plaintext_columns(MARKER) == []
    assert _plaintext_columns(PRICE_DIGITS) == []


def test_file_names_are_not_stored_in_plaintext(login, supplier, competition, media):
    submit_page(login, supplier, competition, name=f"tilbud-{MARKER.decode()}.pdf")
    assert _plaintext_columns(MARKER) == []


def test_the_sealed_price_is_what_the_supplier_typed_read_only_after_opening(
    competition, submitted, buyer, buyer_colleague, evaluator
):
    with pytest.raises(actions.Refused):
        actions.read_price(buyer, submitted)
    actions.add_team_member(buyer, competition, evaluator)
    with time_machine.travel(competition.opening_at + timedelta(minutes=1), tick=False):
        actions.approve_opening(buyer, competition)
        actions.approve_opening(buyer_colleague, competition)
        actions.declare_no_conflict(evaluator, competition, "Ingen interessekonflikt.")
        assert actions.read_price(evaluator, submitted) == Decimal("918273645.37")
