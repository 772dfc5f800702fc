"""Annex IV (a)-(g) at the level of actions: every requirement has a test here."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection

from lupin.audit.log import verify
from lupin.audit.models import AuditEntry
from lupin.competitions import actions
from lupin.competitions.actions import CompetitionError, Refused
from lupin.competitions.models import CompetitionStatus, Tender, TenderStatus
from lupin.competitions.tests.conftest import MARKER, tender_file


def submit(user, competition, price="1250000", body=None):
    upload = tender_file() if body is None else tender_file(body=body)
    return actions.submit_tender(user, competition, uploads=[upload], price=Decimal(price))


def test_receipt_has_the_exact_time_and_the_sha256_of_every_file(competition, supplier):
    import hashlib

    body = b"%PDF-1.4 " + MARKER
    receipt = submit(supplier, competition, body=body)
    assert receipt.tender.received_at is not None  # (a)
    assert receipt.files == [("tilbud.pdf", len(body), hashlib.sha256(body).hexdigest())]
    assert len(receipt.tender.receipt_hash) == 64


def test_submission_at_the_deadline_second_is_refused_and_logged(competition, supplier):
    with time_machine.travel(competition.tender_deadline - timedelta(seconds=1), tick=False):
        submit(supplier, competition)
    with (
        time_machine.travel(competition.tender_deadline, tick=False),
        pytest.raises(Refused),
    ):
        submit(supplier, competition, price="1")
    assert Tender.objects.count() == 1
    assert AuditEntry.objects.filter(action="tender.submit_refused").exists()  # (g)


def test_nothing_is_stored_in_plaintext(competition, supplier, media):  # (b)
    submit(supplier, competition, price="987654321")
    for path in media.rglob("*"):
        if path.is_file() and "sealed" in path.parts:
            assert MARKER not in path.read_bytes()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_price FROM competitions_tender")
        (blob,) = cursor.fetchone()
    assert b"987654321" not in bytes(blob)


def test_replacing_keeps_the_earlier_version_sealed(competition, supplier):
    first = submit(supplier, competition, price="100").tender
    second = submit(supplier, competition, price="90").tender
    first.refresh_from_db()
    assert (first.status, second.status) == (TenderStatus.REPLACED, TenderStatus.SUBMITTED)
    assert second.version == 2


def test_withdrawal_before_the_deadline(competition, supplier):
    submit(supplier, competition)
    tender = actions.withdraw_tender(supplier, competition)
    assert tender.status == TenderStatus.WITHDRAWN


def test_nobody_reads_before_opening(competition, buyer, buyer_colleague, supplier):  # (b)(d)
    tender = submit(supplier, competition).tender
    actions.add_team_member(buyer, competition, buyer_colleague)
    actions.declare_no_conflict(buyer_colleague, competition, "Ingen interessekonflikt.")
    with pytest.raises(Refused):
        actions.read_price(buyer_colleague, tender)
    assert AuditEntry.objects.filter(action="tender.read_refused").count() == 1


def test_opening_before_the_deadline_is_refused_and_logged(competition, buyer):  # (b)(c)(g)
    with pytest.raises(Refused):
        actions.approve_opening(buyer, competition)
    assert AuditEntry.objects.filter(action="tender.open_refused").count() == 1


def test_one_buyer_cannot_open_alone(competition, buyer, buyer_colleague, supplier):  # (c)
    submit(supplier, competition)
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        opened = actions.approve_opening(buyer, competition)
        assert opened.status == CompetitionStatus.CLOSED
        with pytest.raises(CompetitionError, match="already approved"):
            actions.approve_opening(buyer, competition)
        opened = actions.approve_opening(buyer_colleague, competition)
    assert opened.status == CompetitionStatus.OPENED


def test_evaluators_cannot_approve_opening(competition, evaluator, rival):
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        for outsider in (evaluator, rival):
            with pytest.raises(Refused):
                actions.approve_opening(outsider, competition)


def test_after_opening_only_declared_team_members_read(
    competition, buyer, buyer_colleague, evaluator, supplier, rival
):  # (d)(f)
    tender = submit(supplier, competition, price="1250000").tender
    actions.add_team_member(buyer, competition, evaluator)
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        actions.approve_opening(buyer, competition)
        actions.approve_opening(buyer_colleague, competition)
        with pytest.raises(Refused):
            actions.read_price(evaluator, tender)  # no declaration yet
        actions.declare_no_conflict(evaluator, competition, "Jeg har ingen bindinger.")
        assert actions.read_price(evaluator, tender) == Decimal("1250000.00")
        for outsider in (buyer, rival, supplier):
            with pytest.raises(Refused):
                actions.read_price(outsider, tender)
        with actions.read_file(evaluator, tender.files.get(), 0) as handle:
            assert MARKER in handle.read()
    assert AuditEntry.objects.filter(action="tender.price_read").count() == 1
    assert AuditEntry.objects.filter(action="tender.file_read").count() == 1


def test_deadline_changes_only_by_the_lead_buyer_and_logged(competition, rival, cobuyer, buyer):
    new = competition.tender_deadline + timedelta(days=7)
    kwargs = {
        "question_deadline": competition.question_deadline,
        "last_answer_at": competition.last_answer_at,
        "tender_deadline": new,
        "opening_at": new + timedelta(minutes=5),
        "reason": "Spørsmål krever mer tid",
    }
    for outsider in (rival, cobuyer):
        with pytest.raises(PermissionDenied):
            actions.change_timeline(outsider, competition, **kwargs)
    actions.change_timeline(buyer, competition, **kwargs)
    competition.refresh_from_db()
    assert competition.tender_deadline == new
    assert AuditEntry.objects.filter(action="competition.timeline_changed").exists()


def test_a_deadline_shorter_than_the_law_allows_is_refused_naming_the_rule(buyer, media):
    from django.utils import timezone

    from lupin.competitions.tests.conftest import make_competition

    now = timezone.now()
    with pytest.raises(CompetitionError, match="30 days"):
        make_competition(
            buyer,
            estimated_value=Decimal("5000000"),
            question_deadline=now + timedelta(days=5),
            last_answer_at=now + timedelta(days=6),
            tender_deadline=now + timedelta(days=12),
            opening_at=now + timedelta(days=12, minutes=5),
        )


def test_the_audit_chain_stays_intact(competition, supplier):
    submit(supplier, competition)
    result = verify()
    assert result.ok
    assert result.checked >= 2


def test_the_scheduler_closes_competitions_at_the_deadline(competition):
    assert actions.close_due_competitions() == 0
    with time_machine.travel(competition.tender_deadline):
        assert actions.close_due_competitions() == 1
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.CLOSED


def test_the_time_of_receipt_is_when_the_upload_was_in_not_after_sealing(
    competition, supplier, monkeypatch
):  # (a): slow sealing of a large file must not make a timely tender late
    from lupin.lib import sealing

    original = sealing.encrypt_stream
    arrived = competition.tender_deadline - timedelta(seconds=1)
    with time_machine.travel(arrived, tick=False) as clock:

        def slow(*args, **kwargs):
            clock.shift(timedelta(seconds=5))  # sealing ends after the deadline
            return original(*args, **kwargs)

        monkeypatch.setattr(sealing, "encrypt_stream", slow)
        receipt = submit(supplier, competition)
    assert receipt.tender.received_at == arrived


def test_the_receipt_does_not_reveal_the_price(competition, supplier):  # (b)
    import hashlib
    import json

    receipt = submit(supplier, competition, price="187500")
    tender = receipt.tender
    # The old way (a hash of the plain price form) could be brute-forced from the receipt.
    guess = json.dumps({"price": "187500.00", "currency": "NOK"}).encode()
    fields = {
        "competition": competition.pk,
        "organisation": tender.organisation_id,
        "version": tender.version,
        "received_at": tender.received_at.isoformat(),
        "files": [f.sha256 for f in tender.files.all()],
        "price": hashlib.sha256(guess).hexdigest(),
    }
    brute = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    assert brute != tender.receipt_hash
    assert actions.receipt_hash_for(tender) == tender.receipt_hash


def test_sealed_prices_have_one_length_whatever_the_digits(competition, supplier, rival):  # (b)
    small = submit(supplier, competition, price="99").tender
    large = submit(rival, competition, price="123456789.50").tender
    assert len(bytes(small.sealed_price)) == len(bytes(large.sealed_price))


def test_nobody_joins_the_team_after_opening(competition, buyer, buyer_colleague, supplier):
    # (d)(e): otherwise one buyer could give himself access to opened tenders alone.
    submit(supplier, competition)
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        actions.approve_opening(buyer, competition)
        actions.approve_opening(buyer_colleague, competition)
        with pytest.raises(Refused):
            actions.add_team_member(buyer, competition, buyer)
    assert not competition.team.exists()
    assert AuditEntry.objects.filter(action="team.change_refused").exists()


def test_replaced_and_withdrawn_versions_stay_sealed_after_opening(
    competition, buyer, buyer_colleague, evaluator, supplier, rival
):  # (b)(f)
    first = submit(supplier, competition, price="100").tender
    submit(supplier, competition, price="90")
    withdrawn = submit(rival, competition, price="80").tender
    actions.withdraw_tender(rival, competition)
    actions.add_team_member(buyer, competition, evaluator)
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        actions.approve_opening(buyer, competition)
        actions.approve_opening(buyer_colleague, competition)
        actions.declare_no_conflict(evaluator, competition, "Ingen bindinger.")
        for sealed in (first, withdrawn):
            with pytest.raises(Refused):
                actions.read_price(evaluator, sealed)
            with pytest.raises(Refused), actions.read_file(evaluator, sealed.files.get(), 0):
                pass


@pytest.mark.django_db(transaction=True)
def test_a_refused_deadline_change_stays_in_the_log_when_its_transaction_rolls_back(
    buyer, rival, media
):  # (g), with real transactions as in a request
    from lupin.competitions.tests.conftest import make_competition

    competition = make_competition(buyer)
    with pytest.raises(PermissionDenied):
        actions.change_timeline(
            rival,
            competition,
            question_deadline=competition.question_deadline,
            last_answer_at=competition.last_answer_at,
            tender_deadline=competition.tender_deadline + timedelta(days=1),
            opening_at=competition.opening_at + timedelta(days=1),
            reason="forsøk",
        )
    assert AuditEntry.objects.filter(action="competition.timeline_refused").count() == 1
    assert verify().ok
