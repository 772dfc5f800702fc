"""A supplier through the pages: follow, ask, submit, replace and withdraw a sealed tender, read
its receipts. Each refusal gives a clear message and stores nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import reverse
from django.utils import formats

from lupin.audit.models import AuditEntry
from lupin.competitions.models import (
    Competition,
    InterestedSupplier,
    Question,
    Tender,
    TenderFile,
    TenderStatus,
)
from lupin.competitions.tests.conftest import MARKER, tender_file
from lupin.lib.sealing import DEFAULT_CHUNK_SIZE

OSLO = ZoneInfo("Europe/Oslo")


def url(name: str, competition: Competition, *args: int) -> str:
    return reverse(f"competitions:{name}", args=[competition.pk, *args])


def body(response) -> str:
    return response.content.decode()


def sealed_files(media: Path) -> list[Path]:
    return [p for p in (media / "sealed").rglob("*") if p.is_file()] if media.exists() else []


def submit(client, competition, price="1 250 000,50", files=None, **extra):
    uploads = files if files is not None else [tender_file()]
    return client.post(url("tender", competition), {"price": price, "file": uploads}, **extra)


# Following and questions


def test_supplier_follows_the_competition(login, supplier, competition):
    response = login(supplier).post(url("follow", competition), follow=True)
    assert "Your organisation follows this competition" in body(response)
    assert InterestedSupplier.objects.filter(
        competition=competition, organisation=supplier.organisation
    ).exists()


def test_anonymous_follow_goes_to_login(login, competition):
    response = login(None).post(url("follow", competition))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not InterestedSupplier.objects.exists()


def test_buyer_side_has_no_supplier_controls(login, buyer, competition):
    client = login(buyer)
    assert client.post(url("follow", competition)).status_code == 404
    assert client.get(url("tender", competition)).status_code == 404
    assert client.get(url("my_tenders", competition)).status_code == 404


def test_supplier_asks_a_question_that_only_its_organisation_sees(
    login, supplier, rival, competition
):
    response = login(supplier).post(
        url("ask", competition), {"text": "Kan leveransen deles i to?"}, follow=True
    )
    assert "Your question is sent to the buyer" in body(response)
    assert Question.objects.filter(organisation=supplier.organisation).count() == 1
    assert "Kan leveransen deles i to?" in body(login(supplier).get(url("detail", competition)))
    assert "Kan leveransen deles i to?" not in body(login(rival).get(url("detail", competition)))
    assert "Kan leveransen deles i to?" not in body(login(None).get(url("detail", competition)))


def test_an_empty_question_shows_an_error_on_the_notice(login, supplier, competition):
    response = login(supplier).post(url("ask", competition), {"text": ""})
    assert response.status_code == 200
    assert "This field is required" in body(response)
    assert not Question.objects.exists()


def test_a_question_after_the_question_deadline_is_refused(login, supplier, competition):
    with time_machine.travel(competition.question_deadline + timedelta(seconds=1), tick=False):
        response = login(supplier).post(url("ask", competition), {"text": "Sent?"}, follow=True)
    assert "The deadline for questions has passed." in body(response)
    assert not Question.objects.exists()


# The tender page


def test_tender_page_shows_the_deadline_in_oslo_time_and_that_versions_stay_sealed(
    login, supplier, competition
):
    page = body(login(supplier).get(url("tender", competition)))
    assert 'type="file"' in page and "multiple" in page
    assert "Tender deadline:" in page
    assert " CET" in page or " CEST" in page
    assert "Time left:" in page
    assert "encrypted when they arrive" in page
    submit(login(supplier), competition)
    page = body(login(supplier).get(url("tender", competition)))
    assert "The earlier version is kept, sealed" in page


def test_submission_with_two_files_and_a_norwegian_price_gives_a_receipt(
    login, supplier, competition
):
    client = login(supplier)
    first = tender_file("tilbud.pdf", b"%PDF-1.4 " + MARKER)
    second = tender_file("priser.csv", b"linje;pris\n1;100\n")
    response = submit(client, competition, price="1 250 000,50", files=[first, second])
    tender = Tender.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("receipt", competition, tender.pk)
    receipt = client.get(response["Location"])
    page = body(receipt)
    assert "tilbud.pdf" in page and "priser.csv" in page  # right after submission only
    assert hashlib.sha256(b"%PDF-1.4 " + MARKER).hexdigest() in page
    assert hashlib.sha256(b"linje;pris\n1;100\n").hexdigest() in page
    assert tender.receipt_hash in page
    assert f"<code>{tender.received_at.astimezone(UTC).isoformat()}</code>" in page
    oslo = formats.date_format(tender.received_at.astimezone(OSLO), "j. F Y H:i:s T")
    assert oslo in page and oslo.endswith(("CET", "CEST"))
    assert "Version" in page and "version 1" in page
    # A later visit: sizes and hashes, no names (they are sealed until opening).
    later = body(client.get(response["Location"]))
    assert "tilbud.pdf" not in later and "priser.csv" not in later
    assert hashlib.sha256(b"%PDF-1.4 " + MARKER).hexdigest() in later
    assert f"{len(b'%PDF-1.4 ' + MARKER)} bytes" in later


def test_receipt_names_cookie_is_signed_and_scoped(login, supplier, competition):
    client = login(supplier)
    response = submit(client, competition)
    cookie = response.cookies["lupin_receipt"]
    assert cookie["path"] == response["Location"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert "tilbud" not in cookie.value  # compressed and signed, not a readable list
    client.cookies["lupin_receipt"] = cookie.value[:-2] + "xx"
    assert "tilbud.pdf" not in body(client.get(response["Location"]))


def test_invalid_price_is_refused_next_to_the_field_and_nothing_is_stored(
    login, supplier, competition, media
):
    client = login(supplier)
    response = submit(client, competition, price="tolv kroner")
    assert response.status_code == 400
    assert "Write the price as a number" in body(response)
    response = submit(client, competition, price="0")
    assert response.status_code == 400
    assert "The price must be more than zero." in body(response)
    assert not Tender.objects.exists()
    assert sealed_files(media) == []


def test_a_file_of_a_forbidden_type_is_refused_by_name(login, supplier, competition):
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/octet-stream")
    response = submit(login(supplier), competition, files=[tender_file(), bad])
    assert response.status_code == 400
    assert "virus.exe: Files of this type cannot be uploaded" in body(response)
    assert not Tender.objects.exists()


def test_an_oversized_upload_is_refused_with_a_message(login, supplier, competition, settings):
    settings.LUPIN_TENDER_MAX_BYTES = 1024
    big = tender_file("stor.pdf", b"%PDF-1.4 " + b"x" * 2048)
    response = submit(login(supplier), competition, files=[big])
    assert response.status_code == 400
    assert "stor.pdf: The file is too large" in body(response)
    assert not Tender.objects.exists()


def test_tender_files_have_their_own_larger_limit_and_are_still_checked(
    login, supplier, competition, settings
):
    settings.LUPIN_UPLOAD_MAX_BYTES = 1024  # other uploads
    settings.LUPIN_TENDER_MAX_BYTES = 64 * 1024
    fake = SimpleUploadedFile("tegning.pdf", b"not a pdf" + b"x" * 4096, "application/pdf")
    response = submit(login(supplier), competition, files=[fake])
    assert response.status_code == 400
    assert "is not a valid .pdf file" in body(response) and "tegning.pdf: " in body(response)
    drawing = tender_file("tegning.pdf", b"%PDF-1.4 " + b"x" * 4096)
    assert submit(login(supplier), competition, files=[drawing]).status_code == 302
    assert Tender.objects.count() == 1


def test_a_body_far_over_the_limit_is_stopped_at_the_door(login, supplier, competition, settings):
    settings.LUPIN_UPLOAD_MAX_BYTES = settings.LUPIN_TENDER_MAX_BYTES = 1024
    huge = tender_file("enorm.pdf", b"%PDF-1.4 " + b"x" * (1024 * 1024 + 4096))
    response = submit(login(supplier), competition, files=[huge])
    assert response.status_code == 413
    assert "too large" in body(response)
    assert not Tender.objects.exists()


def test_the_view_streams_uploads_and_never_reads_a_whole_file(
    login, supplier, competition, settings, monkeypatch
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # larger files go to a temporary file
    reads: list[int | None] = []

    def recording(self):
        def read(size=-1, *args):
            reads.append(size)
            return self.file.read(size, *args)

        return read

    monkeypatch.setattr(TemporaryUploadedFile, "read", property(recording))
    payload = b"%PDF-1.4 " + b"y" * (3 * DEFAULT_CHUNK_SIZE)
    response = submit(login(supplier), competition, files=[tender_file("stor.pdf", payload)])
    assert response.status_code == 302, body(response)
    assert reads, "the upload did not go through a temporary file"
    assert all(size is not None and 0 <= size <= DEFAULT_CHUNK_SIZE for size in reads), reads
    assert TenderFile.objects.get().size == len(payload)


# The deadline, to the second


def test_one_second_before_the_deadline_is_received(login, supplier, competition):
    with time_machine.travel(competition.tender_deadline - timedelta(seconds=1), tick=False):
        response = submit(login(supplier), competition)
    assert response.status_code == 302
    assert Tender.objects.count() == 1


def test_at_the_deadline_second_the_tender_is_refused_and_nothing_is_stored(
    login, supplier, competition, media
):
    with time_machine.travel(competition.tender_deadline, tick=False):
        response = submit(login(supplier), competition, follow=True)
    page = body(response)
    assert "Your tender was not received: the tender deadline was" in page
    assert "Nothing was stored" in page
    assert not Tender.objects.exists()
    assert not TenderFile.objects.exists()
    assert sealed_files(media) == []
    assert AuditEntry.objects.filter(action="tender.submit_refused").exists()


# Replacing and withdrawing


def test_replacing_creates_version_2_and_keeps_version_1_sealed(login, supplier, competition):
    client = login(supplier)
    submit(client, competition, price="100")
    submit(client, competition, price="90", files=[tender_file(body=b"%PDF-1.4 ny versjon")])
    first, second = Tender.objects.order_by("version")
    assert (first.version, first.status) == (1, TenderStatus.REPLACED)
    assert (second.version, second.status) == (2, TenderStatus.SUBMITTED)
    assert first.files.count() == 1 and bytes(first.sealed_price)  # kept, still sealed
    page = body(client.get(url("my_tenders", competition)))
    assert "Version 1" in page and "Version 2" in page
    assert first.receipt_hash in page and second.receipt_hash in page
    assert "Replaced by a later version" in page


def test_withdrawal_needs_confirmation(login, supplier, competition):
    client = login(supplier)
    submit(client, competition)
    response = client.post(url("tender_withdraw", competition), follow=True)
    assert "Tick the box to confirm" in body(response)
    assert Tender.objects.get().status == TenderStatus.SUBMITTED
    response = client.post(url("tender_withdraw", competition), {"confirm": "on"}, follow=True)
    assert "is withdrawn" in body(response)
    tender = Tender.objects.get()
    assert tender.status == TenderStatus.WITHDRAWN and tender.withdrawn_at is not None


def test_withdrawal_after_the_deadline_is_refused(login, supplier, competition):
    submit(login(supplier), competition)
    with time_machine.travel(competition.tender_deadline, tick=False):
        client = login(supplier)  # the session from 41 days before has expired
        response = client.post(url("tender_withdraw", competition), {"confirm": "on"}, follow=True)
    assert "can no longer be withdrawn" in body(response)
    assert Tender.objects.get().status == TenderStatus.SUBMITTED


@pytest.mark.parametrize("name", ["tender", "my_tenders"])
def test_supplier_pages_send_anonymous_visitors_to_login(login, competition, name):
    response = login(None).get(url(name, competition))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
