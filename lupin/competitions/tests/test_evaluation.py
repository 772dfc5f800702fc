"""Evaluation at the level of actions: independent scores, consensus, computed price scores,
ranking and sensitivity, rounds. The helpers here are shared with test_award and the views."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from lupin.accounts.models import Organisation, OrganisationKind, Role, User
from lupin.audit.models import AuditEntry
from lupin.competitions import actions
from lupin.competitions.actions import CompetitionError, Refused
from lupin.competitions.actions import evaluation as ev
from lupin.competitions.models import (
    Competition,
    CompetitionStatus,
    Criterion,
    CriterionKind,
    Score,
    Tender,
)
from lupin.competitions.tests.conftest import tender_file

# The constructed case: supplier cheapest and weakest, rival in the middle, third dearest and
# best. Proportional, Smax 10: price scores 10 / 8 / 5 (100 000 / 125 000 / 200 000).
PRICES = {"supplier": "100000", "rival": "125000", "third": "200000"}
QUALITY = {  # username → (Kvalitet, Miljø)
    "supplier": (Decimal(3), Decimal(3)),
    "rival": (Decimal(6), Decimal(6)),
    "third": (Decimal(8), Decimal("8.5")),
}


@dataclass
class Setup:
    competition: Competition
    tenders: dict[str, Tender]
    third: User
    quality: Criterion
    environment: Criterion

    @property
    def criteria(self) -> list[Criterion]:
        return [self.quality, self.environment]


def make_third_supplier() -> User:
    organisation = Organisation.objects.create(
        kind=OrganisationKind.SUPPLIER,
        name="Tredje Leverandør AS",
        org_number="100400006",
        email="post@tredje.example",
    )
    return User.objects.create_user(
        username="third",
        password="correct horse battery staple",
        email="third@example.org",
        first_name="Third",
        organisation=organisation,
        role=Role.SUPPLIER_ADMIN,
    )


def opened_competition(
    competition: Competition, buyer: User, buyer_colleague: User, bidders: dict[str, User]
) -> Iterator[Setup]:
    """Tenders in, the evaluator and buyer_colleague on the team (not yet declared), and the
    tenders opened by four eyes; time stays after the opening while the test runs."""
    tenders = {
        name: actions.submit_tender(
            user, competition, uploads=[tender_file()], price=Decimal(PRICES[name])
        ).tender
        for name, user in bidders.items()
    }
    actions.add_team_member(buyer, competition, buyer_colleague)
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        actions.approve_opening(buyer, competition)
        actions.approve_opening(buyer_colleague, competition)
        competition.refresh_from_db()
        yield Setup(
            competition=competition,
            tenders=tenders,
            third=bidders["third"],
            quality=competition.criteria.get(kind=CriterionKind.QUALITY),
            environment=competition.criteria.get(kind=CriterionKind.ENVIRONMENT),
        )


def setup_fixture(competition, buyer, buyer_colleague, evaluator, supplier, rival):
    bidders = {"supplier": supplier, "rival": rival, "third": make_third_supplier()}
    actions.add_team_member(buyer, competition, evaluator)
    return opened_competition(competition, buyer, buyer_colleague, bidders)


def declare(setup: Setup, *users: User) -> None:
    for user in users:
        actions.declare_no_conflict(user, setup.competition, "Ingen bindinger til tilbyderne.")


def score_input(setup: Setup, shift: Decimal = Decimal(0)) -> dict:
    return {
        (setup.tenders[name].pk, criterion.pk): (QUALITY[name][index] + shift, "notat")
        for name in setup.tenders
        for index, criterion in enumerate(setup.criteria)
    }


def submit_all(setup: Setup, *users: User) -> None:
    for user in users:
        ev.submit_scores(user, setup.competition, score_input(setup))


def agree_all(setup: Setup, by: User) -> None:
    for name, tender in setup.tenders.items():
        for index, criterion in enumerate(setup.criteria):
            ev.record_consensus(
                by, setup.competition, tender, criterion, QUALITY[name][index], "Enige etter møte."
            )


@pytest.fixture
def setup(competition, buyer, buyer_colleague, evaluator, supplier, rival) -> Iterator[Setup]:
    yield from setup_fixture(competition, buyer, buyer_colleague, evaluator, supplier, rival)


# Independent scores ---------------------------------------------------------------------------


def test_evaluator_without_declaration_cannot_score_and_is_logged(setup, evaluator):
    with pytest.raises(Refused):
        ev.submit_scores(evaluator, setup.competition, score_input(setup))
    assert AuditEntry.objects.filter(action="evaluation.scores_refused").count() == 1
    with pytest.raises(Refused):
        ev.results(evaluator, setup.competition)
    assert not Score.objects.exists()


def test_outsiders_cannot_score(setup, rival, buyer):
    for outsider in (rival, buyer):
        with pytest.raises(PermissionDenied):
            ev.submit_scores(outsider, setup.competition, score_input(setup))


def test_scores_cannot_be_seen_before_submitting_ones_own(setup, evaluator, buyer_colleague):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, buyer_colleague)
    assert not ev.visible_scores(evaluator, setup.competition).exists()
    submit_all(setup, evaluator)
    seen = ev.visible_scores(evaluator, setup.competition)
    assert {s.member.user for s in seen} == {evaluator, buyer_colleague}


def test_lead_buyer_sees_scores_only_once_everyone_submitted(
    setup, evaluator, buyer_colleague, buyer
):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator)
    assert not ev.visible_scores(buyer, setup.competition).exists()
    submit_all(setup, buyer_colleague)
    assert ev.visible_scores(buyer, setup.competition).count() == 12


def test_scores_must_be_complete_and_on_the_scale(setup, evaluator):
    declare(setup, evaluator)
    scores = score_input(setup)
    incomplete = dict(list(scores.items())[1:])
    with pytest.raises(CompetitionError, match="every tender on every criterion"):
        ev.submit_scores(evaluator, setup.competition, incomplete)
    with pytest.raises(CompetitionError, match="between 0 and 10"):
        ev.submit_scores(evaluator, setup.competition, score_input(setup, Decimal(3)))
    assert not Score.objects.exists()


def test_price_is_computed_not_scored(setup, evaluator):
    declare(setup, evaluator)
    price = setup.competition.criteria.get(kind=CriterionKind.PRICE)
    scores = score_input(setup) | {(setup.tenders["rival"].pk, price.pk): (Decimal(9), "")}
    with pytest.raises(CompetitionError, match="price is computed"):
        ev.submit_scores(evaluator, setup.competition, scores)


def test_submitted_scores_are_locked(setup, evaluator):
    declare(setup, evaluator)
    member = ev.submit_scores(evaluator, setup.competition, score_input(setup))
    assert member.scores_submitted_at is not None
    with pytest.raises(CompetitionError, match="locked"):
        ev.submit_scores(evaluator, setup.competition, score_input(setup))
    assert AuditEntry.objects.filter(action="evaluation.scores_submitted").count() == 1


def test_sub_criteria_are_scored_instead_of_their_parent(setup):
    parent = setup.quality
    first = Criterion.objects.create(
        competition=setup.competition, parent=parent, name="Brukervennlighet", kind="quality",
        weight=Decimal(20),
    )  # fmt: skip
    second = Criterion.objects.create(
        competition=setup.competition, parent=parent, name="Drift", kind="quality",
        weight=Decimal(10),
    )  # fmt: skip
    scored = ev.scored_criteria(setup.competition)
    assert scored == [setup.environment, first, second]


# Consensus -------------------------------------------------------------------------------------


def test_consensus_refused_until_all_submitted(setup, evaluator, buyer_colleague, buyer):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator)
    tender = setup.tenders["rival"]
    with pytest.raises(CompetitionError, match="Every team member"):
        ev.record_consensus(buyer, setup.competition, tender, setup.quality, Decimal(6), "Enige.")
    submit_all(setup, buyer_colleague)
    consensus = ev.record_consensus(
        buyer, setup.competition, tender, setup.quality, Decimal(6), "Enige."
    )
    assert consensus.score == Decimal(6)
    assert AuditEntry.objects.filter(action="evaluation.consensus_recorded").count() == 1


def test_consensus_needs_a_justification_and_an_authorised_person(
    setup, evaluator, buyer_colleague, buyer, rival
):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator, buyer_colleague)
    tender = setup.tenders["rival"]
    with pytest.raises(CompetitionError, match="Justify"):
        ev.record_consensus(evaluator, setup.competition, tender, setup.quality, Decimal(6), " ")
    with pytest.raises(Refused):
        ev.record_consensus(rival, setup.competition, tender, setup.quality, Decimal(6), "Ja.")
    assert AuditEntry.objects.filter(action="evaluation.consensus_refused").count() == 1


# Computed results ------------------------------------------------------------------------------


def test_price_scores_are_computed_from_the_decrypted_prices(setup, evaluator):
    declare(setup, evaluator)
    results = ev.results(evaluator, setup.competition)
    by_name = {name: results.price_scores[t.pk] for name, t in setup.tenders.items()}
    # Hand-computed, proportional, Smax 10: 10 · 100 000 / P.
    assert by_name == {
        "supplier": Decimal("10.00"),
        "rival": Decimal("8.00"),
        "third": Decimal("5.00"),
    }
    assert results.prices[setup.tenders["rival"].pk] == Decimal("125000.00")
    assert AuditEntry.objects.filter(action="tender.price_read").count() == 3  # once per read


def test_linear_zero_point_model_uses_k(setup, evaluator):
    declare(setup, evaluator)
    Competition.objects.filter(pk=setup.competition.pk).update(
        price_model="linear_zero", price_zero_factor=Decimal(1)
    )
    results = ev.results(evaluator, setup.competition)
    by_name = {name: results.price_scores[t.pk] for name, t in setup.tenders.items()}
    # 10 · (1 − (P − 100 000) / 100 000): 10, 7.5, 0.
    assert by_name == {
        "supplier": Decimal("10.00"),
        "rival": Decimal("7.50"),
        "third": Decimal("0.00"),
    }


def test_ranking_and_sensitivity_show_a_rank_change(setup, evaluator, buyer_colleague, buyer):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator, buyer_colleague)
    agree_all(setup, buyer)
    results = ev.results(evaluator, setup.competition)
    t = setup.tenders
    assert results.complete
    # third: 0.4·5 + 0.3·8 + 0.3·8.5 = 6.95; rival: 0.4·8 + 0.6·6 = 6.80; supplier: 5.80.
    assert results.totals == {
        t["supplier"].pk: Decimal("5.80"),
        t["rival"].pk: Decimal("6.80"),
        t["third"].pk: Decimal("6.95"),
    }
    assert results.ranks == {t["third"].pk: 1, t["rival"].pk: 2, t["supplier"].pk: 3}
    # Without the cheapest tender Pmin rises: rival 10 → 7.60, third 6.25 → 7.45. They swap.
    without = dict(results.removals)[t["supplier"].pk]
    assert {(c.tender, c.before, c.after) for c in without.changes} == {
        (t["rival"].pk, 2, 1),
        (t["third"].pk, 1, 2),
    }
    assert without.winner_changed
    # 5 points from Kvalitet to Pris: rival 6.90, third 6.80.
    shifts = {(a, b): s for a, b, s in results.shifts}
    moved = shifts[(str(setup.quality.pk), ev.PRICE_KEY)]
    assert moved.ranks_after == {t["rival"].pk: 1, t["third"].pk: 2, t["supplier"].pk: 3}
    assert not shifts[(ev.PRICE_KEY, str(setup.quality.pk))].changed
    assert len(results.shifts) == 6


# Rounds ------------------------------------------------------------------------------------------


def test_rounds_refused_for_the_open_procedure(setup, buyer):
    with pytest.raises(CompetitionError, match="open procedure allows no"):
        ev.add_round(buyer, setup.competition, held_at=setup.competition.opened_at, notes="Møte")


def test_rounds_are_numbered_where_the_procedure_allows_them(setup, buyer, rival):
    Competition.objects.filter(pk=setup.competition.pk).update(procedure="negotiation")
    setup.competition.refresh_from_db()
    first = ev.add_round(buyer, setup.competition, held_at=setup.competition.opened_at, notes="1")
    second = ev.add_round(buyer, setup.competition, held_at=setup.competition.opened_at, notes="2")
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(Refused):
        ev.add_round(rival, setup.competition, held_at=setup.competition.opened_at, notes="3")
    assert AuditEntry.objects.filter(action="evaluation.round_recorded").count() == 2


def test_scoring_is_refused_before_opening(competition, buyer, evaluator):
    actions.add_team_member(buyer, competition, evaluator)
    actions.declare_no_conflict(evaluator, competition, "Ingen bindinger.")
    assert competition.status == CompetitionStatus.ANNOUNCED
    with pytest.raises(Refused):
        ev.submit_scores(evaluator, competition, {})
