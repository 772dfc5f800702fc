"""OCDS out: nothing confidential leaks. A marker is written into every confidential field of a
whole case (project, dialogue, competition, evaluation, award, contract follow-up); none may
appear in any output (every page of releases, every record, the bulk file) at any stage. The
winning price appears only after the award decision, once the contract is signed; the other
prices never."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lupin.benefits import actions as benefit_actions
from lupin.benefits.actions import MeasurementData
from lupin.competitions import actions as competition_actions
from lupin.competitions.actions import evaluation as ev
from lupin.competitions.actions import setup as competition_setup
from lupin.competitions.models import (
    CompetitionDocument,
    Criterion,
    CriterionKind,
    NegotiationRound,
)
from lupin.competitions.tests import test_evaluation
from lupin.competitions.tests.conftest import MARKER as TENDER_FILE_MARKER
from lupin.competitions.tests.conftest import competition_data
from lupin.competitions.tests.test_evaluation import make_third_supplier, opened_competition
from lupin.contracts import actions as contract_actions
from lupin.contracts.actions import GateChoice
from lupin.contracts.models import PhaseKind
from lupin.dialogue import actions as dialogue_actions
from lupin.dialogue.models import Minutes
from lupin.dialogue.tests.conftest import dialogue_data
from lupin.opendata.publish import produce_releases
from lupin.opendata.tests.publication_support import outputs
from lupin.projects import actions as project_actions
from lupin.projects.actions import BenefitData, ProjectData
from lupin.projects.lifecycle import Phase
from lupin.projects.models import BenefitCategory, ProjectStep

MARK = "KONFIDENSIELT"
# Prices nobody else would write: the winner's must appear only once the contract is signed.
PRICES = {"supplier": "1618033.99", "rival": "2718281.83", "third": "3141592.65"}
WINNING_PRICE = PRICES["third"]
LOSING_PRICES = (PRICES["supplier"], PRICES["rival"])


def marked(field: str) -> str:
    return f"{MARK}:{field}"


def pdf(body: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("vedlegg.pdf", b"%PDF-1.4\n" + body.encode(), "application/pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def published_texts(client: Client, stage: str) -> str:
    """Produce what is due, then read every output; fail if any marker is in any of them."""
    produce_releases()
    texts = outputs(client)
    assert texts, stage
    for name, text in texts.items():
        assert MARK not in text, f"{stage}: a confidential field leaks into the {name}"
        assert TENDER_FILE_MARKER.decode() not in text, f"{stage}: tender file in the {name}"
        for price in LOSING_PRICES:
            assert price not in text, f"{stage}: a losing price in the {name}"
    return "\n".join(texts.values())


def test_no_confidential_field_reaches_any_output(
    buyer, buyer_colleague, evaluator, supplier, rival, client, media, monkeypatch
):
    # The case: internal notes, a roadmap note and an internal document.
    project = project_actions.create_project(
        buyer,
        ProjectData(
            title="Digitalt tilsyn om natten",
            need_statement="Hjemmeboende eldre trenger trygghet om natten.",
            estimated_value=Decimal("2500000"),
            planned_procedure="open",
            cpv_codes=("33196200",),
            internal_notes=marked("project internal notes"),
        ),
    )
    project_actions.add_benefit(
        buyer,
        project,
        BenefitData(
            category=BenefitCategory.PROCESS_HOURS,
            description="Færre nattbesøk",
            baseline=Decimal(120),
            target=Decimal(60),
            unit="besøk per uke",
            owner="Leder hjemmetjenesten",
        ),
    )
    step = ProjectStep.objects.filter(project=project).first()
    assert step is not None
    project_actions.set_step(buyer, step, done=True, note=marked("roadmap note"))
    project_actions.add_document(
        buyer,
        project,
        title=marked("project document title"),
        upload=pdf(marked("project document content")),
    )

    # Market dialogue: a private question, a material for registered suppliers, a meeting
    # with minutes and a business secret, and written input.
    dialogue = dialogue_actions.create_dialogue(buyer, project, dialogue_data())
    dialogue = dialogue_actions.publish_dialogue(buyer, dialogue)
    dialogue_actions.register(supplier, dialogue)
    dialogue_actions.ask_question(supplier, dialogue, marked("dialogue question"))
    dialogue_actions.share_material(
        buyer, dialogue, title=marked("material title"), upload=pdf(marked("material content"))
    )
    (slot,) = dialogue_actions.add_slots(
        buyer, dialogue, first_start=timezone.now() + timedelta(days=12), count=1, place="Rom 1"
    )
    booking = dialogue_actions.book_slot(supplier, slot)
    Minutes.objects.create(
        booking=booking,
        text=f"{marked('minutes')}\n\n{marked('business secret')}",
        secret_paragraphs=[1],
        recorded_by=buyer,
    )
    dialogue_actions.submit_input(
        supplier,
        dialogue,
        title=marked("written input title"),
        text=marked("written input text"),
        upload=pdf(marked("written input file")),
    )
    published_texts(client, "after the dialogue")

    # The competition: a private question, sealed tenders with files and prices.
    project.refresh_from_db()
    project_actions.move_phase(buyer, project, Phase.COMPETITION)
    competition = competition_actions.create_competition(buyer, project, competition_data())
    for name, kind, weight in (
        ("Pris", CriterionKind.PRICE, 40),
        ("Kvalitet", CriterionKind.QUALITY, 30),
        ("Miljø", CriterionKind.ENVIRONMENT, 30),
    ):
        Criterion.objects.create(
            competition=competition, name=name, kind=kind, weight=Decimal(weight)
        )
    CompetitionDocument.objects.create(
        competition=competition,
        title="Konkurransegrunnlag",
        file=SimpleUploadedFile("grunnlag.pdf", b"%PDF-1.4 grunnlag"),
        content_type="application/pdf",
        size=17,
    )
    competition = competition_actions.announce(buyer, competition)
    competition_setup.ask_question(supplier, competition, marked("competition question"))
    competition_actions.add_team_member(buyer, competition, evaluator)
    monkeypatch.setattr(test_evaluation, "PRICES", PRICES)
    bidders = {"supplier": supplier, "rival": rival, "third": make_third_supplier()}
    # It yields once, with time after the opening until the loop ends.
    for setup in opened_competition(competition, buyer, buyer_colleague, bidders):
        check_evaluation_and_award(client, competition, setup, buyer, buyer_colleague, evaluator)


def check_evaluation_and_award(client, competition, setup, buyer, buyer_colleague, evaluator):
    """The opened competition, through evaluation and award to the signed contract."""
    text = published_texts(client, "after the opening")
    assert WINNING_PRICE not in text

    # Evaluation: declarations, independent scores with notes, consensus, a negotiation round.
    for user in (evaluator, buyer_colleague):
        competition_actions.declare_no_conflict(user, competition, marked("declaration"))
    scores = {
        (tender.pk, criterion.pk): (Decimal(7), marked("score note"))
        for tender in setup.tenders.values()
        for criterion in setup.criteria
    }
    for user in (evaluator, buyer_colleague):
        ev.submit_scores(user, competition, scores)
    for tender in setup.tenders.values():
        for criterion in setup.criteria:
            ev.record_consensus(
                buyer, competition, tender, criterion, Decimal(7), marked("consensus")
            )
    NegotiationRound.objects.create(
        competition=competition,
        number=1,
        held_at=timezone.now(),
        notes=marked("negotiation notes"),
        recorded_by=buyer,
    )
    text = published_texts(client, "after the evaluation")
    assert WINNING_PRICE not in text

    # The award decision, with reasons the letters carry: the award is public, its price not
    # yet (it is sealed until the contract is signed).
    decision = ev.decide_award(buyer, competition, setup.tenders["third"], marked("award reasons"))
    text = published_texts(client, "after the award decision")
    assert "award-" in text
    assert WINNING_PRICE not in text

    with time_machine.travel(decision.standstill_ends_at, tick=False):
        ev.sign_contract(buyer, competition)
        text = published_texts(client, "after signing")
    assert json.dumps(float(WINNING_PRICE)) in text


def test_no_reason_or_measurement_of_the_follow_up_reaches_any_output(
    buyer, pcp_contract, client, media
):
    """Gate reasons, why a supplier left, why the contract ended, and KPI measurements."""
    today = timezone.localdate()
    phase = contract_actions.add_phase(
        buyer,
        pcp_contract,
        kind=PhaseKind.SOLUTION_DESIGN,
        name="Løsningsdesign",
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=5),
    )
    contract_actions.start_phase(buyer, phase)
    first, second, third = contract_actions.active_suppliers(pcp_contract)
    contract_actions.decide_gate(
        buyer,
        phase,
        [
            GateChoice(first, "go", marked("gate reason go")),
            GateChoice(second, "go", marked("gate reason go 2")),
            GateChoice(third, "no_go", marked("gate reason no go")),
        ],
    )
    kpi = pcp_contract.kpis.first()
    assert kpi is not None
    benefit_actions.record_measurement(
        buyer,
        kpi,
        MeasurementData(
            value=Decimal(90),
            unit=kpi.unit,
            measured_on=today,
            source="Fagsystemet",
            note=marked("measurement note"),
            evidence=pdf(marked("measurement evidence")),
        ),
    )
    contract_actions.change_status(
        buyer, pcp_contract, "terminated", reason=marked("termination reason")
    )
    text = published_texts(client, "after the follow-up")
    assert '"contractTermination"' in text
