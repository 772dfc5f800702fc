"""OCDS out: one release per event of a published project, produced once and never changed."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lupin.accounts.models import User
from lupin.competitions import actions as competition_actions
from lupin.competitions.actions import evaluation as ev
from lupin.competitions.actions import setup as competition_setup
from lupin.competitions.models import Competition, CompetitionDocument, Criterion, CriterionKind
from lupin.competitions.tests.conftest import competition_data, make_competition
from lupin.competitions.tests.test_evaluation import agree_all, declare, setup_fixture, submit_all
from lupin.conftest import add_benefit
from lupin.contracts import actions as contract_actions
from lupin.contracts.actions import GateChoice
from lupin.contracts.models import Contract, OptionKind, PhaseKind
from lupin.dialogue import actions as dialogue_actions
from lupin.dialogue.actions import ConferenceData
from lupin.dialogue.tests.conftest import dialogue_data
from lupin.opendata import mapping, publish
from lupin.opendata.models import ImmutableError, Release
from lupin.opendata.publish import produce_releases
from lupin.projects import actions as project_actions
from lupin.projects.actions import ProjectData
from lupin.projects.models import Project


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def competition(buyer: User, media) -> Competition:
    """An announced competition of a published project."""
    competition = make_competition(buyer)
    project_actions.publish_project(buyer, competition.project)
    return competition


@pytest.fixture
def evaluated(competition, buyer, buyer_colleague, evaluator, supplier, rival) -> Iterator:
    """Three tenders opened, scored and agreed; time stays after the opening."""
    for setup in setup_fixture(competition, buyer, buyer_colleague, evaluator, supplier, rival):
        declare(setup, evaluator, buyer_colleague)
        submit_all(setup, evaluator, buyer_colleague)
        agree_all(setup, buyer)
        yield setup


def released(prefix: str) -> list[Release]:
    return list(Release.objects.filter(source_event__startswith=prefix).order_by("date", "pk"))


def only(prefix: str) -> Release:
    (release,) = released(prefix)
    return release


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%tillegg\n", "application/pdf")


# Planning ----------------------------------------------------------------------------------------


def test_a_draft_project_produces_nothing(buyer, draft_project, media):
    make_competition(buyer)  # announced, on a project that is still a draft
    assert produce_releases() == 0
    assert not Release.objects.exists()


def test_publishing_a_project_produces_one_planning_release(published_project):
    assert produce_releases() == 1
    release = only("project.published:")
    assert release.ocid == f"ocds-lupin0-{published_project.pk}"
    assert release.project == published_project
    assert release.tags == ["planning"] == release.data["tag"]
    data = release.data
    assert data["ocid"] == release.ocid and data["id"] == release.release_id
    assert data["planning"]["rationale"].startswith("Hjemmeboende eldre trenger trygghet")
    assert data["planning"]["budget"]["amount"] == {"amount": 2500000, "currency": "NOK"}
    assert data["tender"]["status"] == "planning"
    assert [i["classification"] for i in data["tender"]["items"]] == [
        {"scheme": "CPV", "id": "33196200", "description": "Devices for the disabled"}
    ]
    lead = data["parties"][0]
    assert lead["identifier"] == {
        "scheme": "NO-BRC",
        "id": "100000113",
        "legalName": "Fjordvik kommune",
    }
    assert lead["roles"] == ["buyer", "procuringEntity"]
    assert data["buyer"] == {"id": "NO-BRC-100000113", "name": "Fjordvik kommune"}
    assert produce_releases() == 0
    assert Release.objects.count() == 1


def test_the_ocid_prefix_comes_from_the_setting(settings, published_project):
    settings.LUPIN_OCID_PREFIX = "ocds-abc123"
    produce_releases()
    assert only("project.published:").data["ocid"] == f"ocds-abc123-{published_project.pk}"


def test_editing_the_project_afterwards_changes_no_release(buyer, published_project):
    produce_releases()
    release = only("project.published:")
    before = copy.deepcopy(release.data)
    project_actions.update_project(
        buyer,
        published_project,
        ProjectData(
            title="Helt ny tittel", need_statement="Et nytt behov.", cpv_codes=("72000000",)
        ),
    )
    assert produce_releases() == 0
    release.refresh_from_db()
    assert release.data == before
    assert "Helt ny tittel" not in json.dumps(list(Release.objects.values_list("data", flat=True)))
    release.tags = ["planningUpdate"]
    with pytest.raises(ImmutableError):
        release.save()


def test_the_dialogue_notice_and_a_later_conference_are_planning_updates(buyer):
    project = project_actions.create_project(
        buyer, ProjectData(title="Snørydding", need_statement="Glatte fortau om morgenen.")
    )
    add_benefit(buyer, project)
    dialogue = dialogue_actions.create_dialogue(buyer, project, dialogue_data())
    dialogue = dialogue_actions.publish_dialogue(buyer, dialogue)  # publishes the project too
    assert produce_releases() == 2
    assert only("project.published:").tags == ["planning"]
    notice = only("dialogue.published:")
    assert notice.tags == ["planningUpdate"]
    assert notice.date == dialogue.published_at
    (document,) = notice.data["planning"]["documents"]
    assert document["documentType"] == "plannedProcurementNotice"
    assert document["url"].endswith(f"/dialogues/{dialogue.pk}/")
    assert notice.data["parties"][0]["contactPoint"]["email"] == dialogue.contact_email
    deadlines = {m["id"]: m["dueDate"] for m in notice.data["planning"]["milestones"]}
    assert deadlines[f"dialogue-{dialogue.pk}-registration"] == mapping.moment(
        dialogue.registration_deadline
    )

    start = timezone.now() + timedelta(days=20)
    conference = dialogue_actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Dialogkonferanse",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Rådhuset",
        ),
    )
    assert produce_releases() == 1
    update = only("dialogue.conference:")
    assert update.tags == ["planningUpdate"]
    milestones = {m["id"]: m for m in update.data["planning"]["milestones"]}
    assert milestones[f"conference-{conference.pk}"]["title"] == "Dialogkonferanse"


# The competition ---------------------------------------------------------------------------------


def test_a_draft_competition_produces_nothing(buyer, media):
    competition = make_competition(buyer, announce=False)
    project_actions.publish_project(buyer, competition.project)
    produce_releases()
    assert released("competition.") == []
    assert only("project.published:").data["tender"]["status"] == "planning"


def test_announcing_produces_a_tender_release(competition):
    produce_releases()
    release = only("competition.announced:")
    assert release.tags == ["tender"]
    tender = release.data["tender"]
    assert tender["id"] == f"competition-{competition.pk}"
    assert tender["status"] == "active"
    assert tender["procurementMethod"] == "open"
    assert tender["procurementMethodDetails"] == "Open procedure"
    assert tender["mainProcurementCategory"] == "goods"
    assert tender["value"] == {"amount": 2500000, "currency": "NOK"}
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"] == "Pris: 40 %\nKvalitet: 30 %\nMiljø: 30 %"
    assert tender["tenderPeriod"] == {
        "startDate": mapping.moment(competition.announced_at),
        "endDate": mapping.moment(competition.tender_deadline),
    }
    assert tender["enquiryPeriod"]["endDate"] == mapping.moment(competition.question_deadline)
    notice, document = tender["documents"]
    assert notice["documentType"] == "tenderNotice"
    stored = CompetitionDocument.objects.get(competition=competition)
    assert document == {
        "id": f"document-{stored.pk}",
        "documentType": "biddingDocuments",
        "title": "Konkurransegrunnlag",
        "url": f"http://127.0.0.1:8000/competitions/{competition.pk}/documents/{stored.pk}/",
        "datePublished": mapping.moment(stored.published_at),
        "format": "application/pdf",
    }
    # The project was published after the announcement: its planning release, dated later,
    # carries only the competition's status, so the record keeps the competition's tender.
    planning = only("project.published:")
    assert planning.date > release.date
    assert planning.data["tender"] == {"id": tender["id"], "status": "active"}
    compiled = publish.compile_record(release.ocid)
    assert compiled is not None
    assert compiled[0]["compiledRelease"]["tender"]["title"] == competition.title


def test_the_planned_item_gives_way_to_the_lots_in_the_record(buyer, media):
    competition = make_competition(buyer, announce=False)
    project_actions.publish_project(buyer, competition.project)
    produce_releases()
    assert len(only("project.published:").data["tender"]["items"]) == 1
    competition_setup.add_lot(buyer, competition, title="Sensorer")
    competition_setup.add_lot(buyer, competition, title="Drift")
    competition_actions.announce(buyer, competition)
    produce_releases()
    compiled = publish.compile_record(f"ocds-lupin0-{competition.project_id}")
    assert compiled is not None
    tender = compiled[0]["compiledRelease"]["tender"]
    assert [(i["description"], i["relatedLot"]) for i in tender["items"]] == [
        ("Sensorer", "lot-1"),
        ("Drift", "lot-2"),
    ]
    assert [lot["status"] for lot in tender["lots"]] == ["active", "active"]
    assert tender["title"] == competition.title


def test_a_later_document_moved_deadlines_and_cancellation_each_get_a_release(buyer, competition):
    produce_releases()
    competition_setup.publish_document(buyer, competition, title="Tillegg 1", upload=pdf("t.pdf"))
    week = timedelta(days=7)
    competition_actions.change_timeline(
        buyer,
        competition,
        question_deadline=competition.question_deadline + week,
        last_answer_at=competition.last_answer_at + week,
        tender_deadline=competition.tender_deadline + week,
        opening_at=competition.opening_at + week,
        reason="Flere spørsmål enn ventet.",
    )
    competition_setup.cancel_competition(buyer, competition, "Behovet er endret.")
    assert produce_releases() == 3
    update = only("competition.document:")
    assert update.tags == ["tenderUpdate"]
    assert [d["title"] for d in update.data["tender"]["documents"][1:]] == [
        "Konkurransegrunnlag",
        "Tillegg 1",
    ]
    amendment = only("competition.timeline:")
    assert amendment.tags == ["tenderAmendment"]
    assert len(amendment.data["tender"]["amendments"]) == 1
    cancellation = only("competition.cancelled:")
    assert cancellation.tags == ["tenderCancellation"]
    assert cancellation.data["tender"]["status"] == "cancelled"
    compiled = publish.compile_record(cancellation.ocid)
    assert compiled is not None
    tender = compiled[0]["compiledRelease"]["tender"]
    assert tender["status"] == "cancelled"
    assert len(tender["documents"]) == 3


def test_a_later_competition_of_the_project_is_a_process_of_its_own(buyer, competition):
    second = competition_actions.create_competition(
        buyer, competition.project, competition_data(title="Nattilsyn: responstjeneste")
    )
    Criterion.objects.create(
        competition=second, name="Pris", kind=CriterionKind.PRICE, weight=Decimal(100)
    )
    competition_setup.set_environment_justification(
        buyer, second, "Tjenesten har lite klima- og miljøpåvirkning."
    )
    competition_setup.publish_document(buyer, second, title="Grunnlag", upload=pdf("g.pdf"))
    competition_actions.announce(buyer, second)
    produce_releases()
    first, later = released("competition.announced:")
    base = f"ocds-lupin0-{competition.project_id}"
    assert first.ocid == base
    assert later.ocid == f"{base}-c{second.pk}"
    assert later.data["tender"]["awardCriteria"] == "priceOnly"
    assert later.data["relatedProcesses"] == [
        {
            "id": "1",
            "relationship": ["planning"],
            "title": competition.project.title,
            "scheme": "ocid",
            "identifier": base,
        }
    ]


# Award and contract ------------------------------------------------------------------------------


def test_the_award_and_the_signed_contract_each_get_one_release(evaluated, buyer):
    competition = evaluated.competition
    winner = evaluated.tenders["third"]
    decision = ev.decide_award(buyer, competition, winner, "Best kvalitet samlet.")
    produce_releases()
    award = only("award.decided:")
    assert award.tags == ["award"]
    assert award.date == decision.decided_at
    (entry,) = award.data["awards"]
    assert entry["status"] == "pending"
    assert entry["suppliers"] == [{"id": "NO-BRC-100400006", "name": "Tredje Leverandør AS"}]
    assert "value" not in entry
    assert award.data["tender"]["status"] == "complete"
    assert award.data["tender"]["numberOfTenderers"] == 3

    with time_machine.travel(decision.standstill_ends_at, tick=False):
        ev.sign_contract(buyer, competition)
    assert produce_releases() == 1
    signing = only("contract.signed:")
    assert signing.tags == ["contract"]
    contract = Contract.objects.get(award=decision)
    (signed_award,) = signing.data["awards"]
    assert signed_award["status"] == "active"
    assert signed_award["value"] == {"amount": 200000, "currency": "NOK"}
    (entry,) = signing.data["contracts"]
    assert entry["awardID"] == f"award-{decision.pk}"
    assert entry["value"] == {"amount": 200000, "currency": "NOK"}
    assert entry["status"] == "active"
    assert entry["dateSigned"] == mapping.day_start(contract.signed_on)
    assert produce_releases() == 0

    compiled = publish.compile_record(signing.ocid)
    assert compiled is not None
    record = compiled[0]
    assert [r["id"] for r in record["releases"]] == list(
        Release.objects.filter(ocid=signing.ocid)
        .order_by("date", "pk")
        .values_list("release_id", flat=True)
    )
    assert record["compiledRelease"]["tender"]["status"] == "complete"
    assert record["compiledRelease"]["awards"][0]["status"] == "active"
    assert record["compiledRelease"]["awards"][0]["value"]["amount"] == 200000


def test_a_contract_registered_by_hand_then_its_follow_up(buyer, ip_contract):
    produce_releases()
    signing = only("contract.signed:")
    assert signing.tags == ["award", "contract"]
    (award,) = signing.data["awards"]
    assert award["id"] == f"contract-{ip_contract.pk}-award"
    assert award["value"] == {"amount": 2400000, "currency": "NOK"}
    assert signing.data["contracts"][0]["awardID"] == award["id"]
    assert signing.data["tender"] == {"id": "planned", "status": "complete"}

    today = timezone.localdate()
    phase = contract_actions.add_phase(
        buyer,
        ip_contract,
        kind=PhaseKind.DEVELOPMENT,
        name="Utvikling",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=60),
    )
    milestone = contract_actions.add_milestone(
        buyer, phase, title="Prototyp levert", due_on=today + timedelta(days=10)
    )
    assert produce_releases() == 0  # planned work is no event yet
    contract_actions.start_phase(buyer, phase)
    contract_actions.reach_milestone(buyer, milestone, on=today)
    (party,) = contract_actions.active_suppliers(ip_contract)
    contract_actions.decide_gate(buyer, phase, [GateChoice(party, "go", "Ytelsene er nådd.")])
    assert produce_releases() == 3
    latest = released("implementation:")[-1]
    assert latest.tags == ["implementation"]
    rows = {m["id"]: m for m in latest.data["contracts"][0]["implementation"]["milestones"]}
    assert rows[f"phase-{phase.pk}"]["status"] == "met"
    assert rows[f"milestone-{milestone.pk}"]["status"] == "met"
    assert rows[f"milestone-{milestone.pk}"]["dateMet"] == mapping.day_start(today)

    option = contract_actions.add_option(
        buyer,
        ip_contract,
        kind=OptionKind.EXTENSION,
        description="Ett års forlengelse",
        extends_to=date(2028, 1, 31),
    )
    contract_actions.exercise_option(buyer, option, on=today)
    contract_actions.change_status(buyer, ip_contract, "completed")
    assert produce_releases() == 2
    amended = only("contract.amended:")
    assert amended.tags == ["contractAmendment"]
    assert amended.data["contracts"][0]["period"]["endDate"] == mapping.day_end(date(2028, 1, 31))
    ended = only("contract.ended:")
    assert ended.tags == ["contractTermination"]
    assert ended.data["contracts"][0]["status"] == "terminated"
    # The award's value is the price it was signed for: later releases leave it alone.
    assert "value" not in ended.data["awards"][0]


# Unpublishing, and two producers at once ---------------------------------------------------------


def test_an_unpublished_project_produces_nothing_until_it_is_published_again(
    buyer, published_project
):
    produce_releases()
    project_actions.unpublish_project(buyer, published_project)
    project = Project.objects.get(pk=published_project.pk)
    dialogue = dialogue_actions.create_dialogue(buyer, project, dialogue_data())
    dialogue = dialogue_actions.publish_dialogue(buyer, dialogue)  # publishes the project again
    project_actions.unpublish_project(buyer, Project.objects.get(pk=project.pk))
    assert produce_releases() == 0
    project_actions.publish_project(buyer, Project.objects.get(pk=project.pk))
    assert produce_releases() == 3
    assert only("dialogue.published:").date == dialogue.published_at
    tags = [release.tags for release in Release.objects.order_by("date", "pk")]
    assert tags == [["planning"], ["planningUpdate"], ["planningUpdate"], ["planningUpdate"]]


def test_two_producers_store_one_release_per_event(published_project):
    (event,) = publish.pending_events()
    assert publish.store(event)
    assert not publish.store(event)
    assert Release.objects.count() == 1
