"""Award decision, standstill and signing, at the level of actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lupin.audit.log import verify
from lupin.audit.models import AuditEntry
from lupin.competitions.actions import CompetitionError, Refused
from lupin.competitions.actions import evaluation as ev
from lupin.competitions.models import CompetitionStatus
from lupin.competitions.tests.test_evaluation import (
    Setup,
    agree_all,
    declare,
    setup_fixture,
    submit_all,
)
from lupin.notifications.models import Notification

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def setup(competition, buyer, buyer_colleague, evaluator, supplier, rival) -> Iterator[Setup]:
    yield from setup_fixture(competition, buyer, buyer_colleague, evaluator, supplier, rival)


@pytest.fixture
def evaluated(setup, evaluator, buyer_colleague, buyer) -> Setup:
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator, buyer_colleague)
    agree_all(setup, buyer)
    return setup


def award_third(setup: Setup, buyer) -> None:
    ev.decide_award(buyer, setup.competition, setup.tenders["third"], "Best kvalitet samlet.")
    setup.competition.refresh_from_db()


# The standstill period ---------------------------------------------------------------------------


def test_standstill_is_ten_calendar_days_at_the_same_oslo_time():
    decided = datetime(2025, 3, 3, 10, 0, tzinfo=OSLO)  # a Monday
    assert ev.standstill_end(decided, 10) == datetime(2025, 3, 13, 10, 0, tzinfo=OSLO)


def test_standstill_ending_on_a_weekend_moves_to_monday():
    decided = datetime(2025, 3, 5, 14, 30, tzinfo=OSLO)  # Wednesday → Saturday 15th
    end = ev.standstill_end(decided, 10)
    assert end == datetime(2025, 3, 17, 14, 30, tzinfo=OSLO)
    assert end.weekday() == 0


def test_standstill_keeps_the_wall_clock_across_summer_time():
    decided = datetime(2025, 3, 24, 12, 0, tzinfo=OSLO)  # CET; the end is in CEST
    end = ev.standstill_end(decided, 10)
    assert end.astimezone(OSLO).hour == 12
    assert end.utcoffset() == timedelta(hours=2)


def test_the_advisor_gives_the_standstill_days(competition):
    assert ev.standstill_days(competition) == 10


# The decision ------------------------------------------------------------------------------------


def test_award_refused_until_consensus_is_complete(setup, evaluator, buyer_colleague, buyer):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator, buyer_colleague)
    with pytest.raises(CompetitionError, match="consensus score for every"):
        ev.decide_award(buyer, setup.competition, setup.tenders["third"], "Best.")
    assert setup.competition.status == CompetitionStatus.OPENED


def test_only_the_lead_buyer_decides(evaluated, evaluator, rival):
    for outsider in (evaluator, rival):
        with pytest.raises(Refused):
            ev.decide_award(outsider, evaluated.competition, evaluated.tenders["third"], "Best.")
    assert AuditEntry.objects.filter(action="award.refused").count() == 2


def test_award_needs_reasons(evaluated, buyer):
    with pytest.raises(CompetitionError, match="reasons"):
        ev.decide_award(buyer, evaluated.competition, evaluated.tenders["third"], "  ")


def test_award_sets_the_standstill_and_notifies_every_tenderer(evaluated, buyer):
    award_third(evaluated, buyer)
    competition = evaluated.competition
    assert competition.status == CompetitionStatus.AWARDED
    assert competition.standstill_ends_at == ev.standstill_end(competition.awarded_at, 10)
    for name, tender in evaluated.tenders.items():
        letters = Notification.objects.filter(
            topic="competition.award", user__organisation_id=tender.organisation_id
        )
        assert letters.count() == 1, name
        body = letters.get().body
        assert f"/award/letter/{tender.pk}/" in body
        others = [t.pk for t in evaluated.tenders.values() if t != tender]
        assert not any(f"/award/letter/{pk}/" in body for pk in others)
    assert AuditEntry.objects.filter(action="award.decided").count() == 1


def test_award_is_audited_and_the_chain_holds(evaluated, buyer):
    award_third(evaluated, buyer)
    entry = AuditEntry.objects.get(action="award.decided")
    assert entry.actor == buyer
    assert entry.detail["winner"] == evaluated.tenders["third"].pk
    assert verify().ok


# Signing ---------------------------------------------------------------------------------------


def test_signing_one_second_before_the_standstill_end_is_refused_at_the_end_accepted(
    evaluated, buyer
):
    award_third(evaluated, buyer)
    end = evaluated.competition.standstill_ends_at
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        with pytest.raises(CompetitionError) as refused:
            ev.sign_contract(buyer, evaluated.competition)
        assert f"{end.astimezone(OSLO):%d.%m.%Y %H:%M:%S}" in refused.value.message
        assert "Oslo" in refused.value.message
    assert AuditEntry.objects.filter(action="contract.sign_refused").count() == 1
    with time_machine.travel(end, tick=False):
        signed = ev.sign_contract(buyer, evaluated.competition)
    assert signed.status == CompetitionStatus.SIGNED
    assert signed.signed_at == end
    assert AuditEntry.objects.filter(action="contract.signed", actor=buyer).count() == 1
    assert signed.award is not None
    assert signed.award.signed_by == buyer
    assert signed.award.signed_at == end
    signed.project.refresh_from_db()
    assert signed.project.phase == "contract"
    last_move = signed.project.transitions.last()
    assert last_move is not None
    assert last_move.reason.startswith("Contract signed")


def test_only_the_lead_buyer_signs(evaluated, buyer, rival):
    award_third(evaluated, buyer)
    with (
        time_machine.travel(evaluated.competition.standstill_ends_at, tick=False),
        pytest.raises(Refused),
    ):
        ev.sign_contract(rival, evaluated.competition)
    assert AuditEntry.objects.filter(action="contract.sign_refused").count() == 1


def test_no_signing_without_an_award(setup, buyer):
    with pytest.raises(CompetitionError, match="after an award"):
        ev.sign_contract(buyer, setup.competition)


# The letters' figures ----------------------------------------------------------------------------


def test_letter_figures_only_for_the_tenderer_and_the_declared_team(
    evaluated, buyer, buyer_colleague, supplier, rival
):
    award_third(evaluated, buyer)
    supplier_tender = evaluated.tenders["supplier"]
    results = ev.letter_results(supplier, evaluated.competition, supplier_tender)
    assert results.price_scores[evaluated.tenders["third"].pk] == Decimal("5.00")
    # buyer_colleague is a buyer on the declared team; buyer decided the award but is not on it.
    assert ev.letter_results(buyer_colleague, evaluated.competition, supplier_tender).complete
    for outsider in (rival, buyer):
        with pytest.raises(Refused):
            ev.letter_results(outsider, evaluated.competition, supplier_tender)
    assert AuditEntry.objects.filter(action="award.letter_refused").count() == 2


def test_no_letter_figures_before_the_award(evaluated, supplier):
    with pytest.raises(Refused):
        ev.letter_results(supplier, evaluated.competition, evaluated.tenders["supplier"])


def test_after_the_award_each_tenderer_finds_its_letter_on_its_tenders_page(
    evaluated, buyer, supplier, login
):
    from django.urls import reverse

    competition = evaluated.competition
    mine = reverse("competitions:my_tenders", args=[competition.pk])
    assert "award letter" not in login(supplier).get(mine).content.decode()
    award_third(evaluated, buyer)
    html = login(supplier).get(mine).content.decode()
    letter = reverse(
        "competitions:award_letter", args=[competition.pk, evaluated.tenders["supplier"].pk]
    )
    assert letter in html
