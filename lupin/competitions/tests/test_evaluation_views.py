"""The opening, evaluation and award pages, for each role that must and must not reach them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from lupin.audit.models import AuditEntry
from lupin.competitions import actions
from lupin.competitions.actions import evaluation as ev
from lupin.competitions.models import (
    CompetitionStatus,
    ConsensusScore,
    NegotiationRound,
    OpeningApproval,
    TeamMember,
)
from lupin.competitions.tests.conftest import MARKER, tender_file
from lupin.competitions.tests.test_evaluation import (
    Setup,
    agree_all,
    declare,
    score_input,
    setup_fixture,
    submit_all,
)
from lupin.lib import money

TENDERERS = ("Nordlys Teknologi AS", "Konkurrent AS", "Tredje Leverandør AS")


def url(name: str, setup_or_competition, *args: object) -> str:
    competition = getattr(setup_or_competition, "competition", setup_or_competition)
    return reverse(f"competitions:{name}", args=[competition.pk, *args])


@pytest.fixture
def setup(competition, buyer, buyer_colleague, evaluator, supplier, rival) -> Iterator[Setup]:
    yield from setup_fixture(competition, buyer, buyer_colleague, evaluator, supplier, rival)


@pytest.fixture
def evaluated(setup, evaluator, buyer_colleague, buyer) -> Setup:
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator, buyer_colleague)
    agree_all(setup, buyer)
    return setup


@pytest.fixture
def awarded(evaluated, buyer) -> Setup:
    ev.decide_award(buyer, evaluated.competition, evaluated.tenders["third"], "Best kvalitet.")
    evaluated.competition.refresh_from_db()
    return evaluated


# Opening ---------------------------------------------------------------------------------------


def test_opening_page_shows_approvals_only_after_the_deadline(
    competition, buyer, buyer_colleague, supplier, login
):
    actions.submit_tender(supplier, competition, uploads=[tender_file()], price=Decimal(100))
    page = login(buyer).get(url("opening", competition))
    assert page.status_code == 200
    assert b"Approve the opening" not in page.content
    assert b"Four eyes" in page.content
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        page = login(buyer).get(url("opening", competition))
        assert b"Approve the opening" in page.content
        login(buyer).post(url("opening", competition))
        page = login(buyer).get(url("opening", competition))
        assert b"You have approved" in page.content
        assert b"Buyer" in page.content  # who approved
        login(buyer_colleague).post(url("opening", competition))
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.OPENED
    assert OpeningApproval.objects.count() == 2


def test_opening_cannot_be_approved_by_an_evaluator_or_supplier(
    competition, buyer, evaluator, supplier, login
):
    with time_machine.travel(competition.opening_at + timedelta(minutes=1)):
        assert login(evaluator).post(url("opening", competition)).status_code == 404
        assert login(supplier).get(url("opening", competition)).status_code == 404
    assert not OpeningApproval.objects.exists()


def test_opening_before_the_deadline_is_refused_with_a_message(competition, buyer, login):
    response = login(buyer).post(url("opening", competition), follow=True)
    assert b"only after the deadline" in response.content
    assert AuditEntry.objects.filter(action="tender.open_refused").count() == 1


# Team and declaration ------------------------------------------------------------------------


def test_lead_buyer_adds_a_team_member_and_sees_declarations(setup, buyer, evaluator, login):
    declare(setup, evaluator)
    page = login(buyer).get(url("team", setup))
    assert b"Ingen bindinger til tilbyderne." in page.content
    member = TeamMember.objects.get(user=evaluator)
    assert member.declared_at is not None


def test_team_form_adds_from_the_lead_buyer_only(competition, buyer, evaluator, rival, login):
    response = login(buyer).post(url("team", competition), {"user": rival.pk})
    assert response.status_code == 200  # not a choice: the form says no
    assert not TeamMember.objects.filter(user=rival).exists()
    response = login(buyer).post(url("team", competition), {"user": evaluator.pk})
    assert response.status_code == 302
    assert TeamMember.objects.filter(user=evaluator, competition=competition).exists()


def test_team_page_is_not_for_suppliers(competition, rival, login):
    assert login(rival).get(url("team", competition)).status_code == 404
    assert login(None).get(url("team", competition)).status_code == 302  # to the login


def test_declaration_shows_nothing_about_tenders(setup, evaluator, login):
    client = login(evaluator)
    page = client.get(url("declaration", setup))
    assert page.status_code == 200
    for name in TENDERERS:
        assert name.encode() not in page.content
    response = client.post(
        url("declaration", setup), {"confirm": "on", "statement": "Ingen bindinger."}
    )
    assert response.status_code == 302
    assert response["Location"] == url("scoring", setup)


# Scoring ---------------------------------------------------------------------------------------


def test_evaluator_without_a_declaration_sees_nothing(setup, evaluator, login):
    client = login(evaluator)
    for name in ("scoring", "ranking", "consensus"):
        response = client.get(url(name, setup))
        assert response.status_code == 302, name
        assert response["Location"] == url("declaration", setup)
    tender = setup.tenders["supplier"]
    assert client.get(url("tender_file", setup, tender.pk, 0)).status_code == 404
    assert AuditEntry.objects.filter(action="tender.read_refused").exists()
    assert not AuditEntry.objects.filter(action="tender.file_read").exists()


def test_outsiders_get_404_and_the_refusal_is_logged(setup, rival, supplier, buyer, login):
    for outsider in (rival, supplier):
        for name in ("scoring", "ranking"):
            assert login(outsider).get(url(name, setup)).status_code == 404
    assert AuditEntry.objects.filter(action="tender.read_refused").count() == 4
    # The lead buyer is no team member: he does not read tenders either.
    assert login(buyer).get(url("ranking", setup)).status_code == 404


def test_scores_of_others_are_hidden_until_ones_own_are_submitted(
    setup, evaluator, buyer_colleague, login
):
    declare(setup, evaluator, buyer_colleague)
    colleague = {key: (score, "KOLLEGAENS-NOTAT") for key, (score, _) in score_input(setup).items()}
    ev.submit_scores(buyer_colleague, setup.competition, colleague)
    client = login(evaluator)
    page = client.get(url("scoring", setup))
    assert b"KOLLEGAENS-NOTAT" not in page.content
    assert b"hidden until you submit" in page.content
    for name in TENDERERS:
        assert name.encode() in page.content
    form = {}
    for (tender_pk, criterion_pk), (score, _) in score_input(setup).items():
        form[f"score_{tender_pk}_{criterion_pk}"] = str(score)
        form[f"note_{tender_pk}_{criterion_pk}"] = "mitt notat"
    response = client.post(url("scoring", setup), form)
    assert response.status_code == 302
    page = client.get(url("scoring", setup))
    assert b"KOLLEGAENS-NOTAT" in page.content
    assert TeamMember.objects.get(user=evaluator).scores_submitted_at is not None


def test_a_score_above_the_scale_is_refused_by_the_form(setup, evaluator, login):
    declare(setup, evaluator)
    form = {
        f"score_{t}_{c}": "11" if i == 0 else str(score)
        for i, ((t, c), (score, _)) in enumerate(score_input(setup).items())
    }
    page = login(evaluator).post(url("scoring", setup), form)
    assert page.status_code == 200
    assert b"Please correct the following" in page.content
    assert TeamMember.objects.get(user=evaluator).scores_submitted_at is None


def test_tender_file_downloads_decrypted_with_its_name(setup, evaluator, login):
    declare(setup, evaluator)
    tender = setup.tenders["rival"]
    response = login(evaluator).get(url("tender_file", setup, tender.pk, 0))
    assert response.status_code == 200
    assert MARKER in b"".join(response.streaming_content)
    assert 'filename="tilbud.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="tender.file_read", actor=evaluator).count() == 1
    assert login(evaluator).get(url("tender_file", setup, tender.pk, 5)).status_code == 404


# Consensus -------------------------------------------------------------------------------------


def test_consensus_page_waits_for_every_member(setup, evaluator, buyer_colleague, buyer, login):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator)
    page = login(buyer).get(url("consensus", setup))
    assert b"not submitted" in page.content
    assert b"Record the consensus score" not in page.content
    submit_all(setup, buyer_colleague)
    page = login(buyer).get(url("consensus", setup))
    assert page.content.count(b"Record the consensus score") == 6


def test_consensus_needs_a_justification(setup, evaluator, buyer_colleague, buyer, login):
    declare(setup, evaluator, buyer_colleague)
    submit_all(setup, evaluator, buyer_colleague)
    tender, criterion = setup.tenders["rival"], setup.quality
    prefix = f"t{tender.pk}-c{criterion.pk}"
    cell = {"cell": prefix, f"{prefix}-score": "6", f"{prefix}-justification": ""}
    page = login(buyer).post(url("consensus", setup), cell)
    assert page.status_code == 200
    assert not ConsensusScore.objects.exists()
    cell[f"{prefix}-justification"] = "Samlet vurdering etter møtet."
    response = login(evaluator).post(url("consensus", setup), cell)
    assert response.status_code == 302
    assert ConsensusScore.objects.get().score == Decimal(6)


def test_consensus_page_is_not_for_suppliers(setup, rival, login):
    assert login(rival).get(url("consensus", setup)).status_code == 404


# Ranking -------------------------------------------------------------------------------------


def test_ranking_shows_computed_price_scores_and_a_rank_change(evaluated, evaluator, login):
    page = login(evaluator).get(url("ranking", evaluated))
    assert page.status_code == 200
    text = page.content.decode()
    for score in ("10.00", "8.00", "5.00", "6.95", "6.80", "5.80"):
        assert score in text
    assert "Without Nordlys Teknologi AS" in text
    assert "Konkurrent AS moves from 2 to 1" in text
    assert "The winner changes" in text
    assert "5 points from “Kvalitet” to “Price”" in text


# Rounds --------------------------------------------------------------------------------------


def test_rounds_are_refused_for_the_open_procedure(setup, buyer, login):
    page = login(buyer).get(url("rounds", setup))
    assert b"allows no negotiation" in page.content
    response = login(buyer).post(
        url("rounds", setup), {"held_at": "2020-01-01T10:00", "notes": "Møte"}, follow=True
    )
    assert b"allows no negotiation" in response.content
    assert not NegotiationRound.objects.exists()


# Award, letters and signing -----------------------------------------------------------------------


def test_award_page_decides_and_shows_the_standstill_end(evaluated, buyer, evaluator, login):
    assert login(evaluator).get(url("award", evaluated)).status_code == 404
    page = login(buyer).get(url("award", evaluated))
    assert b"would end" in page.content
    winner = evaluated.tenders["third"]
    response = login(buyer).post(
        url("award", evaluated), {"winner": winner.pk, "reasons": "Best kvalitet."}
    )
    assert response.status_code == 302
    evaluated.competition.refresh_from_db()
    assert evaluated.competition.status == CompetitionStatus.AWARDED
    page = login(buyer).get(url("award", evaluated))
    assert b"Standstill ends" in page.content
    assert b"Letter to Tredje" in page.content


def test_each_tenderer_downloads_only_its_own_letter(awarded, supplier, rival, login):
    own = login(supplier).get(url("award_letter", awarded, awarded.tenders["supplier"].pk))
    assert own.status_code == 200
    assert own["Content-Type"].startswith("text/plain")
    assert own["Content-Disposition"].startswith("attachment")
    letter = own.content.decode()
    assert "MELDING OM TILDELING" in letter
    assert "Til: Nordlys Teknologi AS" in letter
    assert "Tredje Leverandør AS" in letter  # the winner
    assert "Best kvalitet." in letter
    assert "KOFA" in letter
    other = login(supplier).get(url("award_letter", awarded, awarded.tenders["rival"].pk))
    assert other.status_code == 404


def test_rival_cannot_open_the_suppliers_letter(awarded, rival, evaluator, login):
    supplier_letter = url("award_letter", awarded, awarded.tenders["supplier"].pk)
    assert login(rival).get(supplier_letter).status_code == 404
    assert login(evaluator).get(supplier_letter).status_code == 404
    assert login(None).get(supplier_letter).status_code == 302
    assert AuditEntry.objects.filter(action="award.letter_refused").count() == 2


def test_the_letter_compares_the_winner_with_the_tenderer_in_bokmal(awarded, supplier, login):
    letter = login(supplier).get(url("award_letter", awarded, awarded.tenders["supplier"].pk))
    text = letter.content.decode()
    assert "Prispoeng (vekt 40 %): 5,00 / 10,00" in text
    prices = (money.format_nok(Decimal(200000)), money.format_nok(Decimal(100000)))
    assert "- Pris: {} / {}".format(*prices) in text  # the winner's price against the supplier's
    assert "«proporsjonal»" in text
    assert "6,95 / 5,80" in text  # totals
    end = awarded.competition.standstill_ends_at
    assert "KARENSPERIODE" in text
    assert f"{end.astimezone(ev.OSLO):%H:%M:%S}" in text


def test_the_declared_team_downloads_every_letter_and_no_other_buyer(
    awarded, buyer, buyer_colleague, login
):
    # A letter states prices: on the buyer's side only the declared team, who read them anyway.
    for tender in awarded.tenders.values():
        response = login(buyer_colleague).get(url("award_letter", awarded, tender.pk))
        assert response.status_code == 200
        assert login(buyer).get(url("award_letter", awarded, tender.pk)).status_code == 404


def test_signing_waits_for_the_standstill(awarded, buyer, login):
    end = awarded.competition.standstill_ends_at
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        response = login(buyer).post(url("sign", awarded), follow=True)
    assert b"Oslo time" in response.content
    awarded.competition.refresh_from_db()
    assert awarded.competition.status == CompetitionStatus.AWARDED
    with time_machine.travel(end, tick=False):
        login(buyer).post(url("sign", awarded))
    awarded.competition.refresh_from_db()
    assert awarded.competition.status == CompetitionStatus.SIGNED


def test_suppliers_cannot_sign(awarded, supplier, login):
    with time_machine.travel(awarded.competition.standstill_ends_at, tick=False):
        assert login(supplier).post(url("sign", awarded)).status_code == 404


def test_a_member_who_has_not_scored_can_be_taken_off_the_team(
    login, buyer, competition, evaluator
):
    from lupin.audit.models import AuditEntry
    from lupin.competitions import actions as core

    member = core.add_team_member(buyer, competition, evaluator)
    response = login(buyer).post(
        reverse("competitions:team", args=[competition.pk]), {"remove": member.pk}
    )
    assert response.status_code == 302
    assert not competition.team.filter(pk=member.pk).exists()
    assert AuditEntry.objects.filter(action="team.member_removed").exists()


def test_only_the_lead_buyer_takes_members_off(login, buyer, competition, evaluator, cobuyer):
    from lupin.competitions import actions as core

    member = core.add_team_member(buyer, competition, evaluator)
    for outsider in (evaluator, cobuyer):
        login(outsider).post(
            reverse("competitions:team", args=[competition.pk]), {"remove": member.pk}
        )
    assert competition.team.filter(pk=member.pk).exists()


def test_an_outsiders_attempt_to_open_or_join_the_team_is_logged(login, advisor, competition):
    from lupin.audit.models import AuditEntry

    client = login(advisor)
    assert client.post(reverse("competitions:opening", args=[competition.pk])).status_code == 404
    assert client.post(reverse("competitions:team", args=[competition.pk])).status_code == 404
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"tender.open_refused", "team.change_refused"} <= actions_logged
