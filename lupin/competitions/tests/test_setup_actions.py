"""The buyer's actions preparing and running a competition: criteria, qualification, documents,
questions and answers, cancelling; the timeline and criteria rules that block announcing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lupin.audit.models import AuditEntry
from lupin.competitions import actions
from lupin.competitions.actions import CompetitionError, setup
from lupin.competitions.actions.setup import CriterionData
from lupin.competitions.models import (
    CompetitionDocument,
    CompetitionStatus,
    Criterion,
    CriterionKind,
    InterestedSupplier,
    QuestionStatus,
)
from lupin.competitions.tests.conftest import make_competition

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    """Thresholds are dated data: every test runs on the same day of 2026."""
    with time_machine.travel(NOW, tick=False):
        yield


def pdf(name: str = "vedlegg.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 vedlegg", "application/pdf")


def timeline(days: int) -> dict[str, datetime]:
    """A timeline whose tender deadline is `days` calendar days after today, at noon."""
    tender = NOW.replace(hour=12) + timedelta(days=days)
    return {
        "question_deadline": tender - timedelta(days=8),
        "last_answer_at": tender - timedelta(days=7),
        "tender_deadline": tender,
        "opening_at": tender + timedelta(hours=1),
    }


def set_weights(competition, **weights: int) -> None:
    for criterion in competition.criteria.all():
        if criterion.kind in weights:
            criterion.weight = Decimal(weights[criterion.kind])
            criterion.save()


# The timeline: the law's minimum, named ---------------------------------------------------


def test_a_tender_deadline_one_day_short_of_the_minimum_is_refused_naming_the_rule(buyer, media):
    competition = make_competition(buyer, announce=False, **timeline(29))
    with pytest.raises(CompetitionError) as refused:
        actions.announce(buyer, competition)
    assert refused.value.field == "tender_deadline"
    assert "FOA § 20-1" in refused.value.message
    assert "at least 30 days" in refused.value.message
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.DRAFT


def test_a_tender_deadline_exactly_at_the_minimum_is_accepted(buyer, media):
    competition = make_competition(buyer, announce=False, **timeline(30))
    announced = actions.announce(buyer, competition)
    assert announced.status == CompetitionStatus.ANNOUNCED


# Criteria -------------------------------------------------------------------------------------


def test_weights_not_summing_to_100_block_announcing(buyer, media):
    competition = make_competition(buyer, announce=False)
    set_weights(competition, price=50)  # 50 + 30 + 30 = 110
    with pytest.raises(CompetitionError) as refused:
        actions.announce(buyer, competition)
    assert "110" in refused.value.message
    assert refused.value.field == "criteria"


def test_environment_below_30_percent_without_justification_blocks_announcing(buyer, media):
    competition = make_competition(buyer, announce=False)
    set_weights(competition, price=40, quality=40, environment=20)
    with pytest.raises(CompetitionError) as refused:
        actions.announce(buyer, competition)
    assert "FOA § 7-9" in refused.value.message


def test_environment_below_30_percent_with_a_justification_may_be_announced(buyer, media):
    competition = make_competition(buyer, announce=False)
    set_weights(competition, price=40, quality=40, environment=20)
    setup.set_environment_justification(
        buyer, competition, "Kravspesifikasjonen stiller strengere miljøkrav (§ 7-9 (4))."
    )
    assert actions.announce(buyer, competition).status == CompetitionStatus.ANNOUNCED
    assert AuditEntry.objects.filter(action="competition.environment_justified").exists()


def test_sub_criteria_take_their_parents_kind_and_must_add_up_to_its_weight(buyer, media):
    competition = make_competition(buyer, announce=False)
    quality = competition.criteria.get(kind=CriterionKind.QUALITY)
    child = setup.add_criterion(
        buyer,
        competition,
        CriterionData(name="Brukervennlighet", weight=Decimal(20), kind=CriterionKind.PRICE),
        parent=quality,
    )
    assert child.kind == CriterionKind.QUALITY
    assert any("sub-criteria" in p for p in actions.criteria_problems(competition))
    setup.add_criterion(
        buyer, competition, CriterionData(name="Driftssikkerhet", weight=Decimal(10)), quality
    )
    assert actions.criteria_problems(competition) == []
    with pytest.raises(CompetitionError):
        setup.add_criterion(
            buyer, competition, CriterionData(name="For dypt", weight=Decimal(5)), child
        )


def test_updating_and_removing_a_criterion_is_audited(buyer, media):
    competition = make_competition(buyer, announce=False)
    price = competition.criteria.get(kind=CriterionKind.PRICE)
    setup.update_criterion(
        buyer, price, CriterionData(name="Pris", weight=Decimal(35), kind=CriterionKind.PRICE)
    )
    price.refresh_from_db()
    assert price.weight == Decimal(35)
    setup.remove_criterion(buyer, price)
    assert not Criterion.objects.filter(pk=price.pk).exists()
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"criterion.updated", "criterion.removed"} <= actions_logged


@pytest.mark.parametrize("weight", ["0", "100.01", "12.345"])
def test_a_weight_outside_0_to_100_or_with_three_decimals_is_refused(buyer, media, weight):
    competition = make_competition(buyer, announce=False)
    with pytest.raises(CompetitionError) as refused:
        setup.add_criterion(buyer, competition, CriterionData(name="X", weight=Decimal(weight)))
    assert refused.value.field == "weight"


def test_criteria_and_requirements_are_fixed_once_announced(buyer, competition):
    with pytest.raises(CompetitionError):
        setup.add_criterion(buyer, competition, CriterionData(name="Ny", weight=Decimal(5)))
    with pytest.raises(CompetitionError):
        setup.add_requirement(buyer, competition, text="Skatteattest")


def test_colleagues_may_change_criteria_but_evaluators_may_not(
    buyer, buyer_colleague, evaluator, media
):
    competition = make_competition(buyer, announce=False)
    setup.add_criterion(buyer_colleague, competition, CriterionData(name="A", weight=Decimal(1)))
    with pytest.raises(PermissionDenied):
        setup.add_criterion(evaluator, competition, CriterionData(name="B", weight=Decimal(1)))


# Qualification -------------------------------------------------------------------------------


def test_requirements_are_added_and_removed_in_a_draft(buyer, media):
    competition = make_competition(buyer, announce=False)
    requirement = setup.add_requirement(
        buyer, competition, text="Omsetning over 5 MNOK", documentation="Årsregnskap"
    )
    assert competition.qualification_requirements.count() == 1
    setup.remove_requirement(buyer, requirement)
    assert competition.qualification_requirements.count() == 0
    with pytest.raises(CompetitionError) as refused:
        setup.add_requirement(buyer, competition, text="  ")
    assert refused.value.field == "text"


# Documents -----------------------------------------------------------------------------------


def test_a_new_document_after_the_announcement_reaches_every_interested_supplier(
    buyer, supplier, rival, competition, django_capture_on_commit_callbacks
):
    actions.register_interest(supplier, competition)
    actions.register_interest(rival, competition)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        document = setup.publish_document(
            buyer, competition, title="Rettelse 1", upload=pdf("rettelse.pdf")
        )
    assert document.content_type == "application/pdf"
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([supplier.email, rival.email])
    assert all("Rettelse 1" in m.body for m in mail.outbox)


def test_a_document_cannot_be_removed_after_the_announcement(buyer, competition):
    document = competition.documents.get()
    with pytest.raises(CompetitionError) as refused:
        setup.remove_document(buyer, document)
    assert "new version" in refused.value.message
    assert CompetitionDocument.objects.filter(pk=document.pk).exists()


def test_a_draft_document_can_be_removed(buyer, media):
    competition = make_competition(buyer, announce=False)
    document = setup.publish_document(buyer, competition, title="", upload=pdf("utkast.pdf"))
    assert document.title == "utkast.pdf"
    setup.remove_document(buyer, document)
    assert not CompetitionDocument.objects.filter(pk=document.pk).exists()
    assert AuditEntry.objects.filter(action="document.removed").exists()


def test_a_file_that_is_not_what_it_claims_is_refused(buyer, media):
    competition = make_competition(buyer, announce=False)
    fake = SimpleUploadedFile("grunnlag.pdf", b"MZ not a pdf", "application/pdf")
    with pytest.raises(CompetitionError) as refused:
        setup.publish_document(buyer, competition, title="X", upload=fake)
    assert refused.value.field == "file"


def test_no_new_document_after_the_last_time_for_answers(buyer, competition):
    with (
        time_machine.travel(competition.last_answer_at, tick=False),
        pytest.raises(CompetitionError) as refused,
    ):
        setup.publish_document(buyer, competition, title="Sent", upload=pdf())
    assert "art. 53(2)" in refused.value.message


# Questions and answers -------------------------------------------------------------------------


def test_asking_makes_the_supplier_follow(supplier, competition):
    assert not InterestedSupplier.objects.filter(competition=competition).exists()
    question = setup.ask_question(supplier, competition, "Kan vi levere i to faser?")
    assert question.status == QuestionStatus.OPEN
    assert InterestedSupplier.objects.filter(
        competition=competition, organisation=supplier.organisation
    ).exists()


def test_only_suppliers_ask_questions(buyer, competition):
    with pytest.raises(CompetitionError):
        setup.ask_question(buyer, competition, "Spørsmål?")


def test_questions_after_the_question_deadline_are_refused(supplier, competition):
    with (
        time_machine.travel(competition.question_deadline, tick=False),
        pytest.raises(CompetitionError) as refused,
    ):
        setup.ask_question(supplier, competition, "For sent?")
    assert refused.value.field == "text"


def test_answer_goes_to_every_interested_supplier_without_the_askers_name(
    buyer, supplier, rival, competition, django_capture_on_commit_callbacks
):
    actions.register_interest(rival, competition)
    question = setup.ask_question(
        supplier, competition, "Nordlys Teknologi spør: kan vi bruke API?"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = setup.answer_question(
            buyer,
            question,
            question_text="Kan løsningen integreres via API?",
            answer_text="Ja, se vedlegg 3.",
        )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert question.answer == answer
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([supplier.email, rival.email])
    for message in mail.outbox:
        assert "integreres via API" in message.body
        assert "Nordlys" not in message.body
        assert "Nordlys" not in message.subject
    assert AuditEntry.objects.filter(action="answer.published").exists()


def test_answers_after_the_last_time_for_answers_are_refused_naming_the_rule(
    buyer, supplier, competition
):
    question = setup.ask_question(supplier, competition, "Spørsmål?")
    with time_machine.travel(competition.last_answer_at, tick=False):
        with pytest.raises(CompetitionError) as refused:
            setup.answer_question(buyer, question, question_text="Q?", answer_text="A.")
        assert "Directive 2014/24 art. 53(2)" in refused.value.message
        with pytest.raises(CompetitionError):
            setup.publish_clarification(buyer, competition, question_text="Q", answer_text="A")
    with time_machine.travel(competition.last_answer_at - timedelta(seconds=1), tick=False):
        setup.answer_question(buyer, question, question_text="Q?", answer_text="A.")


def test_a_question_cannot_be_answered_twice(buyer, supplier, competition):
    question = setup.ask_question(supplier, competition, "Spørsmål?")
    setup.answer_question(buyer, question, question_text="Q?", answer_text="A.")
    with pytest.raises(CompetitionError):
        setup.answer_question(buyer, question, question_text="Q?", answer_text="B.")


def test_a_duplicate_tells_only_the_asker(
    buyer, supplier, rival, competition, django_capture_on_commit_callbacks
):
    actions.register_interest(rival, competition)
    answer = setup.publish_clarification(
        buyer, competition, question_text="Leveringstid?", answer_text="Tre måneder."
    )
    question = setup.ask_question(supplier, competition, "Hva er leveringstiden?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        setup.mark_duplicate(buyer, question, answer)
    question.refresh_from_db()
    assert question.status == QuestionStatus.DUPLICATE
    assert [a for m in mail.outbox for a in m.to] == [supplier.email]


def test_evaluators_cannot_answer(evaluator, supplier, competition):
    question = setup.ask_question(supplier, competition, "Spørsmål?")
    with pytest.raises(PermissionDenied):
        setup.answer_question(evaluator, question, question_text="Q", answer_text="A")


# Cancelling ----------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_is_audited_and_tells_interested_suppliers(
    buyer, supplier, competition, django_capture_on_commit_callbacks
):
    actions.register_interest(supplier, competition)
    with pytest.raises(CompetitionError):
        setup.cancel_competition(buyer, competition, " ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = setup.cancel_competition(buyer, competition, "Behovet er bortfalt.")
    assert cancelled.status == CompetitionStatus.CANCELLED
    assert [a for m in mail.outbox for a in m.to] == [supplier.email]
    assert "Behovet er bortfalt." in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="competition.cancelled")
    assert entry.detail["reason"] == "Behovet er bortfalt."
    with pytest.raises(CompetitionError):
        setup.cancel_competition(buyer, cancelled, "Igjen")


def test_the_timeline_is_fixed_once_the_tender_deadline_passes(buyer, competition):
    with (
        time_machine.travel(competition.tender_deadline, tick=False),
        pytest.raises(CompetitionError),
    ):
        actions.change_timeline(
            buyer,
            competition,
            question_deadline=competition.question_deadline,
            last_answer_at=competition.last_answer_at,
            tender_deadline=timezone.now() + timedelta(days=10),
            opening_at=timezone.now() + timedelta(days=10, hours=1),
            reason="For sent",
        )
