"""Lots: set up in the draft, tendered for one by one, evaluated, awarded and signed per lot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from lupin.accounts.models import User
from lupin.audit.models import AuditEntry
from lupin.competitions import actions
from lupin.competitions.actions import CompetitionError, Refused, setup
from lupin.competitions.actions import evaluation as ev
from lupin.competitions.models import (
    Competition,
    CompetitionStatus,
    Criterion,
    CriterionKind,
    Lot,
    Tender,
    TenderStatus,
)
from lupin.competitions.tests.conftest import make_competition, tender_file
from lupin.competitions.tests.test_api import assert_error, bearer, send
from lupin.competitions.tests.test_api import url as api_url
from lupin.competitions.tests.test_evaluation import make_third_supplier
from lupin.notifications.models import Notification
from lupin.projects.lifecycle import Phase


def page(name: str, competition: Competition, query: str = "") -> str:
    return reverse(f"competitions:{name}", args=[competition.pk]) + query


def submit(user: User, competition: Competition, lot: Lot | None, price: str = "1000") -> Tender:
    return actions.submit_tender(
        user, competition, uploads=[tender_file()], price=Decimal(price), lot=lot
    ).tender


@pytest.fixture
def lotted(buyer, media) -> Competition:
    competition = make_competition(buyer, announce=False)
    setup.add_lot(buyer, competition, title="Sensorer", description="Sensorer i rommene.")
    setup.add_lot(buyer, competition, title="Drift")
    return actions.announce(buyer, competition)


def lots_of(competition: Competition) -> tuple[Lot, Lot]:
    first, second = competition.lots.order_by("number")
    return first, second


# Setting up ----------------------------------------------------------------------------------


def test_lots_are_numbered_audited_and_fixed_by_the_announcement(buyer, media):
    competition = make_competition(buyer, announce=False)
    first = setup.add_lot(buyer, competition, title="Sensorer")
    second = setup.add_lot(buyer, competition, title="Drift")
    assert (first.number, second.number) == (1, 2)
    setup.remove_lot(buyer, first)
    third = setup.add_lot(buyer, competition, title="Opplæring")
    assert [lot.number for lot in competition.lots.all()] == [2, 3]
    assert AuditEntry.objects.filter(action="lot.added").count() == 3
    assert AuditEntry.objects.filter(action="lot.removed").count() == 1
    with pytest.raises(CompetitionError) as refused:
        setup.add_lot(buyer, competition, title="  ")
    assert refused.value.field == "title"
    actions.announce(buyer, competition)
    with pytest.raises(CompetitionError, match="lots are part of the notice"):
        setup.add_lot(buyer, competition, title="For sent")
    with pytest.raises(CompetitionError, match="lots are part of the notice"):
        setup.remove_lot(buyer, third)


def test_only_the_managing_buyer_adds_lots(buyer, supplier, media):
    competition = make_competition(buyer, announce=False)
    with pytest.raises(PermissionDenied):
        setup.add_lot(supplier, competition, title="Sensorer")
    assert not competition.lots.exists()


def test_criteria_page_adds_and_removes_lots_and_the_notice_shows_them(buyer, login, media):
    competition = make_competition(buyer, announce=False)
    client = login(buyer)
    response = client.post(
        page("criteria", competition), {"op": "add_lot", "lot-title": "Sensorer"}
    )
    assert response.status_code == 302
    response = client.post(page("criteria", competition), {"op": "add_lot", "lot-title": ""})
    assert response.status_code == 200
    assert 'id="lots-title"' in response.content.decode()
    lot = competition.lots.get()
    assert lot.number == 1
    client.post(page("criteria", competition), {"op": "add_lot", "lot-title": "Drift"})
    client.post(page("criteria", competition), {"op": "remove_lot", "lot": lot.pk})
    assert [x.title for x in competition.lots.all()] == ["Drift"]
    actions.announce(buyer, competition)
    notice = login(None).get(page("detail", competition)).content.decode()
    assert "Lot 2: Drift" in notice
    api = login(None).get(api_url(competition)).json()
    assert api["lots"] == [{"number": 2, "title": "Drift", "description": ""}]


# Submission ----------------------------------------------------------------------------------


def test_a_supplier_tenders_on_both_lots_and_replacing_one_keeps_the_other(lotted, supplier):
    first, second = lots_of(lotted)
    one = submit(supplier, lotted, first)
    two = submit(supplier, lotted, second)
    live = Tender.objects.filter(competition=lotted, status=TenderStatus.SUBMITTED)
    assert {(t.lot_id, t.version) for t in live} == {(first.pk, 1), (second.pk, 2)}
    again = submit(supplier, lotted, first, "900")
    assert again.version == 3  # versions count per organisation across the competition
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == TenderStatus.REPLACED
    assert two.status == TenderStatus.SUBMITTED
    assert {t.pk for t in live.all()} == {again.pk, two.pk}
    entry = AuditEntry.objects.filter(action="tender.submitted").order_by("pk").last()
    assert entry is not None and entry.detail["lot"] == 1


def test_a_tender_without_a_lot_is_refused_when_lots_exist(lotted, supplier, buyer, media):
    with pytest.raises(CompetitionError) as refused:
        submit(supplier, lotted, None)
    assert refused.value.field == "lot"
    assert "lot" in refused.value.message
    other = make_competition(buyer, announce=False)
    foreign = setup.add_lot(buyer, other, title="Fremmed")
    with pytest.raises(CompetitionError) as refused:
        submit(supplier, lotted, foreign)
    assert refused.value.field == "lot"
    assert not Tender.objects.exists()


def test_a_competition_without_lots_refuses_a_lot(competition, lotted, supplier):
    with pytest.raises(CompetitionError) as refused:
        submit(supplier, competition, lots_of(lotted)[0])
    assert refused.value.field == "lot"


def test_the_database_keeps_one_live_tender_per_organisation_and_lot(lotted, supplier):
    first, second = lots_of(lotted)
    submit(supplier, lotted, first)
    two = submit(supplier, lotted, second)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tender.objects.filter(pk=two.pk).update(lot=first)


def test_withdraw_per_lot(lotted, supplier):
    first, second = lots_of(lotted)
    submit(supplier, lotted, first)
    two = submit(supplier, lotted, second)
    with pytest.raises(CompetitionError) as refused:
        actions.withdraw_tender(supplier, lotted)
    assert refused.value.field == "lot"
    withdrawn = actions.withdraw_tender(supplier, lotted, second)
    assert withdrawn.pk == two.pk
    live = Tender.objects.filter(competition=lotted, status=TenderStatus.SUBMITTED)
    assert [t.lot_id for t in live] == [first.pk]
    with pytest.raises(CompetitionError, match="no tender"):
        actions.withdraw_tender(supplier, lotted, second)


def test_the_receipt_names_the_lot(lotted, supplier, login):
    first, _second = lots_of(lotted)
    tender = submit(supplier, lotted, first)
    mail = Notification.objects.get(user=supplier, topic="competition.receipt")
    assert "Lot / Delkontrakt: 1. Sensorer" in mail.body
    receipt = (
        login(supplier)
        .get(reverse("competitions:receipt", args=[lotted.pk, tender.pk]))
        .content.decode()
    )
    assert "Receipt for your tender for lot 1" in receipt
    assert "Lot 1: Sensorer" in receipt


def test_the_supplier_page_offers_the_lots_and_requires_one(lotted, supplier, login):
    client = login(supplier)
    form = client.get(page("tender", lotted)).content.decode()
    assert '<legend class="ds-label">Lot' in form
    assert form.count('type="radio" name="lot"') == 2
    response = client.post(page("tender", lotted), {"price": "1000", "file": tender_file()})
    assert response.status_code == 400
    assert "Choose the lot your tender is for." in response.content.decode()
    assert not Tender.objects.exists()
    response = client.post(
        page("tender", lotted), {"price": "1000", "file": tender_file(), "lot": "2"}
    )
    assert response.status_code == 302
    assert Tender.objects.get().lot == lots_of(lotted)[1]
    mine = client.get(page("my_tenders", lotted)).content.decode()
    assert "Lot 2: Drift" in mine
    again = client.get(page("tender", lotted)).content.decode()
    assert "Withdraw your tender for lot 2" in again
    response = client.post(page("tender_withdraw", lotted), {"lot": "2", "confirm": "on"})
    assert response.status_code == 302
    assert Tender.objects.get().status == TenderStatus.WITHDRAWN


def test_the_api_takes_the_lot_number(lotted, supplier, client):
    headers = bearer(supplier)
    assert_error(send(client, lotted, headers), 400, "required", "lot")
    assert_error(send(client, lotted, headers, lot="9"), 400, "invalid_lot", "lot")
    response = send(client, lotted, headers, lot="2")
    assert response.status_code == 201, response.content
    assert response.json()["lot"] == 2
    mine = client.get(api_url(lotted, "/tenders/mine"), **headers).json()
    assert [t["lot"] for t in mine] == [2]


# Evaluation per lot --------------------------------------------------------------------------

# Lot 1: supplier 100 000 (quality 3, environment 3) and rival 125 000 (6, 6).
# Lot 2: rival 200 000 (6, 6) and third 250 000 (8, 8.5).
BIDS = [
    ("supplier", 1, "100000", (Decimal(3), Decimal(3))),
    ("rival", 1, "125000", (Decimal(6), Decimal(6))),
    ("rival", 2, "200000", (Decimal(6), Decimal(6))),
    ("third", 2, "250000", (Decimal(8), Decimal("8.5"))),
]


@dataclass
class LotSetup:
    competition: Competition
    lots: dict[int, Lot]
    tenders: dict[tuple[str, int], Tender]
    criteria: list[Criterion]
    third: User


@pytest.fixture
def opened(lotted, buyer, buyer_colleague, evaluator, supplier, rival) -> Iterator[LotSetup]:
    third = make_third_supplier()
    users = {"supplier": supplier, "rival": rival, "third": third}
    lots = {lot.number: lot for lot in lotted.lots.all()}
    tenders = {
        (name, number): submit(users[name], lotted, lots[number], price)
        for name, number, price, _scores in BIDS
    }
    actions.add_team_member(buyer, lotted, evaluator)
    actions.add_team_member(buyer, lotted, buyer_colleague)
    with time_machine.travel(lotted.opening_at + timedelta(minutes=1)):
        actions.approve_opening(buyer, lotted)
        actions.approve_opening(buyer_colleague, lotted)
        lotted.refresh_from_db()
        criteria = [
            lotted.criteria.get(kind=CriterionKind.QUALITY),
            lotted.criteria.get(kind=CriterionKind.ENVIRONMENT),
        ]
        for user in (evaluator, buyer_colleague):
            actions.declare_no_conflict(user, lotted, "Ingen bindinger til tilbyderne.")
        yield LotSetup(lotted, lots, tenders, criteria, third)


def evaluate(s: LotSetup, number: int, by: list[User], lead: User) -> None:
    """Every member scores the lot, and the team agrees on the same scores."""
    bids = [(name, scores) for name, n, _price, scores in BIDS if n == number]
    scores = {
        (s.tenders[(name, number)].pk, criterion.pk): (values[index], "notat")
        for name, values in bids
        for index, criterion in enumerate(s.criteria)
    }
    for user in by:
        ev.submit_scores(user, s.competition, scores, s.lots[number])
    for name, values in bids:
        for index, criterion in enumerate(s.criteria):
            ev.record_consensus(
                lead, s.competition, s.tenders[(name, number)], criterion, values[index], "Enige."
            )


def test_scores_are_submitted_and_locked_per_lot(opened, evaluator, buyer_colleague, buyer):
    lot1, lot2 = opened.lots[1], opened.lots[2]
    with pytest.raises(CompetitionError) as refused:
        ev.submit_scores(evaluator, opened.competition, {}, None)
    assert refused.value.field == "lot"
    evaluate(opened, 1, [evaluator, buyer_colleague], buyer)
    member = opened.competition.team.get(user=evaluator)
    assert ev.has_submitted(member, opened.competition, lot1)
    assert not ev.has_submitted(member, opened.competition, lot2)
    assert member.scores_submitted_at is None
    # Lot 2's tenders are not part of lot 1's scoring, and the other lot's scores stay hidden.
    assert not ev.visible_scores(buyer_colleague, opened.competition, lot2).exists()
    with pytest.raises(CompetitionError, match="Every team member"):
        ev.record_consensus(
            buyer,
            opened.competition,
            opened.tenders[("third", 2)],
            opened.criteria[0],
            Decimal(5),
            "For tidlig.",
        )
    evaluate(opened, 2, [evaluator, buyer_colleague], buyer)
    member.refresh_from_db()
    assert member.scores_submitted_at is not None


def test_ranking_per_lot_compares_only_that_lots_tenders(opened, evaluator, buyer_colleague, buyer):
    for number in (1, 2):
        evaluate(opened, number, [evaluator, buyer_colleague], buyer)
    t = opened.tenders
    one = ev.results(evaluator, opened.competition, opened.lots[1])
    # Proportional, Smax 10: 100 000 / 125 000 → 10 and 8.
    # supplier 0.4·10 + 0.3·3 + 0.3·3 = 5.80; rival 0.4·8 + 0.3·6 + 0.3·6 = 6.80.
    assert one.price_scores == {t[("supplier", 1)].pk: Decimal(10), t[("rival", 1)].pk: Decimal(8)}
    assert one.totals == {
        t[("supplier", 1)].pk: Decimal("5.80"),
        t[("rival", 1)].pk: Decimal("6.80"),
    }
    assert one.ranks == {t[("rival", 1)].pk: 1, t[("supplier", 1)].pk: 2}
    two = ev.results(evaluator, opened.competition, opened.lots[2])
    # Lot 2 on its own: 200 000 / 250 000 → 10 and 8 (against lot 1's 100 000 they would
    # score 5 and 4). rival 0.4·10 + 0.6·6 = 7.60; third 0.4·8 + 0.3·8 + 0.3·8.5 = 8.15.
    assert two.price_scores == {t[("rival", 2)].pk: Decimal(10), t[("third", 2)].pk: Decimal(8)}
    assert two.totals == {t[("rival", 2)].pk: Decimal("7.60"), t[("third", 2)].pk: Decimal("8.15")}
    assert two.ranks == {t[("third", 2)].pk: 1, t[("rival", 2)].pk: 2}
    with pytest.raises(CompetitionError) as refused:
        ev.results(evaluator, opened.competition)
    assert refused.value.field == "lot"


def test_evaluation_pages_switch_lots(opened, evaluator, buyer_colleague, buyer, login):
    t = opened.tenders
    client = login(evaluator)
    scoring = client.get(page("scoring", opened.competition, "?lot=2")).content.decode()
    assert f'id="tender-{t[("third", 2)].pk}"' in scoring
    assert f'id="tender-{t[("supplier", 1)].pk}"' not in scoring
    assert 'href="?lot=1"' in scoring and 'aria-current="page">Lot 2: Drift' in scoring
    assert client.get(page("scoring", opened.competition, "?lot=9")).status_code == 404
    for number in (1, 2):
        evaluate(opened, number, [evaluator, buyer_colleague], buyer)
    ranking = client.get(page("ranking", opened.competition, "?lot=2")).content.decode()
    assert "8.15" in ranking and "5.80" not in ranking
    award = login(buyer).post(
        page("award", opened.competition, "?lot=2"),
        {"winner": t[("third", 2)].pk, "reasons": "Best kvalitet."},
    )
    assert award.status_code == 302
    assert award["Location"].endswith("?lot=2")
    decision = ev.decision_for(opened.competition, opened.lots[2])
    assert decision is not None and decision.winner == t[("third", 2)]
    other = login(buyer).get(page("award", opened.competition, "?lot=1")).content.decode()
    assert 'name="winner"' in other and "Not decided" in other


# Award and signing per lot -------------------------------------------------------------------


def test_award_per_lot_and_awarded_only_when_every_lot_is_decided(
    opened, evaluator, buyer_colleague, buyer, supplier, rival
):
    for number in (1, 2):
        evaluate(opened, number, [evaluator, buyer_colleague], buyer)
    t, competition = opened.tenders, opened.competition
    with pytest.raises(CompetitionError) as refused:
        ev.decide_award(buyer, competition, t[("rival", 1)], "Best.", opened.lots[2])
    assert refused.value.field == "winner"
    first = ev.decide_award(buyer, competition, t[("rival", 1)], "Best samlet.")
    assert first.lot == opened.lots[1]
    assert first.standstill_ends_at == ev.standstill_end(first.decided_at, 10)
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.OPENED
    assert competition.awarded_at is None
    # Only lot 1's tenderers are told.
    told = set(
        Notification.objects.filter(topic="competition.award").values_list(
            "user__organisation_id", flat=True
        )
    )
    assert told == {supplier.organisation_id, rival.organisation_id}
    with pytest.raises(CompetitionError, match="already decided"):
        ev.decide_award(buyer, competition, t[("supplier", 1)], "Likevel.")
    # Lot 1's letters open; lot 2's not yet.
    assert len(ev.letter_results(supplier, competition, t[("supplier", 1)]).tenders) == 2
    with pytest.raises(Refused):
        ev.letter_results(opened.third, competition, t[("third", 2)])
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        second = ev.decide_award(buyer, competition, t[("third", 2)], "Best kvalitet.")
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.AWARDED
    assert first.standstill_ends_at is not None and second.standstill_ends_at is not None
    assert competition.standstill_ends_at == max(
        first.standstill_ends_at, second.standstill_ends_at
    )
    assert AuditEntry.objects.filter(action="award.decided").count() == 2
    assert ev.letter_results(opened.third, competition, t[("third", 2)]).tenders


def test_signing_per_lot_after_its_standstill(opened, evaluator, buyer_colleague, buyer, login):
    for number in (1, 2):
        evaluate(opened, number, [evaluator, buyer_colleague], buyer)
    t, competition = opened.tenders, opened.competition
    first = ev.decide_award(buyer, competition, t[("rival", 1)], "Best samlet.")
    assert first.standstill_ends_at is not None
    # Lot 1's contract may be signed after its standstill, while lot 2 is still evaluated.
    with (
        time_machine.travel(first.standstill_ends_at - timedelta(seconds=1), tick=False),
        pytest.raises(CompetitionError, match="standstill period ends"),
    ):
        ev.sign_contract(buyer, competition, opened.lots[1])
    with time_machine.travel(first.standstill_ends_at, tick=False):
        with pytest.raises(CompetitionError) as refused:
            ev.sign_contract(buyer, competition)
        assert refused.value.field == "lot"
        with pytest.raises(CompetitionError, match="after an award"):
            ev.sign_contract(buyer, competition, opened.lots[2])
        ev.sign_contract(buyer, competition, opened.lots[1])
        second = ev.decide_award(buyer, competition, t[("third", 2)], "Best kvalitet.")
    first.refresh_from_db()
    assert first.signed_at == first.standstill_ends_at and first.signed_by == buyer
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.AWARDED
    assert competition.signed_at is None
    assert second.standstill_ends_at is not None
    with (
        time_machine.travel(second.standstill_ends_at - timedelta(seconds=1), tick=False),
        pytest.raises(CompetitionError, match="standstill period ends"),
    ):
        ev.sign_contract(buyer, competition, opened.lots[2])
    with time_machine.travel(second.standstill_ends_at, tick=False):
        response = login(buyer).post(page("sign", competition, "?lot=2"))
    assert response["Location"].endswith("?lot=2")
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.SIGNED
    assert competition.signed_at == second.standstill_ends_at
    competition.project.refresh_from_db()
    assert competition.project.phase == Phase.CONTRACT
    assert AuditEntry.objects.filter(action="contract.signed").count() == 2
