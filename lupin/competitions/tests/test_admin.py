from decimal import Decimal

from django.urls import reverse

from lupin.competitions import actions
from lupin.competitions.tests.conftest import MARKER, tender_file


def test_the_admin_never_shows_sealed_content(competition, supplier, admin_user, login):
    receipt = actions.submit_tender(
        supplier, competition, uploads=[tender_file()], price=Decimal("4242424")
    )
    client = login(admin_user)
    page = client.get(reverse("admin:competitions_tender_change", args=[receipt.tender.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "4242424" not in html
    assert MARKER.decode() not in html
    assert "tilbud.pdf" not in html  # the file name is sealed too
    assert receipt.tender.receipt_hash in html


def test_the_admin_cannot_change_or_delete_a_tender(competition, supplier, admin_user, login):
    receipt = actions.submit_tender(
        supplier, competition, uploads=[tender_file()], price=Decimal("100")
    )
    client = login(admin_user)
    response = client.post(
        reverse("admin:competitions_tender_delete", args=[receipt.tender.pk]), {"post": "yes"}
    )
    assert response.status_code == 403


def test_the_admin_cannot_change_a_competition(competition, admin_user, login):
    client = login(admin_user)
    page = client.post(
        reverse("admin:competitions_competition_change", args=[competition.pk]),
        {"title": "Endret", "price_model": "linear_min_max"},
    )
    assert page.status_code == 403
    competition.refresh_from_db()
    assert competition.title != "Endret"
